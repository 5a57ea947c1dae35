"""Keymaps from Settings.keys, the remembered theme, and the first-launch welcome."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from tests.support.pilot import NOW, make_app, quiet_settings, rows, settle
from tui.core.library import Library
from tui.core.settings import Settings, UISettings
from tui.ui.app import THEME_KEY, NewstermApp
from tui.ui.dialogs.help import HelpScreen
from tui.ui.screens.main import MainScreen
from tui.ui.screens.welcome import WelcomeScreen


async def test_keys_are_remapped_by_binding_id(demo_db: Path) -> None:
    settings = quiet_settings(toggle_bookmark="x", cursor_down="ctrl+n", search="w")
    with Library(demo_db, settings) as library:
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+n", "ctrl+n")
            assert app.main.stories.cursor == 2
            row = app.main.stories.current_row
            assert row is not None and not row.bookmarked
            await pilot.press("b")  # no longer bound
            await settle(pilot)
            assert not rows(library)[row.id].bookmarked
            await pilot.press("x")
            await settle(pilot)
            assert rows(library)[row.id].bookmarked
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            table = app.screen.query_one("#keys", DataTable)
            keys = {
                str(table.get_row_at(i)[2]): str(table.get_row_at(i)[0])
                for i in range(table.row_count)
            }
            assert keys["toggle_bookmark"] == "x"
            await pilot.press("escape", "w")
            assert app.screen.__class__.__name__ == "SearchScreen"


async def test_unknown_binding_ids_are_reported_not_fatal(demo_db: Path) -> None:
    settings = quiet_settings(no_such_binding="x")
    with Library(demo_db, settings) as library:
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            assert app.is_running
            assert any("no_such_binding" in n.message for n in app._notifications)


async def test_theme_from_settings_then_remembered(demo_db: Path) -> None:
    settings = Settings(refresh=quiet_settings().refresh, ui=UISettings(theme="nord"))
    with Library(demo_db, settings) as library:
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            assert app.theme == "nord"
            app.theme = "gruvbox"  # as the palette's "Theme" command does
            await settle(pilot)
    with Library(demo_db, settings) as other:
        assert other.get_state(THEME_KEY) == "gruvbox"
        app = make_app(other, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            assert app.theme == "gruvbox"
    # Naming another theme in config.toml wins over the one remembered.
    changed = Settings(refresh=settings.refresh, ui=UISettings(theme="tokyo-night"))
    with Library(demo_db, changed) as other:
        app = make_app(other, changed)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            assert app.theme == "tokyo-night"


async def test_empty_library_welcomes_and_opens_the_demo(tmp_path: Path) -> None:
    with Library(tmp_path / "empty.db", quiet_settings()) as library:
        app = NewstermApp(library, library.settings, now=lambda: NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, WelcomeScreen)
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert app.session.library is not library and app.session.demo
            assert len(app.main.stories.index) > 20
            assert app.main.status.mode == "PAUSED"
        assert library.counts() == (0, 0, 0)  # the user's library was not touched


async def test_welcome_starter_set_imports_feeds(tmp_path: Path, monkeypatch: object) -> None:
    with Library(tmp_path / "empty.db", quiet_settings()) as library:
        app = NewstermApp(library, library.settings, now=lambda: NOW)
        refreshed: list[object] = []
        app.refresh_feeds = refreshed.append  # type: ignore[method-assign,assignment]
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, WelcomeScreen)
            await pilot.press("s")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert library.feeds()  # subscribed; the refresh (network) was asked for
            assert refreshed == [None]


async def test_auto_refresh_is_live_and_refreshes_feeds_that_are_due(demo_db: Path) -> None:
    from datetime import timedelta

    from tui.core.settings import RefreshSettings

    settings = Settings(refresh=RefreshSettings(auto_minutes=30))
    with Library(demo_db, settings) as library:
        # Just built: nothing is due, so nothing is fetched.
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            assert app.main.status.mode == "LIVE"
            assert app.last_report is None
        # Two hours on, every feed is due: a refresh runs at start. The demo feeds are
        # files, so this works offline.
        later = NewstermApp(library, settings, now=lambda: NOW + timedelta(hours=2))
        async with later.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            assert later.last_report is not None
            assert len(later.last_report.feeds) == len(library.feeds())
            assert later.main.status.mode == "LIVE"
            assert later.main.status.progress is None


async def test_empty_views_say_so(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("M", "y")  # the first topic, all read
        await settle(pilot)
        demo_library.mark_topic_read  # noqa: B018 - (the app did it through its worker)
        for group in list(app.main.stories.index.groups):
            demo_library.mark_topic_read(group.slug)
        await pilot.press("u")
        await settle(pilot)
        assert len(app.main.stories.index) == 0
        assert "Nothing unread" in app.main.stories.render_line(0).text
