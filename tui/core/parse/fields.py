"""How newsterm drives feedparser, and how a feedparser-shaped dict becomes plain data.

This module owns what the two XML paths share: the options :mod:`tui.core.parse.feed` passes to
feedparser (which :mod:`tui.core.parse.fast.reader` checks it reproduces), the XML declaration's
encoding and the codec a label names, and the reading of feedparser's dicts — an entry,
the one-line title, the page link — whether feedparser built them (:mod:`tui.core.parse.feed`)
or the fast reader did (:mod:`tui.core.parse.fast.reader`), so that both paths share every line
of hygiene. Entries themselves are made by :mod:`tui.core.parse.entries`.

Pure, like the rest of the parser: no I/O, and it never imports textual or rich. It imports
neither :mod:`tui.core.parse.feed` nor :mod:`tui.core.parse.fast.reader`, so both can import it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.util import FeedParserDict

from tui.core.models import ParsedEntry
from tui.core.parse.enclosures import from_feedparser as enclosures_from_feedparser
from tui.core.parse.entries import absolute, as_str, make_entry, summary_text, text_as_html
from tui.core.parse.urls import WEB_URL
from tui.core.text.html import html_to_text
from tui.core.text.hygiene import clean_line, clean_url

__all__ = [
    "FEEDPARSER_OPTIONS",
    "SENSITIVE_KEYS",
    "XML_ENCODING",
    "codec_name",
    "fp_entry",
    "fp_get",
    "fp_line",
    "fp_link",
]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})

# feedparser's ``sanitize_html`` is off. Measured on a 96 KB RSS 2.0 feed with 50 items
# (feedparser 6.0.14, CPython 3.11, best of 9): ~60 ms with it, ~40 ms without, a third of
# the parse; ~6 s of CPU over a 300-feed refresh. newsterm never renders feed HTML as HTML:
# the body becomes plain-text blocks later, where scripts and styles are dropped whole, and
# every link is gated by ``openable_url``. ``resolve_relative_uris`` stays on, though it
# costs ~18 ms of the 40, because relative links and images in bodies would be dead.
FEEDPARSER_OPTIONS: dict[str, bool] = {"sanitize_html": False, "resolve_relative_uris": True}

# Keys that an element with no feedparser handler must not write (feedparser files its text
# or attributes under its own name): the ones this module reads, the ones feedparser's
# rules consult, and the FeedParserDict aliases that lead to them (its rules read through
# them; this module does not, so the dates as written need no aliases).
_CONSULTED_KEYS = frozenset(
    {"title", "title_detail", "link", "links", "id", "summary", "summary_detail"}
    | {"content", "author", "author_detail", "authors", "published_parsed"}
    | {"updated_parsed", "created_parsed", "tags", "image", "textinput", "contributors"}
    | {"publisher", "publishers", "publisher_detail", "generator_detail", "media_content"}
    | {"media_thumbnail", "media_rating", "media_credit", "media_restriction"}
    | {"media_license", "media_player"}
)
SENSITIVE_KEYS = (
    _CONSULTED_KEYS
    | {"published", "updated", "created"}
    | frozenset(
        alias
        for alias, target in FeedParserDict.keymap.items()
        if _CONSULTED_KEYS.intersection(target if isinstance(target, list) else [target])
    )
)

# A leading weekday in any language: a word and a comma, or a word before "16 nov".
_WEEKDAY = re.compile(r"\s*[^\W\d_]{1,12}\.?(?:\s*,|\s+(?=[0-9]{1,2}\s+[^\W\d_]))\s*")

#: The encoding an XML declaration names, if it names one.
XML_ENCODING = re.compile(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)")


def codec_name(label: str) -> str:
    """The codec's own name for an encoding label ("UTF8" → "utf-8"); unknown ones lower-cased.

    For comparing labels only; :func:`tui.core.text.charsets.text_codec` says which may decode.
    """
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError, TypeError):  # ValueError: a NUL in the label
        return label.lower()


def fp_entry(entry: Any, base: str, now: datetime) -> ParsedEntry:
    """A feedparser entry dict as an entry; links are made absolute against ``base``."""
    # feedparser copies the content into ``summary`` (without a ``summary_detail``) when an
    # entry has none; that copy is not a summary, and its type is the content's.
    summary_raw, summary_is_html = _fp_detail(entry, "summary")
    if not isinstance(fp_get(entry, "summary_detail"), Mapping):
        summary_raw = ""
    content_html = ""
    contents = [c for c in fp_get(entry, "content") or () if isinstance(c, Mapping)]
    if contents:
        longest = max(contents, key=lambda c: len(as_str(fp_get(c, "value"))))
        value = as_str(fp_get(longest, "value"))
        is_html = as_str(fp_get(longest, "type")) in _HTML_TYPES
        content_html = value if is_html else text_as_html(value)
    if not content_html and summary_raw:
        content_html = summary_raw if summary_is_html else text_as_html(summary_raw)
    updated = _fp_date(entry, "updated")
    published_raw = _struct_time_to_datetime(
        _fp_date(entry, "published") or updated or _fp_date(entry, "created")
    )
    tags = fp_get(entry, "tags") or ()
    return make_entry(
        title=fp_line(entry, "title"),
        link=fp_link(entry, base),
        guid=clean_url(as_str(fp_get(entry, "id"))),
        summary=summary_text(summary_raw, is_html=summary_is_html),
        content_html=content_html,
        author=_fp_author(entry),
        published_raw=published_raw,
        updated_raw=_struct_time_to_datetime(updated),
        categories=(as_str(fp_get(tag, "label")) or as_str(fp_get(tag, "term")) for tag in tags),
        now=now,
        enclosures=enclosures_from_feedparser(entry, base),
    )


def fp_get(item: object, key: str) -> Any:
    """A key of a feedparser dict, read plainly.

    ``FeedParserDict.get`` aliases keys: asking for a missing ``updated_parsed`` returns
    ``published_parsed`` (with a DeprecationWarning each time), ``description`` is
    ``summary``... newsterm wants what the feed said.
    """
    return dict.get(item, key) if isinstance(item, dict) else None


def _fp_author(entry: Any) -> str:
    """The author's name: feedparser splits RSS's ``ann@example.com (Ann)`` into detail."""
    name = as_str(fp_get(fp_get(entry, "author_detail"), "name"))
    return clean_line(name or as_str(fp_get(entry, "author")))


def _fp_detail(item: Any, key: str) -> tuple[str, bool]:
    """A text construct's value and whether it is HTML (feedparser's default for RSS)."""
    kind = as_str(fp_get(fp_get(item, f"{key}_detail"), "type"))
    return as_str(fp_get(item, key)), (kind or "text/html") in _HTML_TYPES


def fp_line(item: Any, key: str) -> str:
    """A text construct (``title``...) of a feedparser dict, as one clean line of plain text."""
    value, is_html = _fp_detail(item, key)
    return clean_line(html_to_text(value) if is_html else value)


def fp_link(item: Any, base: str) -> str:
    """The first alternate link of a feedparser dict, else its ``link``, made absolute.

    An http(s) link wins over one with another scheme (``at://``, ``urn:``) that comes
    first: only the former opens in a browser.
    """
    found = ""
    links = fp_get(item, "links")
    for link in links if isinstance(links, list) else ():
        if as_str(fp_get(link, "rel")) in ("alternate", ""):
            href = absolute(fp_get(link, "href"), base)
            if href and WEB_URL.match(href):
                return href
            found = found or href
    href = absolute(fp_get(item, "link"), base)
    return href if href and WEB_URL.match(href) else found or href


def _fp_date(entry: Any, key: str) -> Any:
    """``<key>_parsed``, or the date as written read again without its weekday.

    feedparser gives up on a weekday it does not know ("mer, 16 nov 2022 00:38:15 +0100");
    the weekday says nothing the date does not, so it is dropped and the rest is read.
    """
    parsed = fp_get(entry, f"{key}_parsed")
    if parsed:
        return parsed
    written = as_str(fp_get(entry, key))
    weekday = _WEEKDAY.match(written)
    without = written[weekday.end() :] if weekday else ""
    if not without:
        return None
    try:
        return _parse_date(without)
    except Exception:  # feedparser's date handlers are not meant to raise; a date is optional
        return None


def _struct_time_to_datetime(value: object) -> datetime | None:
    if not isinstance(value, tuple):  # feedparser gives a time.struct_time, a tuple
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in value[:6])
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)  # 60: leap
    except (TypeError, ValueError, OverflowError):
        return None
