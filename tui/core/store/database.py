"""One open library: a connection, the lock that serialises its use, and transactions.

The UI calls the library from worker threads and the refresh pipeline writes from
``asyncio.to_thread``; one connection guarded by a lock keeps that simple, and every
write is a short ``BEGIN IMMEDIATE`` transaction so another *process* (cron running
``newsterm refresh``) interleaves cleanly.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from tui.core.errors import LibraryError
from tui.core.store.db import connect, relaxed_durability, write_transaction

P = ParamSpec("P")
T = TypeVar("T")


class Database:
    """A library file opened for use from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect(path)
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.Error):  # only an optimisation
                self._conn.execute("PRAGMA optimize")
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
                raise LibraryError(f"Could not read the library {self.path}: {error}.") from None

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
        with self._lock, relaxed_durability(self._conn):
            return self._transaction(change, *args, **kwargs)

    def _transaction(
        self,
        change: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        try:
            with write_transaction(self._conn):
                return change(self._conn, *args, **kwargs)
        except sqlite3.Error as error:
            raise LibraryError(f"Could not write to the library {self.path}: {error}.") from None
