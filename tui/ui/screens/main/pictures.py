"""Pictures in the reader, for the main screen: which to load, when, and at what size.

A story's text is laid out first, its images as placeholders
(:class:`~tui.ui.widgets.reader.picture.PictureBlock`). Pictures are asked for as they
come near the screen (on screen, or within a screen's height below), so a long story
with forty images fetches the few the reader sees. The library fetches, checks, caches
and decodes them (:meth:`tui.core.Library.load_picture`: the network on the event loop,
decoding in its worker processes, the cache in threads); here they are only placed.

``i`` turns pictures off and on for the open story. They start on unless ``[ui] images
= "off"``, or ``[articles] prefetch = false`` (a metered connection) and the story's
page was not fetched: then ``i`` asks for them.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from tui.core import NewstermError, NoPicture, ReaderView
from tui.ui.pictures import cell_pixels
from tui.ui.widgets.reader.picture import PictureBlock

if TYPE_CHECKING:
    from tui.ui.screens.main.parts import MainParts

#: The widest a picture is drawn, in cells: past this a wide reader pane would fill a
#: screen with one photo.
MAX_COLUMNS = 100
#: How many screens' heights away a picture drawn as graphics is let go.
FAR = 3
#: The tallest, in rows, and at most this share of the reader's height.
MAX_ROWS = 30
_HEIGHT_SHARE = 0.7


class Pictures:
    """Loads the open story's pictures as they come into view."""

    def __init__(self, node: MainParts) -> None:
        self.node = node
        self.mode = node.session.pictures  # "kitty", "sixel", "blocks" or "off"
        self._chosen: dict[int, bool] = {}  # story id → pictures on or off, as i left them
        self._hinted = False  # said once how to see pictures held back

    def start(self) -> None:
        self.node.watch(self.node.reader, "scroll_y", self.load_visible, init=False)

    def wanted(self, view: ReaderView) -> bool:
        """Whether ``view``'s images show as pictures when it opens. Once a session, a
        story with pictures held back on a metered connection says how to see them."""
        if self.mode == "off":
            return False
        chosen = self._chosen.get(view.story.id)
        if chosen is not None:
            return chosen
        if self.node.session.settings.articles.prefetch or view.full_text:
            return True
        if not self._hinted and _has_images(view):
            self._hinted = True
            self.node.notify(
                "Pictures wait for i while [articles] prefetch is off (a metered connection).",
                markup=False,
            )
        return False

    async def toggle(self) -> None:
        """``i``: pictures off, or on, for the open story."""
        node = self.node
        view = node.open_view
        if view is None:
            node.notify("Open a story first: i shows or hides its pictures.", markup=False)
            return
        if self.mode == "off":
            node.notify(
                'Pictures are turned off in config.toml ([ui] images = "off").', markup=False
            )
            return
        on = not node.reader.pictures
        self._chosen[view.story.id] = on
        await node.reader.show(replace(view), keep_scroll=True, pictures=on)
        self.load_visible()
        node.notify("Pictures on." if on else "Pictures off.", markup=False)

    # -- loading -------------------------------------------------------------------------

    def load_visible(self) -> None:
        """Ask for the pictures on screen and within a screen's height below it. Drawn as
        graphics, pictures far from the screen are let go (their place kept), so that a
        long story's pictures do not all stay decoded: they load again, from the cache,
        when the reader comes back near."""
        reader = self.node.reader
        if not reader.pictures or not reader.size.width:
            return
        height = max(reader.size.height, 1)
        top = reader.scroll_y
        bottom = top + 2 * height
        for block in reader.picture_blocks():
            region = block.virtual_region
            if block.state == "waiting" and region.y < bottom and region.bottom >= top:
                block.state = "loading"
                # A partial of a coroutine function: Textual awaits it as an async worker.
                self.node.run_worker(partial(self._load, block), group="pictures")
            elif (
                block.state == "shown"
                and self.mode in ("kitty", "sixel")
                and (region.bottom < top - FAR * height or region.y > bottom + FAR * height)
            ):
                block.state = "leaving"  # not asked for again until it is back to waiting
                self.node.run_worker(partial(block.forget, keep_height=True), group="pictures")

    async def resized(self) -> None:
        """The reader changed width: pictures scaled for another width are drawn again
        (from the cache: no network), the others left as they are."""
        reader = self.node.reader
        if not reader.pictures or not reader.size.width:
            return  # no pictures, or the reader hidden (a narrow terminal on the list)
        columns = self._columns()
        for block in reader.picture_blocks():
            if block.state == "shown" and block.columns != columns:
                await block.forget()
        self.load_visible()

    def _columns(self) -> int:
        """The reader's width for a picture, in cells: less its scrollbar even while the
        story is short enough to have none, as the pictures it loads may give it one."""
        reader = self.node.reader
        width = reader.scrollable_content_region.width
        if not reader.show_vertical_scrollbar:
            width -= reader.styles.scrollbar_size_vertical
        return max(8, min(MAX_COLUMNS, width - 1))

    def _size(self, block: PictureBlock) -> tuple[int, int]:
        """The largest picture, in pixels, that fits the reader (and ``block``) now."""
        reader = self.node.reader
        columns = self._columns()
        block.columns = columns
        rows = max(6, min(MAX_ROWS, int(reader.size.height * _HEIGHT_SHARE)))
        if block.max_rows is not None:
            rows = min(rows, block.max_rows)
        if self.mode in ("kitty", "sixel"):
            width, height = cell_pixels()
            return columns * width, rows * height
        return columns, rows * 2  # a half block is one pixel wide, two high

    async def _load(self, block: PictureBlock) -> None:
        library = self.node.session.library
        width, height = self._size(block)
        try:
            picture = await library.load_picture(block.url, width, height)
        except NewstermError as error:
            picture = NoPicture(str(error))
        if not block.is_attached:
            return  # the story was closed or shown again meanwhile
        if isinstance(picture, NoPicture):
            block.refuse(picture.reason)
        else:
            await block.show_picture(picture, self.mode)


def _has_images(view: ReaderView) -> bool:
    blocks = [*view.article.lead, *(b for section in view.article.sections for b in section.blocks)]
    return any(block.kind == "image" and block.links for block in blocks)
