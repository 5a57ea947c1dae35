"""One sync of one account: feed changes pushed, feeds and new items pulled, marks both ways.

The order is what keeps every mark:

1. Feed changes made here go first, so the feed list pulled next already has them.
2. The server's feeds come down: new ones are added, renamed or refiled ones follow (unless a
   change made here still waits), and ones gone from the server are removed (bookmarked
   stories stay, as for any feed).
3. Items the library does not have come down, bodies only for those; their text is worked
   out in the worker processes and stored as any feed's stories are (duplicates, search).
4. The server's marks are read, then the queued marks made here are pushed. Where the API
   says when a mark changed (Miniflux), a server mark newer than the queued one wins and the
   queued one is dropped; elsewhere the mark made here is the newer one by construction (it
   was made since the last sync, and the server's state is only known as of now).
5. The server's marks are applied, except to stories whose marks were just pushed or are
   still queued: nothing flips back.

Any failure (server down, a 500, HTML or truncated JSON) stops the sync with a sentence;
the queues are only emptied of what the server took, so nothing is lost, and the next sync
starts again from the last cursor that was saved.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from tui.core.errors import NewstermError, SyncError, SyncRefusedError, SyncUnreachableError
from tui.core.models import Account, ParsedEntry, SyncReport
from tui.core.store import accounts as account_queries, feeds as feed_queries
from tui.core.store.accounts import QueuedMark, ServerMark
from tui.core.store.database import Database
from tui.core.store.ingest import store_entries
from tui.core.sync.credentials import CredentialStore
from tui.core.sync.items import ServerFeed, ServerItem, ServerMarks
from tui.core.sync.jobs import KEY_PREFIX, item_entries
from tui.core.sync.remote import Remote, open_remote
from tui.core.text.dates import from_iso, to_iso, utcnow
from tui.core.text.keys import link_key
from tui.core.workers.pool import WorkerPool

T = TypeVar("T")

#: Items turned into entries by one worker job.
_JOB = 400


class Sync:
    """Syncs accounts of one library; ``remote_for`` opens an account's server (tests and
    the benchmark may pass their own)."""

    def __init__(
        self,
        db: Database,
        pool: WorkerPool,
        credentials: CredentialStore,
        *,
        timeout: float = 30.0,
    ) -> None:
        self.db = db
        self.pool = pool
        self.credentials = credentials
        self.timeout = timeout
        self._spared: set[str] = set()  # items whose marks this sync pushed
        self.notes: list[str] = []  # what the server refused for good, said once

    async def run(self, account: Account, *, full: bool = False) -> SyncReport:
        started = time.perf_counter()
        remote: Remote | None = None
        counts = _Counts()
        self._spared = set()
        self.notes = []
        try:
            secret = self.credentials.load().get(account.name)
            if secret is None:
                raise SyncError(
                    f"newsterm has no saved sign-in for the account {account.name!r}; "
                    "add it again with `newsterm account add`."
                )
            remote = open_remote(
                account.api, account.url, account.user, secret.secret, timeout=self.timeout
            )
            async with remote:
                await self._sync(account, remote, full, counts)
        except NewstermError as error:
            await self._read(
                self.db.write,
                account_queries.record_sync,
                account.id,
                cursor=None,
                error=str(error),
                now=utcnow(),
            )
            offline = isinstance(error, SyncUnreachableError)
            return self._report(account, counts, started, remote, str(error), offline)
        return self._report(account, counts, started, remote, "")

    def _report(
        self,
        account: Account,
        counts: _Counts,
        started: float,
        remote: Remote | None,
        error: str,
        offline: bool = False,
    ) -> SyncReport:
        left = self.db.read(account_queries.get_account, account.id).queued
        return SyncReport(
            account=account.name,
            new=counts.new,
            pulled=counts.pulled,
            pushed=counts.pushed,
            queued=left,
            seconds=time.perf_counter() - started,
            error=error,
            notes=tuple(self.notes),
            requests=remote.requests if remote is not None else 0,
            offline=offline,
        )

    @staticmethod
    async def _read(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A library call off the event loop."""
        return await asyncio.to_thread(call, *args, **kwargs)

    async def _sync(self, account: Account, remote: Remote, full: bool, counts: _Counts) -> None:
        cursor = await self._read(self.db.read, account_queries.cursor_of, account.id)
        counts.pushed += await self._push_feed_changes(account, remote)
        await self._pull_feeds(account, remote)
        known = await self._read(self.db.read, account_queries.known_items, account.id)
        intake = _Intake(self.pool)
        try:
            next_cursor = await remote.new_items(cursor, known, full, intake.take)
        except BaseException:
            intake.abandon()  # the jobs sent so far are not waited for
            raise
        items, entries = await intake.done()
        counts.new = await self._store_items(account, items, entries, intake.now)
        marks = await remote.marks(cursor, full)
        counts.pushed += await self._push_marks(account, remote, marks)
        counts.pulled = await self._apply_marks(account, marks, {i.id for i in items} | known)
        await self._read(
            self.db.write,
            account_queries.record_sync,
            account.id,
            cursor=remote.final_cursor(next_cursor),
            error="",
            now=utcnow(),
        )

    # -- feeds -------------------------------------------------------------------------

    async def _push_feed_changes(self, account: Account, remote: Remote) -> int:
        changes = await self._read(self.db.read, account_queries.feed_changes, account.id)
        done = 0
        for change in changes:
            try:
                await self._push_feed_change(account, remote, change)
                done += 1
            except SyncRefusedError as error:
                # Refused for good (a feed the server cannot fetch, an API that cannot edit
                # feeds): the change stays here only, said once; asking again would block
                # every later sync. A feed the server would not subscribe to stays local.
                self.notes.append(str(error))
                if change.action == "subscribe":
                    await self._read(self.db.write, account_queries.detach_feed, change.feed_url)
            # Anything else (down, 5xx) raises: the change stays queued for the next sync.
            await self._read(self.db.write, account_queries.drop_feed_change, change.id)
        return done

    async def _push_feed_change(
        self, account: Account, remote: Remote, change: account_queries.FeedChange
    ) -> None:
        if change.action == "subscribe":
            subscribed = await remote.subscribe(change.feed_url, change.value)
            feed_id = await self._read(self._feed_by_url, change.feed_url)
            if feed_id is not None:
                await self._read(
                    self.db.write, account_queries.set_feed_remote_id, feed_id, subscribed
                )
            return
        remote_id: str | None = change.remote_id
        if remote_id is None:
            # Changed before its subscribe went out: the subscribe (earlier in this loop,
            # or in an earlier sync) has given the feed its id since.
            remote_id = await self._read(self.db.read, _remote_id_of, account.id, change.feed_url)
        if remote_id is None:
            return  # the server never subscribed it: nothing there to change
        if change.action == "unsubscribe":
            await remote.unsubscribe(remote_id)
        elif change.action == "rename":
            await remote.rename(remote_id, change.value)
        elif change.action == "topic":
            await remote.move(remote_id, change.value)

    def _feed_by_url(self, url: str) -> int | None:
        try:
            return self.db.read(feed_queries.find_feed_id, url)
        except NewstermError:
            return None

    async def _pull_feeds(self, account: Account, remote: Remote) -> None:
        served = await remote.feeds()
        await self._read(
            self.db.write, _apply_feeds, account.id, served, utcnow(), remote.edits_feeds
        )

    # -- items -------------------------------------------------------------------------

    async def _store_items(
        self,
        account: Account,
        items: list[ServerItem],
        entries: list[ParsedEntry],
        now: datetime,
    ) -> int:
        if not items:
            return 0
        return int(
            await self._read(self.db.write_relaxed, _store_items, account.id, items, entries, now)
        )

    # -- marks -------------------------------------------------------------------------

    async def _push_marks(self, account: Account, remote: Remote, marks: ServerMarks) -> int:
        queued: list[QueuedMark] = await self._read(
            self.db.read, account_queries.queued_marks, account.id
        )
        if not queued:
            return 0
        beaten = [q for q in queued if _server_is_newer(q, marks)]
        if beaten:
            # The server's mark came after ours: it wins, and ours is not sent.
            await self._read(self.db.write, account_queries.drop_queued_marks, account.id, beaten)
        sending = [q for q in queued if q not in beaten]
        groups: dict[tuple[str, bool], list[QueuedMark]] = defaultdict(list)
        for mark in sending:
            groups[(mark.kind, mark.flag)].append(mark)
        pushed = 0
        for (kind, flag), group in groups.items():
            ids = [m.remote_id for m in group]
            try:
                if kind == "read":
                    await remote.push(ids, read=flag, starred=None)
                else:
                    await remote.push(ids, read=None, starred=flag)
            except SyncRefusedError as error:
                # Items the server refuses for good (gone with their feed): the marks stay
                # here, the push of them is given up rather than blocking every later one.
                self.notes.append(str(error))
                await self._read(
                    self.db.write, account_queries.drop_queued_marks, account.id, group
                )
                self._spared.update(ids)
                continue
            # Each group is forgotten as soon as the server has it: a failure in the next
            # loses nothing already sent, and sends nothing twice.
            await self._read(self.db.write, account_queries.drop_queued_marks, account.id, group)
            pushed += len(group)
            self._spared.update(ids)
        return pushed

    async def _apply_marks(self, account: Account, marks: ServerMarks, ids: set[str]) -> int:
        if marks.unread is not None and marks.starred is not None:
            unread, starred = marks.unread, marks.starred
            if marks.present is not None:
                ids = ids & marks.present  # an item the server no longer has keeps its marks
            wanted = [ServerMark(i, i not in unread, i in starred) for i in ids]
        else:
            wanted = [ServerMark(i, read, star) for i, (read, star, _at) in marks.changed.items()]
        spare = set(self._spared)
        return int(
            await self._read(
                self.db.write,
                account_queries.apply_server_marks,
                account.id,
                wanted,
                spare=spare,
                now=utcnow(),
            )
        )


class _Intake:
    """Items as they arrive from the server, sent to the workers in jobs of :data:`_JOB`
    at once, so that their text is made while the rest are still on their way."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self.now = utcnow()
        self.items: list[ServerItem] = []
        self._waiting: list[ServerItem] = []
        self._jobs: list[asyncio.Future[list[ParsedEntry]]] = []

    def take(self, batch: list[ServerItem]) -> None:
        self._waiting.extend(batch)
        while len(self._waiting) >= _JOB:
            self._send(self._waiting[:_JOB])
            self._waiting = self._waiting[_JOB:]

    def _send(self, batch: list[ServerItem]) -> None:
        self.items.extend(batch)  # in the order of the jobs, so entries line up with items
        self._jobs.append(asyncio.wrap_future(self.pool.submit(item_entries, batch, self.now)))

    def abandon(self) -> None:
        for job in self._jobs:
            job.cancel()

    async def done(self) -> tuple[list[ServerItem], list[ParsedEntry]]:
        if self._waiting:
            self._send(self._waiting)
            self._waiting = []
        made = await asyncio.gather(*self._jobs)
        return self.items, [entry for job in made for entry in job]


class _Counts:
    __slots__ = ("new", "pulled", "pushed")

    def __init__(self) -> None:
        self.new = self.pulled = self.pushed = 0


def _server_is_newer(mark: QueuedMark, marks: ServerMarks) -> bool:
    changed = marks.changed.get(mark.remote_id)
    if changed is None or changed[2] is None:
        return False
    ours = from_iso(mark.at)
    if ours is None:
        return False
    server_flag = changed[0] if mark.kind == "read" else changed[1]
    # Marks are stored to the second: within the same second, the mark made here wins.
    return server_flag != mark.flag and changed[2].replace(microsecond=0) > ours


def _apply_feeds(
    conn: sqlite3.Connection,
    account_id: int,
    served: list[ServerFeed],
    now: datetime,
    follow_folders: bool = True,
) -> None:
    """The server's feed list, in one transaction. Without ``follow_folders`` (an API that
    cannot move feeds: a topic chosen here could never reach the server) a feed takes its
    server folder when first seen, and its topic is newsterm's after that."""
    pending = account_queries.pending_feed_urls(conn, account_id)
    local = {f.remote_id: f for f in account_queries.synced_feeds(conn, account_id)}
    for feed in served:
        known = local.pop(feed.id, None)
        if known is None:
            feed_id = account_queries.adopt_feed(
                conn,
                account_id,
                remote_id=feed.id,
                url=feed.url,
                title=feed.title,
                site_url=feed.site_url,
                folder=feed.folder,
                now=now,
            )
            # The same address under a new id (subscribed anew on the server): that feed is
            # this one, not one gone from the server.
            local = {rid: f for rid, f in local.items() if f.id != feed_id}
        elif known.url not in pending:
            account_queries.update_synced_feed(
                conn,
                known.id,
                title=feed.title or known.title,
                folder=feed.folder if follow_folders else None,
            )
    for remote_id, gone in local.items():
        # Unsubscribed on the server (a feed still waiting for its subscribe has no id yet).
        if remote_id is not None and gone.url not in pending:
            account_queries.forget_feed_marks(conn, gone.id)
            feed_queries.remove_feed(conn, gone.id)


def _store_items(
    conn: sqlite3.Connection,
    account_id: int,
    items: list[ServerItem],
    entries: list[ParsedEntry],
    now: datetime,
) -> int:
    feeds = account_queries.feed_ids_by_remote(conn, account_id)
    grouped: dict[int, list[tuple[ServerItem, ParsedEntry]]] = defaultdict(list)
    for item, entry in zip(items, entries, strict=True):
        feed_id = feeds.get(item.feed_id)
        if feed_id is not None:  # an item of a feed the list did not name: next time
            grouped[feed_id].append((item, entry))
    new = 0
    for feed_id, every in grouped.items():
        pairs = _adopt_local_stories(conn, feed_id, every, now)
        title = feed_queries.display_title(conn, feed_id)
        new += store_entries(conn, feed_id, title, [e for _, e in pairs], now).new
        account_queries.set_item_ids(
            conn, feed_id, [(KEY_PREFIX + i.id, i.id, i.read, i.starred) for i, _ in pairs]
        )
    return new


def _adopt_local_stories(
    conn: sqlite3.Connection,
    feed_id: int,
    pairs: list[tuple[ServerItem, ParsedEntry]],
    now: datetime,
) -> list[tuple[ServerItem, ParsedEntry]]:
    """A feed that was local before it was synced already has some of the server's items:
    those stories take the server's id instead of being stored twice. A mark either side
    has is kept (and queued for the server where it lacks it): no mark is lost by syncing.
    Returns the items that are new here."""
    local = {
        str(key): (int(sid), bool(read), bool(star))
        for sid, key, read, star in conn.execute(
            "SELECT id, link_key, read, bookmarked FROM stories"
            " WHERE feed_id = ? AND remote_id IS NULL AND link_key != ''",
            (feed_id,),
        )
    }
    if not local:
        return pairs
    remaining = []
    for item, entry in pairs:
        found = local.pop(link_key(item.link), None) if item.link else None
        if found is None:
            remaining.append((item, entry))
            continue
        story_id, read, star = found
        conn.execute(
            "UPDATE stories SET remote_id = ?,"
            " read = max(read, ?), read_at = coalesce(read_at, CASE WHEN ? THEN ? END),"
            " bookmarked = max(bookmarked, ?),"
            " bookmarked_at = coalesce(bookmarked_at, CASE WHEN ? THEN ? END) WHERE id = ?",
            (
                item.id,
                int(item.read),
                int(item.read),
                to_iso(now),
                int(item.starred),
                int(item.starred),
                to_iso(now),
                story_id,
            ),
        )
        if read and not item.read:
            account_queries.queue_marks(conn, "read", [story_id], True, now)
        if star and not item.starred:
            account_queries.queue_marks(conn, "bookmarked", [story_id], True, now)
    return remaining


def _remote_id_of(conn: sqlite3.Connection, account_id: int, url: str) -> str | None:
    row = conn.execute(
        "SELECT remote_id FROM feeds WHERE account_id = ? AND url = ?", (account_id, url)
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])
