"""``newsterm refresh`` as a real program under process faults: one of its workers killed,
the refresh itself killed with -9 at random moments, its output piped into ``cat``, and
its disk full.

Each refresh runs in its own session, so that everything it started (the fork server,
the workers, multiprocessing's resource tracker) shares one process group that /proc can
be asked about after the refresh is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.disks import fill, integrity, tmpfs
from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, Reply, Request, feed_reply
from tests.support.processes import describe, in_group, wait_until, workers
from tui.core.library import Library
from tui.core.models import FeedOutcome, FeedStatus

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

NEWSTERM = Path(sys.executable).parent / "newsterm"
SUMMARY = re.compile(r"^(\d+) feeds ok, (\d+) failed(?:, (\d+) skipped)?, \d+ new stories in ")


def _refresh(db: Path, tmp_path: Path, **popen: object) -> subprocess.Popen[str]:
    """``newsterm refresh`` in a new session (its process group is its pid)."""
    options: dict[str, object] = {
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "stdin": subprocess.DEVNULL,
        "text": True,
        "start_new_session": True,
        **popen,
    }
    config = tmp_path / "no-such-config.toml"
    command = [str(NEWSTERM), "--db", str(db), "--config", str(config), "refresh"]
    return subprocess.Popen(command, **options)  # type: ignore[call-overload, no-any-return]


@contextlib.contextmanager
def _cleaned_up(child: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """Whatever the test asserts, nothing of ``child``'s outlives it."""
    try:
        yield child
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
        if child.poll() is None:
            child.kill()
        with contextlib.suppress(subprocess.TimeoutExpired, ValueError):
            child.communicate(timeout=5)


def _bulk(server: FeedServer, library: Library, count: int, *, drip_every: int = 0) -> None:
    """``count`` feeds of 100 stories; every ``drip_every``-th trickles in over a second."""
    for n in range(count):
        body = rss(items(100, prefix=f"Bulk{n}"))
        if drip_every and n % drip_every == drip_every - 1:
            chunks = [body[i : i + 4096] for i in range(0, len(body), 4096)]
            reply = Reply(200, chunks, {"Content-Type": "application/rss+xml"}, 0.15)
            server.route(f"/bulk/{n}", reply)
        else:
            server.route(f"/bulk/{n}", feed_reply(body))
        library.add_feed(server.url(f"/bulk/{n}"))


def _query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _feeds_stored(db: Path) -> int:
    return int(str(_query(db, "SELECT count(DISTINCT feed_id) FROM stories")[0][0]))


def _kill_a_worker_of(pid: int) -> bool:
    for worker in workers(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
            return True
    return False


# -- one worker killed -------------------------------------------------------------------


def test_a_worker_killed_under_newsterm_refresh_costs_no_feed(
    server: FeedServer, tmp_path: Path
) -> None:
    db = tmp_path / "library.db"
    with Library(db) as library:
        _bulk(server, library, 30, drip_every=4)

    with _cleaned_up(_refresh(db, tmp_path)) as child:
        wait_until(
            lambda: (
                child.poll() is not None or (_feeds_stored(db) >= 1 and bool(workers(child.pid)))
            ),
            30,
            "a feed to be stored",
        )
        assert child.poll() is None, child.communicate()
        assert _kill_a_worker_of(child.pid)
        out, err = child.communicate(timeout=60)

    assert child.returncode == 0, err
    assert err == ""
    summary = SUMMARY.match(out.splitlines()[0])
    assert summary is not None, out
    assert summary.group(1, 2) == ("30", "0"), out
    assert "worker process" in out and "Broken" not in out and "Traceback" not in out
    with Library(db) as library:
        for feed in library.feeds():  # every feed stored whole, none held to blame
            assert feed.status is FeedStatus.OK and feed.total == 100, feed


# -- kill -9 of the refresh ----------------------------------------------------------------


class _Changing:
    """Feeds whose documents change every round, so that every refresh parses them all."""

    def __init__(self, server: FeedServer, count: int) -> None:
        self.round = 0
        self.urls = []
        for n in range(count):
            server.route(f"/changing/{n}", self._reply(n))
            self.urls.append(server.url(f"/changing/{n}"))

    def _reply(self, n: int) -> Callable[[Request], Reply]:
        def reply(_request: Request) -> Reply:
            body = rss(items(60, prefix=f"Changing{n}"), title=f"Changing {n} ({self.round})")
            if n % 5 == 4:  # trickles in: some kills land while a download is under way
                chunks = [body[i : i + 4096] for i in range(0, len(body), 4096)]
                return Reply(200, chunks, {"Content-Type": "application/rss+xml"}, 0.1)
            return feed_reply(body)

        return reply


def _marks(db: Path) -> tuple[list[int], list[int]]:
    read = [int(str(r[0])) for r in _query(db, "SELECT id FROM stories WHERE read ORDER BY id")]
    kept = _query(db, "SELECT id FROM stories WHERE bookmarked ORDER BY id")
    return read, [int(str(r[0])) for r in kept]


@pytest.mark.slow
def test_kill_9_of_newsterm_refresh_at_20_random_moments_loses_nothing_and_leaves_nothing(
    server: FeedServer, tmp_path: Path
) -> None:
    db = tmp_path / "library.db"
    changing = _Changing(server, 20)
    server.route("/marked", feed_reply(rss(items(10, prefix="Marked"))))
    with Library(db) as library:
        marked = library.add_feed(server.url("/marked")).id
        report = asyncio.run(library.refresh([str(marked)]))
        assert not report.failed, report
        ids = [s.id for s in library.stories()]
        library.set_read(ids[:4])
        library.set_bookmarked(ids[3:6])
        for url in changing.urls:
            library.add_feed(url)
    marks = _marks(db)
    assert marks == (sorted(ids[:4]), sorted(ids[3:6]))

    moments = random.Random(8).sample([n / 100 for n in range(0, 160)], 20)
    for trial, moment in enumerate(moments):
        changing.round = trial
        with _cleaned_up(_refresh(db, tmp_path)) as child:
            time.sleep(moment)
            os.kill(child.pid, signal.SIGKILL)  # the refresh alone, as a user's kill -9 is
            try:
                # EOF on its stdout and stderr: nothing it started holds them any more.
                _out, err = child.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                pytest.fail(f"trial {trial} at {moment} s: {describe(in_group(child.pid))}")
            assert err == "", (trial, moment, err)  # nor did anything it left behind speak
            wait_until(lambda: not in_group(child.pid), 15, f"trial {trial}'s processes to end")

        assert integrity(db) == "ok", (trial, moment)
        assert _marks(db) == marks, (trial, moment)
        with Library(db) as library:  # the next refresh works
            server.route("/marked", feed_reply(rss(items(10 + trial + 1, prefix="Marked"))))
            (after,) = asyncio.run(library.refresh([str(marked)])).feeds
            assert after.outcome is FeedOutcome.UPDATED and after.new_stories == 1, after

    finished = _refresh(db, tmp_path)
    with _cleaned_up(finished):
        out, err = finished.communicate(timeout=60)
    assert finished.returncode == 0 and err == "", err
    summary = SUMMARY.match(out)
    assert summary is not None and summary.group(2) == "0", out
    assert _feeds_stored(db) == 21
    assert _marks(db) == marks


def test_newsterm_refresh_piped_into_cat_ends_when_the_refresh_is_killed(
    server: FeedServer, tmp_path: Path
) -> None:
    db = tmp_path / "library.db"
    with Library(db) as library:
        _bulk(server, library, 12, drip_every=3)

    with _cleaned_up(_refresh(db, tmp_path, stderr=subprocess.DEVNULL)) as child:
        assert child.stdout is not None
        cat = subprocess.Popen(["cat"], stdin=child.stdout, stdout=subprocess.PIPE)
        child.stdout.close()  # cat alone reads the pipe now, as in a shell
        try:
            wait_until(lambda: bool(workers(child.pid)), 30, "the refresh's workers")
            os.kill(child.pid, signal.SIGKILL)
            try:
                cat.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                pytest.fail(
                    f"cat never ended; still holding its pipe: {describe(in_group(child.pid))}"
                )
        finally:
            if cat.poll() is None:
                cat.kill()
                cat.wait()
    assert cat.returncode == 0


# -- a full disk -----------------------------------------------------------------------------


def test_a_refresh_on_a_full_disk_ends_with_a_summary_and_blames_no_feed(
    server: FeedServer, tmp_path: Path
) -> None:
    with tmpfs(tmp_path / "disk", "4m") as disk:
        db = disk / "library.db"
        with Library(db) as library:
            _bulk(server, library, 12)
        fill(disk, leave=64 * 1024)  # room to open the library, not to store a feed
        full = subprocess.run(
            [str(NEWSTERM), "--db", str(db), "--config", str(tmp_path / "none.toml"), "refresh"],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        (disk / "filler.bin").unlink()

        assert "Traceback" not in full.stderr, full.stderr
        assert full.returncode == 1  # the summary is printed, and cron hears of the fault
        summary = SUMMARY.match(full.stdout)
        assert summary is not None, (full.stdout, full.stderr)
        assert summary.group(2) == "0", full.stdout  # no feed failed: the disk did
        (problem,) = [line for line in full.stdout.splitlines() if line.startswith("  !")]
        assert "full" in problem, problem
        assert integrity(db) == "ok"
        with Library(db) as library:
            for feed in library.feeds():
                assert feed.status is not FeedStatus.ERROR and feed.next_retry is None, feed

        # With room again, every feed is fetched at once: none was put into back-off.
        again = _refresh(db, tmp_path)
        with _cleaned_up(again):
            out, err = again.communicate(timeout=60)
        summary = SUMMARY.match(out)
        assert summary is not None and summary.group(1, 2) == ("12", "0"), (out, err)
