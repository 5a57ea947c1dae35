"""Schema 7 drops the indexes no statement needs (stories_by_date, stories_by_feed_date):
an upgraded library keeps every row and ends with the indexes of a new one, and the
statements that used a dropped index find their stories by another, not by reading every
row of the table (docs/adr/0011-an-index-diet.md)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.settings import Rule
from tui.core.store import bodies, schema
from tui.core.store.ingest import fingerprints
from tui.core.store.rules import count_matches
from tui.core.store.stories import StoryFilter, list_stories, mark_filtered_read

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DROPPED = {"stories_by_date", "stories_by_feed_date"}


def _entries(prefix: str, count: int) -> tuple[ParsedEntry, ...]:
    return tuple(
        ParsedEntry(
            key=f"urn:{prefix}:{i}",
            guid=f"urn:uuid:{prefix}-{i}",
            title=f"{prefix} story {i}",
            link=f"https://{prefix}.test/{i}",
            summary="words",
            content_html="<p>words and more words</p>",
            published=NOW - timedelta(hours=i),
        )
        for i in range(count)
    )


def _stock(library: Library) -> None:
    wire = library.add_feed("https://wire.test/feed", title="Wire", topic="News")
    post = library.add_feed("https://post.test/feed", title="Post", topic="Science")
    library.ingest(wire.id, ParsedFeed(title="Wire", entries=_entries("wire", 12)), now=NOW)
    # The same links from a second feed: copies (dup_of) to carry over too.
    library.ingest(post.id, ParsedFeed(title="Post", entries=_entries("wire", 3)), now=NOW)
    library.ingest(post.id, ParsedFeed(title="Post", entries=_entries("post", 5)), now=NOW)
    ids = [story.id for story in library.stories()]
    library.set_read(ids[:4])
    library.set_bookmarked(ids[2:3])


def _version_6(path: Path) -> None:
    """A library stocked by this code, made into the file version 6 wrote: no enclosures
    column (schema 8), no downloads table (schema 9), the indexes schema 7 dropped, and its
    version."""
    with Library(path) as library:
        _stock(library)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("ALTER TABLE stories DROP COLUMN enclosures")
        conn.execute("DROP TABLE downloads")
        conn.execute("CREATE INDEX stories_by_feed_date ON stories(feed_id, sort_date DESC)")
        conn.execute("CREATE INDEX stories_by_date ON stories(sort_date DESC)")
        conn.execute("PRAGMA user_version = 6")
    finally:
        conn.close()


def _indexes(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {
            str(row[0])
            for row in conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
    finally:
        conn.close()


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("feeds", "stories", "story_counts", "articles", "app_state")
        }
    finally:
        conn.close()


def test_a_version_6_library_is_upgraded_keeping_every_row_without_the_dropped_indexes(
    tmp_path: Path,
) -> None:
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    _version_6(old)
    indexes_before = _indexes(old)
    assert {name for name in DROPPED if any(f"INDEX {name} " in sql for sql in indexes_before)}
    rows_before = _rows(old)

    with Library(old) as upgraded:
        assert upgraded.counts()[:2] == (17, 13)
    with Library(new) as fresh:
        _stock(fresh)

    conn = sqlite3.connect(old)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        fts = "INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)"
        bodies.register(conn)
        conn.execute(fts)  # the search index still agrees with the stories
    finally:
        conn.close()
    # Every row as it was; stories have the enclosures column (schema 8) after, all NULL.
    rows_after = _rows(old)
    stories_after = rows_after.pop("stories")
    stories_before = rows_before.pop("stories")
    assert rows_after == rows_before
    assert [row[:-1] for row in stories_after] == stories_before
    assert {row[-1] for row in stories_after} == {None}
    assert _indexes(old) == _indexes(new)  # as a new library has them
    assert not [sql for sql in _indexes(old) for name in DROPPED if f"INDEX {name} " in sql]
    assert indexes_before - _indexes(old) == {
        sql for sql in indexes_before if any(f"INDEX {name} " in sql for name in DROPPED)
    }


def test_a_library_missing_a_dropped_index_already_is_upgraded_all_the_same(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    _version_6(path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP INDEX stories_by_date")
    conn.close()
    with Library(path) as upgraded:
        assert upgraded.counts()[:2] == (17, 13)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    finally:
        conn.close()


# --- the statements that used a dropped index -------------------------------------------

Run = Callable[[sqlite3.Connection, int], object]


def _feed_stories(conn: sqlite3.Connection, feed_id: int) -> object:
    return list_stories(conn, StoryFilter(feed_id=feed_id), limit=5)


def _feed_unread(conn: sqlite3.Connection, feed_id: int) -> object:
    return list_stories(conn, StoryFilter(feed_id=feed_id, unread_only=True), limit=5)


def _mark_feed_read(conn: sqlite3.Connection, feed_id: int) -> object:
    return mark_filtered_read(conn, StoryFilter(feed_id=feed_id), NOW)


def _removed_feed_stories(conn: sqlite3.Connection, feed_id: int) -> object:
    # What tui.core.store.feeds.remove_feed runs on the stories of the feed removed.
    return conn.execute(
        "DELETE FROM stories WHERE feed_id = ? AND bookmarked = 0", (feed_id,)
    ).rowcount


def _adopted_by_sync(conn: sqlite3.Connection, feed_id: int) -> object:
    # What tui.core.sync.engine runs to match a newly synced feed's stories by link.
    return conn.execute(
        "SELECT id, link_key, read, bookmarked FROM stories"
        " WHERE feed_id = ? AND remote_id IS NULL AND link_key != ''",
        (feed_id,),
    ).fetchall()


def _reindexed(conn: sqlite3.Connection, feed_id: int) -> object:
    bodies.reindex_feed_stories(conn, feed_id, "Wire")
    return None


FEED_KEY = ("INDEX stories_by_feed_key (feed_id=?)",)
# A feed's newest few: by the feed's stories, sorted (what a large library's statistics
# choose), or along the list's date index until enough of the feed's have passed.
NEWEST = (*FEED_KEY, "INDEX stories_dated")
# A feed's unread stories: by the index of the unread ones, when SQLite prefers it.
UNREAD = (*FEED_KEY, "INDEX stories_unread (feed_id=?)")
# Their copies in other feeds: the copies, by the duplicates index, each looking up its
# original by id.
UNREAD_AND_COPIES = (*UNREAD, "INDEX stories_duplicates")


@pytest.mark.parametrize(
    ("run", "uses"),
    [
        (fingerprints, FEED_KEY),
        (_feed_stories, NEWEST),
        (_feed_unread, NEWEST),
        (_mark_feed_read, UNREAD_AND_COPIES),
        (_removed_feed_stories, FEED_KEY),
        (_adopted_by_sync, FEED_KEY),
        (_reindexed, FEED_KEY),
    ],
)
def test_a_feeds_stories_are_found_by_an_index_not_a_scan(
    tmp_path: Path, run: Run, uses: tuple[str, ...]
) -> None:
    path = tmp_path / "library.db"
    with Library(path) as library:
        _stock(library)
        feed_id = library.feeds()[0].id
    conn = sqlite3.connect(path, isolation_level=None)
    bodies.register(conn)
    statements: list[str] = []
    conn.execute("BEGIN")
    conn.set_trace_callback(statements.append)
    run(conn, feed_id)
    conn.set_trace_callback(None)
    ours = [
        sql
        for sql in statements
        if "feed_id = " in sql and "stories_fts_" not in sql and "story_counts" not in sql
    ]
    assert ours, statements
    for sql in ours:
        plan = [str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
        assert any(index in step for step in plan for index in uses), (sql, plan)
        assert not [step for step in plan if _scans_the_rows(step)], (sql, plan)
    conn.execute("ROLLBACK")
    conn.close()


def test_a_rules_count_with_an_age_walks_the_date_index(tmp_path: Path) -> None:
    """Counts leave copies out, so stories_dated (of the listed stories) serves an age:
    range where stories_by_date did."""
    path = tmp_path / "library.db"
    with Library(path) as library:
        _stock(library)
    conn = sqlite3.connect(path)
    bodies.register(conn)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    assert count_matches(conn, [Rule("age:<5h", "hide")], NOW) == [11]
    conn.set_trace_callback(None)
    plan = [str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {statements[-1]}")]
    conn.close()
    assert any("INDEX stories_dated (sort_date>?)" in step for step in plan), plan
    assert not [step for step in plan if _scans_the_rows(step)], plan


def _scans_the_rows(step: str) -> bool:
    """A step reading every row of stories (under any alias), no index."""
    return step.startswith("SCAN ") and "INDEX" not in step and "stories_fts" not in step
