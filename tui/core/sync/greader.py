"""A client of the Google Reader API, as Miniflux, FreshRSS, Inoreader and others speak it.

Login is ``POST /accounts/ClientLogin`` (``Email``, ``Passwd`` → ``Auth=``); every call
after it sends ``Authorization: GoogleLogin auth=…``, and every POST carries a write token
(``T``) from ``/reader/api/0/token``, fetched once and again when the server says it went
stale (Miniflux: 401 with ``X-Reader-Google-Bad-Token``).

Dialects differ, so the client keeps to what they share: item ids from
``stream/items/ids`` (Miniflux answers ``[]`` to ``stream/contents``), bodies from
``stream/items/contents`` in batches, marks through ``edit-tag`` with many ``i=`` at once.
Item ids arrive long (``tag:google.com,2005:reader/item/<16 hex>``) or short (decimal,
sometimes negative: a signed 64-bit view of the same number); :func:`item_number` makes
one number of both.

Everything a server sends is hostile: strings are cleaned as feed text is, links kept only
when http(s), answers bounded in size, and a reply that is not the JSON expected becomes a
:class:`~tui.core.errors.SyncError` sentence. No message carries the password or a token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tui.core.errors import SyncError, SyncLoginError, SyncRefusedError
from tui.core.fetch.http import httpx  # httpx without its command-line client (see there)
from tui.core.sync.server import ServerClient, objects, text
from tui.core.text.hygiene import clean_line, clean_text
from tui.core.text.urls import openable_url

API = "/reader/api/0"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
READING_LIST = "user/-/state/com.google/reading-list"
LABEL = "user/-/label/"
LONG_PREFIX = "tag:google.com,2005:reader/item/"
#: Ids asked for in one ``stream/items/contents`` or ``edit-tag`` request.
BATCH = 250
#: Ids asked for in one page of ``stream/items/ids``.
PAGE = 10_000
_MASK = (1 << 64) - 1
_HEX = re.compile(r"[0-9a-fA-F]{1,32}")
_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")


def item_number(item_id: str | int) -> int:
    """One number for an item, whichever form the server wrote its id in.

    Decimal ids are 64 bits, sometimes written signed; long ids are hex, 16 digits for most
    servers and 24 for The Old Reader, whose ids are 96-bit ObjectIds (kept whole, never
    cut to 64 bits: the cut number would name another item). The Old Reader also lists ids
    as bare ObjectIds."""
    if isinstance(item_id, int):
        return item_id & _MASK
    written = item_id.strip()
    if written.startswith(LONG_PREFIX):
        digits = written.removeprefix(LONG_PREFIX)
        if not _HEX.fullmatch(digits):
            raise ValueError(f"not an item id: {written[:80]!r}")
        return int(digits, 16)
    if _OBJECT_ID.fullmatch(written):
        return int(written, 16)
    return int(written) & _MASK


def item_ref(number: int) -> str:
    """The long form, which every dialect accepts back: 16 hex digits, or 24 for an id
    wider than 64 bits (The Old Reader's ObjectIds)."""
    return f"{LONG_PREFIX}{number:016x}" if 0 <= number <= _MASK else f"{LONG_PREFIX}{number:024x}"


@dataclass(frozen=True, slots=True)
class RemoteFeed:
    """A subscription on the server; ``id`` is its stream id (``feed/…``)."""

    id: str
    title: str
    url: str
    site_url: str
    folders: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RemoteItem:
    id: int
    feed_id: str
    title: str
    link: str
    author: str
    html: str
    published: datetime | None
    updated: datetime | None
    read: bool
    starred: bool
    folders: tuple[str, ...]


class GReaderClient(ServerClient):
    """One account on one server. Use as ``async with``; :meth:`login` first."""

    API_NAME = "the Google Reader API"

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        super().__init__(base_url, timeout=timeout)
        self._auth: str | None = None
        self._token: str | None = None

    async def __aenter__(self) -> GReaderClient:
        return self

    # -- requests ------------------------------------------------------------------------

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"GoogleLogin auth={self._auth}"} if self._auth else {}
        return await self._request(method, path, headers=headers, **kwargs)

    def _check(self, response: httpx.Response, what: str) -> None:
        if response.status_code == 401:
            raise SyncLoginError(
                f"The sync server at {self.base_url} refused the login while {what}; "
                "check the user name and password."
            )
        self._failed(response, what)

    def _object(self, response: httpx.Response, what: str) -> dict[str, Any]:
        self._check(response, what)
        data = self._json(response, what)
        if not isinstance(data, dict):
            raise self._not_the_api(what)
        return data

    async def _get(self, path: str, what: str, **params: Any) -> dict[str, Any]:
        response = await self._send("GET", f"{API}/{path}", params={"output": "json", **params})
        return self._object(response, what)

    async def _post(self, path: str, what: str, data: dict[str, Any]) -> httpx.Response:
        for attempt in range(2):
            token = await self._write_token()
            response = await self._send("POST", f"{API}/{path}", data={**data, "T": token})
            stale = response.status_code == 401 and response.headers.get(
                "x-reader-google-bad-token"
            )
            if not stale or attempt == 1:
                break
            self._token = None  # the token went stale: one new one, then give up
        self._check(response, what)
        return response

    async def _write_token(self) -> str:
        if self._token is None:
            response = await self._send("GET", f"{API}/token")
            self._check(response, "asking for a write token")
            self._token = clean_line(response.text)
        return self._token

    # -- the API -------------------------------------------------------------------------

    async def login(self, user: str, password: str) -> None:
        response = await self._send(
            "POST", "/accounts/ClientLogin", data={"Email": user, "Passwd": password}
        )
        if response.status_code in (401, 403):
            raise SyncLoginError(
                f"The sync server at {self.base_url} refused the user name or password."
            )
        self._check(response, "logging in")
        fields = dict(line.split("=", 1) for line in response.text.splitlines() if "=" in line)
        if fields.get("Error"):  # BazQux and others refuse with a 200 and Error=…
            raise SyncLoginError(
                f"The sync server at {self.base_url} refused the user name or password."
            )
        auth = clean_line(fields.get("Auth", ""))
        if not auth:
            raise SyncError(
                f"{self.base_url} did not answer the Google Reader API's login; "
                "is this the right address?"
            )
        self._auth = auth

    def use_token(self, auth: str) -> None:
        """Sign in with the token an earlier :meth:`login` gave (the one that is kept)."""
        self._auth = auth

    @property
    def token(self) -> str | None:
        return self._auth

    async def subscriptions(self) -> list[RemoteFeed]:
        data = await self._get("subscription/list", "listing subscriptions")
        feeds: list[RemoteFeed] = []
        for raw in objects(data.get("subscriptions")):
            feed_id = clean_line(text(raw.get("id")))
            url = openable_url(clean_line(text(raw.get("url")))) or ""
            if not feed_id or not url:
                continue  # nothing newsterm could fetch or name
            feeds.append(
                RemoteFeed(
                    id=feed_id,
                    title=clean_line(text(raw.get("title"))),
                    url=url,
                    site_url=openable_url(clean_line(text(raw.get("htmlUrl")))) or "",
                    folders=_folders(raw.get("categories")),
                )
            )
        return feeds

    async def item_ids(
        self, *, unread_only: bool = False, starred_only: bool = False, since: int | None = None
    ) -> list[int]:
        """Every item id of the reading list (or of the starred ones), newest first,
        following the server's continuation; ``since`` is a Unix time (``ot``)."""
        params: dict[str, Any] = {"s": STARRED if starred_only else READING_LIST, "n": PAGE}
        if unread_only:
            params["xt"] = READ
        if since is not None:
            params["ot"] = since
        numbers: list[int] = []
        seen_continuations: set[str] = set()
        seen: set[int] = set()
        while True:
            data = await self._get("stream/items/ids", "listing item ids", **params)
            for ref in objects(data.get("itemRefs")):
                try:
                    number = item_number(text(ref.get("id")))
                except ValueError:
                    continue  # an id that is no number cannot be asked for again
                if number not in seen:  # a page sent twice must not fetch its items twice
                    seen.add(number)
                    numbers.append(number)
            continuation = text(data.get("continuation"))
            if not continuation or continuation in seen_continuations:
                return numbers  # a server repeating itself must not loop us forever
            seen_continuations.add(continuation)
            params["c"] = continuation

    async def items(self, numbers: Sequence[int]) -> list[RemoteItem]:
        found: list[RemoteItem] = []
        for start in range(0, len(numbers), BATCH):
            batch = [item_ref(n) for n in numbers[start : start + BATCH]]
            response = await self._post(
                "stream/items/contents?output=json", "reading items", {"i": batch}
            )
            for raw in objects(self._object(response, "reading items").get("items")):
                item = _item(raw)
                if item is not None:
                    found.append(item)
        return found

    async def mark(
        self, numbers: Iterable[int], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Set read and/or starred on the items, many at once.

        Miniflux (2.2) toggles the star on ``a=…/starred`` rather than setting it, so stars
        are sent only for the items whose star would change, after reading the starred
        list: asking twice must never flip a mark back."""
        wanted = list(dict.fromkeys(numbers))
        for tag, value in ((READ, read), (STARRED, starred)):
            if value is None:
                continue
            chosen = wanted
            if tag == STARRED:
                already = set(await self.item_ids(starred_only=True))
                chosen = [n for n in wanted if (n in already) != value]
            for start in range(0, len(chosen), BATCH):
                refs = [item_ref(n) for n in chosen[start : start + BATCH]]
                response = await self._post(
                    "edit-tag", "saving marks", {"i": refs, "a" if value else "r": tag}
                )
                # The protocol answers "OK". Anything else (a sign-in page in front of the
                # server answers 200 too) is not a mark taken: the marks stay queued.
                if response.text.strip() != "OK":
                    raise self._not_the_api("saving marks")

    # -- subscriptions -----------------------------------------------------------------

    async def subscribe(self, url: str, folder: str = "") -> str:
        """Subscribe the account to ``url``; its stream id. A feed the server already has
        is found in the list (Miniflux answers 500 to a second ``quickadd``)."""
        stream_id = ""
        try:
            response = await self._post(
                "subscription/quickadd", "subscribing to a feed", {"quickadd": url}
            )
            stream_id = clean_line(text(self._object(response, "subscribing").get("streamId")))
        except SyncLoginError:
            raise
        except SyncError:
            pass  # perhaps already subscribed: the list says
        if not stream_id:
            stream_id = next((f.id for f in await self.subscriptions() if f.url == url), "")
        if not stream_id:
            raise SyncRefusedError(
                f"The sync server at {self.base_url} could not subscribe to {url}."
            )
        if folder:
            await self.move(stream_id, folder)
        return stream_id

    async def unsubscribe(self, stream_id: str) -> None:
        await self._post(
            "subscription/edit", "unsubscribing", {"ac": "unsubscribe", "s": stream_id}
        )

    async def rename(self, stream_id: str, title: str) -> None:
        await self._post(
            "subscription/edit", "renaming a feed", {"ac": "edit", "s": stream_id, "t": title}
        )

    async def move(self, stream_id: str, folder: str) -> None:
        """File the feed under ``folder`` (and under no other)."""
        current = next((f for f in await self.subscriptions() if f.id == stream_id), None)
        data: dict[str, Any] = {"ac": "edit", "s": stream_id, "a": f"{LABEL}{folder}"}
        others = [
            f"{LABEL}{name}" for name in (current.folders if current else ()) if name != folder
        ]
        if others:
            data["r"] = others
        await self._post("subscription/edit", "moving a feed", data)


def _item(raw: dict[str, Any]) -> RemoteItem | None:
    try:
        number = item_number(text(raw.get("id")))
    except ValueError:
        return None
    categories = [text(c) for c in _list_any(raw.get("categories"))]
    origin = raw.get("origin")
    origin = origin if isinstance(origin, dict) else {}
    body = raw.get("content") if isinstance(raw.get("content"), dict) else raw.get("summary")
    links = objects(raw.get("canonical")) + objects(raw.get("alternate"))
    link = next((u for u in (openable_url(text(x.get("href"))) for x in links) if u), "")
    return RemoteItem(
        id=number,
        feed_id=clean_line(text(origin.get("streamId"))),
        title=clean_line(text(raw.get("title"))),
        link=link,
        author=clean_line(text(raw.get("author"))),
        html=clean_text(text(body.get("content"))) if isinstance(body, dict) else "",
        published=_moment(raw.get("published")),
        updated=_moment(raw.get("updated")),
        # Tags come as user/<id>/state/…: the user part varies, the state's name does not.
        read=any(c.endswith("/state/com.google/read") for c in categories),
        starred=any(c.endswith("/state/com.google/starred") for c in categories),
        folders=tuple(clean_line(c.rsplit("/label/", 1)[1]) for c in categories if "/label/" in c),
    )


def _folders(categories: object) -> tuple[str, ...]:
    names: list[str] = []
    for raw in objects(categories):
        name = clean_line(text(raw.get("label")) or text(raw.get("id")).rsplit("/", 1)[-1])
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _moment(value: object) -> datetime | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = int(value)  # type: ignore[call-overload]
        return datetime.fromtimestamp(seconds, UTC) if 0 < seconds < 253402300800 else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _list_any(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []
