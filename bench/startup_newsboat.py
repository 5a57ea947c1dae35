"""newsboat's start-up to its feed list, on a cache holding the same stories (``--newsboat``).

newsboat makes its own schema (``-x print-unread`` on an empty cache, which fetches
nothing); the benchmark then copies the library's feeds and stories into ``rss_feed`` and
``rss_item`` with one SQLite transaction (title, link, date, HTML body, read state), which
takes seconds where fetching 100k items would take far longer. The urls file lists the
same feed URLs, so newsboat matches every feed to its cached items. ``auto-reload no``:
nothing is fetched at start-up (the URLs are not reachable anyway).

The clock stops at the first screen that shows newsboat's feed list: its title line
("Your feeds") and the first feeds' titles with their ``(unread/total)`` counts.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from startup_pty import SessionError, TerminalSession

NEWSBOAT = shutil.which("newsboat") or "/usr/bin/newsboat"
_COUNTS = re.compile(r"\(\d+/\d+\)")


def prepare(folder: Path, library: Path, env: Mapping[str, str]) -> tuple[list[str], float]:
    """newsboat's config, urls file and a filled cache in ``folder``; (feed titles, seconds)."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    try:
        feeds = source.execute("SELECT id, url, title FROM feeds ORDER BY id").fetchall()
        (folder / "urls").write_text("".join(f"{url}\n" for _, url, _ in feeds), encoding="utf-8")
        (folder / "config").write_text(
            "auto-reload no\nshow-read-feeds yes\nconfirm-exit no\n", encoding="utf-8"
        )
        subprocess.run(
            [*_command(folder), "-x", "print-unread"],
            env=dict(env),
            check=True,
            capture_output=True,
            timeout=60,
            cwd=folder,
        )
        cache = sqlite3.connect(folder / "cache.db")
        try:
            with cache:
                cache.executemany(
                    "INSERT OR REPLACE INTO rss_feed (rssurl, url, title) VALUES (?, ?, ?)",
                    [(url, url, title) for _, url, title in feeds],
                )
                urls = {feed_id: url for feed_id, url, _ in feeds}
                rows = source.execute(
                    "SELECT feed_id, guid, title, author, link, sort_date, content_html, read"
                    " FROM stories"
                )
                cache.executemany(
                    "INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content,"
                    " unread, base) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')",
                    (
                        (
                            guid,
                            title,
                            author,
                            link,
                            urls[feed_id],
                            int(datetime.fromisoformat(date).timestamp()),
                            content,
                            0 if read else 1,
                        )
                        for feed_id, guid, title, author, link, date, content, read in rows
                    ),
                )
        finally:
            cache.close()
    finally:
        source.close()
    return [title for _, _, title in feeds], time.perf_counter() - started


def _command(folder: Path) -> list[str]:
    return [
        NEWSBOAT,
        "-c",
        str(folder / "cache.db"),
        "-C",
        str(folder / "config"),
        "-u",
        str(folder / "urls"),
    ]


def startup(
    folder: Path, titles: list[str], env: Mapping[str, str], columns: int, lines: int, limit: float
) -> tuple[float, dict[str, int]]:
    """Seconds from launch to the feed list, and newsboat's memory then (kB)."""
    session = TerminalSession(_command(folder), env, columns, lines, cwd=folder, answer_sync=False)
    first = titles[: max(3, min(10, lines - 6))]

    def feed_list() -> bool:
        text = session.screen.text()
        if "Your feeds" not in text:
            return False
        shown = [line for line in text.splitlines() if _COUNTS.search(line)]
        return len(shown) >= len(first) and all(
            any(title in line for line in shown) for title in first
        )

    session.start()
    try:
        # ncurses does not bracket its frames: test after each read, then make sure the
        # output has gone quiet on that screen (not a half-drawn list).
        seen = session.wait_frame(feed_list, limit, unsynced=True)
        memory = session.memory_kb()
        return seen - session.started, memory
    except SessionError as error:
        raise SessionError(f"newsboat: {error}; screen:\n{session.screen.text()}") from error
    finally:
        session.close(quit_keys=b"Q")
