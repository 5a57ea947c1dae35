"""One real Miniflux (over a throwaway PostgreSQL) for the sync tests of a session.

Tests that need it skip, with the reason, where neither PostgreSQL nor Miniflux can be had;
`.ci/run` makes both available so that in CI they run.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.feeds import Item, items, rss
from tests.support.feedserver import FeedServer, feed_reply
from tests.support.miniflux import ADMIN_PASSWORD, Account, Miniflux, running_miniflux, unavailable

#: The account every sync test module starts from: 4 feeds of 3 items in 3 folders.
FOLDERS = {"Tech": ["alpha", "beta"], "World": ["gamma"], "Science": ["delta"]}


@pytest.fixture(scope="session")
def miniflux() -> Iterator[Miniflux]:
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"no Miniflux here: {reason}")
    with running_miniflux() as server:
        server.enable_apis()
        yield server


@pytest.fixture(scope="module")
def account(miniflux: Miniflux) -> Iterator[Account]:
    with FeedServer() as feeds:
        created: list[int] = []
        feed_ids: list[int] = []
        with miniflux.api() as api:
            for folder, names in FOLDERS.items():
                category = api.post("/categories", json={"title": folder}).json()
                created.append(category["id"])
                for name in names:
                    feeds.route(
                        f"/{name}.xml",
                        # A loopback site address: Miniflux looks up the site's icon as it
                        # subscribes, and example.org cannot be reached from the tests.
                        feed_reply(
                            rss(
                                items(3, prefix=name.title()),
                                title=name.title(),
                                link=feeds.url("/"),
                            )
                        ),
                    )
                    answer = api.post(
                        "/feeds",
                        json={"feed_url": feeds.url(f"/{name}.xml"), "category_id": category["id"]},
                    )
                    assert answer.status_code == 201, answer.text
                    feed_ids.append(answer.json()["feed_id"])
            entries = api.get("/entries", params={"limit": 100}).json()["entries"]
        ids = {entry["title"]: entry["id"] for entry in entries}
        yield Account(miniflux, feeds, ids)
        with miniflux.api() as api:
            for feed_id in feed_ids:
                api.delete(f"/feeds/{feed_id}")
            for category_id in created:
                api.delete(f"/categories/{category_id}")


# -- the sync engine's and command line's suites: 20 feeds in 3 folders --------------------


#: Feeds per folder in :func:`twenty_feeds`.
WIDE_FOLDERS = {"Tech": 8, "World": 7, "Science": 5}
#: Items each of those feeds starts with.
WIDE_ITEMS = 3


@dataclass
class WideAccount:
    """The admin account holding 20 feeds in 3 folders, served by ``feeds``; the helpers
    read and change it over Miniflux's REST API, as its own pages would."""

    server: Miniflux
    feeds: FeedServer
    rest_key: str  # Miniflux checks a password with bcrypt at every request; a key is quick
    feed_ids: dict[str, int] = field(default_factory=dict)  # Miniflux's id by feed name
    folders: dict[str, str] = field(default_factory=dict)  # folder by feed name
    titles: dict[str, str] = field(default_factory=dict)  # title by feed name
    category_ids: dict[str, int] = field(default_factory=dict)
    served: dict[str, list[Item]] = field(default_factory=dict)
    _entry_ids: dict[str, int] = field(default_factory=dict)
    _key: str = ""

    def rest(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.server.url}/v1", headers={"X-Auth-Token": self.rest_key}, timeout=30
        )

    def secret(self, api: str) -> str:
        """What ``account add`` is given over ``api``: Miniflux's own API takes an API key."""
        if api != "miniflux":
            return ADMIN_PASSWORD
        if not self._key:
            self._key = self.server.make_api_key()
        return self._key

    def url(self, name: str) -> str:
        return self.feeds.url(f"/{name}.xml")

    def entries(self) -> list[dict[str, Any]]:
        with self.rest() as api:
            answer = api.get("/entries", params={"limit": 10000, "order": "id"})
            answer.raise_for_status()
            return list(answer.json()["entries"])

    def entry_ids(self) -> dict[str, int]:
        """Miniflux's entry id by title (they never change)."""
        if not self._entry_ids:
            self._entry_ids = {e["title"]: e["id"] for e in self.entries()}
        return self._entry_ids

    def marks(self) -> dict[str, tuple[bool, bool]]:
        """(read, starred) by title, for every entry."""
        return {e["title"]: (e["status"] == "read", e["starred"]) for e in self.entries()}

    def set_read(self, titles: list[str], read: bool) -> None:
        ids = [self.entry_ids()[title] for title in titles]
        with self.rest() as api:
            answer = api.put(
                "/entries", json={"entry_ids": ids, "status": "read" if read else "unread"}
            )
            assert answer.status_code == 204, answer.text

    def set_starred(self, titles: list[str], starred: bool) -> None:
        with self.rest() as api:
            for title in titles:
                entry_id = self.entry_ids()[title]
                # Miniflux's bookmark call toggles: only where the star would change.
                if api.get(f"/entries/{entry_id}").json()["starred"] != starred:
                    answer = api.put(f"/entries/{entry_id}/bookmark")
                    assert answer.status_code == 204, answer.text

    def serve(self, name: str) -> None:
        # The site is on loopback too: Miniflux looks for the site's icon as it subscribes,
        # and a name to resolve outside can take seconds to fail.
        body = rss(self.served[name], title=self.titles[name], link=self.feeds.url("/"))
        self.feeds.route(f"/{name}.xml", feed_reply(body))

    def add_item(self, name: str) -> str:
        """A new item in the feed ``name``, fetched by Miniflux now; its title."""
        served = self.served[name]
        number = len(served)
        newest = served[0].published or datetime(2026, 11, 1, tzinfo=UTC)
        item = Item(
            title=f"{name.title()} {number}",
            guid=f"urn:{name}:{number}",
            link=f"https://example.org/{name}/{number}",
            description=f"<p>Summary of {name} {number}.</p>",
            published=newest + timedelta(hours=1),
        )
        served.insert(0, item)
        self.serve(name)
        with self.rest() as api:
            answer = api.put(f"/feeds/{self.feed_ids[name]}/refresh")
            assert answer.status_code == 204, answer.text
        self._entry_ids = {}
        return item.title

    def reset(self) -> None:
        """Every entry unread and unstarred, every feed in its folder under its title, and no
        feed but these: what each test starts from, whatever the one before did."""
        with self.rest() as api:
            by_id = {feed_id: name for name, feed_id in self.feed_ids.items()}
            for feed in api.get("/feeds").json():
                name = by_id.get(feed["id"])
                if name is None:
                    api.delete(f"/feeds/{feed['id']}").raise_for_status()
                    continue
                wanted = {
                    "title": self.titles[name],
                    "category_id": self.category_ids[self.folders[name]],
                }
                if (feed["title"], feed["category"]["id"]) != tuple(wanted.values()):
                    api.put(f"/feeds/{feed['id']}", json=wanted).raise_for_status()
            read = api.get("/entries", params={"status": "read", "limit": 10000}).json()
            if read["entries"]:
                ids = [e["id"] for e in read["entries"]]
                api.put("/entries", json={"entry_ids": ids, "status": "unread"}).raise_for_status()
            starred = api.get("/entries", params={"starred": "true", "limit": 10000}).json()
            for entry in starred["entries"]:
                api.put(f"/entries/{entry['id']}/bookmark").raise_for_status()


@pytest.fixture(scope="module")
def twenty_feeds(miniflux: Miniflux) -> Iterator[WideAccount]:
    with FeedServer() as feeds:
        wide = WideAccount(miniflux, feeds, miniflux.make_api_key())
        try:
            with wide.rest() as api:
                for folder in WIDE_FOLDERS:
                    category = api.post("/categories", json={"title": folder})
                    assert category.status_code == 201, category.text
                    wide.category_ids[folder] = category.json()["id"]
            folders = [folder for folder, count in WIDE_FOLDERS.items() for _ in range(count)]
            for number, folder in enumerate(folders, start=1):
                name = f"feed{number:02d}"
                wide.folders[name] = folder
                wide.titles[name] = f"Feed {number:02d}"
                wide.served[name] = items(WIDE_ITEMS, prefix=name.title())
                wide.serve(name)

            def subscribe(name: str) -> tuple[str, int]:
                category_id = wide.category_ids[wide.folders[name]]
                with wide.rest() as api:
                    answer = api.post(
                        "/feeds", json={"feed_url": wide.url(name), "category_id": category_id}
                    )
                assert answer.status_code == 201, answer.text
                return name, int(answer.json()["feed_id"])

            # Miniflux fetches a feed as it subscribes to it: a few at once save seconds.
            with ThreadPoolExecutor(max_workers=5) as pool:
                wide.feed_ids.update(pool.map(subscribe, sorted(wide.folders)))
            yield wide
        finally:
            # Other modules share the server: its feeds go with their categories, and any
            # feed a test subscribed to with them.
            with wide.rest() as api:
                for feed in api.get("/feeds").json():
                    if feed["id"] not in wide.feed_ids.values():
                        api.delete(f"/feeds/{feed['id']}")
                for category in api.get("/categories").json():
                    if category["title"] != "All":
                        api.delete(f"/categories/{category['id']}")


@pytest.fixture
def wide(twenty_feeds: WideAccount) -> WideAccount:
    """The 20 feeds, reset to unread, unstarred and in their folders for this test."""
    twenty_feeds.reset()
    return twenty_feeds
