"""Fetching feeds over HTTP(S) and from ``file://`` URLs, politely and within limits.

One :class:`Fetcher` serves a whole refresh: httpx transports that keep their connections
(one each) for the next request to the same site, a cap on connections overall and per
host, connect/read timeouts plus an overall deadline per feed (a server dripping a byte a
second is cut off), and a cap on the *decoded* body size (a gzip bomb stops at the cap,
memory stays bounded). Redirects are followed by hand so that we know whether every hop
was permanent (301/308: the subscription moves) or not.

Nothing here parses or stores; :mod:`tui.core.refresh` does that with the result.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
import sys
import zlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urljoin, urlsplit

# On import, httpx loads its command-line client (click, pygments and rich: ~40 ms) whenever
# those are installed, as they are beside textual. The core never loads rich, and needs no
# httpx CLI: a None entry makes that one import fail, and httpx falls back to a stub.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
import httpcore
import httpx as httpx  # re-exported: other clients in the core import httpx from here

from tui import __version__
from tui.core.fetch import network
from tui.core.settings import FetchSettings
from tui.core.text.urls import OPENABLE_SCHEMES

USER_AGENT = f"newsterm/{__version__} (terminal feed reader)"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/json;q=0.8, application/xml;q=0.8, "
    "text/xml;q=0.8, */*;q=0.5"
)
MAX_REDIRECTS = 5
# Retry-After further ahead than this is treated as this: a typo on the server should
# not silence a feed for a year.
MAX_RETRY_AFTER = timedelta(days=7)
_CHUNK = 64 * 1024
# The setting that raises the size cap, named in the "too large" sentence for each noun.
_SIZE_SETTINGS = {"feed": " ([fetch] max_body_mb)", "page": " ([articles] max_page_mb)"}


def _request_headers(accept: str | None) -> list[tuple[str, str]]:
    """What every request sends, in the order an httpx client sent it (Accept: ACCEPT
    unless the caller asks for another type). Built whole for each fetch: httpx merging a
    client's defaults into every request's own headers was a tenth of a 304's time."""
    return [
        ("Connection", "keep-alive"),
        ("User-Agent", USER_AGENT),
        ("Accept", accept or ACCEPT),
        # Only encodings we decode ourselves under the size cap.
        ("Accept-Encoding", "gzip, deflate"),
    ]


class FetchKind(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not-modified"
    GONE = "gone"
    RETRY_LATER = "retry-later"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch came to. ``error`` is a sentence for the user when not OK."""

    kind: FetchKind
    url: str
    final_url: str = ""
    #: Where the subscription should move: set only when every redirect was permanent.
    permanent_url: str | None = None
    status_code: int | None = None
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    retry_after: datetime | None = None
    error: str = ""
    #: DNS, connect, TLS or timeout: the machine itself may be offline.
    network_error: bool = False


class _TooLargeError(Exception):
    pass


class _GiveUpError(Exception):
    """A failure with a ready sentence for the user."""

    def __init__(self, message: str, *, network: bool = False) -> None:
        super().__init__(message)
        self.network = network


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """``Retry-After`` as seconds or an HTTP date → a moment, capped at a week ahead."""
    if not value:
        return None
    value = value.strip()
    moment: datetime | None
    # isascii: "²".isdigit() is true but int("²") fails. The cap comes before the sum
    # because a server-sent "99999999999999" overflows timedelta.
    if value.isascii() and value.isdigit():
        seconds = min(int(value), int(MAX_RETRY_AFTER.total_seconds()))
        moment = now + timedelta(seconds=seconds)
    else:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return min(max(moment, now), now + MAX_RETRY_AFTER).astimezone(UTC)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every fetcher in the process: loading the CA bundle costs about
    20 ms, and reader mode makes a fetcher for each story opened. (An SSLContext may be
    shared between threads and event loops.)"""
    return ssl.create_default_context()


@functools.cache
def _no_tls_context() -> ssl.SSLContext:
    """For an http:// origin's transport, which makes no TLS connection: httpx wants a context
    all the same. It verifies like any other but trusts no CA, so it could never be used
    to talk to anyone unverified; it spares a refresh of http feeds the CA bundle."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _tls_context_for(scheme: str) -> ssl.SSLContext:
    # No proxy: requests go to httpx's transport itself, as they did through an httpx
    # client given that transport, which then takes no proxy from the environment either.
    return _tls_context() if scheme == "https" else _no_tls_context()


#: Each transport holds one connection (see :class:`Fetcher`).
_ONE_CONNECTION = httpx.Limits(max_connections=1, max_keepalive_connections=1)


def _transport(tls: ssl.SSLContext, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's own transport for one connection, on asyncio's (see :mod:`.network`). Should
    httpx arrange its transport otherwise one day, it stays as httpx made it: slower, no
    less right."""
    transport = httpx.AsyncHTTPTransport(verify=tls, limits=limits)
    if isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        # httpx calls only handle_async_request and aclose on it, which it has.
        transport._pool = network.OneConnection(tls, limits.keepalive_expiry)  # type: ignore[assignment]
    return transport


class Fetcher:
    """An async context manager that fetches feeds; use one per refresh."""

    def __init__(self, settings: FetchSettings | None = None, *, noun: str = "feed") -> None:
        self.settings = settings or FetchSettings()
        self.noun = noun  # what the user is told took too long or was too large
        # One httpx transport per connection: idle ones per origin, taken by a request
        # that holds its host's slot and given back after. httpcore's pool scans every
        # pooled connection (and asks each idle socket whether the server hung up)
        # whenever it assigns a request or a response ends: one pool of 48 made a
        # 100-feed refresh spend ~0.6 s there, per-host pools of 6 still a fifth of a
        # refresh answered with 304s. A pool of one connection, used by one request at a
        # time, never queues and scans one. The limits are ours: a host's slots bound its
        # transports. Requests go to the transport itself: what an httpx client adds
        # (cookies, auth, redirects, default headers) is what a fetch must not have, or
        # does by hand, and it cost a tenth of each request.
        self._idle: dict[str, list[httpx.AsyncHTTPTransport]] = {}  # by origin
        self._transports: list[httpx.AsyncHTTPTransport] = []
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        # Requests in flight overall, so that a feed queues here, before its deadline
        # starts, rather than in httpx's connection pool.
        self._all_slots = asyncio.Semaphore(self.settings.max_connections)
        s = self.settings
        timeout = httpx.Timeout(s.read_timeout, connect=s.connect_timeout, pool=None)
        self._extensions = {"timeout": timeout.as_dict()}  # as an httpx client sets it

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        transports, self._transports, self._idle = self._transports, [], {}
        for transport in transports:
            await transport.aclose()

    def _take_connection(
        self, url: str
    ) -> tuple[list[httpx.AsyncHTTPTransport], httpx.AsyncHTTPTransport]:
        """An idle connection's transport for ``url``'s origin, or a new one; and where to
        give it back. Only while holding the host's slot: the slots bound how many."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        idle = self._idle.setdefault(origin, [])
        if idle:
            return idle, idle.pop()  # the last given back: its connection is the freshest
        transport = _transport(_tls_context_for(parts.scheme.lower()), _ONE_CONNECTION)
        self._transports.append(transport)
        return idle, transport

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """Fetch ``url``; never raises for anything the network or server does."""
        try:
            try:
                scheme = urlsplit(url).scheme.lower()
            except ValueError:
                raise _GiveUpError(f"{url!r} is not a valid URL.") from None
            if scheme == "file":
                async with asyncio.timeout(self.settings.deadline):
                    return await asyncio.to_thread(self._read_file, url)
            if scheme not in OPENABLE_SCHEMES:
                raise _GiveUpError(f"newsterm only fetches http, https and file URLs, not {url!r}.")
            return await self._fetch_http(url, etag, last_modified, accept)
        except TimeoutError:
            return FetchResult(
                FetchKind.ERROR,
                url,
                error=f"The {self.noun} took longer than {self.settings.deadline:g} s to "
                "download and was cut off.",
                network_error=True,
            )
        except _TooLargeError:
            return FetchResult(
                FetchKind.ERROR,
                url,
                error=f"{self.noun.capitalize()} too large: over {self.settings.max_body_mb} MB"
                f" once decompressed{_SIZE_SETTINGS.get(self.noun, '')}.",
            )
        except _GiveUpError as error:
            return FetchResult(FetchKind.ERROR, url, error=str(error), network_error=error.network)

    # -- file:// -----------------------------------------------------------------------

    def _read_file(self, url: str) -> FetchResult:
        parts = urlsplit(url)
        path = Path(unquote(parts.path))
        try:
            with path.open("rb") as handle:
                body = handle.read(self.settings.max_body_bytes + 1)
        except OSError as error:
            raise _GiveUpError(f"Cannot read {path}: {error.strerror or error}.") from None
        if len(body) > self.settings.max_body_bytes:
            raise _TooLargeError
        return FetchResult(FetchKind.OK, url, final_url=url, status_code=None, body=body)

    # -- http(s) -----------------------------------------------------------------------

    def _slot(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        slot = self._host_slots.get(host)
        if slot is None:
            slot = self._host_slots[host] = asyncio.Semaphore(self.settings.per_host)
        return slot

    async def _fetch_http(
        self, url: str, etag: str | None, last_modified: str | None, accept: str | None
    ) -> FetchResult:
        headers = _request_headers(accept)
        if etag:
            headers.append(("If-None-Match", etag))
        if last_modified:
            headers.append(("If-Modified-Since", last_modified))
        current, permanent, seen = url, True, {url}
        deadline_at: float | None = None
        for _hop in range(MAX_REDIRECTS + 1):
            async with self._slot(current), self._all_slots:
                # The deadline runs from the first moment a connection is ours: a feed
                # waiting its turn behind others on the same host is not a slow feed.
                if deadline_at is None:
                    deadline_at = asyncio.get_running_loop().time() + self.settings.deadline
                idle, transport = self._take_connection(current)
                try:
                    async with asyncio.timeout_at(deadline_at):
                        outcome = await self._request(transport, current, headers)
                finally:
                    idle.append(transport)
            if isinstance(outcome, FetchResult):
                moved = current if permanent and current != url else None
                return _with_urls(outcome, url, current, moved)
            status, location = outcome
            target = urljoin(current, location)
            if urlsplit(target).scheme.lower() not in OPENABLE_SCHEMES:
                raise _GiveUpError(f"The server redirected to {target!r}, which is not http(s).")
            if target in seen:
                raise _GiveUpError(f"Redirect loop: {current} sends us back to {target}.")
            seen.add(target)
            permanent = permanent and status in (301, 308)
            current = target
        raise _GiveUpError(f"Too many redirects (more than {MAX_REDIRECTS}) starting at {url}.")

    async def _request(
        self, transport: httpx.AsyncHTTPTransport, url: str, headers: list[tuple[str, str]]
    ) -> FetchResult | tuple[int, str]:
        """One GET: a finished result, or ``(status, location)`` for a redirect."""
        try:
            request = _with_credentials(
                httpx.Request("GET", url, headers=headers, extensions=self._extensions)
            )
            async with _response(transport, request) as response:
                code = response.status_code
                if not 200 <= code < 300:
                    # Read the (small) body of a 304, a redirect or an error so that the
                    # connection goes back to the pool instead of being closed: a refresh
                    # answered with 304s then reuses a few connections per host.
                    await _drain(response)
                if code in (301, 302, 303, 307, 308):
                    location = response.headers.get("location")
                    if not location:
                        raise _GiveUpError(f"HTTP {code} redirect without a Location header.")
                    _check_location(request.url, location)
                    return code, location
                if code == 304:
                    return FetchResult(FetchKind.NOT_MODIFIED, url, status_code=code)
                if code == 410:
                    return FetchResult(
                        FetchKind.GONE,
                        url,
                        status_code=code,
                        error="The server says this feed is gone for good (HTTP 410); "
                        "it is no longer polled. Its stories are kept.",
                    )
                if code in (429, 503):
                    now = datetime.now(UTC)
                    retry = parse_retry_after(response.headers.get("retry-after"), now)
                    return FetchResult(
                        FetchKind.RETRY_LATER,
                        url,
                        status_code=code,
                        retry_after=retry,
                        error=_http_error_sentence(code, response.reason_phrase)
                        + (f" Next try after {retry:%Y-%m-%d %H:%M} UTC." if retry else ""),
                    )
                if not 200 <= code < 300:
                    return FetchResult(
                        FetchKind.ERROR,
                        url,
                        status_code=code,
                        error=_http_error_sentence(code, response.reason_phrase),
                    )
                encoding = response.headers.get("content-encoding", "identity")
                body = await _read_capped(
                    response.aiter_raw(_CHUNK), encoding, self.settings.max_body_bytes
                )
                return FetchResult(
                    FetchKind.OK,
                    url,
                    status_code=code,
                    body=body,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
        except httpx.HTTPError as error:
            message, network = _transport_error_sentence(url, error)
            raise _GiveUpError(message, network=network) from None
        except httpx.InvalidURL as error:
            # Not an HTTPError: httpx raises it for a URL it cannot parse, including a
            # redirect's Location (say "javascript:..."), which it reads even unfollowed.
            raise _GiveUpError(f"Cannot fetch {url}: {str(error).rstrip('.')}.") from None


@contextlib.asynccontextmanager
async def _response(
    transport: httpx.AsyncHTTPTransport, request: httpx.Request
) -> AsyncIterator[httpx.Response]:
    """The response to ``request``, its body still to read; closed after."""
    response = await transport.handle_async_request(request)
    try:
        yield response
    finally:
        await response.aclose()


def _with_credentials(request: httpx.Request) -> httpx.Request:
    """A URL's ``user:password@`` as Basic auth, as httpx's client sends it."""
    url = request.url
    if not (url.username or url.password):
        return request
    return next(httpx.BasicAuth(url.username, url.password).sync_auth_flow(request))


def _check_location(url: httpx.URL, location: str) -> None:
    """Refuse a redirect's Location as httpx's client did, which read every redirect's
    (followed or not) on the way to the transport: one it cannot parse is the server's
    error, and one such as ``javascript:alert(1)`` cannot be fetched (InvalidURL)."""
    try:
        target = httpx.URL(location)
    except httpx.InvalidURL as error:
        raise httpx.RemoteProtocolError(f"Invalid URL in location header: {error}.") from None
    if target.scheme and not target.host:
        target.copy_with(host=url.host)  # what httpx does with it, or InvalidURL


async def _drain(response: httpx.Response, limit: int = 64 * 1024) -> None:
    """Read and drop up to ``limit`` bytes of a body we do not need; past that, give up
    (the connection is then closed, not reused)."""
    received = 0
    async for chunk in response.aiter_raw(_CHUNK):
        received += len(chunk)
        if received > limit:
            return


def _with_urls(result: FetchResult, asked: str, final: str, moved: str | None) -> FetchResult:
    return FetchResult(
        kind=result.kind,
        url=asked,
        final_url=final,
        permanent_url=moved,
        status_code=result.status_code,
        body=result.body,
        headers=result.headers,
        etag=result.etag,
        last_modified=result.last_modified,
        retry_after=result.retry_after,
        error=result.error,
        network_error=result.network_error,
    )


async def _read_capped(chunks: AsyncIterator[bytes], encoding: str, cap: int) -> bytes:
    """Read and decode a body, stopping as soon as the decoded size passes ``cap``."""
    encoding = encoding.strip().lower()
    decoder: zlib._Decompress | None = None
    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, auto
    elif encoding not in ("", "identity"):
        raise _GiveUpError(f"The server used a compression newsterm cannot read ({encoding}).")
    out = bytearray()
    try:
        async for chunk in chunks:
            if decoder is None:
                out += chunk
            else:
                # max_length bounds what one chunk may inflate to: a 64 KiB chunk of a
                # gzip bomb would otherwise expand to ~64 MiB before we could look.
                data = decoder.decompress(chunk, cap + 1 - len(out))
                out += data
                while decoder.unconsumed_tail and len(out) <= cap:
                    out += decoder.decompress(decoder.unconsumed_tail, cap + 1 - len(out))
            if len(out) > cap:
                raise _TooLargeError
        if decoder is not None:
            out += decoder.flush()
    except zlib.error:
        raise _GiveUpError("The server sent a damaged compressed body.") from None
    if len(out) > cap:
        raise _TooLargeError
    return bytes(out)


def _http_error_sentence(code: int, reason: str) -> str:
    reason = f"HTTP {code} {reason}".strip()
    if code == 404:
        return f"The feed is not at this address any more ({reason}); check the URL."
    if code in (401, 403):
        return f"The server refuses access to this feed ({reason})."
    if code == 429:
        return f"The server asks us to slow down ({reason})."
    if code == 503:
        return f"The server is unavailable for now ({reason})."
    if code >= 500:
        return f"The server failed ({reason}); it will be tried again later."
    return f"The server answered {reason}."


# What resolvers say when a name does not resolve (glibc, musl, macOS, Windows).
_DNS_FAILURE_SIGNS = (
    "Name or service not known",
    "Temporary failure in name resolution",
    "No address associated",
    "nodename nor servname",
    "getaddrinfo failed",
)


def _transport_error_sentence(url: str, error: httpx.HTTPError) -> tuple[str, bool]:
    host = urlsplit(url).hostname or url
    text = (str(error) or type(error).__name__).rstrip(".")  # the sentences add their own
    if isinstance(error, httpx.ConnectTimeout):
        return f"Timed out connecting to {host}.", True
    if isinstance(error, httpx.ReadTimeout):
        return f"{host} stopped sending data (read timeout).", True
    if isinstance(error, httpx.ConnectError):
        cause = error.__context__ or error.__cause__
        if isinstance(cause, ssl.SSLError) or "SSL" in text or "certificate" in text:
            return f"Secure connection to {host} failed (TLS: {text}).", True
        if any(sign in text for sign in _DNS_FAILURE_SIGNS):
            return f"The host name {host} could not be found (DNS).", True
        if "refused" in text.lower():
            return f"{host} refused the connection.", True
        return f"Could not connect to {host}: {text}.", True
    if isinstance(error, httpx.TimeoutException):
        return f"{host} timed out.", True
    if isinstance(error, httpx.RemoteProtocolError):
        return f"{host} broke the HTTP protocol: {text}.", False
    if isinstance(error, httpx.NetworkError):
        return f"Network error talking to {host}: {text}.", True
    return f"Fetching from {host} failed: {text}.", False
