"""A real HTTP server on 127.0.0.1 for tests and benchmarks, with scriptable routes.

Each route is a function ``(request) -> Reply``; the server runs in a thread and records
every request (path and headers) so tests can check conditional GETs, User-Agent, etc.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    path: str
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_per_chunk: float = 0.0  # seconds between chunks: a drip feed


Route = Callable[[Request], Reply]


def feed_reply(body: bytes, content_type: str = "application/rss+xml", **headers: str) -> Reply:
    return Reply(200, body, {"Content-Type": content_type, **headers})


def range_reply(request: Request, body: bytes, headers: dict[str, str]) -> Reply | None:
    """The rest of ``body`` from where the request's ``Range: bytes=N-`` asks (206, with
    its Content-Range), as a server that resumes downloads answers; None without one."""
    asked = request.headers.get("range")
    if not asked:
        return None
    start = int(asked.removeprefix("bytes=").split("-")[0])
    ranged = {**headers, "Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"}
    return Reply(206, body[start:], ranged)


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body)


class FeedServer:
    """``with FeedServer() as server: server.route("/feed", fn); server.url("/feed")``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def handle(self) -> None:
                # The client may hang up mid-reply, as fetchers under test do on purpose.
                with contextlib.suppress(ConnectionError):
                    super().handle()

            def do_GET(self) -> None:
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
                server.requests.append(request)
                route = server.routes.get(self.path.split("?")[0])
                reply = route(request) if route else Reply(404, b"not found")
                self.send_response(reply.status)
                chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
                if isinstance(reply.body, bytes):
                    self.send_header("Content-Length", str(len(reply.body)))
                else:
                    self.send_header("Transfer-Encoding", "chunked")
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    for chunk in chunks:
                        if reply.delay_per_chunk:
                            time.sleep(reply.delay_per_chunk)
                        if isinstance(reply.body, bytes):
                            self.wfile.write(chunk)
                        else:
                            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.flush()
                    if not isinstance(reply.body, bytes):
                        self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_POST(self) -> None:
                # A form POST (a sync API's login, say) is routed like a GET once its body
                # is read off the connection.
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(min(length, 1 << 20))
                self.do_GET()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, handler: Route | Reply) -> None:
        self.routes[path] = handler if callable(handler) else (lambda _request, r=handler: r)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
