"""The feed manager (``f``) edits a feed's settings: its interval (``e``), full text
(``F``), pause (``p``) and name (``n``), saved in the library and shown on its row."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.support.pilot import make_app, settle
from tui.core.library import Library
from tui.core.models import FullText
from tui.ui.dialogs.feeds import FeedsScreen
from tui.ui.dialogs.prompt import PromptScreen

SETTINGS = 4  # the settings column


def _settings_cell(app: object, feed_id: int) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    table = screen.query_one("#feed-table", DataTable)
    return str(table.get_row(str(feed_id))[SETTINGS])


async def test_the_feed_manager_sets_the_interval_pauses_and_cycles_full_text(
    demo_library: Library,
) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        feed = app.screen.current
        assert feed is not None and _settings_cell(app, feed.id) == ""

        await pilot.press("e")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"6h", "enter")
        await settle(pilot)
        assert demo_library.feed(feed.id).every_minutes == 360
        assert _settings_cell(app, feed.id) == "every 6h"

        await pilot.press("p")
        await settle(pilot)
        assert demo_library.feed(feed.id).paused
        assert _settings_cell(app, feed.id) == "every 6h · paused"

        await pilot.press("F")
        await settle(pilot)
        assert demo_library.feed(feed.id).full_text is FullText.ALWAYS
        assert _settings_cell(app, feed.id) == "every 6h · full text always · paused"

        await pilot.press("p", "F")
        await settle(pilot)
        assert _settings_cell(app, feed.id) == "every 6h · full text never"
        assert isinstance(app.screen, FeedsScreen) and app.screen.current == demo_library.feed(
            feed.id
        )


async def test_an_interval_that_means_nothing_changes_nothing_and_off_clears_it(
    demo_library: Library,
) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        feed = app.screen.current  # type: ignore[attr-defined]
        await pilot.press("e", *"90m", "enter")
        await settle(pilot)

        await pilot.press("e", "ctrl+a", "ctrl+k", *"often", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        assert demo_library.feed(feed.id).every_minutes == 90

        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one("#answer").value == "90m"  # type: ignore[attr-defined]
        await pilot.press("ctrl+a", "ctrl+k", *"off", "enter")
        await settle(pilot)
        assert demo_library.feed(feed.id).every_minutes is None
        assert _settings_cell(app, feed.id) == ""


async def test_a_feed_renamed_in_the_feed_manager_keeps_a_hostile_name_as_plain_text(
    demo_library: Library,
) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        feed = app.screen.current  # type: ignore[attr-defined]

        await pilot.press("n", "ctrl+a", "ctrl+k", *"[b]Bold[/b] news", "enter")
        await settle(pilot)

        assert demo_library.feed(feed.id).title == "[b]Bold[/b] news"
        table = app.screen.query_one("#feed-table", DataTable)
        assert str(table.get_row(str(feed.id))[1]) == "[b]Bold[/b] news"
