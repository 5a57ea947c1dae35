"""A small, fast HTTP/1.1 feed server for the refresh benchmark (stdlib only).

Run as its own process (``python bench/loopback_server.py --dir D --host 127.0.0.2 ...``) so
that serving never competes with the measured process for its GIL. It is an
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
import json
import signal
import sys
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

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
        common = (
            f"ETag: {etag}\r\nLast-Modified: {modified}\r\n"
            f"Content-Type: {entry['type']}; charset=utf-8\r\nCache-Control: max-age=300\r\n"
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
            data = sys.stdin.buffer.raw.read(4096)  # type: ignore[attr-defined]
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", required=True, help="folder holding manifest.json and the feeds")
    parser.add_argument("--host", action="append", required=True, help="address (repeatable)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=("validators", "ignore"), default="validators")
    parser.add_argument("--gzip", action="store_true", help="gzip bodies for clients that ask")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds; see the doc")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop after this long")
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
