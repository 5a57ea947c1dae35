"""What every screen of the app shares: the open library, the settings and the clock.

The app owns one :class:`Session` and hands it down to the screens it creates
("attributes down"). Switching to the demo library from the welcome screen replaces
``library`` here, so every screen sees the new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tui.core import Library, Settings, utcnow


@dataclass(slots=True)
class Session:
    """The library the UI is showing, its settings, and the clock relative ages use."""

    library: Library
    settings: Settings
    clock: Callable[[], datetime] | None = None  # None: the real time
    demo: bool = False  # a throwaway demo library: no auto-refresh
    #: How pictures are drawn: "kitty", "sixel", "blocks" or "off" (:mod:`tui.ui.pictures`).
    pictures: str = "off"

    def now(self) -> datetime:
        return self.clock() if self.clock else utcnow()
