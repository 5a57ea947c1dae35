"""The Fever client against a real Miniflux: the key, feeds in their groups, items in pages,
read and saved both ways, and stars that never flip back on a server where they toggle."""

from __future__ import annotations

import pytest

from tests.support.feedserver import FeedServer, Reply
from tests.support.miniflux import ADMIN, ADMIN_PASSWORD, Account, Miniflux
from tui.core.errors import SyncError, SyncLoginError
from tui.core.sync.fever import FeverClient, api_key

KEY = api_key(ADMIN, ADMIN_PASSWORD)


async def test_the_key_is_checked(miniflux: Miniflux) -> None:
    async with FeverClient(miniflux.url, KEY) as client:
        await client.check()
    async with FeverClient(miniflux.url, api_key(ADMIN, "wrong-password-9")) as client:
        with pytest.raises(SyncLoginError) as caught:
            await client.check()
    assert "wrong-password-9" not in str(caught.value)


async def test_feeds_come_with_their_groups(account: Account) -> None:
    async with FeverClient(account.server.url, KEY) as client:
        feeds = await client.feeds()
    by_title = {feed.title: feed for feed in feeds}
    assert set(by_title) == {"Alpha", "Beta", "Gamma", "Delta"}
    assert by_title["Beta"].group == "Tech"
    assert by_title["Delta"].group == "Science"
    assert by_title["Gamma"].url == account.feeds.url("/gamma.xml")


async def test_items_come_in_pages_after_since_id(account: Account) -> None:
    async with FeverClient(account.server.url, KEY) as client:
        every = await client.items()
        assert sorted(item.id for item in every) == sorted(account.entry_ids.values())
        newest_but_two = sorted(item.id for item in every)[-3]
        later = await client.items(since_id=newest_but_two)
    assert len(later) == 2
    gamma = next(item for item in every if item.title == "Gamma 2")
    assert gamma.link == "https://example.org/gamma/2"
    assert "Summary of gamma 2." in gamma.html


async def test_read_and_saved_travel_both_ways(account: Account) -> None:
    target = account.entry_ids["Delta 1"]
    async with FeverClient(account.server.url, KEY) as client:
        await client.mark([target], read=True, saved=True)
        assert account.entry("Delta 1")["status"] == "read"
        assert account.entry("Delta 1")["starred"] is True
        assert target not in await client.unread_ids()
        assert target in await client.saved_ids()

        # Asked again, a star that toggles on this server must stay.
        await client.mark([target], saved=True)
        assert account.entry("Delta 1")["starred"] is True

        await client.mark([target], read=False, saved=False)
        await client.mark([target], saved=False)
        assert account.entry("Delta 1")["status"] == "unread"
        assert account.entry("Delta 1")["starred"] is False


@pytest.mark.parametrize(
    ("reply", "error", "words"),
    [
        (Reply(200, b"<html>hello</html>"), SyncError, "Fever API"),
        (Reply(200, b'{"api_version": 3, "auth": 1, "items": [{"id'), SyncError, "Fever API"),
        (Reply(502, b"bad gateway"), SyncError, "answered 502"),
        (Reply(200, b'{"api_version": 3, "auth": 0}'), SyncLoginError, "refused"),
    ],
    ids=["html", "truncated", "502", "auth-0"],
)
async def test_a_server_that_answers_wrongly_is_one_sentence(
    server: FeedServer, reply: Reply, error: type[SyncError], words: str
) -> None:
    server.route("/fever/", reply)
    async with FeverClient(server.base, "0123456789abcdef0123456789abcdef") as client:
        with pytest.raises(error) as caught:
            await client.items()
    assert words in str(caught.value)
    assert "0123456789abcdef" not in str(caught.value)
