"""Refreshing the library from the app: in a thread worker, on an event loop of its own.

The refresh runs its own event loop in a worker thread, not on the app's: hundreds of
HTTP exchanges on the app's loop left it too busy to draw a key press in time (p95 73 ms
during a refresh, measured by bench/startup.py). One refresh runs at a time; quitting
cancels the one under way (:meth:`Refresher.cancel`), since the app waits for its worker
threads on exit and a slow feed could otherwise hold that up to its deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from tui.core import FeedRefresh, NewstermError, RefreshReport, SyncReport
from tui.ui.background.sync import sync_here
from tui.ui.background.threads import WorkerNode, deliver, thread_worker
from tui.ui.session import Session

#: Progress is shown at most this often (seconds): about ten updates a second are plenty
#: to watch, and each one redraws.
PROGRESS_EVERY = 0.1


class Refresher:
    """Refreshes ``session``'s library in thread workers of ``node``; progress and the
    outcome come back to ``node``'s event loop through the two callbacks."""

    def __init__(
        self,
        node: WorkerNode,
        session: Session,
        *,
        on_progress: Callable[[tuple[int, int]], None],
        on_finished: Callable[[RefreshReport | None, str], None],
        on_synced: Callable[[list[SyncReport], str], None] | None = None,
    ) -> None:
        self.node = node
        self.session = session
        self.running = False
        self._on_progress = on_progress
        self._on_finished = on_finished
        self._on_synced = on_synced
        self._task: tuple[asyncio.AbstractEventLoop, asyncio.Task[object] | None] | None = None

    def start(self, feed_ids: list[int] | None) -> bool:
        """Fetch feeds (all that are due, or these); False when a refresh is running."""
        if self.running:
            return False
        self.running = True
        self._run(feed_ids)
        return True

    def cancel(self) -> None:
        """Cancel the refresh under way, if any (the app is quitting)."""
        if self._task is not None:
            loop, task = self._task
            if task is not None:
                with contextlib.suppress(RuntimeError):  # that loop has already finished
                    loop.call_soon_threadsafe(task.cancel)

    @thread_worker(group="refresh")
    def _run(self, feed_ids: list[int] | None) -> None:
        last_update = 0.0

        def progress(done: int, total: int, _result: FeedRefresh) -> None:
            nonlocal last_update
            now = time.monotonic()
            if done == total or now - last_update >= PROGRESS_EVERY:
                last_update = now
                deliver(self.node, self._on_progress, (done, total))

        async def refresh() -> RefreshReport:
            self._task = (asyncio.get_running_loop(), asyncio.current_task())
            return await self.session.library.refresh(feed_ids, progress=progress)

        report: RefreshReport | None = None
        problem = ""
        try:
            report = asyncio.run(refresh())
        except asyncio.CancelledError:
            return  # the app is closing
        except NewstermError as error:
            problem = str(error)
        except Exception as error:  # a refresh must never take the app down
            problem = f"The refresh failed: {error}. Stories already here are still readable."
        deliver(self.node, self._finished, report, problem)
        if self._on_synced is not None and report is not None:
            self._sync()

    def _sync(self) -> None:
        """The accounts sync after the feeds are fetched: ``R`` and auto-refresh do both."""
        if self._on_synced is not None:
            deliver(self.node, self._on_synced, *sync_here(self.session))

    def _finished(self, report: RefreshReport | None, problem: str) -> None:
        self.running = False
        self._on_finished(report, problem)
