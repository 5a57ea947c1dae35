"""The app with a sync account, against the real Miniflux: the status bar's SYNC, marks
pushed in the background a moment after they are made, reading and marking on while the
server is down, and connecting an account from the welcome screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.support.miniflux import ADMIN, ADMIN_PASSWORD, Account
from tests.support.pilot import make_app, quiet_settings, settle
from tui.core.library import Library
from tui.ui.app import NewstermApp
from tui.ui.background.sync import PUSH_AFTER
from tui.ui.dialogs.account import AccountScreen
from tui.ui.screens.welcome import WelcomeScreen
from tui.ui.widgets.status_bar import StatusBar
from tui.ui.widgets.story_list import StoryList


@pytest.fixture
def synced(tmp_path: Path, account: Account) -> Iterator[Library]:
    library = Library(tmp_path / "library.db", quiet_settings())
    try:
        asyncio.run(library.add_account(account.server.url, ADMIN, ADMIN_PASSWORD, api="greader"))
        [report] = asyncio.run(library.sync())
        assert report.ok, report.error
        yield library
    finally:
        # The server's state is shared by the module: what a test marked is put back.
        with account.server.api() as api:
            api.put(
                "/entries",
                json={"entry_ids": list(account.entry_ids.values()), "status": "unread"},
            )
        library.close()


def _bar(app: NewstermApp) -> StatusBar:
    return app.main.query_one("#status", StatusBar)


async def _wait_for_push(pilot: Pilot[None]) -> None:
    """The app pushes marks a moment after they are made (gathering quick presses)."""
    await pilot.pause(PUSH_AFTER + 0.5)
    await settle(pilot)


async def _open_first_story(pilot: Pilot[None], app: NewstermApp) -> int:
    stories = app.main.query_one("#stories", StoryList)
    while stories.current_id is None:
        await pilot.press("j")
    story_id = stories.current_id
    await pilot.press("enter")  # opening a story marks it read
    await settle(pilot)
    return story_id


async def test_a_mark_in_the_app_reaches_the_server_in_the_background(
    synced: Library, account: Account
) -> None:
    app = make_app(synced)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _bar(app).sync == "ok"
        story_id = await _open_first_story(pilot, app)
        title = synced.story(story_id).title
        await _wait_for_push(pilot)
        assert _bar(app).sync == "ok" and _bar(app).queued == 0
    assert account.entry(title)["status"] == "read"


async def test_marks_made_with_the_server_down_wait_and_go_when_it_is_back(
    synced: Library, account: Account
) -> None:
    app = make_app(synced)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        account.server.stop()
        try:
            story_id = await _open_first_story(pilot, app)
            await _wait_for_push(pilot)
            bar = _bar(app)
            assert (bar.sync, bar.queued) == ("offline", 1)
            assert synced.story(story_id).read  # the mark itself never waited for the server
        finally:
            account.server.start()
        await pilot.press("R")  # refresh: syncs too
        await settle(pilot)
        await pilot.pause(0.5)
        await settle(pilot)
        assert (_bar(app).sync, _bar(app).queued) == ("ok", 0)
    assert account.entry(synced.story(story_id).title)["status"] == "read"


async def test_the_welcome_screen_connects_a_sync_account(tmp_path: Path, account: Account) -> None:
    library = Library(tmp_path / "empty.db", quiet_settings())
    app = make_app(library)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, WelcomeScreen)
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, AccountScreen)
            await pilot.press(*account.server.url, "enter", *ADMIN, "enter")
            await pilot.press(*ADMIN_PASSWORD, "enter")
            await settle(pilot)
            await pilot.pause(0.5)
            await settle(pilot)
            assert _bar(app).sync == "ok"
            assert {f.title for f in library.feeds()} == {"Alpha", "Beta", "Gamma", "Delta"}
            assert all(f.account for f in library.feeds())
            assert library.counts()[0] == 12
    finally:
        library.close()


async def test_marks_waiting_for_a_server_that_comes_back_go_out_on_their_own(
    synced: Library, account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.ui.sync_flow

    monkeypatch.setattr(tui.ui.sync_flow, "RETRY_FIRST", 1.0)
    app = make_app(synced)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        account.server.stop()
        try:
            story_id = await _open_first_story(pilot, app)
            await _wait_for_push(pilot)
            assert _bar(app).sync == "offline"
        finally:
            account.server.start()
        await pilot.pause(1.5)  # no key pressed: the retry is the app's own
        await settle(pilot)
        assert (_bar(app).sync, _bar(app).queued) == ("ok", 0)
    assert account.entry(synced.story(story_id).title)["status"] == "read"


async def test_stories_from_the_account_are_marked_synced_in_the_list(synced: Library) -> None:
    app = make_app(synced)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        stories = app.main.query_one("#stories", StoryList)
        while stories.current_id is None:
            await pilot.press("j")
        lines = [strip.text for strip in (stories.render_line(y) for y in range(12))]
        story_lines = [line for line in lines if "Alpha" in line or "Gamma" in line]
        assert story_lines and all("⇅" in line for line in story_lines)
    assert all(row.synced for row in synced.rows_for([s.id for s in synced.stories()]).values())
