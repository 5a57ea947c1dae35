"""Feed text is shown as text everywhere; refresh keeps the cursor and the open story."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, OptionList, Static

from tests.support.feeds import Item, items, rss
from tests.support.feedserver import FeedServer, Reply, feed_reply
from tests.support.pilot import quiet_settings, settle
from tui.core.library import Library
from tui.ui.app import NewstermApp
from tui.ui.dialogs.feeds import FeedsScreen
from tui.ui.dialogs.search import SearchScreen
from tui.ui.screens.main import MainScreen

HOSTILE_FEED = "[@click=app.quit]Evil feed[/]"
HOSTILE_TITLES = ("[@click=app.quit]x[/]", "[/]", "[b]not bold[/b] [link=https://e.test]l[/]")


def _fresh() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


@pytest.fixture
def hostile_library(tmp_path: Path, server: FeedServer) -> Iterator[Library]:
    entries = [
        Item(
            title=title,
            guid=f"urn:h:{n}",
            link=f"https://e.test/{n}",
            description=f"<p>{title} clicked</p>",
            published=_fresh() - timedelta(hours=n),
        )
        for n, title in enumerate(HOSTILE_TITLES)
    ]
    server.route("/hostile", feed_reply(rss(entries, title=HOSTILE_FEED)))
    with Library(tmp_path / "hostile.db", quiet_settings()) as library:
        library.add_feed(server.url("/hostile"), topic="[red]Topic[/]")
        yield library


def _spy_notifications(app: NewstermApp) -> list[tuple[str, dict[str, Any]]]:
    calls: list[tuple[str, dict[str, Any]]] = []
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        calls.append((message, kwargs))
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return calls


async def test_hostile_text_is_shown_literally_and_clicks_do_nothing(
    hostile_library: Library, server: FeedServer
) -> None:
    await hostile_library.refresh()
    app = NewstermApp(hostile_library, hostile_library.settings)
    notes = _spy_notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        stories = app.main.stories
        lines = [stories.render_line(y).text for y in range(stories.index.line_count)]
        assert "[red]Topic[/]" in lines[0]
        for title in HOSTILE_TITLES:
            assert any(title[:25] in line for line in lines), title
        # Open every story and click all over the list and the reader.
        for _ in HOSTILE_TITLES:
            await pilot.press("j", "enter")
            await settle(pilot)
            shown = app.main.reader.query_one(".title", Static)
            assert str(shown.render()) == app.main.reader.view.story.title  # type: ignore[union-attr]
            await pilot.click(".title")
            await pilot.click("#stories", offset=(8, stories.cursor))
            await pilot.click(".dek") if app.main.reader.query(".dek") else None
            await settle(pilot)
            assert app.is_running
        # Search results.
        await pilot.press("slash", *"clicked", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # Enter opened the first result
        await pilot.press("slash", *"clicked")
        await pilot.pause(0.4)
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        results = app.screen.query_one("#results", OptionList)
        prompts = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
        assert any(HOSTILE_TITLES[0] in prompt for prompt in prompts)
        await pilot.click("#results")
        await settle(pilot)
        assert app.is_running
        # The feed manager.
        if isinstance(app.screen, SearchScreen):
            await pilot.press("escape")
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        table = app.screen.query_one("#feed-table", DataTable)
        assert str(table.get_row_at(0)[1]) == HOSTILE_FEED
        await pilot.click("#feed-table")
        await pilot.press("escape")
        # A failing refresh names the feed in a notification: as text, too.
        server.route("/hostile", Reply(500, b"no"))
        await pilot.press("R")
        await settle(pilot)
        assert app.is_running
    failures = [message for message, _ in notes if HOSTILE_FEED in message]
    assert failures, notes
    assert all(kwargs.get("markup") is False for _, kwargs in notes)


async def test_refresh_keeps_cursor_and_open_story(tmp_path: Path, server: FeedServer) -> None:
    start = _fresh()
    server.route("/news", feed_reply(rss(items(6, prefix="Old", start=start), title="News")))
    with Library(tmp_path / "live.db", quiet_settings()) as library:
        library.add_feed(server.url("/news"), topic="World")
        await library.refresh()
        app = NewstermApp(library, library.settings)
        notes = _spy_notifications(app)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            stories = app.main.stories
            await pilot.press("j", "j", "enter")  # open "Old 1"
            await settle(pilot)
            opened = app.main.reader.view
            assert opened is not None
            await pilot.press("j", "j")  # and move on to "Old 3"
            cursor_story = stories.current_row
            assert cursor_story is not None and cursor_story.id != opened.story.id
            newer = items(3, prefix="New", start=start + timedelta(minutes=30))
            both = newer + items(6, prefix="Old", start=start)
            server.route("/news", feed_reply(rss(both, title="News")))
            await pilot.press("R")
            await settle(pilot)
            assert len(stories.index) == 9
            current = stories.current_row
            assert current is not None and current.id == cursor_story.id
            assert app.main.reader.view is not None
            assert app.main.reader.view.story.id == opened.story.id
            assert stories.open_story_id == opened.story.id
            assert app.main.status.progress is None
            assert app.main.status.indexed == 9
        assert any("3 new stories" in message for message, _ in notes)


async def test_offline_refresh_shows_offline(tmp_path: Path) -> None:
    with Library(tmp_path / "offline.db", quiet_settings()) as library:
        library.add_feed("http://127.0.0.1:9/unreachable.xml")  # nothing listens on port 9
        app = NewstermApp(library, library.settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press("R")
            await settle(pilot)
            assert app.main.status.mode == "OFFLINE"
            assert app.is_running


async def test_add_feed_dialog_subscribes_and_fetches(tmp_path: Path, server: FeedServer) -> None:
    server.route("/added", feed_reply(rss(items(4, prefix="Added", start=_fresh()), title="Added")))
    with Library(tmp_path / "add.db", quiet_settings()) as library:
        library.add_feed(server.url("/nothing-yet"), topic="Other")  # not empty: no welcome
        app = NewstermApp(library, library.settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await pilot.press(*server.url("/added"), "enter", *"Fresh", "enter")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert {group.name for group in app.main.stories.index.groups} == {"Fresh"}
            assert len(app.main.stories.index) == 4
            # A bad address is a sentence, not a crash.
            await pilot.press("a", *"javascript:alert(1)", "enter", "enter")
            await settle(pilot)
            assert app.is_running
            assert any("not a feed URL" in n.message for n in app._notifications)
