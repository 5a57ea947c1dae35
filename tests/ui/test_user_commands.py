"""The user's own commands in the app: their keys run them on the story at hand, the
palette and help list them, a key taken by a built-in binding is refused at start, and
an interactive command under Pilot (no terminal to hand over) says so instead of failing.
The last test runs the real program in a pty, where the terminal is handed over and back.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
import webbrowser
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.support.pilot import make_app, quiet_settings, settle, title_row
from tests.support.recorder import recording_program, recordings
from tests.support.terminal import Terminal
from tui.core.library import Library
from tui.core.settings import Command, Settings
from tui.ui.app import NewstermApp, ui_settings_problems
from tui.ui.dialogs.help import HelpScreen
from tui.ui.screens.main import MainScreen

SOURCE = "/home/ann/.config/newsterm/config.toml"


def _settings(*commands: Command) -> Settings:
    return dataclasses.replace(quiet_settings(), commands=commands, source=SOURCE)


def _said(app: NewstermApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def _until_said(pilot: Pilot[None], text: str) -> str:
    """Wait (30 s at most) for a notification holding ``text``: a background command
    ends in a thread of its own, which Pilot does not know to wait for."""
    app = pilot.app
    assert isinstance(app, NewstermApp)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [message for message in _said(app) if text in message]
        if found:
            return found[-1]
        await pilot.pause(0.05)
    raise AssertionError(f"no notification with {text!r}; said: {_said(app)}")


async def test_the_bound_key_runs_the_command_on_the_story_under_the_cursor(
    demo_library: Library, tmp_path: Path
) -> None:
    program = recording_program(tmp_path)
    record = Command("Read later", "W", (str(program), "{title}", "--", "{link}", "{id}"))
    row = title_row(demo_library, "one in a hundred years")
    app = make_app(demo_library, _settings(record))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.main.stories.move_to_story(row.id)
        await pilot.press("W")
        assert await _until_said(pilot, "Read later") == "Read later: done"
    (run,) = recordings(program)
    assert run["argv"] == [row.title, "--", row.link, str(row.id)]
    assert run["stdin"] == ""


async def test_in_the_reader_the_command_runs_on_the_open_story(
    demo_library: Library, tmp_path: Path
) -> None:
    program = recording_program(tmp_path)
    record = Command("Pipe", "W", (str(program), "{title}"), stdin="text")
    app = make_app(demo_library, _settings(record))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        opened = app.main.stories.current_row
        assert opened is not None
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("j", "j")  # the list's cursor moves on; the reader keeps its story
        assert app.main.stories.current_id != opened.id
        app.main.reader.focus()
        await pilot.pause()
        await pilot.press("W")
        assert await _until_said(pilot, "Pipe") == "Pipe: done"
    (run,) = recordings(program)
    assert run["argv"] == [opened.title]
    assert run["stdin"] == demo_library.story_text(opened.id)
    assert run["stdin"].startswith(opened.title + "\n\n")


async def test_a_failing_command_says_its_exit_status_and_first_error_line(
    demo_library: Library, tmp_path: Path
) -> None:
    program = recording_program(tmp_path, status=2, stderr="save-link: \x1b[1mno token\x1b[0m\n")
    app = make_app(demo_library, _settings(Command("Read later", "W", (str(program), "{link}"))))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "W")
        said = await _until_said(pilot, "Read later")
    assert said == "Read later failed (exit 2): save-link: no token"


async def test_a_missing_program_is_one_sentence(demo_library: Library, tmp_path: Path) -> None:
    missing = Command("Ghost", "W", (str(tmp_path / "not-installed"), "{link}"))
    app = make_app(demo_library, _settings(missing))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "W")
        said = await _until_said(pilot, "not-installed")
        assert isinstance(app.screen, MainScreen)
    assert "was not found" in said and "\n" not in said


async def test_a_key_taken_by_a_binding_is_refused_and_the_palette_still_runs_it(
    demo_library: Library, tmp_path: Path
) -> None:
    program = recording_program(tmp_path)
    clash = Command("Record", "b", (str(program), "{id}"))
    app = make_app(demo_library, _settings(clash))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        (notice,) = [message for message in _said(app) if "[[commands]]" in message]
        assert '"Record"' in notice and SOURCE in notice and "toggle_bookmark" in notice
        assert "ctrl+p" in notice and "\n" not in notice
        await pilot.press("j")
        row = app.main.stories.current_row
        assert row is not None
        await pilot.press("b")  # still the bookmark
        await settle(pilot)
        after = app.main.stories.row_of(row.id)
        assert after is not None and after.bookmarked != row.bookmarked
        assert recordings(program) == []
        await pilot.press("ctrl+p")
        assert CommandPalette.is_open(app)  # type: ignore[arg-type]
        await pilot.press(*"record")
        prompts = await _palette_prompts(pilot)
        assert prompts[0].startswith("Record\n")  # enter runs the first
        await pilot.press("enter")
        assert await _until_said(pilot, "Record") == "Record: done"
    (run,) = recordings(program)
    assert run["argv"] == [str(row.id)]


async def _palette_prompts(pilot: Pilot[None]) -> list[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        results = pilot.app.screen.query_one(CommandList)
        if results.option_count:
            return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
        await pilot.pause(0.05)
    raise AssertionError("the palette found nothing")


async def test_the_palette_lists_each_command_with_what_it_runs(
    demo_library: Library, tmp_path: Path
) -> None:
    commands = (
        Command("Read later", "W", ("save-link", "{link}")),
        Command("Watch [b]video[/b]", "", ("/usr/bin/mpv", "{link}"), interactive=True),
    )
    app = make_app(demo_library, _settings(*commands))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"video")
        prompts = await _palette_prompts(pilot)
        # Shown as written (not read as markup), with what it runs.
        assert (
            "Watch [b]video[/b]\nYour command (config.toml): runs mpv on the story in the terminal"
            in prompts
        )
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"read later")
        assert any("Read later" in prompt for prompt in await _palette_prompts(pilot))


async def test_help_lists_the_commands_with_their_keys(demo_library: Library) -> None:
    commands = (
        Command("Read later", "W", ("save-link", "{link}")),
        Command("No key", "", ("true",)),
        Command("Refused", "q", ("true",)),
    )
    app = make_app(demo_library, _settings(*commands))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#keys", DataTable)
        shown = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
    ours = [row for row in shown if row[2] == "[[commands]]"]
    assert ours == [
        ["W", "Read later", "[[commands]]", "main screen"],
        ["ctrl+p", "No key", "[[commands]]", "main screen"],
        ["ctrl+p", "Refused", "[[commands]]", "main screen"],
    ]


async def test_without_commands_help_has_no_command_rows(demo_library: Library) -> None:
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        table = app.screen.query_one("#keys", DataTable)
        ids = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
    assert "[[commands]]" not in ids


async def test_an_interactive_command_under_pilot_says_it_cannot_have_the_terminal(
    demo_library: Library, tmp_path: Path
) -> None:
    program = recording_program(tmp_path)
    pager = Command("Page through", "P", (str(program),), interactive=True, stdin="text")
    app = make_app(demo_library, _settings(pager))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "P")
        said = await _until_said(pilot, "Page through")
        assert said == "Page through needs the terminal, and this session cannot hand it over."
        await pilot.press("j")  # the app goes on
        assert isinstance(app.screen, MainScreen)
    assert recordings(program) == []


async def test_o_with_a_console_browser_asks_for_the_terminal_instead_of_the_opener(
    demo_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def fake_open(url: str, *args: Any, **kwargs: Any) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    monkeypatch.setenv("BROWSER", "w3m")
    app = make_app(demo_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "o")
        said = await _until_said(pilot, "w3m")
    assert said == "w3m needs the terminal, and this session cannot hand it over."
    assert opened == []


def _hand_over(app: Terminal, key: str, marker: str) -> None:
    """Press ``key``; the program it runs prints ``marker`` on the terminal, and once it
    ends the app draws its whole screen again (the status bar's counts among it)."""
    mark = len(app.output)
    app.type(key)
    assert app.wait_for_text(marker, 30, after=mark), bytes(app.output[-2000:])
    after_marker = app.output.index(marker.encode(), mark)
    assert app.wait_for_text("indexed:", 30, after=after_marker), bytes(app.output[-2000:])
    app.wait_quiet()


def test_interactive_commands_and_a_console_browser_get_the_terminal_and_give_it_back(
    tmp_path: Path, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real app in a pty: each program prints on the terminal the app let go of; when
    it ends the app comes back, and q still quits cleanly."""
    show = recording_program(tmp_path, "show", marker="MARKER-FROM-SHOW\n")
    pager = recording_program(tmp_path, "pager", marker="MARKER-FROM-PAGER\n")
    browser = recording_program(tmp_path, "w3m", marker="MARKER-FROM-W3M\n")
    monkeypatch.setenv("BROWSER", str(browser))
    config = tmp_path / "config.toml"
    config.write_text(
        "[refresh]\nauto_minutes = 0\n[articles]\nprefetch = false\n"
        f'[[commands]]\nname = "Show"\nkey = "P"\nrun = ["{show}", "{{title}}"]\n'
        "interactive = true\n"
        f'[[commands]]\nname = "Pager"\nkey = "L"\nrun = ["{pager}"]\n'
        'interactive = true\nstdin = "text"\n'
    )
    with Terminal(["--db", str(demo_db), "--config", str(config)]) as app:
        assert app.wait_for_text("indexed:", 30), bytes(app.output[-2000:])
        app.wait_quiet()
        app.type("j")
        app.wait_quiet()
        _hand_over(app, "P", "MARKER-FROM-SHOW")
        _hand_over(app, "L", "MARKER-FROM-PAGER")
        _hand_over(app, "o", "MARKER-FROM-W3M")
        app.type("q")
        app.proc.wait(30)
        assert app.proc.returncode == 0
    (shown,) = recordings(show)
    assert shown["stdout_tty"] and shown["stdin_tty"]  # the terminal was the program's
    assert len(shown["argv"]) == 1 and shown["argv"][0]
    title = shown["argv"][0]
    (paged,) = recordings(pager)
    assert paged["stdout_tty"] and not paged["stdin_tty"]
    assert paged["argv"] == [] and paged["stdin"].startswith(title + "\n\n")
    (browsed,) = recordings(browser)
    assert browsed["stdout_tty"] and browsed["stdin_tty"]
    assert len(browsed["argv"]) == 1 and browsed["argv"][0].startswith("https://")


def test_newsterm_config_names_command_keys_that_would_be_refused() -> None:
    settings = _settings(
        Command("Bookmark twice", "b", ("true",)),
        Command("Not a key", "ctrl+", ("true",)),
        Command("First", "W", ("true",)),
        Command("Second", "W", ("true",)),
        Command("Free", "ctrl+w", ("true",)),
    )
    problems = [p for p in ui_settings_problems(settings) if "[[commands]]" in p]
    assert len(problems) == 3
    bookmark, junk, second = problems
    assert '"Bookmark twice"' in bookmark and "toggle_bookmark" in bookmark
    assert '"Not a key"' in junk and "is not a key" in junk
    assert '"Second"' in second and '"First"' in second
    for problem in problems:
        assert SOURCE in problem and problem.endswith(".") and "\n" not in problem


def test_quitting_does_not_wait_for_a_background_command_which_goes_on(
    tmp_path: Path, demo_db: Path
) -> None:
    """A background command still running (a video, say) neither holds the app open nor
    is ended by quitting: it runs in a session of its own."""
    started, release, finished = tmp_path / "started", tmp_path / "release", tmp_path / "finished"
    program = tmp_path / "long-running"
    program.write_text(
        f"#!{sys.executable}\n"
        "import os, pathlib, time\n"
        f"pathlib.Path({str(started)!r}).write_text(str(os.getpid()))\n"
        "deadline = time.monotonic() + 60\n"
        f"while not pathlib.Path({str(release)!r}).exists() and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)\n"
        f"pathlib.Path({str(finished)!r}).write_text('done')\n"
    )
    program.chmod(0o755)
    config = tmp_path / "config.toml"
    config.write_text(
        "[refresh]\nauto_minutes = 0\n[articles]\nprefetch = false\n"
        f'[[commands]]\nname = "Long"\nkey = "W"\nrun = ["{program}", "{{id}}"]\n'
    )
    try:
        with Terminal(["--db", str(demo_db), "--config", str(config)]) as app:
            assert app.wait_for_text("indexed:", 30), bytes(app.output[-2000:])
            app.wait_quiet()
            app.type("jW")
            assert app.wait_for(lambda _out: started.exists() and started.read_text() != "", 30)
            app.type("q")
            app.proc.wait(30)  # raises if quitting waited for the command
            assert app.proc.returncode == 0
            assert not finished.exists()
            os.kill(int(started.read_text()), 0)  # still running
    finally:
        release.write_text("")
    deadline = time.monotonic() + 60
    while not finished.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert finished.read_text() == "done"
