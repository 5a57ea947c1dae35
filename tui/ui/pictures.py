"""How this terminal draws pictures: worked out once, before the app starts.

``[ui] images`` says ``auto``, ``kitty``, ``sixel``, ``blocks`` or ``off``. For ``auto``
the terminal is asked, in one round trip, a kitty graphics query followed by the primary
device attributes query: every terminal answers the second, and one that speaks the
kitty protocol answers the first before it; sixel shows as a 4 among the attributes.
(Asked one at a time, a terminal that ignores the kitty query would cost a timeout on
every start.) That has to happen before Textual starts, as Textual then reads every
byte the terminal sends. Some terminals are known by their environment and not asked:

* inside tmux or screen, a graphics sequence would reach the outer terminal only with
  passthrough turned on, and then lands in the wrong place as the pane scrolls: blocks;
* the Linux console has no true colour and no graphics: off (the text placeholder);
* a terminal that speaks neither: blocks, two pixels a cell in true colour.

textual-image (and Pillow) are imported only for a terminal that draws graphics, so any
other start does not pay for them. Sixel comes first where a terminal speaks both, as in
textual-image: WezTerm and Konsole answer the kitty query but draw its placeholders
wrongly.
"""

from __future__ import annotations

import os
import re
import select
import sys
import time
from collections.abc import Mapping

#: A cell's size in pixels when the terminal does not say (a VT340's, as textual-image).
DEFAULT_CELL = (10, 20)


def picture_mode(setting: str, env: Mapping[str, str] | None = None) -> str:
    """The mode to draw pictures in for ``[ui] images = setting`` in this terminal."""
    if setting != "auto":  # "kitty", "sixel", "blocks" or "off" (the settings allow no other)
        if setting in ("kitty", "sixel") and not _graphics_loaded():
            return "blocks"
        return setting
    env = os.environ if env is None else env
    if env.get("TERM") == "linux":
        return "off"
    if env.get("TMUX") or env.get("TERM", "").startswith("screen"):
        return "blocks"
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return "blocks"
    return _ask_terminal()


def _ask_terminal() -> str:
    """Ask the terminal what it draws (see the module's docstring)."""
    if os.name != "posix":
        return _textual_image_says()
    try:
        answer = _probe(sys.stdin.fileno(), sys.stdout.fileno())
    except (OSError, ValueError):
        return "blocks"
    mode = graphics_in(answer)
    if mode == "blocks":
        return mode
    return mode if _graphics_loaded() else "blocks"


def graphics_in(answer: bytes) -> str:
    """What the terminal's answer to the probe says it draws: "sixel" (a 4 among its
    device attributes), "kitty" (the kitty query answered before them), else "blocks"
    (including no answer at all)."""
    attributes = _DEVICE_ATTRIBUTES.search(answer)
    if attributes is None:
        return "blocks"  # no answer in time: a terminal that answers nothing
    if "4" in attributes.group(1).decode().split(";"):
        return "sixel"
    if _KITTY_OK.search(answer, 0, attributes.start()):
        return "kitty"
    return "blocks"


# The kitty query (a 1×1 image, "query" only) with an id of ours, then DA1.
_KITTY_QUERY = b"\x1b_Gi=4242,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
_DA1_QUERY = b"\x1b[c"
_KITTY_OK = re.compile(rb"\x1b_Gi=4242;OK")
_DEVICE_ATTRIBUTES = re.compile(rb"\x1b\[\?([\d;]*)c")
#: How long a terminal may take to answer: generous for ssh, short enough for a start.
PROBE_SECONDS = 0.5
_MOST = 4096  # an answer longer than this is not one to these queries


def _probe(stdin: int, stdout: int) -> bytes:
    """Send the two queries and read until the device attributes come back (or the
    time runs out), the terminal in cbreak mode meanwhile so that the answer is not
    echoed."""
    import termios
    import tty

    before = termios.tcgetattr(stdin)
    answer = b""
    try:
        tty.setcbreak(stdin, termios.TCSANOW)
        os.write(stdout, _KITTY_QUERY + _DA1_QUERY)
        deadline = time.monotonic() + PROBE_SECONDS
        while len(answer) < _MOST and not _DEVICE_ATTRIBUTES.search(answer):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stdin], [], [], left)[0]:
                break
            answer += os.read(stdin, 1024)
    finally:
        termios.tcsetattr(stdin, termios.TCSANOW, before)
    return answer


def _textual_image_says() -> str:
    """textual-image's own detection (its queries run on import): where termios is not."""
    try:
        from textual_image import renderable
    except Exception:  # a terminal that answers garbage, or a broken install
        return "blocks"
    for mode, image in (("kitty", renderable.TGPImage), ("sixel", renderable.SixelImage)):
        if renderable.Image is image:
            return mode if _graphics_loaded() else "blocks"
    return "blocks"


def _graphics_loaded() -> bool:
    """Import textual-image's widgets now, while the terminal can still be
    asked (its cell size, on import); False when they cannot be loaded."""
    try:
        import textual_image.widget  # noqa: F401
    except Exception:
        return False
    return True


def cell_pixels() -> tuple[int, int]:
    """A cell's width and height in pixels, as the terminal said when asked at start."""
    try:
        # The size textual-image asked the terminal for at start (it keeps the answer).
        from textual_image._terminal import get_cell_size
    except Exception:
        return DEFAULT_CELL
    try:
        size = get_cell_size()
    except Exception:
        return DEFAULT_CELL
    return size.width, size.height
