"""Driving the app under Pilot: a fixed clock, quiet settings, waiting for it to settle."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from textual.pilot import Pilot

from tui.core.library import Library
from tui.core.models import StoryRow
from tui.core.settings import ArticleSettings, RefreshSettings, Settings
from tui.ui.app import NewstermApp

#: The fixed "now" of every UI test: the demo library is built at it and the app's clock
#: reads it, so relative ages ("40m", "2d") never change.
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def quiet_settings(**keys: str) -> Settings:
    """Settings with auto-refresh and reader mode's automatic page fetching off (no network
    in tests: the demo library's links lead nowhere) and optional key remaps."""
    return Settings(
        refresh=RefreshSettings(auto_minutes=0),
        articles=ArticleSettings(min_words=0, prefetch=False),
        keys=dict(keys),
    )


def focused(app: NewstermApp) -> object:
    """The focused widget, typed loosely so identity checks against any widget read well."""
    return app.focused


def make_app(library: Library, settings: Settings | None = None) -> NewstermApp:
    return NewstermApp(library, settings or library.settings, now=lambda: NOW)


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and their results reach the screen (twice: a result may start
    another worker, like the full list after the first rows)."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        if isinstance(app, NewstermApp):  # marks are written by the library's own writer
            app.session.library.flush_marks(10)
            await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def rows(library: Library) -> dict[int, StoryRow]:
    return {row.id: row for row in library.story_rows()}


def title_row(library: Library, fragment: str) -> StoryRow:
    """The story whose title contains ``fragment``."""
    (row,) = [row for row in library.story_rows() if fragment in row.title]
    return row


async def until(
    pilot: Pilot[None], done: Callable[[], object], what: str, timeout: float = 30
) -> None:
    """Wait (``timeout`` seconds at most) until ``done()`` is true: for work Pilot does not
    know to wait for (a download task, a picture dripping in, a program in a thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never: {what}")
