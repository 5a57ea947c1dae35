"""Reading: opening marks read at once, bookmarks, views, next unread, sections, outline."""

from __future__ import annotations

from pathlib import Path

from tests.support.pilot import make_app, rows, settle, title_row
from tui.core.library import Library
from tui.ui.dialogs.confirm import ConfirmScreen
from tui.ui.dialogs.outline import OutlineScreen
from tui.ui.screens.main import MainScreen


def main_screen(app: object) -> MainScreen:
    screen = app.main  # type: ignore[attr-defined]
    assert isinstance(screen, MainScreen)
    return screen


async def test_list_shows_topics_and_counts(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        stories = app.main.stories
        names = [group.name for group in stories.index.groups]
        assert names == sorted(names, key=str.lower)
        assert len(stories.index) == len(demo_library.story_rows())
        total, unread, _ = demo_library.counts()
        assert (app.main.status.indexed, app.main.status.unread) == (total, unread)
        assert app.main.status.mode == "PAUSED"  # auto-refresh is off in the tests
        first = stories.render_line(0).text
        assert first.strip().startswith("▾ " + names[0])


async def test_open_marks_read_saved_at_once(demo_library: Library, demo_db: Path) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        row = app.main.stories.current_row
        assert row is not None and not row.read
        await pilot.press("enter")
        await settle(pilot)
        # A second connection to the file sees the mark: it was saved, not just shown.
        with Library(demo_db) as other:
            assert rows(other)[row.id].read
        current = app.main.stories.current_row
        assert current is not None and current.id == row.id and current.read
        assert app.main.reader.view is not None and app.main.reader.view.story.id == row.id
        assert app.main.status.path.startswith(f"news/{row.topic_slug}/")
        assert app.main.status.reading.startswith("read:")


async def test_bookmark_round_trip(demo_library: Library, demo_db: Path) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        row = app.main.stories.current_row
        assert row is not None and not row.bookmarked
        await pilot.press("b")
        await settle(pilot)
        with Library(demo_db) as other:
            assert rows(other)[row.id].bookmarked
        assert "★" in app.main.stories.render_line(app.main.stories.cursor).text
        await pilot.press("b")
        await settle(pilot)
        with Library(demo_db) as other:
            assert not rows(other)[row.id].bookmarked


async def test_toggle_read_and_next_unread(demo_library: Library, demo_db: Path) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")  # the first unread story opens
        await settle(pilot)
        opened = app.main.reader.view
        assert opened is not None
        with Library(demo_db) as other:
            assert rows(other)[opened.story.id].read
        await pilot.press("m")  # back to unread
        await settle(pilot)
        with Library(demo_db) as other:
            assert not rows(other)[opened.story.id].read
        await pilot.press("n")
        await settle(pilot)
        second = app.main.reader.view
        assert second is not None and second.story.id != opened.story.id


async def test_views(demo_library: Library) -> None:
    app = make_app(demo_library)
    everything = demo_library.story_rows()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        stories = app.main.stories
        await pilot.press("u")
        await settle(pilot)
        unread = {row.id for row in everything if not row.read}
        assert stories.index.known and set(stories.index.known.values()) == unread
        assert app.main.status.path == "news/unread"
        await pilot.press("B")
        await settle(pilot)
        bookmarked = {row.id for row in everything if row.bookmarked}
        assert set(stories.index.known.values()) == bookmarked
        await pilot.press("A")
        await settle(pilot)
        assert len(stories.index) == len(everything)
        await pilot.press("j", "T")  # the cursor's topic only
        await settle(pilot)
        slugs = {group.slug for group in stories.index.groups}
        assert len(slugs) == 1
        slug = slugs.pop()
        assert set(stories.index.known.values()) == {
            row.id for row in everything if row.topic_slug == slug
        }
        assert app.main.status.path == f"news/{slug}"
        await pilot.press("escape")  # back to all stories
        await settle(pilot)
        assert len(stories.index) == len(everything)


async def test_fold_topic(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        stories = app.main.stories
        before = stories.index.line_count
        await pilot.press("enter")  # on the first heading: folds it
        first = stories.index.groups[0]
        assert stories.index.line_count == before - first.count
        assert "▸" in stories.render_line(0).text
        await pilot.press("space")  # space folds too
        assert stories.index.line_count == before
        await pilot.click("#stories", offset=(3, 0))  # and a click on the heading
        assert stories.index.line_count == before - first.count


async def test_mark_topic_read_asks_first(demo_library: Library, demo_db: Path) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        slug = app.main.stories.index.groups[0].slug
        await pilot.press("M")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: nothing changes
        await settle(pilot)
        with Library(demo_db) as other:
            assert any(not r.read for r in other.story_rows(topic=slug))
        await pilot.press("M", "y")
        await settle(pilot)
        with Library(demo_db) as other:
            assert all(r.read for r in other.story_rows(topic=slug))
        assert app.main.stories.index.groups[0].unread == 0


async def test_section_jumps_and_outline(demo_library: Library) -> None:
    row = title_row(demo_library, "one in a hundred years")
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.main.stories.move_to_story(row.id)
        await pilot.press("enter")
        await settle(pilot)
        reader = app.main.reader
        headings = reader.section_titles
        assert len(headings) >= 2
        assert reader.scroll_y == 0
        await pilot.press("right_square_bracket")
        await pilot.pause()
        tops = [h.virtual_region.y for h in reader._headings]
        assert reader.scroll_y == tops[0]
        assert reader.current_section() == 0
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert reader.current_section() == 1 or reader.scroll_y == reader.max_scroll_y
        await pilot.press("left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert reader.scroll_y == 0
        await pilot.press("t")
        assert isinstance(app.screen, OutlineScreen)
        await pilot.press("down", "down", "enter")  # (top), first, second section
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert reader.scroll_y == min(tops[1], reader.max_scroll_y)


async def test_related_stories_open(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        view = app.main.reader.view
        assert view is not None and len(view.related) == 5
        assert all(other.topic.slug == view.story.topic.slug for other in view.related)
        await pilot.press("tab", "tab")  # list → reader → "more in #topic"
        await pilot.press("down", "enter")
        await settle(pilot)
        opened = app.main.reader.view
        assert opened is not None and opened.story.id == view.related[1].id
        row = app.main.stories.current_row
        assert row is not None and row.id == opened.story.id
