"""Ranked search scores the newest matches (a pool of RANK_POOL), not every match, so that a
broad word costs the same in a million stories as in ten thousand; and all of them when the
pool leaves fewer results than asked for. Shown here with a pool of four."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.store import search

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def library(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    monkeypatch.setattr(search, "RANK_POOL", 4)
    opened = Library(db_path)
    feed = opened.add_feed("https://port.test/feed", title="Port", topic="News")
    for n in range(10):  # one at a time: story n + 1 is the (n + 1)th to arrive
        entry = ParsedEntry(
            key=f"k{n}",
            # The oldest say it most: ranked over every match, they would come first.
            title=f"Harbour harbour harbour notice {n}" if n < 3 else f"Harbour notice {n}",
            link=f"https://port.test/{n}",
            author="Archivist" if n < 2 else "Clerk",
            summary="harbour works",
            published=NOW - timedelta(days=10 - n),
        )
        opened.ingest(feed.id, ParsedFeed(title="Port", entries=(entry,)), now=NOW)
    return opened


def _titles(library: Library, query: str, limit: int) -> set[str]:
    return {result.story.title for result in library.search(query, limit=limit)}


def test_a_broad_word_is_ranked_among_its_newest_matches(library: Library) -> None:
    with library:
        assert _titles(library, "harbour", 3) <= {f"Harbour notice {n}" for n in range(6, 10)}
        # Ranked over every match (the pool as big as the library), the oldest win.
        search.RANK_POOL = 1_000
        assert "Harbour harbour harbour notice 0" in _titles(library, "harbour", 3)


def test_all_matches_are_ranked_when_the_pool_holds_too_few(library: Library) -> None:
    with library:
        assert len(_titles(library, "harbour", 50)) == 10
        # Only the two oldest pass the filter: none is in the pool, all are found.
        assert _titles(library, "harbour author:archivist", 10) == {
            "Harbour harbour harbour notice 0",
            "Harbour harbour harbour notice 1",
        }
