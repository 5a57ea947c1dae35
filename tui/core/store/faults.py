"""sqlite3 errors as the library's domain errors, each with a sentence a user can act on.

The error *code* decides, never the message: a full disk (``SQLITE_FULL``), a file that
cannot be written (``SQLITE_READONLY``), a damaged file (``SQLITE_CORRUPT``,
``SQLITE_NOTADB``) and a busy one each get their own class and wording, so that nobody
is told to throw away a healthy library, and no feed is blamed for our disk.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Literal

from tui.core.errors import (
    LibraryDamagedError,
    LibraryError,
    LibraryFullError,
    LibraryReadOnlyError,
)
from tui.core.store.backup import damaged_sentence

Doing = Literal["open", "read", "save"]

#: Less free space than this on the library's disk, and an I/O error means "full".
_NEARLY_FULL = 256 * 1024


def library_error(error: sqlite3.Error, path: Path, doing: Doing) -> LibraryError:
    """The domain error for ``error``, met while ``doing`` something to the library."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == sqlite3.SQLITE_FULL or (primary == sqlite3.SQLITE_IOERR and disk_is_full(path)):
        temporary = _temporary_folder()
        if not disk_is_full(path) and temporary is not None and disk_is_full(temporary / "x"):
            # A big sort spills into SQLite's temporary files: their disk, not the library's.
            return LibraryFullError(
                f"The disk holding {temporary}, where SQLite keeps temporary files, is full, "
                f"so the library {path} could not be used; free some space on it."
            )
        return LibraryFullError(full_sentence(path, doing))
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return LibraryDamagedError(
            damaged_sentence(path, str(error), not_sqlite=primary == sqlite3.SQLITE_NOTADB)
        )
    if primary == sqlite3.SQLITE_READONLY:
        reason = read_only_reason(path) or "SQLite was refused permission to write it"
        if doing == "open":
            return LibraryReadOnlyError(
                f"The library {path} is read-only ({reason}) and could not be opened even "
                f"for reading ({error}); make it writable, or pass another library file "
                "with --db."
            )
        return LibraryReadOnlyError(read_only_sentence(path, reason))
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return LibraryError(
            f"The library {path} is busy: another program has kept it locked for over "
            "30 seconds; try again once it is done."
        )
    if primary == sqlite3.SQLITE_IOERR:
        return LibraryError(
            f"The disk failed while newsterm was using the library {path} ({error}); check "
            "the disk, then try again."
        )
    if primary == sqlite3.SQLITE_CANTOPEN:
        return LibraryError(
            f"Cannot open the library {path} ({error}); check that it and its folder can be "
            "read and written, or pass another file with --db."
        )
    verb = {"open": "open", "read": "read", "save": "save to"}[doing]
    return LibraryError(f"Could not {verb} the library {path} ({error}).")


def full_sentence(path: Path, doing: Doing) -> str:
    outcome = {
        "open": "it cannot be opened",
        "read": "it could not be read",
        "save": "the change was not saved",
    }[doing]
    return (
        f"The disk holding the library {path} is full, so {outcome}; free some space on it, "
        "or move the library to a disk with room and pass its new path with --db."
    )


def read_only_sentence(path: Path, reason: str) -> str:
    """For a change the user asked for that cannot be saved."""
    return (
        f"The library {path} is read-only ({reason}), so the change was not saved; make it "
        "writable, or pass another library file with --db."
    )


def read_only_note(path: Path, reason: str) -> str:
    """Said once when a read-only library is opened."""
    return (
        f"The library {path} is opened read-only ({reason}): stories can be read, but marks, "
        "bookmarks and refreshes cannot be saved."
    )


def _temporary_folder() -> Path | None:
    """Where SQLite's unix VFS puts temporary files (os_unix.c, unixTempFileDir)."""
    for name in (
        os.environ.get("SQLITE_TMPDIR"),
        os.environ.get("TMPDIR"),
        "/var/tmp",  # noqa: S108  (only asked how full its disk is)
        "/usr/tmp",
        "/tmp",  # noqa: S108
    ):
        if name and Path(name).is_dir():
            return Path(name)
    return None


def disk_is_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < _NEARLY_FULL
    except OSError:
        return False


def can_write(path: Path) -> bool:
    # Effective ids, as the kernel will check them; an immutable file or a read-only
    # mount says no even to root.
    return os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids)


#: Why a library cannot be written, as :func:`read_only_reason` says it.
READ_ONLY_FILE_SYSTEM = "it is on a read-only file system"
FILE_NOT_WRITABLE = "the file cannot be written"
FOLDER_NOT_WRITABLE = "its folder cannot be written"


def read_only_reason(path: Path) -> str | None:
    """Why the library at ``path`` cannot be written, or None when it can.

    In WAL mode SQLite writes two files beside the library, so an unwritable folder makes
    the library read-only too.
    """
    folder = path.parent
    statvfs = getattr(os, "statvfs", None)
    if statvfs is not None:
        try:
            if statvfs(folder).f_flag & os.ST_RDONLY:
                return READ_ONLY_FILE_SYSTEM
        except OSError:
            pass
    if path.exists() and not can_write(path):
        return FILE_NOT_WRITABLE
    if folder.exists() and not can_write(folder):
        return FOLDER_NOT_WRITABLE
    return None
