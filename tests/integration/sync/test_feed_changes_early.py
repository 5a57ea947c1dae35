"""Feed changes made before the server has heard of the feed, against the real Miniflux:
a topic set before the first sync reaches the server, and a feed removed before its first
sync never reaches it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.feeds import items, rss
from tests.support.feedserver import feed_reply
from tests.support.miniflux import ADMIN, ADMIN_PASSWORD, Account
from tui.core.library import Library


@pytest.fixture
def library(tmp_path: Path, account: Account) -> Iterator[Library]:
    with Library(tmp_path / "library.db") as opened:
        asyncio.run(opened.add_account(account.server.url, ADMIN, ADMIN_PASSWORD, api="greader"))
        yield opened


def _server_feeds(account: Account) -> dict[str, tuple[int, str]]:
    with account.server.api() as api:
        return {f["feed_url"]: (f["id"], f["category"]["title"]) for f in api.get("/feeds").json()}


def test_a_topic_set_before_the_first_sync_reaches_the_server(
    library: Library, account: Account
) -> None:
    account.feeds.route("/early.xml", feed_reply(rss(items(2, prefix="Early"), title="Early")))
    url = account.feeds.url("/early.xml")
    name = library.accounts()[0].name
    feed = library.add_feed(url, topic="Tech", account=name)
    library.set_feed_topic(feed.id, "Science")
    try:
        [report] = asyncio.run(library.sync())
        assert report.ok, report.error
        assert _server_feeds(account)[url][1] == "Science"
        assert library.feed(url).topic.name == "Science"  # and the pull did not undo it
    finally:
        with account.server.api() as api:
            feed_id = _server_feeds(account).get(url, (0, ""))[0]
            if feed_id:
                api.delete(f"/feeds/{feed_id}")


def test_a_feed_removed_before_its_first_sync_never_reaches_the_server(
    library: Library, account: Account
) -> None:
    account.feeds.route("/brief.xml", feed_reply(rss(items(2, prefix="Brief"), title="Brief")))
    url = account.feeds.url("/brief.xml")
    feed = library.add_feed(url, account=library.accounts()[0].name)
    library.remove_feed(feed.id)
    [report] = asyncio.run(library.sync())
    assert report.ok, report.error
    assert url not in _server_feeds(account)
    assert not library.is_subscribed(url)
