"""A client of the Fever API, which many self-hosted servers speak (Miniflux, FreshRSS, …).

Every call is ``POST /fever/?api&<command>`` with ``api_key = md5(user:pass)``; the key,
not the password, is what is kept. Fever answers one command per request. Items come in
pages of at most 50 by ``since_id``; read and saved state as comma-separated id lists.

``saved`` and ``unsaved`` toggle on some servers (Miniflux) instead of setting, so a star
is only written after reading the saved ids, and only where it would change something:
asking twice must never flip a mark back.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tui.core.errors import SyncLoginError
from tui.core.sync.server import ServerClient, number, objects, text
from tui.core.text.hygiene import clean_line, clean_text
from tui.core.text.urls import openable_url

#: Above every item id: where a walk down from the newest starts.
_TOP = (1 << 63) - 1
#: Stretches of the id range a first pull walks at once.
WALKS = 3
#: Mark requests in flight at once (the protocol marks one item a request).
MARKS_AT_ONCE = 4


def api_key(user: str, password: str) -> str:
    """Fever's key for a user: ``md5("user:password")``, as the protocol defines it."""
    return hashlib.md5(f"{user}:{password}".encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class FeverFeed:
    id: int
    title: str
    url: str
    site_url: str
    group: str


@dataclass(frozen=True, slots=True)
class FeverItem:
    id: int
    feed_id: int
    title: str
    link: str
    author: str
    html: str
    published: datetime | None
    read: bool
    saved: bool


class FeverClient(ServerClient):
    """One account on one server, by its key. Use as ``async with``."""

    API_NAME = "the Fever API"

    def __init__(self, base_url: str, key: str, *, timeout: float = 30.0) -> None:
        super().__init__(base_url, timeout=timeout)
        self._key = key

    async def __aenter__(self) -> FeverClient:
        return self

    async def _call(self, command: str, what: str, **fields: str) -> dict[str, Any]:
        response = await self._request(
            "POST", f"/fever/?api{command}", data={"api_key": self._key, **fields}
        )
        self._failed(response, what)
        data = self._json(response, what)
        if not isinstance(data, dict):
            raise self._not_the_api(what)
        if data.get("auth") != 1:
            raise SyncLoginError(
                f"The sync server at {self.base_url} refused the user name or password."
            )
        return data

    async def check(self) -> None:
        """Raise :class:`SyncLoginError` unless the key is good."""
        await self._call("", "logging in")

    async def feeds(self) -> list[FeverFeed]:
        groups = await self._call("&groups", "listing folders")
        names = {
            number(g.get("id")): clean_line(text(g.get("title"))) for g in _dicts(groups, "groups")
        }
        group_of: dict[int, str] = {}
        for link in _dicts(groups, "feeds_groups"):
            for feed_id in _ids(text(link.get("feed_ids"))):
                group_of.setdefault(feed_id, names.get(number(link.get("group_id")), ""))
        data = await self._call("&feeds", "listing feeds")
        found: list[FeverFeed] = []
        for raw in _dicts(data, "feeds"):
            feed_id = number(raw.get("id"))
            url = openable_url(clean_line(text(raw.get("url"))))
            if feed_id <= 0 or url is None:
                continue
            found.append(
                FeverFeed(
                    id=feed_id,
                    title=clean_line(text(raw.get("title"))),
                    url=url,
                    site_url=openable_url(clean_line(text(raw.get("site_url")))) or "",
                    group=group_of.get(feed_id, ""),
                )
            )
        return found

    async def items(
        self, since_id: int = 0, on_page: Callable[[list[FeverItem]], None] | None = None
    ) -> list[FeverItem]:
        """Every item after ``since_id`` (every item at all for 0), 50 to a request;
        ``on_page`` is given each page as it comes.

        The ids go in the query string, where the protocol puts them (Miniflux reads them
        nowhere else). Without a ``since_id`` the first page comes in no order, so a first
        pull walks down from the top by ``max_id`` instead, a page below the lowest id
        seen: in :data:`WALKS` stretches of the id range at once, since at 50 items a
        request the server's time is what a first pull waits on."""
        found: list[FeverItem] = []

        def keep(page: list[FeverItem]) -> None:
            found.extend(page)
            if on_page is not None:
                on_page(page)

        if since_id > 0:
            bound = since_id
            while page := await self._page(f"&items&since_id={bound}", bound, _TOP + 1):
                keep(page)
                bound = max(i.id for i in page)
            return found
        top = await self._page(f"&items&max_id={_TOP}", -1, _TOP + 1)
        if not top:
            return found
        keep(top)
        lowest = min(i.id for i in top)
        # Stretches [low, high) of the ids below the first page, each walked down (max_id
        # asks for the ids below it).
        edges = [lowest * k // WALKS for k in range(WALKS, -1, -1)]

        async def walk(high: int, low: int) -> None:
            while high > low and (page := await self._page(f"&items&max_id={high}", low - 1, high)):
                keep(page)
                high = min(i.id for i in page)

        await asyncio.gather(*(walk(edges[k], edges[k + 1]) for k in range(WALKS)))
        return found

    async def _page(self, command: str, above: int, below: int) -> list[FeverItem]:
        """One page of items, only those with ids strictly between ``above`` and ``below``
        (never the same page twice, whatever the server sends)."""
        data = await self._call(command, "reading items")
        return [
            i
            for raw in _dicts(data, "items")
            if (i := _item(raw)) is not None and above < i.id < below
        ]

    async def unread_ids(self) -> set[int]:
        data = await self._call("&unread_item_ids", "listing unread items")
        return set(_ids(text(data.get("unread_item_ids"))))

    async def saved_ids(self) -> set[int]:
        data = await self._call("&saved_item_ids", "listing starred items")
        return set(_ids(text(data.get("saved_item_ids"))))

    async def mark(
        self, ids: Iterable[int], *, read: bool | None = None, saved: bool | None = None
    ) -> None:
        """Fever marks one item a request: a few go at once. Each mark is its own request,
        so a failure part way leaves the ones sent done and the caller's queue whole (it
        sends them all again, which changes nothing for read marks, and the saved guard
        below keeps stars from toggling back)."""
        wanted = sorted(set(ids))
        if read is not None:
            await self._each(wanted, "read" if read else "unread")
        if saved is not None:
            # Only the items whose star would change: on servers where saved/unsaved toggle,
            # asking again would undo the mark.
            already = await self.saved_ids()
            changing = [i for i in wanted if (i in already) != saved]
            await self._each(changing, "saved" if saved else "unsaved")

    async def _each(self, ids: list[int], as_: str) -> None:
        gate = asyncio.Semaphore(MARKS_AT_ONCE)

        async def one(item_id: int) -> None:
            async with gate:
                await self._call("", "saving marks", mark="item", id=str(item_id), **{"as": as_})

        await asyncio.gather(*(one(i) for i in ids))


def _item(raw: dict[str, Any]) -> FeverItem | None:
    item_id = number(raw.get("id"))
    if item_id <= 0:
        return None
    created = number(raw.get("created_on_time"))
    return FeverItem(
        id=item_id,
        feed_id=number(raw.get("feed_id")),
        title=clean_line(text(raw.get("title"))),
        link=openable_url(clean_line(text(raw.get("url")))) or "",
        author=clean_line(text(raw.get("author"))),
        html=clean_text(text(raw.get("html"))),
        published=datetime.fromtimestamp(created, UTC) if 0 < created < 253402300800 else None,
        read=number(raw.get("is_read")) == 1,
        saved=number(raw.get("is_saved")) == 1,
    )


def _ids(listed: str) -> list[int]:
    return [int(part) for part in listed.split(",") if part.strip().isdigit()]


def _dicts(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return objects(data.get(key))
