"""The user's read marks and bookmarks on their way to disk: one ordered queue per library.

Every mark a client makes (a key press in the UI, ``newsterm read``) goes through one
:class:`MarkQueue`, which a single writer thread empties in the order the marks were made.
Quick presses of ``b`` on a row therefore end in the state of the last press: with a thread
per save, four presses once raced each other and left the opposite of what the screen
showed. Marks waiting together are coalesced (the last value for a story wins) and
committed in one small ``synchronous=FULL`` transaction.

The writer has a connection of its own, so a mark never waits behind this process's other
library work (a refresh's writes, a long search, reading rows): only behind SQLite's write
lock, which other processes hold for one feed's stories at most. A client learns that a
mark is on disk from its ``done`` callback, called in the writer thread, and only then
shows it as saved.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tui.core.errors import NewstermError
from tui.core.store import stories as story_queries
from tui.core.store.database import Database
from tui.core.text.dates import utcnow

MarkKind = Literal["read", "bookmarked"]


@dataclass(frozen=True, slots=True)
class MarkResult:
    """What became of one :meth:`MarkQueue.put`: how many stories changed, or the error."""

    changed: int = 0
    error: NewstermError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


Done = Callable[[MarkResult], None]


@dataclass(slots=True)
class _Mark:
    kind: MarkKind
    story_ids: tuple[int, ...]
    flag: bool
    at: datetime
    done: Done | None
    finished: threading.Event = field(default_factory=threading.Event)
    result: MarkResult = field(default_factory=MarkResult)


class MarkQueue:
    """Marks written in order by one thread, on a connection opened on first use."""

    def __init__(self, open_database: Callable[[], Database]) -> None:
        self._open_database = open_database
        self._db: Database | None = None
        self._queue: list[_Mark] = []
        self._cond = threading.Condition()
        self._busy = False  # the writer holds a batch taken from the queue
        self._closing = False
        self._thread: threading.Thread | None = None

    # -- clients -------------------------------------------------------------------------

    def put(
        self,
        kind: MarkKind,
        story_ids: Sequence[int],
        flag: bool,
        *,
        at: datetime | None = None,
        done: Done | None = None,
    ) -> threading.Event:
        """Queue a mark; the returned event is set once it is committed (or has failed)."""
        mark = _Mark(kind, tuple(story_ids), flag, at or utcnow(), done)
        self._enqueue(mark)
        return mark.finished

    def apply(
        self, kind: MarkKind, story_ids: Sequence[int], flag: bool, at: datetime | None = None
    ) -> int:
        """Queue a mark and wait until it is on disk; how many stories changed."""
        mark = _Mark(kind, tuple(story_ids), flag, at or utcnow(), None)
        self._enqueue(mark)
        mark.finished.wait()
        if mark.result.error is not None:
            raise mark.result.error
        return mark.result.changed

    def _enqueue(self, mark: _Mark) -> None:
        with self._cond:
            if self._closing:
                raise NewstermError("The library is closing; the mark was not saved.")
            self._queue.append(mark)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="newsterm-marks", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        """Marks queued or being written."""
        with self._cond:
            return len(self._queue) + (1 if self._busy else 0)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every mark queued so far is written; False if ``timeout`` ran out."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)

    def close(self, timeout: float | None = 10.0) -> bool:
        """Write what is queued (waiting up to ``timeout``), then stop; False if marks were
        still unwritten when the time ran out."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        written = thread is None or not thread.is_alive()
        if written and self._db is not None:
            self._db.close()
            self._db = None
        return written

    # -- the writer thread ---------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._closing)
                if not self._queue:
                    return  # closing, and everything is written
                batch, self._queue = self._queue, []
                self._busy = True
            try:
                self._write(batch)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
                for mark in batch:
                    mark.finished.set()
                    if mark.done is not None:
                        # A client's callback failing must not stop the marks after it.
                        with contextlib.suppress(Exception):
                            mark.done(mark.result)

    def _write(self, batch: list[_Mark]) -> None:
        # The last mark for a story and kind wins; earlier ones in the batch change nothing.
        last: dict[tuple[MarkKind, int], int] = {}
        for position, mark in enumerate(batch):
            for story_id in mark.story_ids:
                last[(mark.kind, story_id)] = position
        survivors: list[list[int]] = [[] for _ in batch]
        for (_kind, story_id), position in last.items():
            survivors[position].append(story_id)
        try:
            if self._db is None:
                self._db = self._open_database()
            changed = self._db.write(_write_marks, batch, survivors)
        except NewstermError as error:
            for mark in batch:
                mark.result = MarkResult(error=error)
            return
        except Exception as error:  # never leave a waiting client hanging
            failure = NewstermError(f"The marks could not be saved ({type(error).__name__}).")
            for mark in batch:
                mark.result = MarkResult(error=failure)
            return
        for mark, count in zip(batch, changed, strict=True):
            mark.result = MarkResult(changed=count)


def _write_marks(
    conn: sqlite3.Connection, batch: list[_Mark], survivors: list[list[int]]
) -> list[int]:
    changed = []
    for mark, story_ids in zip(batch, survivors, strict=True):
        if not story_ids:
            changed.append(0)
            continue
        query = story_queries.set_read if mark.kind == "read" else story_queries.set_bookmarked
        changed.append(query(conn, story_ids, mark.flag, mark.at))
    return changed
