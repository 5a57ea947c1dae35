"""A kept connection the server closes as the next request goes out (its keep-alive timer
ran out just then): the fetcher asks again on a new connection, once, instead of failing
the feed with "Server disconnected". A real server on 127.0.0.1 that reads the second
request on a connection and hangs up without a word makes that race happen every time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.support.feeds import items, rss
from tui.core.fetch.http import Fetcher, FetchKind

FEED = rss(items(2))


class HangingUpServer:
    """Answers the first ``answered`` requests of each connection, then reads the next
    one and closes the connection without answering it (or, with ``answered=0``, every
    request)."""

    def __init__(self, answered: int) -> None:
        self.answered = answered
        self.connections = 0
        self.requests = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> HangingUpServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/feed.xml"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            for number in range(self.answered + 1):
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    return
                self.requests += 1
                if number == self.answered:
                    return  # read, never answered: the connection just closes
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                    + f"Content-Length: {len(FEED)}\r\n\r\n".encode()
                    + FEED
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()


@pytest.fixture
async def one_answer_a_connection() -> AsyncIterator[HangingUpServer]:
    async with HangingUpServer(answered=1) as server:
        yield server


async def test_a_kept_connection_closed_as_it_is_reused_is_opened_again(
    one_answer_a_connection: HangingUpServer,
) -> None:
    server = one_answer_a_connection
    async with Fetcher() as fetcher:
        first = await fetcher.fetch(server.url)
        second = await fetcher.fetch(server.url)
    assert first.kind is FetchKind.OK and first.body == FEED
    assert second.kind is FetchKind.OK and second.body == FEED, second.error
    # The second request went out on the kept connection, was dropped, and was asked
    # again on a new one.
    assert server.requests == 3
    assert server.connections == 2


async def test_a_new_connection_that_gets_no_answer_is_not_asked_again() -> None:
    async with HangingUpServer(answered=0) as server, Fetcher() as fetcher:
        result = await fetcher.fetch(server.url)
    assert result.kind is FetchKind.ERROR
    assert result.error
    # The server's silence on a fresh connection is its answer: one request, no retry.
    assert server.requests == 1
    assert server.connections == 1
