"""The verified= verdict: one table per rule in tui.core.pages.verify's docstring."""

from __future__ import annotations

import pytest

from tui.core.pages.verify import titles_match, verdict
from tui.core.text.urls import link_leaves_site, registrable_domain, same_site

HEADLINE = "Riverside tram line opens after six years of work"


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://feeds.bbc.co.uk/news/rss.xml", "bbc.co.uk"),
        ("https://www.bbc.co.uk/news/uk-1", "bbc.co.uk"),
        ("https://www.example.com/a?b=c#d", "example.com"),
        ("https://EXAMPLE.com./x", "example.com"),
        ("https://user:pw@news.example.com:8443/x", "example.com"),
        ("https://someone.github.io/blog", "someone.github.io"),  # a private suffix
        ("https://bücher.de/", "xn--bcher-kva.de"),
        ("https://www.xn--bcher-kva.de/", "xn--bcher-kva.de"),
        ("http://127.0.0.1:8000/feed", "127.0.0.1"),
        ("http://[::1]:8000/feed", "::1"),
        ("http://[0:0:0:0:0:0:0:1]/feed", "::1"),
        ("http://localhost:8000/feed", "localhost"),
        ("http://app.localhost/feed", "app.localhost"),
        ("http://intranet/feed", "intranet"),  # no public suffix: the host is the site
        ("file:///home/me/feed.xml", ""),
        ("/relative/path", ""),
        ("", ""),
        ("not a url at all", ""),
        ("http://[::1/broken", ""),
    ],
)
def test_registrable_domain(url: str, domain: str) -> None:
    assert registrable_domain(url) == domain


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://feeds.example.com/rss", "https://www.example.com/story", True),
        ("https://example.com/rss", "http://example.com/story", True),  # the scheme is not the site
        ("https://feeds.bbc.co.uk/rss", "https://www.bbc.co.uk/news/1", True),
        ("https://news.a.co.uk/rss", "https://news.b.co.uk/story", False),  # co.uk is a suffix
        ("https://example.com/rss", "https://example.net/story", False),
        ("https://example.com/rss", "https://example.com.evil.net/story", False),
        ("https://alice.github.io/feed", "https://bob.github.io/post", False),
        ("http://127.0.0.1:8000/feed", "http://127.0.0.1:9000/story", True),
        ("http://127.0.0.1:8000/feed", "http://127.0.0.2:8000/story", False),
        ("http://127.0.0.1:8000/feed", "http://localhost:8000/story", False),  # exact hosts
        ("file:///feed.xml", "file:///story.html", False),  # no host: never the same site
    ],
)
def test_same_site(a: str, b: str, same: bool) -> None:
    assert same_site(a, b) is same
    assert same_site(b, a) is same


@pytest.mark.parametrize(
    ("feed_title", "page_title", "match"),
    [
        (HEADLINE, HEADLINE, True),
        (HEADLINE, HEADLINE.upper(), True),
        (HEADLINE, f"  {HEADLINE}\n", True),
        (HEADLINE, f"{HEADLINE} | The Riverside Chronicle", True),
        (HEADLINE, f"The Riverside Chronicle: {HEADLINE}", True),
        (HEADLINE, f"{HEADLINE} – BBC News", True),
        ("Don\u2019t panic \u2014 it\u2019s \u201cfine\u201d", "Don't Panic - It's \"Fine\"", True),
        ("\ufb01nance report released today", "finance report released today", True),  # NFKC
        ("Council approves new budget for 2027", "Council approves the new budget for 2027", True),
        ("Tram line opens", "Tram line opens | Chronicle", True),  # 3 words contained
        ("Tram opens", "Tram opens | The Riverside Chronicle", False),  # 2 words, 10 chars
        ("Storm", "Storm | The Riverside Chronicle", False),
        ("Riverside-Chronicle", "Riverside Chronicle: a town paper", True),  # 19 chars contained
        (HEADLINE, "Storm closes schools across the region", False),
        (HEADLINE, "The Riverside Chronicle", False),  # the site's name, not the story's
        ("line opens after six", "Pipeline opens after sixteen delays", False),  # whole words only
        (HEADLINE, "", False),
        ("", HEADLINE, False),
        ("", "", False),
        ("!!!", "???", False),  # nothing left to compare after punctuation
    ],
)
def test_titles_match(feed_title: str, page_title: str, match: bool) -> None:
    assert titles_match(feed_title, page_title) is match
    assert titles_match(page_title, feed_title) is match


@pytest.mark.parametrize(
    ("feed_url", "page_url", "page_title", "expected"),
    [
        (
            "https://feeds.example.com/rss",
            "https://www.example.com/2026/tram",
            HEADLINE,
            (True, "same site, same title"),
        ),
        (
            "https://feeds.example.com/rss",
            "https://www.example.com/2026/tram",
            f"{HEADLINE} | Example News",
            (True, "same site, same title"),
        ),
        (
            "http://feeds.example.com/rss",
            "https://www.example.com/2026/tram",
            HEADLINE,
            (True, "same site, same title"),  # an upgrade to https is fine
        ),
        (
            "https://feeds.bbc.co.uk/news/rss.xml",
            "https://www.bbc.co.uk/news/uk-1",
            HEADLINE,
            (True, "same site, same title"),
        ),
        (
            "http://127.0.0.1:8000/feed.xml",
            "http://127.0.0.1:8000/story/1",
            HEADLINE,
            (True, "same site, same title"),
        ),
        (
            "https://feeds.example.com/rss",
            "https://www.example.net/2026/tram",
            HEADLINE,
            (False, "the page is on another site (example.net)"),
        ),
        (
            "https://feeds.bbc.co.uk/news/rss.xml",
            "https://www.itv.co.uk/news/uk-1",
            HEADLINE,
            (False, "the page is on another site (itv.co.uk)"),
        ),
        (
            "http://127.0.0.1:8000/feed.xml",
            "http://127.0.0.2:8000/story/1",
            HEADLINE,
            (False, "the page is on another site (127.0.0.2)"),
        ),
        (
            "https://feeds.example.com/rss",
            "http://www.example.com/2026/tram",
            HEADLINE,
            (False, "the page was served over http for an https feed"),
        ),
        (
            "https://feeds.example.com/rss",
            "https://www.example.com/2026/tram",
            "Storm closes schools across the region",
            (False, "the page's title differs from the feed's"),
        ),
        (
            "https://feeds.example.com/rss",
            "https://www.example.com/2026/tram",
            " \n ",
            (False, "the page has no title"),
        ),
        (
            "file:///home/me/feed.xml",
            "https://www.example.com/2026/tram",
            HEADLINE,
            (False, "the feed has no web address to compare with"),
        ),
        (
            "https://feeds.example.com/rss",
            "",
            HEADLINE,
            (False, "the page has no web address"),
        ),
    ],
)
def test_verdict(feed_url: str, page_url: str, page_title: str, expected: tuple[bool, str]) -> None:
    got = verdict(feed_url=feed_url, story_title=HEADLINE, page_url=page_url, page_title=page_title)
    assert got == expected


def test_the_site_is_checked_before_the_title() -> None:
    # Another site with the very same title is still another site: a copy is not the story.
    ok, reason = verdict(
        feed_url="https://example.com/rss",
        story_title=HEADLINE,
        page_url="https://copycat.example.net/x",
        page_title=HEADLINE,
    )
    assert not ok
    assert reason == "the page is on another site (example.net)"


def test_the_reason_names_the_site_as_plain_text() -> None:
    ok, reason = verdict(
        feed_url="https://example.com/rss",
        story_title=HEADLINE,
        page_url="https://xn--bcher-kva.de/x",
        page_title=HEADLINE,
    )
    assert (ok, reason) == (False, "the page is on another site (xn--bcher-kva.de)")


@pytest.mark.parametrize(
    ("feed_url", "link", "leaves"),
    [
        ("https://feeds.example.com/rss", "https://www.example.com/story", False),
        ("https://feeds.example.com/rss", "http://example.com/story", False),
        ("https://feeds.example.com/rss", "https://example.net/story", True),
        ("https://feeds.example.com/rss", "https://tracker.example.org/r?u=example.com", True),
        ("https://feeds.bbc.co.uk/rss", "https://www.bbc.co.uk/news/1", False),
        ("https://feeds.bbc.co.uk/rss", "https://www.itv.co.uk/news/1", True),
        ("http://127.0.0.1:8000/feed", "http://127.0.0.1:8001/story", False),
        ("http://127.0.0.1:8000/feed", "http://10.0.0.1:8000/story", True),
        ("file:///home/me/feed.xml", "https://example.net/story", False),  # cannot tell
        ("https://feeds.example.com/rss", "/relative/story", False),  # cannot tell
        ("https://feeds.example.com/rss", "", False),
    ],
)
def test_link_leaves_site(feed_url: str, link: str, leaves: bool) -> None:
    assert link_leaves_site(feed_url, link) is leaves
