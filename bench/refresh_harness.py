"""The moving parts of the refresh benchmark: feeds on disk, the feed server, the clients.

Kept apart from ``refresh.py`` (which decides what to run and prints the verdicts) so each
file stays readable. Everything here works on 127.0.0.x only.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import proctree
import synthetic_feeds

HERE = Path(__file__).resolve().parent
NEWSBOAT = shutil.which("newsboat") or "/usr/bin/newsboat"
_SUMMARY = re.compile(r"(\d+) feeds ok, (\d+) failed.*?, (\d+) new stories in ([\d.]+) s")
_PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def log(text: str) -> None:
    sys.stderr.write(f"[bench] {text}\n")
    sys.stderr.flush()


def child_env(pycache: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment for the measured programs.

    Proxy variables go: they would send loopback requests elsewhere. Byte-code caching is
    turned back on (this sandbox sets PYTHONDONTWRITEBYTECODE, which would make every
    newsterm start-up compile its own modules from source, as no installed newsterm does),
    with the cache under the benchmark's temporary folder so the source tree stays clean.
    """
    env = {k: v for k, v in os.environ.items() if k.lower() not in _PROXY_VARS}
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.update(extra)
    return env


# -- feeds -------------------------------------------------------------------------------


@dataclass
class Corpus:
    specs: list[synthetic_feeds.FeedSpec]
    folders: dict[str, Path]  # "base" / "changed" → folder with manifest.json
    sizes: list[int]  # bytes of each base feed

    def describe(self) -> str:
        sizes = sorted(self.sizes)
        atom = sum(s.kind == "atom" for s in self.specs)
        return (
            f"{sum(sizes) / 1e6:.1f} MB; {sizes[0] / 1e3:.0f}-{sizes[-1] / 1e3:.0f} KB, "
            f"median {sizes[len(sizes) // 2] / 1e3:.0f} KB, "
            f"{sum(s >= 50_000 for s in sizes)} of {len(sizes)} ≥ 50 KB; "
            f"{len(sizes) - atom} RSS / {atom} Atom"
        )


def write_corpus(root: Path, feeds: int, items: int, seed: int) -> Corpus:
    """Both variants of every feed, and the manifests the server reads."""
    specs = synthetic_feeds.plan(feeds, seed)
    folders: dict[str, Path] = {}
    sizes: list[int] = []
    for variant, shift in (("base", 0), ("changed", 1)):
        folder = root / variant
        folder.mkdir(parents=True)
        modified = synthetic_feeds.BASE_DATE + timedelta(hours=6 * (items + shift))
        manifest = {}
        for spec in specs:
            body = synthetic_feeds.render(spec, items, seed, shift)
            name = f"{spec.index:04d}.xml"
            (folder / name).write_bytes(body)
            manifest[spec.path] = {
                "file": name,
                "type": spec.content_type,
                "last_modified": format_datetime(modified, usegmt=True),
            }
            if variant == "base":
                sizes.append(len(body))
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        folders[variant] = folder
    return Corpus(specs, folders, sizes)


def addresses(hosts: int) -> list[str]:
    """The loopback addresses feeds are spread over: 127.0.0.1 alone, or 127.0.0.2 …"""
    if hosts <= 1:
        return ["127.0.0.1"]
    return [f"127.0.0.{2 + i}" for i in range(hosts)]


def feed_urls(corpus: Corpus, hosts: int, port: int) -> list[str]:
    spread = addresses(hosts)
    return [f"http://{spread[s.index % len(spread)]}:{port}{s.path}" for s in corpus.specs]


# -- the server --------------------------------------------------------------------------


class FeedServer:
    """``loopback_server.py`` in a child process; restartable, always on the same port."""

    def __init__(self, listen: Sequence[str], log_path: Path, latency: float = 0.0) -> None:
        self.listen = list(listen)
        self.latency = latency
        self.log_path = log_path
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.config: tuple[str, str, bool] | None = None

    def ensure(self, folder: Path, mode: str, use_gzip: bool) -> None:
        """Serve ``folder`` in ``mode``, restarting the server only if that changes."""
        config = (str(folder), mode, use_gzip)
        if self.config == config and self.proc is not None and self.proc.poll() is None:
            return
        self.stop()
        command = [
            sys.executable,
            str(HERE / "loopback_server.py"),
            "--dir",
            str(folder),
            "--port",
            str(self.port),
            "--mode",
            mode,
            "--max-seconds",
            "7200",
        ]
        for host in self.listen:
            command += ["--host", host]
        if use_gzip:
            command.append("--gzip")
        if self.latency:
            command += ["--latency", str(self.latency)]
        with self.log_path.open("ab") as server_log:
            self.proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=server_log,
                start_new_session=True,
                env=child_env(),
            )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 30.0)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"the feed server did not start; see {self.log_path}")
        self.port = int(line.split()[1])
        self.config = config

    def stop(self) -> None:
        proc, self.proc, self.config = self.proc, None, None
        if proc is None:
            return
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # the server stops when its stdin closes
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()

    def stats(self, reset: bool = False) -> dict[str, int]:
        conn = http.client.HTTPConnection(self.listen[0], self.port, timeout=10)
        try:
            conn.request("GET", "/_stats?reset=1" if reset else "/_stats")
            return dict(json.loads(conn.getresponse().read()))
        finally:
            conn.close()

    def cpu_seconds(self) -> float:
        if self.proc is None:
            return 0.0
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _raw_fetch_all(urls: Sequence[str], concurrency: int) -> int:
    """GET every URL over keep-alive connections; returns body bytes received."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    received = 0

    async def worker() -> None:
        nonlocal received
        conns: dict[str, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
        try:
            while not queue.empty():
                url = queue.get_nowait()
                host_port, _, path = url.removeprefix("http://").partition("/")
                if host_port not in conns:
                    host, _, port = host_port.partition(":")
                    conns[host_port] = await asyncio.open_connection(host, int(port))
                reader, writer = conns[host_port]
                writer.write(f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"Content-Length: (\d+)", head)
                assert length is not None
                received += len(await reader.readexactly(int(length.group(1))))
        finally:
            for _, writer in conns.values():
                writer.close()

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), 120)
    return received


def check_server(urls: Sequence[str]) -> dict[str, float]:
    """How fast the server serves every feed to a minimal client (best of 3)."""
    best = float("inf")
    received = 0
    for _ in range(3):
        started = time.perf_counter()
        received = asyncio.run(_raw_fetch_all(urls, 16))
        best = min(best, time.perf_counter() - started)
    return {"seconds": best, "requests_per_s": len(urls) / best, "mb_per_s": received / best / 1e6}


# -- measurements --------------------------------------------------------------------------


@dataclass
class Measure:
    """One run of one phase by one program."""

    wall: float
    ok: bool
    inner: float | None = None  # seconds newsterm reports for the refresh itself
    new_stories: int | None = None
    failed: int | None = None
    feeds_ok: int | None = None  # feeds fetched and stored (not failed, not skipped)
    stored: int = 0  # stories (newsterm) or rss_item rows (newsboat) after the run
    main_mb: float = 0.0
    workers_mb: list[float] = field(default_factory=list)  # parse workers
    helpers_mb: list[float] = field(default_factory=list)  # forkserver, resource tracker
    pss_total_mb: float = 0.0
    main_cpu: float = 0.0
    workers_cpu: float = 0.0  # every descendant
    server_cpu: float = 0.0
    others_cpu: float = 0.0  # other processes on the machine, the server's share taken out
    server: dict[str, int] = field(default_factory=dict)
    note: str = ""


def _measure(result: proctree.RunResult, server: FeedServer, server_cpu_before: float) -> Measure:
    server_cpu = server.cpu_seconds() - server_cpu_before
    return Measure(
        wall=result.wall,
        ok=result.returncode == 0,
        main_mb=result.root.hwm_kb / 1024,
        workers_mb=[p.hwm_kb / 1024 for p in result.descendants if p.role == "worker"],
        helpers_mb=[p.hwm_kb / 1024 for p in result.descendants if p.role != "worker"],
        pss_total_mb=result.peak_pss_sum_kb / 1024,
        main_cpu=result.root.cpu,
        workers_cpu=sum(p.cpu for p in result.descendants),
        server_cpu=server_cpu,
        others_cpu=max(0.0, result.others_cpu - server_cpu),
        server=server.stats(),
        note="" if result.returncode == 0 else (result.stderr.strip()[-400:] or "failed"),
    )


def count_rows(db: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


# -- newsterm ----------------------------------------------------------------------------


def newsterm_command() -> list[str]:
    script = Path(sys.executable).parent / "newsterm"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def warm_up(pycache: Path) -> float:
    """Fill the byte-code cache as an installed newsterm has it; returns ``--version`` time.

    The parse worker's modules are imported too: the forkserver preloads them.
    """
    subprocess.run(
        [sys.executable, "-c", "import tui.cli, tui.core.library, tui.core.workers.feeds"],
        env=child_env(pycache),
        check=True,
        timeout=120,
    )
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [*newsterm_command(), "--version"],
            env=child_env(pycache),
            check=True,
            capture_output=True,
            timeout=60,
        )
        best = min(best, time.perf_counter() - started)
    return best


def subscribe(db: Path, urls: Sequence[str]) -> None:
    """Subscribe an empty library to every feed (not timed)."""
    from tui.core.library import Library
    from tui.core.models import Subscription

    with Library(db) as library:
        report = library.subscribe_all([Subscription(url=u) for u in urls])
    if len(report.added) != len(urls):
        raise RuntimeError(f"subscribing added {len(report.added)} of {len(urls)} feeds")


def copy_library(source: Path, target: Path) -> Path:
    """A copy of a closed library file (with its WAL, should one have been left behind)."""
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))
    return target


def write_config(path: Path, max_connections: int | None, per_host: int | None) -> Path:
    lines = ["[fetch]"]
    if max_connections is not None:
        lines.append(f"max_connections = {max_connections}")
    if per_host is not None:
        lines.append(f"per_host = {per_host}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_newsterm(
    db: Path, config: Path, server: FeedServer, timeout: float, pycache: Path, feeds: int
) -> Measure:
    """``newsterm --db DB --config CONFIG refresh``, timed from outside."""
    server.stats(reset=True)
    cpu = server.cpu_seconds()
    result = proctree.run(
        [*newsterm_command(), "--db", str(db), "--config", str(config), "refresh"],
        timeout=timeout,
        env=child_env(pycache),
    )
    measure = _measure(result, server, cpu)
    found = _SUMMARY.search(result.stdout)
    if found:
        measure.feeds_ok = int(found.group(1))
        measure.failed = int(found.group(2))
        measure.new_stories = int(found.group(3))
        measure.inner = float(found.group(4))
    elif measure.ok:
        measure.ok = False
        measure.note = f"no summary in the output: {result.stdout.strip()[-300:]!r}"
    if measure.ok and (measure.failed or measure.feeds_ok != feeds):
        # A feed that failed is skipped (backing off) next time: every later figure
        # would be for fewer feeds, so the run does not count.
        measure.ok = False
        measure.note = (
            f"{measure.feeds_ok} of {feeds} feeds ok, {measure.failed} failed: "
            f"{result.stdout.strip()[-300:]!r}"
        )
    measure.stored = count_rows(db, "SELECT count(*) FROM stories")
    return measure


# -- newsboat ----------------------------------------------------------------------------


def prepare_newsboat(folder: Path, urls: Sequence[str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "home").mkdir()
    (folder / "urls").write_text("\n".join(urls) + "\n", encoding="utf-8")
    (folder / "config").write_text(
        "reload-threads 16\nauto-reload no\nshow-read-feeds yes\ndownload-timeout 30\n"
        "download-retries 1\n",
        encoding="utf-8",
    )
    return folder


def run_newsboat(folder: Path, server: FeedServer, timeout: float) -> Measure:
    """``newsboat -x reload`` with its own cache, config and urls file in ``folder``."""
    server.stats(reset=True)
    cpu = server.cpu_seconds()
    cache = folder / "cache.db"
    home = str(folder / "home")
    result = proctree.run(
        [
            NEWSBOAT,
            "-c",
            str(cache),
            "-C",
            str(folder / "config"),
            "-u",
            str(folder / "urls"),
            "-x",
            "reload",
        ],
        timeout=timeout,
        env=child_env(HOME=home, XDG_CONFIG_HOME=home, XDG_DATA_HOME=home, LANG="C.UTF-8"),
        cwd=folder,
    )
    measure = _measure(result, server, cpu)
    measure.stored = count_rows(cache, "SELECT count(*) FROM rss_item") if cache.exists() else 0
    return measure
