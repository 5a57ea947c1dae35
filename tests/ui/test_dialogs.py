"""Search, the feed manager, help, the command palette, links."""

from __future__ import annotations

import webbrowser

import pytest
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets import DataTable, OptionList

from tests.support.pilot import make_app, settle, title_row
from tui.core.library import Library
from tui.ui.dialogs.feeds import FeedsScreen
from tui.ui.dialogs.help import HelpScreen
from tui.ui.dialogs.search import SearchScreen
from tui.ui.keys import key_rows
from tui.ui.screens.main import MainScreen


def record_browser_opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Stand in for ``webbrowser.open``: the URLs it is asked to open, none really opened."""
    opened: list[str] = []

    def fake_open(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    return opened


async def test_search_then_enter_opens(demo_library: Library) -> None:
    expected = demo_library.search("flood", forgiving=True)[0].story
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"flood")
        await pilot.pause(0.4)  # the search waits for typing to pause
        await settle(pilot)
        results = app.screen.query_one("#results", OptionList)
        assert results.option_count >= 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        view = app.main.reader.view
        assert view is not None and view.story.id == expected.id
        row = app.main.stories.current_row
        assert row is not None and row.id == expected.id and row.read


async def test_search_forgives_odd_queries(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *'"unbalanced AND (', "enter")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)  # no crash, still searching
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_feed_manager_shows_status(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        table = app.screen.query_one("#feed-table", DataTable)
        assert table.row_count == len(demo_library.feeds())
        statuses = {str(table.get_row_at(i)[3]) for i in range(table.row_count)}
        assert statuses == {"ok"}
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_feed_manager_retopic_and_remove(demo_library: Library, demo_db: object) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        feed = app.screen.current  # type: ignore[attr-defined]
        await pilot.press("t", "ctrl+a", "ctrl+k", *"Elsewhere", "enter")
        await settle(pilot)
        assert demo_library.feed(feed.id).topic.name == "Elsewhere"
        assert "elsewhere" in {group.slug for group in app.main.stories.index.groups}
        await pilot.press("d", "y")
        await settle(pilot)
        assert feed.id not in {f.id for f in demo_library.feeds()}
        table = app.screen.query_one("#feed-table", DataTable)
        assert table.row_count == len(demo_library.feeds())


async def test_help_lists_every_binding(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#keys", DataTable)
        shown = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        expected = {row.binding_id for row in key_rows(app.binding_owners(), {})}
        assert shown == expected
        for owner_name, owner in app.binding_owners():
            for binding in owner.BINDINGS:
                assert isinstance(binding, Binding), f"{owner_name}: {binding!r} is not a Binding"
                assert binding.id, f"{owner_name}: a binding without an id"
                assert binding.id in shown
        # The search's query language, with an example, is explained there too.
        notes = " ".join(str(static.render()) for static in app.screen.query(".help-mouse"))
        for filter_ in ("feed:", "topic:", "is:unread", "tone:", "age:<7d", "-"):
            assert filter_ in notes
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_command_palette_runs_actions(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        assert CommandPalette.is_open(app)  # type: ignore[arg-type]
        await pilot.press(*"view bookmarks")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.main.filter.kind == "bookmarks"
        await pilot.press("ctrl+p", *"view topic: space")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert (app.main.filter.kind, app.main.filter.topic_slug) == ("topic", "space")


async def test_open_in_browser_and_copy(
    demo_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = record_browser_opens(monkeypatch)
    row = title_row(demo_library, "one in a hundred years")
    app = make_app(demo_library)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.main.stories.move_to_story(row.id)
        await pilot.press("o", "y")
        await settle(pilot)
        assert opened == [row.link] and copied == [row.link]


async def test_links_that_are_not_web_addresses_are_refused(
    demo_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = record_browser_opens(monkeypatch)
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        story_list = app.main.stories
        await pilot.press("j")
        row = story_list.current_row
        assert row is not None
        story_list.index.rows[row.id] = row._replace(link="javascript:alert(1)")
        await pilot.press("o", "y")
        await settle(pilot)
        assert opened == []


def test_every_palette_command_names_an_action() -> None:
    from tui.ui.app import NewstermApp
    from tui.ui.commands import PALETTE

    for command in PALETTE:
        namespace, _, name = command.action.partition(".")
        owner = NewstermApp if namespace == "app" else MainScreen
        assert callable(getattr(owner, f"action_{name}", None)), command
