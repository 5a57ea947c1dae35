"""Feed autodiscovery: links read from real and hostile pages, and discovery over loopback HTTP."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from feeds import items, rss
from feedserver import FeedServer, Reply, feed_reply

from tui.core.errors import DiscoveryError
from tui.core.fetch.http import Fetcher
from tui.core.library import Library
from tui.core.subscriptions.discover import FeedLink, discover, find_feed_links

ROOT = Path(__file__).resolve().parents[2]
REAL_WORLD = ROOT.parent / "shared" / "corpus" / "real-world"
PAGES = [
    "DaringFireball.html",
    "inessential.html",
    "sixcolors.html",
    "furbo.html",
    "coco.html",
    "YouTubeTheVolvoRocks.html",  # its feed's <link> is in the body, 420 KB in
]


def _page(head: str, body: str = "") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def _html_reply(html: bytes) -> Reply:
    return Reply(200, html, {"Content-Type": "text/html; charset=utf-8"})


def _discover(url: str) -> list[FeedLink]:
    async def run() -> list[FeedLink]:
        async with Fetcher() as fetcher:
            return await discover(url, fetcher)

    return asyncio.run(run())


# -- find_feed_links ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_real_world_pages_link_to_their_feeds(name: str) -> None:
    path = REAL_WORLD / name
    if not path.exists():
        pytest.skip(f"the shared corpus is not here ({path})")
    links = find_feed_links(
        path.read_text(encoding="utf-8", errors="replace"), "https://site.example/a/"
    )
    assert links, name
    for link in links:
        assert link.url.startswith(("http://", "https://")), link
        assert link.kind in ("RSS", "Atom", "JSON Feed", "RDF")
    assert len({link.url for link in links}) == len(links)


def test_relative_links_rel_tokens_types_and_order() -> None:
    html = """<html><head>
      <LINK REL="Alternate Home" TYPE="application/atom+xml" href="/atom.xml" title="Atom">
      <link rel="alternate" type="application/rss+xml; charset=utf-8" href="rss.xml">
      <link rel="alternate" type="application/feed+json" href="//cdn.example/feed.json">
      <link rel="alternate" type="application/rdf+xml" href="index.rdf">
      <link rel="alternate" type="application/rss+xml" href="/atom.xml#again">
      <link rel="alternate" type="application/atom+xml" href="/atom.xml">
      <link rel="alternate" type="text/html" href="/fr/" hreflang="fr">
      <link rel="stylesheet" type="application/rss+xml" href="/nope.xml">
      <link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">
      <link rel="alternate" type="application/rss+xml">
    </head></html>"""
    links = find_feed_links(html, "https://site.example/blog/post.html")
    assert [(link.url, link.kind) for link in links] == [
        ("https://site.example/atom.xml", "Atom"),
        ("https://site.example/blog/rss.xml", "RSS"),
        ("https://cdn.example/feed.json", "JSON Feed"),
        ("https://site.example/blog/index.rdf", "RDF"),
        ("https://site.example/atom.xml#again", "RSS"),
    ]
    assert links[0].title == "Atom" and links[1].title == ""


def test_base_href_is_honoured_unless_it_is_not_http() -> None:
    link = "<link rel=alternate type=application/rss+xml href=f.xml></head>"
    html = f'<head><base href="https://other.example/x/">{link}'
    assert find_feed_links(html, "https://site.example/")[0].url == "https://other.example/x/f.xml"
    hostile = f'<head><base href="javascript:alert(1)//">{link}'
    assert find_feed_links(hostile, "https://site.example/")[0].url == "https://site.example/f.xml"


def test_hostile_attributes() -> None:
    html = (
        "<head>"
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)" title="js">'
        '<link rel="alternate" type="application/rss+xml" href="  JaVaScRiPt:alert(1)">'
        '<link rel="alternate" type="application/rss+xml" href="data:text/xml,<rss/>">'
        '<link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">'
        '<link rel="alternate" type="application/rss+xml" href="http://[::1">'
        '<link rel="alternate" type="application/rss+xml" href="/good.xml"'
        ' title="[bold red]Loud[/] &lt;b&gt;x&lt;/b&gt;'
        '\x1b]52;c;cHduZWQ=\x07 \u202eevil\x9b31m\x00">'
        "</head>"
    )
    links = find_feed_links(html, "https://site.example/")
    assert [link.url for link in links] == ["https://site.example/good.xml"]
    title = links[0].title
    assert title.startswith("[bold red]Loud[/] <b>x</b>")  # markup stays literal text
    assert "evil" in title
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in title)


def test_huge_and_broken_pages_are_cheap_and_harmless() -> None:
    link = '<link rel="alternate" type="application/rss+xml" href="/late.xml">'
    padding = "<p>" + "x" * (600 * 1024) + "</p>"
    assert find_feed_links(f"<html><body>{padding}{link}", "https://site.example/") == []
    early = find_feed_links(f"<html><head>{link}<![if !IE]><!bogus <<<", "https://site.example/")
    assert [item.url for item in early] == ["https://site.example/late.xml"]
    assert find_feed_links("", "https://site.example/") == []


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
