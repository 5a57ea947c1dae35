"""Queries for enclosure downloads (schema 9): one row per download, past or running.

A running download's row is written when it starts, when the server's first answer gives
its validators and size, about once a second with its progress, and when it ends. So a
process killed mid-download (kill -9, a power cut) leaves a row that says ``running`` with
the validators a resume needs; the next manager to open turns it into ``interrupted``
(see :mod:`tui.core.media.downloads`), once the process named in it is gone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from tui.core.text.dates import from_iso, to_iso


class DownloadState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # refused or failed for good; nothing was kept
    CANCELLED = "cancelled"  # by the user; nothing was kept
    INTERRUPTED = "interrupted"  # the partial file was kept: it can be resumed


@dataclass(frozen=True, slots=True)
class DownloadRecord:
    """One download as the downloads view lists it."""

    id: int
    story_id: int | None  # None once the story is gone (its feed removed)
    url: str
    title: str
    path: Path  # the file: the name wanted while running, the name taken once done
    part: Path  # the partial file beside it while not done
    state: DownloadState
    received: int
    total: int | None  # None while the size is not known
    error: str  # one sentence when failed or interrupted
    started: datetime
    finished: datetime | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def resumable(self) -> bool:
        return self.state is DownloadState.INTERRUPTED


_COLUMNS = (
    "id, story_id, url, title, path, part, state, received, total, error, started, finished,"
    " etag, last_modified"
)


def _record(row: Sequence[Any]) -> DownloadRecord:
    (
        id_, story_id, url, title, path, part, state, received, total, error, started,
        finished, etag, last_modified,
    ) = row  # fmt: skip
    return DownloadRecord(
        id=int(id_),
        story_id=None if story_id is None else int(story_id),
        url=str(url),
        title=str(title),
        path=Path(path),
        part=Path(part),
        state=DownloadState(state),
        received=int(received),
        total=None if total is None else int(total),
        error=str(error),
        started=from_iso(started) or datetime.min.replace(tzinfo=UTC),
        finished=from_iso(finished),
        etag=etag,
        last_modified=last_modified,
    )


def add_download(
    conn: sqlite3.Connection,
    *,
    story_id: int | None,
    url: str,
    title: str,
    path: Path,
    part_for: Callable[[int], Path],
    pid: int,
    now: datetime,
) -> DownloadRecord:
    """Record a download starting now; its partial file's name may take the row's id."""
    cursor = conn.execute(
        "INSERT INTO downloads (story_id, url, title, path, part, state, pid, started)"
        " VALUES (?, ?, ?, ?, '', 'running', ?, ?)",
        (story_id, url, title, str(path), pid, to_iso(now)),
    )
    download_id = int(cursor.lastrowid or 0)
    conn.execute(
        "UPDATE downloads SET part = ? WHERE id = ?", (str(part_for(download_id)), download_id)
    )
    found = get_download(conn, download_id)
    assert found is not None  # inserted just now, in this transaction
    return found


def get_download(conn: sqlite3.Connection, download_id: int) -> DownloadRecord | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM downloads WHERE id = ?", (download_id,)).fetchone()
    return None if row is None else _record(row)


def list_downloads(conn: sqlite3.Connection, limit: int = 200) -> list[DownloadRecord]:
    """Newest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM downloads ORDER BY id DESC LIMIT ?", (limit,)
    ).fetchall()
    return [_record(row) for row in rows]


def restart_download(
    conn: sqlite3.Connection, download_id: int, pid: int, now: datetime
) -> DownloadRecord | None:
    """Mark a download that is neither running nor done as running again (a resume);
    None when there is no such download."""
    cursor = conn.execute(
        "UPDATE downloads SET state = 'running', error = '', finished = NULL, pid = ?,"
        " started = ? WHERE id = ? AND state NOT IN ('running', 'done')",
        (pid, to_iso(now), download_id),
    )
    return get_download(conn, download_id) if cursor.rowcount else None


def set_validators(
    conn: sqlite3.Connection,
    download_id: int,
    etag: str | None,
    last_modified: str | None,
    total: int | None,
) -> None:
    """What the server's answer said of the file: kept for a resume's If-Range."""
    conn.execute(
        "UPDATE downloads SET etag = ?, last_modified = ?, total = ? WHERE id = ?",
        (etag, last_modified, total, download_id),
    )


def set_progress(
    conn: sqlite3.Connection, download_id: int, received: int, total: int | None
) -> None:
    # Only while running: a late progress write must not undo the end's.
    conn.execute(
        "UPDATE downloads SET received = ?, total = ? WHERE id = ? AND state = 'running'",
        (received, total, download_id),
    )


def finish_download(
    conn: sqlite3.Connection,
    download_id: int,
    state: DownloadState,
    *,
    path: Path | None,
    received: int,
    total: int | None,
    error: str,
    now: datetime,
) -> None:
    conn.execute(
        "UPDATE downloads SET state = ?, path = coalesce(?, path), received = ?, total = ?,"
        " error = ?, pid = NULL, finished = ? WHERE id = ?",
        (
            state.value,
            None if path is None else str(path),
            received,
            total,
            error,
            to_iso(now),
            download_id,
        ),
    )


def running_downloads(conn: sqlite3.Connection) -> list[tuple[int, int | None]]:
    """``(id, pid)`` of every download recorded as running, by whatever process."""
    rows = conn.execute("SELECT id, pid FROM downloads WHERE state = 'running'").fetchall()
    return [(int(id_), None if pid is None else int(pid)) for id_, pid in rows]


def interrupt_downloads(
    conn: sqlite3.Connection, download_ids: Sequence[int], error: str, now: datetime
) -> None:
    """Downloads whose process is gone: resumable from their partial files."""
    conn.executemany(
        "UPDATE downloads SET state = 'interrupted', error = ?, pid = NULL, finished = ?"
        " WHERE id = ? AND state = 'running'",
        [(error, to_iso(now), download_id) for download_id in download_ids],
    )
