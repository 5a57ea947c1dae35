"""The app over a library it cannot write: says so once, reads, refuses marks plainly."""

from __future__ import annotations

from pathlib import Path

from tests.support.disks import checkpoint, immutable
from tests.support.pilot import NOW, make_app, quiet_settings, settle
from tui.core.demo import build_demo_library
from tui.core.library import Library
from tui.ui.widgets.story_list import StoryList


async def test_a_read_only_library_opens_reads_and_refuses_marks(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "library.db"
    build_demo_library(db, now=NOW)
    checkpoint(db)
    with immutable(db), immutable(folder), Library(db, quiet_settings()) as library:
        assert library.read_only
        app = make_app(library)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            assert app.main.status.mode == "READ-ONLY"
            said = [n.message for n in app._notifications]
            assert any("read-only" in message for message in said)
            stories = app.main.query_one("#stories", StoryList)
            await pilot.press("j")
            while stories.current_row is None:
                await pilot.press("j")
            story_id = stories.current_id
            bookmarked = stories.current_row.bookmarked
            await pilot.press("enter")  # opens: no write is needed to read
            await settle(pilot)
            view = app.main.reader.view
            assert view is not None and view.story.id == story_id
            await pilot.press("escape", "b")
            await settle(pilot)
            said = [n.message for n in app._notifications]
            assert any("Could not save the change" in m and "read-only" in m for m in said)
            row = stories.row_of(story_id)  # back to what the library holds
            assert row is not None and row.bookmarked == bookmarked
            assert not stories.index.is_unsaved(story_id, "bookmarked")
