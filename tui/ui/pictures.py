"""How this terminal draws pictures: worked out once, before the app starts.

``[ui] images`` says ``auto``, ``kitty``, ``sixel``, ``blocks`` or ``off``. For ``auto``
the terminal is asked, through textual-image, whether it speaks sixel (its answer to
the primary device attributes query) or the kitty graphics protocol (a query image);
that has to happen before Textual starts, as Textual then reads every byte the terminal
sends. Some terminals are known by their environment, so they are not asked:

* inside tmux or screen, a graphics sequence would reach the outer terminal only with
  passthrough turned on, and then lands in the wrong place as the pane scrolls: blocks;
* the Linux console has no true colour and no graphics: off (the text placeholder);
* a terminal that answers neither query: blocks, two pixels a cell in true colour.

textual-image and Pillow are imported only here, and only when the terminal may draw
graphics, so a start with ``blocks`` or ``off`` does not pay for them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

#: What each mode draws with, as the app is told.
MODES = ("kitty", "sixel", "blocks", "off")
#: A cell's size in pixels when the terminal does not say (a VT340's, as textual-image).
DEFAULT_CELL = (10, 20)


def picture_mode(setting: str, env: Mapping[str, str] | None = None) -> str:
    """The mode to draw pictures in for ``[ui] images = setting`` in this terminal."""
    if setting in ("kitty", "sixel", "blocks", "off"):
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
    """Ask the terminal (textual-image's queries, run on import) what it draws."""
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
