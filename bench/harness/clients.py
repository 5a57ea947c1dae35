"""The clients measured from outside: ``newsterm refresh`` and ``newsboat -x reload`` run as
subprocesses (wall clock, CPU and memory of their process trees, what the feed server saw),
and newsboat's start-up to its feed list in a pty.

newsboat's start-up (``--newsboat`` of the start-up benchmark) runs on a cache holding the
same stories as the library: newsboat makes its own schema (``-x print-unread`` on an empty
cache, which fetches nothing); the benchmark then copies the library's feeds and stories
into ``rss_feed`` and ``rss_item`` with one SQLite transaction (title, link, date, HTML
body, read state), which takes seconds where fetching 100k items would take far longer.
The urls file lists the same feed URLs, so newsboat matches every feed to its cached
items. ``auto-reload no``: nothing is fetched at start-up (the URLs are not reachable
anyway). The clock stops at the first screen that shows newsboat's feed list: its title
line ("Your feeds") and the first feeds' titles with their ``(unread/total)`` counts.

Everything here works on 127.0.0.x only.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.harness import proctree
from bench.harness.library import count_rows
from bench.harness.server import FeedServer
from bench.harness.terminal import SessionError, TerminalSession
from bench.harness.workspace import child_env, compile_modules, newsterm_command
from tui.core.store.bodies import unpack

NEWSBOAT = shutil.which("newsboat") or "/usr/bin/newsboat"
_COUNTS = re.compile(r"\(\d+/\d+\)")  # a feed's (unread/total) in newsboat's list
_SUMMARY = re.compile(r"(\d+) feeds ok, (\d+) failed.*?, (\d+) new stories in ([\d.]+) s")


# -- measurements --------------------------------------------------------------------------


@dataclass
class Measure:
    """One run of one phase by one program."""

    wall: float
    ok: bool
    inner: float | None = None  # seconds newsterm reports for the refresh itself
    new_stories: int | None = None
    failed: int | None = None
    feeds_ok: int | None = None  # feeds fetched and stored (not failed, not skipped)
    stored: int = 0  # stories (newsterm) or rss_item rows (newsboat) after the run
    main_mb: float = 0.0
    workers_mb: list[float] = field(default_factory=list)  # parse workers
    helpers_mb: list[float] = field(default_factory=list)  # forkserver, resource tracker
    pss_total_mb: float = 0.0
    main_cpu: float = 0.0
    workers_cpu: float = 0.0  # every descendant
    server_cpu: float = 0.0
    others_cpu: float = 0.0  # other processes on the machine, the server's share taken out
    server: dict[str, int] = field(default_factory=dict)
    library_bytes: int = 0  # the library (newsterm) or cache (newsboat) on disk after the run
    note: str = ""

    @property
    def cpu(self) -> float:
        """CPU seconds of every process of the run: the main one and all it started."""
        return self.main_cpu + self.workers_cpu


def _measure(result: proctree.RunResult, server: FeedServer, server_cpu_before: float) -> Measure:
    server_cpu = server.cpu_seconds() - server_cpu_before
    return Measure(
        wall=result.wall,
        ok=result.returncode == 0,
        main_mb=result.root.hwm_kb / 1024,
        workers_mb=[p.hwm_kb / 1024 for p in result.descendants if p.role == "worker"],
        helpers_mb=[p.hwm_kb / 1024 for p in result.descendants if p.role != "worker"],
        pss_total_mb=result.peak_pss_sum_kb / 1024,
        main_cpu=result.root.cpu,
        workers_cpu=sum(p.cpu for p in result.descendants),
        server_cpu=server_cpu,
        others_cpu=max(0.0, result.others_cpu - server_cpu),
        server=server.stats(),
        note="" if result.returncode == 0 else (result.stderr.strip()[-400:] or "failed"),
    )


def files_size(database: Path) -> int:
    """Bytes of an SQLite database on disk, with its write-ahead log or journal if any."""
    suffixes = ("", "-wal", "-journal")
    paths = [database.with_name(database.name + suffix) for suffix in suffixes]
    return sum(path.stat().st_size for path in paths if path.exists())


# -- newsterm ----------------------------------------------------------------------------


def warm_up(pycache: Path) -> float:
    """Fill the byte-code cache as an installed newsterm has it; returns ``--version`` time.

    The parse worker's modules are imported too: the forkserver preloads them.
    """
    compile_modules(["tui.cli", "tui.core.library", "tui.core.workers.feeds"], child_env(pycache))
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [*newsterm_command(), "--version"],
            env=child_env(pycache),
            check=True,
            capture_output=True,
            timeout=60,
        )
        best = min(best, time.perf_counter() - started)
    return best


def write_config(path: Path, max_connections: int | None, per_host: int | None) -> Path:
    lines = ["[fetch]"]
    if max_connections is not None:
        lines.append(f"max_connections = {max_connections}")
    if per_host is not None:
        lines.append(f"per_host = {per_host}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_newsterm(
    db: Path, config: Path, server: FeedServer, timeout: float, pycache: Path, feeds: int
) -> Measure:
    """``newsterm --db DB --config CONFIG refresh``, timed from outside."""
    server.stats(reset=True)
    cpu = server.cpu_seconds()
    result = proctree.run(
        [*newsterm_command(), "--db", str(db), "--config", str(config), "refresh"],
        timeout=timeout,
        env=child_env(pycache),
    )
    measure = _measure(result, server, cpu)
    found = _SUMMARY.search(result.stdout)
    if found:
        measure.feeds_ok = int(found.group(1))
        measure.failed = int(found.group(2))
        measure.new_stories = int(found.group(3))
        measure.inner = float(found.group(4))
    elif measure.ok:
        measure.ok = False
        measure.note = f"no summary in the output: {result.stdout.strip()[-300:]!r}"
    if measure.ok and (measure.failed or measure.feeds_ok != feeds):
        # A feed that failed is skipped (backing off) next time: every later figure
        # would be for fewer feeds, so the run does not count.
        measure.ok = False
        measure.note = (
            f"{measure.feeds_ok} of {feeds} feeds ok, {measure.failed} failed: "
            f"{result.stdout.strip()[-300:]!r}"
        )
    measure.stored = count_rows(db, "SELECT count(*) FROM stories")
    measure.library_bytes = files_size(db)
    return measure


# -- newsboat ----------------------------------------------------------------------------


def _newsboat_command(folder: Path) -> list[str]:
    """newsboat with the cache, config and urls file in ``folder``."""
    return [
        NEWSBOAT,
        "-c",
        str(folder / "cache.db"),
        "-C",
        str(folder / "config"),
        "-u",
        str(folder / "urls"),
    ]


def prepare_newsboat(folder: Path, urls: Sequence[str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "home").mkdir()
    (folder / "urls").write_text("\n".join(urls) + "\n", encoding="utf-8")
    (folder / "config").write_text(
        "reload-threads 16\nauto-reload no\nshow-read-feeds yes\ndownload-timeout 30\n"
        "download-retries 1\n",
        encoding="utf-8",
    )
    return folder


def run_newsboat(folder: Path, server: FeedServer, timeout: float) -> Measure:
    """``newsboat -x reload`` with its own cache, config and urls file in ``folder``."""
    server.stats(reset=True)
    cpu = server.cpu_seconds()
    cache = folder / "cache.db"
    home = str(folder / "home")
    result = proctree.run(
        [*_newsboat_command(folder), "-x", "reload"],
        timeout=timeout,
        env=child_env(HOME=home, XDG_CONFIG_HOME=home, XDG_DATA_HOME=home, LANG="C.UTF-8"),
        cwd=folder,
    )
    measure = _measure(result, server, cpu)
    measure.stored = count_rows(cache, "SELECT count(*) FROM rss_item") if cache.exists() else 0
    measure.library_bytes = files_size(cache)
    return measure


def fill_newsboat_cache(
    folder: Path, library: Path, env: Mapping[str, str]
) -> tuple[list[str], float]:
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
            [*_newsboat_command(folder), "-x", "print-unread"],
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
                            unpack(content),  # newsterm stores bodies compressed
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


def newsboat_startup(
    folder: Path, titles: list[str], env: Mapping[str, str], columns: int, lines: int, limit: float
) -> tuple[float, dict[str, int]]:
    """Seconds from launch to the feed list, and newsboat's memory then (kB)."""
    session = TerminalSession(
        _newsboat_command(folder), env, columns, lines, cwd=folder, answer_sync=False
    )
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
