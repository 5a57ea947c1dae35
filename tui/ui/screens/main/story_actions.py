"""Actions on one story, for the main screen: marks, links, its feed.

:class:`StoryActions` works out which story an action is about (the open one when the
reader has the focus, else the one under the list's cursor) and does it; the screen's
``action_*`` methods hand over to it. Every library call runs in a thread worker.
"""

from __future__ import annotations

import os
import webbrowser
from pathlib import Path

from tui.core import MarkKind, MarkResult, NewstermError, console_browser_argv, openable_url
from tui.ui.background.threads import deliver, thread_worker
from tui.ui.dialogs.confirm import ConfirmScreen
from tui.ui.screens.main.parts import MainParts
from tui.ui.screens.main.user_commands import hand_terminal


class StoryActions:
    """Marks, links and the feed of the story at hand."""

    def __init__(self, node: MainParts) -> None:
        self.node = node

    # -- marks ---------------------------------------------------------------------------

    def save_mark(self, story_id: int, kind: MarkKind, flag: bool) -> None:
        """Show a mark at once and queue it for the library's writer, which saves marks in
        the order they were made; the row shows it as saved only once it is on disk."""
        stories = self.node.stories
        if kind == "read":
            sequence = stories.update_story(story_id, read=flag)
        else:
            sequence = stories.update_story(story_id, bookmarked=flag)

        def done(result: MarkResult) -> None:  # called in the writer thread
            deliver(self.node, self._mark_done, story_id, kind, flag, sequence, result)

        try:
            # Only appends to the queue (no I/O), so it runs here and keeps the order of
            # key presses; a thread per save once let quick presses overtake each other.
            self.node.session.library.queue_mark(kind, [story_id], flag, done)
        except NewstermError as error:
            self._mark_done(story_id, kind, flag, sequence, MarkResult(error=error))

    def _mark_done(
        self, story_id: int, kind: MarkKind, flag: bool, sequence: int, result: MarkResult
    ) -> None:
        stories = self.node.stories
        if result.error is not None:
            stories.mark_failed(story_id, kind, sequence)
            self.node.problem(f"Could not save the change: {result.error}")
            self.node.reload()
            return
        if stories.mark_saved(story_id, kind, sequence) and kind == "bookmarked":
            self.node.notify("Bookmarked." if flag else "Bookmark removed.", markup=False)
        self._load_counts()

    @thread_worker(group="counts", exclusive=True)
    def _load_counts(self) -> None:
        library = self.node.session.library
        try:
            counts = library.counts()
            queued = library.sync_queued()
        except NewstermError:
            return  # the status bar keeps its last counts; the list reports the problem
        deliver(self.node, self.node.show_counts, counts)
        if queued:
            deliver(self.node, self.node.marks_queued, queued)

    # -- which story an action is about --------------------------------------------------

    def _target(self) -> tuple[int, str, bool, bool, str] | None:
        """(id, link, read, bookmarked, topic slug) of the story an action applies to:
        the open one when the reader has the focus, else the one under the list's cursor."""
        node = self.node
        view = node.open_view
        if view is not None and (node.reader_has_focus() or (node.narrow and node.reading)):
            row = node.stories.row_of(view.story.id)
            story = view.story
            if row is not None:
                return row.id, row.link, row.read, row.bookmarked, row.topic_slug
            # Not in the list's view (opened from search): its marks as last changed here.
            read, bookmarked = node.stories.index.overrides.get(story.id, (None, None))
            return (
                story.id,
                story.link,
                story.read if read is None else read,
                story.bookmarked if bookmarked is None else bookmarked,
                story.topic.slug,
            )
        row = node.stories.current_row
        if row is None:
            return None
        return row.id, row.link, row.read, row.bookmarked, row.topic_slug

    def target_id(self) -> int | None:
        """The id of the story an action applies to (see :meth:`_target`)."""
        target = self._target()
        return None if target is None else target[0]

    # -- actions: marks ------------------------------------------------------------------

    def toggle_read(self) -> None:
        target = self._target()
        if target is None:
            return
        story_id, _link, read, _bookmarked, _topic = target
        self.save_mark(story_id, "read", not read)

    def toggle_bookmark(self) -> None:
        target = self._target()
        if target is None:
            return
        story_id, _link, _read, bookmarked, _topic = target
        self.save_mark(story_id, "bookmarked", not bookmarked)

    def mark_topic_read(self) -> None:
        node = self.node
        topic = node.stories.current_topic
        if node.reader_has_focus() and node.open_view is not None:
            story_topic = node.open_view.story.topic
            topic = (story_topic.slug, story_topic.name)
        if topic is None:
            return
        slug, name = topic

        def answered(yes: bool | None) -> None:
            if yes:
                node.stories.mark_topic_read(slug)
                self._mark_topic(slug)

        node.app.push_screen(
            ConfirmScreen(f"Mark every story in “{name}” as read?", yes="Mark read"), answered
        )

    @thread_worker(group="marks")
    def _mark_topic(self, slug: str) -> None:
        library = self.node.session.library
        try:
            changed = library.mark_topic_read(slug)
            counts = library.counts()
        except NewstermError as error:
            deliver(self.node, self.node.problem, str(error))
            return
        deliver(self.node, self._topic_saved, slug, counts)
        self._load_counts()  # and the marks it queued for a sync server
        deliver(self.node, self.node.notify, f"{changed} stories marked read.", markup=False)

    def _topic_saved(self, slug: str, counts: tuple[int, int, int]) -> None:
        self.node.stories.index.topic_saved(slug)
        self.node.show_counts(counts)

    # -- actions: links and feeds --------------------------------------------------------

    def open_browser(self) -> None:
        target = self._target()
        url = openable_url(target[1]) if target else None
        if url is None:
            self.node.notify(
                "This story has no web address to open.", severity="warning", markup=False
            )
            return
        # A browser that draws in the terminal gets it, as an interactive command would:
        # started in the background it would fight the app for the screen.
        console = console_browser_argv(url, os.environ.get("BROWSER"))
        if console is not None:
            hand_terminal(self.node, Path(console[0]).name, console, None)
            return
        self._launch_browser(url)

    @thread_worker(group="browser")
    def _launch_browser(self, url: str) -> None:
        # webbrowser runs the browser with an argument list, never through a shell; it can
        # block while a console browser starts, hence the thread.
        try:
            opened = webbrowser.open(url)
        except Exception:
            opened = False
        if not opened:
            deliver(self.node, self.node.problem, "No web browser could be started for this link.")

    def copy_link(self) -> None:
        target = self._target()
        url = openable_url(target[1]) if target else None
        if url is None:
            self.node.notify(
                "This story has no web address to copy.", severity="warning", markup=False
            )
            return
        self.node.app.copy_to_clipboard(url)
        self.node.notify("Link copied.", markup=False)

    def refresh_feed(self) -> None:
        target = self._target()
        if target is not None:
            self._find_feed(target[0])

    @thread_worker(group="marks")
    def _find_feed(self, story_id: int) -> None:
        try:
            feed_id = self.node.session.library.story(story_id).feed_id
        except NewstermError as error:
            deliver(self.node, self.node.problem, str(error))
            return
        if feed_id is None:
            deliver(
                self.node,
                self.node.problem,
                "This story's feed was removed; there is nothing to refresh.",
            )
        else:
            deliver(self.node, self.node.request_refresh, [feed_id])
