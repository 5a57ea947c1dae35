"""The network under httpx: TCP and TLS streams on asyncio's own transports.

httpcore (httpx's engine) reads and writes through a *network backend*. Its own for asyncio
goes through anyio, which wraps every read and write in a cancel scope, yields to the loop
before each send and answers a readiness question by building a dict of the socket's
attributes: in a refresh answered with 304s, where a request is little else, that was a
sixth of the time of each one. This backend does the same work with asyncio's transport
and protocol API directly: timeouts with :func:`asyncio.timeout`, TLS with
:meth:`asyncio.loop.start_tls`, and httpcore's exceptions for every failure, as its anyio
backend raises them (so httpx maps them to the same errors, with the same messages).

httpx is still the HTTP client: this is only what its connections sit on.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

# Reading pauses while this much is received and not yet read (a slow parser, a big body)
# and resumes below the low mark: memory stays bounded whatever the server sends.
_HIGH_WATER = 256 * 1024
_LOW_WATER = 64 * 1024
# Like anyio's connect_tcp: a second address (IPv4 after IPv6) is tried after this long.
_HAPPY_EYEBALLS_DELAY = 0.25


class Backend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on asyncio transports (see the module's docstring)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(
                    _Protocol,
                    host,
                    port,
                    local_addr=(local_address, 0) if local_address else None,
                    happy_eyeballs_delay=_HAPPY_EYEBALLS_DELAY,
                )
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(error) from error
        except OSError as error:  # DNS, refused, unreachable: the sentence says which
            raise httpcore.ConnectError(error) from error
        stream = Stream(transport, protocol)
        sock = stream.socket
        if sock is not None:  # asyncio has set TCP_NODELAY already, as anyio does
            for option in socket_options or ():
                sock.setsockopt(*option)
        return stream

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class OneConnection:
    """In place of httpcore's connection pool under an httpx transport: one connection to
    one origin, for one request at a time (the fetcher hands each transport to one fetch),
    opened again when the last has ended or expired.

    The pool does the same with more: a queue of requests, an event per request, a scan
    of its connections and their sockets when a request arrives and when a response ends.
    Nothing waits here, and there is one connection to look at: a sixth of each request's
    time in a refresh answered with 304s.
    """

    def __init__(self, ssl_context: ssl.SSLContext, keepalive_expiry: float | None) -> None:
        self._ssl_context = ssl_context
        self._keepalive_expiry = keepalive_expiry
        self._backend = Backend()
        self._connection: httpcore.AsyncHTTPConnection | None = None

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        for attempt in range(2):
            connection = self._connection
            if connection is not None and (connection.is_closed() or connection.has_expired()):
                # Ended, or idle too long, or the server hung up: as the pool would, close
                # it and open another.
                self._connection = None
                await self._close(connection)
                connection = None
            kept = connection is not None  # it has answered a request before
            if connection is None:
                connection = self._connection = httpcore.AsyncHTTPConnection(
                    origin=request.url.origin,
                    ssl_context=self._ssl_context,
                    keepalive_expiry=self._keepalive_expiry,
                    network_backend=self._backend,
                )
            try:
                return await connection.handle_async_request(request)
            except httpcore.ConnectionNotAvailable:
                # It became unusable between the check and the request (the pool retries
                # on another connection too).
                self._connection = None
                await self._close(connection)
            except (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError):
                # A kept connection the server closed just as this request went out (its
                # keep-alive timer ran out meanwhile): no answer came, so a GET is asked
                # again, once, on a new connection, as browsers do. Not for a new
                # connection, whose failure is the server's answer.
                if not kept or attempt or request.method not in (b"GET", b"HEAD"):
                    raise
                self._connection = None
                await self._close(connection)
        raise httpcore.ConnectError("no connection could be made to the server")

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        await self._close(connection)

    @staticmethod
    async def _close(connection: httpcore.AsyncHTTPConnection | None) -> None:
        if connection is not None:
            await connection.aclose()


class _Protocol(asyncio.Protocol):
    """What one connection has received and not yet read, its end, and its flow control."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.received = bytearray()
        self.ended = False  # the server closed its side, or the connection was lost
        self.error: BaseException | None = None  # why it was lost, if it was
        self.reading_paused = False
        self._readable: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None

    # -- asyncio's side --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.received += data
        if len(self.received) > _HIGH_WATER and self.transport is not None:
            self.transport.pause_reading()
            self.reading_paused = True
        _wake(self._readable)

    def eof_received(self) -> bool:
        self.ended = True
        _wake(self._readable)
        return False  # close our side too: HTTP/1.1 has nothing to say after the end

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.error = exc
        _wake(self._readable)
        _wake(self._writable)

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        _wake(self._writable)
        self._writable = None

    # -- the stream's side -------------------------------------------------------------

    async def data(self) -> None:
        """Return once something is received, or the connection ended."""
        if self.received or self.ended:
            return
        self._readable = asyncio.get_running_loop().create_future()
        try:
            await self._readable
        finally:
            self._readable = None

    def take(self, max_bytes: int) -> bytes:
        if max_bytes >= len(self.received):
            data = bytes(self.received)
            self.received.clear()
        else:
            data = bytes(self.received[:max_bytes])
            del self.received[:max_bytes]
        if self.reading_paused and len(self.received) < _LOW_WATER and self.transport:
            self.reading_paused = False
            self.transport.resume_reading()
        return data

    @property
    def writing_paused(self) -> bool:
        return self._writable is not None

    async def drained(self) -> None:
        """Return once the transport takes more to write, or the connection is lost."""
        if self._writable is not None:
            await self._writable


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class Stream(httpcore.AsyncNetworkStream):
    """One connection, plain or TLS, for httpcore."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol
        self.socket: socket.socket | None = transport.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        if not (protocol.received or protocol.ended):  # else no wait, and no timer to set
            try:
                async with asyncio.timeout(timeout):
                    await protocol.data()
            except TimeoutError as error:
                raise httpcore.ReadTimeout(error) from error
        if protocol.received:
            return protocol.take(max_bytes)
        if protocol.error is not None:  # reset, not ended: anyio says BrokenResourceError
            raise httpcore.ReadError(protocol.error) from protocol.error
        return b""  # the end, as anyio gives it

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._transport.is_closing():
            raise httpcore.WriteError(self._protocol.error or "the connection is closed")
        self._transport.write(buffer)
        if self._protocol.writing_paused:  # the peer reads slowly: wait for room
            try:
                async with asyncio.timeout(timeout):
                    await self._protocol.drained()
            except TimeoutError as error:
                raise httpcore.WriteTimeout(error) from error
        if self._protocol.error is not None:
            raise httpcore.WriteError(self._protocol.error) from self._protocol.error

    async def aclose(self) -> None:
        self._transport.close()  # what is queued is still sent, then the socket closes

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport,
                    self._protocol,
                    ssl_context,
                    server_hostname=server_hostname,
                )
        except TimeoutError as error:
            self._transport.close()
            raise httpcore.ConnectTimeout(error) from error
        except (OSError, ssl.SSLError) as error:  # a bad certificate, a reset handshake
            self._transport.close()
            raise httpcore.ConnectError(error) from error
        if transport is None:  # the connection ended during the handshake
            self._transport.close()
            raise httpcore.ConnectError("the server closed the connection during TLS setup")
        assert isinstance(transport, asyncio.Transport)
        self._protocol.transport = transport  # flow control now goes through TLS
        return Stream(transport, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Asked of every idle connection before it is reused: did the server hang up
            # (or send what nobody asked for)? What the loop has seen, or the socket now.
            protocol = self._protocol
            return bool(protocol.received) or protocol.ended or _readable(self.socket)
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self.socket
        return None


def _readable(sock: socket.socket | None) -> bool:
    """Data (or the end) waits on ``sock``; a socket gone counts as readable, as httpcore
    has it: the next read would say the connection ended."""
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    if _poll is None:  # Windows
        return bool(select.select([fd], [], [], 0)[0])
    poller = _poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


_poll = getattr(select, "poll", None)
