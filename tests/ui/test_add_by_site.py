"""Adding a feed by its site's address in the UI: several feeds bring up a choice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.content import Content
from textual.widgets import OptionList

from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, Reply, feed_reply
from tests.support.pilot import quiet_settings, settle
from tui.core.library import Library
from tui.ui.app import NewstermApp
from tui.ui.dialogs.choose_feed import ChooseFeedScreen
from tui.ui.screens.main import MainScreen


def _site(server: FeedServer) -> None:
    fresh = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    page = (
        b"<html><head>"
        b'<link rel="alternate" type="application/rss+xml" title="[red]Posts[/]" href="/posts.xml">'
        b'<link rel="alternate" type="application/atom+xml" title="Links" href="/links.xml">'
        b"</head><body>hello</body></html>"
    )
    server.route("/", Reply(200, page, {"Content-Type": "text/html; charset=utf-8"}))
    server.route("/posts.xml", feed_reply(rss(items(2, prefix="Post", start=fresh), title="P")))
    server.route("/links.xml", feed_reply(rss(items(3, prefix="Link", start=fresh), title="L")))


async def test_a_site_with_two_feeds_offers_a_choice(tmp_path: Path, server: FeedServer) -> None:
    _site(server)
    with Library(tmp_path / "site.db", quiet_settings()) as library:
        library.add_feed(server.url("/nothing-yet"), topic="Other")  # not empty: no welcome
        app = NewstermApp(library, library.settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press("a", *server.url("/"), "enter", *"Site", "enter")
            await settle(pilot)
            assert isinstance(app.screen, ChooseFeedScreen)
            choices = app.screen.query_one(OptionList)
            prompts = [choices.get_option_at_index(i).prompt for i in range(choices.option_count)]
            # The page's title is shown as it is written: markup in it stays text.
            assert prompts == [
                Content(f"[red]Posts[/] ({server.url('/posts.xml')})"),
                Content(f"Links ({server.url('/links.xml')})"),
            ]
            await pilot.press("down", "enter")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            urls = {feed.url for feed in library.feeds()}
            assert urls == {server.url("/nothing-yet"), server.url("/links.xml")}
            assert len(app.main.stories.index) == 3
            assert server.hits("/posts.xml") == []

            # Escape cancels: nothing more is added.
            await pilot.press("a", *server.url("/"), "enter", "enter")
            await settle(pilot)
            assert isinstance(app.screen, ChooseFeedScreen)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert len(library.feeds()) == 2


async def test_a_site_without_feeds_is_a_notification(tmp_path: Path, server: FeedServer) -> None:
    server.route("/", Reply(200, b"<html><head></head><body></body></html>"))
    with Library(tmp_path / "none.db", quiet_settings()) as library:
        library.add_feed(server.url("/nothing-yet"), topic="Other")
        app = NewstermApp(library, library.settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press("a", *server.url("/"), "enter", "enter")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert any("No feed found" in n.message for n in app._notifications)
            assert len(library.feeds()) == 1
