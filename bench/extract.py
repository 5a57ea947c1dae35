"""Reader-mode benchmark: extraction throughput, pages through the library, and Enter →
full article on screen in the real app.

    python -m bench.extract [--pages 200] [--stories 300] [--opens 10]
        [--concurrency 8] [--repeat 2] [--skip-ui] [--profile FILE] [--json]

(from the project root, with the virtualenv's Python). Options: ``--help``; what it
measures and its targets: ``bench/README.md``.

Not a test: it prints figures against targets and exits 1 when one is missed. It

1. extracts ``--pages`` varied ~60 KB news pages (``harness/pages.py``, built with
   ``tests/support/pages.py``) with :func:`tui.core.pages.extract.extract_article` in
   this process, one after the other (one core), and checks each result kept every
   section heading and none of the page's clutter: articles per second;
2. serves ``--stories`` stories in ``--feeds`` feeds, each story one sentence in its feed
   and a full page on one of ``--hosts`` loopback addresses, from the loopback server
   (``harness/server.py``) in its own process; refreshes a library from them (untimed),
   then times :meth:`tui.core.library.Library.fetch_pages` over every story on a fresh
   copy: fetch, extraction in the worker pool, judging and storing. At ``[articles]
   prefetch_concurrency``'s default and at ``--concurrency``, ``--repeat`` times each
   (interleaved), after an untimed warm-up that starts the pool (its time is shown);
3. launches ``newsterm`` in a real pty (``harness/reader.py``, with the start-up
   benchmark's launcher, ``harness/app.py``) on a library of stories never fetched, with
   ``[articles] prefetch = false``, waits as a user would once the list is painted, then
   opens ``--opens`` stories one at a time with Enter and times, from the key press, the
   first frame showing the story (its feed text) and the first frame showing its full
   article (a heading only the page has);
4. prints measure / value / target / verdict with the machine's load, or JSON (``--json``);
   the targets are in ``harness/report/extract.py``.

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
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.harness import proctree
from bench.harness.extraction import PagesRun, extraction_alone, fetch_pages_run
from bench.harness.library import copy_library, refreshed_library
from bench.harness.pages import Site, corpus, write_site
from bench.harness.reader import launcher, open_stories
from bench.harness.report.extract import alone_rows, app_rows, ms, pages_rows
from bench.harness.report.table import failed, load_text, print_table, run_context, strict_json
from bench.harness.server import FeedServer, addresses
from bench.harness.terminal import SessionError
from bench.harness.workspace import log, stop_on_sigterm, terminal_size, workdir


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
    ids = refreshed_library(template, list(urls.values()))
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
    refreshed_library(template, urls)
    stories = {s.title: s for name in names for s in site.feeds[name].stories}
    db = work / "ui.db"
    copy_library(template, db)
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
            f"open {number} (story {o.number}): story at {ms(o.story)}, note at "
            f"{ms(o.note)}, full article at {ms(o.full)}; pages served before Enter "
            f"{o.before}, after {o.after} {o.problem[:300]}"
        )
    if args.profile:
        copy_library(template, db)
        try:
            _launched, _helpers, profiled = open_stories(
                app, db, stories, 4, args.timeout, served, profile=args.profile
            )
        except SessionError as error:
            log(f"the profiled launch failed: {error}")
        else:
            log(
                f"profiled launch: full article at {', '.join(ms(o.full) for o in profiled)}; "
                f"collapsed stacks in {args.profile}"
            )
    return result


# -- main ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.extract",
        description="newsterm reader-mode benchmark (see bench/README.md)",
    )
    p.add_argument("--pages", type=int, default=200, help="pages extracted alone (200)")
    p.add_argument("--stories", type=int, default=300, help="pages through the library (300)")
    p.add_argument("--feeds", type=int, default=6, help="feeds those stories are in (6)")
    p.add_argument("--hosts", type=int, default=4, help="loopback addresses for pages (4)")
    p.add_argument(
        "--concurrency", type=int, default=8, help="the other fetch_pages concurrency (8)"
    )
    p.add_argument("--repeat", type=int, default=2, help="fetch_pages runs per setting (2)")
    p.add_argument("--opens", type=int, default=10, help="stories opened in the app (10)")
    p.add_argument(
        "--size", type=terminal_size, default=(160, 50), help="terminal COLSxLINES (160x50)"
    )
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
    stop_on_sigterm()
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
    rows = alone_rows(results["alone"]) + pages_rows(results["runs"], default)
    if "app" in results:
        rows += app_rows(results["app"], args.opens)
    verdict = 1 if failed(rows) else 0
    header = (
        f"newsterm reader-mode benchmark: {args.pages} pages alone, {args.stories} through "
        f"the library on {args.hosts} loopback host(s), {args.opens} stories opened in a "
        f"{args.size[0]}x{args.size[1]} pty; {os.cpu_count()} CPUs, load average "
        f"{load_text(load_before)} before and {load_text(load_after)} after (1/5/15 min), "
        f"{busy:.2f} CPUs busy on average while it ran (all processes, newsterm included)"
    )
    if args.json:
        print(
            strict_json(
                {
                    **run_context(args, load_before, load_after, busy),
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
