"""User commands run for real: a script records the arguments and input it was given.

The background runner gives the exit status and the first line of the error output
(cleaned), keeps the command out of the terminal's session, gives it no descriptors but
its three, and turns a program that cannot be started into one sentence.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.feeds import Item, rss
from tests.support.feedserver import FeedServer, feed_reply
from tests.support.recorder import recording_program, recordings
from tui.core.commands import (
    STDERR_LIMIT,
    command_argv,
    run_in_terminal,
    start_command,
)
from tui.core.demo import build_demo_library
from tui.core.errors import CommandError
from tui.core.library import Library
from tui.core.models import Story
from tui.core.settings import Settings, parse_settings

HOSTILE = "; rm -rf ~ $(touch pwned) `id` 'a' \"b\" \n--help \x1b[31m*"


@pytest.fixture
def demo(tmp_path: Path) -> Library:
    build_demo_library(tmp_path / "demo.db")
    return Library(tmp_path / "demo.db", Settings())


def _first_story(library: Library) -> Story:
    row = next(row for row in library.story_rows() if row.link.startswith("https://"))
    return library.story(row.id)


def test_a_story_with_a_hostile_title_reaches_the_program_as_whole_arguments(
    tmp_path: Path, demo: Library
) -> None:
    program = recording_program(tmp_path)
    (command,) = parse_settings(
        f"""
[[commands]]
name = "Record"
key = "W"
run = ["{program}", "{{title}}", "--", "{{link}}", "t={{title}}", "{{id}}"]
"""
    ).commands
    with demo:
        story = _first_story(demo)
        story = Story(**{**_fields(story), "title": HOSTILE})
        outcome = start_command(command_argv(command, story)).wait()
    assert outcome.ok and outcome.summary("Record") == "Record: done"
    (record,) = recordings(program)
    cleaned = "; rm -rf ~ $(touch pwned) `id` 'a' \"b\" --help *"
    assert record["argv"] == [cleaned, "--", story.link, f"t={cleaned}", str(story.id)]
    assert not (tmp_path / "pwned").exists()
    assert not list(Path.cwd().glob("pwned"))


def _fields(story: Story) -> dict[str, object]:
    return {name: getattr(story, name) for name in Story.__dataclass_fields__}


def test_stories_of_a_hostile_feed_reach_the_program_whole_or_are_refused(
    tmp_path: Path, server: FeedServer
) -> None:
    """End to end: a served feed with hostile titles and links, refreshed into a library;
    the command runs on each story in turn."""
    published = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    entries = {
        "https://e.test/a b;c": "; rm -rf ~ $(touch pwned)",
        "https://e.test/$(id)": "-rf --no-preserve-root /",
        "javascript:alert(document.cookie)": "a javascript link",
        "file:///etc/passwd": "a file link",
        "https://e.test/esc": "escape \x1b]2;title\x07 and `id`",
    }
    server.route(
        "/hostile",
        feed_reply(
            rss(
                [
                    Item(title=title, guid=f"urn:h:{n}", link=link, published=published)
                    for n, (link, title) in enumerate(entries.items())
                ]
            )
        ),
    )
    program = recording_program(tmp_path)
    (command,) = parse_settings(
        f'[[commands]]\nname = "Record"\nrun = ["{program}", "{{title}}", "{{link}}"]\n'
    ).commands
    refused: list[str] = []
    with Library(tmp_path / "hostile.db", Settings()) as library:
        library.add_feed(server.url("/hostile"))
        asyncio.run(library.refresh())
        stories = [library.story(row.id) for row in library.story_rows()]
        assert len(stories) == len(entries)
        for story in stories:
            try:
                assert start_command(command_argv(command, story)).wait().ok
            except CommandError as error:
                refused.append(story.title)
                assert "has no http(s) link" in str(error)
    assert sorted(refused) == ["a file link", "a javascript link"]
    recorded = recordings(program)
    assert len(recorded) == 3
    for record in recorded:
        assert len(record["argv"]) == 2
        title, link = record["argv"]
        assert link.startswith("https://e.test/") and "\x1b" not in title + link
    titles = {record["argv"][0] for record in recorded}
    assert "; rm -rf ~ $(touch pwned)" in titles and "-rf --no-preserve-root /" in titles
    assert not (tmp_path / "pwned").exists()


def test_the_article_text_goes_to_standard_input_when_asked(tmp_path: Path, demo: Library) -> None:
    program = recording_program(tmp_path)
    (command,) = parse_settings(
        f'[[commands]]\nname = "Pipe"\nrun = ["{program}"]\nstdin = "text"\n'
    ).commands
    with demo:
        story = _first_story(demo)
        text = demo.story_text(story.id)
        view = demo.reader(story.id)
        start_command(command_argv(command, story), text).wait()
    (record,) = recordings(program)
    assert record["stdin"] == text
    assert text.startswith(story.title + "\n\n")
    first_words = view.article.text.split()[:5]
    assert first_words and " ".join(first_words) in " ".join(text.split())
    assert "\x1b" not in text and "<p>" not in text


def test_without_stdin_text_the_program_reads_nothing(tmp_path: Path) -> None:
    program = recording_program(tmp_path)
    start_command([str(program)]).wait()
    (record,) = recordings(program)
    assert record["stdin"] == "" and not record["stdin_tty"]


def test_a_failing_command_gives_its_exit_status_and_first_error_line(tmp_path: Path) -> None:
    program = recording_program(
        tmp_path, status=2, stderr="\n   \n\x1b[31mcurl: (6) Could not resolve host\x1b[0m\nmore\n"
    )
    outcome = start_command([str(program), "x"]).wait()
    assert outcome.status == 2
    assert outcome.error_line == "curl: (6) Could not resolve host"
    assert outcome.summary("Read later") == (
        "Read later failed (exit 2): curl: (6) Could not resolve host"
    )


def test_a_failing_command_without_error_output_gives_its_status_alone(tmp_path: Path) -> None:
    program = recording_program(tmp_path, status=3)
    assert start_command([str(program)]).wait().summary("Save") == "Save failed (exit 3)"


def test_a_flood_of_error_output_does_not_stall_the_command(tmp_path: Path) -> None:
    flood = "first line\n" + "x" * (4 * STDERR_LIMIT) + "\n"
    program = recording_program(tmp_path, status=1, stderr=flood)
    outcome = start_command([str(program)]).wait()
    assert outcome.status == 1 and outcome.error_line == "first line"


def test_a_background_command_runs_in_its_own_session_with_only_its_three_descriptors(
    tmp_path: Path,
) -> None:
    inherited_read, inherited_write = os.pipe()
    os.set_inheritable(inherited_write, True)
    try:
        program = recording_program(tmp_path, marker="output nobody reads\n" * 10_000)
        running = start_command([str(program)], "some text")
        assert running.wait().ok
    finally:
        os.close(inherited_read)
        os.close(inherited_write)
    (record,) = recordings(program)
    assert record["sid"] != os.getsid(0)
    if record["fds"]:  # /proc exists: 0, 1, 2 and the one listing them
        assert inherited_write not in record["fds"]
        assert len(record["fds"]) <= 4


def test_a_program_that_does_not_exist_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as refused:
        start_command([str(tmp_path / "no-such-program"), "x"]).wait()
    message = str(refused.value)
    assert "no-such-program was not found" in message
    assert "\n" not in message and message.endswith(".")
    with pytest.raises(CommandError) as refused:
        start_command(["newsterm-no-such-program-anywhere"]).wait()
    assert "was not found" in str(refused.value)


def test_a_file_that_is_not_executable_is_one_sentence(tmp_path: Path) -> None:
    script = tmp_path / "not-executable"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o644)
    with pytest.raises(CommandError) as refused:
        start_command([str(script)]).wait()
    assert "cannot be run" in str(refused.value)


def test_an_interactive_command_gets_the_text_and_gives_its_status(tmp_path: Path) -> None:
    program = recording_program(tmp_path, status=4)
    outcome = run_in_terminal([str(program), "a b"], "the text\n")
    assert outcome.status == 4
    (record,) = recordings(program)
    assert record["argv"] == ["a b"] and record["stdin"] == "the text\n"
    assert record["sid"] == os.getsid(0)  # the terminal's session: the terminal is its
