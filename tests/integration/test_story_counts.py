"""The counts the library keeps as stories change (schema 6): the list's topic counts, the
feed list's and the status bar's come from a few hundred kept rows, not from counting
every story. Triggers keep them, so every way a story changes must leave them equal to a
count over the stories themselves; each step here checks that, on a real library file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.settings import Rule, Settings
from tui.core.store import schema
from tui.core.store.pages import set_sentiments
from tui.core.store.stories import StoryFilter, group_counts

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
KEY = schema._count_values("s")
COLUMNS = schema._COUNT_COLUMNS


def _counted_by_hand(path: Path) -> set[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            f"SELECT {KEY}, count(*), count(*) FILTER (WHERE s.read = 0) FROM stories s"
            " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
        ).fetchall()
    finally:
        conn.close()
    return set(rows)


def _kept(path: Path) -> set[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            f"SELECT {COLUMNS}, total, unread FROM story_counts WHERE total != 0 OR unread != 0"
        ).fetchall()
    finally:
        conn.close()
    return set(rows)


def assert_counts_in_step(path: Path) -> None:
    assert _kept(path) == _counted_by_hand(path)


def _entries(prefix: str, count: int, *, link_base: str | None = None) -> tuple[ParsedEntry, ...]:
    base = link_base or f"https://{prefix}.test"
    return tuple(
        ParsedEntry(
            key=f"{prefix}-{i}",
            title=f"{prefix} story {i}" + (" sponsored" if i % 4 == 0 else ""),
            link=f"{base}/{i}",
            summary="words",
            content_html="<p>words</p>",
            published=NOW - timedelta(hours=i),
        )
        for i in range(count)
    )


@contextmanager
def _opened(path: Path, *rules: Rule) -> Iterator[Library]:
    with Library(path, Settings(rules=rules)) as library:
        yield library


def test_every_change_to_a_story_keeps_the_counts(db_path: Path) -> None:
    with _opened(db_path) as library:
        wire = library.add_feed("https://wire.test/feed", title="Wire", topic="News")
        digest = library.add_feed("https://digest.test/feed", title="Digest", topic="Tech")
        library.ingest(wire.id, ParsedFeed(title="Wire", entries=_entries("wire", 12)), now=NOW)
        assert_counts_in_step(db_path)
        # A feed that brings the same links: its stories are copies (dup_of), not listed.
        library.ingest(
            digest.id,
            ParsedFeed(
                title="Digest",
                entries=_entries("digest", 6, link_base="https://wire.test") + _entries("own", 3),
            ),
            now=NOW,
        )
        assert_counts_in_step(db_path)
        ids = [s.id for s in library.stories()]
        library.set_read(ids[:5])
        library.set_read(ids[2:4], False)
        library.set_bookmarked(ids[:3])
        library.mark_topic_read("tech")
        assert_counts_in_step(db_path)
        library._db.write(set_sentiments, [(ids[0], "negative", -0.5), (ids[1], "positive", 0.4)])
        assert_counts_in_step(db_path)
    # Rules: hide, file under another topic, mark read; then taken away again.
    rules = (
        Rule("title:sponsored", "hide"),
        Rule("feed:wire", "topic", "Briefs"),
        Rule("own", "read"),
    )
    with _opened(db_path, *rules) as library:
        library.apply_rules()
        assert_counts_in_step(db_path)
        assert any(t.topic.slug == "briefs" for t in library.topics())
    with _opened(db_path) as library:
        library.apply_rules()
        assert_counts_in_step(db_path)
        # A removed feed: its bookmarks stay as orphans, its copies stand on their own.
        library.remove_feed(wire.id)
        assert_counts_in_step(db_path)
        again = library.add_feed("https://wire.test/feed", title="Wire again", topic="News")
        library.ingest(again.id, ParsedFeed(title="Wire", entries=_entries("wire", 2)), now=NOW)
        assert_counts_in_step(db_path)
        library.remove_feed(digest.id)
        assert_counts_in_step(db_path)


def test_the_list_counts_agree_with_the_list_for_every_filter(db_path: Path) -> None:
    with _opened(db_path, Rule("title:sponsored", "hide")) as library:
        for name, topic in (("wire", "News"), ("lab", "Science"), ("desk", "News")):
            feed = library.add_feed(f"https://{name}.test/feed", title=name, topic=topic)
            library.ingest(feed.id, ParsedFeed(title=name, entries=_entries(name, 9)), now=NOW)
        ids = [s.id for s in library.stories()]
        library.set_read(ids[::3])
        library.set_bookmarked(ids[::5])
        library._db.write(set_sentiments, [(i, "negative", -0.5) for i in ids[::2]])
        filters = [
            StoryFilter(),
            StoryFilter(unread_only=True),
            StoryFilter(bookmarked_only=True),
            StoryFilter(sentiment="negative"),
            StoryFilter(with_hidden=True),
            StoryFilter(topic_slug="news", unread_only=True),
            StoryFilter(feed_id=1),
        ]
        for story_filter in filters:
            counted = library._db.read(group_counts, story_filter)
            where, params = story_filter.where()
            by_hand = library._db.read(
                lambda conn, where=where, params=params: conn.execute(
                    "SELECT coalesce(s.rule_topic_slug, f.topic_slug, s.orphan_topic_slug,"
                    " 'general') AS slug, count(*), count(*) FILTER (WHERE s.read = 0)"
                    f" FROM stories s LEFT JOIN feeds f ON f.id = s.feed_id{where}"
                    " GROUP BY slug ORDER BY slug",
                    params,
                ).fetchall()
            )
            assert [(slug, n, unread) for slug, _, n, unread in counted] == by_hand, story_filter
        unread = sum(1 for s in library.stories() if not s.read)
        assert library.counts()[:2] == (len(library.stories()), unread)


def test_an_upgraded_library_counts_its_stories_once(db_path: Path) -> None:
    with _opened(db_path) as library:
        feed = library.add_feed("https://wire.test/feed", title="Wire", topic="News")
        library.ingest(feed.id, ParsedFeed(title="Wire", entries=_entries("wire", 7)), now=NOW)
        library.set_read([s.id for s in library.stories()][:2])
    # As schema 5 left it: no kept counts, no triggers, the list's old index.
    listed = next(
        statement
        for statement in schema.SCHEMA_V4.split(";\n")
        if statement.strip().startswith("CREATE INDEX stories_listed")
    )
    conn = sqlite3.connect(db_path)
    with conn:
        for trigger in ("insert", "delete", "update"):
            conn.execute(f"DROP TRIGGER story_counts_{trigger}")
        conn.execute("DROP TABLE story_counts")
        conn.execute("DROP INDEX stories_dated")
        conn.execute(listed)
        conn.execute("ALTER TABLE stories DROP COLUMN enclosures")  # schema 8's
        conn.execute("DROP TABLE downloads")  # schema 9's
        conn.execute("PRAGMA user_version = 5")
    conn.close()
    with _opened(db_path) as library:
        assert library.counts()[:2] == (7, 5)
        assert [(f.title, f.unread, f.total) for f in library.feeds()] == [("Wire", 5, 7)]
    assert_counts_in_step(db_path)
