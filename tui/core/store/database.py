"""One open library: opening the file, the connection and its lock, transactions, faults.

Opening (:func:`connect`) brings the schema up to date, refuses a library written by a newer
newsterm or another program before writing a byte, and opens a library that cannot be
written read-only instead of refusing it (:func:`is_read_only` tells; SQLite itself refuses
any write on such a connection). A damaged one is refused with a sentence that offers its
backup (see :mod:`tui.core.store.faults`).

Connections run in autocommit mode (``isolation_level=None``) and every write goes through
:func:`write_transaction`, which takes the write lock up front with ``BEGIN IMMEDIATE``.
That matters with two processes at once (the UI open while ``newsterm refresh`` runs from
cron): a deferred transaction that reads and then tries to write can fail at once with
"database is locked" whatever the busy timeout, while an immediate one simply waits its
turn. Write transactions are kept short (one feed's stories, one user action).

:class:`Database` is what the rest of the core uses: one connection guarded by a lock (the
UI calls the library from worker threads, the refresh from ``asyncio.to_thread``), reads
and writes as domain errors, and a library found damaged never written to again.
"""

from __future__ import annotations

import contextlib
import errno
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar
from urllib.parse import quote

from tui.core.errors import (
    LibraryDamagedError,
    LibraryError,
    LibraryReadOnlyError,
    LibraryTooNewError,
)
from tui.core.store import bodies, schema
from tui.core.store.faults import (
    FOLDER_NOT_WRITABLE,
    Doing,
    can_write,
    library_error,
    read_only_note,
    read_only_reason,
    read_only_sentence,
)

#: How long a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_MS = 30_000
#: The page size of a new library (an existing one keeps its own).
PAGE_SIZE = 8192


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the library at ``path`` and bring its schema up to date.

    A library written by a newer newsterm is refused *before* anything is written to it:
    even switching the journal mode would change the file. One that cannot be written is
    opened read-only (:func:`is_read_only`); one whose pages are damaged is refused with
    :class:`~tui.core.errors.LibraryDamagedError`.
    """
    _check_path(path)
    reason = read_only_reason(path)
    try:
        conn = _open(path, reason)
    except sqlite3.Error as error:
        raise library_error(error, path, "open") from None
    try:
        version = _read_version(conn)
        if version > schema.SCHEMA_VERSION:
            raise LibraryTooNewError(
                f"The library {path} was written by a newer newsterm (schema {version}; this "
                f"version knows up to {schema.SCHEMA_VERSION}). It was left untouched: "
                "upgrade newsterm to open it."
            )
        # Another program's database is refused here too, before WAL rewrites its header.
        if version == 0:
            _refuse_foreign(conn, path)
        if reason is None:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if version == 0:
                # Before WAL, which fixes the page size. A story row (2–3 KB with its body)
                # left half of each 4 KB page unused; 8 KB pages hold three.
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a read mark or bookmark is on disk when the call returns, even across
            # a power cut. Refresh lowers it for its own transactions (relaxed_durability).
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            _bring_up_to_date(conn, path)
        elif version != schema.SCHEMA_VERSION:
            raise LibraryReadOnlyError(
                f"The library {path} needs "
                + ("creating" if version == 0 else "upgrading to this newsterm's schema")
                + f" but it is read-only ({reason}); make it writable, or pass another "
                "library file with --db."
            )
        _touch_every_tree(conn)
    except LibraryError:
        conn.close()
        raise
    except sqlite3.Error as error:
        conn.close()
        raise library_error(error, path, "open") from None
    return conn


def is_read_only(conn: sqlite3.Connection) -> bool:
    """Whether ``conn`` was opened read-only by :func:`connect`."""
    return bool(conn.execute("PRAGMA query_only").fetchone()[0])


def _check_path(path: Path) -> None:
    try:
        if path.is_dir():
            raise LibraryError(f"{path} is a folder; give the path of a library file instead.")
        if path.exists():
            return
        folder = path.parent
        if not folder.exists():
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise LibraryReadOnlyError(
                    f"The folder {folder} for the library cannot be created "
                    f"({_reason(error)}); make room for it, or pass another library file "
                    "with --db."
                ) from None
        reason = read_only_reason(path)
        if reason is not None:
            if reason == FOLDER_NOT_WRITABLE:
                reason = "the folder cannot be written"
            raise LibraryReadOnlyError(
                f"A new library cannot be created in {folder} ({reason}); make it "
                "writable, or pass another library file with --db."
            )
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise LibraryError(
                f"The library path {path} is too long for the file system; pass a shorter "
                "one with --db."
            ) from None
        raise LibraryError(
            f"Cannot open the library {path} ({_reason(error)}); pass another file with --db."
        ) from None


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def _open(path: Path, read_only_because: str | None) -> sqlite3.Connection:
    conn = _open_file(path, read_only_because)
    bodies.register(conn)  # the search index's view computes words with it
    return conn


def _open_file(path: Path, read_only_because: str | None) -> sqlite3.Connection:
    timeout = BUSY_TIMEOUT_MS / 1000
    if read_only_because is None:
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=timeout)
    # Read-only, a WAL library still needs its -shm index: SQLite makes one when the
    # folder can be written, or reads one that is there. Otherwise "immutable" reads the
    # file as it stands; nobody can be writing it then, since a writer would have made
    # the -shm file beside it.
    uri = f"file:{quote(str(path))}?mode=ro"
    if not Path(f"{path}-shm").exists() and not can_write(path.parent):
        uri += "&immutable=1"
    conn = sqlite3.connect(
        uri, uri=True, isolation_level=None, check_same_thread=False, timeout=timeout
    )
    try:
        # Any write now fails with SQLITE_READONLY, whatever code tries it.
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _read_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


_WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)


def _touch_every_tree(conn: sqlite3.Connection) -> None:
    """Read the first row of every table and index: a damaged root page (garbage over
    page 2, a truncated file) shows now, before anything is written to it.

    Cheap (0.2 ms warm, 10 ms cold on a 100k-story library) where ``PRAGMA quick_check``
    takes 0.6-0.9 s; the daily backup runs the full check.
    """
    trees = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE rootpage > 0"
    ).fetchall()
    for kind, name, table, sql in trees:
        if kind == "table":
            query = f'SELECT 1 FROM "{name}" NOT INDEXED LIMIT 1'
        else:
            # A partial index can only be read with its own condition.
            where = _WHERE.split(sql or "", maxsplit=1)
            condition = f" WHERE {where[1]}" if len(where) == 2 else ""
            query = f'SELECT 1 FROM "{table}" INDEXED BY "{name}"{condition} LIMIT 1'
        try:
            conn.execute(query).fetchall()
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_ERROR:
                raise
            # "no query solution": an index SQLite will not read this way; skipped.


def _bring_up_to_date(conn: sqlite3.Connection, path: Path) -> None:
    with write_transaction(conn):
        # Read again under the write lock: another process may have just created it.
        version = _read_version(conn)
        if version == schema.SCHEMA_VERSION:
            return
        if version == 0:
            _refuse_foreign(conn, path)
            schema.create(conn)
        else:
            try:
                schema.migrate(conn, version)
            except sqlite3.Error as error:
                if error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
                    raise  # the disk's fault, not the migration's: said as such
                raise _migration_failed(path, version, error) from error
            except Exception as error:  # rolled back by write_transaction: file unchanged
                raise _migration_failed(path, version, error) from error


def _migration_failed(path: Path, version: int, error: Exception) -> LibraryError:
    return LibraryError(
        f"Could not upgrade the library {path} from schema {version} to "
        f"{schema.SCHEMA_VERSION} ({type(error).__name__}: {error}); it was left as it was."
    )


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
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception.

    sqlite3 errors come out as they are, for the caller to turn into domain errors with
    the library's path (:func:`tui.core.store.faults.library_error`). The original error
    always wins: after SQLITE_FULL or SQLITE_IOERR SQLite may already have rolled back,
    and a second ROLLBACK would only say "no transaction is active".
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        _roll_back(conn)
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        _roll_back(conn)
        raise


def _roll_back(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


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


# -- the library in use ----------------------------------------------------------------

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
                    # Bounded, as SQLite advises: the empty partial indexes never get
                    # statistics, so every close re-ran a full ANALYZE (60-70 ms of CPU at
                    # 100k stories, on every command, growing with the library).
                    self._conn.execute("PRAGMA analysis_limit = 1000")
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


# A worker process keeps one connection per library, opened on first use: its jobs come
# one after another, and opening (schema check, damage check) is not free.
_shared: dict[str, Database] = {}


def shared_database(path: str) -> Database:
    """This process's connection to the library at ``path`` (for worker jobs)."""
    db = _shared.get(path)
    if db is None:
        db = _shared[path] = Database(Path(path))
    return db
