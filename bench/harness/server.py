"""The loopback feed server: a small, fast HTTP/1.1 server, and :class:`FeedServer`, the
handle a benchmark holds on it.

The server runs as its own process (``python -m bench.harness.server --dir D --host
127.0.0.2 ...``, started by :class:`FeedServer`) so that serving never competes with the
measured process for its GIL. It is an
``asyncio.start_server`` loop with keep-alive, serving bodies held in memory with headers
built once, from a manifest the benchmark writes (``manifest.json``: URL path → file,
content type, Last-Modified).

Validators: every 200 carries an ``ETag`` (a hash of the body) and ``Last-Modified``. In
``--mode validators`` a request whose ``If-None-Match`` matches (or, without one, whose
``If-Modified-Since`` is not older than ``Last-Modified``) gets ``304 Not Modified``; in
``--mode ignore`` every request gets the full 200, like the many servers that ignore
validators. With ``--gzip`` a client that accepts gzip gets the body gzip-compressed (level
6, compressed once at start); without it bodies go out as they are.

It listens on every ``--host`` address with one port (all of 127.0.0.0/8 is loopback on
Linux, so the benchmark can look like several hosts), prints ``READY <port>`` once
listening, and stops when its standard input closes (the benchmark went away), on
SIGTERM/SIGINT, or after ``--max-seconds`` whatever happens. ``GET /_stats`` answers JSON
counters; ``GET /_stats?reset=1`` also zeroes them.

``--latency S`` makes it behave like a distant server: every new connection waits S
seconds before its first request is read (the TCP/TLS handshake a real client pays) and
every reply waits S seconds (the time to first byte). Loopback has no latency of its own,
so without it only client CPU cost is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import hashlib
import http.client
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from bench.harness.proctree import read_cpu
from bench.harness.workspace import child_env

_IDLE_SECONDS = 30.0  # a keep-alive connection idle this long is closed
_MAX_HEAD = 64 * 1024


@dataclass(frozen=True, slots=True)
class _Resource:
    etag: str
    last_modified: str
    modified_at: float
    head_200: bytes
    body: bytes
    head_200_gzip: bytes
    body_gzip: bytes
    head_304: bytes


def _load(directory: Path, use_gzip: bool) -> dict[str, _Resource]:
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    resources = {}
    for path, entry in manifest.items():
        body = (directory / entry["file"]).read_bytes()
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'
        modified = entry["last_modified"]
        # No Cache-Control: newsterm takes max-age as the feed's own refresh hint, and each
        # phase refreshes moments after the last, which would then find no feed due.
        common = (
            f"ETag: {etag}\r\nLast-Modified: {modified}\r\n"
            f"Content-Type: {entry['type']}; charset=utf-8\r\n"
        )
        packed = gzip.compress(body, 6, mtime=0) if use_gzip else b""
        resources[path] = _Resource(
            etag=etag,
            last_modified=modified,
            modified_at=parsedate_to_datetime(modified).timestamp(),
            head_200=f"HTTP/1.1 200 OK\r\n{common}Content-Length: {len(body)}\r\n".encode(),
            body=body,
            head_200_gzip=(
                f"HTTP/1.1 200 OK\r\n{common}Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"
                f"Content-Length: {len(packed)}\r\n"
            ).encode(),
            body_gzip=packed,
            head_304=f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nLast-Modified: {modified}\r\n"
            "Content-Length: 0\r\n".encode(),
        )
    return resources


class _Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.connections = 0
        self.requests = 0
        self.ok = 0
        self.not_modified = 0
        self.not_found = 0
        self.gzip = 0
        self.body_bytes = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def _not_modified(resource: _Resource, headers: dict[str, str]) -> bool:
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or resource.etag in tags
    since = headers.get("if-modified-since")
    if since:
        try:
            return parsedate_to_datetime(since).timestamp() >= resource.modified_at
        except (TypeError, ValueError, IndexError):
            return False
    return False


class _Server:
    def __init__(
        self, resources: dict[str, _Resource], mode: str, use_gzip: bool, latency: float
    ) -> None:
        self.resources = resources
        self.latency = latency
        self.honour_validators = mode == "validators"
        self.use_gzip = use_gzip
        self.stats = _Stats()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        try:
            if self.latency:
                await asyncio.sleep(self.latency)  # the handshake
            while True:  # one request per turn; ends on close, error or idle timeout
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _IDLE_SECONDS)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                    return
                if self.latency and not head.startswith(b"GET /_stats"):
                    await asyncio.sleep(self.latency)  # time to first byte
                keep_alive = self.answer(head, writer)
                await writer.drain()
                if not keep_alive:
                    return
        except ConnectionError:
            return
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def answer(self, head: bytes, writer: asyncio.StreamWriter) -> bool:
        """Write the reply to one request; whether the connection stays open."""
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        method, target = (parts[0], parts[1]) if len(parts) >= 2 else ("", "")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        keep_alive = headers.get("connection", "").lower() != "close" and parts[-1] == "HTTP/1.1"
        connection = b"Connection: keep-alive\r\n" if keep_alive else b"Connection: close\r\n"
        date = f"Date: {formatdate(usegmt=True)}\r\n".encode()
        self.stats.requests += 1
        path, _, query = target.partition("?")
        if path == "/_stats":
            body = json.dumps(self.stats.as_dict()).encode()
            if "reset=1" in query:
                self.stats.reset()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n".encode()
                + connection
                + date
                + b"\r\n"
                + body
            )
            return keep_alive
        resource = self.resources.get(path)
        if resource is None or method not in ("GET", "HEAD"):
            self.stats.not_found += 1
            writer.write(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n"
                + connection
                + date
                + b"\r\nnot found"
            )
            return keep_alive
        if self.honour_validators and _not_modified(resource, headers):
            self.stats.not_modified += 1
            writer.write(resource.head_304 + connection + date + b"\r\n")
            return keep_alive
        self.stats.ok += 1
        if self.use_gzip and "gzip" in headers.get("accept-encoding", ""):
            self.stats.gzip += 1
            head_bytes, body_bytes = resource.head_200_gzip, resource.body_gzip
        else:
            head_bytes, body_bytes = resource.head_200, resource.body
        self.stats.body_bytes += len(body_bytes)
        writer.write(head_bytes + connection + date + b"\r\n")
        if method == "GET":
            writer.write(body_bytes)
        return keep_alive


async def _serve(args: argparse.Namespace) -> None:
    resources = _load(Path(args.dir), args.gzip)
    server = _Server(resources, args.mode, args.gzip, args.latency)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    def stdin_readable() -> None:
        try:
            data = os.read(sys.stdin.fileno(), 4096)
        except OSError:
            data = b""
        if not data:  # the benchmark closed the pipe or died
            loop.remove_reader(sys.stdin.fileno())
            stop.set()

    loop.add_reader(sys.stdin.fileno(), stdin_readable)
    listeners = []
    port = args.port
    for host in args.host:
        # The first address picks a free port; the others (other loopback addresses) reuse it.
        listener = await asyncio.start_server(
            server.handle, host, port, backlog=1024, limit=_MAX_HEAD, reuse_address=True
        )
        port = listener.sockets[0].getsockname()[1]
        listeners.append(listener)
    sys.stdout.write(f"READY {port}\n")
    sys.stdout.flush()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), args.max_seconds)
    for listener in listeners:
        listener.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.harness.server",
        description="the benchmarks' loopback feed server (see the module doc)",
    )
    parser.add_argument("--dir", required=True, help="folder holding manifest.json and the feeds")
    parser.add_argument("--host", action="append", required=True, help="address (repeatable)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=("validators", "ignore"), default="validators")
    parser.add_argument("--gzip", action="store_true", help="gzip bodies for clients that ask")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds; see the doc")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop after this long")
    asyncio.run(_serve(parser.parse_args()))


# -- the handle ------------------------------------------------------------------------------

_ROOT = Path(__file__).resolve().parents[2]  # the project: where ``bench`` imports from


def addresses(hosts: int) -> list[str]:
    """The loopback addresses feeds are spread over: 127.0.0.1 alone, or 127.0.0.2 …"""
    if hosts <= 1:
        return ["127.0.0.1"]
    return [f"127.0.0.{2 + i}" for i in range(hosts)]


class FeedServer:
    """The server in a child process; restartable, always on the same port."""

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
            "-m",
            "bench.harness.server",
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
                cwd=_ROOT,
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
        return read_cpu(self.proc.pid) or 0.0


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


if __name__ == "__main__":
    main()
