"""The libraries the start-up benchmark opens: the big one, and copies set up for a refresh.

The big library comes from :func:`library_builder.build`. Its feeds point at
``https://feedsN.example/``, which this benchmark must never try to reach, so:

* before each launch the feeds are marked as fetched just now (:func:`mark_fetched`): the
  app refreshes on start when feeds are older than ``[refresh] auto_minutes`` (30 by
  default, and the config is empty), and that refresh would run during the measurement;
* in a copy made for the refresh measurement, those feeds are marked gone (HTTP 410), so
  the refresh skips them, and the loopback feeds are subscribed with
  :meth:`tui.core.library.Library.subscribe_all`, marked fetched so that only ``R`` starts
  the refresh.

The marks are written through the library's own connection (short write transactions),
not by hand-editing the file while it is open elsewhere.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from library_builder import build

from tui.core.library import Library
from tui.core.models import Subscription
from tui.core.text.dates import to_iso, utcnow


def build_library(path: Path, feeds: int, items: int) -> float:
    """Build ``feeds`` × ``items`` stories at ``path``; the seconds it took."""
    started = time.perf_counter()
    build(path, feeds, items)
    return time.perf_counter() - started


def mark_fetched(path: Path) -> None:
    """Every feed fetched just now: the app's start-up auto-refresh finds nothing due."""
    now = to_iso(utcnow())
    with Library(path) as library:
        library._db.write(lambda conn: conn.execute("UPDATE feeds SET last_fetched = ?", (now,)))


def copy_library(source: Path, target: Path) -> Path:
    """A consistent copy of a library file (SQLite's backup API: WAL content included)."""
    target.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=0)
    finally:
        dst.close()
        src.close()
    return target


def prepare_refresh_library(
    source: Path, target: Path, urls: Sequence[str], titles: Sequence[str], topics: Sequence[str]
) -> int:
    """A copy of ``source`` subscribed to ``urls`` (loopback); returns feeds added."""
    if shutil.disk_usage(target.parent).free < source.stat().st_size * 2:
        raise RuntimeError(f"not enough disk space in {target.parent} for a library copy")
    copy_library(source, target)
    now = to_iso(utcnow())
    with Library(target) as library:
        library._db.write(
            lambda conn: conn.execute("UPDATE feeds SET status = 'gone', last_fetched = ?", (now,))
        )
        report = library.subscribe_all(
            Subscription(url=url, title=title, topic=topic)
            for url, title, topic in zip(urls, titles, topics, strict=True)
        )
        library._db.write(
            lambda conn: conn.execute(
                "UPDATE feeds SET last_fetched = ? WHERE status != 'gone'", (now,)
            )
        )
    if len(report.added) != len(urls):
        raise RuntimeError(f"subscribing added {len(report.added)} of {len(urls)} feeds")
    return len(report.added)
