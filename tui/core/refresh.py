"""The refresh pipeline: fetch → parse → store, for many feeds at once.

This is the one entry point both the CLI and the UI call (through
:meth:`tui.core.library.Library.refresh`). Feeds are fetched concurrently on the event
loop (bounded by the :class:`~tui.core.fetch.http.Fetcher`), then parsed and stored by a
worker process (:mod:`tui.core.workers.feeds`), each feed in its own short transaction,
so that feedparser never holds the loop or the UI; what the main process writes itself
(each feed's fetch state) is batched. One feed's failure never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tui.core.errors import LibraryError, WorkerLostError
from tui.core.fetch.http import Fetcher, FetchKind, FetchResult
from tui.core.models import (
    FeedOutcome,
    FeedRefresh,
    FeedStatus,
    RefreshReport,
)
from tui.core.settings import Settings
from tui.core.store import feeds as feed_queries
from tui.core.store.database import Database
from tui.core.store.feeds import FetchState
from tui.core.text.dates import utcnow
from tui.core.workers.pool import WorkerPool

if TYPE_CHECKING:  # imported with the first body to parse: a 304 refresh has none
    from tui.core.workers.tasks import LibraryFault

#: Called on the event loop after each feed: (feeds done, feeds in all, that feed's result).
ProgressCallback = Callable[[int, int, FeedRefresh], None]


@dataclass(frozen=True, slots=True)
class _Plan:
    to_fetch: list[FetchState]
    skipped: list[FeedRefresh]


def _plan(states: Sequence[FetchState], now: datetime, explicit: bool) -> _Plan:
    """Which feeds to fetch now. Paused feeds, gone feeds and Retry-After waits are always
    honoured; an error back-off and the feed's interval are not when the user named it."""
    to_fetch: list[FetchState] = []
    skipped: list[FeedRefresh] = []
    for state in states:
        reason = ""
        outcome = FeedOutcome.SKIPPED
        if state.paused:
            outcome = FeedOutcome.PAUSED
            reason = f"paused; `newsterm feed {state.feed_id} --resume` fetches it again"
        elif state.status is FeedStatus.GONE:
            reason = "gone (HTTP 410): no longer polled"
        elif (
            state.next_retry
            and state.next_retry > now
            and (state.status is FeedStatus.WAITING or not explicit)
        ):
            reason = f"waiting until {state.next_retry:%Y-%m-%d %H:%M} UTC"
        elif not explicit and _not_due(state, now):
            outcome = FeedOutcome.NOT_DUE
            reason = f"not due until {state.due_at:%Y-%m-%d %H:%M} UTC"
        if reason:
            skipped.append(
                FeedRefresh(state.feed_id, state.url, state.title, outcome, error=reason)
            )
        else:
            to_fetch.append(state)
    return _Plan(to_fetch, skipped)


def _not_due(state: FetchState, now: datetime) -> bool:
    """The feed's interval has not passed since its last good fetch. Counted from the last
    *good* one: a failing feed is retried on the error back-off's clock, not held for a
    whole interval after each failure. A last fetch in the future (the clock was set back)
    proves nothing, and the feed is due."""
    due = state.due_at
    return due is not None and state.last_ok is not None and state.last_ok <= now < due


def backoff_delay(settings: Settings, failures_before: int) -> timedelta:
    """15 min, 30 min, 1 h, … doubling per consecutive failure, capped."""
    minutes = settings.refresh.backoff_minutes * (1 << min(failures_before, 16))
    # In whole minutes (ints cannot overflow), a year at most: timedelta can, and a config's
    # range check is not the only way settings are made.
    return timedelta(minutes=min(minutes, settings.refresh.max_backoff_hours * 60, 527_040))


class Refresh:
    """One refresh run over some feeds of a library."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        pool: WorkerPool,
        progress: ProgressCallback | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings
        self.pool = pool
        self.progress = progress
        self.clock = clock  # "now", for the plan and for every time written
        self._starting: asyncio.Task[None] | None = None
        self._writer = _BatchWriter(db)
        # Feeds that needed no parsing (304s, identical bodies): stored together at the end.
        self._settled: list[tuple[FetchState, _Change | None, datetime]] = []
        self._problem = ""  # the library cannot be written: why (the first to say so)
        self._lost = 0  # feeds the worker processes failed (died twice, or never started)
        self._lost_to: WorkerLostError | None = None
        self._restarts = pool.restarts

    def _start_workers(self) -> asyncio.Task[None]:
        """Start the worker processes from a thread (starting the fork server would hold
        the event loop), once; a pool that cannot start says so with the first task."""
        if self._starting is None:

            async def start() -> None:
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self.pool.start)

            self._starting = asyncio.ensure_future(start())
        return self._starting

    async def run(self, feed_ids: Sequence[int] | None = None) -> RefreshReport:
        started = asyncio.get_running_loop().time()
        states = await asyncio.to_thread(self.db.read, feed_queries.fetch_states, feed_ids)
        plan = _plan(states, self.clock(), explicit=feed_ids is not None)
        total = len(plan.to_fetch)
        results: list[FeedRefresh] = []
        if any(state.body_hash is None for state in plan.to_fetch):
            # A feed never parsed will need the workers: start them alongside the first
            # downloads. Otherwise (mostly 304s) they start on first need, if ever.
            self._start_workers()
        if plan.to_fetch:
            async with Fetcher(self.settings.fetch) as fetcher:
                finished: asyncio.Queue[tuple[FetchState, asyncio.Task[FeedRefresh]]]
                finished = asyncio.Queue()
                tasks = []
                for state in plan.to_fetch:
                    task = asyncio.create_task(self._one(fetcher, state))
                    task.add_done_callback(functools.partial(_put, finished, state))
                    tasks.append(task)
                stopped = False
                try:
                    for done in range(1, total + 1):
                        state, task = await finished.get()
                        result = self._not_refreshed(state) if task.cancelled() else task.result()
                        results.append(result)
                        if self.progress is not None:
                            self.progress(done, total, result)
                        if self._problem and not stopped:
                            stopped = True  # the library cannot take more: stop fetching
                            for other in tasks:
                                other.cancel()
                finally:
                    for task in tasks:
                        task.cancel()
            results = await self._store_settled(results)
        seconds = asyncio.get_running_loop().time() - started
        return RefreshReport(
            feeds=tuple(results + plan.skipped),
            seconds=seconds,
            problems=self._problems(),
            notes=self._notes(),
        )

    def _problems(self) -> tuple[str, ...]:
        problems = [self._problem] if self._problem else []
        if self._lost:
            cause = self._lost_to.__cause__ if self._lost_to else None
            why = (
                f"newsterm could not start its worker processes ({cause})"
                if cause is not None
                else "A worker process of newsterm stopped unexpectedly twice (out of memory, "
                "or killed)"
            )
            problems.append(
                f"{why}: {self._lost} feeds were not stored and will be tried again at the "
                "next refresh."
            )
        return tuple(problems)

    def _notes(self) -> tuple[str, ...]:
        if self._lost or self.pool.restarts == self._restarts:
            return ()
        return (
            "A worker process of newsterm stopped unexpectedly (out of memory, or killed); "
            "newsterm started another and stored its feeds after all.",
        )

    def _not_refreshed(self, state: FetchState, why: str = "") -> FeedRefresh:
        """A feed left alone for a reason of ours: nothing is written about it, and it is
        fetched again next time as if this refresh had not happened."""
        why = why or "Not refreshed: the library could not be written."
        return FeedRefresh(state.feed_id, state.url, state.title, FeedOutcome.SKIPPED, error=why)

    def _library_failed(self, error: LibraryError | LibraryFault) -> None:
        if not self._problem:
            self._problem = str(error) if isinstance(error, LibraryError) else error.message

    async def _one(self, fetcher: Fetcher, state: FetchState) -> FeedRefresh:
        if self._problem:
            return self._not_refreshed(state)
        try:
            fetched = await fetcher.fetch(
                state.url, etag=state.etag, last_modified=state.last_modified
            )
            if self._problem:  # meanwhile: its result could not be stored either
                return self._not_refreshed(state)
            return await self._settle(state, fetched)
        except asyncio.CancelledError:
            raise
        except LibraryError as error:  # a write of ours failed: the library's problem
            self._library_failed(error)
            return self._not_refreshed(state)
        except WorkerLostError as error:  # not the feed's doing: no failure is recorded
            self._lost += 1
            self._lost_to = self._lost_to or error
            return self._not_refreshed(state, "Not refreshed: newsterm's worker process failed.")
        except Exception as error:
            detail = (str(error).strip().splitlines() or [""])[0][:200]
            message = f"newsterm failed on this feed ({type(error).__name__}: {detail})."
            try:
                await self._writer.write(self._failure, state, FeedStatus.ERROR, message, None)
            except LibraryError as library_error:
                self._library_failed(library_error)
            return FeedRefresh(
                state.feed_id, state.url, state.title, FeedOutcome.FAILED, error=message
            )

    async def _settle(self, state: FetchState, fetched: FetchResult) -> FeedRefresh:
        def outcome(kind: FeedOutcome, **kw: object) -> FeedRefresh:
            return FeedRefresh(state.feed_id, state.url, state.title, kind, **kw)  # type: ignore[arg-type]

        if fetched.kind is FetchKind.OK:
            body_hash = hashlib.sha256(fetched.body).hexdigest()
            if body_hash == state.body_hash:
                self._settle_later(state, self._success(state, fetched, body_hash))
                return outcome(FeedOutcome.UNCHANGED)
            from tui.core.workers.jobs import parse_and_store
            from tui.core.workers.tasks import LibraryFault, StoreRequest

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
                now=self.clock(),
            )
            await asyncio.shield(self._start_workers())  # shared: one feed's cancel is not all
            stored = await asyncio.wrap_future(self.pool.submit(parse_and_store, request))
            if isinstance(stored, LibraryFault):
                self._library_failed(stored)
                return self._not_refreshed(state)
            if isinstance(stored, str):
                await self._writer.write(self._failure, state, FeedStatus.ERROR, stored, None)
                return outcome(FeedOutcome.FAILED, error=stored)
            return outcome(
                FeedOutcome.UPDATED, new_stories=stored.new_stories, warnings=stored.warnings
            )
        if fetched.kind is FetchKind.NOT_MODIFIED:
            moved = fetched.permanent_url is not None
            self._settle_later(state, self._success(state, fetched, None) if moved else None)
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

    def _settle_later(self, state: FetchState, change: _Change | None) -> None:
        """Keep a feed's write for :meth:`_store_settled`; None: a plain 304."""
        self._settled.append((state, change, self.clock()))

    async def _store_settled(self, results: list[FeedRefresh]) -> list[FeedRefresh]:
        """Store what the feeds that needed no parsing came to, in one transaction, once
        every feed is fetched; ``results`` with those feeds not refreshed if it failed.

        A refresh answered with 304s is little else: one write per feed (or one batch per
        few feeds) cost more than its HTTP. Written at the end, nothing is lost that
        matters: a refresh stopped before then only fetches those feeds again next time.
        The report comes after this commit; the progress callback may come before it.
        """
        settled, self._settled = self._settled, []
        if not settled:
            return results
        plain = [(state.feed_id, now) for state, change, now in settled if change is None]
        changes = [change for _, change, _ in settled if change is not None]

        def apply(conn: sqlite3.Connection) -> None:
            feed_queries.record_not_modified(conn, plain)
            for change in changes:
                change(conn)

        try:
            await asyncio.to_thread(self.db.write_relaxed, apply)
        except LibraryError as error:
            self._library_failed(error)
            unstored = {state.feed_id: state for state, _, _ in settled}
            return [
                self._not_refreshed(unstored[r.feed_id]) if r.feed_id in unstored else r
                for r in results
            ]
        return results

    def _success(self, state: FetchState, fetched: FetchResult, body_hash: str | None) -> _Change:
        """A 304, or a body identical to the last one parsed: nothing to parse or store.
        The feed's refresh hint stays the one its body gave when it was parsed."""
        now = self.clock()

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
        now = self.clock()
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


def _put(
    finished: asyncio.Queue[tuple[FetchState, asyncio.Task[FeedRefresh]]],
    state: FetchState,
    task: asyncio.Task[FeedRefresh],
) -> None:
    finished.put_nowait((state, task))


class _BatchWriter:
    """Feed-state writes from many feeds at once, committed together.

    Failures, mostly (304s and identical bodies wait for :meth:`Refresh._store_settled`):
    one transaction and one thread hop each made a refresh of many failing feeds mostly
    writes. Every write still completes, committed, before the feed's result is reported.
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
