"""The library builder: the library files the benchmarks open, made through newsterm's own
facade and store (no network), and copies of them.

:func:`build` makes a large library (``--feeds`` × ``--items`` stories with realistic
titles, summaries and bodies across a dozen topics) for the start-up benchmark. Its feeds
point at ``https://feedsN.example/``, which no benchmark may try to reach, so:

* before each launch the feeds are marked as fetched just now (:func:`mark_fetched`): the
  app refreshes on start when feeds are older than ``[refresh] auto_minutes`` (30 by
  default, and the config is empty), and that refresh would run during the measurement;
* in a copy made for a refresh measurement (:func:`prepare_refresh_library`), those feeds
  are marked gone (HTTP 410), so the refresh skips them, and the loopback feeds are
  subscribed with :meth:`tui.core.library.Library.subscribe_all`, marked fetched so that
  only ``R`` starts the refresh.

The marks are written through the library's own connection (short write transactions),
not by hand-editing the file while it is open elsewhere.

Also runnable, to keep a library for other uses:
``python -m bench.harness.library PATH --feeds 200 --items 500``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.core.library import Library
from tui.core.models import ParsedEntry, Subscription
from tui.core.store import feeds as feed_queries
from tui.core.store.ingest import store_entries
from tui.core.text.dates import to_iso, utcnow

TOPICS = [
    "Science", "Technology", "Climate", "Space", "Programming", "World", "Culture",
    "Health", "Economy", "Sports", "Design", "Security",
]  # fmt: skip
_WORD_TEXT = (
    "orbit survey ring signal model rust python kernel climate river policy market vaccine "
    "protein galaxy league design patch cipher network storage compiler telescope election "
    "budget harvest glacier satellite protocol battery quantum genome museum festival"
)
WORDS = _WORD_TEXT.split()


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def build(path: Path, feeds: int, items: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    with Library(path) as library:
        for f in range(feeds):
            topic = TOPICS[f % len(TOPICS)]
            feed = library.add_feed(
                f"https://feeds{f % 9}.example/{f}.xml", topic=topic, title=f"Feed {f} {topic}"
            )
            entries = []
            for i in range(items):
                body = "".join(
                    f"<h2>{_sentence(rng, 3)}</h2><p>{_sentence(rng, 60)}.</p>" for _ in range(3)
                )
                entries.append(
                    ParsedEntry(
                        key=f"urn:{f}:{i}",
                        guid=f"urn:{f}:{i}",
                        title=_sentence(rng, rng.randint(5, 11)),
                        link=f"https://site{f % 40}.example/{f}/{i}",
                        summary=_sentence(rng, 25) + ".",
                        content_html=body,
                        published=now - timedelta(minutes=rng.randint(1, 60 * 24 * 365)),
                    )
                )

            def write(conn, feed_id=feed.id, title=feed.title, entries=entries):  # type: ignore[no-untyped-def]
                store_entries(conn, feed_id, title, entries, now)
                feed_queries.record_success(
                    conn, feed_id, title=title, site_url=None, etag=None,
                    last_modified=None, body_hash=None, now=now,
                )  # fmt: skip

            library._db.write_relaxed(write)
        # A realistic mix of states: a fifth read, a few bookmarked.
        library._db.write(lambda conn: conn.execute("UPDATE stories SET read = 1 WHERE id % 5 = 0"))
        library._db.write(
            lambda conn: conn.execute(
                "UPDATE stories SET bookmarked = 1, bookmarked_at = first_seen WHERE id % 997 = 0"
            )
        )


def build_library(path: Path, feeds: int, items: int) -> float:
    """Build ``feeds`` × ``items`` stories at ``path``; the seconds it took."""
    started = time.perf_counter()
    build(path, feeds, items)
    return time.perf_counter() - started


def copy_library(source: Path, target: Path) -> Path:
    """A consistent copy of a library file, in place of whatever ``target`` was.

    SQLite's backup API copies the pages as they are, WAL content included; the target's
    own WAL and shared-memory files go first, so nothing of an older copy is read back.
    """
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=0)
    finally:
        dst.close()
        src.close()
    return target


def count_rows(db: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def mark_fetched(path: Path) -> None:
    """Every feed fetched just now: the app's start-up auto-refresh finds nothing due."""
    now = to_iso(utcnow())
    with Library(path) as library:
        library._db.write(lambda conn: conn.execute("UPDATE feeds SET last_fetched = ?", (now,)))


def subscribe(db: Path, urls: Sequence[str]) -> None:
    """Subscribe an empty library to every feed (not timed)."""
    with Library(db) as library:
        report = library.subscribe_all([Subscription(url=u) for u in urls])
    if len(report.added) != len(urls):
        raise RuntimeError(f"subscribing added {len(report.added)} of {len(urls)} feeds")


def refreshed_library(path: Path, urls: Sequence[str]) -> dict[str, list[int]]:
    """Subscribe a new library to ``urls`` and refresh it (untimed); story ids per feed."""
    with Library(path) as library:
        added = library.subscribe_all([Subscription(url=url) for url in urls]).added
        report = asyncio.run(library.refresh())
        if report.failed:
            raise RuntimeError(f"the loopback feeds did not refresh: {report}")
        ids = {feed.url: [story.id for story in library.stories(feed=feed.id)] for feed in added}
    if any(not stories for stories in ids.values()):
        raise RuntimeError(
            f"a loopback feed gave no stories: { {k: len(v) for k, v in ids.items()} }"
        )
    return ids


def _copy_with_feeds_gone(source: Path, target: Path) -> str:
    """Copy a built library, its feeds marked gone (HTTP 410: a refresh skips them, as
    their example.org addresses must never be fetched); returns the time they were marked."""
    if shutil.disk_usage(target.parent).free < source.stat().st_size * 2:
        raise RuntimeError(f"not enough disk space in {target.parent} for a library copy")
    copy_library(source, target)
    now = to_iso(utcnow())
    with Library(target) as library:
        library._db.write(
            lambda conn: conn.execute("UPDATE feeds SET status = 'gone', last_fetched = ?", (now,))
        )
    return now


def prepare_refresh_library(
    source: Path, target: Path, urls: Sequence[str], titles: Sequence[str], topics: Sequence[str]
) -> int:
    """A copy of ``source`` subscribed to ``urls`` (loopback); returns feeds added."""
    now = _copy_with_feeds_gone(source, target)
    with Library(target) as library:
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


def subscribe_into(source: Path, target: Path, urls: Sequence[str]) -> int:
    """A copy of the big library ``source`` subscribed to ``urls`` as well, its own feeds
    marked gone (they point nowhere); returns how many stories it holds.

    The day's backup is made here, untimed: the refresh would make it otherwise (a copy of
    the whole library, once a day), and that is not the refresh's own cost.
    """
    _copy_with_feeds_gone(source, target)
    with Library(target) as library:
        library.back_up_if_due()
        report = library.subscribe_all([Subscription(url=url) for url in urls])
        stories = library._db.read(
            lambda conn: int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])
        )
    if len(report.added) != len(urls):
        raise RuntimeError(f"subscribing added {len(report.added)} of {len(urls)} feeds")
    return stories


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.harness.library",
        description="build a large library of synthetic stories (no network)",
    )
    parser.add_argument("path", type=Path)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=500)
    args = parser.parse_args()
    if args.path.exists():
        print(f"{args.path} exists; remove it first", file=sys.stderr)
        return 2
    seconds = build_library(args.path, args.feeds, args.items)
    size = args.path.stat().st_size / 1e6
    print(f"built {args.feeds * args.items} stories in {seconds:.1f} s, {size:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
