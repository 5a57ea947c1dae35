"""The worker pool in one process: a worker killed under a refresh, under reader mode and
under both at once costs no feed and no page, and closing a library leaves no worker.

The workers are real processes found through /proc (the fork server is this process's
child, the workers are its children) and killed with SIGKILL, as the OOM killer does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.support.feeds import Item, items, rss
from tests.support.feedserver import FeedServer, Reply, feed_reply
from tests.support.pages import article_page
from tests.support.processes import describe, wait_until, workers
from tui.core.library import Library
from tui.core.models import FeedOutcome, FeedRefresh, FeedStatus
from tui.core.settings import Settings
from tui.ui.background.pages import PageDone, PageFetcher

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

SHORT = "<p>The first trams ran on the new line this morning.</p>"


def _kill_one_worker() -> int:
    found = workers()
    assert found, "no worker process to kill"
    victim = found[0].pid
    os.kill(victim, signal.SIGKILL)
    return victim


def _bulk_feeds(server: FeedServer, library: Library, count: int, stories: int) -> list[str]:
    urls = []
    for n in range(count):
        server.route(f"/bulk/{n}", feed_reply(rss(items(stories, prefix=f"Bulk{n}"))))
        urls.append(server.url(f"/bulk/{n}"))
        library.add_feed(urls[-1])
    return urls


def _stories_per_feed(library: Library) -> dict[int, int]:
    return {feed.id: feed.total for feed in library.feeds()}


async def test_a_worker_killed_in_the_middle_of_a_refresh_costs_no_feed(
    server: FeedServer, library: Library
) -> None:
    _bulk_feeds(server, library, 30, 100)
    killed: list[int] = []

    def progress(done: int, _total: int, result: FeedRefresh) -> None:
        if not killed and result.outcome is FeedOutcome.UPDATED:
            killed.append(_kill_one_worker())

    report = await library.refresh(progress=progress)

    assert killed
    assert report.failed == (), [f.error for f in report.failed]
    assert report.ok == 30
    assert all(total == 100 for total in _stories_per_feed(library).values())
    assert report.problems == ()  # mended: every feed stored after all
    (note,) = report.notes
    assert "worker process" in note and "Traceback" not in note
    for feed in library.feeds():  # nothing was held against any feed
        assert feed.status is FeedStatus.OK, feed
        assert feed.next_retry is None and not feed.last_error

    again = await library.refresh()
    assert again.failed == () and again.problems == () and again.notes == ()


@pytest.fixture
async def tram(server: FeedServer, library: Library) -> int:
    """A story whose feed text is short, and whose page is the full article."""
    server.route("/news/tram", Reply(200, article_page(), {"Content-Type": "text/html"}))
    entry = Item("Riverside tram", guid="tram", link=server.url("/news/tram"), description=SHORT)
    server.route("/feed.xml", feed_reply(rss([entry, *items(20)])))
    feed = library.add_feed(server.url("/feed.xml"))
    report = await library.refresh([str(feed.id)])
    assert not report.failed, report
    return next(s.id for s in library.stories() if s.guid == "tram")


async def test_pages_and_labels_still_work_after_the_workers_die(
    library: Library, tram: int
) -> None:
    library.warm_up_pages()
    for worker in workers():  # all of them: an OOM kill of a busy machine
        os.kill(worker.pid, signal.SIGKILL)
    wait_until(lambda: not workers(), 10, "the killed workers to go")

    (outcome,) = await library.fetch_pages([tram], force=True)
    assert outcome.ok, outcome
    assert library.article(tram) is not None

    _kill_one_worker()
    assert library.label_pending() == library.counts()[0] - 1  # the tram was labelled
    assert library.unlabelled() == 0


async def test_a_page_fetch_killed_twice_is_one_sentence_not_a_traceback(
    library: Library, tram: int
) -> None:
    """A page whose extraction kills its worker every time (a native crash) is given up
    after one retry, and not stored as a failure of the page."""
    # Cold workers (reader mode not loaded: that takes them a good 50 ms), killed within
    # a few ms of starting: no attempt can finish.
    stop = threading.Event()

    def keep_killing() -> None:
        while not stop.is_set():
            for worker in workers():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGKILL)
            stop.wait(0.005)

    killer = threading.Thread(target=keep_killing, daemon=True)
    killer.start()
    try:
        (outcome,) = await library.fetch_pages([tram], force=True)
    finally:
        stop.set()
        killer.join()
    assert not outcome.ok
    assert "worker process" in outcome.note
    assert "\n" not in outcome.note and "Broken" not in outcome.note
    assert library.article(tram) is None  # not remembered as the page's failure

    (again,) = await library.fetch_pages([tram], force=True)
    assert again.ok, again


def test_a_page_fetcher_and_a_refresh_at_once_share_one_restart(
    server: FeedServer, db_path: Path
) -> None:
    """The UI's page thread and a refresh both hold futures of the pool that breaks: one
    new pool serves both, and neither loses its work."""
    library = Library(db_path, Settings())
    try:
        server.route("/news/tram", Reply(200, article_page(), {"Content-Type": "text/html"}))
        entries = [
            Item(f"Tram {n}", guid=f"t{n}", link=server.url("/news/tram"), description=SHORT)
            for n in range(12)
        ]
        server.route("/feed.xml", feed_reply(rss(entries)))
        feed = library.add_feed(server.url("/feed.xml"))
        assert not asyncio.run(library.refresh([str(feed.id)])).failed
        story_ids = [s.id for s in library.stories()]
        _bulk_feeds(server, library, 24, 100)
        library.warm_up_pages()

        pages: list[PageDone] = []
        fetcher = PageFetcher(lambda: library, pages.append, concurrency=2)
        killed: list[int] = []

        def progress(done: int, _total: int, result: FeedRefresh) -> None:
            if done == 3:  # pages in flight in the other thread, feeds queued here
                killed.append(_kill_one_worker())

        for story_id in story_ids:
            fetcher.want(story_id, "manual", force=True)
        report = asyncio.run(library.refresh(progress=progress))
        assert fetcher.wait_idle(60), "the page fetcher never settled"
        fetcher.stop()

        assert killed
        assert report.failed == (), [f.error for f in report.failed]
        bulk = {fid: total for fid, total in _stories_per_feed(library).items() if fid != feed.id}
        assert list(bulk.values()) == [100] * 24
        assert sorted(done.outcome.story_id for done in pages) == sorted(story_ids)
        assert all(done.outcome.ok for done in pages), [d.outcome for d in pages]
        # One pool now, not one per user that saw the old one break.
        size = max(1, min(4, os.cpu_count() or 1))
        wait_until(lambda: len(workers()) <= size, 10, "one pool of workers")
    finally:
        library.close()
    assert workers() == [], describe(workers())


def test_closing_right_after_starting_the_workers_leaves_none_behind(db_path: Path) -> None:
    library = Library(db_path, Settings())

    def warm() -> None:
        with contextlib.suppress(Exception):  # closed under it, on purpose
            library.warm_up_pages()

    starting = threading.Thread(target=warm)
    starting.start()
    wait_until(lambda: bool(workers()), 30, "a worker to start")
    library.close()
    left = workers()
    starting.join(30)
    assert left == [], describe(left)


_EXIT_RACE = """
import asyncio, sys
from pathlib import Path
from tui.core.library import Library

library = Library(Path(sys.argv[1]))
library.add_feed(sys.argv[2])
report = asyncio.run(library.refresh())
assert report.ok == 1, report
sys.setswitchinterval(1e-6)  # thread switches everywhere: races show up
library.close()  # at once, and the program ends
"""


def test_a_refresh_ends_without_a_word_on_stderr_every_time(tmp_path: Path) -> None:
    """Exit noise: once in about 500 refreshes, multiprocessing printed a traceback as the
    program ended while the pool was still shutting down; it must end cleanly every time."""
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(items(30)))
    for batch in range(2):
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", _EXIT_RACE, str(tmp_path / f"{batch}-{n}.db"), str(feed)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for n in range(4)
        ]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err.decode()
            assert out == b"" and err == b"", err.decode()


_TOO_FEW_FILES = """
import asyncio, os, resource, sys
from pathlib import Path
from tui.core.library import Library

db, feed = Path(sys.argv[1]), Path(sys.argv[2])
with Library(db) as library:
    library.add_feed(str(feed))
    assert asyncio.run(library.refresh()).ok == 1
feed.write_bytes(feed.read_bytes().replace(b"Story 0", b"Story zero"))  # to parse again

library = Library(db)
# Four more file descriptors than open now: enough to read the library and the feed, not
# to start a worker process (the feed is read first: the pool starts once it is needed).
opened = len(os.listdir("/proc/self/fd"))
_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (opened + 4, hard))
report = asyncio.run(library.refresh())
print(report.feeds[0].outcome.value)
print(*report.problems, sep="\\n")
library.close()
"""


def test_workers_that_cannot_start_blame_no_feed(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(items(30)))
    db = tmp_path / "library.db"
    done = subprocess.run(
        [sys.executable, "-c", _TOO_FEW_FILES, str(db), str(feed)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    outcome, problem = done.stdout.splitlines()
    assert outcome == "skipped"
    assert problem.startswith("newsterm could not start its worker processes (")
    assert "Too many open files" in problem
    with Library(db) as library:
        (stored,) = library.feeds()
        assert stored.status is FeedStatus.OK and stored.next_retry is None, stored
        assert not stored.last_error
        again = asyncio.run(library.refresh())  # with files to spare, it works
        assert again.feeds[0].outcome is FeedOutcome.UPDATED, again
