"""Regenerate the SVG screenshots in this folder from the bundled demo library.

    python screenshots/make_screenshots.py

Each picture is the real app driven headless (Textual's ``run_test``) at a fixed size,
over a demo library built at a fixed moment so that ages like "40m" stay put between runs.
Never edit the SVGs by hand: change the app, run this, and look at the result.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tui.core.demo import build_demo_library
from tui.core.library import Library
from tui.core.settings import RefreshSettings, Rule, Settings, View
from tui.ui.app import NewstermApp

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
Steps = Callable[[Pilot[Any], Library], Awaitable[None]]


async def _settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.2)


async def _open(pilot: Pilot[Any], library: Library, fragment: str) -> None:
    (row,) = [row for row in library.story_rows() if fragment in row.title]
    pilot.app.main.stories.move_to_story(row.id)
    await pilot.press("enter")
    await _settle(pilot)


async def wide(pilot: Pilot[Any], library: Library) -> None:
    await _open(pilot, library, "A city plants shade")


async def narrow_reader(pilot: Pilot[Any], library: Library) -> None:
    await _open(pilot, library, "one in a hundred years")


async def search(pilot: Pilot[Any], library: Library) -> None:
    await pilot.press("slash", *"orbit")
    await pilot.pause(0.5)
    await _settle(pilot)


async def help_screen(pilot: Pilot[Any], library: Library) -> None:
    await pilot.press("question_mark")
    await _settle(pilot)


async def picture(pilot: Pilot[Any], library: Library) -> None:
    """The lander story with its picture (from the demo's cache), in half blocks: what a
    terminal without sixel or the kitty protocol shows (xterm-sixel.png shows sixel)."""
    await _open(pilot, library, "lander learns to hop")
    reader = pilot.app.main.reader  # type: ignore[attr-defined]
    (block,) = reader.picture_blocks()
    reader.scroll_to(y=max(0, block.virtual_region.y - 4), animate=False, immediate=True)
    await _settle(pilot)


async def views_and_rules(pilot: Pilot[Any], library: Library) -> None:
    await pilot.press("enter")  # the first view, opened
    await _settle(pilot)
    await pilot.press("down", "down", "enter")  # its second story, read
    await _settle(pilot)


SHOTS: list[tuple[str, tuple[int, int], Steps]] = [
    ("wide.svg", (150, 42), wide),
    ("reader-picture.svg", (150, 42), picture),
    ("narrow-reader.svg", (80, 40), narrow_reader),
    ("search.svg", (150, 42), search),
    ("help.svg", (150, 42), help_screen),
    ("views-and-rules.svg", (150, 42), views_and_rules),
]

# The views-and-rules picture: two views above the topics, a muted story, a highlighted feed.
# (No age: filter: the picture's clock is fixed, queries read the real one.)
VIEWS = (View("Space", "topic:space"), View("Floods and heat", "flood OR heat"))
RULES = (Rule("title:lander", "hide"), Rule("feed:weathervane", "highlight", "green"))


async def shoot(db: Path, name: str, size: tuple[int, int], steps: Steps) -> None:
    settings = Settings(refresh=RefreshSettings(auto_minutes=0))
    if name == "views-and-rules.svg":
        settings = replace(settings, views=VIEWS, rules=RULES)
    with Library(db, settings) as library:
        pictures = "blocks" if name == "reader-picture.svg" else "off"
        app = NewstermApp(library, settings, now=lambda: NOW, pictures=pictures)
        async with app.run_test(size=size) as pilot:
            await _settle(pilot)
            await steps(pilot, library)
            app.save_screenshot(filename=name, path=str(HERE))
    print(f"wrote screenshots/{name}")


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, size, steps in SHOTS:
            # A fresh library per picture: opening a story marks it read.
            db = Path(folder) / f"{name}.db"
            build_demo_library(db, now=NOW)
            await shoot(db, name, size, steps)


if __name__ == "__main__":
    asyncio.run(main())
