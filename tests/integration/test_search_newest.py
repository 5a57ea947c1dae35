"""A query of filters (and `list --query`, words too) walks the newest FILTER_POOL stories
and stops at a page of results; when those hold too few it asks the whole library, and
either way the rows are the same. Shown here with a pool of four. Also: snippets for a
prefix's results, and the General topic of a feed without one, by either way."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.settings import Rule
from tui.core.store import search

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _entry(n: int, title: str, author: str = "Clerk") -> ParsedEntry:
    return ParsedEntry(
        key=f"k{n}",
        title=title,
        link=f"https://port.test/{n}",
        author=author,
        summary="port works",
        published=NOW - timedelta(days=n),  # story n is n days old
    )


@pytest.fixture
def library(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Library]:
    monkeypatch.setattr(search, "FILTER_POOL", 4)
    with Library(db_path) as opened:
        port = opened.add_feed("https://port.test/feed", title="Port", topic="News")
        # Ten days of notices; the two oldest are the archivist's.
        entries = tuple(
            _entry(n, f"Harbour notice {n}", "Archivist" if n >= 8 else "Clerk") for n in range(10)
        )
        opened.ingest(port.id, ParsedFeed(title="Port", entries=entries), now=NOW)
        # A feed with no topic: its stories are General's. Older than every notice.
        quay = opened.add_feed("https://quay.test/feed", title="Quay")
        old = (_entry(20, "Quay tide table"), _entry(21, "Quay harbour dues"))
        opened.ingest(quay.id, ParsedFeed(title="Quay", entries=old), now=NOW)
        yield opened


def _statements(library: Library, call: Callable[[], object]) -> list[str]:
    conn = library._db._conn
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        call()
    finally:
        conn.set_trace_callback(None)
    return seen


def _whole_library(statements: list[str]) -> bool:
    """Whether a find went past the pool (its statements name no index but the FTS's)."""
    return any("INDEXED BY" not in sql and "ORDER BY s.sort_date" in sql for sql in statements)


def _titles(library: Library, query: str, limit: int) -> list[str]:
    return [story.title for story in library.find(query, limit=limit)]


def _both_ways(library: Library, query: str, limit: int) -> list[str]:
    """The titles ``find`` gives with a pool of four, after checking that they are the
    titles it gives walking the whole library (a pool as big as the library)."""
    pooled = _titles(library, query, limit)
    searched = [r.story.title for r in library.search(query, limit=limit)]
    search.FILTER_POOL = 1_000
    walked = _titles(library, query, limit)
    search.FILTER_POOL = 4
    assert pooled == walked
    if " " not in query and "*" not in query and ":" in query:  # filters only: newest first
        assert searched == walked
    return pooled


def test_a_filter_most_stories_pass_ends_in_the_pool(library: Library) -> None:
    expected = ["Harbour notice 0", "Harbour notice 1", "Harbour notice 2"]
    assert _both_ways(library, "topic:news", 3) == expected
    assert _both_ways(library, "harbour topic:news", 3) == expected
    statements = _statements(library, lambda: library.find("topic:news", limit=3))
    assert not _whole_library(statements), statements


def test_a_rare_filter_is_found_past_the_pool(library: Library) -> None:
    expected = ["Harbour notice 8", "Harbour notice 9"]
    assert _both_ways(library, "author:archivist", 10) == expected
    assert _both_ways(library, "harbour author:archivist", 10) == expected
    assert _both_ways(library, "notice feed:port author:archivist", 1) == expected[:1]
    statements = _statements(library, lambda: library.find("author:archivist", limit=10))
    assert _whole_library(statements), statements


def test_a_page_larger_than_the_pool_is_whole(library: Library) -> None:
    assert len(_both_ways(library, "-tone:negative", 50)) == 12
    assert len(_both_ways(library, "harbour", 50)) == 11
    assert _both_ways(library, "topic:news", 0) == []


def test_a_feed_without_a_topic_is_generals_by_either_way(library: Library) -> None:
    quay = ["Quay tide table", "Quay harbour dues"]
    assert _both_ways(library, "topic:general", 10) == quay
    assert _both_ways(library, "harbour topic:general", 10) == quay[1:]
    assert _both_ways(library, "-topic:general", 50)[-1] == "Harbour notice 9"
    # A rule sees it too (the rules gather topics as sets).
    assert library.rule_counts([Rule("topic:general", "hide")]) == [2]


def test_a_prefix_has_a_snippet_for_every_result(library: Library) -> None:
    results = library.search("harb*", limit=50)
    assert len(results) == 11
    assert all("harbour" in result.snippet.lower() for result in results)
    assert [r.story.title for r in library.search("harb* author:archivist")] == [
        "Harbour notice 8",
        "Harbour notice 9",
    ]
