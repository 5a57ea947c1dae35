"""Reader-mode benchmark: extraction throughput, pages through the library, and Enter →
full article on screen in the real app.

    /work/venv/bin/python bench/extract.py [--pages 200] [--stories 300] [--opens 10]
        [--concurrency 8] [--repeat 2] [--skip-ui] [--profile FILE] [--json]

Not a test: it prints figures against targets and exits 1 when one is missed. It

1. extracts ``--pages`` varied ~60 KB news pages (``extract_site.py``, built with
   ``tests/pages.py``) with :func:`tui.core.pages.extract.extract_article` in this process, one
   after the other (one core), and checks each result kept every section heading and none
   of the page's clutter: articles per second;
2. serves ``--stories`` stories in ``--feeds`` feeds, each story one sentence in its feed
   and a full page on one of ``--hosts`` loopback addresses, from ``loopback_server.py``
   in its own process; refreshes a library from them (untimed), then times
   :meth:`tui.core.library.Library.fetch_pages` over every story on a fresh copy: fetch,
   extraction in the worker pool, judging and storing. At ``[articles]
   prefetch_concurrency``'s default and at ``--concurrency``, ``--repeat`` times each
   (interleaved), after an untimed warm-up that starts the pool (its time is shown);
3. launches ``newsterm`` in a real pty (``extract_pty.py``, via the start-up benchmark's
   launcher) on a library of stories never fetched, with ``[articles] prefetch = false``,
   waits as a user would once the list is painted, then opens ``--opens`` stories one at a
   time with Enter and times, from the key press, the first frame showing the story (its
   feed text) and the first frame showing its full article (a heading only the page has);
4. prints measure / value / target / verdict with the machine's load, or JSON (``--json``).

``--profile FILE`` adds one more launch under ``py-spy record`` (the app and its worker
processes; collapsed stacks in FILE) that opens a few stories: where Enter's time goes.
``--pythonpath DIR`` puts DIR first on the app's ``PYTHONPATH`` (a changed copy of ``tui``,
for A/B comparisons of step 3; steps 1 and 2 run the ``tui`` this interpreter imports).

Everything runs on 127.0.0.x; the server and the app run in sessions of their own and are
ended on every way out (SIGTERM included); every wait has a deadline; the temporary folder
is removed unless ``--keep``. About 30 s in all on a 2-core machine.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import proctree
from bench_common import strict_json, workdir
from extract_pty import Open, launcher, open_stories
from extract_site import Site, corpus, write_site
from extract_throughput import (
    Alone,
    PagesRun,
    build_template,
    extraction_alone,
    fetch_pages_run,
    fresh_copy,
)
from refresh_harness import FeedServer, addresses, log
from startup import _load, _sigterm, _size  # its small helpers: one copy
from startup_keys import Spread
from startup_pty import SessionError
from startup_report import Row, check, info, print_table

#: Extraction alone, one core: a 60 KB page in under 10 ms, a small part of Enter's budget.
ALONE_PER_S = 100.0
#: Through the library on loopback, at the default concurrency (two pages at a time):
#: fetching, storing and the pool cost less than a second worker gives back, so pages come
#: at least as fast as extraction alone on one core. On a real network latency adds to it.
PAGES_PER_S = 100.0
#: Enter → the full article painted, for a page never fetched (loopback server).
ENTER_MS = 300.0


def at_least(measure: str, number: float, limit: float, unit: str, value: str) -> Row:
    ok = math.isfinite(number) and number >= limit
    return Row(measure, value, f">= {limit:g} {unit}", "PASS" if ok else "FAIL", number)


def _plan(args: argparse.Namespace) -> dict[str, tuple[int, bool]]:
    """Feeds: name → (stories, compact pages)."""
    per_feed, extra = divmod(args.stories, args.feeds)
    plan = {f"bulk{i}": (per_feed + (i < extra), False) for i in range(args.feeds)}
    plan["warm"] = (8, False)
    plan["reader-a"] = ((args.opens + 1) // 2, True)
    plan["reader-b"] = (args.opens // 2, True)
    return plan


def _serve(work: Path, args: argparse.Namespace) -> tuple[FeedServer, Site]:
    """Start the server (its port is in the stories' links), then serve the site."""
    hosts = addresses(args.hosts)
    server = FeedServer(sorted({"127.0.0.1", *hosts}), work / "server.log")
    stub = work / "stub"
    stub.mkdir()
    (stub / "manifest.json").write_text("{}", encoding="utf-8")
    server.ensure(stub, "validators", False)
    started = time.perf_counter()
    site = write_site(work / "site", _plan(args), hosts, server.port, args.seed)
    server.ensure(site.folder, "validators", False)  # restarts on the same port
    log(
        f"{sum(len(f.stories) for f in site.feeds.values())} pages "
        f"({site.page_bytes / 1e6:.1f} MB) in {len(site.feeds)} feeds written and served "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return server, site


def _through_library(
    work: Path, args: argparse.Namespace, server: FeedServer, site: Site
) -> list[PagesRun]:
    bulk = [name for name in site.feeds if name.startswith("bulk")]
    urls = {name: site.url("127.0.0.1", server.port, name) for name in [*bulk, "warm"]}
    template = work / "pages-template.db"
    ids = build_template(template, list(urls.values()))
    story_ids = [i for name in bulk for i in ids[urls[name]]]
    warm_ids = ids[urls["warm"]]
    runs = []
    for repeat in range(args.repeat):
        for concurrency in (None, args.concurrency):
            run = fetch_pages_run(
                template, work / "pages.db", warm_ids, story_ids, concurrency, server
            )
            runs.append(run)
            log(
                f"fetch_pages #{repeat + 1}, concurrency {run.concurrency}: {run.pages} pages "
                f"in {run.seconds:.2f} s ({run.per_second:.0f}/s), {run.ok} ok, "
                f"{run.stored} stored; CPU main {run.main_cpu:.2f} s, workers "
                f"{run.workers_cpu:.2f} s, server {run.server_cpu:.2f} s; warm-up "
                f"{run.warm_up:.2f} s {'; '.join(run.problems)}"
            )
    return runs


def _in_the_app(
    work: Path, args: argparse.Namespace, server: FeedServer, site: Site
) -> dict[str, Any]:
    names = ["reader-a", "reader-b"]
    urls = [site.url("127.0.0.1", server.port, name) for name in names]
    template = work / "ui-template.db"
    build_template(template, urls)
    stories = {s.title: s for name in names for s in site.feeds[name].stories}
    db = work / "ui.db"
    fresh_copy(template, db)
    app = launcher(work, args.size, args.timeout, args.pythonpath)

    def served() -> int:
        return server.stats()["ok"]

    result: dict[str, Any] = {"launch": math.nan, "helpers": [], "opens": [], "problem": ""}
    try:
        launched, helpers, opens = open_stories(app, db, stories, args.opens, args.timeout, served)
    except SessionError as error:  # the app did not start, or its list never came
        result["problem"] = str(error)
        log(f"the app: {error}")
        return result
    result.update(launch=launched, helpers=helpers, opens=opens)
    for number, o in enumerate(opens, 1):
        log(
            f"open {number} (story {o.number}): story at {_ms(o.story)}, note at "
            f"{_ms(o.note)}, full article at {_ms(o.full)}; pages served before Enter "
            f"{o.before}, after {o.after} {o.problem[:300]}"
        )
    if args.profile:
        fresh_copy(template, db)
        try:
            _launched, _helpers, profiled = open_stories(
                app, db, stories, 4, args.timeout, served, profile=args.profile
            )
        except SessionError as error:
            log(f"the profiled launch failed: {error}")
        else:
            log(
                f"profiled launch: full article at {', '.join(_ms(o.full) for o in profiled)}; "
                f"collapsed stacks in {args.profile}"
            )
    return result


def _ms(seconds: float | None) -> str:
    return "not seen" if seconds is None else f"{seconds * 1e3:.0f} ms"


# -- the report ----------------------------------------------------------------------------


def _alone_rows(alone: Alone) -> list[Row]:
    rows = [
        at_least(
            "extraction alone, one core, articles/s",
            alone.per_second,
            ALONE_PER_S,
            "/s",
            f"{alone.per_second:.0f}/s ({alone.pages} pages, {alone.megabytes:.1f} MB, "
            f"{alone.seconds:.2f} s)",
        ),
        info("  per page", alone.per_page.ms()),
        info(
            "  MB/s; CPU / wall",
            f"{alone.megabytes / alone.seconds:.1f} MB/s; {alone.cpu / alone.seconds:.2f}",
        ),
        info(
            "  words per article",
            f"median {alone.words.p50:.0f}, max {alone.words.max:.0f}",
        ),
        info("  first call (imports trafilatura), untimed", f"{alone.first_call * 1e3:.0f} ms"),
    ]
    if alone.problems:
        rows.append(
            Row(
                "  articles extracted whole, without clutter",
                f"{alone.pages - len(alone.problems)} of {alone.pages}: {alone.problems[0][:120]}",
                "all",
                "FAIL",
            )
        )
    return rows


def _pages_rows(runs: Sequence[PagesRun], default: int) -> list[Row]:
    rows: list[Row] = []
    for concurrency in dict.fromkeys(r.concurrency for r in runs):
        some = [r for r in runs if r.concurrency == concurrency]
        rates = [r.per_second for r in some]
        rate = statistics.median(rates)
        seconds = statistics.median(r.seconds for r in some)
        label = f"concurrency {concurrency}" + (" (default)" if concurrency == default else "")
        spread = f", {min(rates):.0f}–{max(rates):.0f}" if len(rates) > 1 else ""
        value = (
            f"{rate:.0f}/s ({some[0].pages} pages in {seconds:.2f} s, "
            f"median of {len(some)}{spread})"
        )
        measure = f"fetch_pages end to end, {label}, pages/s"
        if concurrency == default:
            rows.append(at_least(measure, rate, PAGES_PER_S, "/s", value))
        else:
            rows.append(info(measure, value))
        rows.append(
            info(
                "  CPU s: main / workers / server; other load",
                f"{statistics.median(r.main_cpu for r in some):.2f} / "
                f"{statistics.median(r.workers_cpu for r in some):.2f} / "
                f"{statistics.median(r.server_cpu for r in some):.2f}; "
                f"{max(r.others_busy for r in some):.2f} CPUs (worst run)",
            )
        )
    stored = [r.stored for r in runs]
    pages = runs[0].pages
    problems = [p for r in runs for p in r.problems]
    rows.append(
        Row(
            "pages extracted and stored, every run",
            f"{min(stored)}" + (f": {problems[0][:100]}" if problems else ""),
            f"= {pages}",
            "PASS" if all(s == pages for s in stored) and not problems else "FAIL",
        )
    )
    warm = statistics.median(r.warm_up for r in runs)
    rows.append(
        info(
            "  pool start + first 8 pages (untimed warm-up)",
            f"{warm:.2f} s median ({runs[0].workers} pool processes: workers, forkserver, tracker)",
        )
    )
    return rows


def _app_rows(app: dict[str, Any], wanted: int) -> list[Row]:
    opens: list[Open] = app["opens"]
    full = [o.full for o in opens if o.full is not None]
    spread = Spread.of(full)
    note = f"{spread.count} stories, each fetched on Enter"
    rows = [
        check(
            "Enter → full article on screen, median",
            spread.p50 * 1e3 if full else None,
            ENTER_MS,
            "ms",
            f"{spread.p50 * 1e3:.0f} ms ({note})" if full else "not measured",
        ),
        check(
            "Enter → full article on screen, p95 (nearest rank)",
            spread.p95 * 1e3 if full else None,
            ENTER_MS,
            "ms",
            f"{spread.ms()}" if full else "not measured",
        ),
    ]
    if opens:
        first = opens[0]
        later = Spread.of([o.full for o in opens[1:] if o.full is not None])
        rows.append(
            info(
                "  first open after launch: story / full article",
                f"{_ms(first.story)} / {_ms(first.full)}",
            )
        )
        rows.append(
            info(
                "  the app's child processes before it",
                ", ".join(sorted(app["helpers"])) or "none",
            )
        )
        rows.append(info("  later opens: full article", later.ms()))
    shown = Spread.of([o.story for o in opens if o.story is not None])
    rows.append(info("  Enter → story on screen (feed text, or the page if first)", shown.ms()))
    rest = Spread.of(
        [o.full - o.story for o in opens if o.full is not None and o.story is not None]
    )
    rows.append(info("  story on screen → full article (fetch, extract, show)", rest.ms()))
    notes = [o.note for o in opens if o.note is not None]
    text = f"in {len(notes)} of {len(opens)} opens"
    if any(o.note != o.story for o in opens if o.note is not None):
        text += f": {Spread.of(notes).ms()}"
    elif notes:
        text += ", with the story's feed text"
    if len(notes) < len(opens):
        text += f"; in the other {len(opens) - len(notes)} the page came first"
    rows.append(info("  'Fetching the full article…' painted", text))
    launched = app["launch"]
    rows.append(
        info(
            "  launch → painted list",
            f"{launched:.2f} s" if math.isfinite(launched) else "not painted",
        )
    )
    if app["problem"]:
        rows.append(Row("  the app launched", app["problem"].split("\n")[0][:150], "yes", "FAIL"))
    early = sum(o.before for o in opens)
    once = sum(o.after == 1 for o in opens)
    rows.append(
        Row(
            "  pages fetched before Enter / opens that fetched one",
            f"{early} / {once} of {len(opens)}",
            f"0 / {len(opens)}",
            "PASS" if early == 0 and once == len(opens) else "FAIL",
        )
    )
    failed = [o for o in opens if o.problem]
    if failed or len(full) < wanted:
        problem = failed[0].problem.split("\n")[0][:120] if failed else "too few opens"
        rows.append(
            Row("  stories opened", f"{len(full)} of {wanted}: {problem}", f"= {wanted}", "FAIL")
        )
    return rows


# -- main ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="newsterm reader-mode benchmark (see the module doc)")
    p.add_argument("--pages", type=int, default=200, help="pages extracted alone (200)")
    p.add_argument("--stories", type=int, default=300, help="pages through the library (300)")
    p.add_argument("--feeds", type=int, default=6, help="feeds those stories are in (6)")
    p.add_argument("--hosts", type=int, default=4, help="loopback addresses for pages (4)")
    p.add_argument(
        "--concurrency", type=int, default=8, help="the other fetch_pages concurrency (8)"
    )
    p.add_argument("--repeat", type=int, default=2, help="fetch_pages runs per setting (2)")
    p.add_argument("--opens", type=int, default=10, help="stories opened in the app (10)")
    p.add_argument("--size", type=_size, default=(160, 50), help="terminal COLSxLINES (160x50)")
    p.add_argument("--skip-ui", action="store_true", help="no app launch (steps 1 and 2 only)")
    p.add_argument("--profile", type=Path, help="py-spy collapsed stacks of one more launch")
    p.add_argument(
        "--pythonpath",
        type=Path,
        help="put this folder first on the app's PYTHONPATH (to measure a changed copy of tui)",
    )
    p.add_argument("--seed", type=int, default=1, help="seed for the pages (1)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds any one wait may take")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)
    if min(args.pages, args.stories, args.feeds, args.hosts, args.repeat, args.opens) < 1:
        p.error("--pages, --stories, --feeds, --hosts, --repeat and --opens must be at least 1")
    if args.concurrency < 1:
        p.error("--concurrency must be at least 1")
    args.feeds = min(args.feeds, args.stories)  # no empty feed
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    from tui.core.settings import Settings

    default = Settings().articles.prefetch_concurrency
    load_before = os.getloadavg()
    busy_before, wall_before = proctree.machine_busy(), time.perf_counter()
    results: dict[str, Any] = {}
    with workdir(args.keep, "newsterm-extract-") as work:
        started = time.perf_counter()
        pages = corpus(args.pages, args.seed)
        log(f"{len(pages)} pages for extraction alone in {time.perf_counter() - started:.1f} s")
        proctree.settle()
        results["alone"] = extraction_alone(pages)
        server, site = _serve(work, args)
        try:
            results["runs"] = _through_library(work, args, server, site)
            if not args.skip_ui:
                results["app"] = _in_the_app(work, args, server, site)
        finally:
            server.stop()
    busy = (proctree.machine_busy() - busy_before) / (time.perf_counter() - wall_before)
    load_after = os.getloadavg()
    rows = _alone_rows(results["alone"]) + _pages_rows(results["runs"], default)
    if "app" in results:
        rows += _app_rows(results["app"], args.opens)
    verdict = 1 if any(r.verdict == "FAIL" for r in rows) else 0
    header = (
        f"newsterm reader-mode benchmark: {args.pages} pages alone, {args.stories} through "
        f"the library on {args.hosts} loopback host(s), {args.opens} stories opened in a "
        f"{args.size[0]}x{args.size[1]} pty; {os.cpu_count()} CPUs, load average "
        f"{_load(load_before)} before and {_load(load_after)} after (1/5/15 min), "
        f"{busy:.2f} CPUs busy on average while it ran (all processes, newsterm included)"
    )
    if args.json:
        print(
            strict_json(
                {
                    "config": {
                        k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()
                    },
                    "machine": {
                        "cpus": os.cpu_count(),
                        "load_before": load_before,
                        "load_after": load_after,
                        "cpus_busy": busy,
                    },
                    "rows": rows,
                    "alone": results["alone"],
                    "fetch_pages": results["runs"],
                    "app": results.get("app"),
                }
            )
        )
        return verdict
    print_table(rows, header)
    return verdict


if __name__ == "__main__":
    sys.exit(main())
