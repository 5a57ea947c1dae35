"""Reader mode's throughput: extraction alone, and pages through ``Library.fetch_pages``.

:func:`extraction_alone` calls :func:`tui.core.pages.extract.extract_article` in this process
(one thread: one core) over varied ~60 KB pages, after one untimed call that imports
trafilatura, and checks what came out (every section heading of the page, none of its
clutter).

:func:`fetch_pages_run` times :meth:`tui.core.library.Library.fetch_pages` on a fresh
copy of a library whose stories link to pages on the loopback server: fetching, then
extraction, judging and storing in the worker pool. The pool is started first, untimed,
by fetching a few other stories' pages (that time is reported on its own: it is what
``warm_up_pages`` takes off the first page a reader opens).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import proctree
from bench.harness.library import copy_library, count_rows
from bench.harness.pages import CLUTTER
from bench.harness.report.table import Spread
from bench.harness.server import FeedServer
from tui.core.library import Library
from tui.core.pages.extract import Extracted, extract_article
from tui.core.settings import Settings

_HEADERS = {"content-type": "text/html; charset=utf-8"}


@dataclass
class Alone:
    pages: int
    megabytes: float
    seconds: float  # wall clock, every page's extraction added up
    cpu: float  # CPU seconds over the loop
    per_page: Spread  # seconds
    words: Spread
    first_call: float  # the untimed first call (imports trafilatura)
    problems: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else float("nan")


def extraction_alone(pages: Sequence[tuple[str, bytes, Sequence[str]]]) -> Alone:
    """Extract every ``(url, body, headings)`` page in turn, in this process."""
    started = time.perf_counter()
    extract_article(pages[0][1], pages[0][0], _HEADERS)
    first = time.perf_counter() - started
    times: list[float] = []
    words: list[float] = []
    problems: list[str] = []
    cpu = time.process_time()
    for url, body, headings in pages:
        before = time.perf_counter()
        result = extract_article(body, url, _HEADERS)
        times.append(time.perf_counter() - before)
        if not isinstance(result, Extracted):
            problems.append(f"{url}: {result}")
            continue
        words.append(result.words)
        missing = [h for h in headings if f"<h2>{h}</h2>" not in result.html]
        clutter = [c for c in CLUTTER if c in result.html]
        if missing or clutter:
            problems.append(f"{url}: headings missing {missing}, clutter kept {clutter}")
    cpu = time.process_time() - cpu  # the checks above included: they are tiny
    return Alone(
        pages=len(pages),
        megabytes=sum(len(body) for _u, body, _h in pages) / 1e6,
        seconds=sum(times),
        cpu=cpu,
        per_page=Spread.of(times),
        words=Spread.of(words),
        first_call=first,
        problems=problems,
    )


# -- through the library ---------------------------------------------------------------


@dataclass
class PagesRun:
    concurrency: int
    pages: int
    seconds: float
    ok: int
    stored: int  # rows with status 'ok' in the articles table afterwards
    main_cpu: float
    workers_cpu: float
    server_cpu: float
    others_busy: float  # CPUs kept busy by other programs meanwhile
    warm_up: float  # pool start and the first few pages, untimed above
    workers: int
    problems: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else float("nan")


def _cpu(pids: Sequence[int]) -> float:
    return sum(proctree.read_cpu(pid) or 0.0 for pid in pids)


def fetch_pages_run(
    template: Path,
    copy: Path,
    warm_ids: Sequence[int],
    ids: Sequence[int],
    concurrency: int | None,
    server: FeedServer,
) -> PagesRun:
    """One timed ``fetch_pages`` over ``ids`` on a fresh copy of ``template``."""
    copy_library(template, copy)
    settings = Settings()
    chosen = concurrency or settings.articles.prefetch_concurrency

    async def run(library: Library) -> PagesRun:
        started = time.perf_counter()
        warm = await library.fetch_pages(warm_ids, concurrency=len(warm_ids))
        warm_seconds = time.perf_counter() - started
        problems = [f"warm-up: {o.note}" for o in warm if not o.ok][:3]
        server_pid = server.proc.pid if server.proc is not None else None
        workers = [pid for pid in proctree.descendants(os.getpid()) if pid != server_pid]
        proctree.settle(limit=3.0)
        busy, server_cpu = proctree.machine_busy(), server.cpu_seconds()
        main_cpu, workers_cpu = time.process_time(), _cpu(workers)
        started = time.perf_counter()
        outcomes = await library.fetch_pages(ids, concurrency=concurrency)
        seconds = time.perf_counter() - started
        main_cpu = time.process_time() - main_cpu
        workers_cpu = _cpu(workers) - workers_cpu
        server_cpu = server.cpu_seconds() - server_cpu
        busy = proctree.machine_busy() - busy
        problems += [f"story {o.story_id}: {o.note}" for o in outcomes if not o.ok][:3]
        return PagesRun(
            concurrency=chosen,
            pages=len(ids),
            seconds=seconds,
            ok=sum(o.ok and not o.skipped for o in outcomes),
            stored=0,
            main_cpu=main_cpu,
            workers_cpu=workers_cpu,
            server_cpu=server_cpu,
            others_busy=max(0.0, busy - main_cpu - workers_cpu - server_cpu) / seconds,
            warm_up=warm_seconds,
            workers=len(workers),
            problems=problems,
        )

    with Library(copy, settings) as library:
        result = asyncio.run(run(library))
    try:
        result.stored = count_rows(copy, "SELECT count(*) FROM articles WHERE status = 'ok'")
    except sqlite3.Error as error:
        result.problems.append(f"counting stored pages: {error}")
    result.stored -= len(warm_ids)
    return result
