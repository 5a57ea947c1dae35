"""Feed documents → plain data: the one place that reads RSS, Atom, RDF, CDF and JSON Feed.

This module owns everything between "the server sent these bytes" and a
:class:`~tui.core.models.ParsedFeed`: it is the parser's public face (:func:`parse_feed`,
:func:`parse_feed_safely` and the sentences and limits other modules rely on), it tells
JSON Feed from XML, and it drives feedparser safely for XML feeds. The rest lives beside it:

- :mod:`tui.core.parse.fast.reader` reads well-formed UTF-8 RSS/Atom/RDF itself, much sooner, and
  gives back what this module would make of it through feedparser (or nothing);
- :mod:`tui.core.parse.fields` holds the feedparser options and the reading of
  feedparser-shaped dicts that this module and the fast reader share;
- :mod:`tui.core.parse.driver` runs feedparser so that a failing handler costs at most
  the entry it was reading;
- :mod:`tui.core.parse.jsonfeed` reads JSON Feed and RSS-in-JSON;
- :mod:`tui.core.parse.xml_safety` defuses hostile XML before feedparser sees it;
- :mod:`tui.core.parse.entries` makes entries the same way for every format: identity,
  which dates are believed, and the hygiene of every string (through :mod:`tui.core.text.hygiene`);
- :mod:`tui.core.parse.hints` reads how often the feed asks to be fetched.

It is pure — no I/O; the clock is read only for the "no dates from the future" rule — so
it can run in a ``ProcessPoolExecutor``, and its results are picklable frozen dataclasses.
It never imports textual or rich.
"""

from __future__ import annotations

import dataclasses
import re
import xml.sax
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser
from feedparser.encodings import RE_XML_PI_ENCODING

from tui.core.errors import ParseError
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.parse.driver import DamagedEntry, run_feedparser
from tui.core.parse.entries import FUTURE_SLACK as FUTURE_SLACK, UNTITLED, BadEntryError, collect
from tui.core.parse.fast.reader import parse_fast
from tui.core.parse.fields import XML_ENCODING, codec_name, fp_entry, fp_get, fp_line, fp_link
from tui.core.parse.hints import document_hint, max_age_hint, strongest
from tui.core.parse.jsonfeed import parse_json_feed
from tui.core.parse.xml_safety import declaration_head, defuse, scan_codec
from tui.core.text.charsets import first_codec, header_charset, text_codec
from tui.core.text.hygiene import clean_line

__all__ = ["EMPTY_DOCUMENT", "UNTITLED", "WEB_PAGE", "parse_feed", "parse_feed_safely"]

EMPTY_DOCUMENT = "The server sent an empty document."
WEB_PAGE = (
    "The address serves a web page, not a feed. Look on that site for its RSS, Atom or "
    "JSON Feed link and subscribe to that address instead."
)

_JSON_TYPES = frozenset({"application/feed+json", "application/json"})

_LEADING_SPACE = re.compile(rb"(?:\xef\xbb\xbf)?\s*")
# Decided by the root element, not the DOCTYPE: feeds behind an XHTML DOCTYPE exist.
_SPACE = b" \t\n\r\f\v"
#: How far into a document its first element is looked for.
_HEAD = 4096


def _is_web_page(body: bytes) -> bool:
    """An HTML page rather than a feed: ``<html`` first, after an optional byte order mark,
    XML declaration, comments and doctype. Read in one pass: a regular expression for the
    same thing backtracked exponentially over a run of comments (100 hostile bytes held a
    worker for minutes)."""
    head = body[:_HEAD]
    pos = _skip_space(head, 3 if head.startswith(b"\xef\xbb\xbf") else 0)
    if head[pos : pos + 5].lower() == b"<?xml":
        end = head.find(b">", pos)
        if end < 0:
            return False
        pos = _skip_space(head, end + 1)
    while True:
        if head.startswith(b"<!--", pos):
            end = head.find(b"-->", pos + 4)  # a comment ends at its first -->
            if end < 0:
                return False
            pos = _skip_space(head, end + 3)
        elif head[pos : pos + 9].lower() == b"<!doctype":
            end = head.find(b">", pos)
            if end < 0:
                return False
            pos = _skip_space(head, end + 1)
        else:
            break
    after = head[pos + 5 : pos + 6]
    return head[pos : pos + 5].lower() == b"<html" and bool(after) and after in _SPACE + b">"


def _skip_space(head: bytes, pos: int) -> int:
    while pos < len(head) and head[pos] in _SPACE:
        pos += 1
    return pos


def parse_feed(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    fast_reader: bool = True,
) -> ParsedFeed:
    """Read a feed document; raise :class:`ParseError` if it is not a feed at all.

    ``url`` is where the document came from (after redirects): relative links are made
    absolute against it. ``headers`` are the HTTP response headers, used for the media
    type, the charset and the refresh hint (``Cache-Control``, weighed with the
    document's own: see :mod:`tui.core.parse.hints`). ``fast_reader=False`` always uses
    feedparser: the reference the fast reader is tested against.
    """
    parsed = _read_document(body, url=url, headers=headers, fast_reader=fast_reader)
    hint = strongest(parsed.hint_minutes, max_age_hint(headers or {}))
    return parsed if hint == parsed.hint_minutes else dataclasses.replace(parsed, hint_minutes=hint)


def _read_document(
    body: bytes, *, url: str, headers: Mapping[str, str] | None, fast_reader: bool
) -> ParsedFeed:
    if not isinstance(body, bytes | bytearray | memoryview):
        # feedparser takes a str for a path or URL to open; never let one reach it.
        raise TypeError(f"parse_feed takes the document as bytes, not {type(body).__name__}")
    body = bytes(body)
    lowered = {key.lower(): value for key, value in (headers or {}).items()}
    content_type = lowered.get("content-type", "")
    media_type = content_type.partition(";")[0].strip().lower()
    charset = header_charset(content_type)
    start = _LEADING_SPACE.match(body)
    first = body[start.end() : start.end() + 1] if start else body[:1]
    if not first:
        raise ParseError(EMPTY_DOCUMENT)
    now = datetime.now(UTC)
    if first in (b"{", b"[") or (first != b"<" and media_type in _JSON_TYPES):
        return parse_json_feed(body, url, charset, now)
    if _is_web_page(body):
        raise ParseError(WEB_PAGE)
    # The common case, a well-formed RSS/Atom/RDF document in UTF-8, takes the fast reader
    # (several times quicker, the same result); anything it is not sure of comes back None
    # and goes to feedparser.
    if (
        fast_reader
        and (not charset or codec_name(charset) == "utf-8")
        and (fast := parse_fast(body, url=url)) is not None
    ):
        return fast
    return _parse_xml_feed(body, url, lowered, charset, now)


def parse_feed_safely(
    body: bytes, *, url: str, headers: Mapping[str, str] | None = None
) -> ParsedFeed | str:
    """:func:`parse_feed` for a process pool: a failure comes back as one sentence."""
    try:
        return parse_feed(body, url=url, headers=headers)
    except ParseError as error:
        return str(error)
    except Exception as error:  # one bad feed must never take down the pool or the refresh
        message = clean_line(f"{type(error).__name__}: {error}")[:300]
        return f"newsterm could not read this feed: {message}"


# --- XML feeds, through feedparser ------------------------------------------------------


def _parse_xml_feed(
    body: bytes, url: str, headers: dict[str, str], charset: str, now: datetime
) -> ParsedFeed:
    warnings: list[str] = []
    body = defuse(body, warnings)
    response_headers = dict(headers)
    response_headers["content-location"] = url
    response_headers["content-type"] = _xml_content_type(body, charset, warnings)
    # feedparser's steps, run so that whatever one of its handlers raises costs at most
    # the entry it was reading (and the body is never taken for a file name to open).
    result = run_feedparser(body, response_headers)
    warning = _bozo_warning(result.bozo_exception)
    if warning:
        warnings.append(warning)
    if result.feed_failures:
        warnings.append(
            clean_line(
                "Parts of the feed's own details could not be read "
                f"({'; '.join(result.feed_failures)}); newsterm read the rest."
            )[:500]
        )
    feed = result.feed
    title = fp_line(feed, "title")
    if not result.entries and not result.version and not title and not fp_get(feed, "link"):
        if b"<html" in body[:2048].lower():
            raise ParseError(WEB_PAGE)
        raise ParseError(_unreadable(result.bozo_exception))
    entries = collect(
        result.entries, lambda item: _xml_entry(item, url, now), warnings, need_one=True
    )
    return ParsedFeed(
        title=title,
        site_url=fp_link(feed, url),
        version=result.version,
        entries=entries,
        warnings=tuple(warnings),
        hint_minutes=document_hint(feed),
    )


def _xml_entry(item: Any, url: str, now: datetime) -> ParsedEntry:
    if isinstance(item, DamagedEntry):
        raise BadEntryError(item.reason)
    return fp_entry(item, url, now)


def _xml_content_type(body: bytes, charset: str, warnings: list[str]) -> str:
    """The Content-Type to hand feedparser: always an XML type, with the charset to believe.

    The real media type is ignored on purpose: RFC 3023 makes ``text/xml`` without a
    charset mean US-ASCII and feedparser assumes ISO-8859-1 when there is no header at all,
    both of which turn UTF-8 into mojibake. RFC 7303 (what browsers do) lets the XML
    declaration decide instead. Labels that name no text encoding (``zlib``, ``rot13``,
    ``x-no-such-encoding``) are never handed on: feedparser would try to decode with them.
    """
    if charset and text_codec(charset) is None:
        warnings.append(
            clean_line(
                f"The server names a character encoding newsterm cannot use ({charset[:40]}); "
                "newsterm went by the document instead."
            )
        )
        charset = ""
    declared = _feedparser_declared(body)
    if declared is not None and text_codec(declared) is None:
        # feedparser would try this label whenever the charset given first fails: give it
        # one that cannot fail.
        codec = first_codec(body, (charset, "utf-8", "cp1252")) or "latin-1"
        warnings.append(
            clean_line(
                f"The feed names a character encoding newsterm cannot use ({declared[:40]}); "
                f"newsterm read it as {codec}."
            )
        )
        return f"application/xml; charset={codec}"
    wide = scan_codec(body)
    if wide != "latin-1":
        # Told nothing, feedparser tries UTF-8 first on UTF-16 whose declaration names no
        # encoding, and UTF-16 ASCII *is* valid UTF-8 (with NULs): the BOM is the truth.
        return f"application/xml; charset={wide}"
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the label says: Latin-1
            # text almost never decodes as UTF-8 by accident.
            declared_match = XML_ENCODING.match(body)
            declared = charset or (
                declared_match.group(1).decode("ascii") if declared_match else ""
            )
            if declared and codec_name(declared) != "utf-8":
                warnings.append(
                    clean_line(
                        f"The feed says its text is {declared} but it is UTF-8; "
                        "newsterm read it as UTF-8."
                    )
                )
            return "application/xml; charset=utf-8"
    return f"application/xml; charset={charset}" if charset else "application/xml"


def _feedparser_declared(body: bytes) -> str | None:
    """The encoding label feedparser finds in the XML declaration, if any, as text."""
    found = RE_XML_PI_ENCODING.match(declaration_head(body).removeprefix(b"\xef\xbb\xbf"))
    return found.group(1).decode("latin-1") if found else None


def _bozo_warning(error: object) -> str:
    if isinstance(error, xml.sax.SAXParseException):
        sentence = (
            f"The feed is not well-formed XML ({error.getMessage()} at line "
            f"{error.getLineNumber()}); newsterm read what it could."
        )
    elif isinstance(error, feedparser.CharacterEncodingOverride):
        sentence = f"The feed's declared character encoding is wrong ({error}); newsterm guessed."
    elif isinstance(error, feedparser.CharacterEncodingUnknown):
        sentence = (
            "newsterm could not tell the feed's character encoding; some letters may be wrong."
        )
    elif isinstance(error, feedparser.NonXMLContentType) or error is None:
        return ""  # the media type is not the document's fault; it parsed
    else:
        sentence = (
            f"The feed has errors ({type(error).__name__}: {error}); newsterm read what it could."
        )
    return clean_line(sentence)[:300]


def _unreadable(error: object) -> str:
    reason = ""
    if isinstance(error, xml.sax.SAXParseException):
        reason = f" ({error.getMessage()} at line {error.getLineNumber()})"
    return clean_line(
        f"newsterm found no RSS, Atom or JSON feed in this document{reason}. "
        "Check that the address is the feed's own address."
    )
