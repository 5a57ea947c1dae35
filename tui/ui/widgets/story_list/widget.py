"""The list pane: stories under folding topic headings, drawn with the Line API.

``StoryList`` is a :class:`~textual.scroll_view.ScrollView` whose :meth:`render_line` builds
one :class:`~textual.strip.Strip` per *visible* line, so 100,000 stories cost what 100 do:
no widget per story, the view's shape is its groups' counts and only the windows of ids
around where the list has been are known (see :mod:`tui.ui.widgets.story_list.model`), a
row's details are read only when it comes on screen, and a strip is only built for a line
on screen (a few screens of them are cached, keyed on everything that changes how a line
looks). A million stories open and scroll like a hundred.

The list does no I/O. When a line on screen needs a story or a row it has not got, it
posts :class:`StoryList.RowsWanted` and draws what it knows; its screen reads the windows
and rows in a worker thread and hands them to :meth:`StoryList.add_rows`.

Titles and feed names are untrusted text. They go straight into ``Segment`` text, which
Rich never parses for markup, so ``[@click=app.quit]x[/]`` is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import ClassVar

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core import MarkKind, StoryIndex, StoryRow
from tui.ui.widgets.story_list.model import Group, ListModel, Window
from tui.ui.widgets.story_list.rows import RowPainter

_CACHE_LINES = 400  # a few screens' worth of strips


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
        "story-list--view",
        "story-list--hidden",
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
    StoryList > .story-list--view { color: $secondary; text-style: bold; }
    StoryList > .story-list--hidden { color: $text-disabled; text-style: italic; }
    """

    class Highlighted(Message):
        """The cursor moved; ``story_id`` is None on a topic heading or an empty list."""

        def __init__(self, story_id: int | None) -> None:
            super().__init__()
            self.story_id = story_id

    class Selected(Message):
        """The user asked to open a story (Enter, ``l``, or a second click)."""

        def __init__(self, story_id: int) -> None:
            super().__init__()
            self.story_id = story_id

    class RowsWanted(Message):
        """Rows about to be on screen that the list has not read (or not since a reload),
        and windows of positions whose stories it does not know yet.

        The list does no I/O: its screen reads them and hands them to :meth:`add_rows`.
        """

        def __init__(self, story_ids: list[int], windows: list[Window], since: int) -> None:
            super().__init__()
            self.story_ids = story_ids
            self.windows = windows  # read these first; their rows are wanted too
            self.since = since  # hand back to add_rows: the marks' generation when asked

    def __init__(
        self,
        *,
        now: Callable[[], datetime] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.index = ListModel()
        self.cursor = 0
        self.open_story_id: int | None = None
        self.loaded = False  # an order has been set at least once
        self.empty_message = "No stories here."  # shown when the view has none
        self._now = now
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(_CACHE_LINES)
        self._version = 0  # bumped on every data change; part of each cache key
        self._pending: set[int] = set()  # ids asked for and not arrived yet
        self._pending_windows: set[tuple[str, int]] = set()  # (slug, offset) asked for
        self._request_scheduled = False

    # -- data in -------------------------------------------------------------------------

    def set_order(
        self,
        order: StoryIndex,
        rows: Mapping[int, StoryRow] | None = None,
        *,
        windows: Sequence[tuple[Window, list[int]]] = (),
        keep_story: int | None = None,
        top: bool = False,
        since: int | None = None,
        uncounted: Iterable[str] = (),
    ) -> None:
        """Show a view's order (``windows``: some of its stories, and ``rows``: some of
        their rows, read with it; ``since``: the :attr:`marks_generation` when they were
        asked for).

        The cursor stays on ``keep_story`` (else on the story it was on), at the same
        height on screen; when that story is gone it stays on the same line, or goes to
        the top if ``top``. Marks not saved yet, and rows already read, carry over.
        ``uncounted``: views whose counts are still being read (:meth:`set_view_counts`).
        """
        keep = keep_story if keep_story is not None else self.current_id
        fallback = 0 if top else self.cursor
        screen_row = self.cursor - int(self.scroll_y)
        old = self.index
        on_line = old.line(self.cursor)
        in_group = old.groups[on_line.group] if on_line is not None else None
        # A view appears folded (its heading and counts) until it is opened.
        known = {group.slug for group in old.groups}
        new_views = {g.topic.slug for g in order.groups if g.view and g.topic.slug not in known}
        self.index = ListModel(order, old.folded | new_views, uncounted)
        for window, ids in windows:
            self.index.fill(window.start + window.offset, ids)
        self.index.carry_marks(old)
        self.index.store_rows(rows or {}, since)
        self._pending.clear()
        self._pending_windows.clear()
        self.loaded = True
        self._changed()
        line = None
        if keep is not None:
            index = self._position_in(keep, in_group)
            if index is not None:
                line = self.index.line_of(index)
        if line is not None and 0 <= screen_row < self.scrollable_content_region.height:
            self.scroll_to(y=max(0, line - screen_row), animate=False, immediate=True)
        self._move(line if line is not None else fallback, force=True)

    def set_view_counts(self, order: StoryIndex) -> None:
        """The same order with its views' counts read (see ``with_view_counts``): the
        cursor stays on its heading or story, the stories known stay known."""
        old = self.index
        on_line = old.line(self.cursor)
        self.index = old.rebased(order)
        line = self.cursor
        if on_line is not None:
            group = self.index.groups[on_line.group]
            line = self.index.heading_line(on_line.group)
            if on_line.index is not None and group.slug not in self.index.folded:
                offset = on_line.index - old.groups[on_line.group].start
                line += 1 + min(offset, max(0, group.count - 1))
        screen_row = self.cursor - int(self.scroll_y)
        self._pending.clear()
        self._pending_windows.clear()
        self._changed()
        if line == self.cursor:
            return  # (folded views: their counts move no line)
        if 0 <= screen_row < self.scrollable_content_region.height:
            self.scroll_to(y=max(0, line - screen_row), animate=False, immediate=True)
        self._move(line, force=True)

    def _position_in(self, story_id: int, was_in: Group | None) -> int | None:
        """Where the story is, in the group the cursor was in if it is there, else under
        its topic. A story that left the view the cursor was in (read, in an unread view)
        is not followed to its topic: None, and the cursor keeps its line in the view."""
        positions = self.index.positions(story_id)
        if was_in is not None:
            for index in positions:
                group = self.index.group_of(index)
                if group is not None and self.index.groups[group].slug == was_in.slug:
                    return index
        if was_in is not None and was_in.view:
            return None
        return positions[-1] if positions else None

    def add_rows(
        self,
        rows: Mapping[int, StoryRow],
        asked: Sequence[int] = (),
        since: int | None = None,
        windows: Sequence[tuple[Window, list[int]]] = (),
    ) -> None:
        """Rows read for the screen (``asked``: the ids that were asked for; ``since``: the
        :attr:`marks_generation` when they were), and the windows of stories read."""
        before = self.current_id
        for window, ids in windows:
            self._pending_windows.discard((window.slug, window.offset))
            self.index.fill(window.start + window.offset, ids)
        line = self.index.line(self.cursor)
        if line is not None and line.index is not None:
            self.index.prune(line.index)
        self._pending.difference_update(asked or rows)
        self.index.store_rows(rows, since)
        self._changed()
        if before is None and self.current_id is not None:
            self.post_message(self.Highlighted(self.current_id))  # known only now

    @property
    def marks_generation(self) -> int:
        """Take this before reading rows, and give it back with them (see ``ListModel``)."""
        return self.index.generation

    def update_story(
        self, story_id: int, *, read: bool | None = None, bookmarked: bool | None = None
    ) -> int:
        """Change one story's marks in place, before they are saved; the mark's number."""
        sequence = self.index.mark(story_id, read=read, bookmarked=bookmarked)
        self._changed()
        if self.index.rechecks:
            self._want_rows()  # the screen asks which views list it, with the rows
        return sequence

    def mark_saved(self, story_id: int, kind: MarkKind, sequence: int) -> bool:
        """Mark number ``sequence`` is in the library: draw it as saved (a ★ now)."""
        latest = self.index.saved(story_id, kind, sequence)
        if latest:
            self._changed()
        return latest

    def mark_failed(self, story_id: int, kind: MarkKind, sequence: int) -> None:
        self.index.failed(story_id, kind, sequence)
        self._changed()

    def mark_topic_read(self, slug: str) -> None:
        self.index.mark_topic_read(slug)
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

    # -- rows wanted ---------------------------------------------------------------------

    def _want_rows(self) -> None:
        """A row on screen is missing or stale: ask for the screen's worth, once a frame."""
        if not self._request_scheduled:
            self._request_scheduled = True
            # call_later, not call_after_refresh: the message must be sent from this
            # widget's own queue, or Textual takes the sender for the parent and the
            # message never bubbles up to the screen.
            self.call_later(self._request_rows)

    def _request_rows(self) -> None:
        self._request_scheduled = False
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_y)
        # The screen, and one more above and below, so that paging finds rows waiting.
        first, last = top - height, top + 2 * height
        wanted = [
            story_id
            for story_id in self.index.ids_on_lines(first, last)
            if story_id not in self.index.fresh and story_id not in self._pending
        ]
        windows: list[Window] = []
        span = self.index.positions_on_lines(first, last)
        if span is not None:
            windows = [
                window
                for window in self.index.windows_wanted(*span)
                if (window.slug, window.offset) not in self._pending_windows
            ]
        if wanted or windows or self.index.rechecks:
            self._pending.update(wanted)
            self._pending_windows.update((w.slug, w.offset) for w in windows)
            self.post_message(self.RowsWanted(wanted, windows, self.index.generation))

    # -- data out ------------------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        """The story under the cursor; None on a heading, or while its window is read."""
        line = self.index.line(self.cursor)
        if line is None or line.index is None:
            return None
        return self.index.id_at(line.index)

    @property
    def current_row(self) -> StoryRow | None:
        """The row under the cursor, when it has been read (it is once it was on screen)."""
        story_id = self.current_id
        return None if story_id is None else self.index.row(story_id)

    @property
    def current_topic(self) -> tuple[str, str] | None:
        """(slug, name) of the topic the cursor is in."""
        line = self.index.line(self.cursor)
        if line is None:
            return None
        group = self.index.groups[line.group]
        return group.slug, group.name

    def row_of(self, story_id: int) -> StoryRow | None:
        return self.index.row(story_id)

    def ids_on_screen(self) -> list[int]:
        """The stories on the lines the list shows now."""
        top = int(self.scroll_y)
        return self.index.ids_on_lines(top, top + self.scrollable_content_region.height)

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
        self.post_message(self.Highlighted(self.current_id))

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
        """Put the cursor on a story, unfolding its topic if needed; False when the list
        does not know where it is (see :meth:`move_to_position`)."""
        index = self.index.find(story_id)
        if index is None:
            return False
        return self.move_to_position(index)

    def move_to_position(self, index: int) -> bool:
        """Put the cursor on the story at position ``index``, unfolding its group."""
        group = self.index.group_of(index)
        if group is None:
            return False
        if self.index.groups[group].slug in self.index.folded:
            self.index.toggle_fold(group)
            self._changed()
        line = self.index.line_of(index)
        if line is not None:
            self._move(line, force=True)
        return True

    def seek_plan(self, *, forward: bool) -> list[Window]:
        """Where to look for the next (or previous) unread story after the cursor."""
        return self.index.seek_plan_from_line(self.cursor, forward=forward)

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
        story_id = None if line.index is None else self.index.id_at(line.index)
        if line.index is None:
            self.action_fold()
        elif story_id is not None:
            self.post_message(self.Selected(story_id))

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
        story_id = None if line.index is None else self.index.id_at(line.index)
        if line.index is None:
            self.action_fold()
        elif story_id is not None and (already or event.chain >= 2):
            self.post_message(self.Selected(story_id))

    # -- rendering -----------------------------------------------------------------------

    def on_mount(self) -> None:
        # Ages ("5m", "2h") are drawn into cached strips: redraw them once a minute.
        self.set_interval(60, self._changed, name="story-ages")

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.loaded:
            # Read ahead: the rows a screen above and below are asked for as soon as the
            # list scrolls, not when one of them is already on screen as "…" (that costs a
            # second frame, tens of milliseconds later).
            self._want_rows()

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
        paint = RowPainter(base, self._style)
        if line is None or width <= 0:
            if line_number == 0 and self.loaded and self.empty_message:
                return paint.strip(paint.message(self.empty_message, width), width)
            return Strip.blank(width, base)
        if line.index is None:
            group = self.index.groups[line.group]
            segments = paint.heading(group, group.slug in self.index.folded, width)
        else:
            story_id = self.index.id_at(line.index)
            row = None if story_id is None else self.index.row(story_id)
            if row is None or story_id not in self.index.fresh:
                self._want_rows()  # drawn with what is known; redrawn when the row comes
            if row is None:
                segments = paint.placeholder()
            else:
                now = self._now() if self._now else None
                segments = paint.row(
                    row,
                    width,
                    opened=row.id == self.open_story_id,
                    now=now,
                    bookmark_unsaved=self.index.is_unsaved(row.id, "bookmarked"),
                )
        return paint.strip(segments, width, cursor=line_number == self.cursor)
