"""Syncing accounts from the app: in a thread worker, on an event loop of its own (as the
refresh does, and for the same reason: the app's loop stays free to draw).

A mark on a synced story is on disk, and queued for its server, before anything here runs;
:meth:`Syncer.soon` only pushes it a moment later, gathering quick presses into one sync.
With the server down, the sync fails with a sentence and the queue waits for the next one:
nothing is ever waited on by a key press.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.timer import Timer

from tui.core import NewstermError, SyncReport
from tui.ui.background.threads import WorkerNode, deliver, thread_worker
from tui.ui.session import Session

#: Seconds between a mark and the push that carries it (and the marks made meanwhile).
PUSH_AFTER = 2.0


def sync_here(session: Session) -> tuple[list[SyncReport], str]:
    """Sync every account on an event loop of this thread's own: the reports, or the
    sentence saying why there are none. Never raises: a sync must never take the app down."""
    try:
        return asyncio.run(session.library.sync()), ""
    except NewstermError as error:
        return [], str(error)
    except Exception as error:
        return [], f"The sync failed: {error}. Nothing was lost; it is tried again later."


class Syncer:
    """Syncs ``session``'s accounts in thread workers of ``node``; each run's reports come
    back to ``node``'s event loop through ``on_finished``."""

    def __init__(
        self,
        node: WorkerNode,
        session: Session,
        *,
        on_finished: Callable[[list[SyncReport], str], None],
        set_timer: Callable[[float, Callable[[], None]], Timer],
    ) -> None:
        self.node = node
        self.session = session
        self.running = False
        self._again = False  # asked for while running: once more after
        self._timer: Timer | None = None
        self._on_finished = on_finished
        self._set_timer = set_timer

    def soon(self) -> None:
        """Sync in a moment (after marks): one run for a burst of presses."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._set_timer(PUSH_AFTER, self.start)

    def start(self) -> None:
        self._timer = None
        if self.running:
            self._again = True
            return
        self.running = True
        self._run()

    @thread_worker(group="sync")
    def _run(self) -> None:
        deliver(self.node, self._finished, *sync_here(self.session))

    def _finished(self, reports: list[SyncReport], problem: str) -> None:
        self.running = False
        self._on_finished(reports, problem)
        if self._again:
            self._again = False
            self.start()
