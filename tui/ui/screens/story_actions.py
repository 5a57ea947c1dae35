"""Actions on one story, shared by the main screen: marks, links, its feed.

:class:`StoryActionsScreen` holds what an action needs to know (which story it is about:
the open one when the reader has the focus, else the one under the list's cursor) and the
actions themselves; :class:`~tui.ui.screens.main.MainScreen` adds the panes, the layout
and moving around. Every library call runs in a thread worker.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Sequence

from textual import work
from textual.message import Message
from textual.screen import Screen

from tui.core import MarkKind, MarkResult, NewstermError, ReaderView, openable_url
from tui.ui.screens.confirm import ConfirmScreen
from tui.ui.session import Session
from tui.ui.threads import deliver
from tui.ui.widgets.reader_pane import ReaderPane
from tui.ui.widgets.status_bar import StatusBar
from tui.ui.widgets.story_list import StoryList

WIDE_COLUMNS = 100


class StoryActionsScreen(Screen[None]):
    """The parts of the main screen and the actions on the story at hand."""

    class RefreshRequested(Message):
        """Refresh these feeds (None: all of them)."""

        def __init__(self, feed_ids: Sequence[int] | None) -> None:
            super().__init__()
            self.feed_ids = None if feed_ids is None else list(feed_ids)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.reading = False  # on a narrow terminal: the reader is the pane shown

    def reload(self, *, keep_story: int | None = None) -> None:
        """Read the list again (the main screen does it; a failed save asks for it)."""
        raise NotImplementedError

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

    def _reader_has_focus(self) -> bool:
        focused = self.focused
        return focused is not None and (
            focused is self.reader or focused in self.reader.walk_children()
        )

    def _counts_loaded(self, counts: tuple[int, int, int]) -> None:
        self.status.indexed, self.status.unread, _bookmarked = counts

    def _problem(self, message: str) -> None:
        self.notify(message, severity="error", markup=False, timeout=8)

    def save_mark(self, story_id: int, kind: MarkKind, flag: bool) -> None:
        """Show a mark at once and queue it for the library's writer, which saves marks in
        the order they were made; the row shows it as saved only once it is on disk."""
        if kind == "read":
            sequence = self.stories.update_story(story_id, read=flag)
        else:
            sequence = self.stories.update_story(story_id, bookmarked=flag)

        def done(result: MarkResult) -> None:  # called in the writer thread
            deliver(self, self._mark_done, story_id, kind, flag, sequence, result)

        try:
            # Only appends to the queue (no I/O), so it runs here and keeps the order of
            # key presses; a thread per save once let quick presses overtake each other.
            self.session.library.queue_mark(kind, [story_id], flag, done)
        except NewstermError as error:
            self._mark_done(story_id, kind, flag, sequence, MarkResult(error=error))

    def _mark_done(
        self, story_id: int, kind: MarkKind, flag: bool, sequence: int, result: MarkResult
    ) -> None:
        if result.error is not None:
            self.stories.mark_failed(story_id, kind, sequence)
            self._problem(f"Could not save the change: {result.error}")
            self.reload()
            return
        if self.stories.mark_saved(story_id, kind, sequence) and kind == "bookmarked":
            self.notify("Bookmarked." if flag else "Bookmark removed.", markup=False)
        self._load_counts()

    @work(thread=True, exclusive=True, group="counts")
    def _load_counts(self) -> None:
        try:
            counts = self.session.library.counts()
        except NewstermError:
            return  # the status bar keeps its last counts; the list reports the problem
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
            # Not in the list's view (opened from search): its marks as last changed here.
            read, bookmarked = self.stories.index.overrides.get(story.id, (None, None))
            return (
                story.id,
                story.link,
                story.read if read is None else read,
                story.bookmarked if bookmarked is None else bookmarked,
                story.topic.slug,
            )
        row = self.stories.current_row
        if row is None:
            return None
        return row.id, row.link, row.read, row.bookmarked, row.topic_slug

    # -- actions: marks ------------------------------------------------------------------

    def action_toggle_read(self) -> None:
        target = self._target()
        if target is None:
            return
        story_id, _link, read, _bookmarked, _topic = target
        self.save_mark(story_id, "read", not read)

    def action_toggle_bookmark(self) -> None:
        target = self._target()
        if target is None:
            return
        story_id, _link, _read, bookmarked, _topic = target
        self.save_mark(story_id, "bookmarked", not bookmarked)

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
        deliver(self, self._topic_saved, slug, counts)
        deliver(self, self.notify, f"{changed} stories marked read.", markup=False)

    def _topic_saved(self, slug: str, counts: tuple[int, int, int]) -> None:
        self.stories.index.topic_saved(slug)
        self._counts_loaded(counts)

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
