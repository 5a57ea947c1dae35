"""A client of the Fever API, which many self-hosted servers speak (Miniflux, FreshRSS, …).

Every call is ``POST /fever/?api&<command>`` with ``api_key = md5(user:pass)``; the key,
not the password, is what is kept. Fever answers one command per request. Items come in
pages of at most 50 by ``since_id``; read and saved state as comma-separated id lists.

``saved`` and ``unsaved`` toggle on some servers (Miniflux) instead of setting, so a star
is only written after reading the saved ids, and only where it would change something:
asking twice must never flip a mark back.
"""

from __future__ import annotations

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
        nowhere else). Without a ``since_id`` the first page comes in no order, so the walk
        goes down from the top by ``max_id`` instead, a page below the lowest id seen."""
        found: list[FeverItem] = []
        downwards = since_id <= 0
        bound = _TOP if downwards else since_id
        while True:
            command = f"&items&max_id={bound}" if downwards else f"&items&since_id={bound}"
            data = await self._call(command, "reading items")
            page = [item for raw in _dicts(data, "items") if (item := _item(raw)) is not None]
            # Never the same page twice, whatever the server sends.
            page = [i for i in page if (i.id < bound if downwards else i.id > bound)]
            if not page:
                return found
            found.extend(page)
            if on_page is not None:
                on_page(page)
            bound = min(i.id for i in page) if downwards else max(i.id for i in page)

    async def unread_ids(self) -> set[int]:
        data = await self._call("&unread_item_ids", "listing unread items")
        return set(_ids(text(data.get("unread_item_ids"))))

    async def saved_ids(self) -> set[int]:
        data = await self._call("&saved_item_ids", "listing starred items")
        return set(_ids(text(data.get("saved_item_ids"))))

    async def mark(
        self, ids: Iterable[int], *, read: bool | None = None, saved: bool | None = None
    ) -> None:
        wanted = sorted(set(ids))
        if read is not None:
            for item_id in wanted:
                as_ = "read" if read else "unread"
                await self._call("", "saving marks", mark="item", id=str(item_id), **{"as": as_})
        if saved is not None:
            # Only the items whose star would change: on servers where saved/unsaved toggle,
            # asking again would undo the mark.
            already = await self.saved_ids()
            for item_id in wanted:
                if (item_id in already) != saved:
                    as_ = "saved" if saved else "unsaved"
                    await self._call(
                        "", "saving marks", mark="item", id=str(item_id), **{"as": as_}
                    )


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
