"""The argument list of a user's command (``[[commands]]``): placeholders are filled in
within the argument that holds them, whatever a feed put in its titles and links.

Nothing splits (the list is as long as ``run``), nothing is spliced into the program,
``{link}`` is given only when it is http(s), and a value never becomes ``argv[0]``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tui.core.commands import command_argv, console_browser_argv
from tui.core.errors import CommandError
from tui.core.models import Story, Topic
from tui.core.settings import Command, parse_settings

HOSTILE_TITLES = [
    "two words",
    "quotes \" and ' inside",
    "; rm -rf ~",
    "$(touch /tmp/pwned) `id`",
    "new\nline\r\nand\ttab",
    "escape \x1b]0;owned\x07 \x1b[31mred\x1b[0m \x9b2J",
    "-rf",
    "--output=/etc/passwd",
    "{link} {title} {id}",
    "nul\x00byte",
    "\u202eevil bidi",
    "*.txt ~ > out",
]

HOSTILE_LINKS = [
    "https://example.org/a b?c=1&d=2;e",
    "https://example.org/$(id)`id`",
    'https://example.org/"quoted"',
    "https://example.org/\x1b[2Jpath",
    "https://example.org/{title}",
]


def _story(title: str = "A title", link: str = "https://example.org/a", **fields: object) -> Story:
    values: dict[str, object] = {
        "id": 42,
        "feed_id": 7,
        "feed_title": "Example",
        "topic": Topic.from_name("News"),
        "title": title,
        "link": link,
        "summary": "",
        "published": None,
        "first_seen": datetime(2026, 3, 1, tzinfo=UTC),
        "feed_url": "https://example.org/feed.xml",
    }
    values.update(fields)
    return Story(**values)  # type: ignore[arg-type]


def _command(toml: str) -> Command:
    (command,) = parse_settings(toml).commands
    return command


EVERY_PLACEHOLDER = _command(
    """
[[commands]]
name = "Record"
key = "W"
run = ["record", "{title}", "--url={link}", "{feed_url}", "id {id}", "plain"]
"""
)


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_a_hostile_title_stays_one_argument_and_the_program_is_unchanged(title: str) -> None:
    argv = command_argv(EVERY_PLACEHOLDER, _story(title=title))
    assert len(argv) == len(EVERY_PLACEHOLDER.run)
    assert argv[0] == "record"
    assert argv[2] == "--url=https://example.org/a"
    assert argv[3] == "https://example.org/feed.xml"
    assert argv[4] == "id 42"
    assert argv[5] == "plain"
    for arg in argv:
        assert "\x1b" not in arg and "\x00" not in arg and "\x9b" not in arg
        assert "\n" not in arg and "\r" not in arg and "\u202e" not in arg


def test_a_title_is_given_as_written_bar_control_characters() -> None:
    argv = command_argv(EVERY_PLACEHOLDER, _story(title="; rm -rf ~ $(id) 'q' \"d\""))
    assert argv[1] == "; rm -rf ~ $(id) 'q' \"d\""


def test_a_value_holding_a_placeholder_is_not_filled_in_again() -> None:
    argv = command_argv(EVERY_PLACEHOLDER, _story(title="{link} {title} {id}"))
    assert argv[1] == "{link} {title} {id}"


def test_a_title_with_a_leading_dash_is_passed_as_it_is_never_as_the_program() -> None:
    argv = command_argv(EVERY_PLACEHOLDER, _story(title="--output=/etc/passwd"))
    assert argv[0] == "record"
    assert argv[1] == "--output=/etc/passwd"


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_a_hostile_link_stays_one_argument(link: str) -> None:
    argv = command_argv(EVERY_PLACEHOLDER, _story(link=link))
    assert len(argv) == len(EVERY_PLACEHOLDER.run)
    assert argv[2].startswith("--url=https://example.org/")
    assert " " not in argv[2] and "\x1b" not in argv[2]
    assert argv[1] == "A title"


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "",
        "/relative/path",
        "-oProxyCommand=evil",
        "mailto:someone@example.org",
    ],
)
def test_a_command_that_wants_the_link_is_refused_without_an_http_link(link: str) -> None:
    with pytest.raises(CommandError) as refused:
        command_argv(EVERY_PLACEHOLDER, _story(link=link))
    message = str(refused.value)
    assert "Record" in message and "http(s)" in message
    assert "\n" not in message and message.endswith(".")


def test_a_command_without_the_link_runs_on_a_story_without_one() -> None:
    command = _command('[[commands]]\nname = "Title"\nrun = ["say", "{title}"]\n')
    assert command_argv(command, _story(link="javascript:alert(1)")) == ["say", "A title"]


def test_a_placeholder_in_the_program_itself_is_refused() -> None:
    command = Command("Sneaky", "", ("{title}", "x"))
    with pytest.raises(CommandError) as refused:
        command_argv(command, _story(title="rm"))
    assert "program" in str(refused.value)


def test_a_command_without_placeholders_is_run_as_written() -> None:
    command = _command('[[commands]]\nname = "Pager"\nrun = ["less", "-R"]\nstdin = "text"\n')
    assert command_argv(command, _story()) == ["less", "-R"]


@pytest.mark.parametrize(
    ("browser", "expected"),
    [
        ("w3m", ["w3m", "https://example.org/a"]),
        (
            "/usr/bin/lynx -accept_all_cookies",
            ["/usr/bin/lynx", "-accept_all_cookies", "https://example.org/a"],
        ),
        ("elinks %s", ["elinks", "https://example.org/a"]),
        ("links:firefox", ["links", "https://example.org/a"]),
        ("firefox", None),
        ("firefox:w3m", None),
        ("", None),
        (None, None),
    ],
)
def test_a_console_browser_is_known_by_the_first_entry_of_browser(
    browser: str | None, expected: list[str] | None
) -> None:
    assert console_browser_argv("https://example.org/a", browser) == expected


def test_a_console_browser_is_never_given_a_link_that_is_not_http() -> None:
    assert console_browser_argv("javascript:alert(1)", "w3m") is None
    assert console_browser_argv("file:///etc/passwd", "lynx") is None
