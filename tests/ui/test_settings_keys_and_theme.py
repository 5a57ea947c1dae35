"""``[keys]`` and ``ui.theme`` that name nothing real: unknown binding ids, junk key names,
two actions on one key, unknown themes. Each is reported in one sentence naming the entry
and the file; the app starts with the default for that entry (issue 8)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.support.pilot import make_app, quiet_settings, rows, settle
from tui.core.library import Library
from tui.core.settings import Settings, UISettings
from tui.ui.app import NewstermApp, ui_settings_problems
from tui.ui.dialogs.help import HelpScreen
from tui.ui.keys import check_keymap, normal_key

SOURCE = "/home/ann/.config/newsterm/config.toml"


def _settings(**keys: str) -> Settings:
    return dataclasses.replace(quiet_settings(**keys), source=SOURCE)


def _problems(**keys: str) -> list[str]:
    return check_keymap(NewstermApp, NewstermApp.binding_scopes(), keys, SOURCE).problems


def _applied(**keys: str) -> dict[str, str]:
    return check_keymap(NewstermApp, NewstermApp.binding_scopes(), keys, SOURCE).keymap


def _one_sentence(message: str, *named: str) -> None:
    assert "\n" not in message and message.endswith((".", "?")), message
    assert SOURCE in message, message
    for name in named:
        assert name in message, (name, message)


# -- key names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "textual"),
    [
        ("x", "x"),
        ("X", "X"),
        ("?", "question_mark"),
        ("question_mark", "question_mark"),
        ("ctrl+r", "ctrl+r"),
        ("Ctrl+R", "ctrl+R"),
        ("F5", "f5"),
        ("shift+tab", "shift+tab"),
        ("ctrl+shift+up", "ctrl+shift+up"),
        ("alt+x", "alt+x"),
        ("+", "plus"),
        ("ctrl+?", "ctrl+question_mark"),
        (" space ", "space"),
        ("é", "é"),
        ("pagedown", "pagedown"),
        ("minus", "minus"),
    ],
)
def test_key_names_a_user_may_write(written: str, textual: str) -> None:
    assert normal_key(written) == textual


@pytest.mark.parametrize(
    "junk",
    [
        "",
        " ",
        "ctrl+",
        "ctl+x",
        "ctrl+ctrl+x",
        "foo",
        "ctrl+foo",
        "\x1b",
        "\t",
        "xx",
        "f99",
        "<any>",
    ],
)
def test_junk_key_names(junk: str) -> None:
    assert normal_key(junk) is None


def test_every_default_key_reads_back_as_itself() -> None:
    # Remapping each binding to its own default keys changes nothing and is no clash:
    # normal_key knows every key name the app's bindings use.
    check = check_keymap(NewstermApp, NewstermApp.binding_scopes(), {}, SOURCE)
    assert check.problems == []
    from tui.ui.keys import _defaults

    defaults = _defaults(NewstermApp, NewstermApp.binding_scopes())
    assert len(defaults) > 40
    same = {binding_id: ",".join(keys) for binding_id, keys in defaults.items()}
    assert _problems(**same) == []
    assert _applied(**same) == same


@pytest.mark.parametrize(
    "keys",
    [
        {"toggle_bookmark": "x"},  # the README's example
        {"toggle_bookmark": "j", "cursor_down": "ctrl+n,down", "reader_down": "down"},
        {"cursor_down": "b", "toggle_bookmark": "j", "reader_down": "down"},  # a swap
        {"search": "w", "toggle_bookmark": "x,ctrl+b"},
        {"help_close": "escape,question_mark"},
        {"quit": "ctrl+x", "help_close": "escape,q"},
    ],
)
def test_remaps_that_clash_with_nothing_are_taken_as_they_are(keys: dict[str, str]) -> None:
    assert _problems(**keys) == []
    assert set(_applied(**keys)) == set(keys)


def test_an_unknown_binding_id_is_named_with_the_nearest_real_one() -> None:
    (problem,) = _problems(toggle_bookmrk="x")
    _one_sentence(problem, "toggle_bookmrk", "toggle_bookmark")
    assert _applied(toggle_bookmrk="x") == {}


@pytest.mark.parametrize("junk", ["ctrl+", "", "b,,x", "foo", "ctrl+\x1b[31m"])
def test_a_junk_key_name_is_refused_and_the_binding_keeps_its_key(junk: str) -> None:
    (problem,) = _problems(toggle_bookmark=junk)
    _one_sentence(problem, "toggle_bookmark", "not a key")
    assert "\x1b" not in problem
    assert _applied(toggle_bookmark=junk) == {}


def test_a_key_another_binding_uses_on_the_same_screen_is_refused() -> None:
    (problem,) = _problems(toggle_bookmark="j")
    _one_sentence(problem, "toggle_bookmark", "cursor_down", "story list")
    assert _applied(toggle_bookmark="j") == {}


def test_a_key_the_app_takes_first_is_refused_everywhere() -> None:
    # ctrl+p opens the command palette before any screen sees the key.
    (problem,) = _problems(search_close="ctrl+p")
    _one_sentence(problem, "search_close", "command_palette")


def test_two_remaps_onto_one_key_are_both_refused() -> None:
    (problem,) = _problems(refresh_all="x", toggle_bookmark="x")
    _one_sentence(problem, "refresh_all", "toggle_bookmark")
    assert _applied(refresh_all="x", toggle_bookmark="x") == {}


def test_a_refused_remap_that_gives_back_a_key_refuses_the_one_that_took_it() -> None:
    # cursor_down takes b, bookmarks' default; toggle_bookmark's own remap clashes and is
    # refused, so it is back on b, and now cursor_down clashes too.
    problems = _problems(cursor_down="b", toggle_bookmark="j", refresh_all="j")
    assert len(problems) == 2
    assert _applied(cursor_down="b", toggle_bookmark="j", refresh_all="j") == {}


def test_keys_on_different_screens_may_be_the_same() -> None:
    # c, free on both, removes a feed in the feed manager and bookmarks on the main
    # screen: one screen at a time has the keys, so no clash.
    assert _problems(feeds_remove="c", toggle_bookmark="c") == []


def test_a_hostile_entry_is_cut_short_in_the_message() -> None:
    (problem,) = _problems(**{"x" * 5000: "y"})
    assert len(problem) < 400


# -- in the app --------------------------------------------------------------------------


def _messages(app: NewstermApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_a_junk_key_is_reported_and_the_default_key_still_works(demo_db: Path) -> None:
    settings = _settings(toggle_bookmark="ctrl+")
    with Library(demo_db, settings) as library:
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            (message,) = [m for m in _messages(app) if "toggle_bookmark" in m]
            _one_sentence(message, "ctrl+", "not a key")
            await pilot.press("j")
            row = app.main.stories.current_row
            assert row is not None
            await pilot.press("b")
            await settle(pilot)
            assert rows(library)[row.id].bookmarked != row.bookmarked


async def test_a_clashing_key_is_reported_and_both_keys_keep_their_actions(
    demo_db: Path,
) -> None:
    settings = _settings(toggle_bookmark="j")
    with Library(demo_db, settings) as library:
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            (message,) = [m for m in _messages(app) if "toggle_bookmark" in m]
            _one_sentence(message, "cursor_down")
            await pilot.press("j")
            assert app.main.stories.cursor == 1
            row = app.main.stories.current_row
            assert row is not None
            await pilot.press("b")
            await settle(pilot)
            assert rows(library)[row.id].bookmarked != row.bookmarked
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            table = app.screen.query_one("#keys", DataTable)
            shown = {
                str(table.get_row_at(i)[2]): str(table.get_row_at(i)[0])
                for i in range(table.row_count)
            }
            assert shown["toggle_bookmark"] == "b"  # what b does now, not the refused j


async def test_many_bad_entries_make_a_few_notifications_not_a_flood(demo_db: Path) -> None:
    settings = _settings(**{f"no_such_{n}": "x" for n in range(40)})
    with Library(demo_db, settings) as library:
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            about_keys = [m for m in _messages(app) if "[keys]" in m or "newsterm config" in m]
            assert 1 <= len(about_keys) <= 3
            assert any("newsterm config" in m for m in about_keys)


async def test_an_unknown_theme_is_named_with_the_file_and_the_default_is_used(
    demo_db: Path,
) -> None:
    settings = dataclasses.replace(quiet_settings(), ui=UISettings(theme="gruvbx"), source=SOURCE)
    with Library(demo_db, settings) as library:
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            (message,) = [m for m in _messages(app) if "gruvbx" in m]
            _one_sentence(message, "ui.theme", "gruvbox")
            assert app.theme == "textual-dark"


def test_newsterms_config_command_sees_the_same_problems() -> None:
    settings = dataclasses.replace(
        _settings(toggle_bookmark="j", nope="x"), ui=UISettings(theme="nope")
    )
    problems = ui_settings_problems(settings)
    assert len(problems) == 3
    for problem in problems:
        _one_sentence(problem)
    assert ui_settings_problems(Settings()) == []


async def test_the_longest_auto_refresh_the_config_allows_starts_live(demo_db: Path) -> None:
    # auto_minutes = 1000000000000 killed the app at start; the config now stops at a
    # week (tests/unit/test_settings.py), and a week must work.
    from tui.core.settings import SETTING_RANGES, RefreshSettings

    longest = int(SETTING_RANGES["refresh.auto_minutes"][1])
    settings = dataclasses.replace(quiet_settings(), refresh=RefreshSettings(auto_minutes=longest))
    with Library(demo_db, settings) as library:
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            assert app.is_running and app.main.status.mode == "LIVE"
