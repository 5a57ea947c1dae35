"""A loopback HTTP proxy in front of a real sync server, for the tests of a sync that breaks
half-way.

Every request is passed on to the server and its answer handed back, except the ones a test
has asked about: the next request that matches a rule is answered with a 500, with an HTML
page (a captive portal, a login page), or with the server's own JSON cut in half; or its
answer is held back until the test lets it go, so that the test can act while a sync waits
on it. Requests are matched on what a test can name: method, path, query and body.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

import httpx

Failure = Literal["500", "html", "truncated"]
FAILURES: tuple[Failure, ...] = ("500", "html", "truncated")

#: Headers that describe one hop, not the message: never passed on.
_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "accept-encoding",  # the answer is read decoded and sent on as it is
    "host",
}
_HTML = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
    b"<body><form><input name=password></form></body></html>"
)


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as the proxy saw it."""

    method: str
    path: str
    query: str
    body: bytes


Match = Callable[[Seen], bool]


@dataclass
class Hold:
    """An answer held back: ``arrived`` is set once the server has answered and the answer
    waits; :meth:`release` sends it on."""

    where: Match
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()


@dataclass
class _Rule:
    how: Failure
    where: Match
    times: int


class SyncProxy:
    """``with SyncProxy(miniflux.url) as proxy: proxy.fail("500", where)``; ``proxy.base``
    is the address to give the client."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self._rules: list[_Rule] = []
        self._holds: list[Hold] = []
        self._every_hold: list[Hold] = []
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=60, follow_redirects=False)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body in one write, sent at once: no wait on delayed ACKs.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass

            def handle(self) -> None:
                with contextlib.suppress(ConnectionError):
                    super().handle()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                seen = Seen(self.command, path, query, body)
                status, headers, content = proxy._answer(seen, dict(self.headers.items()))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(content)
                    self.wfile.flush()

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def fail(self, how: Failure, where: Match, *, times: int = 1) -> None:
        """Answer the next ``times`` requests that match ``where`` wrongly: with a 500 or an
        HTML page (the server never hears of them), or with the server's answer cut in half
        (the server did what was asked, the client cannot read that it did)."""
        with self._lock:
            self._rules.append(_Rule(how, where, times))

    def hold(self, where: Match) -> Hold:
        """Hold back the server's answer to the next request that matches ``where``."""
        held = Hold(where)
        with self._lock:
            self._holds.append(held)
            self._every_hold.append(held)
        return held

    def pending(self) -> int:
        """Failures asked for that no request has met yet."""
        with self._lock:
            return sum(rule.times for rule in self._rules)

    def _take(self, seen: Seen) -> tuple[_Rule | None, Hold | None]:
        with self._lock:
            rule = next((r for r in self._rules if r.where(seen)), None)
            if rule is not None:
                rule.times -= 1
                if rule.times <= 0:
                    self._rules.remove(rule)
            held = next((h for h in self._holds if h.where(seen)), None)
            if held is not None:
                self._holds.remove(held)
        return rule, held

    def _answer(self, seen: Seen, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        rule, held = self._take(seen)
        if rule is not None and rule.how == "500":
            return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"
        if rule is not None and rule.how == "html":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, _HTML
        try:
            response = self._client.request(
                seen.method,
                self.upstream + seen.path + (f"?{seen.query}" if seen.query else ""),
                headers={k: v for k, v in headers.items() if k.lower() not in _HOP},
                content=seen.body,
            )
        except httpx.HTTPError:
            return 502, {"Content-Type": "text/plain"}, b"Bad Gateway"
        passed = {k: v for k, v in response.headers.items() if k.lower() not in _HOP}
        content = response.content
        if rule is not None:  # truncated: the server's own answer, cut off half-way
            content = content[: len(content) // 2]
        if held is not None:
            held.arrived.set()
            held.released.wait(60)
        return response.status_code, passed, content

    def __enter__(self) -> SyncProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            for held in self._every_hold:
                held.release()  # a test that failed while holding must not hang the server
        self._httpd.shutdown()
        self._httpd.server_close()
        self._client.close()
