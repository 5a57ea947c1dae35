"""Fetching feeds: etiquette, validators, redirects, limits and failures.

Every test talks to the real loopback server in ``tests/support/feedserver.py`` (or to real
files and real closed ports); nothing in httpx is mocked.
"""

from __future__ import annotations

import asyncio
import errno
import os
import resource
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

import tui
from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, Reply, Request, feed_reply, gzipped
from tui.core.fetch.http import Fetcher, FetchKind, FetchResult
from tui.core.settings import FetchSettings

FEED = rss(items(3))
MB = 1024 * 1024


async def fetch(
    url: str,
    settings: FetchSettings | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, etag=etag, last_modified=last_modified)


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown, so that server threads stalling or dripping on purpose end."""
    event = threading.Event()
    yield event
    event.set()


# -- 1. etiquette ----------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "compress"), [("gzip", gzipped), ("deflate", zlib.compress)])
async def test_requests_are_polite_and_compressed_bodies_are_decoded(
    server: FeedServer, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    server.route("/feed", feed_reply(compress(FEED), **{"Content-Encoding": encoding}))

    result = await fetch(server.url("/feed"))

    assert result.kind is FetchKind.OK, result.error
    assert result.body == FEED
    (request,) = server.hits("/feed")
    agent = request.headers["user-agent"]
    assert "newsterm" in agent.lower()
    assert tui.__version__ in agent
    accept = request.headers["accept"]
    for feed_type in ("application/rss+xml", "application/atom+xml", "application/feed+json"):
        assert feed_type in accept
    offered = {e.split(";")[0].strip() for e in request.headers["accept-encoding"].split(",")}
    assert "gzip" in offered
    # Only what the fetcher decodes itself under the size cap: no br, no zstd.
    assert offered <= {"gzip", "deflate", "identity"}


# -- 2. conditional GET ----------------------------------------------------------------


async def test_validators_are_kept_verbatim_and_sent_back_for_a_304(server: FeedServer) -> None:
    etag = 'W/"abc"'
    last_modified = "tuesday, 15-Nov-94 12:45:26 GMT (roughly)"

    def route(request: Request) -> Reply:
        if (
            request.headers.get("if-none-match") == etag
            and request.headers.get("if-modified-since") == last_modified
        ):
            return Reply(304)
        return feed_reply(FEED, ETag=etag, **{"Last-Modified": last_modified})

    server.route("/feed", route)
    url = server.url("/feed")

    async with Fetcher() as fetcher:
        first = await fetcher.fetch(url)
        second = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)

    assert first.kind is FetchKind.OK
    assert first.body == FEED
    assert first.etag == etag
    assert first.last_modified == last_modified
    unconditional, conditional = server.hits("/feed")
    assert "if-none-match" not in unconditional.headers
    assert "if-modified-since" not in unconditional.headers
    assert conditional.headers["if-none-match"] == etag
    assert conditional.headers["if-modified-since"] == last_modified
    assert second.kind is FetchKind.NOT_MODIFIED
    assert second.status_code == 304
    assert second.body == b""


# -- 3. permanent and temporary redirects ----------------------------------------------


@pytest.mark.parametrize(
    ("codes", "permanent"),
    [
        ((301,), True),
        ((308,), True),
        ((302,), False),
        ((307,), False),
        ((301, 302), False),
        ((302, 301), False),
        ((301, 301), True),
        ((308, 301), True),
    ],
)
async def test_subscription_moves_only_when_every_redirect_is_permanent(
    server: FeedServer, codes: tuple[int, ...], permanent: bool
) -> None:
    for hop, code in enumerate(codes):
        server.route(f"/hop{hop}", Reply(code, b"", {"Location": f"/hop{hop + 1}"}))
    last = server.url(f"/hop{len(codes)}")
    server.route(f"/hop{len(codes)}", feed_reply(FEED))

    result = await fetch(server.url("/hop0"))

    assert result.kind is FetchKind.OK, result.error
    assert result.body == FEED
    assert result.url == server.url("/hop0")
    assert result.final_url == last
    assert result.permanent_url == (last if permanent else None)


# -- 4. redirects that must not be followed --------------------------------------------


async def test_a_redirect_loop_is_an_error(server: FeedServer) -> None:
    server.route("/a", Reply(301, b"", {"Location": "/b"}))
    server.route("/b", Reply(302, b"", {"Location": "/a"}))

    result = await fetch(server.url("/a"))

    assert result.kind is FetchKind.ERROR
    assert "loop" in result.error.lower()
    assert [r.path for r in server.requests] == ["/a", "/b"]


async def test_five_redirects_are_followed_and_six_are_too_many(server: FeedServer) -> None:
    for hop in range(6):
        server.route(f"/r{hop}", Reply(302, b"", {"Location": f"/r{hop + 1}"}))
    server.route("/r6", feed_reply(FEED))

    five = await fetch(server.url("/r1"))
    server.requests.clear()
    six = await fetch(server.url("/r0"))

    assert five.kind is FetchKind.OK, five.error
    assert five.body == FEED
    assert six.kind is FetchKind.ERROR
    assert "Too many redirects" in six.error
    assert [r.path for r in server.requests] == [f"/r{hop}" for hop in range(6)]


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("file:///etc/passwd", "not http(s)"),
        ("ftp://example.org/feed.xml", "not http(s)"),
        # httpx itself refuses to parse this Location; still a sentence, not an exception.
        ("javascript:alert(1)", "Cannot fetch"),
    ],
)
async def test_redirects_away_from_http_are_refused(
    server: FeedServer, target: str, reason: str
) -> None:
    server.route("/feed", Reply(302, b"", {"Location": target}))

    result = await fetch(server.url("/feed"))

    assert result.kind is FetchKind.ERROR
    assert reason in result.error
    assert result.body == b""
    assert [r.path for r in server.requests] == ["/feed"]


async def test_a_redirect_to_a_local_file_never_opens_it(
    server: FeedServer, tmp_path: Path
) -> None:
    # A FIFO tells whether anyone opened it: opening it for writing without blocking
    # fails with ENXIO unless a reader is waiting on the other end.
    secret = tmp_path / "secret"
    os.mkfifo(secret)
    server.route("/feed", Reply(301, b"", {"Location": secret.as_uri()}))

    result = await fetch(server.url("/feed"), FetchSettings(deadline=1.0))

    try:
        writer = os.open(secret, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        assert error.errno == errno.ENXIO
    else:
        os.close(writer)  # lets the stuck reader thread finish
        pytest.fail("the fetcher opened a file:// URL it was redirected to")
    assert result.kind is FetchKind.ERROR
    assert "not http(s)" in result.error


@pytest.mark.parametrize("url", ["http://[::1", "ftp://example.org/feed.xml", "feed.xml"])
async def test_urls_newsterm_cannot_fetch_are_errors_not_exceptions(url: str) -> None:
    result = await fetch(url)

    assert result.kind is FetchKind.ERROR
    assert url in result.error


# -- 5. gone, slow down, server errors -------------------------------------------------


async def test_410_means_gone(server: FeedServer) -> None:
    server.route("/feed", Reply(410, b"gone"))

    result = await fetch(server.url("/feed"))

    assert result.kind is FetchKind.GONE
    assert result.status_code == 410


def _close_to(moment: datetime | None, expected: datetime, slack: float = 5.0) -> bool:
    return moment is not None and abs((moment - expected).total_seconds()) <= slack


async def test_retry_after_in_seconds(server: FeedServer) -> None:
    server.route("/feed", Reply(429, b"", {"Retry-After": "120"}))

    result = await fetch(server.url("/feed"))

    assert result.kind is FetchKind.RETRY_LATER
    assert result.status_code == 429
    assert _close_to(result.retry_after, datetime.now(UTC) + timedelta(seconds=120))


@pytest.mark.parametrize("gmt", [True, False], ids=["GMT", "offset"])
async def test_retry_after_as_an_http_date(server: FeedServer, gmt: bool) -> None:
    moment = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    header = (
        format_datetime(moment, usegmt=True)
        if gmt
        else format_datetime(moment.astimezone(timezone(timedelta(hours=2))))
    )
    server.route("/feed", Reply(503, b"", {"Retry-After": header}))

    result = await fetch(server.url("/feed"))

    assert result.kind is FetchKind.RETRY_LATER
    assert result.status_code == 503
    assert result.retry_after == moment
    assert result.retry_after is not None
    assert result.retry_after.utcoffset() == timedelta(0)  # the error sentence says UTC


@pytest.mark.parametrize(
    "header",
    [
        "31536000",
        format_datetime(datetime.now(UTC) + timedelta(days=365), usegmt=True),
        "9" * 40,  # would overflow a timedelta
    ],
    ids=["seconds", "date", "huge"],
)
async def test_retry_after_is_capped_at_a_week(server: FeedServer, header: str) -> None:
    server.route("/feed", Reply(429, b"", {"Retry-After": header}))

    result = await fetch(server.url("/feed"))

    assert result.kind is FetchKind.RETRY_LATER
    assert _close_to(result.retry_after, datetime.now(UTC) + timedelta(days=7))


@pytest.mark.parametrize("header", ["soon", "", "-5", "12.5", "\u00b2", "Mon, 99 Foo 2026"])
async def test_a_garbage_retry_after_is_ignored(server: FeedServer, header: str) -> None:
    server.route("/feed", Reply(503, b"", {"Retry-After": header}))

    result = await fetch(server.url("/feed"))

    assert result.kind is FetchKind.RETRY_LATER
    assert result.retry_after is None


@pytest.mark.parametrize("code", [404, 500])
async def test_http_errors_name_the_status(server: FeedServer, code: int) -> None:
    server.route("/feed", Reply(code, b"<html>oops</html>", {"Content-Type": "text/html"}))

    result = await fetch(server.url("/feed"))

    assert result.kind is FetchKind.ERROR
    assert result.status_code == code
    assert str(code) in result.error
    assert not result.network_error


# -- 6. slow servers -------------------------------------------------------------------


async def test_a_drip_feed_is_cut_off_at_the_deadline(
    server: FeedServer, release: threading.Event
) -> None:
    def drip() -> Iterator[bytes]:
        while not release.is_set():
            yield b"<!-- drip -->"

    server.route("/feed", lambda _request: Reply(200, drip(), delay_per_chunk=0.3))

    started = time.monotonic()
    async with asyncio.timeout(5):  # fail, not hang, if the deadline is not enforced
        result = await fetch(server.url("/feed"), FetchSettings(deadline=1.0))
    elapsed = time.monotonic() - started

    assert result.kind is FetchKind.ERROR
    assert "cut off" in result.error
    assert 0.9 <= elapsed < 2.5


async def test_a_server_that_stalls_after_the_headers_times_out(
    server: FeedServer, release: threading.Event
) -> None:
    def stall() -> Iterator[bytes]:
        release.wait(10)
        yield b"too late"

    server.route("/feed", lambda _request: Reply(200, stall()))

    started = time.monotonic()
    async with asyncio.timeout(5):  # fail, not hang, if the read timeout is not enforced
        result = await fetch(server.url("/feed"), FetchSettings(read_timeout=0.5, deadline=10.0))
    elapsed = time.monotonic() - started

    assert result.kind is FetchKind.ERROR
    assert result.network_error
    assert "read timeout" in result.error
    assert elapsed < 3.0


# -- 7. size limits --------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize(("size", "too_large"), [(MB, False), (3 * MB, True)])
async def test_bodies_over_the_cap_are_refused(
    server: FeedServer, chunked: bool, size: int, too_large: bool
) -> None:
    body = b"x" * size
    pieces = [body[i : i + 64 * 1024] for i in range(0, size, 64 * 1024)]
    # An iterator body is sent chunked, without a Content-Length to refuse it early.
    server.route("/feed", lambda _request: Reply(200, iter(pieces) if chunked else body))

    result = await fetch(server.url("/feed"), FetchSettings(max_body_mb=1))

    if too_large:
        assert result.kind is FetchKind.ERROR
        assert "Feed too large" in result.error
        assert result.body == b""
    else:
        assert result.kind is FetchKind.OK, result.error
        assert result.body == body


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """200 MB of zeros, gzip-compressed to about 200 KB, built without holding 200 MB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(MB)
    parts = [packer.compress(block) for _ in range(200)]
    parts.append(packer.flush())
    return b"".join(parts)


async def test_a_gzip_bomb_stops_at_the_cap_in_bounded_memory(
    server: FeedServer, gzip_bomb: bytes
) -> None:
    assert len(gzip_bomb) < 1 * MB
    server.route("/feed", feed_reply(gzip_bomb, **{"Content-Encoding": "gzip"}))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    tracemalloc.start()
    try:
        result = await fetch(server.url("/feed"), FetchSettings(max_body_mb=16))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
    assert result.kind is FetchKind.ERROR
    assert "Feed too large" in result.error
    assert peak < 64 * MB, f"peak Python allocation {peak / MB:.0f} MB"
    assert rss_growth < 64 * MB, f"peak RSS grew {rss_growth / MB:.0f} MB"


# -- 8. the network is not there -------------------------------------------------------


async def test_connection_refused_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Closed without listen(): nothing answers on this port now.

    result = await fetch(f"http://127.0.0.1:{port}/feed", FetchSettings(deadline=5.0))

    assert result.kind is FetchKind.ERROR
    assert result.network_error
    assert "127.0.0.1" in result.error


async def test_an_unknown_host_is_a_network_error() -> None:
    host = "newsterm-test.invalid"  # RFC 6761: .invalid never resolves
    try:
        socket.getaddrinfo(host, 80)
    except socket.gaierror:
        pass
    else:
        pytest.skip(f"this machine's resolver answers for {host}")

    settings = FetchSettings(connect_timeout=2.0, deadline=3.0)
    result = await fetch(f"http://{host}/", settings)

    assert result.kind is FetchKind.ERROR
    assert result.network_error
    assert host in result.error


# -- 9. file:// URLs -------------------------------------------------------------------


async def test_a_file_url_is_read(tmp_path: Path) -> None:
    path = tmp_path / "my feeds" / "feed 1.xml"
    path.parent.mkdir()
    path.write_bytes(FEED)
    url = path.as_uri()  # percent-encodes the spaces

    result = await fetch(url)

    assert result.kind is FetchKind.OK, result.error
    assert result.body == FEED
    assert result.final_url == url


async def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.xml"

    result = await fetch(path.as_uri())

    assert result.kind is FetchKind.ERROR
    assert str(path) in result.error


@pytest.mark.parametrize(("size", "too_large"), [(MB, False), (MB + 1, True)])
async def test_a_file_over_the_cap_is_too_large(tmp_path: Path, size: int, too_large: bool) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(b"x" * size)

    result = await fetch(path.as_uri(), FetchSettings(max_body_mb=1))

    if too_large:
        assert result.kind is FetchKind.ERROR
        assert "Feed too large" in result.error
    else:
        assert result.kind is FetchKind.OK, result.error
        assert len(result.body) == size


# -- 10. cookies -----------------------------------------------------------------------


async def test_cookies_set_by_a_feed_are_not_sent_back(server: FeedServer) -> None:
    server.route("/feed", feed_reply(FEED, **{"Set-Cookie": "session=secret; Path=/"}))
    server.route("/other", feed_reply(FEED))

    async with Fetcher() as fetcher:
        for path in ("/feed", "/feed", "/other"):
            result = await fetcher.fetch(server.url(path))
            assert result.kind is FetchKind.OK, result.error

    assert len(server.requests) == 3
    assert all("cookie" not in request.headers for request in server.requests)


# -- 11. many feeds at once ------------------------------------------------------------


class _Concurrency:
    """A route wrapper that records how many requests the server handles at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0

    def __call__(self, reply: Reply) -> Callable[[Request], Reply]:
        def route(_request: Request) -> Reply:
            with self.lock:
                self.active += 1
                self.peak = max(self.peak, self.active)
            try:
                time.sleep(self.seconds)
            finally:
                with self.lock:
                    self.active -= 1
            return reply

        return route


async def test_many_feeds_share_a_host_politely(server: FeedServer) -> None:
    tracker = _Concurrency(0.02)
    for n in range(60):
        reply = Reply(500, b"boom") if n == 13 else feed_reply(rss(items(1, prefix=f"F{n}")))
        server.route(f"/feed/{n}", tracker(reply))

    async with Fetcher(FetchSettings(per_host=2)) as fetcher:
        results = await asyncio.gather(
            *(fetcher.fetch(server.url(f"/feed/{n}")) for n in range(60))
        )

    assert tracker.peak == 2
    for n, result in enumerate(results):
        if n == 13:
            assert result.kind is FetchKind.ERROR
            assert "500" in result.error
        else:
            assert result.kind is FetchKind.OK, result.error
            assert result.body == rss(items(1, prefix=f"F{n}"))


@pytest.mark.parametrize(
    "settings",
    [FetchSettings(per_host=1, deadline=1.0), FetchSettings(max_connections=1, deadline=1.0)],
    ids=["per-host", "overall"],
)
async def test_waiting_for_a_connection_does_not_count_against_the_deadline(
    server: FeedServer, settings: FetchSettings
) -> None:
    # Four feeds of 0.4 s each, one at a time: the last one starts after 1.2 s of
    # waiting, but itself takes well under the 1 s deadline.
    tracker = _Concurrency(0.4)
    for n in range(4):
        server.route(f"/feed/{n}", tracker(feed_reply(FEED)))

    async with Fetcher(settings) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(server.url(f"/feed/{n}")) for n in range(4)))

    assert tracker.peak == 1
    assert [r.kind for r in results] == [FetchKind.OK] * 4, [r.error for r in results]


# -- 12. what the parser gets ----------------------------------------------------------


async def test_an_empty_200_is_an_empty_body_with_headers(server: FeedServer) -> None:
    server.route(
        "/feed",
        Reply(200, b"", {"Content-Type": "application/rss+xml; charset=utf-8", "X-Feed-Id": "7"}),
    )

    result = await fetch(server.url("/feed"))

    assert result.kind is FetchKind.OK
    assert result.body == b""
    assert result.error == ""
    assert result.status_code == 200
    assert result.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert result.headers["x-feed-id"] == "7"
    assert all(key == key.lower() for key in result.headers)
