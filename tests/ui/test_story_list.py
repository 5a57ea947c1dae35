"""The list's model and the Line API widget: 100k stories cost what 100 do, and the list
knows only the windows of stories it has read."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from textual.app import App, ComposeResult

from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed, StoryIndex, StoryRow, Topic, TopicGroup
from tui.ui.widgets.story_list import StoryList
from tui.ui.widgets.story_list.model import WINDOW, ListModel, Marks, Window


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
    return StoryIndex(tuple(groups)), rows


def _model(per_topic: dict[str, int]) -> tuple[ListModel, dict[int, StoryRow]]:
    """A model that has read every window (story ``n + 1`` at position ``n``)."""
    order, rows = _library(per_topic)
    model = ListModel(order)
    model.fill(0, list(rows))
    return model, rows


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

    def stretches(plan: list[Window]) -> list[tuple[str, int, int]]:
        return [(w.slug, w.start + w.offset, w.limit) for w in plan]

    assert stretches(index.seek_plan(1, forward=True)) == [("art", 1, 2), ("cat", 6, 3)]
    assert stretches(index.seek_plan(7, forward=False)) == [("cat", 6, 2), ("art", 0, 3)]


def test_only_the_windows_read_are_known_and_the_missing_ones_are_asked_for() -> None:
    order, _rows = _library({"Art": 450, "Bio": 30})
    model = ListModel(order)
    assert len(model) == 480 and not model.known
    assert model.line(1).index == 0 and model.id_at(0) is None  # type: ignore[union-attr]
    wanted = model.windows_wanted(0, 10)
    assert [(w.slug, w.offset, w.limit, w.after, w.before) for w in wanted] == [
        ("art", 0, WINDOW, None, None)
    ]
    model.fill(0, list(range(1, WINDOW + 1)))
    # The next window goes on from the last story read, not from a count.
    (next_window,) = model.windows_wanted(WINDOW, WINDOW + 5)
    assert (next_window.offset, next_window.after, next_window.before) == (WINDOW, WINDOW, None)
    # Across the end of one topic into the next: one window each, the last one short.
    spans = model.windows_wanted(440, 455)
    assert [(w.slug, w.offset, w.limit) for w in spans] == [("art", 400, 50), ("bio", 0, 30)]
    assert model.find(7) == 6 and model.find(999) is None
    model.fill(440, [900 + n for n in range(10)])
    assert model.positions(905) == [445]


class _ListApp(App[None]):
    """The list alone, with rows served the way the main screen serves them."""

    def __init__(self, rows: dict[int, StoryRow]) -> None:
        super().__init__()
        self.rows = rows
        self.asked = 0
        self.windows = 0

    def compose(self) -> ComposeResult:
        yield StoryList(id="stories")

    def on_story_list_rows_wanted(self, event: StoryList.RowsWanted) -> None:
        # Story n + 1 sits at position n, as _library lays them out.
        read = [(w, [w.start + w.offset + n + 1 for n in range(w.limit)]) for w in event.windows]
        asked = event.story_ids + [story_id for _, ids in read for story_id in ids]
        self.asked += len(asked)
        self.windows += len(read)
        self.query_one(StoryList).add_rows({i: self.rows[i] for i in asked}, asked, None, read)


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
        assert story_list.current_id == 100_000
        last = story_list.scrollable_content_region.height - 1
        assert "Topic 19 story 4999" in story_list.render_line(last).text
        # Only the windows near the screen were ever read, and few rows are held.
        assert app.windows <= 4 and app.asked <= 4 * 200
        assert len(story_list.index.known) <= 4 * 200
        assert len(story_list.index.rows) <= 4 * 200


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
            assert len(stories.index) == 900
            assert len(stories.index.known) < 900  # not every story was read
            assert len(stories.index.rows) < 900
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
