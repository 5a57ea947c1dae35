"""[[commands]] in the config: a story's values are data, never code or a program."""

from __future__ import annotations

import json

import pytest

from tui.core.errors import ConfigError
from tui.core.settings import parse_settings


def _config(run: list[str]) -> str:
    return f'[[commands]]\nname = "C"\nkey = "W"\nrun = {json.dumps(run)}\n'


@pytest.mark.parametrize(
    "run",
    [
        ["python3", "/home/me/save.py", "{link}", "{title}"],
        ["mpv", "--", "{link}"],
        ["sh", "-c", 'echo "$1"', "sh", "{title}"],
        ["bash", "/home/me/save.sh", "{title}"],
        ["env", "LANG=C", "mpv", "{link}"],
        ["curl", "-d", "url={link}", "https://example.org/save"],
        ["node", "-e", "console.log(process.argv[1])", "{link}"],
    ],
)
def test_placeholders_given_as_data_are_accepted(run: list[str]) -> None:
    (command,) = parse_settings(_config(run)).commands
    assert command.run == tuple(run)


@pytest.mark.parametrize(
    "run",
    [
        ["sh", "-c", "echo {title}"],
        ["/bin/bash", "-ec", "save {link}"],
        ["zsh", "-c{title}"],
        ["python3.12", "-c", "print('{title}')"],
        ["perl", "-ne", "print '{title}'"],
        ["pwsh", "--command", "Write-Host {title}"],
        ["env", "{title}"],
        ["env", "A=1", "{title}"],
        ["xargs", "{title}"],
        ["sed", "s/x/{title}/"],
        ["{link}"],
        ["/usr/bin/{title}", "x"],
    ],
)
def test_a_placeholder_where_code_or_the_program_is_read_is_refused(run: list[str]) -> None:
    with pytest.raises(ConfigError, match="'C'"):
        parse_settings(_config(run))
