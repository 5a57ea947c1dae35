"""Real storage faults for tests: a small tmpfs that fills up or turns read-only, immutable
files, a library with stories in it, and damage written over a library file.

Everything here is real (a mounted file system, ``chattr``, bytes over a page); a test
that cannot have the real thing skips and says why. As root, file modes do not stop
writes, so "read-only" here means what stops root too: a read-only mount or ``chattr +i``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed

PAGE = 4096


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def entries(count: int, *, prefix: str = "Story", body_words: int = 40) -> tuple[ParsedEntry, ...]:
    now = datetime.now(UTC).replace(microsecond=0)
    body = " ".join(f"word{i % 97}" for i in range(body_words))
    return tuple(
        ParsedEntry(
            key=f"urn:{prefix}:{i}",
            guid=f"urn:{prefix}:{i}",
            title=f"{prefix} {i} about the orbit of things",
            link=f"https://example.com/{prefix}/{i}",
            summary=f"Summary of {prefix} {i}.",
            content_html=f"<p>{body}</p>",
            published=now - timedelta(minutes=i),
        )
        for i in range(count)
    )


def stock(path: Path, stories: int = 30, *, body_words: int = 40) -> list[int]:
    """A library at ``path`` with one feed of ``stories`` stories, the first one read and
    bookmarked; returns the story ids, newest first. The library is closed again."""
    with Library(path) as library:
        feed = library.add_feed("https://example.com/feed.xml", title="Example")
        library.ingest(
            feed.id, ParsedFeed(title="Example", entries=entries(stories, body_words=body_words))
        )
        ids = [story.id for story in library.stories()]
        library.set_read(ids[:1])
        library.set_bookmarked(ids[:1])
    return ids


def require_root_linux(what: str) -> None:
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip(f"{what} needs root on Linux")


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` for the test, unmounted after."""
    require_root_linux("mounting a small file system")
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if not (mount and umount):
        pytest.skip("no mount command here")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run([umount, "-l", str(where)], capture_output=True, check=False)


def remount_read_only(where: Path) -> None:
    subprocess.run(
        ["mount", "-o", "remount,ro", str(where)], capture_output=True, text=True, check=True
    )


def remount_read_write(where: Path) -> None:
    subprocess.run(
        ["mount", "-o", "remount,rw", str(where)], capture_output=True, text=True, check=True
    )


def fill(folder: Path, *, leave: int = 0) -> Path:
    """Fill the file system holding ``folder`` to the last byte, then give back ``leave``
    bytes (rounded to pages by the file system). Returns the filler file."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for chunk in (1 << 20, 1 << 16, PAGE, 512, 1):
            while True:
                try:
                    os.write(fd, b"\0" * chunk)
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    break
        if leave:
            os.ftruncate(fd, max(0, os.fstat(fd).st_size - leave))
    finally:
        os.close(fd)
    return filler


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[Path]:
    """``chattr +i``: not even root may write the file (or, for a folder, add files to it)."""
    require_root_linux("an immutable file")
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("no chattr command here")
    done = subprocess.run([chattr, "+i", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run([chattr, "-i", str(path)], capture_output=True, check=True)


def checkpoint(path: Path) -> None:
    """Copy the WAL into the library file and empty it, as the last connection to close
    does: otherwise the WAL's copy of a page would hide damage written over the file's.
    (The refresh's worker processes may still hold connections when a command returns.)"""
    conn = sqlite3.connect(path)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "a reader held the WAL"
    finally:
        conn.close()


def page_size(path: Path) -> int:
    """The page size in an SQLite file's header (big-endian at offset 16; 1 means 65536)."""
    with path.open("rb") as file:
        file.seek(16)
        size = int.from_bytes(file.read(2), "big")
    return 65536 if size == 1 else size


def overwrite_page(path: Path, page: int, data: bytes | None = None) -> None:
    """Garbage over one page of a closed library (pages count from 1)."""
    size = page_size(path)
    with path.open("r+b") as file:
        file.seek((page - 1) * size)
        file.write(data if data is not None else bytes((i * 37 + 11) % 256 for i in range(size)))


def last_leaf_of(path: Path, table: str) -> int:
    """A leaf page of ``table`` far from its root (needs SQLite's dbstat table)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path",
            (table,),
        ).fetchall()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find a page with")
    finally:
        conn.close()
    assert len(rows) > 2, "the table is too small to have a leaf far from its root"
    return int(rows[-1][0])


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()
