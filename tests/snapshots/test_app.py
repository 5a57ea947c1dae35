"""Snapshots pin the look: the demo library, a fixed clock, fixed terminal sizes.

Update them after an intended change with ``pytest tests/snapshots --snapshot-update`` and
look at the report before committing. They live in ``__snapshots__/test_app/``, named by
syrupy after this module and each test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual.pilot import Pilot

from tests.support.pilot import NOW, make_app, quiet_settings, settle, title_row
from tui.core.library import Library
from tui.core.settings import Rule, View
from tui.ui.app import NewstermApp

SnapCompare = Callable[..., bool]


def _open_story(library: Library, fragment: str) -> Callable[[Pilot[Any]], Any]:
    story_id = title_row(library, fragment).id

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.main.stories.move_to_story(story_id)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)

    return run_before


def test_wide_layout_with_a_story_open(snap_compare: SnapCompare, demo_library: Library) -> None:
    app = make_app(demo_library)
    run_before = _open_story(demo_library, "one in a hundred years")
    assert snap_compare(app, terminal_size=(140, 40), run_before=run_before)


def test_reader_with_a_picture_in_half_blocks(
    snap_compare: SnapCompare, demo_library: Library
) -> None:
    """The lander story's picture, from the demo's cache, drawn in half blocks (the same
    in every terminal) where the story has it, with its caption under it. Prefetch is
    off in these settings (no network in tests), so i turns pictures on."""
    app = NewstermApp(demo_library, demo_library.settings, now=lambda: NOW, pictures="blocks")
    story_id = title_row(demo_library, "lander learns to hop").id

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.main.stories.move_to_story(story_id)  # type: ignore[attr-defined]
        await pilot.press("enter", "i")
        await settle(pilot)
        reader = pilot.app.main.reader  # type: ignore[attr-defined]
        (block,) = reader.picture_blocks()
        reader.scroll_to_widget(block, top=True, animate=False, immediate=True)
        await settle(pilot)
        assert block.state == "shown"
        pilot.app.clear_notifications()  # "Pictures on." would cover the text
        await pilot.pause()

    assert snap_compare(app, terminal_size=(140, 40), run_before=run_before)


def test_narrow_reader(snap_compare: SnapCompare, demo_library: Library) -> None:
    app = make_app(demo_library)
    run_before = _open_story(demo_library, "one in a hundred years")
    assert snap_compare(app, terminal_size=(80, 40), run_before=run_before)


def test_search_results(snap_compare: SnapCompare, demo_library: Library) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"flood", "down")
        await pilot.pause(0.4)
        await settle(pilot)
        await pilot.press("down")

    app = make_app(demo_library)
    assert snap_compare(app, terminal_size=(140, 40), run_before=run_before)


def test_help(snap_compare: SnapCompare, demo_library: Library) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    app = make_app(demo_library)
    assert snap_compare(app, terminal_size=(140, 40), run_before=run_before)


def test_views_above_the_topics_with_rules(
    snap_compare: SnapCompare, demo_library: Library
) -> None:
    """Two views head the list (one unfolded), a highlight rule colours a title, and H
    lists a hidden story dimmed."""
    settings = replace(
        quiet_settings(),
        views=(View("Unread space", "topic:space is:unread"), View("Floods", "flood")),
        rules=(
            Rule("title:lander", "hide"),
            Rule("feed:weathervane", "highlight", "green"),
        ),
    )
    demo_library.settings = settings
    demo_library.apply_rules()

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("enter")  # on the first view's heading: unfold it
        await pilot.press("H")
        await settle(pilot)

    app = make_app(demo_library, settings)
    assert snap_compare(app, terminal_size=(140, 40), run_before=run_before)
