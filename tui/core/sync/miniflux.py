"""A client of Miniflux's own REST API (``/v1/…``), for Miniflux users who prefer it.

It signs in with an API key (``X-Auth-Token``), made in Miniflux's settings (Miniflux 2.2
has no API to make one), so the key, never a password, is what is kept. Entries are listed
by id in ascending order (``after_entry_id``), so a sync asks only for what came after the
last one it saw.

``PUT /v1/entries/{id}/bookmark`` toggles rather than sets, so a star is written only after
the entry's state has been read, and only where it would change: asking twice must never
flip a mark back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui.core.errors import SyncError, SyncLoginError, SyncRefusedError
from tui.core.sync.server import ServerClient, number, objects, text
from tui.core.text.hygiene import clean_line, clean_text
from tui.core.text.urls import openable_url

#: Entries asked for in one page.
PAGE = 500


@dataclass(frozen=True, slots=True)
class MinifluxFeed:
    id: int
    title: str
    url: str
    site_url: str
    category: str


@dataclass(frozen=True, slots=True)
class MinifluxEntry:
    id: int
    feed_id: int
    title: str
    link: str
    author: str
    html: str
    published: datetime | None
    read: bool
    starred: bool
    changed: datetime | None = None  # when its status last changed on the server


class MinifluxClient(ServerClient):
    """One account, by its API key. Use as ``async with``."""

    API_NAME = "Miniflux"

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        user: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        """``key`` is an API key, or with ``user`` a password (HTTP Basic), for a server
        where no key was made."""
        super().__init__(base_url, timeout=timeout)
        if user is None:
            self._auth: dict[str, Any] = {"headers": {"X-Auth-Token": key}}
        else:
            self._auth = {"auth": (user, key)}

    async def __aenter__(self) -> MinifluxClient:
        return self

    async def _call(self, method: str, path: str, what: str, **kw: Any) -> Any:
        response = await self._request(method, f"/v1{path}", **self._auth, **kw)
        if response.status_code in (401, 403):
            raise SyncLoginError(
                f"The sync server at {self.base_url} refused the login; use an API key made "
                "in Miniflux's settings (API Keys), or the account's password."
            )
        self._failed(response, what)
        if response.status_code == 204 or not response.content:
            return None
        return self._json(response, what)

    async def check(self) -> None:
        """Raise :class:`SyncLoginError` unless the key or password is good."""
        answer = await self._call("GET", "/me", "logging in")
        if not isinstance(answer, dict) or "id" not in answer:
            raise self._not_the_api("logging in")

    async def unread_count(self) -> int:
        answer = await self._call("GET", "/feeds/counters", "counting unread entries")
        unreads = answer.get("unreads") if isinstance(answer, dict) else None
        return sum(number(v) for v in unreads.values()) if isinstance(unreads, dict) else 0

    async def feeds(self) -> list[MinifluxFeed]:
        found: list[MinifluxFeed] = []
        for raw in objects(await self._call("GET", "/feeds", "listing feeds")):
            url = openable_url(clean_line(text(raw.get("feed_url"))))
            feed_id = number(raw.get("id"))
            if url is None or feed_id <= 0:
                continue
            category = raw.get("category")
            found.append(
                MinifluxFeed(
                    id=feed_id,
                    title=clean_line(text(raw.get("title"))),
                    url=url,
                    site_url=openable_url(clean_line(text(raw.get("site_url")))) or "",
                    category=clean_line(text(category.get("title")))
                    if isinstance(category, dict)
                    else "",
                )
            )
        return found

    async def entries(
        self, after_id: int = 0, on_page: Callable[[list[MinifluxEntry]], None] | None = None
    ) -> list[MinifluxEntry]:
        """Every entry with an id above ``after_id``, oldest first; ``on_page`` is given
        each page as it comes."""
        found: list[MinifluxEntry] = []
        while True:
            answer = await self._call(
                "GET",
                "/entries",
                "reading entries",
                params={
                    "after_entry_id": after_id,
                    "order": "id",
                    "direction": "asc",
                    "limit": PAGE,
                },
            )
            raw = answer.get("entries") if isinstance(answer, dict) else None
            page = [e for e in map(_entry, objects(raw)) if e is not None and e.id > after_id]
            if not page:
                return found
            found.extend(page)
            if on_page is not None:
                on_page(page)
            after_id = max(entry.id for entry in page)

    async def changed_entries(self, since: int) -> list[MinifluxEntry]:
        """Entries whose status changed after ``since`` (a Unix time), bodies and all."""
        found: list[MinifluxEntry] = []
        offset = 0
        while True:
            answer = await self._call(
                "GET",
                "/entries",
                "reading changed entries",
                params={"changed_after": since, "limit": PAGE, "offset": offset},
            )
            raw = answer.get("entries") if isinstance(answer, dict) else None
            page = [e for e in map(_entry, objects(raw)) if e is not None]
            found.extend(page)
            if len(page) < PAGE:
                return found
            offset += PAGE

    async def entry(self, entry_id: int) -> MinifluxEntry | None:
        answer = await self._call("GET", f"/entries/{int(entry_id)}", "reading an entry")
        return _entry(answer) if isinstance(answer, dict) else None

    async def mark(
        self, ids: Iterable[int], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        wanted = sorted({int(i) for i in ids})
        if read is not None and wanted:
            for start in range(0, len(wanted), PAGE):
                await self._call(
                    "PUT",
                    "/entries",
                    "saving marks",
                    json={
                        "entry_ids": wanted[start : start + PAGE],
                        "status": "read" if read else "unread",
                    },
                )
        if starred is not None:
            for entry_id in wanted:
                current = await self.entry(entry_id)
                # The bookmark call toggles: only where the star would change.
                if current is not None and current.starred != starred:
                    await self._call("PUT", f"/entries/{entry_id}/bookmark", "saving a star")

    # -- subscriptions -----------------------------------------------------------------

    async def _category_id(self, title: str) -> int:
        answer = await self._call("GET", "/categories", "listing categories")
        for raw in objects(answer):
            if clean_line(text(raw.get("title"))).casefold() == title.casefold():
                return number(raw.get("id"))
        made = await self._call("POST", "/categories", "making a category", json={"title": title})
        return number(made.get("id")) if isinstance(made, dict) else 0

    async def subscribe(self, url: str, folder: str = "") -> int:
        """Subscribe to ``url`` (or find it, when the server already has it); its id."""
        body: dict[str, Any] = {"feed_url": url}
        if folder:
            body["category_id"] = await self._category_id(folder)
        try:
            made = await self._call("POST", "/feeds", "subscribing to a feed", json=body)
            feed_id = number(made.get("feed_id")) if isinstance(made, dict) else 0
        except SyncLoginError:
            raise
        except SyncError:
            feed_id = 0  # perhaps already subscribed: the list says
        if feed_id <= 0:
            feed_id = next((f.id for f in await self.feeds() if f.url == url), 0)
        if feed_id <= 0:
            raise SyncRefusedError(
                f"The sync server at {self.base_url} could not subscribe to {url}."
            )
        return feed_id

    async def unsubscribe(self, feed_id: int) -> None:
        await self._call("DELETE", f"/feeds/{int(feed_id)}", "unsubscribing")

    async def rename(self, feed_id: int, title: str) -> None:
        await self._call("PUT", f"/feeds/{int(feed_id)}", "renaming a feed", json={"title": title})

    async def move(self, feed_id: int, folder: str) -> None:
        category = await self._category_id(folder)
        await self._call(
            "PUT", f"/feeds/{int(feed_id)}", "moving a feed", json={"category_id": category}
        )


def _moment(value: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _entry(raw: dict[str, Any]) -> MinifluxEntry | None:
    entry_id = number(raw.get("id"))
    if entry_id <= 0:
        return None
    return MinifluxEntry(
        id=entry_id,
        feed_id=number(raw.get("feed_id")),
        title=clean_line(text(raw.get("title"))),
        link=openable_url(clean_line(text(raw.get("url")))) or "",
        author=clean_line(text(raw.get("author"))),
        html=clean_text(text(raw.get("content"))),
        published=_moment(raw.get("published_at")),
        read=raw.get("status") == "read",
        starred=raw.get("starred") is True,
        changed=_moment(raw.get("changed_at")),
    )
