"""The list's model and the Line API widget: 100k stories cost what 100 do."""

from __future__ import annotations

import time
from array import array
from datetime import timedelta
from pathlib import Path

from textual.app import App, ComposeResult

from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed, StoryIndex, StoryRow, Topic, TopicGroup
from tui.ui.widgets.story_list import StoryList
from tui.ui.widgets.story_list.model import ListModel, Marks


def _library(per_topic: dict[str, int]) -> tuple[StoryIndex, dict[int, StoryRow]]:
    """A view's order and its rows, as the library would give them (every third read)."""
    rows: dict[int, StoryRow] = {}
    groups: list[TopicGroup] = []
    for name, count in per_topic.items():
        start = len(rows)
        for n in range(count):
            story_id = len(rows) + 1
            rows[story_id] = StoryRow(
                story_id, name.lower(), name, f"{name} story {n}", "Feed",
                f"https://{name.lower()}.example/{n}", f"2026-02-{28 - n % 27:02d}T10:00:00+00:00",
                n % 3 == 0, False,
            )  # fmt: skip
        unread = sum(1 for n in range(count) if n % 3)
        groups.append(TopicGroup(Topic.from_name(name), start, count, unread))
    return StoryIndex(array("q", rows), tuple(groups)), rows


def _model(per_topic: dict[str, int]) -> tuple[ListModel, dict[int, StoryRow]]:
    order, rows = _library(per_topic)
    return ListModel(order.ids, order.groups), rows


def test_lines_map_to_headings_and_stories() -> None:
    index, _rows = _model({"Art": 2, "Bio": 3})
    assert index.line_count == 2 + 5
    line = index.line
    assert line(0).index is None and line(0).group == 0  # type: ignore[union-attr]
    assert line(1).index == 0 and line(2).index == 1  # type: ignore[union-attr]
    assert line(3).index is None and line(3).group == 1  # type: ignore[union-attr]
    assert line(6).index == 4  # type: ignore[union-attr]
    assert line(7) is None
    assert index.ids_on_lines(0, 4) == [1, 2]


def test_folding() -> None:
    index, _rows = _model({"Art": 2, "Bio": 3})
    index.toggle_fold(0)
    assert index.line_count == 1 + 4
    assert index.line(1).index is None and index.line(2).index == 2  # type: ignore[union-attr]
    assert index.line_of(0) is None and index.line_of(2) == 2
    index.set_all_folded(True)
    assert index.line_count == 2
    index.set_all_folded(False)
    assert index.line_count == 7
    assert index.find(5) == 4 and index.find(99) is None


def test_marks_win_until_saved_and_counts_follow() -> None:
    index, rows = _model({"Art": 3})
    index.store_rows(rows)
    assert index.groups[0].unread == 2
    sequence = index.mark(2, read=True)
    assert index.row(2).read and index.groups[0].unread == 1  # type: ignore[union-attr]
    assert index.is_unsaved(2, "read")
    index.store_rows({2: rows[2]}, since=index.generation)  # read before the save
    assert index.row(2).read  # type: ignore[union-attr]
    assert index.saved(2, "read", sequence)
    assert not index.is_unsaved(2, "read") and index.row(2).read  # type: ignore[union-attr]
    before_save = index.generation - 1
    index.store_rows({2: rows[2]}, since=before_save)  # asked before the save, came after
    assert index.row(2).read  # type: ignore[union-attr]
    index.store_rows({2: rows[2]._replace(read=False)}, since=index.generation)
    assert not index.overrides  # read after the save: the library speaks for itself again
    assert not index.row(2).read  # type: ignore[union-attr]  # (marked unread elsewhere)
    index.mark_topic_read("art")
    assert index.groups[0].unread == 0 and all(index.row(i).read for i in rows)  # type: ignore[union-attr]
    assert Marks({}, frozenset({"art"})).apply(rows[3]).read


def test_a_save_confirms_only_the_latest_mark_on_a_story() -> None:
    index, rows = _model({"Art": 3})
    index.store_rows(rows)
    first = index.mark(1, bookmarked=True)
    second = index.mark(1, bookmarked=False)
    third = index.mark(1, bookmarked=True)
    assert not index.saved(1, "bookmarked", first)  # later presses are still on their way
    assert not index.saved(1, "bookmarked", second)
    assert index.is_unsaved(1, "bookmarked") and index.row(1).bookmarked  # type: ignore[union-attr]
    assert index.saved(1, "bookmarked", third)
    assert not index.is_unsaved(1, "bookmarked")


def test_a_failed_save_shows_the_library_again() -> None:
    index, rows = _model({"Art": 3})
    index.store_rows(rows)
    sequence = index.mark(1, bookmarked=True)
    index.failed(1, "bookmarked", sequence)
    assert not index.is_unsaved(1, "bookmarked")
    assert index.row(1).bookmarked == rows[1].bookmarked  # type: ignore[union-attr]
    assert 1 not in index.fresh  # read again


def test_seek_plan_skips_topics_with_nothing_unread() -> None:
    index, _rows = _model({"Art": 3, "Bio": 3, "Cat": 3})
    index.groups[1].unread = 0
    assert index.seek_plan(1, forward=True) == [[2, 3], [7, 8, 9]]
    assert index.seek_plan(7, forward=False) == [[8, 7], [3, 2, 1]]


class _ListApp(App[None]):
    """The list alone, with rows served the way the main screen serves them."""

    def __init__(self, rows: dict[int, StoryRow]) -> None:
        super().__init__()
        self.rows = rows
        self.asked = 0

    def compose(self) -> ComposeResult:
        yield StoryList(id="stories")

    def on_story_list_rows_wanted(self, event: StoryList.RowsWanted) -> None:
        self.asked += len(event.story_ids)
        self.query_one(StoryList).add_rows({i: self.rows[i] for i in event.story_ids})


async def test_hundred_thousand_stories_cost_what_a_hundred_do() -> None:
    order, rows = _library({f"Topic {t:02d}": 5_000 for t in range(20)})
    app = _ListApp(rows)
    async with app.run_test(size=(100, 30)) as pilot:
        story_list = app.query_one(StoryList)
        started = time.perf_counter()
        story_list.set_order(order)
        await pilot.pause()
        await pilot.pause()
        assert story_list.virtual_size.height == 100_020
        assert story_list.render_line(1).text.strip().startswith("Topic 00 story 0")
        await pilot.press("G")  # to the very end, and draw it
        await pilot.pause()
        await pilot.pause()
        assert time.perf_counter() - started < 2.0
        assert story_list.current_id == order.ids[-1]
        last = story_list.scrollable_content_region.height - 1
        assert "Topic 19 story 4999" in story_list.render_line(last).text
        # Only rows near the screen were ever asked for, and few are held.
        assert app.asked < 300
        assert len(story_list.index.rows) < 300


# -- the real screen with more stories than it reads at once ------------------------------


def _big_library(path: Path, stories: int) -> Library:
    from tests.support.pilot import NOW, quiet_settings

    library = Library(path, quiet_settings())
    for topic in ("Alpha", "Beta", "Gamma"):
        feed = library.add_feed(f"https://{topic.lower()}.example/feed.xml", topic=topic)
        entries = tuple(
            ParsedEntry(
                key=f"{topic}-{n}", title=f"{topic} story {n}",
                link=f"https://{topic.lower()}.example/{n}",
                published=NOW - timedelta(minutes=10 * n + 1),
            )
            for n in range(stories // 3)
        )  # fmt: skip
        library.ingest(feed.id, ParsedFeed(title=topic, entries=entries), now=NOW)
    return library


async def test_rows_are_read_as_they_come_on_screen(tmp_path: Path) -> None:
    from tests.support.pilot import make_app, settle

    with _big_library(tmp_path / "big.db", 900) as library:
        first = library.story_rows()[0]
        library.set_read([row.id for row in library.story_rows() if row.id != first.id])
        app = make_app(library)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            stories = app.main.stories
            assert len(stories.index.ids) == 900
            assert len(stories.index.rows) < 900  # not everything was read
            await pilot.press("G")
            await settle(pilot)
            last = stories.scrollable_content_region.height - 1
            assert "Gamma story 299" in stories.render_line(last).text
            # The one unread story is far away, at the top: `p` goes and finds it.
            await pilot.press("p")
            await settle(pilot)
            assert stories.current_id == first.id
            assert app.main.reader.view is not None and app.main.reader.view.story.id == first.id
            await pilot.press("n")
            await settle(pilot)
            assert any("No more unread" in n.message for n in app._notifications)
