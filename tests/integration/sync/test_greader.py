"""The Google Reader client against a real Miniflux: login, subscriptions in folders, item
ids and bodies, marks both ways, and the failures a server can hand back.

Miniflux fetches its feeds from the tests' own loopback feed server, so every item the
client reads went through a real server from a real feed.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.feedserver import FeedServer, Reply
from tests.support.miniflux import ADMIN, ADMIN_PASSWORD, Account, Miniflux
from tui.core.errors import SyncError, SyncLoginError
from tui.core.sync.greader import GReaderClient


async def _client(account: Account) -> GReaderClient:
    client = GReaderClient(account.server.url)
    await client.login(ADMIN, ADMIN_PASSWORD)
    return client


async def test_a_bad_password_is_one_sentence_without_the_password(miniflux: Miniflux) -> None:
    async with GReaderClient(miniflux.url) as client:
        with pytest.raises(SyncLoginError) as caught:
            await client.login(ADMIN, "not-the-password-42")
    assert "refused the user name or password" in str(caught.value)
    assert "not-the-password-42" not in str(caught.value)


async def test_subscriptions_come_with_their_folders(account: Account) -> None:
    async with await _client(account) as client:
        feeds = await client.subscriptions()
    by_title = {feed.title: feed for feed in feeds}
    assert set(by_title) == {"Alpha", "Beta", "Gamma", "Delta"}
    assert by_title["Alpha"].folders == ("Tech",)
    assert by_title["Gamma"].folders == ("World",)
    assert by_title["Alpha"].url == account.feeds.url("/alpha.xml")
    assert all(feed.id.startswith("feed/") for feed in feeds)


async def test_item_ids_and_bodies_match_the_feeds(account: Account) -> None:
    async with await _client(account) as client:
        numbers = await client.item_ids()
        got = await client.items(numbers)
    assert len(numbers) == 12 and len(got) == 12
    # The short ids the server lists are the entries' own ids.
    assert sorted(numbers) == sorted(account.entry_ids.values())
    alpha = next(item for item in got if item.title == "Alpha 1")
    assert alpha.link == "https://example.org/alpha/1"
    assert "Summary of alpha 1." in alpha.html
    assert alpha.folders == ("Tech",)
    assert alpha.published is not None and alpha.published.year == 2026


async def test_marks_travel_both_ways(account: Account) -> None:
    target = account.entry_ids["Beta 2"]
    async with await _client(account) as client:
        await client.mark([target], read=True, starred=True)
        assert account.entry("Beta 2")["status"] == "read"
        assert account.entry("Beta 2")["starred"] is True
        unread = await client.item_ids(unread_only=True)
        starred = await client.item_ids(starred_only=True)
        assert target not in unread and target in starred
        (item,) = await client.items([target])
        assert item.read and item.starred

        await client.mark([target], read=False, starred=False)
        assert account.entry("Beta 2")["status"] == "unread"
        assert account.entry("Beta 2")["starred"] is False

    # A mark made on the server is what the client reads next.
    with account.server.api() as api:
        api.put("/entries", json={"entry_ids": [target], "status": "read"})
    async with await _client(account) as client:
        (item,) = await client.items([target])
        assert item.read and not item.starred
        await client.mark([target], read=False)


async def test_a_star_asked_for_twice_stays_a_star(account: Account) -> None:
    # Miniflux 2.2 toggles the star on edit-tag a=starred: a second star (a mark made again
    # here, or one the server already had) must not take it away.
    target = account.entry_ids["Gamma 1"]
    async with await _client(account) as client:
        try:
            for _ in range(3):
                await client.mark([target], starred=True)
                assert account.entry("Gamma 1")["starred"] is True
            for _ in range(2):
                await client.mark([target], starred=False)
                assert account.entry("Gamma 1")["starred"] is False
        finally:
            await client.mark([target], starred=False)


async def test_many_marks_go_in_batches(account: Account) -> None:
    every = list(account.entry_ids.values())
    async with await _client(account) as client:
        await client.mark(every, read=True)
        assert await client.item_ids(unread_only=True) == []
        await client.mark(every, read=False)
        assert len(await client.item_ids(unread_only=True)) == len(every)


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply(200, b"<html><body>Welcome</body></html>", {"Content-Type": "text/html"}), "JSON"),
        (Reply(200, b'{"itemRefs": [{"id": "1"', {"Content-Type": "application/json"}), "JSON"),
        (Reply(500, b"oops"), "answered 500"),
    ],
    ids=["html", "truncated-json", "500"],
)
async def test_a_server_that_answers_wrongly_is_one_sentence(
    server: FeedServer, reply: Reply, words: str
) -> None:
    server.route("/accounts/ClientLogin", Reply(200, b"SID=x\nAuth=secret-token-99\n"))
    server.route("/reader/api/0/stream/items/ids", reply)
    async with GReaderClient(server.base) as client:
        await client.login("someone", "pw-123456")
        with pytest.raises(SyncError) as caught:
            await client.item_ids()
    message = str(caught.value)
    assert words in message
    assert "secret-token-99" not in message and "pw-123456" not in message


async def test_an_unreachable_server_is_one_sentence() -> None:
    with FeedServer() as gone:
        base = gone.base
    async with GReaderClient(base) as client:
        with pytest.raises(SyncError, match="Could not reach"):
            await client.login(ADMIN, ADMIN_PASSWORD)


def test_only_http_addresses_are_accepted() -> None:
    for bad in ("file:///etc/passwd", "javascript:alert(1)", "ftp://example.org/"):
        with pytest.raises(SyncError, match="not an http"):
            GReaderClient(bad)
    assert isinstance(httpx.URL(GReaderClient("http://127.0.0.1:1/").base_url), httpx.URL)
