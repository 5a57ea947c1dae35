"""The ``verified=`` verdict: is the page a story links to the page its feed announced?

A feed names a story and links to it; the link may lead anywhere. newsterm calls a story
*verified* when all of these hold for the page it fetched (its URL after redirects):

1. **Same site.** The page is on the same registrable domain as the feed's URL: the
   domain a person can register under its public suffix (``feeds.bbc.co.uk`` and
   ``www.bbc.co.uk`` are both ``bbc.co.uk``; ``user.github.io`` is its own site). A host
   that is an IP address, or ``localhost``, is compared exactly as it is.
2. **Same security.** A page behind an ``https`` feed is served over ``https`` too.
3. **Same title.** The page's own title matches the story's title in the feed (see
   :func:`titles_match`). A page with no title cannot confirm the story, so it is not
   verified either ("the page has no title").

Otherwise the story is ``verified=false`` with a short reason, one of: "the page is on
another site (example.net)", "the page was served over http for an https feed", "the
page has no title", "the page's title differs from the feed's", and, when there is no
site to compare, "the feed has no web address to compare with" or "the page has no web
address". Before any fetch, :func:`link_leaves_site` already tells a link that points
off the feed's site.

Titles match when, after normalising both (NFKC, casefold, one kind of quote and dash,
punctuation dropped, spaces collapsed), they are equal; or one contains the other as
whole words and the contained one has at least 3 words or 15 characters (pages title
themselves "Headline | Site Name" or "Site: Headline"); or they are at least 80% alike
(:class:`difflib.SequenceMatcher`), since feeds and pages edit titles slightly.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from tui.core.text.hygiene import clean_line
from tui.core.text.urls import registrable_domain

__all__ = ["titles_match", "verdict"]

#: Shortest contained title that still counts as a match: "News" in "News | Site" does not.
_MIN_CONTAINED_WORDS = 3
_MIN_CONTAINED_CHARS = 15
_MIN_SIMILARITY = 0.8

_QUOTES = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a\u2033", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-"),
    }
)
_SPACES = re.compile(r"\s+")


def titles_match(feed_title: str, page_title: str) -> bool:
    """Whether a page's title confirms a feed's title for a story (rules in the docstring)."""
    feed, page = _normalise(feed_title), _normalise(page_title)
    if not feed or not page:
        return False
    if feed == page:
        return True
    short, long = sorted((feed, page), key=len)
    if f" {short} " in f" {long} " and (
        len(short.split()) >= _MIN_CONTAINED_WORDS or len(short) >= _MIN_CONTAINED_CHARS
    ):
        return True
    return difflib.SequenceMatcher(None, feed, page).ratio() >= _MIN_SIMILARITY


def verdict(*, feed_url: str, story_title: str, page_url: str, page_title: str) -> tuple[bool, str]:
    """``(verified, reason)`` for a fetched page; ``page_url`` is its URL after redirects."""
    feed_domain = registrable_domain(feed_url)
    page_domain = registrable_domain(page_url)
    if not feed_domain:
        return False, "the feed has no web address to compare with"
    if not page_domain:
        return False, "the page has no web address"
    if feed_domain != page_domain:
        return False, f"the page is on another site ({clean_line(page_domain)})"
    if _scheme(feed_url) == "https" and _scheme(page_url) != "https":
        return False, "the page was served over http for an https feed"
    if not clean_line(page_title):
        return False, "the page has no title"
    if not titles_match(story_title, page_title):
        return False, "the page's title differs from the feed's"
    return True, "same site, same title"


def _scheme(url: str) -> str:
    return url.strip().partition(":")[0].lower()


def _normalise(title: str) -> str:
    """NFKC, casefold, one quote and dash, apostrophes joined, other punctuation a space."""
    text = unicodedata.normalize("NFKC", clean_line(title)).casefold().translate(_QUOTES)
    chars = []
    for char in text:
        if char == "'":
            continue  # "don't" and "dont" are the same word; "don t" would be two
        category = unicodedata.category(char)
        chars.append(" " if category[0] in "PSZC" else char)
    return _SPACES.sub(" ", "".join(chars)).strip()
