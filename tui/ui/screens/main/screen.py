"""The main screen: the story list, the reader, the status bar and the footer.

It owns what the user is looking at (the list's view, the open story, which pane shows on
a narrow terminal) and moving around (open, back, next unread, views, sections). The rest
of its behaviour lives in plain classes it owns, which reach it through
:class:`~tui.ui.screens.main.parts.MainParts`: :class:`~.loading.ListLoader` reads the
list from the library, :class:`~.story_actions.StoryActions` acts on one story (marks,
links, its feed), :class:`~.reader_mode.ReaderMode` loads a story and its full text and
prefetches pages, and :class:`~.tone.ToneFilter` cycles the tones. Every library call
runs in a thread worker; results come back through
:func:`tui.ui.background.threads.deliver`, so the event loop never waits on SQLite.

Wide terminals (``WIDE_COLUMNS`` and up) show both panes; narrower ones show the list or
the reader, switched by Enter and Esc, and resizing switches live.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList

from tui.core import ReaderView
from tui.ui.dialogs.outline import OutlineScreen
from tui.ui.screens.main.list_filter import ListFilter, ViewKind
from tui.ui.screens.main.loading import ListLoader
from tui.ui.screens.main.media_actions import MediaActions
from tui.ui.screens.main.pictures import Pictures
from tui.ui.screens.main.reader_mode import ReaderMode
from tui.ui.screens.main.rule_actions import RuleActions
from tui.ui.screens.main.story_actions import StoryActions
from tui.ui.screens.main.tone import ToneFilter
from tui.ui.screens.main.user_commands import UserCommands
from tui.ui.session import Session
from tui.ui.widgets.reader import ReaderPane
from tui.ui.widgets.status_bar import StatusBar
from tui.ui.widgets.story_list import StoryList

WIDE_COLUMNS = 100


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
        Binding("F", "fetch_full_text", "Full text", show=False, id="fetch_full_text"),
        Binding("s", "sentiment_filter", "Sentiment", show=False, id="sentiment_filter"),
        Binding("X", "make_rule", "Make a rule", show=False, id="make_rule"),
        Binding("H", "toggle_hidden", "Show hidden", show=False, id="toggle_hidden"),
        Binding("i", "toggle_pictures", "Pictures", show=False, id="toggle_pictures"),
        Binding("e", "play", "Play", show=False, id="play"),
        Binding("d", "download", "Download", show=False, id="download"),
        Binding("D", "downloads", "Downloads", show=False, id="downloads"),
        Binding("E", "transcript", "Transcript / chapters", show=False, id="transcript"),
    ]

    class RefreshRequested(Message):
        """Refresh these feeds (None: all of them)."""

        def __init__(self, feed_ids: Sequence[int] | None) -> None:
            super().__init__()
            self.feed_ids = None if feed_ids is None else list(feed_ids)

    class SyncWanted(Message):
        """Marks wait for a sync server: push them soon."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.reading = False  # on a narrow terminal: the reader is the pane shown
        self.filter = ListFilter()
        self.loader = ListLoader(self)
        self.story_actions = StoryActions(self)
        # The user's [[commands]]; the app binds their keys once it has checked them.
        self.user_commands = UserCommands(self, self.story_actions.target_id, self._bindings)
        self.rule_actions = RuleActions(self)
        self.reader_mode = ReaderMode(self)
        self.tone_filter = ToneFilter(self)
        self.pictures = Pictures(self)
        self.media = MediaActions(self, self.story_actions.target_id)
        # The app resumes page fetching after a refresh and stops it when quitting.
        self.pages = self.reader_mode.pages

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
        self.reader_mode.start()
        self.pictures.start()
        self.rule_actions.apply_if_changed(say=True)  # the config's rules changed since

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

    def reader_has_focus(self) -> bool:
        focused = self.focused
        return focused is not None and (
            focused is self.reader or focused in self.reader.walk_children()
        )

    def show_counts(self, counts: tuple[int, int, int]) -> None:
        self.status.indexed, self.status.unread, _bookmarked = counts

    def problem(self, message: str) -> None:
        self.notify(message, severity="error", markup=False, timeout=8)

    def marks_queued(self, queued: int) -> None:
        self.status.queued = queued
        self.status.sync = self.status.sync or "ok"
        self.post_message(self.SyncWanted())

    def request_refresh(self, feed_ids: list[int]) -> None:
        self.post_message(self.RefreshRequested(feed_ids))

    def schedule_prefetch(self) -> None:
        self.reader_mode.schedule_prefetch()

    def label_new_stories(self) -> None:
        """After a refresh: label the new stories' tone quietly."""
        self.tone_filter.label_new_stories()

    # -- layout --------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._layout()
        # After the new layout: the reader's width is known then.
        self.call_after_refresh(self.run_worker, self.pictures.resized, group="pictures")

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

    # -- the list ------------------------------------------------------------------------

    def reload(self, *, keep_story: int | None = None) -> None:
        """Read the list again for the current view; the cursor stays on its story."""
        self.loader.reload(keep_story=keep_story)

    def on_story_list_rows_wanted(self, event: StoryList.RowsWanted) -> None:
        event.stop()
        self.loader.fetch_rows(event.story_ids, event.windows, event.since)

    # -- opening a story -----------------------------------------------------------------

    def on_story_list_selected(self, event: StoryList.Selected) -> None:
        event.stop()
        self.open_story(event.story_id)

    def on_reader_pane_related_selected(self, event: ReaderPane.RelatedSelected) -> None:
        event.stop()
        self.loader.show(event.story_id)
        self.open_story(event.story_id)

    def open_story(self, story_id: int) -> None:
        """Show a story in the reader and mark it read, saved at once."""
        row = self.stories.row_of(story_id)
        self.stories.set_open_story(story_id)
        if row is None or not row.read:
            self.story_actions.save_mark(story_id, "read", True)
        self.reader_mode.load_story(story_id)
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
        elif self.reader_has_focus():
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
        self.loader.open_unread(forward=True)

    def action_previous_unread(self) -> None:
        self.loader.open_unread(forward=False)

    # -- actions: views ------------------------------------------------------------------

    def set_filter(self, view: ListFilter) -> None:
        self.filter = view
        self.status.tone = view.sentiment
        # The old list stays on screen until the new order is read: no empty flash.
        self.loader.load_order(
            view, self.stories.current_id, self.stories.marks_generation, top=True
        )
        if self.open_view is None:
            self.status.path = f"news/{view.label}"

    def action_view_all(self) -> None:
        self.set_filter(ListFilter())

    # The views below keep the tone filter (s); A, Esc and home clear it.

    def action_view_unread(self) -> None:
        kind: ViewKind = "all" if self.filter.kind == "unread" else "unread"
        self.set_filter(
            ListFilter(kind, sentiment=self.filter.sentiment, with_hidden=self.filter.with_hidden)
        )

    def action_view_bookmarks(self) -> None:
        kind: ViewKind = "all" if self.filter.kind == "bookmarks" else "bookmarks"
        self.set_filter(
            ListFilter(kind, sentiment=self.filter.sentiment, with_hidden=self.filter.with_hidden)
        )

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
                self.loader.fold_on_load = True
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

    # -- actions on one story, and reader mode -------------------------------------------

    def action_toggle_read(self) -> None:
        self.story_actions.toggle_read()

    def action_toggle_bookmark(self) -> None:
        self.story_actions.toggle_bookmark()

    def action_mark_topic_read(self) -> None:
        self.story_actions.mark_topic_read()

    def action_open_browser(self) -> None:
        self.story_actions.open_browser()

    def action_copy_link(self) -> None:
        self.story_actions.copy_link()

    def action_refresh_feed(self) -> None:
        self.story_actions.refresh_feed()

    def action_fetch_full_text(self) -> None:
        """Fetch the open story's page again, even when it is long or was fetched."""
        self.reader_mode.fetch_full_text()

    def action_sentiment_filter(self) -> None:
        """Show the next tone: all → positive → neutral → negative → all."""
        self.tone_filter.next()

    def action_make_rule(self) -> None:
        """Mute this story's feed, stories like it, or highlight its author (a rule)."""
        story_id = self.story_actions.target_id()
        if story_id is not None:
            self.rule_actions.offer(story_id)

    def action_toggle_hidden(self) -> None:
        self.rule_actions.toggle_hidden()

    # -- actions: pictures and media -----------------------------------------------------

    async def action_toggle_pictures(self) -> None:
        await self.pictures.toggle()

    def action_play(self) -> None:
        self.media.play()

    def action_download(self) -> None:
        self.media.download()

    def action_downloads(self) -> None:
        self.media.show_downloads()

    def action_transcript(self) -> None:
        self.media.transcript()

    def action_run_command(self, index: int) -> None:
        """Run the user's command ``index`` (of ``[[commands]]``) on the story at hand."""
        self.user_commands.run(index)
