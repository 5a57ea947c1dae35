"""Sync from the app: connecting an account, pushing marks, and the status bar's SYNC.

:class:`SyncFlow` is a small controller the app owns. It connects an account (the welcome
screen's "connect a sync account", the palette's command), has marks pushed a moment after
they are saved (:class:`~tui.ui.background.sync.Syncer`), and turns each sync's reports into
the status bar's state and, when something failed, one notification with the server's
sentence. Library calls run in thread workers; nothing here waits on a server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.app import App
from textual.timer import Timer

from tui.core import NewstermError, SyncReport
from tui.ui.background.sync import Syncer
from tui.ui.background.threads import deliver, thread_worker
from tui.ui.dialogs.account import AccountScreen, NewAccount
from tui.ui.session import Session
from tui.ui.widgets.status_bar import StatusBar

#: Seconds before a failed sync with marks waiting is tried again, doubling up to the most.
RETRY_FIRST = 30.0
RETRY_MOST = 600.0


class SyncFlow:
    """The app's sync: ``status`` is the bar to keep up to date, ``reload`` reads the list
    again when a sync brought stories or marks."""

    def __init__(
        self,
        node: App[None],
        session: Session,
        *,
        status: Callable[[], StatusBar],
        reload: Callable[[], None],
    ) -> None:
        self.node = node
        self.session = session
        self._status = status
        self._reload = reload
        self._last_error = ""  # said once, not at every retry
        self._retry_after = RETRY_FIRST  # seconds; doubles while the server stays away
        self._retry: Timer | None = None
        self._retrying = False  # the sync under way is one of those retries
        self.syncer = Syncer(node, session, on_finished=self.finished, set_timer=node.set_timer)

    # -- state -----------------------------------------------------------------------------

    def show(self, accounts: int, queued: int) -> None:
        """The state before any sync has run (at start)."""
        if accounts:
            status = self._status()
            status.sync, status.queued = "ok", queued

    def soon(self) -> None:
        """Marks were queued: push them in a moment."""
        self.syncer.soon()

    def _try_again(self) -> None:
        self._retry = None
        self._retrying = True
        self.syncer.start()

    def start(self) -> None:
        self.syncer.start()

    def finished(self, reports: list[SyncReport], problem: str) -> None:
        """A sync ended (after a refresh, or on its own)."""
        if problem:
            self._say(problem)
            return
        status = self._status()
        if not reports:
            status.sync, status.queued = "", 0
            return
        failed = [r for r in reports if not r.ok]
        if any(r.offline for r in failed):
            status.sync = "offline"
        else:
            status.sync = "failed" if failed else "ok"
        status.queued = sum(r.queued for r in reports)
        if failed and status.queued:
            # Marks wait: try again on our own, so they go out once the server is back even
            # if nothing else happens meanwhile. The wait doubles only when a retry of ours
            # failed, and a try already planned stands: marks made meanwhile (each trying a
            # push) never put the next try further away.
            if self._retrying:
                self._retry_after = min(self._retry_after * 2, RETRY_MOST)
            if self._retry is None:
                self._retry = self.node.set_timer(self._retry_after, self._try_again)
        elif not failed:
            self._retry_after = RETRY_FIRST
            if self._retry is not None:
                self._retry.stop()
                self._retry = None
        self._retrying = False
        for note in (note for r in reports for note in r.notes):
            self.node.notify(note, severity="warning", markup=False, timeout=10)
        if failed:
            self._say(f"{failed[0].account}: {failed[0].error}")
        else:
            self._last_error = ""
        if any(r.new or r.pulled for r in reports):
            self._reload()

    def _say(self, error: str) -> None:
        if error != self._last_error:
            self._last_error = error
            self.node.notify(error, severity="warning", markup=False, timeout=10)

    # -- connecting an account ----------------------------------------------------------------

    def connect(self) -> None:
        """Ask for the server, user and password, then sign in and sync."""

        def chosen(new: NewAccount | None) -> None:
            if new is not None:
                self.node.notify(f"Signing in to {new.url}…", markup=False)
                self._connect(new)

        self.node.push_screen(AccountScreen(), chosen)

    @thread_worker(group="subscribe")
    def _connect(self, new: NewAccount) -> None:
        try:
            found = asyncio.run(
                self.session.library.add_account(new.url, new.user, new.password, api=new.api)
            )
        except NewstermError as error:
            deliver(self.node, self.node.notify, str(error), severity="error", markup=False)
            return
        if found.warning:
            deliver(self.node, self.node.notify, found.warning, severity="warning", markup=False)
        deliver(
            self.node,
            self.node.notify,
            f"{found.sentence()} Syncing it now.",
            markup=False,
            timeout=8,
        )
        deliver(self.node, self.show, 1, 0)
        deliver(self.node, self.start)
