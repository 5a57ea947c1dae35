"""Opening the library file, transactions, and sqlite3 errors as domain errors.

Connections run in autocommit mode (``isolation_level=None``) and every write goes through
:func:`write_transaction`, which takes the write lock up front with ``BEGIN IMMEDIATE``.
That matters with two processes at once (the UI open while ``newsterm refresh`` runs from
cron): a deferred transaction that reads and then tries to write can fail at once with
"database is locked" whatever the busy timeout, while an immediate one simply waits its
turn. Write transactions are kept short (one feed's stories, one user action).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tui.core.errors import LibraryError, LibraryTooNewError
from tui.core.store import schema

#: How long a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_MS = 30_000


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the library at ``path`` and bring its schema up to date.

    A library written by a newer newsterm is refused *before* anything is written to it:
    even switching the journal mode would change the file.
    """
    if path.is_dir():
        raise LibraryError(f"{path} is a folder; give the path of a library file instead.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except (OSError, sqlite3.Error) as error:
        raise LibraryError(f"Cannot open the library {path}: {error}.") from None
    try:
        version = _read_version(conn, path)
        if version > schema.SCHEMA_VERSION:
            raise LibraryTooNewError(
                f"The library {path} was written by a newer newsterm (schema {version}; this "
                f"version knows up to {schema.SCHEMA_VERSION}). It was left untouched: "
                "upgrade newsterm to open it."
            )
        # Another program's database is refused here too, before WAL rewrites its header.
        if version == 0:
            _refuse_foreign(conn, path)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a read mark or bookmark is on disk when the call returns, even across a
        # power cut. Refresh lowers it for its own transactions (see relaxed_durability).
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        _bring_up_to_date(conn, path)
    except LibraryError:
        conn.close()
        raise
    except sqlite3.DatabaseError as error:
        conn.close()
        raise LibraryError(
            f"{path} is not a newsterm library or is damaged ({error}). "
            "Move it aside, or pass another file with --db."
        ) from None
    return conn


def _read_version(conn: sqlite3.Connection, path: Path) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def _bring_up_to_date(conn: sqlite3.Connection, path: Path) -> None:
    with write_transaction(conn):
        # Read again under the write lock: another process may have just created it.
        version = _read_version(conn, path)
        if version == schema.SCHEMA_VERSION:
            return
        if version == 0:
            _refuse_foreign(conn, path)
            schema.create(conn)
        else:
            try:
                schema.migrate(conn, version)
            except Exception as error:  # rolled back by write_transaction: file unchanged
                raise LibraryError(
                    f"Could not upgrade the library {path} from schema {version} to "
                    f"{schema.SCHEMA_VERSION} ({type(error).__name__}: {error}); it was left "
                    "as it was."
                ) from error


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """A database at version 0 that already has tables belongs to some other program."""
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if tables:
        raise LibraryError(
            f"{path} is an SQLite database but not a newsterm library; "
            "it was left untouched. Pass another file with --db."
        )


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise LibraryError(f"The library is busy or cannot be written: {error}.") from None
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            conn.execute("ROLLBACK")
            raise LibraryError(f"Could not save to the library: {error}.") from None


@contextmanager
def relaxed_durability(conn: sqlite3.Connection) -> Iterator[None]:
    """Commit without fsync (WAL + ``synchronous=NORMAL``) for refresh writes.

    A process crash or kill -9 still loses nothing committed (the WAL is in the OS's
    hands); only a power cut may roll back the last refresh, which the next refresh
    fetches again. User actions keep ``FULL``.
    """
    conn.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        conn.execute("PRAGMA synchronous = FULL")
