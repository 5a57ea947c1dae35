"""Refresh benchmark: newsterm (and newsboat, if installed) over synthetic feeds on loopback.

    python -m bench.refresh [--feeds 300] [--items 50] [--skip-newsboat] [--json]

(from the project root, with the virtualenv's Python). Options: ``--help``; what it
measures and its targets: ``bench/README.md``.

Not a test: it prints figures against targets (see ``harness/report/refresh.py``). It

1. generates ``--feeds`` feeds of ``--items`` items (seeded; sizes as real feeds have them,
   see ``harness/feeds.py``) into a temporary folder, twice: as they are, and with one
   new item per feed (the oldest dropped);
2. serves them from the loopback server (``harness/server.py``) in its own process (so
   it never competes for the measured process's GIL), spread over ``--hosts`` loopback
   addresses (by default 8: 127.0.0.2–127.0.0.9, so that per-host limits act as with real
   subscriptions; ``--hosts 1`` puts every feed on 127.0.0.1), and checks with a raw
   keep-alive client that the server is far faster than anything measured. No gzip
   unless ``--gzip``;
3. runs ``newsterm --db D --config C refresh`` as a subprocess (start-up included) through
   four phases: an empty library (feeds subscribed beforehand, not timed); again, answered
   with 304s; again from a server that ignores validators (same bodies: newsterm's
   body-hash short-cut); again with one new item per feed (real parsing). It records wall
   clock, the in-process seconds newsterm prints, stories stored, CPU time, and peak
   memory of the process and of its parse workers (``harness/proctree.py``);
4. runs newsboat (``newsboat -x reload``, ``reload-threads 16``) through the same phases,
   interleaved with newsterm's runs so that both see the same machine, and checks that its
   cache holds the items;
5. prints measure / value / target / PASS-FAIL, or JSON with ``--json``. Exit status 1
   when a target is missed.

``--sweep`` instead times newsterm over a grid of fetch limits (max_connections ×
per_host, on one host and on ``--hosts``) and prints that table.

Before each measured run the benchmark waits (at most 5 s) for the machine to go idle, and
the table flags runs during which other programs kept the CPUs busy: on a shared 2-core
machine that, not the code, is the main source of spread.

Everything runs on 127.0.0.x. The server, newsterm and newsboat processes and the
temporary folder are cleaned up on every way out (SIGTERM included); every subprocess has
a time limit (``--run-timeout``) and every loop a bound, so the benchmark stops by itself.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.harness.clients import (
    NEWSBOAT,
    Measure,
    prepare_newsboat,
    run_newsboat,
    run_newsterm,
    warm_up,
    write_config,
)
from bench.harness.feeds import Corpus, write_corpus
from bench.harness.library import copy_library, subscribe, subscribe_into
from bench.harness.report.refresh import build_rows
from bench.harness.report.table import failed, print_table, strict_json
from bench.harness.server import FeedServer, addresses, check_server
from bench.harness.workspace import log, positive, stop_on_sigterm, workdir
from tui.core import list_backups

# --profile: which feeds, over how many hosts, how far away. Options given explicitly win.
PROFILE_FEEDS = {"light": "light", "heavy": "heavy", "latency": "light"}
PROFILE_DEFAULTS: dict[str, dict[str, Any]] = {
    "light": {"hosts": 8, "latency": 0.0},
    # Every feed full of whole articles, all on one host with no latency: client CPU only.
    "heavy": {"hosts": 1, "latency": 0.0},
    "latency": {"hosts": 8, "latency": 0.2},
}

PHASES = (
    # name, bodies, server mode
    ("empty", "base", "validators"),
    ("not-modified", "base", "validators"),
    ("same-bodies", "base", "ignore"),
    ("changed", "changed", "ignore"),
)


class Bench:
    """One benchmark run: its folder, feeds, server and options."""

    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.pycache = work / "pycache"
        started = time.perf_counter()
        self.corpus: Corpus = write_corpus(
            work / "feeds", args.feeds, args.items, args.seed, PROFILE_FEEDS[args.profile]
        )
        log(
            f"{args.feeds} feeds written in {time.perf_counter() - started:.1f} s: "
            f"{self.corpus.describe()}"
        )
        hosts = max(args.hosts, 8) if args.sweep else args.hosts
        self.server = FeedServer(
            sorted({"127.0.0.1", *addresses(hosts)}), work / "server.log", args.latency
        )

    def newsterm(self, db: Path, config: Path) -> Measure:
        return run_newsterm(
            db, config, self.server, self.args.run_timeout, self.pycache, self.args.feeds
        )

    def phases(
        self, urls: list[str], with_newsboat: bool
    ) -> tuple[dict[str, list[Measure]], dict[str, list[Measure]]]:
        """Every phase for newsterm (and newsboat), ``--repeat`` times, interleaved."""
        args = self.args
        nt: dict[str, list[Measure]] = {}
        nb: dict[str, list[Measure]] = {}
        config = write_config(self.work / "config.toml", args.max_connections, args.per_host)
        template = self.work / "template.db"
        subscribe(template, urls)
        dbs, boats = [], []
        for r in range(args.repeat):
            dbs.append(copy_library(template, self.work / f"newsterm-{r}.db"))
            if with_newsboat:
                boats.append(prepare_newsboat(self.work / f"newsboat-{r}", urls))
        for name, variant, mode in PHASES:
            self.server.ensure(self.corpus.folders[variant], mode, args.gzip)
            for r in range(args.repeat):
                m = self.newsterm(dbs[r], config)
                nt.setdefault(name, []).append(m)
                log(
                    f"{name} #{r + 1} newsterm: {m.wall:.2f} s wall, {m.inner} s inside, "
                    f"{m.new_stories} new, {m.stored} stored, main {m.main_mb:.0f} MB, "
                    f"CPU {m.main_cpu:.1f}+{m.workers_cpu:.1f} s, others {m.others_cpu:.1f} s "
                    f"{m.note}"
                )
                if not with_newsboat:
                    continue
                # newsboat 2.21 stores a feed's ETag/Last-Modified only when it fetches a
                # feed it already has, so its second reload is unconditional and only the
                # third gets 304s: measure both.
                labels = ["second-reload", name] if name == "not-modified" else [name]
                for label in labels:
                    b = run_newsboat(boats[r], self.server, args.run_timeout)
                    nb.setdefault(label, []).append(b)
                    log(
                        f"{label} #{r + 1} newsboat: {b.wall:.2f} s wall, {b.stored} items, "
                        f"{b.server.get('not_modified')} 304s, {b.main_mb:.0f} MB, "
                        f"others {b.others_cpu:.1f} s {b.note}"
                    )
        if args.into is not None:
            nt["into"] = self.into(urls, config)
        return nt, nb

    def into(self, urls: list[str], config: Path) -> list[Measure]:
        """The empty-library refresh again, into a copy of ``--into``'s big library."""
        self.server.ensure(self.corpus.folders["base"], "validators", self.args.gzip)
        runs = []
        for r in range(self.args.repeat):
            db = self.work / f"into-{r}.db"
            before = subscribe_into(self.args.into, db, urls)
            m = self.newsterm(db, config)
            m.stored -= before  # the stories this refresh added
            runs.append(m)
            log(
                f"into #{r + 1} newsterm: {m.wall:.2f} s wall ({m.inner} s inside) into "
                f"{before:,} stories, "
                f"{m.stored} stored, CPU {m.main_cpu:.1f}+{m.workers_cpu:.1f} s {m.note}"
            )
            for backup in list_backups(db):
                backup.path.unlink(missing_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)  # gigabytes each
        return runs

    def sweep(self) -> list[dict[str, Any]]:
        """Empty-library, 304 and same-body refreshes over a grid of fetch limits.

        Per cell and phase: the best wall clock and the best main-process CPU time of the
        repeats (the repeats go round the whole grid, so a burst of load elsewhere hits
        one run of many cells rather than every run of one), and the worst load that
        other programs put on the machine meanwhile.
        """
        args = self.args
        grid = [
            (hosts, conns, per_host)
            for hosts in sorted({1, args.hosts})
            for conns in (16, 32, 48, 100)
            for per_host in (6, 16, 50)
        ]
        self.server.ensure(self.corpus.folders["base"], "validators", args.gzip)
        templates = {}
        for hosts in sorted({h for h, _, _ in grid}):
            templates[hosts] = self.work / f"template-{hosts}.db"
            subscribe(templates[hosts], self.corpus.urls(addresses(hosts), self.server.port))
        cells: dict[tuple[int, int, int], dict[str, float]] = {key: {} for key in grid}
        dbs: dict[tuple[int, int, int], Path] = {}
        phases = (
            ("empty", "validators"),
            ("not-modified", "validators"),
            ("same-bodies", "ignore"),
        )
        for phase, mode in phases:
            self.server.ensure(self.corpus.folders["base"], mode, args.gzip)
            for _ in range(args.repeat):
                for key in grid:
                    hosts, conns, per_host = key
                    if phase == "empty":  # a fresh copy each time: empty means empty
                        dbs[key] = copy_library(
                            templates[hosts], self.work / f"sweep-{hosts}-{conns}-{per_host}.db"
                        )
                    config = write_config(
                        self.work / f"sweep-{conns}-{per_host}.toml", conns, per_host
                    )
                    m = self.newsterm(dbs[key], config)
                    good = m.ok
                    cell = cells[key]
                    for name, value in ((phase, m.wall), (f"{phase} cpu", m.main_cpu)):
                        cell[name] = min(cell.get(name, math.inf), value if good else math.inf)
                    cell["noise"] = max(cell.get("noise", 0.0), m.others_cpu / max(m.wall, 1e-9))
                    log(
                        f"sweep {phase} hosts={hosts} max_connections={conns} "
                        f"per_host={per_host}: {m.wall:.2f} s, main CPU {m.main_cpu:.2f} s, "
                        f"others {m.others_cpu:.1f} s {m.note}"
                    )
        return [
            {"hosts": h, "max_connections": c, "per_host": p, **cells[(h, c, p)]}
            for h, c, p in grid
        ]


def print_sweep(rows: Sequence[dict[str, Any]], header: str) -> None:
    print(header)
    print(
        f"{'hosts':>5} {'max_conn':>8} {'per_host':>8} {'empty s':>8} {'304 s':>6} "
        f"{'(CPU)':>6} {'same s':>7} {'(CPU)':>6} {'noise':>6}"
    )
    for row in rows:
        cells = [
            f"{value:>{width}.2f}" if math.isfinite(value) else f"{'fail':>{width}}"
            for value, width in (
                (row["empty"], 8),
                (row["not-modified"], 6),
                (row["not-modified cpu"], 6),
                (row["same-bodies"], 7),
                (row["same-bodies cpu"], 6),
                (row["noise"], 6),
            )
        ]
        print(
            f"{row['hosts']:>5} {row['max_connections']:>8} {row['per_host']:>8} " + " ".join(cells)
        )
    print(
        "empty/304/same: best wall clock of the runs; CPU: newsterm main process; noise: "
        "worst CPUs kept busy by other programs during a run"
    )


# -- main --------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.refresh",
        description="newsterm refresh benchmark (see bench/README.md)",
    )
    p.add_argument(
        "--profile",
        choices=sorted(PROFILE_DEFAULTS),
        default="light",
        help="light: mixed feed sizes on 8 hosts; heavy: every feed ~130 KB of full-HTML "
        "items on one host; latency: light with 200 ms per connection and reply (light)",
    )
    p.add_argument("--feeds", type=positive, default=300, help="number of feeds (300)")
    p.add_argument("--items", type=positive, default=50, help="items per feed (50)")
    p.add_argument("--seed", type=int, default=1, help="seed for the synthetic feeds (1)")
    p.add_argument(
        "--hosts",
        type=positive,
        default=None,
        help="loopback addresses to spread feeds over, 1 = 127.0.0.1 only (the profile's)",
    )
    p.add_argument(
        "--max-connections",
        type=positive,
        default=None,
        help="newsterm [fetch] max_connections (default: newsterm's own)",
    )
    p.add_argument(
        "--per-host",
        type=positive,
        default=None,
        help="newsterm [fetch] per_host (default: newsterm's own)",
    )
    p.add_argument("--gzip", action="store_true", help="serve gzip to clients that accept it")
    p.add_argument(
        "--latency",
        type=float,
        default=None,
        help="seconds the server waits per new connection and per reply, like a distant "
        "server (the profile's; 0: loopback as it is, which measures client CPU only)",
    )
    p.add_argument(
        "--repeat", type=positive, default=3, help="runs of each phase; medians are reported (3)"
    )
    p.add_argument(
        "--run-timeout",
        type=float,
        default=300.0,
        help="seconds any one newsterm/newsboat run may take (300)",
    )
    p.add_argument("--skip-newsboat", action="store_true", help="do not run newsboat")
    p.add_argument(
        "--into",
        type=Path,
        help="also refresh into a copy of this big library (its feeds marked gone), "
        "e.g. one built by `python -m bench.harness.library PATH --items 5000`",
    )
    p.add_argument("--sweep", action="store_true", help="time a grid of fetch limits instead")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)
    for name, value in PROFILE_DEFAULTS[args.profile].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    with_newsboat = not args.skip_newsboat and not args.sweep and Path(NEWSBOAT).exists()
    if not args.skip_newsboat and not args.sweep and not with_newsboat:
        log(f"newsboat not found at {NEWSBOAT}: skipping it")
    with workdir(args.keep, "newsterm-bench-") as work:
        bench = Bench(args, work)
        header = (
            f"newsterm refresh benchmark, {args.profile} profile: "
            f"{args.feeds} feeds x {args.items} items "
            f"({bench.corpus.describe()}), {args.hosts} loopback host(s), "
            f"{os.cpu_count()} CPUs, gzip {'on' if args.gzip else 'off'}, "
            f"server latency {args.latency * 1000:g} ms, "
            f"{args.repeat} run(s) each\n"
        )
        startup = warm_up(bench.pycache)
        try:
            bench.server.ensure(bench.corpus.folders["base"], "validators", args.gzip)
            urls = bench.corpus.urls(addresses(args.hosts), bench.server.port)
            server_check = check_server(urls)
            log(f"server alone: {server_check['seconds']:.3f} s for every feed")
            if args.sweep:
                sweep = bench.sweep()
                if args.json:
                    print(strict_json(sweep))
                else:
                    print_sweep(sweep, header)
                return 0
            nt, nb = bench.phases(urls, with_newsboat)
        finally:
            bench.server.stop()
    rows = build_rows(args.feeds, args.items, nt, nb, server_check, startup)
    if args.json:
        print(
            strict_json(
                {
                    "config": vars(args),
                    "cpus": os.cpu_count(),
                    "feed_sizes": sorted(bench.corpus.sizes),
                    "atom_feeds": sum(s.kind == "atom" for s in bench.corpus.specs),
                    "server_check": server_check,
                    "startup_seconds": startup,
                    "newsterm": {k: [asdict(m) for m in v] for k, v in nt.items()},
                    "newsboat": {k: [asdict(m) for m in v] for k, v in nb.items()},
                    "rows": [asdict(r) for r in rows],
                }
            )
        )
    else:
        print_table(rows, header)
    return 1 if failed(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
