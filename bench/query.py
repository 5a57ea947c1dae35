"""Query benchmark: searches, views and rules over a 100k-story library.

    python -m bench.query [--stories 100000] [--feeds 300] [--repeat 30] [--library PATH]
        [--only queries,views,rules,ingest] [--clock wall|cpu] [--json]

(from the project root, with the virtualenv's Python). Options: ``--help``; what it
measures and its targets: ``bench/README.md``.

Not a test: it prints figures against targets and exits 1 when one is missed. It

1. builds a library of ``--stories`` news stories in ``--feeds`` feeds
   (``harness/news.py``: a Zipf vocabulary, topics, authors, sites, duplicates, read marks,
   bookmarks, tones) in a temporary folder, or uses ``--library PATH`` (built there and
   kept if missing);
2. runs each of :data:`QUERIES` through ``Library.find`` and ``Library.search`` (50 rows),
   one untimed warm-up each, then ``--repeat`` rounds over all of them: p50/p95 per query
   and over every run;
3. times ``Library.story_index`` with the five :data:`VIEWS` and without, interleaved, and
   what the views add to it at start (their groups without their counts, which the list
   reads after its first frame), each view's first window (what opening it reads) and
   each view's counts (the worker's part after the first frame, one after another in one
   read, ``tui.core.store.stories``), per view and summed;
4. on a copy, applies the 20 :data:`RULES` with ``Library.apply_rules`` (wall clock, CPU,
   its report), again with one rule changed, and once more (the first rules back) while
   another thread reads list rows every 20 ms through the same library, as the app's list
   does while it applies rules in the background;
5. stores ``--ingest-items`` new stories in each of ``--ingest-feeds`` feeds with
   ``Library.ingest`` (one transaction a feed, as a refresh does) into two copies, one
   holding the rules and one without, feed by feed in turn: what the rules add to a feed's
   transaction;
6. prints measure / value / target / verdict with the machine's load, or JSON (``--json``).

``--only`` runs some of parts 2-5 (``--only queries``: the searches alone, a minute at a
million stories); ``--clock cpu`` times the queries and views in this process's CPU time
instead of wall clock, for a machine whose cores are shared.

Everything runs in this process on files in the temporary folder, removed unless
``--keep``. About 4 minutes at the defaults on a 2-core machine (a minute of it building the
library; ``--library`` keeps one for later runs).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bench.harness import proctree
from bench.harness.library import copy_library, count_rows
from bench.harness.news import (
    FeedPlan,
    build_news_library,
    feed_plans,
    feed_url,
    fresh_entries,
)
from bench.harness.report.table import (
    Row,
    Spread,
    below,
    failed,
    info,
    load_text,
    print_table,
    run_context,
    strict_json,
    verdict,
)
from bench.harness.workspace import log, positive, stop_on_sigterm, workdir
from tui.core.library import Library
from tui.core.models import ParsedFeed
from tui.core.settings import Rule, View
from tui.core.store import stories as story_queries
from tui.core.store.query import compile_query
from tui.core.text.dates import utcnow

#: The issue's targets, on a 2-core machine.
QUERY_MS = 50.0  # p95 of a query or a view over 100k stories
RULES_S = 5.0  # applying 20 rules to a 100k library

#: Typical queries (what they show, the query), for the feeds and words of harness/news.py.
QUERIES: tuple[tuple[str, str], ...] = (
    ("a word", "climate"),
    ("a rare word", "sponsored"),
    ("a broad word, in a third of the stories", "report"),
    ("two words", "rust async"),
    ("a phrase", '"machine learning"'),
    ("a prefix", "neur*"),
    ("a title word", "title:vaccine"),
    ("a feed", 'feed:"kernel weekly"'),
    ("a topic", "topic:science"),
    ("a site", "site:kernelweekly.example"),
    ("an author", "author:moreno"),
    ("unread", "is:unread"),
    ("bookmarked", "is:bookmarked"),
    ("a tone", "tone:negative"),
    ("the last week", "age:<7d"),
    ("a word, unread, this week", "election is:unread age:<1w"),
    ("unread in a feed, negated", '-is:read feed:"orbit daily"'),
    ("OR, a topic, a negated tone", "(breach OR ransomware) topic:security -tone:negative"),
)
#: The views the list shows above the topics.
VIEWS: tuple[View, ...] = (
    View("Unread AI news, last week", '("machine learning" OR ai) is:unread age:<1w'),
    View("Climate, unread", "topic:climate is:unread"),
    View("Security alerts", "title:breach OR title:vulnerability OR title:ransomware"),
    View("Kernel Weekly, unread", 'feed:"kernel weekly" -is:read'),
    View("Bad news today", "tone:negative age:<1d"),
)
#: Twenty rules as a heavy reader writes them: mutes, marks, colours and topics, on words,
#: phrases and filters.
RULES: tuple[Rule, ...] = (
    Rule("title:sponsored", "hide"),
    Rule('feed:"gadget daily" title:deal', "hide"),
    Rule("tone:negative topic:sports", "hide"),
    Rule('author:"press office"', "hide"),
    Rule('"box office"', "hide"),
    Rule('-is:bookmarked age:>10m feed:"stage daily"', "hide"),
    Rule("age:>6m is:unread", "read"),
    Rule("topic:economy tone:neutral", "read"),
    Rule('"press release"', "read"),
    Rule('feed:"market daily"', "read"),
    Rule('title:"climate change"', "bookmark"),
    Rule("author:okafor topic:science", "bookmark"),
    Rule("title:breach OR title:vulnerability OR title:ransomware", "highlight", "red"),
    Rule("telescope OR nebula", "highlight", "green"),
    Rule("site:kernelweekly.example", "highlight", "yellow"),
    Rule('"machine learning" is:unread', "highlight", "blue"),
    Rule('author:"ada moreno"', "highlight", "magenta"),
    Rule('"machine learning" OR "neural network" OR "large language model"', "topic", "AI"),
    Rule("rust compiler", "topic", "Rust"),
    Rule('feed:"lunar weekly"', "topic", "Space"),
)
#: The second apply: one rule changed (a colour rule gains a word).
CHANGED = (13, Rule("telescope OR nebula OR comet", "highlight", "green"))
#: How often the list's reader asks for rows while rules apply, and how many rows.
PROBE_EVERY_S = 0.02
PROBE_ROWS = 50
_BUILT_KEY = "bench_query_library"  # app_state: what the library was built with

T = TypeVar("T")


# -- measuring ------------------------------------------------------------------------------


#: The clock queries and views are timed with (``--clock``).
_clock: Callable[[], float] = time.perf_counter


def _timed(call: Callable[[], object]) -> float:
    started = _clock()
    call()
    return _clock() - started


@dataclass
class Plan:
    """A statement newsterm ran, how long it took run again alone, and its query plan."""

    what: str
    seconds: float
    sql: str
    plan: list[str]


def _selects(conn: sqlite3.Connection, call: Callable[[], T]) -> tuple[T, list[str]]:
    """What ``call`` returns, and the SELECTs it ran on ``conn`` with their parameters
    filled in (as SQLite expands them)."""
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        result = call()
    finally:
        conn.set_trace_callback(None)
    return result, [sql for sql in seen if sql.lstrip()[:6].upper() == "SELECT"]


def explain(conn: sqlite3.Connection, what: str, sql: str, runs: int = 3) -> Plan:
    depth = {0: -1}
    lines = []
    for node, parent, _unused, detail in conn.execute(f"EXPLAIN QUERY PLAN {sql}"):
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + str(detail))
    seconds = min(_timed(lambda: conn.execute(sql).fetchall()) for _ in range(runs))
    return Plan(what, seconds, sql, lines)


def _connection(library: Library, searcher: bool = False) -> sqlite3.Connection:
    # The library's own connections (the searcher has one of its own), to see the
    # statements it runs: what a plan is explained on must be what the library ran.
    db = library._searcher._db if searcher else library._db
    assert db is not None
    return db._conn


def plans_of(
    library: Library, what: str, call: Callable[[], object], searcher: bool = False
) -> list[Plan]:
    conn = _connection(library, searcher)
    return [explain(conn, what, sql) for sql in _selects(conn, call)[1]]


def missed_plans(
    library: Library, queries: Sequence[QueryTimes], views: ViewTimes | None
) -> list[Plan]:
    """The plans of the queries and views (if run) whose p95 missed the target."""
    plans: list[Plan] = []
    limit = QUERY_MS / 1e3
    for r in queries:
        if _p95(r.find) >= limit:
            plans += plans_of(library, f"find {r.query}", partial(library.find, r.query))
        if _p95(r.search) >= limit:
            search = partial(library.search, r.query)
            plans += plans_of(library, f"search {r.query}", search, searcher=True)
    if views is None:
        return plans
    for view, times in zip(VIEWS, views.windows, strict=True):
        if _p95(times) >= limit:
            slug = story_queries.view_slug(view.name)
            read = partial(library.story_window, slug, 0, WINDOW, count=WINDOW, views=VIEWS)
            plans += plans_of(library, f"view {view.query}, first window", read)
    return plans


@dataclass
class QueryTimes:
    label: str
    query: str
    matches: int = 0
    find: list[float] = field(default_factory=list)
    search: list[float] = field(default_factory=list)
    find_rows: int = 0
    search_rows: int = 0


def run_queries(library: Library, repeat: int) -> list[QueryTimes]:
    results = [QueryTimes(label, query) for label, query in QUERIES]
    for result in results:
        result.matches = library.count(result.query)
        result.find_rows = len(library.find(result.query, limit=50))  # warm-up
        result.search_rows = len(library.search(result.query, limit=50))
    proctree.settle()
    for _ in range(repeat):  # rounds over every query: noise spreads over all of them
        for result in results:
            result.find.append(_timed(partial(library.find, result.query, limit=50)))
            result.search.append(_timed(partial(library.search, result.query, limit=50)))
    return results


#: Stories in a window of the list (as tui.ui.widgets.story_list.model.WINDOW).
WINDOW = 200


@dataclass
class ViewTimes:
    with_views: list[float] = field(default_factory=list)  # the index, views not counted
    counted: list[float] = field(default_factory=list)  # the index, views counted
    without: list[float] = field(default_factory=list)
    each: list[list[float]] = field(default_factory=list)  # per view, its count's times
    windows: list[list[float]] = field(default_factory=list)  # per view, its first window
    parts: list[float] = field(default_factory=list)  # all views' counts, per build
    counts: list[tuple[str, int, int]] = field(default_factory=list)  # name, stories, unread
    problems: list[str] = field(default_factory=list)


def _views_part(conn: sqlite3.Connection, views: Sequence[story_queries.ViewQuery]) -> list[float]:
    """The views' counts as the list's worker reads them after the first frame (one
    read, one after another); the seconds each took."""
    seconds = []
    for view in views:
        started = _clock()
        story_queries.view_counts(conn, story_queries.StoryFilter(), [view])
        seconds.append(_clock() - started)
    return seconds


def run_views(library: Library, repeat: int) -> ViewTimes:
    result = ViewTimes(each=[[] for _ in VIEWS], windows=[[] for _ in VIEWS])
    index = library.story_index(views=VIEWS)  # warm-up
    library.story_index(views=VIEWS, count_views=False)
    library.story_index()
    for group in index.groups:
        if group.view:
            result.counts.append((group.topic.name, group.count, group.unread))
            if "(" in group.topic.name:
                result.problems.append(group.topic.name)
    now = utcnow()
    compiled = [story_queries.ViewQuery(v.name, compile_query(v.query, now=now)) for v in VIEWS]
    uncounted = partial(library.story_index, views=VIEWS, count_views=False)
    proctree.settle()
    for round_ in range(repeat):
        # Alternated, so that neither order always comes first after the other.
        if round_ % 2:
            result.without.append(_timed(library.story_index))
            result.with_views.append(_timed(uncounted))
        else:
            result.with_views.append(_timed(uncounted))
            result.without.append(_timed(library.story_index))
        result.counted.append(_timed(lambda: library.story_index(views=VIEWS)))
        for view, times in zip(VIEWS, result.windows, strict=True):
            slug = story_queries.view_slug(view.name)
            first = partial(library.story_window, slug, 0, WINDOW, count=WINDOW, views=VIEWS)
            times.append(_timed(first))
        seconds = library._db.read(_views_part, compiled)
        for times, taken in zip(result.each, seconds, strict=True):
            times.append(taken)
        result.parts.append(sum(seconds))
    return result


@dataclass
class Apply:
    wall: float
    cpu: float
    report_seconds: float
    matched: tuple[int, ...]
    hidden: int
    read: int
    bookmarked: int
    progress_calls: int
    hidden_after: int  # stories with hidden = 1 in the library afterwards
    probes: list[float] = field(default_factory=list)  # list reads during it, seconds


def _apply(library: Library, db: Path, rules: Sequence[Rule], probe: bool) -> Apply:
    calls = [0]

    def progress(_done: int, _of: int) -> None:
        calls[0] += 1

    probes: list[float] = []
    stop = threading.Event()
    some = [row.id for row in library.story_rows(limit=PROBE_ROWS)]

    def reader() -> None:
        while not stop.wait(PROBE_EVERY_S):  # ends when the apply does
            probes.append(_timed(lambda: library.rows_for(some)))

    thread = threading.Thread(target=reader, daemon=True)
    proctree.settle()
    cpu, wall = time.process_time(), time.perf_counter()
    if probe:
        thread.start()
    try:
        report = library.apply_rules(rules, progress=progress)
    finally:
        stop.set()
        if probe:
            thread.join(timeout=30)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    return Apply(
        wall=wall,
        cpu=cpu,
        report_seconds=report.seconds,
        matched=report.matched,
        hidden=report.hidden,
        read=report.read,
        bookmarked=report.bookmarked,
        progress_calls=calls[0],
        hidden_after=count_rows(db, "SELECT count(*) FROM stories WHERE hidden = 1"),
        probes=probes,
    )


def changed_rules() -> list[Rule]:
    number, rule = CHANGED
    rules = list(RULES)
    rules[number - 1] = rule
    return rules


@dataclass
class Ingest:
    feeds: int
    items: int
    plain: list[float] = field(default_factory=list)  # seconds per feed transaction
    ruled: list[float] = field(default_factory=list)
    new_plain: int = 0
    new_ruled: int = 0
    effects: dict[str, int] = field(default_factory=dict)  # on the new stories, with rules
    slowest: list[Plan] = field(default_factory=list)  # of one feed's, with the rules


def run_ingest(
    plain_db: Path, ruled_db: Path, plans: Sequence[FeedPlan], items: int, seed: int
) -> Ingest:
    now = datetime.now(UTC).replace(microsecond=0)
    chosen = list(plans)
    started = time.perf_counter()
    entries = fresh_entries(chosen, items, seed, now)
    log(f"ingest: {len(chosen)} x {items} new entries written in "
        f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    result = Ingest(len(chosen), items)
    first_new = count_rows(ruled_db, "SELECT coalesce(max(id), 0) FROM stories")
    traced: list[str] = []
    with Library(plain_db) as plain, Library(ruled_db) as ruled:
        ids = {
            name: {feed.url: feed.id for feed in lib.feeds()}
            for name, lib in (("plain", plain), ("ruled", ruled))
        }
        proctree.settle()
        for n, plan in enumerate(chosen):
            parsed = ParsedFeed(title=plan.title, entries=tuple(entries[plan.number]))
            # In turn, one feed at a time: both see the same machine.
            order = [("plain", plain), ("ruled", ruled)]
            for name, lib in order if n % 2 else reversed(order):
                call = partial(lib.ingest, ids[name][feed_url(plan)], parsed, now=now)
                started = time.perf_counter()
                if name == "ruled" and n == len(chosen) - 1:
                    # The last feed's statements, to find the slow ones (tracing them costs
                    # microseconds).
                    new, traced = _selects(_connection(lib), call)
                else:
                    new = call()
                taken = time.perf_counter() - started
                if name == "plain":
                    result.plain.append(taken)
                    result.new_plain += new
                else:
                    result.ruled.append(taken)
                    result.new_ruled += new
        conn = _connection(ruled)
        timed = [explain(conn, "ingest, rules held", sql) for sql in traced]
        result.slowest = sorted(timed, key=lambda p: p.seconds, reverse=True)[:3]
    for effect, sql in (
        ("hidden", "hidden = 1"),
        ("read", "read = 1"),
        ("bookmarked", "bookmarked = 1"),
        ("highlighted", "highlight IS NOT NULL"),
        ("filed under a rule's topic", "rule_topic_slug IS NOT NULL"),
    ):
        result.effects[effect] = count_rows(
            ruled_db, f"SELECT count(*) FROM stories WHERE id > {first_new} AND {sql}"
        )
    return result


# -- the report -----------------------------------------------------------------------------


def _ms(values: Sequence[float]) -> str:
    spread = Spread.of(list(values))
    return f"p50 {spread.p50 * 1e3:.1f} / p95 {spread.p95 * 1e3:.1f} ms"


def _p95(values: Sequence[float]) -> float:
    return Spread.of(list(values)).p95


def query_rows(results: Sequence[QueryTimes]) -> list[Row]:
    rows = []
    for r in results:
        worst = max(_p95(r.find), _p95(r.search))
        value = f"find {_ms(r.find)}; search {_ms(r.search)}; {r.matches:,} match ({r.label})"
        rows.append(below(f"query {r.query}", worst * 1e3, QUERY_MS, "ms", value))
    for name in ("find", "search"):
        every = [t for r in results for t in getattr(r, name)]
        spread = Spread.of(every)
        rows.append(
            below(
                f"every query, Library.{name}, p95",
                spread.p95 * 1e3,
                QUERY_MS,
                "ms",
                f"{spread.ms()}, {spread.count} runs",
            )
        )
    return rows


def view_rows(result: ViewTimes) -> list[Row]:
    with_views = Spread.of(result.with_views)
    without = Spread.of(result.without)
    added = [(w - o) * 1e3 for w, o in zip(result.with_views, result.without, strict=True)]
    rows = [
        below(
            f"{len(VIEWS)} views at start (what they add to the list's index), p95",
            max(0.0, Spread.of(added).p95),
            QUERY_MS,
            "ms",
            f"{with_views.p50 * 1e3:.1f} ms with, {without.p50 * 1e3:.1f} ms without (medians);"
            " their counts come after the first frame",
        )
    ]
    for view, times, counts, (name, count, unread) in zip(
        VIEWS, result.windows, result.each, result.counts, strict=True
    ):
        rows.append(
            below(
                f"view {view.query}, first window",
                _p95(times) * 1e3,
                QUERY_MS,
                "ms",
                f"{_ms(times)}; counts {_ms(counts)}; {count:,} stories, {unread:,} unread"
                f" ({name})",
            )
        )
    part = Spread.of(result.parts)
    rows.append(
        info(
            f"  the {len(VIEWS)} views' counts, after the first frame",
            f"{part.ms()} (one after another, in the list's worker)",
        )
    )
    counted = Spread.of(result.counted)
    rows.append(info(f"  story_index(views=[{len(VIEWS)} views]), counted", counted.ms()))
    rows.append(info(f"  story_index(views=[{len(VIEWS)} views]), at start", with_views.ms()))
    rows.append(info("  story_index() without views", without.ms()))
    if result.problems:
        rows.append(Row("  every view's query read", ", ".join(result.problems), "all", "FAIL"))
    return rows


def _probe_text(probes: Sequence[float]) -> str:
    if not probes:
        return "no read while it ran"
    spread = Spread.of(list(probes))
    return f"{spread.ms()}, {spread.count} reads of {PROBE_ROWS} rows"


def rules_rows(applies: Sequence[Apply], stories: int) -> list[Row]:
    first, again, back = applies
    rows = [
        below(
            f"apply {len(RULES)} rules to {stories:,} stories, wall",
            first.wall,
            RULES_S,
            "s",
            f"{first.wall:.2f} s (CPU {first.cpu:.2f} s; the report says "
            f"{first.report_seconds:.2f} s)",
        ),
        info("  matches per rule", ", ".join(f"{n:,}" for n in first.matched)),
        info(
            "  hidden / marked read / bookmarked",
            f"{first.hidden:,} / {first.read:,} / {first.bookmarked:,}; "
            f"{first.progress_calls} progress calls",
        ),
        Row(
            "  stories hidden afterwards = the report's count",
            f"{first.hidden_after:,} = {first.hidden:,}",
            "equal",
            verdict(first.hidden_after == first.hidden),
        ),
        below(
            "apply again, one rule changed, wall",
            again.wall,
            RULES_S,
            "s",
            f"{again.wall:.2f} s (CPU {again.cpu:.2f} s); rule {CHANGED[0]} now matches "
            f"{again.matched[CHANGED[0] - 1]:,}; {again.read:,} marked read, "
            f"{again.bookmarked:,} bookmarked",
        ),
        info(
            "apply the first rules back, with the list reading",
            f"{back.wall:.2f} s (CPU {back.cpu:.2f} s)",
        ),
        info(
            f"  list rows read during it (every {PROBE_EVERY_S * 1e3:.0f} ms, same library)",
            _probe_text(back.probes),
        ),
    ]
    return rows


def ingest_rows(result: Ingest) -> list[Row]:
    size = f"{result.feeds} feeds x {result.items} new"
    plain, ruled = Spread.of(result.plain), Spread.of(result.ruled)
    extra = [r - p for p, r in zip(result.plain, result.ruled, strict=True)]
    extra_spread = Spread.of(extra)
    share = (ruled.p50 / plain.p50 - 1) * 100 if plain.p50 else float("nan")
    return [
        info(
            f"ingest {size}, no rules: per feed transaction",
            f"{plain.ms()}; {sum(result.plain):.2f} s in all, {result.new_plain:,} stored",
        ),
        info(
            f"ingest {size}, {len(RULES)} rules held",
            f"{ruled.ms()}; {sum(result.ruled):.2f} s in all, {result.new_ruled:,} stored",
        ),
        info(
            "  what the rules add to a feed's transaction",
            f"p50 {extra_spread.p50 * 1e3:+.1f} / p95 {extra_spread.p95 * 1e3:+.1f} ms "
            f"({share:+.0f} % at the median); {sum(extra):+.2f} s over the refresh",
        ),
        info(
            "  the rules at ingest, on the new stories",
            ", ".join(f"{n:,} {effect}" for effect, n in result.effects.items()),
        ),
    ]


def _shown(sql: str) -> str:
    """A statement on one line, its column list and long id lists cut short."""
    text = " ".join(sql.split())
    if text.upper().startswith("SELECT ") and " FROM " in text:
        text = "SELECT … " + text[text.index(" FROM ") + 1 :]
    return re.sub(r"'\[[0-9, ]{40,}\]'", "'[…ids]'", text)


def print_plans(missed: Sequence[Plan], ingest: Ingest | None) -> None:
    groups = [("query plans of what missed its target (each statement run again alone)", missed)]
    if ingest is not None:
        groups.append(
            ("the slowest statements of one feed's ingest with the rules held", ingest.slowest)
        )
    for title, plans in groups:
        if not plans:
            continue
        print(f"\n{title}:")
        for plan in plans:
            print(f"\n{plan.what}: {plan.seconds * 1e3:.1f} ms\n  {_shown(plan.sql)}")
            print("\n".join(f"    {line}" for line in plan.plan))


# -- main -----------------------------------------------------------------------------------


PARTS = ("queries", "views", "rules", "ingest")


def _parts(text: str) -> tuple[str, ...]:
    parts = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [part for part in parts if part not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"parts are {', '.join(PARTS)}; not {text!r}")
    return parts


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.query",
        description="newsterm query, view and rule benchmark (see bench/README.md)",
    )
    p.add_argument("--stories", type=positive, default=100_000, help="stories (100000)")
    p.add_argument("--feeds", type=positive, default=300, help="feeds they are in (300)")
    p.add_argument("--seed", type=int, default=7, help="seed for the library's content (7)")
    p.add_argument("--library", type=Path, help="library to use; built (and kept) there if missing")
    p.add_argument("--repeat", type=positive, default=30, help="timed runs of each (30)")
    p.add_argument(
        "--ingest-feeds", type=positive, default=300, help="feeds given new stories (300)"
    )
    p.add_argument("--ingest-items", type=positive, default=50, help="new stories each (50)")
    p.add_argument("--skip-ingest", action="store_true", help="no ingest measurement")
    p.add_argument(
        "--only",
        type=_parts,
        default=PARTS,
        help=f"the parts to run, comma-separated ({','.join(PARTS)})",
    )
    p.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="time queries and views by wall clock or by this process's CPU time (wall)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return p.parse_args(argv)


def _library(args: argparse.Namespace, work: Path) -> tuple[Path, dict[str, Any]]:
    """The library to measure, built if missing; what was built and how long it took."""
    db = args.library or work / "library.db"
    wanted = {"stories": args.stories, "feeds": args.feeds, "seed": args.seed}
    built: dict[str, Any] = {}
    if not db.exists():
        log(f"building {args.stories:,} stories in {args.feeds} feeds in {db} ...")
        seconds = build_news_library(db, args.stories, args.feeds, args.seed)
        with Library(db) as library:
            library.set_state(_BUILT_KEY, json.dumps(wanted))
        built = {"seconds": seconds}
        log(f"built in {seconds:.1f} s")
    else:
        with Library(db) as library:
            found = library.get_state(_BUILT_KEY)
        if found is None or json.loads(found) != wanted:
            raise SystemExit(
                f"{db} was not built by this benchmark with --stories {args.stories} "
                f"--feeds {args.feeds} --seed {args.seed} (it holds {found}); give another "
                "--library path, or those options"
            )
    built["megabytes"] = (
        sum(
            Path(f"{db}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{db}{suffix}").exists()
        )
        / 1e6
    )
    return db, built


def main(argv: Sequence[str] | None = None) -> int:
    global _clock
    args = parse_args(argv)
    _clock = time.process_time if args.clock == "cpu" else time.perf_counter
    stop_on_sigterm()
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    with workdir(args.keep, "newsterm-query-") as work:
        db, built = _library(args, work)
        stories = count_rows(db, "SELECT count(*) FROM stories WHERE dup_of IS NULL")
        results["library"] = {**built, "stories": stories}
        busy_before, wall_before = proctree.machine_busy(), time.perf_counter()
        with Library(db) as library:
            if "queries" in args.only:
                started = time.perf_counter()
                results["queries"] = run_queries(library, args.repeat)
                log(f"queries: {time.perf_counter() - started:.1f} s")
            if "views" in args.only:
                started = time.perf_counter()
                results["views"] = run_views(library, args.repeat)
                log(f"views: {time.perf_counter() - started:.1f} s")
            results["plans"] = missed_plans(
                library, results.get("queries", []), results.get("views")
            )
        applies = []
        if "rules" in args.only or "ingest" in args.only:
            # The ingest measures what the rules add, so it needs the copy they applied to.
            ruled_db = copy_library(db, work / "rules.db")
            with Library(ruled_db) as library:
                for name, rules, probe in (
                    ("first", RULES, False),
                    ("one rule changed", changed_rules(), False),
                    ("the first rules back, the list reading", RULES, True),
                ):
                    applies.append(_apply(library, ruled_db, rules, probe))
                    log(f"apply ({name}): {applies[-1].wall:.2f} s, CPU {applies[-1].cpu:.2f} s")
            results["rules"] = applies
        if "ingest" in args.only and not args.skip_ingest:
            plain_db = copy_library(db, work / "plain.db")
            plans = feed_plans(args.stories, args.feeds, args.seed)[: args.ingest_feeds]
            results["ingest"] = run_ingest(plain_db, ruled_db, plans, args.ingest_items, args.seed)
        busy = (proctree.machine_busy() - busy_before) / (time.perf_counter() - wall_before)
    load_after = os.getloadavg()
    rows = query_rows(results["queries"]) if "queries" in results else []
    if "views" in results:
        rows += view_rows(results["views"])
    if applies:
        rows += rules_rows(applies, stories)
    if "ingest" in results:
        rows += ingest_rows(results["ingest"])
    library_text = f"{stories:,} stories listed in {args.feeds} feeds"
    if "seconds" in built:
        library_text += f" (built in {built['seconds']:.0f} s"
    else:
        library_text += f" ({db}"
    library_text += f", {built['megabytes']:.0f} MB)"
    clock = "CPU time" if args.clock == "cpu" else "wall clock"
    header = (
        f"newsterm query benchmark: {library_text}; {args.repeat} timed runs of each after "
        f"one warm-up ({clock}), in this process; {os.cpu_count()} CPUs, load average "
        f"{load_text(load_before)} before and {load_text(load_after)} after (1/5/15 min), "
        f"{busy:.2f} CPUs busy on average while it ran"
    )
    code = 1 if failed(rows) else 0
    if args.json:
        print(
            strict_json(
                {
                    **run_context(args, load_before, load_after, busy),
                    **results,
                    "rows": rows,
                }
            )
        )
        return code
    print_table(rows, header)
    print_plans(results["plans"], results.get("ingest"))
    return code


if __name__ == "__main__":
    sys.exit(main())
