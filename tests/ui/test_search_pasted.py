"""A page of text pasted into ``/`` gets a sentence at once, and the app stays usable."""

from __future__ import annotations

from textual.widgets import Input, Static

from tests.support.pilot import make_app, settle
from tui.core.library import Library
from tui.ui.dialogs.search import SearchScreen
from tui.ui.screens.main import MainScreen


async def test_pasting_ten_kilobytes_into_search(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        app.screen.query_one("#query", Input).value = "flood river " * 900  # a paste
        await pilot.pause(0.4)  # the search waits for typing to pause
        await settle(pilot)
        status = str(app.screen.query_one("#search-status", Static).render())
        assert "characters long" in status
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("j", "enter")  # stories still open
        await settle(pilot)
        assert app.main.reader.view is not None
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
