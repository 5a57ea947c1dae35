"""Start-up benchmark: launch to a painted list, memory, and key-to-paint latency, idle and
during a refresh, for newsterm in a real pseudo-terminal over a 100k-story library.

    python -m bench.startup [--library PATH] [--runs 5] [--presses 200] [--views N]
        [--newsboat] [--profile FILE] [--json]

(from the project root, with the virtualenv's Python). Options: ``--help``; what it
measures and its targets: ``bench/README.md``.

Not a test: it prints figures against targets and exits 1 when one is missed. It

1. builds a library of ``--feeds`` × ``--items`` stories (200 × 500 = 100k) with
   ``harness/library.py`` in a temporary folder, or uses ``--library PATH`` (built there
   and kept if missing, so later runs skip the ~15 s), and reads the "all stories" view
   from it, to know what every line of the list should show (``harness/story_list.py``);
2. launches ``newsterm --db LIB --config <config.toml>`` in a pty of ``--size`` (160x50),
   ``TERM=xterm-256color``, as a terminal that supports synchronized output, and stops the
   clock at the end of the first frame in which the list pane shows the view's first
   lines, complete (no row still ``…``), under the status bar: not the first frame (an
   empty layout), not a splash. One untimed launch first fills the byte-code cache (its
   time is shown; this sandbox sets PYTHONDONTWRITEBYTECODE, which the runs undo, with the
   cache under the temporary folder); then ``--runs`` launches: median and max. The config
   is empty, or holds ``--views`` of :data:`VIEWS` (saved searches, which the list shows
   folded above the topics, their queries run with every load of the list);
3. reads the app's peak resident memory (``VmHWM``) after the first paint and after
   scrolling; its helper processes (multiprocessing's resource tracker) are shown apart;
4. in one more launch, presses ``--presses`` keys (j, PageDown, G, k, PageUp, g) one at a
   time and times each to the frame that shows it (``harness/story_list.py``);
5. serves ``--refresh-feeds`` synthetic feeds from the loopback server in its own
   process (``harness/server.py``), subscribes a copy of the library to them, launches
   the app, presses ``R``, checks the status bar shows the refresh running, and times key
   presses while it does; a round ends with the refresh, and up to ``--refresh-rounds``
   rounds (each on a fresh copy) gather the samples;
6. with ``--newsboat``, times newsboat to its feed list on a cache holding the same
   stories (``harness/clients.py``);
7. prints measure / value / target / verdict and the machine's load, or JSON (``--json``).

With ``--profile FILE`` one more launch runs under ``py-spy record`` (collapsed stacks,
every thread, idle included) and is quit as soon as the list is painted. ``--pythonpath
DIR`` puts DIR first on the app's ``PYTHONPATH``: a changed copy of ``tui`` (or an extra
package) measured against the tree, for A/B comparisons; the log says which ``tui`` runs.
The benchmark's own CPU use is printed too: it must stay small next to the app's.

Everything runs on 127.0.0.x. Every wait has a deadline; the app, the feed server and
newsboat run in sessions of their own and are ended on every way out (SIGTERM included),
and the temporary folder is removed unless ``--keep``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.harness import proctree
from bench.harness.app import AppLauncher, Launch
from bench.harness.clients import fill_newsboat_cache, newsboat_startup
from bench.harness.feeds import write_corpus
from bench.harness.library import build_library, copy_library, prepare_refresh_library
from bench.harness.proctree import descendants, read_memory
from bench.harness.report.startup import build_rows
from bench.harness.report.table import failed, info, load_text, print_table, strict_json
from bench.harness.server import FeedServer, addresses
from bench.harness.story_list import ListView, Press, plan, press_keys, status_text
from bench.harness.terminal import SessionError
from bench.harness.workspace import (
    compile_modules,
    log,
    py_spy,
    stop_on_sigterm,
    terminal_size,
    workdir,
)
from tui.core.settings import View

_SUMMARY = re.compile(r"\d+ new stories(, \d+ feeds failed)?|Offline: no feed could be reached")
#: The modules a refresh imports, compiled before the timed launches rather than during the
#: first refresh.
_REFRESH_MODULES = ("tui.cli", "tui.ui.app", "tui.core.refresh", "tui.core.workers.feeds")
#: Saved searches for ``--views``, on the words, topics and feeds of ``harness/library.py``.
VIEWS = (
    View("Unread galaxy news", "title:galaxy is:unread"),
    View("Science, unread", "topic:science is:unread"),
    View("Kernel patches, this week", "title:kernel title:patch age:<1w"),
    View("Bookmarked security", "is:bookmarked topic:security"),
    View("Feed 7, unread", 'feed:"feed 7 health" -is:read'),
)


def views_toml(views: Sequence[View]) -> str:
    """``[[views]]`` tables for the app's config (JSON strings are TOML basic strings)."""
    return "".join(
        f"[[views]]\nname = {json.dumps(v.name)}\nquery = {json.dumps(v.query)}\n\n" for v in views
    )


def _settle() -> None:
    """Wait (at most 2 s) for the machine to be about idle, so that what the previous
    launch left behind is not billed to the next one."""
    proctree.settle(limit=2.0)


class Bench:
    """The start-up benchmark's phases, over one :class:`AppLauncher`."""

    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.app = AppLauncher(work, args.size, args.timeout, args.pythonpath)

    # -- phases --------------------------------------------------------------------------

    def startup_runs(self, db: Path, view: ListView) -> tuple[Launch, list[Launch]]:
        session, cold = self.app.launch(db, view)
        self.app.close(session)
        log(f"first launch (empty byte-code cache): list at {cold.listed:.3f} s")
        compile_modules(_REFRESH_MODULES, self.app.env)
        runs = []
        for number in range(self.args.runs):
            _settle()
            session, run = self.app.launch(db, view)
            self.app.close(session)
            runs.append(run)
            log(
                f"launch {number + 1}: first output {run.first_output:.3f} s, first frame "
                f"{run.first_frame:.3f} s, list {run.listed:.3f} s, counts "
                f"{run.counts if run.counts is None else round(run.counts, 3)} s, "
                f"VmHWM {run.main_kb / 1024:.1f} MB"
            )
        return cold, runs

    def scrolling(self, db: Path, view: ListView) -> tuple[Launch, list[Press], int]:
        """Key presses in an idle app; (the launch, the presses, VmHWM after them)."""
        _settle()
        session, run = self.app.launch(db, view)
        try:
            session.wait_quiet(0.3, 5.0)
            presses, stopped = press_keys(
                session, view, plan(self.args.presses), timeout=self.args.timeout
            )
            after = session.memory_kb().get("VmHWM", 0)
            log(f"idle: {len(presses)} presses ({stopped}), VmHWM after {after / 1024:.1f} MB")
        finally:
            self.app.close(session)
        return run, presses, after

    def refreshing(self, db: Path, view: ListView) -> dict[str, Any]:
        """Key presses while the app refreshes ``--refresh-feeds`` loopback feeds."""
        args = self.args
        started = time.perf_counter()
        corpus = write_corpus(self.work / "feeds", args.refresh_feeds, args.refresh_items, 1)
        log(
            f"{args.refresh_feeds} feeds written in {time.perf_counter() - started:.1f} s: "
            f"{corpus.describe()}"
        )
        server = FeedServer(sorted({"127.0.0.1", *addresses(args.hosts)}), self.work / "server.log")
        result: dict[str, Any] = {"rounds": [], "presses": []}
        try:
            server.ensure(corpus.folders["base"], "validators", False)
            urls = corpus.urls(addresses(args.hosts), server.port)
            template = self.work / "refresh-template.db"
            prepare_refresh_library(
                db,
                template,
                urls,
                [spec.title for spec in corpus.specs],
                [spec.topics[0] for spec in corpus.specs],
            )
            copy = self.work / "refresh.db"
            for number in range(args.refresh_rounds):  # bounded
                copy_library(template, copy)  # a fresh copy: every round refreshes the same
                server.stats(reset=True)
                _settle()
                round_ = self._refresh_round(copy, view, args.presses - len(result["presses"]))
                round_["server"] = server.stats()
                result["rounds"].append(round_)
                result["presses"] += round_.pop("presses")
                log(
                    f"refresh round {number + 1}: {round_['samples']} presses while refreshing "
                    f"({round_['stopped']}), R to bar {round_['r_to_status'] * 1e3:.0f} ms, "
                    f"refresh {round_['seconds']:.1f} s, {round_['summary']}, "
                    f"{round_['server']['ok']} feeds served"
                )
                if len(result["presses"]) >= args.presses:
                    break
        finally:
            server.stop()
        return result

    def _refresh_round(self, db: Path, view: ListView, presses: int) -> dict[str, Any]:
        session, _run = self.app.launch(db, view)
        screen = session.screen
        try:
            session.wait_quiet(0.3, 5.0)
            pressed = session.send(b"R")
            shown = session.wait_frame(lambda: "refreshing" in status_text(screen), 10.0)
            keys, stopped = press_keys(
                session,
                view,
                plan(max(presses, 20)),
                during_refresh=True,
                timeout=self.args.timeout,
            )
            if "refreshing" in status_text(screen):
                ended = session.wait_frame(
                    lambda: "refreshing" not in status_text(screen), self.args.refresh_timeout
                )
            else:
                ended = session.last_output  # it ended during the last press
            summary = "(no summary seen)"
            with contextlib.suppress(SessionError):
                session.wait_frame(lambda: _SUMMARY.search(screen.text()) is not None, 10.0)
                found = _SUMMARY.search(screen.text())
                summary = found.group() if found else summary
            main = session.memory_kb().get("VmHWM", 0)
            helpers = {pid: read_memory(pid).get("VmHWM", 0) for pid in descendants(session.pid)}
        finally:
            self.app.close(session)
        return {
            "r_to_status": shown - pressed,
            "seconds": ended - pressed,
            "samples": sum(p.refreshing and p.painted is not None for p in keys),
            "stopped": stopped,
            "summary": summary,
            "main_kb": main,
            "helpers_kb": helpers,
            "presses": keys,
        }

    def profile(self, db: Path, view: ListView, output: Path) -> None:
        argv = [py_spy(), "record", "--format", "raw", "--threads", "--idle", "--rate", "500",
                "--output", str(output), "--", *self.app.command(db)]  # fmt: skip
        session, run = self.app.launch(db, view, argv=argv)
        self.app.close(session)
        log(f"profiled launch: list at {run.listed:.3f} s; collapsed stacks in {output}")

    def newsboat(self, db: Path) -> dict[str, Any]:
        folder = self.work / "newsboat"
        env = dict(self.app.env)
        env.update(HOME=str(folder / "home"), XDG_CONFIG_HOME=str(folder / "home"),
                   XDG_DATA_HOME=str(folder / "home"))  # fmt: skip
        (folder / "home").mkdir(parents=True)
        titles, seconds = fill_newsboat_cache(folder, db, env)
        log(f"newsboat cache filled in {seconds:.1f} s")
        times, memory = [], []
        for _ in range(self.args.newsboat_runs):
            _settle()
            took, mem = newsboat_startup(
                folder, titles, env, self.app.columns, self.app.lines, self.args.newsboat_timeout
            )
            times.append(took)
            memory.append(mem.get("VmHWM", 0))
            log(f"newsboat: feed list at {took:.2f} s, VmHWM {mem.get('VmHWM', 0) / 1024:.0f} MB")
        return {"seconds": times, "vmhwm_kb": memory}


# -- main --------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.startup",
        description="newsterm start-up benchmark (see bench/README.md)",
    )
    p.add_argument("--library", type=Path, help="library to use; built (and kept) if missing")
    p.add_argument("--feeds", type=int, default=200, help="feeds in a built library (200)")
    p.add_argument("--items", type=int, default=500, help="stories per feed (500)")
    p.add_argument(
        "--stories",
        type=int,
        help="stories in a built library, spread over --feeds (sets --items; "
        "1000000 = 200 feeds x 5,000)",
    )
    p.add_argument("--runs", type=int, default=5, help="timed launches (5)")
    p.add_argument("--presses", type=int, default=200, help="key presses per phase (200)")
    p.add_argument(
        "--size", type=terminal_size, default=(160, 50), help="terminal COLSxLINES (160x50)"
    )
    p.add_argument("--refresh-feeds", type=int, default=300, help="loopback feeds (300)")
    p.add_argument("--refresh-items", type=int, default=50, help="items per feed (50)")
    p.add_argument(
        "--refresh-rounds", type=int, default=15, help="refreshes at most, to gather presses (15)"
    )
    p.add_argument("--hosts", type=int, default=1, help="loopback addresses for feeds (1)")
    p.add_argument("--skip-refresh", action="store_true", help="no refresh phase")
    p.add_argument(
        "--views",
        type=int,
        default=0,
        choices=range(len(VIEWS) + 1),
        help=f"saved searches in the app's config, listed above the topics (0 to {len(VIEWS)})",
    )
    p.add_argument("--newsboat", action="store_true", help="also time newsboat's start-up")
    p.add_argument("--newsboat-runs", type=int, default=2, help="newsboat launches (2)")
    p.add_argument("--newsboat-timeout", type=float, default=120.0, help="seconds (120)")
    p.add_argument("--profile", type=Path, help="py-spy collapsed stacks of one launch here")
    p.add_argument(
        "--pythonpath",
        type=Path,
        help="put this folder first on the app's PYTHONPATH (to measure a changed copy of tui)",
    )
    p.add_argument("--timeout", type=float, default=30.0, help="seconds any one wait may take")
    p.add_argument(
        "--refresh-timeout", type=float, default=300.0, help="seconds a refresh may take"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)
    if args.stories is not None:
        args.items = max(1, args.stories // max(args.feeds, 1))
    if args.runs < 1 or args.presses < 10 or args.refresh_rounds < 1:
        p.error("--runs must be at least 1, --presses 10, --refresh-rounds 1")
    return args


@contextlib.contextmanager
def _own_cpu(into: dict[str, float], phase: str) -> Iterator[None]:
    """This process's CPU share over a phase: reading and checking the screen must stay
    small next to the app's, or the benchmark would slow what it measures."""
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        yield
    finally:
        into[phase] = (time.process_time() - cpu) / max(time.perf_counter() - wall, 1e-9)
        log(f"{phase}: the benchmark itself kept {into[phase]:.2f} CPUs busy")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    with workdir(args.keep, "newsterm-startup-") as work:
        db = args.library or work / "library.db"
        if not db.exists():
            log(f"building {args.feeds} x {args.items} stories in {db} ...")
            results["build_seconds"] = build_library(db, args.feeds, args.items)
            log(f"built in {results['build_seconds']:.1f} s")
        views = VIEWS[: args.views]
        started = time.perf_counter()
        view = ListView(db, views)
        seconds = time.perf_counter() - started
        log(f"read the view: {view.stories} stories, {view.line_count} lines, {seconds:.1f} s")
        bench = Bench(args, work)
        bench.app.config.write_text(views_toml(views), encoding="utf-8")
        busy_before, wall_before = proctree.machine_busy(), time.perf_counter()
        own: dict[str, float] = {}
        try:
            with _own_cpu(own, "start-up"):
                results["cold"], results["launches"] = bench.startup_runs(db, view)
            with _own_cpu(own, "scrolling"):
                results["scroll"] = bench.scrolling(db, view)
            if not args.skip_refresh:
                with _own_cpu(own, "refresh"):
                    results["refresh"] = bench.refreshing(db, view)
            if args.newsboat:
                results["newsboat"] = bench.newsboat(db)
            if args.profile:
                bench.profile(db, view, args.profile)
        finally:
            bench.app.close_all()
        busy = (proctree.machine_busy() - busy_before) / (time.perf_counter() - wall_before)
    load_after = os.getloadavg()
    rows = build_rows(results, args)
    rows.append(
        info(
            "benchmark's own CPU (reading the pty)",
            ", ".join(f"{phase} {share:.2f} CPUs" for phase, share in own.items()),
        )
    )
    columns, lines = args.size
    header = (
        f"newsterm start-up benchmark: {view.stories} stories"
        + (f" and {len(views)} views above the topics" if views else "")
        + f", terminal {columns}x{lines}, "
        f"{os.cpu_count()} CPUs, load average {load_text(load_before)} before and "
        f"{load_text(load_after)} after (1/5/15 min), {busy:.2f} CPUs busy on average while it "
        "ran (all processes, newsterm included)"
    )
    if args.json:
        print(strict_json({
            "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_after": load_after,
            "cpus_busy": busy,
            "benchmark_cpus": own,
            "rows": rows,
            "launches": results["launches"],
            "cold": results["cold"],
            "scroll_presses": results["scroll"][1],
            "vmhwm_after_scrolling_kb": results["scroll"][2],
            "refresh": results.get("refresh"),
            "newsboat": results.get("newsboat"),
        }))  # fmt: skip
    else:
        print_table(rows, header)
    return 1 if failed(rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
