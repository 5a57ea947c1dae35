"""Which stories the main screen's list shows: a view (all, unread, bookmarks, one topic)
and a tone, with the config's saved searches above the topics and, with H, the stories
rules hide; and what the list says when that leaves nothing to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tui.core import Library, StoryIndex
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

    def order(self, library: Library) -> StoryIndex:
        """This view's groups, their counts and the saved searches' ids (call from a
        worker thread, as every method here)."""
        # The saved searches head the whole list (all stories, or the unread ones).
        views = library.settings.views if self.kind in ("all", "unread") else ()
        return library.story_index(views=views, **self._filter())

    def window(self, library: Library, window: Window) -> list[int]:
        """The ids of a window of one of this view's topic groups."""
        return library.story_window(
            window.slug,
            window.offset,
            window.limit,
            count=window.count,
            after=window.after,
            before=window.before,
            **self._filter(),
        )

    def position(self, library: Library, story_id: int) -> tuple[str, int] | None:
        """(topic slug, position in its group) of a story this view lists, else None."""
        return library.story_position(story_id, **self._filter())

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
