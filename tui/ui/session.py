"""What every screen of the app shares: the open library, the settings and the clock.

The app owns one :class:`Session` and hands it down to the screens it creates
("attributes down"). Switching to the demo library from the welcome screen replaces
``library`` here, so every screen sees the new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from tui.core import Library, Settings, StoryIndex, utcnow

ViewKind = Literal["all", "unread", "bookmarks", "topic"]
#: The tones the ``s`` key cycles through ("" is every tone).
TONES: tuple[str, ...] = ("", "positive", "neutral", "negative")


def next_tone(tone: str) -> str:
    """The tone ``s`` moves to: all → positive → neutral → negative → all."""
    return TONES[(TONES.index(tone) + 1) % len(TONES)] if tone in TONES else ""


@dataclass(slots=True)
class Session:
    """The library the UI is showing, its settings, and the clock relative ages use."""

    library: Library
    settings: Settings
    clock: Callable[[], datetime] | None = None  # None: the real time
    demo: bool = False  # a throwaway demo library: no auto-refresh

    def now(self) -> datetime:
        return self.clock() if self.clock else utcnow()


@dataclass(frozen=True, slots=True)
class ListFilter:
    """Which stories the list shows: all, unread only, bookmarks only, or one topic; and
    of those, every tone or one (``sentiment``: ``positive``, ``neutral``, ``negative``)."""

    kind: ViewKind = "all"
    topic_slug: str = ""
    topic_name: str = ""
    sentiment: str = ""

    @property
    def label(self) -> str:
        """``all``, ``unread``, ``bookmarks`` or the topic's slug: the status bar's path."""
        return self.topic_slug if self.kind == "topic" else self.kind

    def order(self, library: Library) -> StoryIndex:
        """This view's story ids and topic groups (call from a worker thread)."""
        return library.story_index(
            topic=self.topic_slug if self.kind == "topic" else None,
            unread=self.kind == "unread",
            bookmarked=self.kind == "bookmarks",
            sentiment=self.sentiment or None,
        )
