"""One shape for every sync API: what the sync engine asks of a server, and what it gets.

The three clients speak their protocols; the adapters here turn each into a
:class:`Remote`: the server's feeds, its items newer than a cursor, its read and starred
marks, and the writes (marks, subscriptions). Ids are text whatever the API numbers them
with, so the library stores them alike. :func:`sign_in` is how an account is added (a
password in, a token out); :func:`open_remote` is how it is used after (the token only).
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime

from tui.core.errors import SyncError, SyncLoginError, SyncRefusedError, SyncUnreachableError
from tui.core.sync.fever import FeverClient, FeverItem, api_key
from tui.core.sync.greader import BATCH, GReaderClient, RemoteItem as GReaderItem
from tui.core.sync.items import ServerFeed, ServerItem, ServerMarks
from tui.core.sync.miniflux import MinifluxClient, MinifluxEntry
from tui.core.sync.server import ServerClient

#: The APIs, in the order ``account add`` tries them when none is named.
APIS = ("greader", "miniflux", "fever")
API_NAMES = {"greader": "Google Reader API", "miniflux": "Miniflux", "fever": "Fever API"}


Cursor = dict[str, object]
Take = Callable[[list[ServerItem]], None]
#: Google Reader ``stream/items/contents`` requests in flight at once.
_FETCHES = 3


class Remote(ABC):
    """An account on a server, ready to sync. Use as ``async with``."""

    api: str
    edits_feeds = True  # the API can subscribe, unsubscribe, rename and move feeds

    def __init__(self, client: ServerClient) -> None:
        self.client = client

    async def __aenter__(self) -> Remote:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.__aexit__(*exc)

    @property
    def requests(self) -> int:
        return self.client.requests

    @abstractmethod
    async def feeds(self) -> list[ServerFeed]: ...

    @abstractmethod
    async def new_items(self, cursor: Cursor, known: set[str], full: bool, take: Take) -> Cursor:
        """Hand ``take`` the items the library does not have (``known`` are its ids), a
        batch at a time as they come (so their text is worked on while the rest travel);
        the next cursor."""

    @abstractmethod
    async def marks(self, cursor: Cursor, full: bool) -> ServerMarks: ...

    def final_cursor(self, cursor: Cursor) -> Cursor:
        """The cursor to keep once the sync is done (``marks`` may have moved it on)."""
        return cursor

    @abstractmethod
    async def push(self, ids: Sequence[str], *, read: bool | None, starred: bool | None) -> None:
        """Set read or starred on the items, many at once where the API allows."""

    @abstractmethod
    async def unread(self) -> int:
        """How many unread items the account has (said when it is added)."""

    async def subscribe(self, url: str, folder: str) -> str:
        raise self._no_feed_edits()

    async def unsubscribe(self, feed_id: str) -> None:
        raise self._no_feed_edits()

    async def rename(self, feed_id: str, title: str) -> None:
        raise self._no_feed_edits()

    async def move(self, feed_id: str, folder: str) -> None:
        raise self._no_feed_edits()

    def _no_feed_edits(self) -> SyncError:
        return SyncRefusedError(
            f"The {API_NAMES[self.api]} cannot add, remove or rename feeds on the server; "
            "do it in the server's own pages."
        )


def _now() -> int:
    return int(time.time())


def _served(
    item: GReaderItem | MinifluxEntry | FeverItem, feed_id: str, starred: bool
) -> ServerItem:
    """An item in the one shape, whichever client read it."""
    return ServerItem(
        str(item.id),
        feed_id,
        item.title,
        item.link,
        item.author,
        item.html,
        item.published,
        item.read,
        starred,
    )


class GReaderRemote(Remote):
    api = "greader"
    client: GReaderClient

    def __init__(self, client: GReaderClient) -> None:
        super().__init__(client)
        self._present: set[str] | None = None  # every item id, from the last listing

    async def feeds(self) -> list[ServerFeed]:
        return [
            ServerFeed(f.id, f.title, f.url, f.site_url, f.folders[0] if f.folders else "")
            for f in await self.client.subscriptions()
        ]

    async def new_items(self, cursor: Cursor, known: set[str], full: bool, take: Take) -> Cursor:
        # Ids are cheap (thousands to a request); bodies travel only for the new ones, a
        # few batches at once: every id is known up front.
        ids = await self.client.item_ids()
        self._present = {str(n) for n in ids}
        wanted = [n for n in ids if str(n) not in known]
        gate = asyncio.Semaphore(_FETCHES)

        async def fetch(numbers: list[int]) -> None:
            async with gate:
                found = await self.client.items(numbers)
            take([_served(i, i.feed_id, i.starred) for i in found])

        await asyncio.gather(*(fetch(wanted[i : i + BATCH]) for i in range(0, len(wanted), BATCH)))
        return {"synced": _now()}

    async def marks(self, cursor: Cursor, full: bool) -> ServerMarks:
        unread = await self.client.item_ids(unread_only=True)
        starred = await self.client.item_ids(starred_only=True)
        return ServerMarks(
            unread={str(n) for n in unread},
            starred={str(n) for n in starred},
            present=self._present,
        )

    async def push(self, ids: Sequence[str], *, read: bool | None, starred: bool | None) -> None:
        await self.client.mark([int(i) for i in ids], read=read, starred=starred)

    async def unread(self) -> int:
        return len(await self.client.item_ids(unread_only=True))

    async def subscribe(self, url: str, folder: str) -> str:
        return await self.client.subscribe(url, folder)

    async def unsubscribe(self, feed_id: str) -> None:
        await self.client.unsubscribe(feed_id)

    async def rename(self, feed_id: str, title: str) -> None:
        await self.client.rename(feed_id, title)

    async def move(self, feed_id: str, folder: str) -> None:
        await self.client.move(feed_id, folder)


class MinifluxRemote(Remote):
    api = "miniflux"
    client: MinifluxClient

    def __init__(self, client: MinifluxClient) -> None:
        super().__init__(client)
        # The marks of the entries new_items() read: (read, starred, changed at).
        self._seen: dict[str, tuple[bool, bool, datetime | None]] = {}
        self._changed = 0  # the latest change the server showed, by its clock (Unix time)

    async def feeds(self) -> list[ServerFeed]:
        return [
            ServerFeed(str(f.id), f.title, f.url, f.site_url, f.category)
            for f in await self.client.feeds()
        ]

    async def new_items(self, cursor: Cursor, known: set[str], full: bool, take: Take) -> Cursor:
        after = 0 if full else _int(cursor.get("after"))
        newest = _int(cursor.get("after"))
        # The marks of the entries read here come with them; those of older ones from
        # marks(), which asks for what changed since the last sync.
        self._seen = {}
        self._changed = _int(cursor.get("changed"))

        def page(entries: list[MinifluxEntry]) -> None:
            nonlocal newest
            newest = max(newest, *(e.id for e in entries))
            for e in entries:
                self._seen[str(e.id)] = (e.read, e.starred, e.changed)
                self._note_change(e.changed)
            take([_served(e, str(e.feed_id), e.starred) for e in entries if str(e.id) not in known])

        await self.client.entries(after_id=after, on_page=page)
        return {"after": newest, "changed": self._changed, "synced": _now()}

    def final_cursor(self, cursor: Cursor) -> Cursor:
        # The next sync asks for changes after this second. Every change made in it was
        # listed if the sync began (by the server's clock) after that second ended; if not,
        # a change in it could have come after the listing, and the second is asked for
        # again next time (once: by then the server's clock has moved past it).
        changed = self._changed
        clock = self.client.first_server_time
        if changed and (clock is None or clock <= changed):
            changed -= 1
        return {**cursor, "changed": changed}

    def _note_change(self, moment: datetime | None) -> None:
        if moment is not None:
            self._changed = max(self._changed, int(moment.timestamp()))

    async def marks(self, cursor: Cursor, full: bool) -> ServerMarks:
        seen = self._seen
        # The server's own clock: the latest change it showed us, not ours (clocks differ).
        since = _int(cursor.get("changed"))
        if full or not since:
            return ServerMarks(changed=dict(seen))
        changed: dict[str, tuple[bool, bool, datetime | None]] = {}
        for e in await self.client.changed_entries(since):
            changed[str(e.id)] = (e.read, e.starred, e.changed)
            self._note_change(e.changed)
        return ServerMarks(changed={**seen, **changed})

    async def push(self, ids: Sequence[str], *, read: bool | None, starred: bool | None) -> None:
        await self.client.mark([int(i) for i in ids], read=read, starred=starred)

    async def unread(self) -> int:
        return await self.client.unread_count()

    async def subscribe(self, url: str, folder: str) -> str:
        return str(await self.client.subscribe(url, folder))

    async def unsubscribe(self, feed_id: str) -> None:
        await self.client.unsubscribe(int(feed_id))

    async def rename(self, feed_id: str, title: str) -> None:
        await self.client.rename(int(feed_id), title)

    async def move(self, feed_id: str, folder: str) -> None:
        await self.client.move(int(feed_id), folder)


class FeverRemote(Remote):
    api = "fever"
    edits_feeds = False
    client: FeverClient

    async def feeds(self) -> list[ServerFeed]:
        return [
            ServerFeed(str(f.id), f.title, f.url, f.site_url, f.group)
            for f in await self.client.feeds()
        ]

    async def new_items(self, cursor: Cursor, known: set[str], full: bool, take: Take) -> Cursor:
        since = 0 if full else _int(cursor.get("since_id"))
        newest = _int(cursor.get("since_id"))

        def page(found: list[FeverItem]) -> None:
            nonlocal newest
            newest = max(newest, *(i.id for i in found))
            take([_served(i, str(i.feed_id), i.saved) for i in found if str(i.id) not in known])

        await self.client.items(since_id=since, on_page=page)
        return {"since_id": newest, "synced": _now()}

    async def marks(self, cursor: Cursor, full: bool) -> ServerMarks:
        unread = await self.client.unread_ids()
        saved = await self.client.saved_ids()
        return ServerMarks(unread={str(n) for n in unread}, starred={str(n) for n in saved})

    async def push(self, ids: Sequence[str], *, read: bool | None, starred: bool | None) -> None:
        await self.client.mark([int(i) for i in ids], read=read, saved=starred)

    async def unread(self) -> int:
        return len(await self.client.unread_ids())


_KINDS: dict[str, type[Remote]] = {
    "greader": GReaderRemote,
    "miniflux": MinifluxRemote,
    "fever": FeverRemote,
}


def edits_feeds(api: str) -> bool:
    """Whether the API can subscribe, unsubscribe, rename and move feeds on the server."""
    return _KINDS[api].edits_feeds if api in _KINDS else False


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def open_remote(api: str, url: str, user: str, secret: str, *, timeout: float = 30.0) -> Remote:
    """The account, signed in with the secret :func:`sign_in` gave (no request yet)."""
    if api == "greader":
        client = GReaderClient(url, timeout=timeout)
        client.use_token(secret)
        return GReaderRemote(client)
    if api == "miniflux":
        kind, _, value = secret.partition(":")
        return MinifluxRemote(
            MinifluxClient(url, value, user=user if kind == "password" else None, timeout=timeout)
        )
    if api == "fever":
        return FeverRemote(FeverClient(url, secret, timeout=timeout))
    raise SyncError(f"newsterm does not know the sync API {api!r}.")


async def sign_in(
    api: str, url: str, user: str, password: str, *, timeout: float = 30.0
) -> tuple[Remote, str]:
    """Log in with the password; the account, and the secret to keep (a token or key, the
    password only where the API offers nothing else: Miniflux without an API key)."""
    if api == "greader":
        client = GReaderClient(url, timeout=timeout)
        try:
            await client.login(user, password)
        except BaseException:
            await client.__aexit__(None, None, None)
            raise
        return GReaderRemote(client), client.token or ""
    if api == "miniflux":
        last: SyncError | None = None
        for secret, login in ((f"key:{password}", None), (f"password:{password}", user)):
            mclient = MinifluxClient(url, password, user=login, timeout=timeout)
            try:
                await mclient.check()
            except SyncLoginError as error:
                await mclient.__aexit__(None, None, None)
                last = error
                continue
            except BaseException:
                await mclient.__aexit__(None, None, None)
                raise
            return MinifluxRemote(mclient), secret
        assert last is not None
        raise last
    if api == "fever":
        key = api_key(user, password)
        fclient = FeverClient(url, key, timeout=timeout)
        try:
            await fclient.check()
        except BaseException:
            await fclient.__aexit__(None, None, None)
            raise
        return FeverRemote(fclient), key
    raise SyncError(f"newsterm does not know the sync API {api!r}; use greader, miniflux or fever.")


async def detect(
    url: str, user: str, password: str, *, timeout: float = 30.0
) -> tuple[Remote, str]:
    """Sign in over the first API the server speaks, in :data:`APIS` order.

    A server that cannot be reached ends the search at once; one that refuses the password
    over every API it speaks gets that sentence; one that speaks none gets the last one."""
    refused: SyncLoginError | None = None
    last: SyncError | None = None
    for api in APIS:
        try:
            return await sign_in(api, url, user, password, timeout=timeout)
        except SyncLoginError as error:
            refused = refused or error
        except SyncUnreachableError:
            raise
        except SyncError as error:
            last = error
    if refused is not None:
        raise refused
    assert last is not None
    raise SyncError(
        f"{url} does not speak the Google Reader, Miniflux or Fever API; is this the address "
        "of the sync server?"
    ) from last
