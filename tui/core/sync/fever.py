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
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tui.core.errors import SyncError, SyncLoginError
from tui.core.fetch.http import httpx  # httpx without its command-line client (see there)
from tui.core.text.hygiene import clean_line, clean_text
from tui.core.text.urls import openable_url

#: The largest answer read (50 items with their bodies, or a long id list).
MAX_ANSWER = 64 * 1024 * 1024


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


class FeverClient:
    """One account on one server, by its key. Use as ``async with``."""

    def __init__(self, base_url: str, key: str, *, timeout: float = 30.0) -> None:
        url = openable_url(base_url.strip().rstrip("/"))
        if url is None:
            raise SyncError(f"{clean_line(base_url)!r} is not an http(s) address of a server.")
        self.base_url = url
        self._key = key
        self._http = httpx.AsyncClient(timeout=timeout, headers={"User-Agent": "newsterm"})

    async def __aenter__(self) -> FeverClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def _call(self, command: str, what: str, **fields: str) -> dict[str, Any]:
        try:
            response = await self._http.post(
                f"{self.base_url}/fever/?api{command}", data={"api_key": self._key, **fields}
            )
        except httpx.TimeoutException:
            raise SyncError(f"The sync server at {self.base_url} did not answer in time.") from None
        except httpx.HTTPError:
            raise SyncError(f"Could not reach the sync server at {self.base_url}.") from None
        if response.status_code >= 400 or len(response.content) > MAX_ANSWER:
            raise SyncError(
                f"The sync server at {self.base_url} answered {response.status_code} while "
                f"{what}; nothing was lost, and it will be tried again."
            )
        try:
            data = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            raise SyncError(
                f"The sync server at {self.base_url} did not answer {what} in the Fever API's "
                "JSON; is this the right address?"
            )
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
            _int(g.get("id")): clean_line(_str(g.get("title"))) for g in _dicts(groups, "groups")
        }
        group_of: dict[int, str] = {}
        for link in _dicts(groups, "feeds_groups"):
            for feed_id in _ids(_str(link.get("feed_ids"))):
                group_of.setdefault(feed_id, names.get(_int(link.get("group_id")), ""))
        data = await self._call("&feeds", "listing feeds")
        found: list[FeverFeed] = []
        for raw in _dicts(data, "feeds"):
            feed_id = _int(raw.get("id"))
            url = openable_url(clean_line(_str(raw.get("url"))))
            if feed_id <= 0 or url is None:
                continue
            found.append(
                FeverFeed(
                    id=feed_id,
                    title=clean_line(_str(raw.get("title"))),
                    url=url,
                    site_url=openable_url(clean_line(_str(raw.get("site_url")))) or "",
                    group=group_of.get(feed_id, ""),
                )
            )
        return found

    async def items(self, since_id: int = 0) -> list[FeverItem]:
        """Every item after ``since_id``, oldest first, a page of 50 at a time."""
        found: list[FeverItem] = []
        while True:
            data = await self._call("&items", "reading items", since_id=str(since_id))
            page = [item for raw in _dicts(data, "items") if (item := _item(raw)) is not None]
            page = [item for item in page if item.id > since_id]  # never the same page twice
            if not page:
                return found
            found.extend(page)
            since_id = max(item.id for item in page)

    async def unread_ids(self) -> set[int]:
        data = await self._call("&unread_item_ids", "listing unread items")
        return set(_ids(_str(data.get("unread_item_ids"))))

    async def saved_ids(self) -> set[int]:
        data = await self._call("&saved_item_ids", "listing starred items")
        return set(_ids(_str(data.get("saved_item_ids"))))

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
    item_id = _int(raw.get("id"))
    if item_id <= 0:
        return None
    created = _int(raw.get("created_on_time"))
    return FeverItem(
        id=item_id,
        feed_id=_int(raw.get("feed_id")),
        title=clean_line(_str(raw.get("title"))),
        link=openable_url(clean_line(_str(raw.get("url")))) or "",
        author=clean_line(_str(raw.get("author"))),
        html=clean_text(_str(raw.get("html"))),
        published=datetime.fromtimestamp(created, UTC) if 0 < created < 253402300800 else None,
        read=_int(raw.get("is_read")) == 1,
        saved=_int(raw.get("is_saved")) == 1,
    )


def _ids(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip().isdigit()]


def _int(value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return 0


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _dicts(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
