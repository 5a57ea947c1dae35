"""Start-up benchmark: launch to a painted list, memory, and key-to-paint latency, idle and
during a refresh, for newsterm in a real pseudo-terminal over a 100k-story library.

    /work/venv/bin/python bench/startup.py [--library PATH] [--runs 5] [--presses 200]
        [--newsboat] [--profile FILE] [--json]

Not a test: it prints figures against targets and exits 1 when one is missed. It

1. builds a library of ``--feeds`` × ``--items`` stories (200 × 500 = 100k) with
   ``library_builder.build`` in a temporary folder, or uses ``--library PATH`` (built there
   and kept if missing, so later runs skip the ~15 s), and reads the "all stories" view
   from it, to know what every line of the list should show (``startup_model.py``);
2. launches ``newsterm --db LIB --config <empty file>`` in a pty of ``--size`` (160x50),
   ``TERM=xterm-256color``, as a terminal that supports synchronized output, and stops the
   clock at the end of the first frame in which the list pane shows the view's first
   lines, complete (no row still ``…``), under the status bar: not the first frame (an
   empty layout), not a splash. One untimed launch first fills the byte-code cache (its
   time is shown; this sandbox sets PYTHONDONTWRITEBYTECODE, which the runs undo, with the
   cache under the temporary folder); then ``--runs`` launches: median and max;
3. reads the app's peak resident memory (``VmHWM``) after the first paint and after
   scrolling; its helper processes (multiprocessing's resource tracker) are shown apart;
4. in one more launch, presses ``--presses`` keys (j, PageDown, G, k, PageUp, g) one at a
   time and times each to the frame that shows it (``startup_keys.py``);
5. serves ``--refresh-feeds`` synthetic feeds from ``loopback_server.py`` in its own
   process (``refresh_harness.py``), subscribes a copy of the library to them, launches
   the app, presses ``R``, checks the status bar shows the refresh running, and times key
   presses while it does; a round ends with the refresh, and up to ``--refresh-rounds``
   rounds (each on a fresh copy) gather the samples;
6. with ``--newsboat``, times newsboat to its feed list on a cache holding the same
   stories (``startup_newsboat.py``);
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
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import proctree
import startup_newsboat
from bench_common import strict_json, workdir
from refresh_harness import FeedServer, addresses, child_env, feed_urls, log, write_corpus
from startup_keys import Press, plan, press_keys
from startup_library import build_library, mark_fetched, prepare_refresh_library
from startup_model import ListView, check, status_text
from startup_pty import SessionError, TerminalSession, descendants, read_memory
from startup_report import Launch, build_rows, info, print_table

_DROPPED_ENV = ("COLUMNS", "LINES", "COLORTERM", "TERM_PROGRAM", "NO_COLOR", "TEXTUAL")
_SUMMARY = re.compile(r"\d+ new stories(, \d+ feeds failed)?|Offline: no feed could be reached")


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.sessions: list[TerminalSession] = []
        self.config = work / "config.toml"
        self.config.write_text("", encoding="utf-8")  # empty: every setting its default
        home = work / "home"
        home.mkdir()
        env = child_env(work / "pycache")
        for name in list(env):
            if name.startswith(_DROPPED_ENV):
                del env[name]
        env.update(
            TERM="xterm-256color",
            LANG="C.UTF-8",
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local/share"),
            XDG_CACHE_HOME=str(home / ".cache"),
        )
        if args.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(
                [str(args.pythonpath), *filter(None, [env.get("PYTHONPATH")])]
            )
        self.env = env
        self.columns, self.lines = args.size
        where = subprocess.run(
            [sys.executable, "-c", "import tui; print(tui.__file__)"],
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
            timeout=60,
        )
        log(f"the app imports {where.stdout.strip() or where.stderr.strip()[-200:]}")

    # -- launching -----------------------------------------------------------------------

    def command(self, db: Path) -> list[str]:
        script = Path(sys.executable).parent / "newsterm"
        base = [str(script)] if script.exists() else [sys.executable, "-m", "tui"]
        return [*base, "--db", str(db), "--config", str(self.config)]

    def session(self, argv: list[str]) -> TerminalSession:
        session = TerminalSession(argv, self.env, self.columns, self.lines)
        self.sessions.append(session)
        return session

    def close(self, session: TerminalSession) -> None:
        session.close()
        with contextlib.suppress(ValueError):
            self.sessions.remove(session)

    def launch(
        self, db: Path, view: ListView, *, argv: list[str] | None = None
    ) -> tuple[TerminalSession, Launch]:
        """Start the app and wait for its painted list (and the counts in its status bar)."""
        mark_fetched(db)
        session = self.session(argv or self.command(db))
        screen = session.screen
        session.start()
        try:
            listed = session.wait_frame(lambda: check(screen, view, 0).complete, self.args.timeout)
        except SessionError as error:
            raise SessionError(
                f"the list was not painted: {error}; screen:\n{screen.text()}"
            ) from error
        main = session.memory_kb().get("VmHWM", 0)
        helpers = {pid: read_memory(pid).get("VmHWM", 0) for pid in descendants(session.pid)}
        refreshing = "refreshing" in status_text(screen)
        counts: float | None = None

        def counted() -> bool:
            return f"indexed:{view.stories} " in status_text(screen)

        if counted():
            counts = listed  # the same frame
        else:
            with contextlib.suppress(SessionError):
                counts = session.wait_frame(counted, 10.0)
        start = session.started
        assert session.first_output is not None and session.first_frame is not None
        return session, Launch(
            session.first_output - start,
            session.first_frame - start,
            listed - start,
            None if counts is None else counts - start,
            main,
            helpers,
            refreshing or "refreshing" in status_text(screen),
        )

    # -- phases --------------------------------------------------------------------------

    def startup_runs(self, db: Path, view: ListView) -> tuple[Launch, list[Launch]]:
        session, cold = self.launch(db, view)
        self.close(session)
        log(f"first launch (empty byte-code cache): list at {cold.listed:.3f} s")
        # The modules a refresh imports, compiled now rather than during the first one.
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import tui.cli, tui.ui.app, tui.core.refresh, tui.core.workers.feeds",
            ],
            env=self.env,
            check=True,
            timeout=120,
        )
        runs = []
        for number in range(self.args.runs):
            _settle()
            session, run = self.launch(db, view)
            self.close(session)
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
        session, run = self.launch(db, view)
        try:
            session.wait_quiet(0.3, 5.0)
            presses, stopped = press_keys(
                session, view, plan(self.args.presses), timeout=self.args.timeout
            )
            after = session.memory_kb().get("VmHWM", 0)
            log(f"idle: {len(presses)} presses ({stopped}), VmHWM after {after / 1024:.1f} MB")
        finally:
            self.close(session)
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
            urls = feed_urls(corpus, args.hosts, server.port)
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
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{copy}{suffix}").unlink(missing_ok=True)
                shutil.copyfile(template, copy)  # a fresh copy: every round refreshes the same
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
        session, _run = self.launch(db, view)
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
            self.close(session)
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
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        argv = [spy, "record", "--format", "raw", "--threads", "--idle", "--rate", "500",
                "--output", str(output), "--", *self.command(db)]  # fmt: skip
        session, run = self.launch(db, view, argv=argv)
        self.close(session)
        log(f"profiled launch: list at {run.listed:.3f} s; collapsed stacks in {output}")

    def newsboat(self, db: Path) -> dict[str, Any]:
        folder = self.work / "newsboat"
        env = dict(self.env)
        env.update(HOME=str(folder / "home"), XDG_CONFIG_HOME=str(folder / "home"),
                   XDG_DATA_HOME=str(folder / "home"))  # fmt: skip
        (folder / "home").mkdir(parents=True)
        titles, seconds = startup_newsboat.prepare(folder, db, env)
        log(f"newsboat cache filled in {seconds:.1f} s")
        times, memory = [], []
        for _ in range(self.args.newsboat_runs):
            _settle()
            took, mem = startup_newsboat.startup(
                folder, titles, env, self.columns, self.lines, self.args.newsboat_timeout
            )
            times.append(took)
            memory.append(mem.get("VmHWM", 0))
            log(f"newsboat: feed list at {took:.2f} s, VmHWM {mem.get('VmHWM', 0) / 1024:.0f} MB")
        return {"seconds": times, "vmhwm_kb": memory}


def _settle(limit: float = 2.0) -> None:
    """Wait (at most ``limit`` s) for the machine to be about idle (under 0.3 CPUs busy), so
    that what the previous launch left behind is not billed to the next one."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:  # bounded by ``limit``
        before = proctree.machine_busy()
        time.sleep(0.2)
        if (proctree.machine_busy() - before) / 0.2 < 0.3:
            return


# -- main --------------------------------------------------------------------------------


def _size(text: str) -> tuple[int, int]:
    columns, _, lines = text.lower().partition("x")
    size = int(columns), int(lines)
    if size[0] < 100 or size[1] < 20:
        raise argparse.ArgumentTypeError("at least 100x20 (both panes, a list to scroll)")
    return size


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="newsterm start-up benchmark (see the module doc)")
    p.add_argument("--library", type=Path, help="library to use; built (and kept) if missing")
    p.add_argument("--feeds", type=int, default=200, help="feeds in a built library (200)")
    p.add_argument("--items", type=int, default=500, help="stories per feed (500)")
    p.add_argument("--runs", type=int, default=5, help="timed launches (5)")
    p.add_argument("--presses", type=int, default=200, help="key presses per phase (200)")
    p.add_argument("--size", type=_size, default=(160, 50), help="terminal COLSxLINES (160x50)")
    p.add_argument("--refresh-feeds", type=int, default=300, help="loopback feeds (300)")
    p.add_argument("--refresh-items", type=int, default=50, help="items per feed (50)")
    p.add_argument(
        "--refresh-rounds", type=int, default=15, help="refreshes at most, to gather presses (15)"
    )
    p.add_argument("--hosts", type=int, default=1, help="loopback addresses for feeds (1)")
    p.add_argument("--skip-refresh", action="store_true", help="no refresh phase")
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


def _load(load: tuple[float, float, float]) -> str:
    return "/".join(f"{value:.2f}" for value in load)


def _sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that clean up


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    with workdir(args.keep, "newsterm-startup-") as work:
        db = args.library or work / "library.db"
        if not db.exists():
            log(f"building {args.feeds} x {args.items} stories in {db} ...")
            results["build_seconds"] = build_library(db, args.feeds, args.items)
            log(f"built in {results['build_seconds']:.1f} s")
        started = time.perf_counter()
        view = ListView(db)
        seconds = time.perf_counter() - started
        log(f"read the view: {view.stories} stories, {view.line_count} lines, {seconds:.1f} s")
        bench = Bench(args, work)
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
            for session in list(bench.sessions):
                bench.close(session)
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
        f"newsterm start-up benchmark: {view.stories} stories, terminal {columns}x{lines}, "
        f"{os.cpu_count()} CPUs, load average {_load(load_before)} before and "
        f"{_load(load_after)} after (1/5/15 min), {busy:.2f} CPUs busy on average while it "
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
    return 1 if any(r.verdict == "FAIL" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
