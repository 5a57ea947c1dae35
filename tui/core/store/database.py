"""One open library: a connection, the lock that serialises its use, and transactions.

The UI calls the library from worker threads and the refresh pipeline writes from
``asyncio.to_thread``; one connection guarded by a lock keeps that simple, and every
write is a short ``BEGIN IMMEDIATE`` transaction so another *process* (cron running
``newsterm refresh``) interleaves cleanly.

Faults come out as domain errors (:mod:`tui.core.store.faults`). A read-only library
refuses every write before touching the file; so does a library found damaged, from the
first damaged page met on, so that nothing is ever written over the damage.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from tui.core.errors import LibraryDamagedError, LibraryError, LibraryReadOnlyError
from tui.core.store.db import connect, is_read_only, relaxed_durability, write_transaction
from tui.core.store.faults import (
    Doing,
    library_error,
    read_only_note,
    read_only_reason,
    read_only_sentence,
)

P = ParamSpec("P")
T = TypeVar("T")

# Damage belongs to the file, not to one connection: a library has several (marks and
# search have their own), and once any of them meets a damaged page none may write. Keyed
# by (device, inode), so the file a restore puts in its place starts with a clean slate.
_damaged_files: dict[tuple[int, int], str] = {}
_damaged_lock = threading.Lock()


def _no_checkpoint_on_close(conn: sqlite3.Connection) -> None:
    """The last connection to close copies the WAL into the file: not into a damaged one.
    Python 3.12's sqlite3 can say so (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE); 3.11's cannot."""
    setconfig = getattr(conn, "setconfig", None)
    if setconfig is not None:
        with contextlib.suppress(sqlite3.Error, ValueError):
            setconfig(1006, True)  # SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


class Database:
    """A library file opened for use from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect(path)
        self._lock = threading.RLock()
        #: Why the library cannot be written, when it was opened read-only.
        self.read_only_reason: str | None = None
        if is_read_only(self._conn):
            self.read_only_reason = read_only_reason(path) or "SQLite opened it read-only"
        self._file = _file_id(path)

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @property
    def read_only_note(self) -> str | None:
        """One sentence to show once when the library is read-only."""
        if self.read_only_reason is None:
            return None
        return read_only_note(self.path, self.read_only_reason)

    @property
    def damage(self) -> str | None:
        """The sentence about the damage, once a damaged page of this file was met."""
        with _damaged_lock:
            return _damaged_files.get(self._file) if self._file is not None else None

    @property
    def writable(self) -> bool:
        """False when read-only or found damaged: optional writes are skipped then."""
        return self.read_only_reason is None and self.damage is None

    def require_writable(self) -> None:
        """Raise the sentence for a write that cannot be made, before trying it."""
        damage = self.damage
        if damage is not None:
            raise LibraryDamagedError(damage)
        if self.read_only_reason is not None:
            raise LibraryReadOnlyError(read_only_sentence(self.path, self.read_only_reason))

    def fault(self, error: sqlite3.Error, doing: Doing) -> LibraryError:
        """The domain error for ``error``; a damaged library is remembered as such."""
        mapped = library_error(error, self.path, doing)
        if isinstance(mapped, LibraryDamagedError):
            self.mark_damaged(mapped)
        return mapped

    def mark_damaged(self, error: LibraryDamagedError) -> None:
        """From now on, refuse every write (found damaged by a read, or by a backup)."""
        if self._file is not None:
            with _damaged_lock:
                _damaged_files.setdefault(self._file, str(error))

    def close(self) -> None:
        with self._lock:
            if self.writable:
                with contextlib.suppress(sqlite3.Error):  # only an optimisation
                    self._conn.execute("PRAGMA optimize")
            elif self.damage is not None:
                _no_checkpoint_on_close(self._conn)
            self._conn.close()

    def interrupt(self) -> None:
        """Stop whatever statement this connection is running (safe from any thread): the
        statement fails with ``interrupted``. Used to end a long search on quit."""
        self._conn.interrupt()

    def read(
        self,
        query: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``query(conn, ...)`` under the lock, outside any write transaction."""
        with self._lock:
            try:
                return query(self._conn, *args, **kwargs)
            except sqlite3.Error as error:
                raise self.fault(error, "read") from None

    def write(
        self,
        change: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``change(conn, ...)`` in one durable write transaction."""
        with self._lock:
            return self._transaction(change, *args, **kwargs)

    def write_relaxed(
        self,
        change: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Like :meth:`write`, without waiting for fsync: for refresh results, not user marks."""
        with self._lock:
            self.require_writable()
            with relaxed_durability(self._conn):
                return self._transaction(change, *args, **kwargs)

    def _transaction(
        self,
        change: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        self.require_writable()
        try:
            with write_transaction(self._conn):
                return change(self._conn, *args, **kwargs)
        except sqlite3.Error as error:
            raise self.fault(error, "save") from None
