"""Feed autodiscovery, the reading half: feed links found in real and hostile pages.

Discovery over HTTP (fetching the page, the usual addresses) is in
``tests/integration/test_discover.py``.
"""

from __future__ import annotations

import pytest

from tests.support.paths import CORPUS
from tui.core.subscriptions.discover import find_feed_links

REAL_WORLD = CORPUS / "real-world"
PAGES = [
    "DaringFireball.html",
    "inessential.html",
    "sixcolors.html",
    "furbo.html",
    "coco.html",
    "YouTubeTheVolvoRocks.html",  # its feed's <link> is in the body, 420 KB in
]


# -- find_feed_links ---------------------------------------------------------------------


@pytest.mark.corpus
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
