"""The main screen as the classes it owns see it: a :class:`MainParts` protocol.

:class:`~tui.ui.screens.main.screen.MainScreen` owns plain classes for its behaviour
(loading the list, the actions on one story, reader mode, the tone filter). They reach
the screen through this protocol rather than by importing the screen, which imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from textual.app import App
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.timer import Timer

from tui.core import ReaderView
from tui.ui.background.threads import WorkerNode
from tui.ui.screens.main.list_filter import ListFilter
from tui.ui.session import Session
from tui.ui.widgets.reader import ReaderPane
from tui.ui.widgets.status_bar import StatusBar
from tui.ui.widgets.story_list import StoryList


class PictureLoading(Protocol):
    """The open story's pictures (:class:`~tui.ui.screens.main.pictures.Pictures`)."""

    def wanted(self, view: ReaderView) -> bool:
        """Whether ``view``'s images show as pictures when it opens."""
        ...

    def load_visible(self) -> None:
        """Ask for the pictures near the screen."""


class MainParts(WorkerNode, Protocol):
    """What the main screen offers the classes it owns."""

    session: Session
    filter: ListFilter  # the list's view and tone
    reading: bool  # on a narrow terminal: the reader is the pane shown

    @property
    def stories(self) -> StoryList: ...

    @property
    def pictures(self) -> PictureLoading:
        """The open story's pictures."""
        ...

    @property
    def reader(self) -> ReaderPane: ...

    @property
    def status(self) -> StatusBar: ...

    @property
    def narrow(self) -> bool:
        """Too narrow for both panes: one shows at a time."""
        ...

    @property
    def open_view(self) -> ReaderView | None:
        """The story open in the reader."""
        ...

    def reader_has_focus(self) -> bool: ...

    def reload(self, *, keep_story: int | None = None) -> None:
        """Read the list again for the current view."""

    def set_filter(self, view: ListFilter) -> None:
        """Show another view of the list."""

    def open_story(self, story_id: int) -> None:
        """Show a story in the reader and mark it read."""

    def schedule_prefetch(self) -> None:
        """The list moved: prefetch the pages on screen once it rests."""

    def request_refresh(self, feed_ids: list[int]) -> None:
        """Ask the app to refresh these feeds."""

    def show_counts(self, counts: tuple[int, int, int]) -> None:
        """Put the library's counts (stories, unread, bookmarked) in the status bar."""

    def problem(self, message: str) -> None:
        """Say that something failed, in a notification."""

    def marks_queued(self, queued: int) -> None:
        """Marks wait for a sync server: show how many, and have them pushed soon."""

    # The Textual methods they use, as a screen has them.

    @property
    def app(self) -> App[object]: ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...

    def set_timer(self, delay: float, callback: Callable[[], None]) -> Timer: ...

    def watch(
        self, obj: DOMNode, attribute_name: str, callback: Callable[[], None], init: bool = True
    ) -> None: ...
