"""The main screen: the story list, the reader, the status bar and the footer.

It owns what the user is looking at (the list's view, the open story, which pane shows on
a narrow terminal) and moving around (open, back, next unread, views, sections); the
actions on one story (marks, links, its feed) come from
:class:`~tui.ui.screens.story_actions.StoryActionsScreen`, and loading a story, its full
text and the tone filter from :class:`~tui.ui.screens.reader_mode.ReaderModeScreen`.
Every library call runs in a thread worker; results come back through
:func:`tui.ui.threads.deliver`, so the event loop never waits on SQLite.

Wide terminals (``WIDE_COLUMNS`` and up) show both panes; narrower ones show the list or
the reader, switched by Enter and Esc, and resizing switches live.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.widgets import Footer, OptionList
from textual.worker import get_current_worker

from tui.core import NewstermError, StoryIndex, StoryRow
from tui.ui.screens.outline import OutlineScreen
from tui.ui.screens.reader_mode import ReaderModeScreen
from tui.ui.session import ListFilter, Session, ViewKind
from tui.ui.threads import deliver
from tui.ui.widgets.reader_pane import ReaderPane
from tui.ui.widgets.status_bar import StatusBar
from tui.ui.widgets.story_index import Marks
from tui.ui.widgets.story_list import StoryList

PREFETCH_ROWS = 100  # rows read with a view's order, each side of the cursor's story
EMPTY_MESSAGES = {
    "all": "No stories yet: a adds a feed, R fetches the feeds you have.",
    "unread": "Nothing unread. A shows every story.",
    "bookmarks": "No bookmarks yet: b bookmarks a story. A shows every story.",
    "topic": "No stories in this topic.",
}


def empty_message(view: ListFilter) -> str:
    """What an empty list says, for this view."""
    if view.sentiment:
        return f"No {view.sentiment} stories here: s shows the next tone, A every story."
    return EMPTY_MESSAGES[view.kind]


class MainScreen(ReaderModeScreen):
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
        Binding("F", "fetch_full_text", "Full text", show=False, id="fetch_full_text"),
        Binding("s", "sentiment_filter", "Sentiment", show=False, id="sentiment_filter"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._fold_on_load = False  # "topics" in the breadcrumb: fold all once loaded

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield StoryList(id="stories", now=self.session.now)
            yield ReaderPane(id="reader", now=self.session.now)
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self._layout()
        self.stories.focus()
        self.reload()
        self.start_reader_mode()

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

    # -- loading the list ----------------------------------------------------------------

    def reload(self, *, keep_story: int | None = None) -> None:
        """Read the list again for the current view; the cursor stays on its story."""
        keep = keep_story if keep_story is not None else self.stories.current_id
        self._load_order(
            self.filter, keep, self.stories.marks_generation, follow=keep_story is None
        )

    @work(thread=True, exclusive=True, group="order")
    def _load_order(
        self,
        view: ListFilter,
        keep: int | None,
        since: int,
        *,
        top: bool = False,
        follow: bool = True,
    ) -> None:
        """The view's order, with the rows around the kept story, so the first frame is whole.

        ``follow``: keep the story the cursor is on when the order arrives (the user may
        have moved on while it was read), not the one it was on when it was asked for.
        """
        library = self.session.library
        try:
            order = view.order(library)
            try:
                position = order.ids.index(keep) if keep is not None else 0
            except ValueError:
                position = 0
            window = order.ids[max(0, position - PREFETCH_ROWS) : position + PREFETCH_ROWS]
            rows = library.rows_for(window)
            if get_current_worker().is_cancelled:
                return
            deliver(self, self._order_loaded, view, order, rows, keep, top, since, follow)
            deliver(self, self._counts_loaded, library.counts())  # after: the list comes first
        except NewstermError as error:
            deliver(self, self._problem, str(error))

    def _order_loaded(
        self,
        view: ListFilter,
        order: StoryIndex,
        rows: dict[int, StoryRow],
        keep: int | None,
        top: bool,
        since: int,
        follow: bool,
    ) -> None:
        if view != self.filter:
            return  # the view changed while this was being read
        if follow and self.stories.current_id is not None:
            keep = self.stories.current_id
        self.stories.empty_message = empty_message(view)
        self.stories.set_order(order, rows, keep_story=keep, top=top, since=since)
        self.schedule_prefetch()
        if self._fold_on_load:
            self._fold_on_load = False
            self.stories.fold_all(True)
        if self.open_view is None:
            self.status.path = f"news/{self.filter.label}"

    def on_story_list_rows_wanted(self, event: StoryList.RowsWanted) -> None:
        event.stop()
        self._fetch_rows(event.story_ids, event.since)

    @work(thread=True, group="row-fetch")
    def _fetch_rows(self, story_ids: list[int], since: int) -> None:
        try:
            rows = self.session.library.rows_for(story_ids)
        except NewstermError as error:
            # The ids stay "asked for", so a broken library is not asked again every frame.
            deliver(self, self._problem, str(error))
            return
        deliver(self, self._rows_arrived, rows, story_ids, since)

    def _rows_arrived(self, rows: dict[int, StoryRow], asked: list[int], since: int) -> None:
        self.stories.add_rows(rows, asked, since)
        self.schedule_prefetch()

    # -- opening a story -----------------------------------------------------------------

    def on_story_list_selected(self, event: StoryList.Selected) -> None:
        event.stop()
        self.open_story(event.story_id)

    def on_reader_pane_related_selected(self, event: ReaderPane.RelatedSelected) -> None:
        event.stop()
        self.stories.move_to_story(event.story_id)
        self.open_story(event.story_id)

    def open_story(self, story_id: int) -> None:
        """Show a story in the reader and mark it read, saved at once."""
        row = self.stories.row_of(story_id)
        self.stories.set_open_story(story_id)
        if row is None or not row.read:
            self.save_mark(story_id, "read", True)
        self._load_story(story_id)
        if self.narrow:
            self._show_reader(True)

    # -- actions: moving around ----------------------------------------------------------

    def action_open_current(self) -> None:
        self.stories.action_select()

    def action_fold(self) -> None:
        self.stories.action_fold()

    def action_back(self) -> None:
        if self.narrow and self.reading:
            self._show_reader(False)
        elif self._reader_has_focus():
            self.stories.focus()
        elif self.filter != ListFilter():
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
        plan = self.stories.seek_plan(forward=forward)
        if not plan:
            self.notify("No more unread stories this way.", markup=False)
            return
        self._seek_unread(plan, self.stories.index.marks, self.stories.marks_generation)

    @work(thread=True, exclusive=True, group="seek")
    def _seek_unread(self, plan: list[list[int]], marks: Marks, since: int) -> None:
        """Read rows chunk by chunk until one is unread: the list holds only ids."""
        for chunk in plan:
            try:
                rows = self.session.library.rows_for(chunk)
            except NewstermError as error:
                deliver(self, self._problem, str(error))
                return
            if get_current_worker().is_cancelled:
                return
            for story_id in chunk:
                row = rows.get(story_id)
                if row is not None and not marks.apply(row).read:
                    deliver(self, self._unread_found, story_id, rows, since)
                    return
        deliver(self, self.notify, "No more unread stories this way.", markup=False)

    def _unread_found(self, story_id: int, rows: dict[int, StoryRow], since: int) -> None:
        self.stories.add_rows(rows, since=since)
        if self.stories.move_to_story(story_id):
            self.open_story(story_id)

    # -- actions: views ------------------------------------------------------------------

    def set_filter(self, view: ListFilter) -> None:
        self.filter = view
        self.status.tone = view.sentiment
        # The old list stays on screen until the new order is read: no empty flash.
        self._load_order(view, self.stories.current_id, self.stories.marks_generation, top=True)
        if self.open_view is None:
            self.status.path = f"news/{view.label}"

    def action_view_all(self) -> None:
        self.set_filter(ListFilter())

    # The views below keep the tone filter (s); A, Esc and home clear it.

    def action_view_unread(self) -> None:
        kind: ViewKind = "all" if self.filter.kind == "unread" else "unread"
        self.set_filter(ListFilter(kind, sentiment=self.filter.sentiment))

    def action_view_bookmarks(self) -> None:
        kind: ViewKind = "all" if self.filter.kind == "bookmarks" else "bookmarks"
        self.set_filter(ListFilter(kind, sentiment=self.filter.sentiment))

    def action_view_topic(self, slug: str = "", name: str = "") -> None:
        """One topic's stories (the cursor's topic unless named); again: back to all."""
        if not slug:
            if self.filter.kind == "topic":
                self.set_filter(ListFilter(sentiment=self.filter.sentiment))
                return
            topic = self.stories.current_topic
            if topic is None:
                return
            slug, name = topic
        self.set_filter(ListFilter("topic", slug, name or slug, self.filter.sentiment))

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
