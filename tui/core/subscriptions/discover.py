"""Feed autodiscovery: from a site's address to the feeds it offers.

:func:`find_feed_links` is pure: it reads the ``<link rel="alternate">`` elements of a web
page's head. :func:`discover` does the fetching around it: the address itself may be a
feed; else its page may link to feeds; else a feed may sit at one of the usual addresses
(``/feed``, ``/rss.xml`` ...) of the same site. Both the CLI and the UI reach it through
:meth:`tui.core.library.Library.discover_feeds`.

Web pages are untrusted like feeds: only http(s) links come out, titles are cleaned with
:func:`~tui.core.text.hygiene.clean_line`, and only the first :data:`MAX_HTML_CHARS` of a page
are read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from tui.core.errors import DiscoveryError
from tui.core.fetch.http import Fetcher, FetchKind, FetchResult
from tui.core.models import ParsedFeed
from tui.core.parse.feed import parse_feed_safely
from tui.core.text.charsets import decode_page
from tui.core.text.hygiene import clean_line
from tui.core.text.urls import OPENABLE_SCHEMES, openable_url

#: Feed media types a page may announce, and the name a user knows each by.
FEED_TYPES: Mapping[str, str] = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
    "application/rdf+xml": "RDF",
}
#: Where feeds usually live when a page does not say, tried on the page's own site.
COMMON_PATHS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json")
#: The <head> is near the top; a multi-megabyte page is not read to its end.
MAX_HTML_CHARS = 512 * 1024


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a site offers. ``title`` may be empty; ``kind`` is "RSS", "Atom", ..."""

    url: str
    title: str = ""
    kind: str = ""

    @property
    def label(self) -> str:
        """How to name it to a user: its title (or kind) and its address."""
        name = self.title or self.kind or "Feed"
        return f"{name} ({self.url})"


class _LinkCollector(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.links: list[FeedLink] = []
        self._seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "base" and values.get("href"):
            # <base href> changes what relative links mean; only an http(s) base counts.
            base = openable_url(urljoin(self.base_url, values["href"].strip()))
            if base:
                self.base_url = base
        elif tag == "link":
            self._link(values)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def _link(self, values: Mapping[str, str]) -> None:
        rels = values.get("rel", "").lower().split()
        media_type = values.get("type", "").partition(";")[0].strip().lower()
        kind = FEED_TYPES.get(media_type)
        if "alternate" not in rels or kind is None or not values.get("href"):
            return
        try:
            url = openable_url(urljoin(self.base_url, values["href"].strip()))
        except ValueError:  # urljoin on a malformed netloc ("http://[::1")
            return
        if url is None or url in self._seen:
            return
        # WordPress announces its REST API as rel="alternate" type="application/json" on
        # every page: JSON, but not a feed.
        if media_type == "application/json" and "/wp-json/" in urlsplit(url).path:
            return
        self._seen.add(url)
        self.links.append(FeedLink(url, clean_line(values.get("title")), kind))


def find_feed_links(html: str, base_url: str) -> list[FeedLink]:
    """The feeds a web page links to, in document order, without duplicates.

    The whole page (up to :data:`MAX_HTML_CHARS`) is read, not only its head: YouTube, for
    one, puts its channel feed's ``<link>`` in the body.

    Relative addresses are made absolute against ``base_url`` (or the page's ``<base>``);
    links that are not http(s) are dropped.
    """
    collector = _LinkCollector(base_url)
    # html.parser is lenient, but hostile markup has made it raise before (odd
    # declarations); the links read up to there are still good.
    with contextlib.suppress(Exception):
        collector.feed(html[:MAX_HTML_CHARS])
        collector.close()
    return collector.links


def _kind_of(parsed: ParsedFeed) -> str:
    version = parsed.version.lower()
    if version.startswith("json") or version.endswith("json"):
        return "JSON Feed"
    for prefix, kind in (("atom", "Atom"), ("rss", "RSS"), ("rdf", "RDF")):
        if version.startswith(prefix):
            return kind
    return "Feed"


async def _as_feed(result: FetchResult, url: str) -> FeedLink | None:
    """``url`` as a feed link if the fetched body reads as a feed, else None."""
    # Off this loop: a big feed takes feedparser a while, and the caller's loop may be busy.
    parsed = await asyncio.to_thread(
        parse_feed_safely, result.body, url=result.final_url or url, headers=result.headers
    )
    if isinstance(parsed, str):
        return None
    return FeedLink(url, clean_line(parsed.title), _kind_of(parsed))


def _decode_page(result: FetchResult) -> str:
    body = result.body[: MAX_HTML_CHARS * 4]  # four bytes a character at most (UTF-8)
    return decode_page(body, result.headers.get("content-type", ""))[:MAX_HTML_CHARS]


def _unreadable(url: str, result: FetchResult) -> DiscoveryError:
    if result.status_code and not 200 <= result.status_code < 300:
        return DiscoveryError(
            f"{url} could not be read (HTTP {result.status_code}); check the address."
        )
    reason = (result.error or "no answer.").rstrip(".")
    hint = (
        " To subscribe anyway, run `newsterm add --no-discover` with it."
        if result.network_error
        else ""
    )
    return DiscoveryError(f"{url} could not be read: {reason}.{hint}")


async def discover(url: str, fetcher: Fetcher) -> list[FeedLink]:
    """The feeds at ``url``: ``[url]`` itself when it is a feed, else the feeds its page
    links to, else the feeds found at the usual addresses on its site.

    Raises :class:`DiscoveryError` (with a sentence) when the address cannot be read or
    leads to no feed at all.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in OPENABLE_SCHEMES or not parts.hostname:
        raise DiscoveryError(f"{url!r} is not a web address; feeds are found at http(s) ones.")
    result = await fetcher.fetch(url)
    if result.kind is not FetchKind.OK:
        raise _unreadable(url, result)
    itself = await _as_feed(result, url)
    if itself is not None:
        return [itself]
    page_url = result.final_url or url
    links = find_feed_links(_decode_page(result), page_url)
    if links:
        return links
    final = urlsplit(page_url)
    origin = f"{final.scheme}://{final.netloc}"
    candidates = [origin + path for path in COMMON_PATHS]
    results = await asyncio.gather(*(fetcher.fetch(candidate) for candidate in candidates))
    found: list[FeedLink] = []
    seen: set[str] = set()
    for candidate, fetched in zip(candidates, results, strict=True):
        # /feed and /rss often redirect to the same feed: offer it once.
        where = fetched.final_url or candidate
        if fetched.kind is not FetchKind.OK or where in seen:
            continue
        link = await _as_feed(fetched, candidate)
        if link is not None:
            seen.add(where)
            found.append(link)
    if not found:
        raise DiscoveryError(
            f"No feed found at {url}: the page links to none and none of the usual addresses "
            "(/feed, /rss.xml ...) holds one. Look on the site for an RSS or Atom link and "
            "add that address."
        )
    return found
