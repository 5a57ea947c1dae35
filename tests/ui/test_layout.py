"""Wide terminals show both panes; narrow ones show one, switched by Enter and Esc."""

from __future__ import annotations

from tests.support.pilot import focused, make_app, settle
from tui.core.library import Library


async def test_narrow_layout_switches_panes(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        stories, reader = app.main.stories, app.main.reader
        assert stories.display and stories.region.width > 0
        assert reader.region.width == 0  # hidden
        await pilot.press("j", "enter")
        await settle(pilot)
        assert reader.region.width > 0 and stories.region.width == 0
        assert focused(app) is reader
        await pilot.press("escape")
        await pilot.pause()
        assert stories.region.width > 0 and reader.region.width == 0
        assert focused(app) is stories
        # Enter again, then widen the terminal: both panes, the story still open.
        await pilot.press("enter")
        await settle(pilot)
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        assert stories.region.width > 0 and reader.region.width > 0
        assert reader.view is not None
        await pilot.resize_terminal(80, 40)
        await pilot.pause()
        assert reader.region.width > 0 and stories.region.width == 0  # still reading


async def test_wide_layout_tab_switches_focus(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        stories, reader = app.main.stories, app.main.reader
        assert stories.region.width > 0 and reader.region.width > 0
        await pilot.press("j", "enter")
        await settle(pilot)
        assert focused(app) is stories  # the list keeps the keys on a wide terminal
        await pilot.press("tab")
        assert focused(app) is reader
        await pilot.press("escape")
        assert focused(app) is stories


async def test_space_pages_the_reader(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 20)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        reader = app.main.reader
        assert reader.max_scroll_y > 0
        await pilot.press("space")
        await pilot.pause()
        assert reader.scroll_y > 0


async def test_mouse_selects_then_opens(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        stories = app.main.stories
        await pilot.click("#stories", offset=(10, 2))
        await pilot.pause()
        assert stories.cursor == 2
        assert app.main.reader.view is None  # one click selects
        row = stories.current_row
        assert row is not None
        await pilot.click("#stories", offset=(10, 2))  # a second click opens
        await settle(pilot)
        assert app.main.reader.view is not None and app.main.reader.view.story.id == row.id
        await pilot.double_click("#stories", offset=(10, 3))
        await settle(pilot)
        current = stories.current_row
        assert current is not None and app.main.reader.view.story.id == current.id


async def test_tab_switches_panes_on_a_narrow_terminal(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("tab")  # nothing open yet: stays on the list
        assert not app.main.reading
        await pilot.press("j", "enter")
        await settle(pilot)
        assert app.main.reading and focused(app) is app.main.reader
        await pilot.press("tab")
        assert not app.main.reading and focused(app) is app.main.stories
        await pilot.press("tab")
        assert app.main.reading and focused(app) is app.main.reader
