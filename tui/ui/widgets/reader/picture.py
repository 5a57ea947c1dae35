"""A picture in the reader: its placeholder first, the picture once it has loaded.

:class:`PictureBlock` stands where the article has an image. It shows the text
placeholder (``[image: alt]`` and the address, as without pictures) until the main
screen's picture loader hands it a decoded, scaled :class:`~tui.core.Picture` (fetched
and decoded off the event loop, in the library's workers) or a reason there is none.
The text of the story is laid out before any picture is asked for, so a slow picture
never holds it up.

How a picture is drawn depends on the terminal (:mod:`tui.ui.pictures`): the kitty
graphics protocol and sixel through textual-image, and everywhere else
:class:`HalfBlocks`, two pixels a cell (``▀`` with the top pixel as its colour and the
bottom one as its background), which any terminal with true colour shows and which
renders the same in every snapshot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from tui.core import Picture
from tui.ui.pictures import cell_pixels

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

_UPPER_HALF = "▀"


def half_block_strips(picture: Picture) -> list[Strip]:
    """The picture as rows of ``▀`` cells: each cell the pixel above as its colour and
    the one below as its background (under a last odd row, the pane's own background)."""
    width, height, rgb = picture.width, picture.height, picture.rgb
    stride = width * 3
    strips = []
    styles: dict[tuple[int, ...], Style] = {}
    for top in range(0, height, 2):
        upper = rgb[top * stride : (top + 1) * stride]
        lower = rgb[(top + 1) * stride : (top + 2) * stride]
        segments = []
        for x in range(0, stride, 3):
            key = tuple(upper[x : x + 3]) + tuple(lower[x : x + 3])
            style = styles.get(key)
            if style is None:
                below = Color.from_rgb(*key[3:]) if lower else None
                style = styles[key] = Style(color=Color.from_rgb(*key[:3]), bgcolor=below)
            segments.append(Segment(_UPPER_HALF, style))
        strips.append(Strip(Segment.simplify(segments), width))
    return strips


class HalfBlocks(Widget):
    """A picture drawn with half blocks, one cell for two pixels stacked."""

    DEFAULT_CSS = "HalfBlocks { width: auto; height: auto; }"

    def __init__(self, picture: Picture) -> None:
        super().__init__(classes="picture")
        self._strips = half_block_strips(picture)
        self._width = picture.width

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._strips)

    def render_line(self, y: int) -> Strip:
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width)


def _pil_image(picture: Picture) -> PILImage:
    from PIL import Image  # loaded with textual-image, only in a terminal that draws pictures

    return Image.frombytes("RGB", (picture.width, picture.height), picture.rgb)


def picture_widget(picture: Picture, mode: str) -> Widget:
    """The widget that draws ``picture`` the way ``mode`` says ("kitty", "sixel" or
    "blocks")."""
    if mode not in ("kitty", "sixel"):
        return HalfBlocks(picture)
    from textual_image.widget import SixelImage, TGPImage

    graphics = (TGPImage if mode == "kitty" else SixelImage)(
        _pil_image(picture), classes="picture graphics"
    )
    # Sized here, in cells: the picture was scaled to fit the pane in the terminal's
    # pixels, and textual-image left to "auto" sizes a picture inside a scrolling,
    # auto-height pane to the height of its container (a few rows).
    width, height = cell_pixels()
    graphics.styles.width = max(1, -(-picture.width // width))
    graphics.styles.height = max(1, -(-picture.height // height))
    return graphics


class PictureBlock(Vertical):
    """An article's image: the placeholder, then the picture with its caption."""

    DEFAULT_CSS = "PictureBlock { height: auto; }"

    def __init__(
        self,
        placeholder: Content,
        url: str,
        alt: str,
        *,
        classes: str = "",
        max_rows: int | None = None,
    ) -> None:
        super().__init__(classes=f"picture-block {classes}".strip())
        self.url = url
        self.alt = alt
        self.max_rows = max_rows  # at most this tall, in rows (None: as the reader allows)
        #: "waiting" (not asked for), "loading", "shown", "leaving" (being let go), or
        #: "refused".
        self.state = "waiting"
        #: The reader's width, in cells, the picture was scaled for (0: none yet).
        self.columns = 0
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield Static(self._placeholder, classes="caption", markup=False)

    async def show_picture(self, picture: Picture, mode: str) -> None:
        """Draw ``picture`` above the caption: the alt text, then the address."""
        self.state = "shown"
        self.styles.min_height = None  # the picture gives the height again
        caption = self.query_one(Static)
        await self.mount(picture_widget(picture, mode), before=caption)
        lines = self._placeholder.plain.split("\n")
        refs = Content("\n").join(Content.styled(line, "$foreground-muted") for line in lines[1:])
        text = Content.styled(self.alt, "italic") if self.alt else Content("")
        if refs.plain:
            text = text + Content("\n") + refs if text.plain else refs
        caption.update(text)
        caption.display = bool(text.plain)

    async def forget(self, *, keep_height: bool = False) -> None:
        """Back to the placeholder, to be loaded again (at a new width, or when the reader
        comes back near). ``keep_height``: the block keeps the height the picture gave it,
        so that nothing below it moves."""
        if keep_height:
            self.styles.min_height = self.outer_size.height
        await self.query(".picture").remove()
        caption = self.query_one(Static)
        caption.update(self._placeholder)
        caption.display = True
        self.state = "waiting"
        self.columns = 0

    def refuse(self, reason: str) -> None:
        """Keep the placeholder, saying why there is no picture."""
        self.state = "refused"
        first, _, rest = self._placeholder.plain.partition("\n")
        head = Content.styled(f"{first} · {reason}", "italic")
        refs = Content.styled(rest, "$foreground-muted") if rest else None
        self.query_one(Static).update(head + Content("\n") + refs if refs else head)
