"""Marks made in the UI are saved in the order they were made, and shown as saved only
once they are on disk.

Two faults this pins: quick presses of ``b`` were each saved by a thread of their own, in
no particular order (four presses on each of twelve rows once left five bookmarked), and
the ★ was drawn before the bookmark was committed, so killing the app the moment it
appeared could lose the bookmark.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, Reply, Request, feed_reply
from tests.support.pilot import make_app, settle
from tests.support.terminal import Terminal
from tui.core.library import Library
from tui.core.settings import RefreshSettings, Settings
from tui.ui.widgets.story_list import StoryList

ROWS = 12


def _bookmarked(db: Path) -> set[int]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM stories WHERE bookmarked")}


async def test_quick_presses_end_in_the_state_of_the_last_press(
    demo_library: Library, demo_db: Path
) -> None:
    before = _bookmarked(demo_db)
    app = make_app(demo_library)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        stories = app.main.query_one("#stories", StoryList)
        pressed: dict[int, int] = {}
        # Another writer holds the library while the keys are pressed (a refresh from cron,
        # say), so the saves pile up waiting, as they do when keys come in a burst.
        blocker = sqlite3.connect(demo_db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            while len(pressed) < ROWS:
                await pilot.press("j")
                story_id = stories.current_id
                if story_id is None or story_id in pressed:
                    continue  # a topic heading
                presses = 4 if len(pressed) % 2 == 0 else 3  # even: unchanged; odd: flipped
                await pilot.press(*"b" * presses)
                pressed[story_id] = presses
            await pilot.pause(0.2)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await settle(pilot)
        after = _bookmarked(demo_db)
        for story_id, presses in pressed.items():
            expected = (story_id in before) != (presses % 2 == 1)
            assert (story_id in after) == expected, story_id
            row = stories.row_of(story_id)
            assert row is not None and row.bookmarked == expected, story_id
            assert not stories.index.is_unsaved(story_id, "bookmarked")
        assert after - set(pressed) == before - set(pressed)  # nothing else touched


async def test_the_star_waits_for_the_commit(demo_library: Library, demo_db: Path) -> None:
    """While another process holds the write lock, the bookmark is shown as unsaved (☆),
    never as saved (★); it turns into ★ once the lock is free and the mark is written."""
    app = make_app(demo_library)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        stories = app.main.query_one("#stories", StoryList)
        await pilot.press("j")
        while stories.current_row is None or stories.current_row.bookmarked:
            await pilot.press("j")
        story_id = stories.current_id
        assert story_id is not None
        blocker = sqlite3.connect(demo_db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another writer, e.g. a refresh in cron
        try:
            await pilot.press("b")
            await pilot.pause(0.3)
            line = stories.render_line(stories.cursor - int(stories.scroll_y)).text
            assert "☆" in line and "★" not in line
            assert stories.index.is_unsaved(story_id, "bookmarked")
            assert story_id not in _bookmarked(demo_db)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await settle(pilot)
        line = stories.render_line(stories.cursor - int(stories.scroll_y)).text
        assert "★" in line and "☆" not in line
        assert story_id in _bookmarked(demo_db)


def _subscribed_library(tmp_path: Path, server: FeedServer, feeds: int) -> tuple[Path, Path]:
    """A library of ``feeds`` loopback feeds in one topic, refreshed once; feeds that
    answer with new stories every time, so that each refresh writes."""
    counter = itertools.count()

    def changing(prefix: str) -> Callable[[Request], Reply]:
        def reply(_request: Request) -> Reply:
            batch = next(counter)
            body = rss(items(40, prefix=f"{prefix} {batch}"), title=f"Feed {prefix}")
            return feed_reply(body)

        return reply

    db, config = tmp_path / "library.db", tmp_path / "config.toml"
    config.write_text("[refresh]\nauto_minutes = 0\n[articles]\nprefetch = false\n")
    for n in range(feeds):
        server.route(f"/f{n}.xml", changing(f"F{n}"))
    with Library(db, Settings(refresh=RefreshSettings(auto_minutes=0))) as library:
        for n in range(feeds):
            library.add_feed(server.url(f"/f{n}.xml"), topic="News")
        asyncio.run(library.refresh())
    return db, config


def _kill_at_the_star(template: Path, config: Path, trial: int, *, refreshing: bool) -> None:
    # A fresh copy with no bookmarks: then the first ★ written is the one under test.
    db = template.with_name(f"trial-{trial}.db")
    shutil.copyfile(template, db)
    with Terminal(["--db", str(db), "--config", str(config)]) as app:
        assert app.wait_for_text("indexed:", 30), bytes(app.output[-2000:])
        app.wait_quiet()  # the list is drawn: the keys below land on its rows
        app.type("j" * (1 + trial))
        app.wait_quiet()
        if refreshing:
            mark = len(app.output)
            app.type("R")
            assert app.wait_for_text("refreshing", 20, after=mark), bytes(app.output[-2000:])
        mark = len(app.output)
        app.type("b")
        assert app.wait_for(lambda out: "★".encode() in out[mark:], 20)
        app.kill()
    assert len(_bookmarked(db)) == 1, "the ★ was on screen but not on disk"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.slow
def test_kill_9_the_moment_the_star_appears_keeps_the_bookmark(
    tmp_path: Path, server: FeedServer
) -> None:
    """The real app in a pty: press b, kill -9 as soon as a ★ is written, look on disk;
    idle, and while a refresh writes new stories from the worker processes."""
    template, config = _subscribed_library(tmp_path, server, feeds=30)
    assert not _bookmarked(template)
    for trial in range(3):
        _kill_at_the_star(template, config, trial, refreshing=False)
    for trial in range(3, 8):
        _kill_at_the_star(template, config, trial, refreshing=True)


async def test_a_reload_keeps_the_story_the_cursor_is_on_when_it_arrives(
    demo_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys pressed while a reload is read are not undone by it (a refresh reloads the
    list; moving on and pressing b then hit the story the cursor had left)."""
    app = make_app(demo_library)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        stories = app.main.query_one("#stories", StoryList)
        await pilot.press("j")
        read_order = demo_library.story_index

        def slowly(**kwargs: object) -> object:  # a big library on a slow disk
            time.sleep(0.5)
            return read_order(**kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(demo_library, "story_index", slowly)
        app.main.reload()
        await pilot.press("j", "j", "j")
        moved_to = stories.current_id
        await settle(pilot)
        assert stories.current_id == moved_to
