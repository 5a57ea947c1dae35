"""A small news site on the loopback server for the reader-mode UI tests.

One feed ("Riverside Chronicle") whose stories link to article pages on the same server:
a story with only a short summary (its page has ``<h2>`` sections), a long one (its feed
text is the whole story), one whose page is hostile, and one whose link goes to a port
where nothing listens (offline). A second feed ("Harbour Gazette") carries the short
story again, so the library lists it once, from both feeds.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.pilot import Pilot

from tests.support.feeds import Item, rss
from tests.support.feedserver import FeedServer, Reply, Request, feed_reply
from tests.support.pages import DEFAULT_TITLE, article_page, hostile_page
from tests.support.pilot import settle
from tui.core.library import Library
from tui.core.settings import ArticleSettings, RefreshSettings, Settings
from tui.ui.app import NewstermApp
from tui.ui.screens.main.reader_mode import PREFETCH_DELAY

LONG_TEXT = " ".join(
    ["The harbour market reopened on Saturday with forty stalls selling fish, bread, "]
    + ["cheese and vegetables from the farms along the river valley."] * 16
)
SHORT = "<p>The first trams ran on Monday.</p>"
PAGE_ROUTES = {
    "tram": "/articles/tram",
    "long": "/articles/harbour-market",
    "hostile": "/articles/council-vote",
}
TITLES = {
    "tram": DEFAULT_TITLE,
    "long": "Harbour market reopens with forty stalls",
    "hostile": "Council vote result",
    "offline": "Library hours change",
}


def reader_settings(*, prefetch: bool = False, min_words: int = 150) -> Settings:
    return Settings(
        refresh=RefreshSettings(auto_minutes=0),
        articles=ArticleSettings(min_words=min_words, prefetch=prefetch, deadline=20.0),
    )


def html_reply(body: bytes) -> Reply:
    return Reply(200, body, {"Content-Type": "text/html; charset=utf-8"})


@dataclass
class Site:
    server: FeedServer
    library: Library
    ids: dict[str, int] = field(default_factory=dict)

    def page_hits(self, key: str) -> int:
        return len(self.server.hits(PAGE_ROUTES[key]))


def serve_site(server: FeedServer, *, gate: threading.Event | None = None) -> None:
    """Routes for the feeds and the pages; with ``gate``, the tram page waits for it."""
    fresh = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    entries = [
        Item(
            TITLES["tram"],
            guid="urn:chronicle:tram-line",
            link=server.url(PAGE_ROUTES["tram"]),
            description=SHORT,
            published=fresh,
        ),
        Item(
            TITLES["long"],
            guid="urn:chronicle:harbour-market",
            link=server.url(PAGE_ROUTES["long"]),
            description=f"<p>{LONG_TEXT}</p>",
            published=fresh - timedelta(hours=1),
        ),
        Item(
            TITLES["hostile"],
            guid="urn:chronicle:council-vote",
            link=server.url(PAGE_ROUTES["hostile"]),
            description="<p>The council voted.</p>",
            published=fresh - timedelta(hours=2),
        ),
        Item(
            TITLES["offline"],
            guid="urn:chronicle:library-hours",
            link="http://127.0.0.1:9/library-hours",  # nothing listens on port 9
            description="<p>The library opens later.</p>",
            published=fresh - timedelta(hours=3),
        ),
    ]
    copy = [
        Item(
            TITLES["tram"],
            guid="urn:gazette:trams",
            link=server.url(PAGE_ROUTES["tram"]) + "?utm_source=gazette",
            description=SHORT,
            published=fresh,
        )
    ]
    site = server.base + "/"
    server.route("/chronicle.xml", feed_reply(rss(entries, title="Riverside Chronicle", link=site)))
    server.route("/gazette.xml", feed_reply(rss(copy, title="Harbour Gazette", link=site)))
    tram = html_reply(article_page())

    def tram_page(_request: Request) -> Reply:
        if gate is not None:
            gate.wait(15)
        return tram

    server.route(PAGE_ROUTES["tram"], tram_page)
    server.route(PAGE_ROUTES["long"], html_reply(article_page(TITLES["long"])))
    server.route(PAGE_ROUTES["hostile"], html_reply(hostile_page()))


async def build_site(server: FeedServer, path: Path, settings: Settings) -> Site:
    """Subscribe to both feeds and fetch them (the Chronicle first: it lists the story)."""
    library = Library(path, settings)
    library.add_feed(server.url("/chronicle.xml"), topic="Local")
    library.add_feed(server.url("/gazette.xml"), topic="Local")
    await library.refresh([server.url("/chronicle.xml")])
    await library.refresh([server.url("/gazette.xml")])
    site = Site(server, library)
    stories = library.stories()
    for key, title in TITLES.items():
        site.ids[key] = next(s.id for s in stories if s.title == title)
    return site


async def pages_settle(pilot: Pilot[None], *, timeout: float = 20.0) -> None:
    """Settle, and wait for the page fetcher too (its thread is not a Textual worker)."""
    app = pilot.app
    assert isinstance(app, NewstermApp)
    for _ in range(3):
        await settle(pilot)
        await pilot.pause(PREFETCH_DELAY + 0.05)  # a prefetch waits for the list to rest
        idle = await asyncio.to_thread(app.main.pages.wait_idle, timeout)
        assert idle, "the page fetcher never finished"
        await settle(pilot)


async def wait_for(pilot: Pilot[None], check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Pause until ``check()`` holds (a fetch in the fetcher's thread is not a worker)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out waiting"
        await pilot.pause(0.05)


async def open_story(pilot: Pilot[None], story_id: int) -> None:
    app = pilot.app
    assert isinstance(app, NewstermApp)
    assert app.main.stories.move_to_story(story_id)
    await pilot.press("enter")
    await settle(pilot)


def notes(app: NewstermApp) -> list[str]:
    return [notification.message for notification in app._notifications]


@contextlib.asynccontextmanager
async def reading(
    site: Site, story: str | None = None, *, size: tuple[int, int] = (140, 40)
) -> AsyncIterator[tuple[NewstermApp, Pilot[None]]]:
    """The app over the site's library, settled; with ``story``, that story open and its
    page fetches done."""
    app = NewstermApp(site.library, site.library.settings)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if story is not None:
            await open_story(pilot, site.ids[story])
            await pages_settle(pilot)
        yield app, pilot
