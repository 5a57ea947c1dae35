"""Which way pictures are drawn, decided before the app starts: by ``[ui] images``, by the
terminal's environment (tmux, the Linux console), and for ``auto`` by the terminal's own
answer to one round trip of queries, here given through a real pty."""

from __future__ import annotations

import os
import pty
import sys

import pytest

from tui.ui import pictures


@pytest.mark.parametrize("setting", ["blocks", "off"])
def test_a_mode_named_in_the_config_is_the_mode(setting: str) -> None:
    assert pictures.picture_mode(setting, {"TMUX": "x", "TERM": "linux"}) == setting


@pytest.mark.parametrize(
    ("env", "mode"),
    [
        ({"TERM": "linux"}, "off"),  # no true colour, no graphics: the placeholder
        ({"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "tmux-256color"}, "blocks"),
        ({"TERM": "screen-256color"}, "blocks"),
    ],
)
def test_auto_knows_some_terminals_by_their_environment(env: dict[str, str], mode: str) -> None:
    assert pictures.picture_mode("auto", env) == mode


def test_auto_without_a_terminal_draws_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Under pytest standard input is not a terminal: nothing is asked, blocks are drawn.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert pictures.picture_mode("auto", {"TERM": "xterm-256color"}) == "blocks"


def _probe_through_a_pty(answer: bytes | None) -> bytes:
    """Run the probe in a child whose terminal is a pty, the test playing the terminal:
    it checks the queries come in one write, then answers ``answer`` (None: nothing).
    Returns what the probe read."""
    pid, master = pty.fork()
    if pid == 0:  # the child: the pty is its standard input and output
        code = 1
        try:
            got = pictures._probe(0, 1)
            os.write(1, b"\nREAD:" + got.hex().encode() + b"\n")
            code = 0
        finally:
            os._exit(code)
    asked = b""
    while b"\x1b[c" not in asked:
        asked += os.read(master, 1024)
    assert asked == pictures._KITTY_QUERY + pictures._DA1_QUERY  # one round trip
    if answer is not None:
        os.write(master, answer)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 1024)
        except OSError:  # the child has gone and closed the pty
            break
        if not chunk:
            break
        seen += chunk
    os.waitpid(pid, 0)
    os.close(master)
    return bytes.fromhex(seen.split(b"READ:")[1].split(b"\r")[0].split(b"\n")[0].decode())


@pytest.mark.parametrize(
    ("answer", "mode"),
    [
        (b"\x1b[?62;4;22c", "sixel"),  # sixel among the device attributes
        (b"\x1b_Gi=4242;OK\x1b\\\x1b[?62;22c", "kitty"),  # the kitty query answered first
        (b"\x1b_Gi=4242;OK\x1b\\\x1b[?62;4;22c", "sixel"),  # both: sixel, as WezTerm needs
        (b"\x1b[?62;22c", "blocks"),  # a terminal that draws no graphics
        (b"\x1b[?62;22c\x1b_Gi=4242;OK\x1b\\", "blocks"),  # an OK after DA1 is not an answer
        (b"", "blocks"),  # no answer at all
    ],
)
def test_the_answer_tells_sixel_kitty_or_neither(answer: bytes, mode: str) -> None:
    assert pictures.graphics_in(answer) == mode


def test_the_probe_asks_once_and_reads_the_answer_through_the_attributes() -> None:
    answer = b"\x1b_Gi=4242;OK\x1b\\\x1b[?62;22c"
    assert _probe_through_a_pty(answer) == answer


def test_a_terminal_that_answers_nothing_is_given_up_on() -> None:
    assert _probe_through_a_pty(None) == b""
