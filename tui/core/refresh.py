"""The refresh pipeline: fetch → parse → store, for many feeds at once.

This is the one entry point both the CLI and the UI call (through
:meth:`tui.core.library.Library.refresh`). Feeds are fetched concurrently on the event
loop (bounded by the :class:`~tui.core.fetch.Fetcher`), parsed in a process pool so that
feedparser never holds the loop or the UI, and each feed's result is written in its own
short transaction from a thread. One feed's failure never stops the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta

from tui.config import Settings
from tui.core.fetch import Fetcher, FetchKind, FetchResult
from tui.core.models import (
    FeedOutcome,
    FeedRefresh,
    FeedStatus,
    RefreshReport,
)
from tui.core.store import feeds as feed_queries
from tui.core.store.database import Database
from tui.core.store.feeds import FetchState
from tui.core.timeutil import utcnow
from tui.core.worker_tasks import StoreRequest, parse_and_store

#: Called on the event loop after each feed: (feeds done, feeds in all, that feed's result).
ProgressCallback = Callable[[int, int, FeedRefresh], None]


@dataclass(frozen=True, slots=True)
class _Plan:
    to_fetch: list[FetchState]
    skipped: list[FeedRefresh]


def _plan(states: Sequence[FetchState], now: datetime, explicit: bool) -> _Plan:
    """Which feeds to fetch now. Gone feeds and Retry-After waits are always honoured;
    an error back-off is skipped when the user named the feed."""
    to_fetch: list[FetchState] = []
    skipped: list[FeedRefresh] = []
    for state in states:
        reason = ""
        if state.status is FeedStatus.GONE:
            reason = "gone (HTTP 410): no longer polled"
        elif (
            state.next_retry
            and state.next_retry > now
            and (state.status is FeedStatus.WAITING or not explicit)
        ):
            reason = f"waiting until {state.next_retry:%Y-%m-%d %H:%M} UTC"
        if reason:
            skipped.append(
                FeedRefresh(
                    state.feed_id, state.url, state.title, FeedOutcome.SKIPPED, error=reason
                )
            )
        else:
            to_fetch.append(state)
    return _Plan(to_fetch, skipped)


def backoff_delay(settings: Settings, failures_before: int) -> timedelta:
    """15 min, 30 min, 1 h, … doubling per consecutive failure, capped."""
    base = timedelta(minutes=settings.refresh.backoff_minutes)
    cap = timedelta(hours=settings.refresh.max_backoff_hours)
    return min(base * (1 << min(failures_before, 16)), cap)


class Refresh:
    """One refresh run over some feeds of a library."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        start_workers: Callable[[], Executor],
        progress: ProgressCallback | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.start_workers = start_workers
        self.progress = progress
        self._workers: asyncio.Future[Executor] | None = None
        self._writer = _BatchWriter(db)

    async def _executor(self) -> Executor:
        """The worker processes, started on first need (a refresh of 304s never needs
        them) from a thread (starting the forkserver would hold the event loop)."""
        if self._workers is None:
            self._workers = asyncio.ensure_future(asyncio.to_thread(self.start_workers))
        return await self._workers

    async def run(self, feed_ids: Sequence[int] | None = None) -> RefreshReport:
        started = asyncio.get_running_loop().time()
        states = await asyncio.to_thread(self.db.read, feed_queries.fetch_states, feed_ids)
        plan = _plan(states, utcnow(), explicit=feed_ids is not None)
        total = len(plan.to_fetch)
        results: list[FeedRefresh] = []
        if any(state.body_hash is None for state in plan.to_fetch):
            # A feed never parsed will need the workers: start them alongside the first
            # downloads. Otherwise (mostly 304s) they start on first need, if ever.
            self._workers = asyncio.ensure_future(asyncio.to_thread(self.start_workers))
        if plan.to_fetch:
            async with Fetcher(self.settings.fetch) as fetcher:
                tasks = [asyncio.create_task(self._one(fetcher, s)) for s in plan.to_fetch]
                try:
                    for done, task in enumerate(asyncio.as_completed(tasks), start=1):
                        result = await task
                        results.append(result)
                        if self.progress is not None:
                            self.progress(done, total, result)
                finally:
                    for task in tasks:
                        task.cancel()
        seconds = asyncio.get_running_loop().time() - started
        return RefreshReport(feeds=tuple(results + plan.skipped), seconds=seconds)

    async def _one(self, fetcher: Fetcher, state: FetchState) -> FeedRefresh:
        try:
            fetched = await fetcher.fetch(
                state.url, etag=state.etag, last_modified=state.last_modified
            )
            return await self._settle(state, fetched)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            detail = (str(error).strip().splitlines() or [""])[0][:200]
            message = f"newsterm failed on this feed ({type(error).__name__}: {detail})."
            await self._writer.write(self._failure, state, FeedStatus.ERROR, message, None)
            return FeedRefresh(
                state.feed_id, state.url, state.title, FeedOutcome.FAILED, error=message
            )

    async def _settle(self, state: FetchState, fetched: FetchResult) -> FeedRefresh:
        def outcome(kind: FeedOutcome, **kw: object) -> FeedRefresh:
            return FeedRefresh(state.feed_id, state.url, state.title, kind, **kw)  # type: ignore[arg-type]

        if fetched.kind is FetchKind.OK:
            body_hash = hashlib.sha256(fetched.body).hexdigest()
            if body_hash == state.body_hash:
                await self._writer.write(self._success, state, fetched, body_hash)
                return outcome(FeedOutcome.UNCHANGED)
            request = StoreRequest(
                library=str(self.db.path),
                feed_id=state.feed_id,
                body=fetched.body,
                url=fetched.final_url or state.url,
                headers=dict(fetched.headers),
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                body_hash=body_hash,
                permanent_url=fetched.permanent_url,
            )
            executor = await self._executor()
            stored = await asyncio.get_running_loop().run_in_executor(
                executor, parse_and_store, request
            )
            if isinstance(stored, str):
                await self._writer.write(self._failure, state, FeedStatus.ERROR, stored, None)
                return outcome(FeedOutcome.FAILED, error=stored)
            return outcome(
                FeedOutcome.UPDATED, new_stories=stored.new_stories, warnings=stored.warnings
            )
        if fetched.kind is FetchKind.NOT_MODIFIED:
            await self._writer.write(self._success, state, fetched, None)
            return outcome(FeedOutcome.NOT_MODIFIED)
        if fetched.kind is FetchKind.GONE:
            await self._writer.write(self._failure, state, FeedStatus.GONE, fetched.error, None)
            return outcome(FeedOutcome.GONE, error=fetched.error)
        if fetched.kind is FetchKind.RETRY_LATER:
            await self._writer.write(
                self._failure, state, FeedStatus.WAITING, fetched.error, fetched.retry_after
            )
            return outcome(FeedOutcome.WAITING, error=fetched.error)
        await self._writer.write(self._failure, state, FeedStatus.ERROR, fetched.error, None)
        return outcome(FeedOutcome.FAILED, error=fetched.error, network_error=fetched.network_error)

    # -- writes (run in a thread) ----------------------------------------------------

    def _success(self, state: FetchState, fetched: FetchResult, body_hash: str | None) -> _Change:
        """A 304, or a body identical to the last one parsed: nothing to parse or store."""
        now = utcnow()

        def change(conn: sqlite3.Connection) -> None:
            if fetched.permanent_url:
                feed_queries.move_url(conn, state.feed_id, fetched.permanent_url)
            feed_queries.record_success(
                conn,
                state.feed_id,
                title=None,
                site_url=None,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                body_hash=body_hash,
                now=now,
                # A 304 carries no new validators worth keeping over the ones we have.
                keep_validators=fetched.kind is FetchKind.NOT_MODIFIED,
            )

        return change

    def _failure(
        self, state: FetchState, status: FeedStatus, error: str, retry_at: datetime | None
    ) -> _Change:
        now = utcnow()
        if status is FeedStatus.GONE:
            next_retry = None
        else:
            next_retry = retry_at or now + backoff_delay(self.settings, state.error_count)

        def change(conn: sqlite3.Connection) -> None:
            feed_queries.record_failure(
                conn, state.feed_id, status=status, error=error, next_retry=next_retry, now=now
            )

        return change


_Change = Callable[[sqlite3.Connection], None]


class _BatchWriter:
    """Feed-state writes from many feeds at once, committed together.

    A refresh answered mostly with 304s has one small write per feed; one transaction
    (and one thread hop) each made those writes most of such a refresh's time. Every
    write still completes, committed, before the feed's result is reported.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: list[tuple[_Change, asyncio.Future[None]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def write(self, make: Callable[..., _Change], *args: object) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((make(*args), done))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []

            changes = [change for change, _ in batch]

            def apply(conn: sqlite3.Connection, changes: list[_Change] = changes) -> None:
                for change in changes:
                    change(conn)

            try:
                await asyncio.to_thread(self.db.write_relaxed, apply)
            except Exception as error:  # the library itself failed: every waiter hears it
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
