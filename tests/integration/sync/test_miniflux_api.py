"""The Miniflux REST client against a real Miniflux: its API key, feeds in categories,
entries after an id, and marks that never flip a toggling star back."""

from __future__ import annotations

import pytest

from tests.support.feedserver import FeedServer, Reply
from tests.support.miniflux import Account, Miniflux
from tui.core.errors import SyncError, SyncLoginError
from tui.core.sync.miniflux import MinifluxClient


def _client(server: Miniflux) -> MinifluxClient:
    return MinifluxClient(server.url, server.make_api_key())


async def test_a_bad_key_is_one_sentence_without_the_key(miniflux: Miniflux) -> None:
    async with MinifluxClient(miniflux.url, "not-a-key-5521") as client:
        with pytest.raises(SyncLoginError) as caught:
            await client.feeds()
    assert "refused the login" in str(caught.value)
    assert "not-a-key-5521" not in str(caught.value)


async def test_feeds_come_with_their_categories(account: Account) -> None:
    async with _client(account.server) as client:
        feeds = await client.feeds()
    by_title = {feed.title: feed for feed in feeds}
    assert set(by_title) == {"Alpha", "Beta", "Gamma", "Delta"}
    assert by_title["Alpha"].category == "Tech"
    assert by_title["Gamma"].category == "World"


async def test_entries_after_an_id(account: Account) -> None:
    async with _client(account.server) as client:
        every = await client.entries()
        ids = sorted(entry.id for entry in every)
        assert ids == sorted(account.entry_ids.values())
        assert [e.id for e in await client.entries(after_id=ids[-2])] == [ids[-1]]
    alpha = next(entry for entry in every if entry.title == "Alpha 2")
    assert alpha.link == "https://example.org/alpha/2"
    assert alpha.published is not None


async def test_read_and_starred_never_flip_back(account: Account) -> None:
    target = account.entry_ids["Gamma 0"]
    async with _client(account.server) as client:
        await client.mark([target], read=True, starred=True)
        await client.mark([target], starred=True)  # again: the toggle must not undo it
        assert account.entry("Gamma 0")["status"] == "read"
        assert account.entry("Gamma 0")["starred"] is True
        await client.mark([target], read=False, starred=False)
        await client.mark([target], starred=False)
        assert account.entry("Gamma 0")["status"] == "unread"
        assert account.entry("Gamma 0")["starred"] is False


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply(200, b"<html>not an api</html>"), "Miniflux's JSON"),
        (Reply(500, b"oops"), "answered 500"),
    ],
    ids=["html", "500"],
)
async def test_a_server_that_answers_wrongly_is_one_sentence(
    server: FeedServer, reply: Reply, words: str
) -> None:
    server.route("/v1/feeds", reply)
    async with MinifluxClient(server.base, "key-0123456789") as client:
        with pytest.raises(SyncError) as caught:
            await client.feeds()
    assert words in str(caught.value)
    assert "key-0123456789" not in str(caught.value)
