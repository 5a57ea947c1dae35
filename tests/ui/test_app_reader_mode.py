"""Reader mode in the app: full text on open, F, offline, hostile pages, merged stories,
the meta line's colours, and quitting while a page server hangs.

Everything is real: a library file in tmp_path, the loopback server serving the feeds and
the article pages (tests/support/pages.py), the worker pool that extracts them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.content import Content
from textual.widgets import OptionList, Static

from tests.support.feedserver import FeedServer, Reply
from tests.support.pages import HOSTILE_TITLE
from tests.support.pilot import settle
from tests.support.reader_site import (
    PAGE_ROUTES,
    Site,
    build_site,
    notes,
    open_story,
    pages_settle,
    reader_settings,
    reading,
    serve_site,
    wait_for,
)
from tui.core.article.view import MetaLine
from tui.ui.app import NewstermApp
from tui.ui.dialogs.outline import OutlineScreen
from tui.ui.screens.main.reader_mode import FETCHING_NOTE, OFFLINE_NOTE
from tui.ui.widgets.reader.pane import ReaderPane, meta_content
from tui.ui.widgets.story_list.rows import fit_names


@pytest.fixture
async def site(server: FeedServer, tmp_path: Path) -> AsyncIterator[Site]:
    serve_site(server)
    built = await build_site(server, tmp_path / "site.db", reader_settings())
    with built.library:
        yield built


def shown_text(reader: ReaderPane) -> str:
    """Everything the reader shows, as plain text."""
    parts = []
    for widget in reader.query(Static):
        if widget.display:
            parts.append(str(widget.render()))
    return "\n".join(parts)


def note_of(reader: ReaderPane) -> str:
    note = reader.query_one(".note", Static)
    return str(note.render()) if note.display else ""


async def test_a_short_story_opens_at_once_then_shows_its_full_text(
    server: FeedServer, tmp_path: Path
) -> None:
    gate = threading.Event()  # holds the page back, so the feed's text shows first
    serve_site(server, gate=gate)
    site = await build_site(server, tmp_path / "site.db", reader_settings())
    with site.library:
        async with reading(site) as (app, pilot):
            await open_story(pilot, site.ids["tram"])
            reader = app.main.reader
            assert reader.view is not None and not reader.view.full_text
            assert note_of(reader) == FETCHING_NOTE
            assert "The first trams ran on Monday." in shown_text(reader)
            gate.set()
            await pages_settle(pilot)
            view = reader.view
            assert view is not None and view.full_text
            assert note_of(reader).startswith("Full text from 127.0.0.1 · fetched ")
            assert reader.section_titles == [
                "A long road to the first service",
                "What changes for passengers",
                "Reactions along the route",
            ]
            text = shown_text(reader)
            assert "Harbour Street stop before dawn" in text
            assert "SPONSORED-OFFER" not in text and "COMMENT-TEXT" not in text
            assert "verified=true" in view.meta
            assert site.page_hits("tram") == 1
            # The outline lists the page's sections.
            await pilot.press("tab", "t")
            assert isinstance(app.screen, OutlineScreen)
            sections = app.screen.query_one("#sections", OptionList)
            listed = [
                str(sections.get_option_at_index(i).prompt) for i in range(sections.option_count)
            ]
            assert listed[1:] == reader.section_titles
            await pilot.press("escape")
            # Opened again: from the library, no second fetch.
            await open_story(pilot, site.ids["long"])
            await open_story(pilot, site.ids["tram"])
            await pages_settle(pilot)
            assert reader.view is not None and reader.view.full_text
            assert site.page_hits("tram") == 1


async def test_full_text_keeps_the_place_when_the_reader_was_scrolled(
    server: FeedServer, tmp_path: Path
) -> None:
    gate = threading.Event()
    serve_site(server, gate=gate)
    site = await build_site(server, tmp_path / "site.db", reader_settings())
    with site.library:
        app = NewstermApp(site.library, site.library.settings)
        async with app.run_test(size=(140, 14)) as pilot:  # short: the story scrolls
            await settle(pilot)
            await open_story(pilot, site.ids["tram"])
            reader = app.main.reader
            await pilot.press("tab", "j", "j")
            await pilot.pause()
            assert reader.scroll_y == 2
            gate.set()
            await pages_settle(pilot)
            assert reader.view is not None and reader.view.full_text
            assert reader.scroll_y == 2
            assert app.focused is reader


async def test_a_long_story_is_not_fetched_and_F_fetches_it_anyway(site: Site) -> None:
    async with reading(site, "long") as (app, pilot):
        reader = app.main.reader
        assert reader.view is not None and not reader.view.full_text
        assert note_of(reader) == ""
        assert site.page_hits("long") == 0
        await pilot.press("F")
        await pages_settle(pilot)
        assert site.page_hits("long") == 1
        assert any(n.startswith("Full text fetched: ") for n in notes(app))
        assert reader.view is not None and "verified=true" in reader.view.meta
        # Fetched already: F fetches it again all the same.
        await pilot.press("F")
        await pages_settle(pilot)
        assert site.page_hits("long") == 2
        # A page that has gone is a sentence, and the story stays readable.
        site.server.route(PAGE_ROUTES["long"], Reply(404, b"gone"))
        await pilot.press("F")
        await pages_settle(pilot)
        assert any(n.startswith("Full article unavailable: ") for n in notes(app))
        assert reader.view is not None and reader.view.story.id == site.ids["long"]
        assert app.is_running


async def test_F_with_no_story_open_says_what_to_do(site: Site) -> None:
    async with reading(site) as (app, pilot):
        await pilot.press("F")
        await settle(pilot)
        assert "Open a story first: F fetches its full text." in notes(app)


async def test_offline_the_stored_full_text_still_shows(site: Site) -> None:
    async with reading(site, "tram") as (app, _pilot):
        assert app.main.reader.view is not None and app.main.reader.view.full_text
    site.server.routes.clear()  # the site is gone
    hits = len(site.server.requests)
    async with reading(site, "tram") as (app, _pilot):
        reader = app.main.reader
        assert reader.view is not None and reader.view.full_text
        assert "Harbour Street stop before dawn" in shown_text(reader)
        assert len(site.server.requests) == hits


async def test_offline_a_short_story_shows_the_feed_text_and_says_so_once(site: Site) -> None:
    async with reading(site, "offline") as (app, _pilot):
        reader = app.main.reader
        assert reader.view is not None and not reader.view.full_text
        assert note_of(reader) == ""  # a network error stores no note
        assert "The library opens later." in shown_text(reader)
        assert notes(app).count(OFFLINE_NOTE) == 1
    assert site.library.article(site.ids["offline"]) is None  # tried again next time


async def test_a_page_that_cannot_be_read_shows_its_stored_note(site: Site) -> None:
    site.server.route(PAGE_ROUTES["tram"], Reply(404, b"not here"))
    async with reading(site, "tram") as (app, _pilot):
        reader = app.main.reader
        assert reader.view is not None and not reader.view.full_text
        note = note_of(reader)
        assert note.startswith("Full article unavailable: ")
        assert note.endswith("Showing the feed's text.")
        assert OFFLINE_NOTE not in notes(app)


async def test_a_hostile_page_is_shown_as_text(site: Site) -> None:
    async with reading(site, "hostile") as (app, pilot):
        reader = app.main.reader
        assert reader.view is not None and reader.view.full_text
        text = shown_text(reader)
        assert "[@click=app.quit]x[/]" in text
        assert "[bold red]said[/]" in text
        for bad in ("\x1b", "\x07", "\u202e", "SCRIPT-TEXT", "STYLE-TEXT"):
            assert bad not in text
        assert "What the council decided" in reader.section_titles[0]
        for widget in reader.query(Static):
            if widget.display and widget.region.height:
                await pilot.click(widget)
        await pilot.press("tab", "F")
        await pages_settle(pilot)
        assert app.is_running
        assert HOSTILE_TITLE not in notes(app)


async def test_the_meta_line_colours_verified_and_the_sentiment_dot(site: Site) -> None:
    async with reading(site, "tram") as (app, _pilot):
        meta = app.main.reader.query_one(".meta", Static)
        content = meta.visual
        assert isinstance(content, Content)
        assert "verified=true sentiment=· " in content.plain
        styled = {content.plain[span.start : span.end]: str(span.style) for span in content.spans}
        assert styled["true"] == "$text-success"
        view = app.main.reader.view
        assert view is not None
        dot = {"positive": "bold $text-success", "neutral": "bold", "negative": "bold $text-error"}
        assert styled["·"] == dot[str(view.story.sentiment)]


def test_meta_line_styles_by_value() -> None:
    def spans(verified: str, sentiment: str) -> dict[str, str]:
        # A source that looks like the values must not move the styles onto itself.
        head = "[ARTICLE · art-7] src=verified=true.example topic=x"
        content = meta_content(MetaLine(head, verified, sentiment))
        return {content.plain[s.start : s.end]: str(s.style) for s in content.spans}

    assert spans("false", "negative") == {"false": "$text-error", "·": "bold $text-error"}
    assert spans("?", "") == {}
    assert spans("true", "positive") == {"true": "$text-success", "·": "bold $text-success"}
    assert spans("?", "neutral") == {"·": "bold"}


async def test_a_story_from_two_feeds_shows_both(site: Site) -> None:
    async with reading(site) as (app, pilot):
        stories = app.main.stories
        assert len(stories.index) == 4  # the Gazette's copy is listed once
        line = stories.index.line_of(stories.index.find(site.ids["tram"]) or 0)
        assert line is not None
        # Both feeds, each cut to fit the source column.
        assert "Riversi… + Harbour… · 1h" in stories.render_line(line).text
        await open_story(pilot, site.ids["tram"])
        assert "also from Harbour Gazette" in shown_text(app.main.reader)


def test_merged_sources_share_the_source_column() -> None:
    names = ["Riverside Chronicle", "Harbour Gazette"]
    assert fit_names(names, 40) == "Riverside Chronicle + Harbour Gazette"
    assert fit_names(names, 26) == "Riverside … + Harbour Ga…"
    assert fit_names(["BBC", "Harbour Gazette Weekly"], 20) == "BBC + Harbour Gazet…"
    assert fit_names(["[@click=app.quit]x[/]", "B"], 12) == "[@click… + B"


async def test_quitting_while_a_page_server_hangs_is_quick(
    server: FeedServer, tmp_path: Path
) -> None:
    gate = threading.Event()  # never set while the app runs: the page never comes
    serve_site(server, gate=gate)
    site = await build_site(server, tmp_path / "site.db", reader_settings(prefetch=True))
    try:
        with site.library:
            async with reading(site) as (app, pilot):
                await open_story(pilot, site.ids["tram"])
                await wait_for(pilot, lambda: site.page_hits("tram") > 0)
                assert app.main.pages.running
                started = time.monotonic()
            assert time.monotonic() - started < 2.0
            assert not app.main.pages.running
    finally:
        gate.set()
