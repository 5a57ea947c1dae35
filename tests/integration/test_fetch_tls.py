"""Fetching feeds over TLS, through newsterm's own network layer (tui/core/fetch/network.py).

A real https server on 127.0.0.1, with certificates from a throwaway CA (trustme) that the
fetcher is made to trust; nothing in httpx or the network layer is mocked. The fetcher's
TLS context is still built by its own function, so whatever that function sets up
(verification, hostname checks) is what these tests exercise.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socket import socket
from typing import Any

import pytest
import trustme

from tests.support.feeds import items, rss
from tests.support.feedserver import Reply, Request, feed_reply
from tui.core.fetch import http
from tui.core.fetch.http import Fetcher, FetchKind, FetchResult
from tui.core.fetch.network import _HIGH_WATER
from tui.core.settings import FetchSettings

FEED = rss(items(3))
MB = 1024 * 1024
HOST = "127.0.0.1"


class TLSFeedServer:
    """``with TLSFeedServer(cert, route) as server: server.url("/feed")``: https on
    127.0.0.1 in a thread, one route for every path. It counts the TCP connections it
    accepts, keeps the TLS handshakes that failed, and with ``hang_up=True`` closes each
    connection after its reply without saying so (no ``Connection: close``), as a server
    whose keep-alive timer ran out does."""

    def __init__(
        self, cert: trustme.LeafCert, route: Callable[[Request], Reply], *, hang_up: bool = False
    ) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.requests: list[Request] = []
        self.accepted = 0
        self.failed_handshakes: list[BaseException] = []
        self.hung_up = threading.Event()  # set once a connection has been closed by us
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def handle(self) -> None:
                # The handshake here, in the connection's thread, not in accept(): a client
                # refusing our certificate must not stall the server.
                try:
                    self.request.do_handshake()
                except (ssl.SSLError, OSError) as error:
                    owner.failed_handshakes.append(error)
                    return
                with contextlib.suppress(ConnectionError):
                    super().handle()

            def do_GET(self) -> None:
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
                owner.requests.append(request)
                reply = route(request)
                assert isinstance(reply.body, bytes)
                self.send_response(reply.status)
                self.send_header("Content-Length", str(len(reply.body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(reply.body)
                self.wfile.flush()
                self.close_connection = hang_up

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self) -> tuple[Any, Any]:
                sock, address = super().get_request()
                owner.accepted += 1
                wrapped = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
                return wrapped, address

            def shutdown_request(self, request: Any) -> None:
                super().shutdown_request(request)
                owner.hung_up.set()

        self._httpd = Server((HOST, 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"https://{HOST}:{self._httpd.server_address[1]}{path}"

    def __enter__(self) -> TLSFeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(autouse=True)
def trust_test_ca(ca: trustme.CA, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fetcher's own TLS context (its function, uncached), plus trust in the test CA;
    put back by monkeypatch after each test."""
    context = http._tls_context.__wrapped__()
    ca.configure_trust(context)
    monkeypatch.setattr(http, "_tls_context", lambda: context)


@contextlib.contextmanager
def tls_server(
    cert: trustme.LeafCert, route: Callable[[Request], Reply] | Reply, *, hang_up: bool = False
) -> Iterator[TLSFeedServer]:
    handler = route if callable(route) else (lambda _request: route)
    with TLSFeedServer(cert, handler, hang_up=hang_up) as server:
        yield server


async def fetch(url: str, settings: FetchSettings | None = None) -> FetchResult:
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url)


# -- 1. a feed over https, and its connection kept ---------------------------------------


async def test_an_https_feed_arrives_whole_and_a_304_reuses_the_connection(
    ca: trustme.CA,
) -> None:
    etag = '"v1-abc"'

    def route(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return feed_reply(FEED, ETag=etag, **{"X-Feed-Id": "7"})

    with tls_server(ca.issue_cert(HOST, "localhost"), route) as server:
        async with Fetcher() as fetcher:
            first = await fetcher.fetch(server.url("/feed"))
            second = await fetcher.fetch(server.url("/feed"), etag=first.etag)

    assert first.kind is FetchKind.OK, first.error
    assert first.body == FEED
    assert first.etag == etag
    assert first.headers["etag"] == etag
    assert first.headers["content-type"] == "application/rss+xml"
    assert first.headers["x-feed-id"] == "7"
    assert second.kind is FetchKind.NOT_MODIFIED, second.error
    assert second.status_code == 304
    unconditional, conditional = server.requests
    assert "if-none-match" not in unconditional.headers
    assert conditional.headers["if-none-match"] == etag
    assert server.accepted == 1  # the second request went over the first connection
    assert server.failed_handshakes == []


# -- 2. flow control under TLS -----------------------------------------------------------


async def test_a_body_far_over_the_read_high_water_mark_arrives_complete(
    ca: trustme.CA,
) -> None:
    # Not one repeated byte: a lost or repeated chunk would still compare equal.
    body = b"".join(i.to_bytes(4, "big") for i in range(3 * MB // 4))
    assert len(body) > 10 * _HIGH_WATER
    assert len(body) < FetchSettings().max_body_bytes

    with tls_server(ca.issue_cert(HOST), feed_reply(body)) as server:
        result = await fetch(server.url("/big"))

    assert result.kind is FetchKind.OK, result.error
    assert len(result.body) == len(body)
    assert result.body == body


# -- 3. certificates that must be refused ------------------------------------------------


def assert_refused_certificate(result: FetchResult, server: TLSFeedServer) -> None:
    assert result.kind is FetchKind.ERROR
    assert result.network_error
    assert result.error.startswith(f"Secure connection to {HOST} failed (TLS: ")
    assert "certificate verify failed" in result.error
    assert result.body == b""
    assert server.requests == []  # not one request was sent over it
    assert server.failed_handshakes  # the server saw the client hang up mid-handshake


async def test_a_certificate_from_an_unknown_ca_is_refused() -> None:
    stranger = trustme.CA()  # not trusted by the fetcher

    with tls_server(stranger.issue_cert(HOST, "localhost"), feed_reply(FEED)) as server:
        result = await fetch(server.url("/feed"))

    assert_refused_certificate(result, server)


async def test_a_certificate_for_another_host_is_refused(ca: trustme.CA) -> None:
    with tls_server(ca.issue_cert("feeds.example.org"), feed_reply(FEED)) as server:
        result = await fetch(server.url("/feed"))

    assert_refused_certificate(result, server)
    assert "mismatch" in result.error


# -- 4. a server that hangs up on an idle connection ------------------------------------


async def test_a_connection_the_server_closed_while_idle_is_opened_again(
    ca: trustme.CA,
) -> None:
    with tls_server(ca.issue_cert(HOST), feed_reply(FEED), hang_up=True) as server:
        async with Fetcher() as fetcher:
            first = await fetcher.fetch(server.url("/feed"))
            # Between the two fetches the server has closed the first connection, which
            # the fetcher still holds as idle and reusable.
            assert await asyncio.to_thread(server.hung_up.wait, 5)
            second = await fetcher.fetch(server.url("/feed"))

    assert first.kind is FetchKind.OK, first.error
    assert second.kind is FetchKind.OK, second.error
    assert second.body == FEED
    assert len(server.requests) == 2
    assert server.accepted == 2


# -- 5. a server that never answers the handshake ---------------------------------------


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[tuple[int, list[socket]]]:
    """Accepts TCP connections and never says a word: no ServerHello, no close."""
    accepted: list[socket] = []
    release = asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer.get_extra_info("socket"))
        await release.wait()
        writer.close()

    server = await asyncio.start_server(hold, HOST, 0)
    try:
        yield server.sockets[0].getsockname()[1], accepted
    finally:
        release.set()
        server.close()
        await server.wait_closed()


async def test_a_server_silent_during_the_handshake_times_out() -> None:
    settings = FetchSettings(connect_timeout=0.5, read_timeout=0.5, deadline=30.0)

    async with silent_server() as (port, accepted):
        async with asyncio.timeout(10):  # fail, not hang, if the timeout is not enforced
            result = await fetch(f"https://{HOST}:{port}/feed", settings)

    assert len(accepted) == 1  # TCP got through; TLS is what never finished
    assert result.kind is FetchKind.ERROR
    assert result.network_error
    assert result.error == f"Timed out connecting to {HOST}."
