"""Which stories the main screen's list shows: a view (all, unread, bookmarks, one topic)
and a tone, with the config's saved searches above the topics and, with H, the stories
rules hide; and what the list says when that leaves nothing to show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tui.core import Library, StoryIndex, View
from tui.ui.widgets.story_list.model import Window

ViewKind = Literal["all", "unread", "bookmarks", "topic"]
#: The tones the ``s`` key cycles through ("" is every tone).
TONES: tuple[str, ...] = ("", "positive", "neutral", "negative")
EMPTY_MESSAGES = {
    "all": "No stories yet: a adds a feed, R fetches the feeds you have.",
    "unread": "Nothing unread. A shows every story.",
    "bookmarks": "No bookmarks yet: b bookmarks a story. A shows every story.",
    "topic": "No stories in this topic.",
}


def next_tone(tone: str) -> str:
    """The tone ``s`` moves to: all → positive → neutral → negative → all."""
    return TONES[(TONES.index(tone) + 1) % len(TONES)] if tone in TONES else ""


@dataclass(frozen=True, slots=True)
class ListFilter:
    """Which stories the list shows: all, unread only, bookmarks only, or one topic; and
    of those, every tone or one (``sentiment``: ``positive``, ``neutral``, ``negative``)."""

    kind: ViewKind = "all"
    topic_slug: str = ""
    topic_name: str = ""
    sentiment: str = ""
    with_hidden: bool = False  # H: stories a hide rule matches are listed too, dimmed

    @property
    def label(self) -> str:
        """``all``, ``unread``, ``bookmarks`` or the topic's slug: the status bar's path."""
        return self.topic_slug if self.kind == "topic" else self.kind

    def views(self, library: Library) -> tuple[View, ...]:
        """The saved searches this list shows: they head the whole list (all stories, or
        the unread ones)."""
        return library.settings.views if self.kind in ("all", "unread") else ()

    def order(self, library: Library, *, count_views: bool = True) -> StoryIndex:
        """This view's groups and their counts (call from a worker thread, as every method
        here); ``count_views=False``: the saved searches' counts are left to
        :meth:`view_counts`."""
        views = self.views(library)
        return library.story_index(views=views, count_views=count_views, **self._filter())

    def view_counts(self, library: Library, views: Sequence[View]) -> list[tuple[int, int]]:
        """(stories, unread) of some of the saved searches' groups."""
        return library.view_counts(views, **self._filter())

    def window(self, library: Library, window: Window) -> list[int]:
        """The ids of a window of one of this view's groups (a saved search's or a topic's)."""
        return library.story_window(
            window.slug,
            window.offset,
            window.limit,
            count=window.count,
            after=window.after,
            before=window.before,
            views=self.views(library),
            **self._filter(),
        )

    def position(self, library: Library, story_id: int) -> tuple[str, int] | None:
        """(group slug, position in it) of a story this view lists, else None: under its
        topic, else in the first saved search listing it."""
        return library.story_position(story_id, views=self.views(library), **self._filter())

    def views_listing(self, library: Library, story_id: int, was_read: bool) -> list[bool]:
        """Whether each saved search listed a story when its read mark was ``was_read``."""
        views = self.views(library)
        return library.views_listing(story_id, views, read=was_read, **self._filter())

    def _filter(self) -> dict[str, Any]:
        return {
            "topic": self.topic_slug if self.kind == "topic" else None,
            "unread": self.kind == "unread",
            "bookmarked": self.kind == "bookmarks",
            "sentiment": self.sentiment or None,
            "with_hidden": self.with_hidden,
        }


def empty_message(view: ListFilter) -> str:
    """What an empty list says, for this view."""
    if view.sentiment:
        return f"No {view.sentiment} stories here: s shows the next tone, A every story."
    return EMPTY_MESSAGES[view.kind]
