"""Sync benchmark: newsterm against one real Miniflux, over each sync API.

    python -m bench.sync [--feeds 200] [--items 50] [--api greader|miniflux|fever] [--json]

(from the project root, with the virtualenv's Python). Options: ``--help``; what it
measures and its targets: ``bench/README.md``.

Not a test: it prints figures against targets and exits 1 when one is missed. It

1. starts a real Miniflux over a throwaway PostgreSQL on 127.0.0.1
   (``tests/support/miniflux.py``), switches on its Google Reader and Fever APIs and makes
   an API key; serves ``--feeds`` feeds of ``--items`` items (seeded HTML bodies of a few
   hundred bytes to a few KB) from a loopback server and subscribes Miniflux to them
   through its REST API, several at a time, in ``--folders`` folders, until it holds every
   entry;
2. for each API (Google Reader, then Miniflux's own with the API key, then Fever), after
   one untimed warm-up sync that starts the fork server and warms the server's caches,
   ``--repeat`` times on a fresh library in a folder of its own:

   * the first sync (``Library.sync`` in this process: the account is added beforehand,
     untimed): wall clock, CPU of this process and of the library's worker processes,
     CPU of Miniflux and PostgreSQL, requests, stories stored;
   * a sync with nothing new;
   * (the library closed) ``newsterm sync`` as a command, start-up included, nothing new;
   * ``--marks`` stories marked read through the library, then the sync that pushes them;
     the server is then asked (REST) which entries are read: exactly those;
   * one more sync after the push; then the server's marks are put back (REST, untimed)
     for the next run;
3. if ``newsboat`` is installed, times ``newsboat -x reload`` with ``urls-source
   "miniflux"`` against the same server: an empty cache, then again;
4. prints measure / value / target / verdict with the machine's load, or JSON
   (``--json``). ``--profile FILE`` adds one more first sync per API under cProfile (this
   process, its threads included; pstats data in FILE, with the API's name added when
   there are several) and logs the top of it.

Everything runs on 127.0.0.1; Miniflux, PostgreSQL and every program started are ended on
every way out (SIGTERM included); every wait has a deadline; the temporary folder is
removed unless ``--keep``. About 3 minutes at the defaults on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import math
import os
import pstats
import random
import sqlite3
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.harness import proctree
from bench.harness.clients import NEWSBOAT
from bench.harness.library import count_rows
from bench.harness.report.table import (
    Row,
    below,
    failed,
    info,
    load_text,
    print_table,
    run_context,
    strict_json,
    verdict,
)
from bench.harness.workspace import (
    child_env,
    compile_modules,
    log,
    newsterm_command,
    positive,
    stop_on_sigterm,
    workdir,
)
from tests.support.feeds import Item, rss
from tests.support.feedserver import FeedServer, feed_reply
from tests.support.miniflux import ADMIN, ADMIN_PASSWORD, Miniflux, running_miniflux, unavailable
from tui.core.library import Library
from tui.core.sync import engine as _engine  # noqa: F401  (imported once, before any clock)
from tui.core.sync.greader import BATCH as GREADER_BATCH
from tui.core.sync.miniflux import PAGE as MINIFLUX_PAGE

APIS = ("greader", "miniflux", "fever")

#: The issue's targets, on a 2-core machine against a server on loopback.
FIRST_SYNC_S = 5.0  # 200 feeds × 50 items into an empty library
INCREMENTAL_S = 0.3  # a sync with nothing new
INCREMENTAL_REQUESTS = 6  # ... in a handful of requests

FOLDER_NAMES = ["Tech", "World", "Science", "Culture", "Business", "Sports", "Health", "Arts"]
_WORD_TEXT = (
    "orbit survey ring signal model rust python kernel climate river policy market vaccine "
    "protein galaxy league design patch cipher network storage compiler telescope election "
    "budget harvest glacier satellite protocol battery quantum genome museum festival the of "
    "and a to in is that for on with as was"
)
_WORDS = _WORD_TEXT.split()


# -- the server's content ---------------------------------------------------------------------


@dataclass(frozen=True)
class FeedDoc:
    name: str
    folder: str
    body: bytes


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize()


def _html(rng: random.Random, link: str) -> str:
    """An item's body: a few hundred bytes to a few KB of the HTML feeds carry."""
    parts = []
    for n in range(rng.choice((1, 1, 2, 2, 3, 4, 5, 7))):
        if n and rng.random() < 0.25:
            parts.append(f"<h2>{_sentence(rng, rng.randint(2, 6))}</h2>")
        words = _sentence(rng, rng.randint(15, 70))
        if rng.random() < 0.3:
            words += f' <a href="{link}#{n}">{_sentence(rng, 3)}</a>'
        parts.append(f"<p>{words}.</p>")
    if rng.random() < 0.2:
        parts.append("<ul>" + "".join(f"<li>{_sentence(rng, 5)}</li>" for _ in range(3)) + "</ul>")
    if rng.random() < 0.15:
        parts.append(f'<p><img src="https://img.example/{rng.randrange(10**6)}.jpg" alt=""></p>')
    return "".join(parts)


def feed_docs(feeds: int, items: int, folders: int, seed: int) -> list[FeedDoc]:
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    names = [FOLDER_NAMES[n] if n < len(FOLDER_NAMES) else f"Folder {n}" for n in range(folders)]
    docs = []
    for f in range(feeds):
        entries = []
        for i in range(items):
            link = f"https://site{f}.example/{i}/{rng.randrange(10**6)}"
            entries.append(
                Item(
                    title=_sentence(rng, rng.randint(4, 10)),
                    guid=f"urn:bench:{f}:{i}",
                    link=link,
                    description=f"<p>{_sentence(rng, 20)}.</p>",
                    content=_html(rng, link),
                    published=now - timedelta(minutes=i * feeds + f),
                )
            )
        title = f"Feed {f} {_sentence(rng, 2)}"
        docs.append(FeedDoc(f"feed-{f}", names[f % folders], rss(entries, title=title)))
    return docs


class SyncServer:
    """The Miniflux under test, with what the benchmark asks of it besides the sync."""

    def __init__(self, miniflux: Miniflux) -> None:
        self.miniflux = miniflux
        self.url = miniflux.url
        miniflux.enable_apis()
        self.key = miniflux.make_api_key()
        self.http = miniflux.api()
        self.version = str(self.http.get("/version").json().get("version", "?"))

    def secret(self, api: str) -> str:
        """What an account of ``api`` signs in with: the password, or the API key."""
        return self.key if api == "miniflux" else ADMIN_PASSWORD

    def close(self) -> None:
        self.http.close()

    # -- filling it --------------------------------------------------------------------

    def load(self, docs: Sequence[FeedDoc], expected: int, concurrency: int) -> float:
        """Subscribe to every feed (Miniflux fetches each as it is added); seconds taken."""
        started = time.perf_counter()
        with FeedServer() as feeds:
            for doc in docs:
                feeds.route(f"/{doc.name}.xml", feed_reply(doc.body))
            categories = {}
            for folder in dict.fromkeys(doc.folder for doc in docs):
                answer = self.http.post("/categories", json={"title": folder})
                answer.raise_for_status()
                categories[folder] = answer.json()["id"]
            limits = httpx.Limits(max_connections=concurrency)
            with httpx.Client(
                base_url=f"{self.url}/v1",
                auth=(ADMIN, ADMIN_PASSWORD),
                timeout=120,
                limits=limits,
            ) as client:

                def subscribe(doc: FeedDoc) -> None:
                    answer = client.post(
                        "/feeds",
                        json={
                            "feed_url": feeds.url(f"/{doc.name}.xml"),
                            "category_id": categories[doc.folder],
                        },
                    )
                    if answer.status_code != 201:
                        raise RuntimeError(
                            f"Miniflux did not subscribe to {doc.name}: "
                            f"{answer.status_code} {answer.text[:200]}"
                        )

                with ThreadPoolExecutor(concurrency) as pool:
                    list(pool.map(subscribe, docs))
            deadline = time.monotonic() + 60 + len(docs) * 0.5
            total = self.total()
            while total < expected and time.monotonic() < deadline:
                time.sleep(0.5)
                total = self.total()
        if total != expected:
            raise RuntimeError(f"Miniflux holds {total} entries, not {expected}")
        return time.perf_counter() - started

    def total(self) -> int:
        answer = self.http.get("/entries", params={"limit": 1})
        answer.raise_for_status()
        return int(answer.json()["total"])

    # -- marks -------------------------------------------------------------------------

    def read_ids(self) -> set[int]:
        """Every entry the server has as read (REST, a page at a time)."""
        found: set[int] = set()
        offset = 0
        while True:  # bounded: each page is a full one or the last
            answer = self.http.get(
                "/entries",
                params={"status": "read", "limit": 1000, "offset": offset, "order": "id"},
            )
            answer.raise_for_status()
            page = [int(e["id"]) for e in answer.json()["entries"]]
            found.update(page)
            if len(page) < 1000:
                return found
            offset += 1000

    def set_unread(self, ids: Sequence[int]) -> None:
        """Back to unread (REST): the next run starts alike."""
        wanted = sorted(ids)
        for start in range(0, len(wanted), 500):
            answer = self.http.put(
                "/entries", json={"entry_ids": wanted[start : start + 500], "status": "unread"}
            )
            answer.raise_for_status()

    # -- its processes -----------------------------------------------------------------

    def pids(self) -> list[int]:
        """Miniflux, and PostgreSQL's postmaster with its backends."""
        pids = []
        if self.miniflux.process is not None:
            pids.append(self.miniflux.process.pid)
        try:
            text = (self.miniflux.postgres.data / "postmaster.pid").read_text()
            postmaster = int(text.split()[0])
        except (OSError, ValueError, IndexError):
            return pids
        return [*pids, postmaster, *proctree.descendants(postmaster)]

    def cpu(self) -> dict[int, float]:
        return {pid: proctree.read_cpu(pid) or 0.0 for pid in self.pids()}


# -- one sync, measured in this process ---------------------------------------------------------


@dataclass
class SyncRun:
    wall: float  # seconds Library.sync took, in this process
    main_cpu: float  # this process (every thread)
    workers_cpu: float  # the library's worker processes
    server_cpu: float  # Miniflux and PostgreSQL
    others: float  # CPUs other programs kept busy meanwhile
    requests: int
    new: int
    pulled: int
    pushed: int
    queued: int
    stored: int  # stories in the library afterwards (copies of another feed's included)
    error: str

    @property
    def cpu(self) -> float:
        return self.main_cpu + self.workers_cpu


def _cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two snapshots; a process that came meanwhile counts from zero (one
    that went is lost, with its last ~10 ms)."""
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())


class Meter:
    """Snapshots of CPU time: this process, its worker processes, the server's."""

    def __init__(self, server: SyncServer) -> None:
        self.server = server

    def workers(self) -> dict[int, float]:
        """The library's worker processes (fork server, workers, resource tracker): every
        process below this one except the server's."""
        skip = set(self.server.pids())
        for pid in list(skip):
            skip.update(proctree.descendants(pid))
        return {
            pid: proctree.read_cpu(pid) or 0.0
            for pid in proctree.descendants(os.getpid())
            if pid not in skip
        }

    def sync(self, library: Library, profile: Profiled | None = None) -> SyncRun:
        proctree.settle()
        workers, server = self.workers(), self.server.cpu()
        busy, main = proctree.machine_busy(), time.process_time()
        started = time.perf_counter()
        if profile is None:
            reports = asyncio.run(library.sync())
        else:
            with profile:
                reports = asyncio.run(library.sync())
        wall = time.perf_counter() - started
        main = time.process_time() - main
        workers_cpu = _cpu_delta(workers, self.workers())
        server_cpu = _cpu_delta(server, self.server.cpu())
        busy = proctree.machine_busy() - busy
        report = reports[0] if reports else None
        return SyncRun(
            wall=wall,
            main_cpu=main,
            workers_cpu=workers_cpu,
            server_cpu=server_cpu,
            others=max(0.0, busy - main - workers_cpu - server_cpu) / max(wall, 1e-9),
            requests=report.requests if report else 0,
            new=report.new if report else 0,
            pulled=report.pulled if report else 0,
            pushed=report.pushed if report else 0,
            queued=report.queued if report else 0,
            stored=count_rows(library.path, "SELECT count(*) FROM stories"),
            error=(report.error if report else "no account synced") or "",
        )


class Profiled:
    """cProfile over this thread and every thread started meanwhile (the library's calls
    off the event loop run in threads of their own); ``stats`` once it is over.

    What is counted is each thread's own CPU time: by the wall clock, threads that wait
    (for a reply, for the workers, on a pipe) would fill the top of the list with their
    waiting. Each thread's clock is read by its id, not as "the current thread's", because
    the calls still under way in a thread that outlives the profile (the worker pool's) are
    closed from this one."""

    def __init__(self) -> None:
        self.profiles = [cProfile.Profile(_thread_clock())]
        self.stats: pstats.Stats | None = None

    def _start_in_thread(self, *_args: object) -> None:
        sys.setprofile(None)
        one = cProfile.Profile(_thread_clock())
        self.profiles.append(one)
        one.enable()

    def __enter__(self) -> None:
        threading.setprofile(self._start_in_thread)
        self.profiles[0].enable()

    def __exit__(self, *exc: object) -> None:
        self.profiles[0].disable()
        threading.setprofile(None)
        self.stats = pstats.Stats(self.profiles[0])
        for one in self.profiles[1:]:
            self.stats.add(one)


def _thread_clock() -> Callable[[], float]:
    """The CPU time of the thread that calls this, whichever thread reads it later (its
    last reading once the thread has gone)."""
    clock = time.pthread_getcpuclockid(threading.get_ident())
    last = [0.0]

    def now() -> float:
        with contextlib.suppress(OSError):
            last[0] = time.clock_gettime(clock)
        return last[0]

    return now


# -- one API ---------------------------------------------------------------------------------


@dataclass
class Command:
    """``newsterm sync`` run as a command: start-up included."""

    wall: float
    cpu: float  # its whole process tree
    seconds: float  # what it reports for the sync itself
    requests: int
    new: int
    error: str


@dataclass
class ApiResult:
    api: str
    first: list[SyncRun] = field(default_factory=list)
    again: list[SyncRun] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    marked: list[int] = field(default_factory=list)  # stories marked read, each run
    marking: list[float] = field(default_factory=list)  # seconds set_read took
    push: list[SyncRun] = field(default_factory=list)
    on_server: list[tuple[int, int, int]] = field(default_factory=list)  # read, missing, extra
    after: list[SyncRun] = field(default_factory=list)
    profile_top: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _describe(step: str, run: SyncRun) -> str:
    text = (
        f"{step}: {run.wall:.3f} s, {run.requests} requests, {run.new} new, "
        f"{run.pulled} pulled, {run.pushed} pushed, {run.queued} queued, {run.stored} stored; "
        f"CPU {run.main_cpu:.2f} + workers {run.workers_cpu:.2f} s, server "
        f"{run.server_cpu:.2f} s, others {run.others:.2f} CPUs"
    )
    return text + (f"; ERROR {run.error}" if run.error else "")


def _remote_ids(db: Path, story_ids: Sequence[int]) -> list[int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        found = []
        for start in range(0, len(story_ids), 500):
            chunk = list(story_ids[start : start + 500])
            found += [
                int(r[0])
                for r in conn.execute(
                    f"SELECT remote_id FROM stories WHERE id IN ({','.join('?' * len(chunk))})"
                    " AND remote_id IS NOT NULL",
                    chunk,
                )
            ]
        return found
    finally:
        conn.close()


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path, server: SyncServer) -> None:
        self.args = args
        self.work = work
        self.server = server
        self.meter = Meter(server)
        self.pycache = work / "pycache"
        self.config = work / "config.toml"
        self.config.write_text("", encoding="utf-8")  # newsterm's defaults, not the user's
        self.expected = args.feeds * args.items
        self.marks = min(args.marks, self.expected)
        self._folders = 0

    def fresh_library(self, api: str) -> Path:
        """A new library in a folder of its own (the account's secret is kept beside it),
        with the account added (untimed)."""
        self._folders += 1
        folder = self.work / f"{api}-{self._folders}"
        folder.mkdir()
        db = folder / "library.db"
        with Library(db) as library:
            asyncio.run(
                library.add_account(self.server.url, ADMIN, self.server.secret(api), api=api)
            )
        return db

    def warm_up(self, api: str) -> None:
        """One sync, untimed: the fork server starts (once per process) and the server's
        caches fill; neither belongs to what the runs compare."""
        started = time.perf_counter()
        with Library(self.fresh_library(api)) as library:
            reports = asyncio.run(library.sync())
        error = reports[0].error if reports else "no account"
        log(f"{api}: warm-up sync in {time.perf_counter() - started:.2f} s {error}")

    def command(self, db: Path) -> Command:
        result = proctree.run(
            [*newsterm_command(), "--db", str(db), "--config", str(self.config), "sync", "--json"],
            timeout=self.args.timeout,
            env=child_env(self.pycache),
        )
        error = ""
        record: dict[str, Any] = {}
        try:
            records = json.loads(result.stdout)
            record = records[0] if records else {}
        except (ValueError, IndexError, TypeError):
            error = f"exit {result.returncode}: {result.stderr.strip()[-300:]}"
        error = error or (record.get("error") or "")
        return Command(
            wall=result.wall,
            cpu=result.tree_cpu,
            seconds=float(record.get("seconds") or math.nan),
            requests=int(record.get("requests") or 0),
            new=int(record.get("new") or 0),
            error=str(error),
        )

    def run_api(self, api: str) -> ApiResult:
        result = ApiResult(api)
        self.warm_up(api)
        for repeat in range(1, self.args.repeat + 1):
            db = self.fresh_library(api)
            with Library(db) as library:
                first = self.meter.sync(library)
                result.first.append(first)
                log(f"{api} #{repeat} " + _describe("first sync", first))
                if first.error:
                    result.problems.append(f"first sync: {first.error}")
                    continue
                again = self.meter.sync(library)
                result.again.append(again)
                log(f"{api} #{repeat} " + _describe("nothing new", again))
            command = self.command(db)
            result.commands.append(command)
            log(
                f"{api} #{repeat} newsterm sync command: {command.wall:.3f} s wall, "
                f"{command.seconds:.3f} s inside, CPU {command.cpu:.2f} s, "
                f"{command.requests} requests, {command.new} new {command.error}"
            )
            with Library(db) as library:
                ids = [story.id for story in library.stories(limit=self.marks)]
                started = time.perf_counter()
                library.set_read(ids, True)
                result.marking.append(time.perf_counter() - started)
                result.marked.append(len(ids))
                queued = library.sync_queued()
                push = self.meter.sync(library)
                result.push.append(push)
                log(
                    f"{api} #{repeat} {len(ids)} marked read in "
                    f"{result.marking[-1] * 1e3:.0f} ms, {queued} queued; "
                    + _describe("push", push)
                )
                remote = _remote_ids(db, ids)
                read = self.server.read_ids()
                wanted = set(remote)
                missing, extra = len(wanted - read), len(read - wanted)
                result.on_server.append((len(wanted & read), missing, extra))
                if len(remote) != len(ids):
                    result.problems.append(
                        f"{len(ids) - len(remote)} marked stories have no server id"
                    )
                log(
                    f"{api} #{repeat} on the server: {len(wanted & read)} of {len(ids)} read, "
                    f"{missing} missing, {extra} read that were not marked"
                )
                after = self.meter.sync(library)
                result.after.append(after)
                log(f"{api} #{repeat} " + _describe("after the push", after))
            self.server.set_unread(sorted(read | wanted))
        if self.args.profile is not None:
            result.profile_top = self.profile(api)
        return result

    def profile(self, api: str) -> list[str]:
        path: Path = self.args.profile
        if len(self.apis) > 1:
            path = path.with_name(f"{path.stem}-{api}{path.suffix}")
        profile = Profiled()
        with Library(self.fresh_library(api)) as library:
            run = self.meter.sync(library, profile)
        assert profile.stats is not None
        profile.stats.dump_stats(str(path))
        log(f"{api}: profiled " + _describe("first sync", run) + f"; pstats data in {path}")
        return _top(path, 25)

    @property
    def apis(self) -> list[str]:
        return [self.args.api] if self.args.api else list(APIS)


def _top(path: Path, count: int) -> list[str]:
    """The functions with the most time of their own, and the most time under them."""
    import io

    lines: list[str] = []
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(str(path), stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(count)
        text = out.getvalue()
        body = text[text.find("   ncalls") :] if "   ncalls" in text else text
        lines.append(f"by {order}:")
        lines += [line for line in body.splitlines() if line.strip()]
    return lines


# -- newsboat ----------------------------------------------------------------------------------


@dataclass
class Boat:
    wall: float
    cpu: float
    items: int
    ok: bool
    note: str = ""


def newsboat_runs(
    work: Path, server: SyncServer, args: argparse.Namespace
) -> dict[str, list[Boat]]:
    """``newsboat -x reload`` with ``urls-source "miniflux"``: an empty cache, then again."""
    runs: dict[str, list[Boat]] = {"empty": [], "again": []}
    for repeat in range(args.repeat):
        folder = work / f"newsboat-{repeat}"
        home = folder / "home"
        home.mkdir(parents=True)
        (folder / "urls").write_text("", encoding="utf-8")
        password = folder / "password"
        password.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
        password.chmod(0o600)
        (folder / "config").write_text(
            'urls-source "miniflux"\n'
            f'miniflux-url "{server.url}/"\n'
            f'miniflux-login "{ADMIN}"\n'
            f'miniflux-passwordfile "{password}"\n'
            f"miniflux-min-items {max(100, args.items)}\n"
            "reload-threads 16\nauto-reload no\nshow-read-feeds yes\ndownload-timeout 30\n",
            encoding="utf-8",
        )
        command = [
            NEWSBOAT, "-c", str(folder / "cache.db"), "-C", str(folder / "config"),
            "-u", str(folder / "urls"), "-x", "reload",
        ]  # fmt: skip
        env = child_env(HOME=str(home), XDG_CONFIG_HOME=str(home), XDG_DATA_HOME=str(home))
        for phase in ("empty", "again"):
            result = proctree.run(command, timeout=args.timeout, env=env, cwd=folder)
            cache = folder / "cache.db"
            items = count_rows(cache, "SELECT count(*) FROM rss_item") if cache.exists() else 0
            boat = Boat(
                wall=result.wall,
                cpu=result.tree_cpu,
                items=items,
                ok=result.returncode == 0,
                note="" if result.returncode == 0 else result.stderr.strip()[-300:],
            )
            runs[phase].append(boat)
            log(
                f"newsboat #{repeat + 1} {phase}: {boat.wall:.2f} s, CPU {boat.cpu:.2f} s, "
                f"{boat.items} items {boat.note}"
            )
    return runs


# -- the report -------------------------------------------------------------------------------


def _median(values: Sequence[float]) -> float:
    values = [v for v in values if math.isfinite(v)]
    return statistics.median(values) if values else math.nan


def _spread(values: Sequence[float], digits: int = 2) -> str:
    """``median (min–max)``, in seconds."""
    values = [v for v in values if math.isfinite(v)]
    if not values:
        return "n/a"
    text = f"{statistics.median(values):.{digits}f} s"
    if len(values) > 1:
        text += f" ({min(values):.{digits}f}–{max(values):.{digits}f})"
    return text


def _cpu_text(runs: Sequence[SyncRun]) -> str:
    return (
        f"{_median([r.cpu for r in runs]):.2f} s = {_median([r.main_cpu for r in runs]):.2f} "
        f"main + {_median([r.workers_cpu for r in runs]):.2f} workers; server "
        f"{_median([r.server_cpu for r in runs]):.2f} s"
    )


def _push_explained(api: str, marks: int) -> str:
    if api == "greader":
        batches = math.ceil(marks / GREADER_BATCH)
        return f"{batches} edit-tag of up to {GREADER_BATCH} ids + 1 write token"
    if api == "miniflux":
        return f"{math.ceil(marks / MINIFLUX_PAGE)} PUT /v1/entries of up to {MINIFLUX_PAGE} ids"
    return "Fever marks one item per request"


def api_rows(result: ApiResult, expected: int, marks: int) -> list[Row]:
    api = result.api
    rows: list[Row] = []
    add = rows.append
    good = [r for r in result.first if not r.error]
    if result.problems or not good:
        add(
            Row(
                f"{api}: every sync ran",
                "; ".join(result.problems)[:160] or "no run",
                "all",
                "FAIL",
            )
        )
    if not good:
        return rows
    first = _median([r.wall for r in good])
    add(below(f"{api}: first sync, wall", first, FIRST_SYNC_S, "s",
              f"{_spread([r.wall for r in good])}, {len(good)} runs"))  # fmt: skip
    add(info(f"  {api}: first sync, CPU", _cpu_text(good)))
    requests = [r.requests for r in good]
    add(info(f"  {api}: first sync, requests", f"{max(requests)}"))
    stored = [r.stored for r in good]
    add(Row(f"  {api}: stories stored by the first sync", ", ".join(map(str, sorted(set(stored)))),
            f"= {expected}", verdict(all(s == expected for s in stored))))  # fmt: skip
    again = [r for r in result.again if not r.error]
    failed_again = [r for r in result.again if r.error]
    if again:
        wall = _median([r.wall for r in again])
        add(below(f"{api}: sync with nothing new, wall", wall, INCREMENTAL_S, "s",
                  _spread([r.wall for r in again], 3)))  # fmt: skip
        most = max(r.requests for r in again)
        add(Row(f"  {api}: sync with nothing new, requests", str(most),
                f"<= {INCREMENTAL_REQUESTS}", verdict(most <= INCREMENTAL_REQUESTS)))  # fmt: skip
        new = sum(r.new + r.pulled + r.pushed for r in again)
        add(Row(f"  {api}: sync with nothing new, changes", str(new), "0", verdict(new == 0)))
        add(info(f"  {api}: sync with nothing new, CPU", _cpu_text(again)))
    if failed_again:
        add(Row(f"  {api}: sync with nothing new ran", failed_again[0].error[:120], "ok", "FAIL"))
    commands = [c for c in result.commands if not c.error]
    if commands:
        add(info(
            f"  {api}: `newsterm sync` command, nothing new",
            f"{_spread([c.wall for c in commands], 3)} wall (start-up included), "
            f"{_median([c.seconds for c in commands]):.3f} s of it syncing, CPU "
            f"{_median([c.cpu for c in commands]):.2f} s, {max(c.requests for c in commands)} "
            "requests",
        ))  # fmt: skip
    if len(commands) != len(result.commands):
        bad = next(c for c in result.commands if c.error)
        add(Row(f"  {api}: `newsterm sync` command ran", bad.error[:120], "ok", "FAIL"))
    push = [r for r in result.push if not r.error]
    if push:
        add(info(f"{api}: push {marks:,} read marks, wall",
                 f"{_spread([r.wall for r in push], 3)}; marking them here took "
                 f"{_median(result.marking) * 1e3:.0f} ms"))  # fmt: skip
        base = min((r.requests for r in again), default=0)
        most = max(r.requests for r in push)
        add(info(f"  {api}: push, requests",
                 f"{most} ({most - base} more than with nothing to push: "
                 f"{_push_explained(api, max(result.marked))})"))  # fmt: skip
        add(info(f"  {api}: push, CPU", _cpu_text(push)))
        runs = list(zip(result.marked, result.push, strict=True))
        ok = all(n == marks and r.pushed == n and r.queued == 0 for n, r in runs)
        shown = sorted({f"{n} / {r.pushed} / {r.queued}" for n, r in runs})
        add(Row(f"  {api}: marks made / pushed / left queued", ", ".join(shown),
                f"{marks} / {marks} / 0", verdict(ok)))  # fmt: skip
    else:
        error = result.push[0].error[:120] if result.push else "not run"
        add(Row(f"{api}: push {marks:,} read marks", error, "ok", "FAIL"))
    if result.on_server:
        checks = list(zip(result.on_server, result.marked, strict=True))
        ok = all(read == n == marks and not missing and not extra
                 for (read, missing, extra), n in checks)  # fmt: skip
        shown = sorted({f"{read} of {n}, {extra} others" for (read, _m, extra), n in checks})
        add(Row(f"  {api}: read on the server afterwards (REST)", ", ".join(shown),
                f"{marks} of {marks}, 0 others", verdict(ok)))  # fmt: skip
    after = [r for r in result.after if not r.error]
    if after:
        add(info(f"  {api}: next sync after the push",
                 f"{_spread([r.wall for r in after], 3)}, {max(r.requests for r in after)} "
                 f"requests, {max(r.pulled for r in after)} marks pulled"))  # fmt: skip
    # Not a target: a warning that the wall clocks above carry other programs' load (on a
    # shared 2-core machine the main source of spread). The server's share is not in it.
    others = [r.others for r in good]
    add(Row(f"  {api}: other programs' load during the first syncs, CPUs",
            f"median {_median(others):.2f}, worst {max(others):.2f}", "< 0.25",
            "ok" if max(others) < 0.25 else "NOISY"))  # fmt: skip
    return rows


def newsboat_rows(runs: dict[str, list[Boat]] | None, first: dict[str, float]) -> list[Row]:
    if runs is None:
        return [info("newsboat -x reload (urls-source miniflux)", "newsboat is not installed")]
    rows = []
    for phase, label in (("empty", "empty cache"), ("again", "again")):
        good = [b for b in runs[phase] if b.ok]
        if not good:
            note = runs[phase][0].note[:120] if runs[phase] else "not run"
            rows.append(info(f"newsboat -x reload, {label}", f"failed: {note}"))
            continue
        rows.append(info(
            f"newsboat -x reload, {label}",
            f"{_spread([b.wall for b in good])}, CPU {_median([b.cpu for b in good]):.2f} s, "
            f"{max(b.items for b in good)} items in its cache",
        ))  # fmt: skip
    empty = [b.wall for b in runs["empty"] if b.ok]
    if empty:
        ratios = ", ".join(
            f"{api} {seconds / _median(empty):.2f}" for api, seconds in first.items()
        )
        rows.append(info("newsterm first sync / newsboat empty-cache reload", ratios))
    return rows


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.sync",
        description="newsterm sync benchmark against a real Miniflux (see bench/README.md)",
    )
    p.add_argument("--feeds", type=positive, default=200, help="feeds on the server (200)")
    p.add_argument("--items", type=positive, default=50, help="items per feed (50)")
    p.add_argument("--folders", type=positive, default=5, help="folders they are in (5)")
    p.add_argument(
        "--api", choices=APIS, help="only this API (default: greader, miniflux, fever in turn)"
    )
    p.add_argument(
        "--marks", type=positive, default=1000, help="stories marked read, then pushed (1000)"
    )
    p.add_argument("--repeat", type=positive, default=3, help="runs of each step; medians (3)")
    p.add_argument(
        "--concurrency",
        type=positive,
        default=8,
        help="feeds subscribed at once while filling Miniflux (8)",
    )
    p.add_argument("--seed", type=int, default=1, help="seed for the feeds' content (1)")
    p.add_argument("--skip-newsboat", action="store_true", help="do not run newsboat")
    p.add_argument("--profile", type=Path, help="cProfile one more first sync per API into FILE")
    p.add_argument(
        "--timeout", type=float, default=300.0, help="seconds any one command may take (300)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return p.parse_args(argv)


def _byte_code(pycache: Path) -> None:
    """Byte-code cached as an installed newsterm has it, for the commands and for the fork
    server this process starts (it reads the environment when it starts)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(pycache)
    compile_modules(
        ["tui.cli", "tui.core.library", "tui.core.sync.engine", "tui.core.workers.feeds",
         "tui.core.workers.jobs", "tui.core.sync.jobs"],
        child_env(pycache),
    )  # fmt: skip


def _content(docs: Sequence[FeedDoc]) -> str:
    megabytes = sum(len(d.body) for d in docs) / 1e6
    return f"{megabytes:.1f} MB of RSS"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    reason = unavailable()
    if reason is not None:
        log(f"no Miniflux here: {reason}")
        return 2
    with_newsboat = not args.skip_newsboat and os.path.exists(NEWSBOAT)
    load_before = os.getloadavg()
    busy_before, wall_before = proctree.machine_busy(), time.perf_counter()
    results: list[ApiResult] = []
    boats: dict[str, list[Boat]] | None = None
    with workdir(args.keep, "newsterm-sync-") as work:
        _byte_code(work / "pycache")
        started = time.perf_counter()
        docs = feed_docs(args.feeds, args.items, args.folders, args.seed)
        log(f"{len(docs)} feeds written in {time.perf_counter() - started:.1f} s: {_content(docs)}")
        with running_miniflux() as miniflux:
            server = SyncServer(miniflux)
            try:
                loaded = server.load(docs, args.feeds * args.items, args.concurrency)
                log(f"Miniflux {server.version} holds {server.total()} entries, loaded in "
                    f"{loaded:.1f} s")  # fmt: skip
                bench = Bench(args, work, server)
                for api in bench.apis:
                    results.append(bench.run_api(api))
                if with_newsboat:
                    boats = newsboat_runs(work, server, args)
                elif not args.skip_newsboat:
                    log(f"newsboat not found at {NEWSBOAT}: not measured")
            finally:
                server.close()
    busy = (proctree.machine_busy() - busy_before) / (time.perf_counter() - wall_before)
    load_after = os.getloadavg()
    marks = min(args.marks, args.feeds * args.items)
    rows: list[Row] = []
    for result in results:
        rows += api_rows(result, args.feeds * args.items, marks)
    first = {r.api: _median([run.wall for run in r.first if not run.error]) for r in results}
    if not args.skip_newsboat:
        rows += newsboat_rows(boats, first)
    header = (
        f"newsterm sync benchmark: one Miniflux {server.version} on 127.0.0.1 holding "
        f"{args.feeds} feeds x {args.items} items = {args.feeds * args.items:,} entries in "
        f"{args.folders} folders ({_content(docs)}, loaded in {loaded:.0f} s); newsterm's "
        f"syncs through Library.sync in this process (worker pool included), {args.repeat} "
        f"run(s) each on fresh libraries, medians (range); {os.cpu_count()} CPUs, load "
        f"average {load_text(load_before)} before and {load_text(load_after)} after "
        f"(1/5/15 min), {busy:.2f} CPUs busy on average while it ran (server included)"
    )
    verdict_code = 1 if failed(rows) else 0
    if args.json:
        print(
            strict_json(
                {
                    **run_context(args, load_before, load_after, busy),
                    "server": {"version": server.version, "load_seconds": loaded},
                    "apis": results,
                    "newsboat": boats,
                    "rows": rows,
                }
            )
        )
        return verdict_code
    print_table(rows, header)
    for result in results:
        if result.profile_top:
            print(
                f"\nprofile of one more {result.api} first sync "
                "(cProfile, CPU time of this process's threads):"
            )
            print("\n".join(result.profile_top))
    return verdict_code


if __name__ == "__main__":
    sys.exit(main())
