"""Prefetching the pages of the unread stories on screen, the page fetcher's rules, and the
tone filter (``s``)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.feeds import Item, rss
from tests.support.feedserver import FeedServer, Reply, Request, feed_reply
from tests.support.pages import article_page
from tests.support.pilot import settle
from tests.support.reader_site import (
    PAGE_ROUTES,
    Site,
    build_site,
    html_reply,
    notes,
    open_story,
    pages_settle,
    reader_settings,
    reading,
    serve_site,
    wait_for,
)
from tui.core.library import Library
from tui.ui.app import NewstermApp
from tui.ui.background.pages import PageDone, PageFetcher, PrefetchQueue


@pytest.fixture
async def prefetching_site(server: FeedServer, tmp_path: Path) -> AsyncIterator[Site]:
    serve_site(server)
    built = await build_site(server, tmp_path / "site.db", reader_settings(prefetch=True))
    with built.library:
        yield built


async def test_prefetch_fetches_the_unread_short_stories_on_screen(
    prefetching_site: Site,
) -> None:
    site = prefetching_site
    site.library.set_read([site.ids["hostile"], site.ids["offline"]])
    app = NewstermApp(site.library, site.library.settings)
    async with app.run_test(size=(140, 40)) as pilot:
        await pages_settle(pilot)
        assert site.page_hits("tram") == 1  # short and unread
        assert site.page_hits("long") == 0  # the feed gave the whole story
        assert site.page_hits("hostile") == 0  # read already
        await open_story(pilot, site.ids["tram"])
        reader = app.main.reader
        assert reader.view is not None and reader.view.full_text  # at once, from the library
        await pages_settle(pilot)
        assert site.page_hits("tram") == 1


async def test_prefetch_pauses_after_a_network_error_until_a_refresh(
    prefetching_site: Site,
) -> None:
    site = prefetching_site
    site.library.set_read([site.ids["tram"], site.ids["hostile"]])
    app = NewstermApp(site.library, site.library.settings)
    async with app.run_test(size=(140, 40)) as pilot:
        await pages_settle(pilot)  # the offline story's prefetch fails: paused
        assert notes(app) == []  # prefetching is quiet
        site.library.set_read([site.ids["hostile"]], False)
        app.main.reload()
        await pages_settle(pilot)
        assert site.page_hits("hostile") == 0
        await pilot.press("R")  # the feeds answer: the network is back
        await pages_settle(pilot)
        assert site.page_hits("hostile") == 1
        assert app.main.stories.row_of(site.ids["hostile"]) is not None


async def test_opening_a_story_being_prefetched_joins_that_fetch(
    server: FeedServer, tmp_path: Path
) -> None:
    gate = threading.Event()
    serve_site(server, gate=gate)
    site = await build_site(server, tmp_path / "site.db", reader_settings(prefetch=True))
    with site.library:
        async with reading(site) as (app, pilot):
            # The prefetch of the tram story reaches the server, and waits on the gate.
            await wait_for(pilot, lambda: site.page_hits("tram") == 1)
            await open_story(pilot, site.ids["tram"])
            gate.set()
            await pages_settle(pilot)
            assert site.page_hits("tram") == 1
            reader = app.main.reader
            assert reader.view is not None and reader.view.full_text


# -- the page fetcher on its own -----------------------------------------------------------


def test_the_prefetch_queue_is_newest_first_and_drops_what_scrolled_away() -> None:
    queue = PrefetchQueue(limit=4)
    queue.push([1, 2, 3], on_screen={1, 2, 3})
    queue.push([4, 5], on_screen={3, 4, 5})
    assert list(queue) == [4, 5, 3]  # five is past the limit: 1 and 2 scrolled away
    queue.push([6], on_screen={3, 4, 5, 6})
    assert list(queue) == [6, 4, 5, 3]
    queue.push([3], on_screen={3, 4, 5, 6})  # asked again: to the front, once
    assert list(queue) == [3, 6, 4, 5]
    assert queue.take(2, busy={3}) == [6, 4]
    assert list(queue) == [5]


async def test_a_story_is_never_fetched_twice_at_once(server: FeedServer, tmp_path: Path) -> None:
    serve_site(server)
    site = await build_site(server, tmp_path / "site.db", reader_settings())
    gate = threading.Event()
    at_once = 0
    most_at_once = 0
    lock = threading.Lock()
    page = html_reply(article_page())
    with site.library:

        def slow_page(_request: Request) -> Reply:
            nonlocal at_once, most_at_once
            with lock:
                at_once += 1
                most_at_once = max(most_at_once, at_once)
            gate.wait(10)
            with lock:
                at_once -= 1
            return page

        server.route(PAGE_ROUTES["tram"], slow_page)
        done: list[PageDone] = []
        fetcher = PageFetcher(lambda: site.library, done.append)
        tram = site.ids["tram"]
        try:
            fetcher.want(tram, "open")
            fetcher.prefetch([tram], on_screen=[tram])  # in flight: not queued again
            fetcher.want(tram, "manual", force=True)  # in flight, not forced: once more after
            await asyncio.sleep(0.3)
            gate.set()
            assert await asyncio.to_thread(fetcher.wait_idle, 20)
        finally:
            fetcher.stop()
        assert most_at_once == 1
        assert site.page_hits("tram") == 2
        assert [d.reasons for d in done] == [frozenset({"open"}), frozenset({"manual"})]
        assert all(d.outcome.ok for d in done)


# -- tone ------------------------------------------------------------------------------------

TONED = {
    "Volunteers celebrate a wonderful win for the town park": (
        "Happy families enjoyed the great, beautiful new playground and thanked the "
        "generous donors."
    ),
    "Second cheerful story of joy and success": "Everyone loved the excellent festival.",
    "Fire destroys homes; three killed in tragic disaster": (
        "Grieving residents mourned the victims of the deadly blaze, which left many "
        "injured and homeless."
    ),
    "Council publishes the schedule for March meetings": (
        "The meetings will be held on Tuesdays at the town hall, starting at seven."
    ),
}
LATER = {
    "Flood kills two as the river bursts its banks in a terrible storm": (
        "Rescuers searched for victims after the deadly flood destroyed homes."
    )
}


def _toned_feed(stories: dict[str, str], start: datetime) -> bytes:
    entries = [
        Item(
            title,
            guid=f"urn:toned:{n}:{title[:10]}",
            link=f"https://toned.example/{n}-{len(title)}",
            description=f"<p>{text}</p>",
            published=start - timedelta(minutes=n),
        )
        for n, (title, text) in enumerate(stories.items())
    ]
    return rss(entries, title="Toned")


def _titles(app: NewstermApp) -> set[str]:
    stories = app.main.stories
    found = set()
    for story_id in stories.index.known.values():
        row = stories.row_of(story_id)
        assert row is not None
        found.add(row.title)
    return found


async def test_the_tone_filter_cycles_and_labels_new_stories(
    server: FeedServer, tmp_path: Path
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    server.route("/toned.xml", feed_reply(_toned_feed(TONED, start)))
    with Library(tmp_path / "toned.db", reader_settings(min_words=0)) as library:
        library.add_feed(server.url("/toned.xml"), topic="Town")
        await library.refresh()
        assert library.unlabelled() == 4
        app = NewstermApp(library, library.settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            status = app.main.status
            await pilot.press("s")
            await settle(pilot)
            assert "Working out the tone of 4 stories…" in notes(app)
            assert library.unlabelled() == 0
            assert _titles(app) == {
                "Volunteers celebrate a wonderful win for the town park",
                "Second cheerful story of joy and success",
            }
            assert status.tone == "positive"
            assert "tone:positive" in str(status.render())
            await pilot.press("s")
            await settle(pilot)
            assert _titles(app) == {"Council publishes the schedule for March meetings"}
            await pilot.press("s")
            await settle(pilot)
            assert _titles(app) == {"Fire destroys homes; three killed in tragic disaster"}
            assert notes(app).count("Working out the tone of 4 stories…") == 1
            # A refresh brings a new negative story: labelled quietly, listed here.
            server.route("/toned.xml", feed_reply(_toned_feed(LATER | TONED, start)))
            await pilot.press("R")
            await settle(pilot)
            assert _titles(app) == {
                "Fire destroys homes; three killed in tragic disaster",
                "Flood kills two as the river bursts its banks in a terrible storm",
            }
            assert not any(n.startswith("Working out") and "1 story" in n for n in notes(app))
            # Views keep the tone; s again shows every tone.
            await pilot.press("u")
            await settle(pilot)
            assert app.main.filter.kind == "unread" and app.main.filter.sentiment == "negative"
            await pilot.press("s")
            await settle(pilot)
            assert len(_titles(app)) == 5
            assert status.tone == "" and "tone:" not in str(status.render())
            # Several presses while labelling land on the last tone asked for.
            await pilot.press("s", "s", "s")
            await settle(pilot)
            assert app.main.filter.sentiment == "negative"
            await pilot.press("escape")
            await settle(pilot)
            assert app.main.filter.sentiment == ""
