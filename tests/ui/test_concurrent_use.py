"""Everything at once on one library: the app (refreshing, bookmarking), a cron-style
``newsterm refresh`` loop and a command-line marking loop, for a minute.

No process may ever see "database is locked", and every mark set, by either, is stored.
The length is ``NEWSTERM_STRESS_SECONDS`` (default 60).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, Reply, Request, feed_reply
from tests.support.terminal import Terminal
from tui.core.library import Library
from tui.core.settings import RefreshSettings, Settings

SECONDS = float(os.environ.get("NEWSTERM_STRESS_SECONDS", "60"))
FEEDS = 20
CLI_STORIES = 24  # the oldest stories: the command line's; the app marks the newest


def _library(tmp_path: Path, server: FeedServer) -> tuple[Path, Path, list[int]]:
    counter = itertools.count()

    def changing(n: int) -> Callable[[Request], Reply]:
        def reply(_request: Request) -> Reply:
            batch = next(counter)
            return feed_reply(rss(items(15, prefix=f"F{n} {batch}"), title=f"Feed {n}"))

        return reply

    for n in range(FEEDS):
        server.route(f"/f{n}.xml", changing(n))
    db, config = tmp_path / "library.db", tmp_path / "config.toml"
    # auto_minutes = 1: the app refreshes by itself during the run, besides R presses.
    config.write_text("[refresh]\nauto_minutes = 1\n[articles]\nprefetch = false\n")
    with Library(db, Settings(refresh=RefreshSettings(auto_minutes=0))) as library:
        for n in range(FEEDS):
            library.add_feed(server.url(f"/f{n}.xml"), topic="News")
        asyncio.run(library.refresh())
        oldest = [story.id for story in library.stories()][-CLI_STORIES:]
    return db, config, oldest


def _newsterm(db: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(db), "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_app_cron_refreshes_and_cli_marks_at_once(tmp_path: Path, server: FeedServer) -> None:
    db, config, cli_ids = _library(tmp_path, server)
    stop = threading.Event()
    problems: list[str] = []
    refreshes = 0
    intended: dict[tuple[int, str], bool] = {}  # the command line's last word per mark

    def refresh_loop() -> None:
        nonlocal refreshes
        while not stop.is_set():
            done = _newsterm(db, config, "refresh")
            refreshes += 1
            if done.returncode != 0 or "locked" in done.stderr or "Traceback" in done.stderr:
                problems.append(f"refresh: {done.returncode} {done.stdout} {done.stderr}")

    def marking_loop() -> None:
        commands = itertools.cycle(["read", "bookmark", "unread", "unbookmark", "bookmark"])
        for step in itertools.count():
            if stop.is_set():
                return
            story_id = cli_ids[step % len(cli_ids)]
            command = next(commands)
            done = _newsterm(db, config, command, str(story_id))
            if done.returncode != 0 or "locked" in done.stderr or "Traceback" in done.stderr:
                problems.append(f"{command} {story_id}: {done.returncode} {done.stderr}")
                continue
            kind = "read" if command.endswith("read") else "bookmarked"
            intended[(story_id, kind)] = not command.startswith("un")

    loops = [threading.Thread(target=refresh_loop), threading.Thread(target=marking_loop)]
    presses = 0
    with Terminal(["--db", str(db), "--config", str(config)], lines=40) as app:
        assert app.wait_for_text("indexed:", 30), bytes(app.output[-2000:])
        app.wait_quiet()
        for loop in loops:
            loop.start()
        try:
            ends = time.monotonic() + SECONDS
            while time.monotonic() < ends:
                app.type("jb")  # bookmark the next story down
                presses += 1
                if presses % 10 == 0:
                    app.type("R")
                deadline = time.monotonic() + 0.5
                while time.monotonic() < deadline:
                    app.read(0.05)
        finally:
            stop.set()
            for loop in loops:
                loop.join(150)
        app.type("q")
        assert app.wait_for(lambda _out: app.proc.poll() is not None, 30), "q did not quit"
        assert app.proc.returncode == 0
        assert b"locked" not in app.output and b"Traceback" not in app.output

    assert not problems, problems[:3]
    assert refreshes >= 2 and len(intended) >= 10
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        state = {
            row[0]: (bool(row[1]), bool(row[2]))
            for row in conn.execute("SELECT id, read, bookmarked FROM stories")
        }
        # A refresh may store a story another feed already brought as its copy; a mark on
        # the original reaches its copies too, so presses are counted against originals.
        copies = {row[0] for row in conn.execute("SELECT id FROM stories WHERE dup_of IS NOT NULL")}
    for (story_id, kind), value in intended.items():
        read, bookmarked = state[story_id]
        assert (read if kind == "read" else bookmarked) == value, (story_id, kind)
    app_bookmarks = [
        i for i, (_r, b) in state.items() if b and i not in cli_ids and i not in copies
    ]
    assert len(app_bookmarks) == presses, "a bookmark made in the app was not stored"
