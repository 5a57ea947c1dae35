"""The list pane: stories under folding topic headings, drawn with the Line API.

``StoryList`` is a :class:`~textual.scroll_view.ScrollView` whose :meth:`render_line` builds
one :class:`~textual.strip.Strip` per *visible* line, so 100,000 stories cost what 100 do:
no widget per story, and a strip is only built when its line is on screen (a few screens
of them are cached, keyed on everything that changes how a line looks).

Titles and feed names are untrusted text. They go straight into ``Segment`` text, which
Rich never parses for markup, so ``[@click=app.quit]x[/]`` is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.models import StoryRow
from tui.core.reader import source_domain
from tui.core.timeutil import from_iso, relative_age
from tui.ui.widgets.story_index import StoryIndex

_CACHE_LINES = 400  # a few screens' worth of strips


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis (wide characters counted right)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…"


class StoryList(ScrollView, can_focus=True):
    """Stories grouped under topic headings; a cursor; headings fold."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("g,home", "first", "First", show=False, id="first"),
        Binding("G,end", "last", "Last", show=False, id="last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
        Binding("enter,l", "select", "Open", id="open"),
        Binding("z", "fold", "Fold topic", show=False, id="fold"),
        Binding("Z", "fold_all", "Fold all topics", show=False, id="fold_all"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "story-list--heading",
        "story-list--count",
        "story-list--cursor",
        "story-list--unread",
        "story-list--read",
        "story-list--mark",
        "story-list--bookmark",
        "story-list--meta",
        "story-list--open",
    }

    DEFAULT_CSS = """
    StoryList {
        overflow-x: hidden;
        overflow-y: auto;
    }
    StoryList > .story-list--heading { color: $accent; text-style: bold; }
    StoryList > .story-list--count { color: $text-muted; }
    StoryList > .story-list--cursor { background: $block-cursor-blurred-background; }
    StoryList:focus > .story-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    StoryList > .story-list--unread { text-style: bold; }
    StoryList > .story-list--read { color: $text-muted; }
    StoryList > .story-list--mark { color: $accent; }
    StoryList > .story-list--bookmark { color: $warning; }
    StoryList > .story-list--meta { color: $text-muted; }
    StoryList > .story-list--open { color: $accent; }
    """

    class Highlighted(Message):
        """The cursor moved; ``row`` is None on a topic heading or an empty list."""

        def __init__(self, row: StoryRow | None) -> None:
            super().__init__()
            self.row = row

    class Selected(Message):
        """The user asked to open a story (Enter, ``l``, or a second click)."""

        def __init__(self, row: StoryRow) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        *,
        now: Callable[[], datetime] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.index = StoryIndex()
        self.cursor = 0
        self.open_story_id: int | None = None
        self._now = now
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(_CACHE_LINES)
        self._version = 0  # bumped on every data change; part of each cache key

    # -- data in -------------------------------------------------------------------------

    def set_rows(
        self, rows: Sequence[StoryRow], keep_story: int | None = None, *, top: bool = False
    ) -> None:
        """Show ``rows``. The cursor stays on ``keep_story`` (else on the story it was on);
        when that story is gone it stays on the same line, or goes to the top if ``top``."""
        current = self.current_row
        keep = keep_story if keep_story is not None else (current.id if current else None)
        fallback = 0 if top else self.cursor
        self.index = StoryIndex(rows, self.index.folded)
        self._changed()
        line = None
        if keep is not None:
            row = self.index.find(keep)
            if row is not None:
                line = self.index.line_of_row(row)
        self._move(line if line is not None else fallback, force=True)

    def update_story(
        self, story_id: int, *, read: bool | None = None, bookmarked: bool | None = None
    ) -> None:
        """Change one story's marks in place (the cursor and scroll stay where they are)."""
        row = self._row_near_cursor(story_id)
        if row is not None and self.index.update(row, read=read, bookmarked=bookmarked):
            self._changed()

    def mark_topic_read(self, slug: str) -> None:
        for group in self.index.groups:
            if group.slug == slug:
                for row in range(group.start, group.end):
                    self.index.update(row, read=True)
        self._changed()

    def set_open_story(self, story_id: int | None) -> None:
        self.open_story_id = story_id
        self._changed()

    def _changed(self) -> None:
        self._version += 1
        self._cache.clear()
        self._update_virtual_size()
        self.refresh()

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.size.width, self.index.line_count)

    def _row_near_cursor(self, story_id: int) -> int | None:
        line = self.index.line(self.cursor)
        if line is not None and line.row is not None and self.index.rows[line.row].id == story_id:
            return line.row
        return self.index.find(story_id)

    # -- data out ------------------------------------------------------------------------

    @property
    def current_row(self) -> StoryRow | None:
        line = self.index.line(self.cursor)
        if line is None or line.row is None:
            return None
        return self.index.rows[line.row]

    @property
    def current_topic(self) -> tuple[str, str] | None:
        """(slug, name) of the topic the cursor is in."""
        line = self.index.line(self.cursor)
        if line is None:
            return None
        group = self.index.groups[line.group]
        return group.slug, group.name

    def row_of(self, story_id: int) -> StoryRow | None:
        row = self._row_near_cursor(story_id)
        return None if row is None else self.index.rows[row]

    # -- cursor --------------------------------------------------------------------------

    def _move(self, line: int, *, force: bool = False) -> None:
        last = max(0, self.index.line_count - 1)
        line = max(0, min(line, last))
        if line == self.cursor and not force:
            return
        previous, self.cursor = self.cursor, line
        self.refresh_line(previous)
        self.refresh_line(line)
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self.current_row))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def move_to_story(self, story_id: int) -> bool:
        """Put the cursor on a story, unfolding its topic if needed."""
        row = self.index.find(story_id)
        if row is None:
            return False
        self._reveal(row)
        return True

    def _reveal(self, row: int) -> None:
        group = self.index.group_of_row(row)
        if group is not None and self.index.groups[group].slug in self.index.folded:
            self.index.toggle_fold(group)
            self._changed()
        line = self.index.line_of_row(row)
        if line is not None:
            self._move(line, force=True)

    def find_unread(self, forward: bool = True) -> StoryRow | None:
        """Move to the next (or previous) unread story after the cursor and return it."""
        line = self.index.line(self.cursor)
        rows = self.index.rows
        if line is None or not rows:
            return None
        if line.row is not None:
            start = line.row + (1 if forward else -1)
        else:  # on a heading: its first row going forward, the row above going back
            first = self.index.groups[line.group].start
            start = first if forward else first - 1
        span = range(start, len(rows)) if forward else range(start, -1, -1)
        for row in span:
            if not rows[row].read:
                self._reveal(row)
                return rows[row]
        return None

    # -- actions -------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(self.index.line_count - 1)

    def action_page_down(self) -> None:
        self._move(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self._move(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_select(self) -> None:
        line = self.index.line(self.cursor)
        if line is None:
            return
        if line.row is None:
            self.action_fold()
        else:
            self.post_message(self.Selected(self.index.rows[line.row]))

    def action_fold(self) -> None:
        """Fold or unfold the topic the cursor is in; the cursor lands on its heading."""
        line = self.index.line(self.cursor)
        if line is None:
            return
        self.index.toggle_fold(line.group)
        self._changed()
        self._move(self.index.heading_line(line.group), force=True)

    def action_fold_all(self) -> None:
        """Fold every topic, or unfold them all when they already are."""
        everything = {group.slug for group in self.index.groups}
        self.fold_all(self.index.folded != everything)

    def fold_all(self, folded: bool) -> None:
        """Fold (or unfold) every topic; the cursor lands on its topic's heading."""
        line = self.index.line(self.cursor)
        self.index.set_all_folded(folded)
        self._changed()
        if line is not None:
            self._move(self.index.heading_line(line.group), force=True)

    # -- mouse ---------------------------------------------------------------------------

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        y = offset.y + int(self.scroll_y)
        line = self.index.line(y)
        if line is None:
            return
        event.stop()
        already = y == self.cursor
        self._move(y)
        if line.row is None:
            self.action_fold()
        elif already or event.chain >= 2:
            self.post_message(self.Selected(self.index.rows[line.row]))

    # -- rendering -----------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._cache.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()  # a theme change or focus change restyles every line

    def render_line(self, y: int) -> Strip:
        line_number = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        key = (line_number, width, line_number == self.cursor, self.has_focus, self._version)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_line(line_number, width)
            self._cache[key] = strip
        return strip

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def _render_line(self, line_number: int, width: int) -> Strip:
        base = self.rich_style
        line = self.index.line(line_number)
        if line is None or width <= 0:
            return Strip.blank(width, base)
        cursor = line_number == self.cursor
        if line.row is None:
            segments = self._heading_segments(line.group, width)
        else:
            segments = self._row_segments(self.index.rows[line.row], width)
        if cursor:
            overlay = self._style("story-list--cursor")
            segments = [Segment(text, (style or Style()) + overlay) for text, style, _ in segments]
            base = base + overlay
        return Strip(segments).adjust_cell_length(width, base)

    def _heading_segments(self, group_index: int, width: int) -> list[Segment]:
        group = self.index.groups[group_index]
        folded = group.slug in self.index.folded
        base = self.rich_style
        arrow = "▸" if folded else "▾"
        count = f"  {group.unread} unread · {group.count}" if group.unread else f"  {group.count}"
        name = _fit(group.name, max(1, width - 3 - cell_len(count)))
        return [
            Segment(f" {arrow} {name}", base + self._style("story-list--heading")),
            Segment(count, base + self._style("story-list--count")),
        ]

    def _row_segments(self, row: StoryRow, width: int) -> list[Segment]:
        base = self.rich_style
        now = self._now() if self._now else None
        age = relative_age(from_iso(row.sort_date), now)
        source = source_domain(row.link) or row.feed_title
        meta = f" {source} · {age} " if age else f" {source} "
        if width < 40:
            meta = f" {age} " if age else " "
        opened = "▌" if row.id == self.open_story_id else " "
        mark = "●" if not row.read else " "
        star = "★" if row.bookmarked else " "
        room = width - 4 - cell_len(meta)
        if room < 8:  # too narrow for the source: give the title the room
            meta = " "
            room = width - 5
        title = _fit(row.title, room)
        gap = " " * max(0, room - cell_len(title))
        title_style = self._style("story-list--read" if row.read else "story-list--unread")
        return [
            Segment(opened, base + self._style("story-list--open")),
            Segment(mark, base + self._style("story-list--mark")),
            Segment(star, base + self._style("story-list--bookmark")),
            Segment(" ", base),
            Segment(title + gap, base + title_style),
            Segment(meta, base + self._style("story-list--meta")),
        ]
