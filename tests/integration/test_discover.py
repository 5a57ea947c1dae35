"""Feed autodiscovery over loopback HTTP: a site's page fetched and read, the usual addresses
tried, the library's ``discover_feeds``; and pages whose charset lies about their bytes.

Reading the links out of a page is in ``tests/unit/subscriptions/test_discover.py``.
"""

from __future__ import annotations

import asyncio
import codecs

import pytest

from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, Reply, feed_reply
from tui.core.errors import DiscoveryError
from tui.core.fetch.http import Fetcher
from tui.core.library import Library
from tui.core.subscriptions.discover import FeedLink, discover


def _page(head: str, body: str = "") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def _html_reply(html: bytes) -> Reply:
    return Reply(200, html, {"Content-Type": "text/html; charset=utf-8"})


def _discover(url: str) -> list[FeedLink]:
    async def run() -> list[FeedLink]:
        async with Fetcher() as fetcher:
            return await discover(url, fetcher)

    return asyncio.run(run())


# -- discover ----------------------------------------------------------------------------


def test_discover_a_page_with_two_feed_links(server: FeedServer) -> None:
    server.route(
        "/",
        _html_reply(
            _page(
                '<link rel="alternate" type="application/rss+xml" title="Posts" href="/posts.rss">'
                '<link rel="alternate" type="application/atom+xml" title="Comments"'
                f' href="{server.url("/comments.atom")}">'
            )
        ),
    )
    links = _discover(server.url("/"))
    assert links == [
        FeedLink(server.url("/posts.rss"), "Posts", "RSS"),
        FeedLink(server.url("/comments.atom"), "Comments", "Atom"),
    ]
    assert server.hits("/posts.rss") == []  # linked feeds are offered, not fetched


def test_discover_falls_back_to_the_usual_addresses(server: FeedServer) -> None:
    server.route("/blog/", _html_reply(_page("<title>No links here</title>")))
    server.route("/feed.xml", feed_reply(rss(items(2), title="Found Me")))
    server.route("/rss", Reply(301, b"", {"Location": "/feed.xml"}))  # the same feed again
    server.route("/feed", _html_reply(_page("")))  # a page, not a feed
    links = _discover(server.url("/blog/"))
    assert links == [FeedLink(server.url("/rss"), "Found Me", "RSS")]


def test_discover_a_direct_feed_url(server: FeedServer) -> None:
    server.route("/feed.xml", feed_reply(rss(items(1), title="Direct")))
    assert _discover(server.url("/feed.xml")) == [
        FeedLink(server.url("/feed.xml"), "Direct", "RSS")
    ]
    assert len(server.requests) == 1


def test_discover_a_missing_page_is_a_sentence(server: FeedServer) -> None:
    with pytest.raises(DiscoveryError, match=r"HTTP 404.*check the address"):
        _discover(server.url("/missing"))


def test_discover_a_page_leading_nowhere_is_a_sentence(server: FeedServer) -> None:
    server.route("/", _html_reply(_page("<title>Nothing</title>")))
    with pytest.raises(DiscoveryError, match="No feed found"):
        _discover(server.url("/"))


def test_discover_refuses_other_schemes() -> None:
    with pytest.raises(DiscoveryError, match="not a web address"):
        _discover("file:///etc/hosts")


def test_library_discover_feeds(server: FeedServer, library: Library) -> None:
    server.route(
        "/feed.json",
        feed_reply(
            b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": []}',
            "application/feed+json",
        ),
    )
    server.route("/", _html_reply(_page("")))
    assert asyncio.run(library.discover_feeds(server.url("/"))) == [
        FeedLink(server.url("/feed.json"), "J", "JSON Feed")
    ]


# -- pages whose charset names no text encoding ----------------------------------------


def _feed_link_page(title: str) -> str:
    return (
        "<!doctype html><html><head>"
        f'<link rel="alternate" type="application/rss+xml" title="{title}" href="/rss.xml">'
        "</head><body><p>Hello</p></body></html>"
    )


def test_discovery_reads_a_page_labelled_unicode_escape_as_utf8(server: FeedServer) -> None:
    # unicode_escape would turn the six characters "\u00e9" into "é" (and "\x1b" into ESC).
    page = _feed_link_page("Caf\\u00e9 news").encode()
    server.route("/", Reply(200, page, {"Content-Type": "text/html; charset=unicode_escape"}))
    (link,) = _discover(server.url("/"))
    assert link.title == "Caf\\u00e9 news"


def test_discovery_honours_a_utf16_byte_order_mark(server: FeedServer) -> None:
    page = codecs.BOM_UTF16_LE + _feed_link_page("Café news").encode("utf-16-le")
    server.route("/", Reply(200, page, {"Content-Type": "text/html"}))
    (link,) = _discover(server.url("/"))
    assert link.title == "Café news"
    assert link.url == server.url("/rss.xml")


@pytest.mark.parametrize("label", ["zlib", "rot13", "hex", "base64"])
def test_discovery_reads_a_meta_naming_no_text_encoding_as_utf8(
    server: FeedServer, label: str
) -> None:
    page = f'<meta charset="{label}">'.encode() + _feed_link_page("Café news").encode()
    server.route("/", Reply(200, page, {"Content-Type": "text/html"}))
    (link,) = _discover(server.url("/"))
    assert link.title == "Café news"
