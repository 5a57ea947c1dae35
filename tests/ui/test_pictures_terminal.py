"""Pictures as a real terminal gets them: newsterm in a pty, the terminal played by
answering its queries as sixel and kitty terminals do, the escape sequences it writes
captured. The demo's lander story carries a picture (in the demo's cache: no network).

- A terminal that answers the device-attributes query with sixel (4) gets a sixel image
  (a DCS ``…q`` sequence with colour registers).
- One that answers the kitty graphics query gets the picture sent over the kitty
  protocol and placed with its Unicode placeholders.
- One that answers neither (or nothing at all), and any terminal inside tmux, gets half
  blocks in colour, and no graphics sequence at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.terminal import (
    KITTY_TERMINAL,
    PLAIN_TERMINAL,
    SIXEL_TERMINAL,
    Answers,
    Terminal,
)

CONFIG = "[refresh]\nauto_minutes = 0\n[articles]\nmin_words = 0\nprefetch = true\n"
SIXEL_START = b"\x1bP0;0;0q"
KITTY_SEND = b"\x1b_G"
PLACEHOLDER = "\U0010eeee".encode()
HALF_BLOCK = "▀".encode()


def _run(tmp_path: Path, answers: Answers, env: dict[str, str] | None = None) -> bytes:
    """Open the lander story in the demo, page down to its picture, quit; everything
    the app wrote once the story was open."""
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    args = ["--demo", "--config", str(config)]
    with Terminal(args, answers=answers, env=env, columns=140, lines=40) as app:
        assert app.wait_for_text("indexed:", 30), bytes(app.output[-2000:])
        app.wait_quiet()
        app.type("/")
        app.wait_quiet()
        app.type("lander")
        assert app.wait_for_text("hop between", 30)
        app.wait_quiet()
        app.type("\x1b[B")  # down: into the results
        app.wait_quiet()
        app.type("\r")
        assert app.wait_for_text("Kestrel", 30)
        app.wait_quiet(1.0, 20)
        mark = len(app.output)
        app.type(" ")  # a page down: the picture comes into view
        assert app.wait_for_text("A squat four-legged lander", 30, after=mark)
        app.wait_quiet(1.0, 20)
        seen = bytes(app.output[mark:])
        app.type("q")
        app.proc.wait(30)
        assert app.proc.returncode == 0
    return seen


@pytest.mark.slow
def test_a_sixel_terminal_gets_the_picture_in_sixel(tmp_path: Path) -> None:
    seen = _run(tmp_path, SIXEL_TERMINAL)
    start = seen.index(SIXEL_START)
    image = seen[start : seen.index(b"\x1b\\", start)]
    assert image.count(b"#") > 20  # colour registers and their use
    assert KITTY_SEND not in seen and HALF_BLOCK not in seen


@pytest.mark.slow
def test_a_kitty_terminal_gets_the_picture_over_the_kitty_protocol(tmp_path: Path) -> None:
    seen = _run(tmp_path, KITTY_TERMINAL)
    assert seen.count(KITTY_SEND) >= 2  # the image sent, then placed
    assert seen.count(PLACEHOLDER) > 100  # a cell of the picture, each
    assert SIXEL_START not in seen and HALF_BLOCK not in seen


@pytest.mark.slow
@pytest.mark.parametrize("answers", [PLAIN_TERMINAL, {}], ids=["plain", "silent"])
def test_a_terminal_without_graphics_gets_half_blocks(tmp_path: Path, answers: Answers) -> None:
    # A plain terminal answers the device attributes without sixel and ignores the kitty
    # query; a silent one answers nothing, and newsterm stops waiting.
    seen = _run(tmp_path, answers)
    assert seen.count(HALF_BLOCK) > 500
    assert SIXEL_START not in seen and KITTY_SEND not in seen


@pytest.mark.slow
def test_inside_tmux_half_blocks_even_where_the_terminal_speaks_sixel(tmp_path: Path) -> None:
    # Without passthrough tmux would swallow the graphics; with it, they would land where
    # the pane was, not where it is. newsterm does not ask: half blocks.
    seen = _run(tmp_path, SIXEL_TERMINAL, env={"TMUX": "/tmp/tmux-0/default,1,0"})
    assert seen.count(HALF_BLOCK) > 500
    assert SIXEL_START not in seen and KITTY_SEND not in seen
