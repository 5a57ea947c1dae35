"""How one line of the story list looks: a topic heading or a story row, as Segments,
and the line's strip (with the cursor's highlight).

``● ★ Title of the story……………………  example.org · 2h``

The ★ is drawn once the bookmark is saved; a ☆ stands in while it is on its way to disk.

A story that several feeds carried shows them all in place of the source:
``Feed A + Feed B · 2h``. A story from a sync account's feed has ``⇅`` before its source,
one that carries audio ``♪``, video ``▶``.

Split from :mod:`tui.ui.widgets.story_list.widget` so the widget keeps to scrolling and
state. Titles, feed names and topic names are untrusted text; they only ever become
``Segment`` text, which Rich never reads as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from rich.cells import cell_len, set_cell_size
from rich.color import ColorParseError
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tui.core import StoryRow, from_iso, relative_age, source_domain
from tui.ui.widgets.story_list.model import Group

_NARROW = 40  # below this many columns a row shows its age, not its source
# A highlight rule's colour names, as Rich names them (the rest are Rich's own, or #rrggbb).
_COLOURS = {"orange": "dark_orange", "purple": "medium_purple"}


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis (wide characters counted right)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…"


def fit_names(names: list[str], width: int, separator: str = " + ") -> str:
    """``names`` joined by ``separator`` in ``width`` cells: when they do not fit, the
    longer names are cut (shorter ones kept whole) so that every one still shows."""
    joined = separator.join(names)
    if cell_len(joined) <= width or len(names) < 2:
        return fit(joined, width)
    room = width - cell_len(separator) * (len(names) - 1)
    if room < 4 * len(names):
        return fit(joined, width)
    sizes = {index: cell_len(name) for index, name in enumerate(names)}
    shares: dict[int, int] = {}
    while sizes:
        share = room // len(sizes)
        short = {index: size for index, size in sizes.items() if size <= share}
        if not short:
            shares.update(dict.fromkeys(sizes, share))
            break
        shares.update(short)
        room -= sum(short.values())
        for index in short:
            del sizes[index]
    return separator.join(fit(name, shares[index]) for index, name in enumerate(names))


@lru_cache(maxsize=64)
def _highlight(colour: str) -> Style:
    """A highlight rule's colour as a style (checked when the config was read; one the
    library holds from elsewhere that Rich cannot read is no colour)."""
    try:
        return Style(color=_COLOURS.get(colour, colour))
    except ColorParseError:
        return Style()


class RowPainter:
    """Builds a line's segments from the list's base style and its component styles."""

    def __init__(self, base: Style, style: Callable[[str], Style]) -> None:
        self.base = base
        self.style = style

    def _part(self, text: str, component: str = "") -> Segment:
        return Segment(text, self.base + self.style(component) if component else self.base)

    def strip(self, segments: list[Segment], width: int, *, cursor: bool = False) -> Strip:
        """A line's segments as a strip ``width`` cells wide, highlighted under the cursor."""
        base = self.base
        if cursor:
            overlay = self.style("story-list--cursor")
            segments = [Segment(text, (style or Style()) + overlay) for text, style, _ in segments]
            base = base + overlay
        return Strip(segments).adjust_cell_length(width, base)

    def message(self, text: str, width: int) -> list[Segment]:
        return [self._part(fit(f"  {text}", width), "story-list--meta")]

    def placeholder(self) -> list[Segment]:
        """A row not read yet (it arrives within a frame or two)."""
        return [self._part("    …", "story-list--meta")]

    def heading(self, group: Group, folded: bool, width: int) -> list[Segment]:
        arrow = "▸" if folded else "▾"
        count = f"  {group.unread} unread · {group.count}" if group.unread else f"  {group.count}"
        if not group.counted:  # a view's counts, read after the first frame
            count = "  …"
        # A view (a saved search) is marked as one, in its own colour, above the topics.
        mark = "⌕ " if group.view else ""
        name = fit(group.name, max(1, width - 3 - cell_len(mark) - cell_len(count)))
        return [
            self._part(
                f" {arrow} {mark}{name}",
                "story-list--view" if group.view else "story-list--heading",
            ),
            self._part(count, "story-list--count"),
        ]

    def row(
        self,
        row: StoryRow,
        width: int,
        *,
        opened: bool,
        now: datetime | None,
        bookmark_unsaved: bool = False,
    ) -> list[Segment]:
        age = relative_age(from_iso(row.sort_date), now)
        # The title matters most: the source gets at most a quarter of the row, a third
        # when it names the other feeds that carried the story too.
        if row.also:
            # The core joins the other feeds' names with ", ".
            source = fit_names([row.feed_title, *row.also.split(", ")], max(10, width // 3))
        else:
            source = fit(source_domain(row.link) or row.feed_title, max(10, width // 4))
        if row.media:  # a podcast episode or a video: the reader lists its files
            source = f"{'▶' if row.media == 'video' else '♪'} {source}"
        if row.synced:
            source = f"⇅ {source}"  # from a sync account: its marks reach the server too
        meta = f" {source} · {age} " if age else f" {source} "
        if width < _NARROW:
            meta = f" {age} " if age else " "
        room = width - 4 - cell_len(meta)
        if room < 8:  # too narrow for the source: give the title the room
            meta = " "
            room = width - 5
        title = fit(row.title, room)
        gap = " " * max(0, room - cell_len(title))
        look = self.base + self.style("story-list--read" if row.read else "story-list--unread")
        if row.highlight:
            look += _highlight(row.highlight)
        if row.hidden:  # shown only with H: dimmed, so it reads as muted
            look += self.style("story-list--hidden")
        return [
            self._part("▌" if opened else " ", "story-list--open"),
            self._part("●" if not row.read else " ", "story-list--mark"),
            # ★ promises the bookmark is on disk; ☆ is one on its way there.
            self._part(
                (" " if not row.bookmarked else "☆" if bookmark_unsaved else "★"),
                "story-list--bookmark",
            ),
            self._part(" "),
            Segment(title + gap, look),
            self._part(meta, "story-list--meta"),
        ]
