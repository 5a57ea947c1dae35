"""The main screen: the story list, the reader, the status bar and the footer.

It owns what the user is looking at (the list's view, the open story, which pane shows on
a narrow terminal) and the story actions (open, marks, views, sections, links). Every
library call runs in a thread worker; results come back through
:func:`tui.ui.threads.deliver`, so the event loop never waits on SQLite.

Wide terminals (``WIDE_COLUMNS`` and up) show both panes; narrower ones show the list or
the reader, switched by Enter and Esc, and resizing switches live.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Sequence
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList
from textual.worker import get_current_worker

from tui.core.clean import openable_url
from tui.core.errors import NewstermError
from tui.core.models import StoryRow
from tui.core.reader import ReaderView, reader_view, story_slug
from tui.ui.screens.confirm import ConfirmScreen
from tui.ui.screens.outline import OutlineScreen
from tui.ui.session import ListFilter, Session
from tui.ui.threads import deliver
from tui.ui.widgets.reader_pane import ReaderPane
from tui.ui.widgets.status_bar import StatusBar
from tui.ui.widgets.story_list import StoryList

WIDE_COLUMNS = 100
FIRST_PAINT_ROWS = 300  # painted before the whole list is read (100k rows take a while)
RELATED_STORIES = 5


class MainScreen(Screen[None]):
    """Both panes, or one of them on a narrow terminal."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,h", "back", "Back", id="back"),
        Binding("tab", "switch_pane", "Switch pane", show=False, id="switch_pane"),
        Binding("space", "page_reader", "Page", show=False, id="page_reader"),
        Binding("n", "next_unread", "Next unread", id="next_unread"),
        Binding("p", "previous_unread", "Previous unread", show=False, id="previous_unread"),
        Binding("m", "toggle_read", "Read/unread", show=False, id="toggle_read"),
        Binding("M", "mark_topic_read", "Mark topic read", show=False, id="mark_topic_read"),
        Binding("b", "toggle_bookmark", "Bookmark", id="toggle_bookmark"),
        Binding("A", "view_all", "All stories", show=False, id="view_all"),
        Binding("u", "view_unread", "Unread", id="view_unread"),
        Binding("B", "view_bookmarks", "Bookmarks", show=False, id="view_bookmarks"),
        Binding("T", "view_topic", "This topic", show=False, id="view_topic"),
        Binding(
            "left_square_bracket",
            "previous_section",
            "Previous section",
            show=False,
            id="previous_section",
        ),
        Binding(
            "right_square_bracket", "next_section", "Next section", show=False, id="next_section"
        ),
        Binding("t", "outline", "Outline", show=False, id="outline"),
        Binding("o", "open_browser", "Open in browser", show=False, id="open_browser"),
        Binding("y", "copy_link", "Copy link", show=False, id="copy_link"),
        Binding("r", "refresh_feed", "Refresh feed", show=False, id="refresh_feed"),
    ]

    class RefreshRequested(Message):
        """Refresh these feeds (None: all of them)."""

        def __init__(self, feed_ids: Sequence[int] | None) -> None:
            super().__init__()
            self.feed_ids = None if feed_ids is None else list(feed_ids)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.filter = ListFilter()
        self.reading = False  # on a narrow terminal: the reader is the pane shown
        self.loaded = False  # the whole list has been read at least once
        self._fold_on_load = False  # "topics" in the breadcrumb: fold all once loaded
        self._partial_at: int | None = None  # cursor's story after a first-paint batch

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield StoryList(id="stories", now=self.session.now)
            yield ReaderPane(id="reader", now=self.session.now)
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self._layout()
        self.stories.focus()
        self.reload(first_paint=True)

    # -- parts ---------------------------------------------------------------------------

    @property
    def stories(self) -> StoryList:
        return self.query_one("#stories", StoryList)

    @property
    def reader(self) -> ReaderPane:
        return self.query_one("#reader", ReaderPane)

    @property
    def status(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    @property
    def narrow(self) -> bool:
        return self.size.width < WIDE_COLUMNS

    @property
    def open_view(self) -> ReaderView | None:
        return self.reader.view

    # -- layout --------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._layout()

    def _layout(self) -> None:
        panes = self.query_one("#panes", Horizontal)
        panes.set_class(self.narrow, "-narrow")
        panes.set_class(self.narrow and self.reading, "-reading")
        focused = self.focused
        if self.narrow and focused is not None:
            in_reader = focused is self.reader or focused in self.reader.walk_children()
            if self.reading and not in_reader:
                self.reader.focus()
            elif not self.reading and in_reader:
                self.stories.focus()

    def _show_reader(self, show: bool) -> None:
        self.reading = show
        self._layout()
        (self.reader if show and self.narrow else self.stories).focus()

    def _reader_has_focus(self) -> bool:
        focused = self.focused
        return focused is not None and (
            focused is self.reader or focused in self.reader.walk_children()
        )

    # -- loading the list ----------------------------------------------------------------

    def reload(self, *, first_paint: bool = False, keep_story: int | None = None) -> None:
        """Read the list again for the current view; the cursor stays on its story."""
        current = self.stories.current_row
        keep = keep_story if keep_story is not None else (current.id if current else None)
        self._load_rows(self.filter, keep, first_paint)

    @work(thread=True, exclusive=True, group="rows")
    def _load_rows(
        self, view: ListFilter, keep: int | None, first_paint: bool, *, top: bool = False
    ) -> None:
        worker = get_current_worker()
        library = self.session.library
        try:
            if first_paint:
                rows = view.rows(library, limit=FIRST_PAINT_ROWS)
                if worker.is_cancelled:
                    return
                complete = len(rows) < FIRST_PAINT_ROWS
                deliver(self, self._rows_loaded, view, rows, keep, complete, top)
                if len(rows) < FIRST_PAINT_ROWS:
                    deliver(self, self._counts_loaded, library.counts())
                    return
            rows = view.rows(library)
            counts = library.counts()
        except NewstermError as error:
            deliver(self, self._problem, str(error))
            return
        if not worker.is_cancelled:
            deliver(self, self._rows_loaded, view, rows, keep, True, top)
            deliver(self, self._counts_loaded, counts)

    def _rows_loaded(
        self, view: ListFilter, rows: list[StoryRow], keep: int | None, complete: bool, top: bool
    ) -> None:
        if view != self.filter:
            return  # the view changed while this was being read
        current = self.stories.current_row
        if (
            complete
            and self._partial_at is not None
            and (current and current.id) != self._partial_at
        ):
            keep, top = None, False  # the user moved since the first rows came: stay there
        self.stories.set_rows(rows, keep_story=keep, top=top)
        now_at = self.stories.current_row
        self._partial_at = None if complete else (now_at.id if now_at else -1)
        self.loaded = self.loaded or complete
        if complete and self._fold_on_load:
            self._fold_on_load = False
            self.stories.fold_all(True)
        if self.open_view is None:
            self.status.path = f"news/{self.filter.label}"

    def _counts_loaded(self, counts: tuple[int, int, int]) -> None:
        self.status.indexed, self.status.unread, _bookmarked = counts

    def _problem(self, message: str) -> None:
        self.notify(message, severity="error", markup=False, timeout=8)

    # -- opening a story -----------------------------------------------------------------

    def on_story_list_selected(self, event: StoryList.Selected) -> None:
        event.stop()
        self.open_story(event.row.id)

    def on_reader_pane_related_selected(self, event: ReaderPane.RelatedSelected) -> None:
        event.stop()
        self.stories.move_to_story(event.story_id)
        self.open_story(event.story_id)

    def open_story(self, story_id: int) -> None:
        """Show a story in the reader and mark it read, saved at once."""
        row = self.stories.row_of(story_id)
        self.stories.set_open_story(story_id)
        if row is None or not row.read:
            self.stories.update_story(story_id, read=True)  # in place, before the save returns
            self._save_marks([story_id], read=True)
        self._load_story(story_id)
        if self.narrow:
            self._show_reader(True)

    @work(thread=True, exclusive=True, group="story")
    def _load_story(self, story_id: int) -> None:
        library = self.session.library
        try:
            story = library.story(story_id)
            others = library.stories(topic=story.topic.slug, limit=RELATED_STORIES + 1)
            related = [other for other in others if other.id != story_id][:RELATED_STORIES]
            view = reader_view(story, related)
        except NewstermError as error:
            deliver(self, self._problem, str(error))
            return
        if not get_current_worker().is_cancelled:
            deliver(self, self._story_loaded, view)

    async def _story_loaded(self, view: ReaderView) -> None:
        if self.stories.open_story_id != view.story.id:
            return  # another story was opened meanwhile
        await self.reader.show(view)
        story = view.story
        self.status.path = f"news/{story.topic.slug}/{story_slug(story)}"
        self.status.reading = f"read:{view.read_minutes}min {story.sort_date:%Y-%m-%d}"

    @work(thread=True, group="marks")
    def _save_marks(
        self, story_ids: list[int], *, read: bool | None = None, bookmarked: bool | None = None
    ) -> None:
        library = self.session.library
        try:
            if read is not None:
                library.set_read(story_ids, read)
            if bookmarked is not None:
                library.set_bookmarked(story_ids, bookmarked)
            counts = library.counts()
        except NewstermError as error:
            deliver(self, self._problem, f"Could not save the change: {error}")
            deliver(self, self.reload)
            return
        deliver(self, self._counts_loaded, counts)

    # -- which story an action is about --------------------------------------------------

    def _target(self) -> tuple[int, str, bool, bool, str] | None:
        """(id, link, read, bookmarked, topic slug) of the story an action applies to:
        the open one when the reader has the focus, else the one under the list's cursor."""
        view = self.open_view
        if view is not None and (self._reader_has_focus() or (self.narrow and self.reading)):
            row = self.stories.row_of(view.story.id)
            story = view.story
            if row is not None:
                return row.id, row.link, row.read, row.bookmarked, row.topic_slug
            return story.id, story.link, story.read, story.bookmarked, story.topic.slug
        row = self.stories.current_row
        if row is None:
            return None
        return row.id, row.link, row.read, row.bookmarked, row.topic_slug

    # -- actions: moving around ----------------------------------------------------------

    def action_open_current(self) -> None:
        self.stories.action_select()

    def action_back(self) -> None:
        if self.narrow and self.reading:
            self._show_reader(False)
        elif self._reader_has_focus():
            self.stories.focus()
        elif self.filter.kind != "all":
            self.set_filter(ListFilter())

    def action_switch_pane(self) -> None:
        if self.narrow:
            if self.reading or self.open_view is not None:
                self._show_reader(not self.reading)
            return
        related = self.reader.query(OptionList)
        focused = self.focused
        if focused is self.stories:
            self.reader.focus()
        elif focused is self.reader and related:
            related.first().focus()
        else:
            self.stories.focus()

    def action_page_reader(self) -> None:
        if self.focused is self.stories and self.stories.current_row is None:
            self.stories.action_fold()  # space on a topic heading folds it
        elif self.open_view is None or (self.narrow and not self.reading):
            self.stories.action_select()
        else:
            self.reader.scroll_page_down(animate=False)

    def action_next_unread(self) -> None:
        self._unread(forward=True)

    def action_previous_unread(self) -> None:
        self._unread(forward=False)

    def _unread(self, *, forward: bool) -> None:
        if self.open_view is not None:
            self.stories.move_to_story(self.open_view.story.id)
        row = self.stories.find_unread(forward)
        if row is None:
            self.notify("No more unread stories this way.", markup=False)
            return
        self.open_story(row.id)

    # -- actions: marks ------------------------------------------------------------------

    def action_toggle_read(self) -> None:
        target = self._target()
        if target is None:
            return
        story_id, _link, read, _bookmarked, _topic = target
        self.stories.update_story(story_id, read=not read)
        self._save_marks([story_id], read=not read)

    def action_toggle_bookmark(self) -> None:
        target = self._target()
        if target is None:
            return
        story_id, _link, _read, bookmarked, _topic = target
        self.stories.update_story(story_id, bookmarked=not bookmarked)
        self._save_marks([story_id], bookmarked=not bookmarked)
        self.notify("Bookmarked." if not bookmarked else "Bookmark removed.", markup=False)

    def action_mark_topic_read(self) -> None:
        topic = self.stories.current_topic
        if self._reader_has_focus() and self.open_view is not None:
            story_topic = self.open_view.story.topic
            topic = (story_topic.slug, story_topic.name)
        if topic is None:
            return
        slug, name = topic

        def answered(yes: bool | None) -> None:
            if yes:
                self.stories.mark_topic_read(slug)
                self._mark_topic(slug)

        self.app.push_screen(
            ConfirmScreen(f"Mark every story in “{name}” as read?", yes="Mark read"), answered
        )

    @work(thread=True, group="marks")
    def _mark_topic(self, slug: str) -> None:
        try:
            changed = self.session.library.mark_topic_read(slug)
            counts = self.session.library.counts()
        except NewstermError as error:
            deliver(self, self._problem, str(error))
            return
        deliver(self, self._counts_loaded, counts)
        deliver(self, self.notify, f"{changed} stories marked read.")

    # -- actions: views ------------------------------------------------------------------

    def set_filter(self, view: ListFilter) -> None:
        self.filter = view
        current = self.stories.current_row
        # The old rows stay on screen until the new ones are read: no empty flash.
        self._load_rows(view, current.id if current else None, True, top=True)
        if self.open_view is None:
            self.status.path = f"news/{view.label}"

    def action_view_all(self) -> None:
        self.set_filter(ListFilter())

    def action_view_unread(self) -> None:
        self.set_filter(ListFilter("all" if self.filter.kind == "unread" else "unread"))

    def action_view_bookmarks(self) -> None:
        self.set_filter(ListFilter("all" if self.filter.kind == "bookmarks" else "bookmarks"))

    def action_view_topic(self, slug: str = "", name: str = "") -> None:
        """One topic's stories (the cursor's topic unless named); again: back to all."""
        if not slug:
            if self.filter.kind == "topic":
                self.set_filter(ListFilter())
                return
            topic = self.stories.current_topic
            if topic is None:
                return
            slug, name = topic
        self.set_filter(ListFilter("topic", slug, name or slug))

    def on_reader_pane_navigate(self, event: ReaderPane.Navigate) -> None:
        event.stop()
        view = self.open_view
        if event.target == "home":
            self.set_filter(ListFilter())
        elif event.target == "topics":  # every topic, folded: an overview of the topics
            if self.filter.kind == "all":
                self.stories.fold_all(True)
            else:
                self._fold_on_load = True
                self.set_filter(ListFilter())
        elif event.target == "topic" and view is not None:
            self.action_view_topic(view.story.topic.slug, view.story.topic.name)
        if event.target != "article" and self.narrow:
            self._show_reader(False)

    # -- actions: sections ---------------------------------------------------------------

    def action_next_section(self) -> None:
        self.reader.next_section()

    def action_previous_section(self) -> None:
        self.reader.previous_section()

    def action_outline(self) -> None:
        headings = self.reader.section_titles
        if not headings:
            self.notify("This story has no sections.", markup=False)
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                self.reader.jump_to_section(index)

        self.app.push_screen(OutlineScreen(headings, self.reader.current_section()), chosen)

    # -- actions: links and feeds --------------------------------------------------------

    def action_open_browser(self) -> None:
        target = self._target()
        url = openable_url(target[1]) if target else None
        if url is None:
            self.notify("This story has no web address to open.", severity="warning", markup=False)
            return
        self._launch_browser(url)

    @work(thread=True, group="browser")
    def _launch_browser(self, url: str) -> None:
        # webbrowser runs the browser with an argument list, never through a shell; it can
        # block while a console browser starts, hence the thread.
        try:
            opened = webbrowser.open(url)
        except Exception:
            opened = False
        if not opened:
            deliver(self, self._problem, "No web browser could be started for this link.")

    def action_copy_link(self) -> None:
        target = self._target()
        url = openable_url(target[1]) if target else None
        if url is None:
            self.notify("This story has no web address to copy.", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(url)
        self.notify("Link copied.", markup=False)

    def action_refresh_feed(self) -> None:
        target = self._target()
        if target is not None:
            self._find_feed(target[0])

    @work(thread=True, group="marks")
    def _find_feed(self, story_id: int) -> None:
        try:
            feed_id = self.session.library.story(story_id).feed_id
        except NewstermError as error:
            deliver(self, self._problem, str(error))
            return
        if feed_id is None:
            deliver(
                self, self._problem, "This story's feed was removed; there is nothing to refresh."
            )
        else:
            deliver(self, self.post_message, self.RefreshRequested([feed_id]))
