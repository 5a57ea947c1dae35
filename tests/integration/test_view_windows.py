"""A view's stories read a window at a time, as the list reads a topic's: every way of
reading a window (the top, after or before a story read, any offset) gives the slice of
the view's whole list; its counts, counted after the list's first frame, are the whole
list's; and they follow the marks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.settings import View
from tui.core.store import stories as story_queries

NOW = datetime.now(UTC)
VIEWS = [
    View("Comets", "comet"),  # words: one story in three
    View("Unread LWN", 'feed:"lwn" is:unread'),  # filters only, checked per story
    View("Rare", "title:nebula"),  # few: gathered as a set
    View("Nothing", "title:zebra"),
]


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    with Library(db_path) as opened:
        for feed in ("LWN", "Wire"):
            entries = []
            for n in range(60):
                word = "nebula" if n % 25 == 0 else "comet" if n % 3 == 0 else "glacier"
                link = f"https://{feed.lower()}.test/{n}"
                entries.append(
                    ParsedEntry(
                        key=link,
                        title=f"{feed} {word} {n}",
                        link=link,
                        summary=word,
                        # Some stories share a date: the order falls back on the id.
                        published=NOW - timedelta(hours=n - n % 4),
                    )
                )
            added = opened.add_feed(f"https://{feed.lower()}.test/feed", title=feed, topic=feed)
            opened.ingest(added.id, ParsedFeed(title=feed, entries=tuple(entries)), now=NOW)
        read = [story.id for story in opened.find("title:glacier", limit=500)][::3]
        opened.set_read(read)
        yield opened


def _whole(library: Library, view: View, *, unread: bool = False) -> list[int]:
    """The view's stories in list order, the way a search lists them (newest first)."""
    query = f"{view.query} is:unread" if unread else view.query
    return [story.id for story in library.find(query, limit=1000)]


@pytest.fixture(params=[3, 10_000], ids=["small pool", "default pool"])
def pool(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    # A small pool makes the walk run short and fall back on the set, as a rare view does
    # in a large library.
    monkeypatch.setattr(story_queries, "VIEW_POOL", request.param)
    return int(request.param)


@pytest.mark.parametrize("unread", [False, True])
@pytest.mark.parametrize("window", [1, 4, 7, 200])
def test_a_views_windows_are_the_slices_of_its_whole_list(
    library: Library, pool: int, window: int, unread: bool
) -> None:
    index = library.story_index(views=VIEWS, unread=unread)
    for view, group in zip(VIEWS, index.groups, strict=False):
        whole = _whole(library, view, unread=unread)
        assert group.count == len(whole)
        slug = group.topic.slug

        def read(
            offset: int, slug: str = slug, count: int = group.count, **edge: int | None
        ) -> list[int]:
            return library.story_window(
                slug, offset, window, count=count, views=VIEWS, unread=unread, **edge
            )

        # Down from the top, each window after the last story read.
        down: list[int] = []
        while len(down) < group.count:
            more = read(len(down), after=down[-1] if down else None)
            assert more == whole[len(down) : len(down) + window]
            down += more
        assert down == whole
        # Up from the end, each window before the first story read.
        for end in range(group.count, 0, -window):
            offset = max(0, end - window)
            before = whole[end] if end < group.count else None
            got = library.story_window(
                slug,
                offset,
                end - offset,
                count=group.count,
                before=before,
                views=VIEWS,
                unread=unread,
            )
            assert got == whole[offset:end]
        # Any offset, read without an edge.
        for offset in range(0, group.count, 5):
            assert read(offset) == whole[offset : offset + window]


def test_the_list_at_start_leaves_views_uncounted_and_their_counts_are_the_whole_lists(
    library: Library,
) -> None:
    at_start = library.story_index(views=VIEWS, count_views=False)
    counted = library.story_index(views=VIEWS)

    views = at_start.groups[: len(VIEWS)]
    assert [(g.count, g.unread, g.view) for g in views] == [(0, 0, True)] * len(VIEWS)
    assert at_start.views_end == 0
    assert at_start.groups[len(VIEWS) :] == tuple(
        g.__class__(g.topic, g.start - counted.views_end, g.count, g.unread)
        for g in counted.groups[len(VIEWS) :]
    )
    expected = []
    for view in VIEWS:
        whole = _whole(library, view)
        rows = library.rows_for(whole)
        expected.append((len(whole), sum(1 for i in whole if not rows[i].read)))
    assert library.view_counts(VIEWS) == expected
    assert [(g.count, g.unread) for g in counted.groups[: len(VIEWS)]] == expected
    assert counted.views_end == sum(count for count, _ in expected)


def test_a_views_counts_follow_a_mark_and_it_knows_which_views_listed_the_story(
    library: Library,
) -> None:
    comets = set(_whole(library, VIEWS[0]))
    story = next(i for i in _whole(library, VIEWS[1]) if i in comets)  # an unread LWN comet
    before = library.view_counts(VIEWS)

    assert library.views_listing(story, VIEWS) == [True, True, False, False]
    library.set_read([story])

    after = library.view_counts(VIEWS)
    assert after[0] == (before[0][0], before[0][1] - 1)  # read: one unread fewer
    assert after[1] == (before[1][0] - 1, before[1][1] - 1)  # unread only: gone from it
    assert after[2:] == before[2:]
    # As it is now, and as it was before the mark (what the list asks after one).
    assert library.views_listing(story, VIEWS) == [True, False, False, False]
    assert library.views_listing(story, VIEWS, read=False) == [True, True, False, False]
    # Where it is: under its topic, and in a view when the list is asked about views only
    # through them (a story no topic lists).
    assert library.story_position(story, views=VIEWS) == library.story_position(story)
    library.set_read([story], False)
    assert library.view_counts(VIEWS) == before
