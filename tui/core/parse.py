"""Feed documents → plain data: the one place that reads RSS, Atom, RDF, CDF and JSON Feed.

This module owns everything between "the server sent these bytes" and a
:class:`~tui.core.models.ParsedFeed`: telling JSON Feed from XML, driving feedparser
safely, the defences against hostile XML, the hygiene of every string (through
:mod:`tui.core.clean`), how an entry is identified, and which dates are believed.

It is pure — no I/O; the clock is read only for the "no dates from the future" rule — so
it can run in a ``ProcessPoolExecutor``, and its results are picklable frozen dataclasses.
It never imports textual or rich.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import json
import re
import xml.sax
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from tui.core.clean import clean_line, clean_text, clean_url, strip_controls
from tui.core.errors import ParseError
from tui.core.htmltext import html_to_text
from tui.core.models import ParsedEntry, ParsedFeed

__all__ = ["EMPTY_DOCUMENT", "UNTITLED", "WEB_PAGE", "parse_feed", "parse_feed_safely"]

EMPTY_DOCUMENT = "The server sent an empty document."
WEB_PAGE = (
    "The address serves a web page, not a feed. Look on that site for its RSS, Atom or "
    "JSON Feed link and subscribe to that address instead."
)
UNTITLED = "(untitled)"

#: Dates further ahead than this are typos or tricks that would pin a story to the top.
FUTURE_SLACK = timedelta(days=2)
_TITLE_FROM_SUMMARY = 80
# Summaries are previews: the full text is in ``content_html``. Some feeds put the whole
# article in the summary; converting all of it costs time and shows nothing more.
_SUMMARY_LIMIT = 2_000  # characters of a summary the feed gives
_PREVIEW_LIMIT = 400  # characters of a summary made from the body when the feed gives none
_ENTITY_BUDGET = 100_000  # characters that a feed's own XML entities may add, in all
_DETAILED_SKIPS = 3
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_JSON_TYPES = frozenset({"application/feed+json", "application/json"})
_NOT_JSON_FEED = "The address serves JSON data, not a JSON Feed."
_ITEMS_KEY = re.compile(r'"items"\s*:\s*\[')
_JSON_SEPARATORS = re.compile(r"[\s,]*")

# feedparser's ``sanitize_html`` is off. Measured on a 96 KB RSS 2.0 feed with 50 items
# (feedparser 6.0.14, CPython 3.11, best of 9): ~60 ms with it, ~40 ms without, a third of
# the parse; ~6 s of CPU over a 300-feed refresh. newsterm never renders feed HTML as HTML:
# the body becomes plain-text blocks later, where scripts and styles are dropped whole, and
# every link is gated by ``openable_url``. ``resolve_relative_uris`` stays on, though it
# costs ~18 ms of the 40, because relative links and images in bodies would be dead.
_FEEDPARSER_OPTIONS: dict[str, bool] = {"sanitize_html": False, "resolve_relative_uris": True}

_LEADING_SPACE = re.compile(rb"(?:\xef\xbb\xbf)?\s*")
# Decided by the root element, not the DOCTYPE: feeds behind an XHTML DOCTYPE exist.
_HTML_PAGE = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--.*?-->|<!doctype[^>]*>)\s*)*<html[\s>]",
    re.IGNORECASE | re.DOTALL,
)
_XML_ENCODING = re.compile(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\"';\s]+)", re.IGNORECASE)
_SURROGATES = re.compile("[\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
# Only refs that can be out of range: feedparser's loose parser crashes on surrogates,
# code points past U+10FFFF and digit strings too long for int().
_BIG_CHAR_REF = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{4,})|0*([0-9]{5,}));?")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# The XML prolog, for the entity defences below.
_BOM = re.compile("\ufeff|\xef\xbb\xbf")
_MISC = re.compile(r"(?:\s|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_DOCTYPE_PART = re.compile(r"\"[^\"]*\"|'[^']*'|<!--.*?-->|<\?.*?\?>|[^\"'<\[\]>]+|.", re.DOTALL)
_FIRST_ELEMENT = re.compile(r"<\w")
_XML_DECLARATION = re.compile(r"(?:\ufeff|\xef\xbb\xbf)?(?:<\?xml[^>]*\?>)?")
_SAFE_ENTITY = re.compile(
    r"""<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"&%<>]{0,200}|&\#\w+;)"|'([^'&%<>]{0,200}|&\#\w+;)')\s*>"""
)


def parse_feed(body: bytes, *, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Read a feed document; raise :class:`ParseError` if it is not a feed at all.

    ``url`` is where the document came from (after redirects): relative links are made
    absolute against it. ``headers`` are the HTTP response headers, used for the media
    type and the charset.
    """
    if not isinstance(body, bytes | bytearray | memoryview):
        # feedparser takes a str for a path or URL to open; never let one reach it.
        raise TypeError(f"parse_feed takes the document as bytes, not {type(body).__name__}")
    body = bytes(body)
    lowered = {key.lower(): value for key, value in (headers or {}).items()}
    content_type = lowered.get("content-type", "")
    media_type = content_type.partition(";")[0].strip().lower()
    charset_match = _CHARSET.search(content_type)
    charset = charset_match.group(1) if charset_match else ""
    start = _LEADING_SPACE.match(body)
    first = body[start.end() : start.end() + 1] if start else body[:1]
    if not first:
        raise ParseError(EMPTY_DOCUMENT)
    now = datetime.now(UTC)
    if first in (b"{", b"[") or (first != b"<" and media_type in _JSON_TYPES):
        return _parse_json_feed(body, url, charset, now)
    if _HTML_PAGE.match(body, 0, 4096):
        raise ParseError(WEB_PAGE)
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
    body = _defuse(body, warnings)
    response_headers = dict(headers)
    response_headers["content-location"] = url
    response_headers["content-type"] = _xml_content_type(body, charset, warnings)
    # Bytes are wrapped in a stream on purpose: feedparser opens a ``bytes`` argument as a
    # *file name* first, so a body reading ``/etc/passwd`` would be read from disk.
    result = feedparser.parse(
        io.BytesIO(body), response_headers=response_headers, **_FEEDPARSER_OPTIONS
    )
    if result.get("bozo"):
        warning = _bozo_warning(result.get("bozo_exception"))
        if warning:
            warnings.append(warning)
    feed = _get(result, "feed") or {}
    version = _str(result.get("version"))
    title = _fp_line(feed, "title")
    raw_entries = _get(result, "entries") or []
    if not raw_entries and not version and not title and not _get(feed, "link"):
        if b"<html" in body[:2048].lower():
            raise ParseError(WEB_PAGE)
        raise ParseError(_unreadable(result.get("bozo_exception")))
    entries = _collect(raw_entries, lambda item: _fp_entry(item, url, now), warnings)
    return ParsedFeed(
        title=title,
        site_url=_fp_link(feed, url),
        version=version,
        entries=entries,
        warnings=tuple(warnings),
    )


def _xml_content_type(body: bytes, charset: str, warnings: list[str]) -> str:
    """The Content-Type to hand feedparser: always an XML type, with the charset to believe.

    The real media type is ignored on purpose: RFC 3023 makes ``text/xml`` without a
    charset mean US-ASCII and feedparser assumes ISO-8859-1 when there is no header at all,
    both of which turn UTF-8 into mojibake. RFC 7303 (what browsers do) lets the XML
    declaration decide instead.
    """
    wide = _scan_codec(body)
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
            declared_match = _XML_ENCODING.match(body)
            declared = charset or (
                declared_match.group(1).decode("ascii") if declared_match else ""
            )
            if declared and _codec_name(declared) != "utf-8":
                warnings.append(
                    clean_line(
                        f"The feed says its text is {declared} but it is UTF-8; "
                        "newsterm read it as UTF-8."
                    )
                )
            return "application/xml; charset=utf-8"
    return f"application/xml; charset={charset}" if charset else "application/xml"


def _codec_name(label: str) -> str:
    try:
        return codecs.lookup(label).name
    except LookupError:
        return label.lower()


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


def _fp_entry(entry: Any, base: str, now: datetime) -> ParsedEntry:
    # feedparser copies the content into ``summary`` (without a ``summary_detail``) when an
    # entry has none; that copy is not a summary, and its type is the content's.
    summary_raw, summary_is_html = _fp_detail(entry, "summary")
    if not isinstance(_get(entry, "summary_detail"), Mapping):
        summary_raw = ""
    content_html = ""
    contents = [c for c in _get(entry, "content") or () if isinstance(c, Mapping)]
    if contents:
        longest = max(contents, key=lambda c: len(_str(_get(c, "value"))))
        value = _str(_get(longest, "value"))
        is_html = _str(_get(longest, "type")) in _HTML_TYPES
        content_html = value if is_html else _text_as_html(value)
    if not content_html and summary_raw:
        content_html = summary_raw if summary_is_html else _text_as_html(summary_raw)
    published_raw = _struct_time_to_datetime(
        _get(entry, "published_parsed")
        or _get(entry, "updated_parsed")
        or _get(entry, "created_parsed")
    )
    tags = _get(entry, "tags") or ()
    return _make_entry(
        title=_fp_line(entry, "title"),
        link=_fp_link(entry, base),
        guid=clean_url(_str(_get(entry, "id"))),
        summary=_summary_text(summary_raw, is_html=summary_is_html),
        content_html=content_html,
        author=_fp_author(entry),
        published_raw=published_raw,
        updated_raw=_struct_time_to_datetime(_get(entry, "updated_parsed")),
        categories=(_str(_get(tag, "label")) or _str(_get(tag, "term")) for tag in tags),
        now=now,
    )


def _get(item: object, key: str) -> Any:
    """A key of a feedparser dict, read plainly.

    ``FeedParserDict.get`` aliases keys: asking for a missing ``updated_parsed`` returns
    ``published_parsed`` (with a DeprecationWarning each time), ``description`` is
    ``summary``... newsterm wants what the feed said.
    """
    return dict.get(item, key) if isinstance(item, dict) else None


def _fp_author(entry: Any) -> str:
    """The author's name: feedparser splits RSS's ``ann@example.com (Ann)`` into detail."""
    name = _str(_get(_get(entry, "author_detail"), "name"))
    return clean_line(name or _str(_get(entry, "author")))


def _fp_detail(item: Any, key: str) -> tuple[str, bool]:
    """A text construct's value and whether it is HTML (feedparser's default for RSS)."""
    kind = _str(_get(_get(item, f"{key}_detail"), "type"))
    return _str(_get(item, key)), (kind or "text/html") in _HTML_TYPES


def _fp_line(item: Any, key: str) -> str:
    value, is_html = _fp_detail(item, key)
    return clean_line(html_to_text(value) if is_html else value)


def _fp_link(item: Any, base: str) -> str:
    for link in _get(item, "links") or ():
        if _str(_get(link, "rel")) in ("alternate", ""):
            href = _absolute(_get(link, "href"), base)
            if href:
                return href
    return _absolute(_get(item, "link"), base)


def _struct_time_to_datetime(value: object) -> datetime | None:
    if not isinstance(value, tuple):  # feedparser gives a time.struct_time, a tuple
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in value[:6])
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)  # 60: leap
    except (TypeError, ValueError, OverflowError):
        return None


# --- JSON Feed ---------------------------------------------------------------------------


def _parse_json_feed(body: bytes, url: str, charset: str, now: datetime) -> ParsedFeed:
    text = _decode_json(body, charset)
    warnings: list[str] = []
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"{error.msg.removesuffix(' at')} at line {error.lineno}, column {error.colno}"
        document = _salvage_json_feed(text)
        if document is None:
            raise ParseError(f"The feed is not valid JSON ({where}).") from None
        count = len(document["items"])
        warnings.append(
            f"The JSON Feed is cut short or broken ({where}); newsterm read the "
            f"{count} complete item{'s' if count != 1 else ''} before that point."
        )
    except (ValueError, RecursionError):
        raise ParseError("The feed is not valid JSON.") from None
    if not isinstance(document, dict):
        raise ParseError(_NOT_JSON_FEED)
    rss = document.get("rss")
    if isinstance(rss, dict) and isinstance(rss.get("channel"), dict):
        return _parse_rss_in_json(rss["channel"], url, now)
    declared = _str(document.get("version"))
    items = document.get("items")
    if "jsonfeed.org" not in declared:
        if not isinstance(items, list):
            raise ParseError(_NOT_JSON_FEED)
        if not warnings:
            warnings.append(
                "The JSON document does not say it is a JSON Feed; newsterm read it as one."
            )
    if not isinstance(items, list):
        warnings.append("The JSON Feed has no list of items.")
        items = []
    feed_author = _json_author(document)
    entries = _collect(items, lambda item: _json_entry(item, url, feed_author, now), warnings)
    version = declared.rstrip("/").rpartition("/version/")[2]
    return ParsedFeed(
        title=clean_line(_str(document.get("title"))),
        site_url=_absolute(document.get("home_page_url"), url),
        version={"1": "json10", "1.1": "json11"}.get(version, "json"),
        entries=entries,
        warnings=tuple(warnings),
    )


def _salvage_json_feed(text: str) -> dict[str, Any] | None:
    """The top-level keys before ``items`` and the complete items of a cut-off JSON Feed.

    A download cut short (or a size limit) leaves the last item unfinished; the ones before
    it are still good. ``None`` when there is nothing to salvage.
    """
    found = _ITEMS_KEY.search(text)
    if not found:
        return None
    try:  # the keys before "items"; this also proves "items" is a top-level key
        document = json.loads(text[: found.start()].rstrip().rstrip(",") + "}")
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    decoder = json.JSONDecoder()
    items: list[object] = []
    position = found.end()
    while True:
        gap = _JSON_SEPARATORS.match(text, position)
        position = gap.end() if gap else position
        try:
            item, position = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            break
        items.append(item)
    if not items:
        return None
    document["items"] = items
    return document


def _parse_rss_in_json(channel: dict[str, Any], url: str, now: datetime) -> ParsedFeed:
    """RSS-in-JSON (Dave Winer's format: ``{"rss": {"channel": {"item": [...]}}}``)."""
    warnings: list[str] = []
    items = channel.get("item")
    if isinstance(items, dict):
        items = [items]
    entries = _collect(
        items if isinstance(items, list) else [],
        lambda item: _rss_in_json_entry(item, url, now),
        warnings,
    )
    return ParsedFeed(
        title=clean_line(html_to_text(_str(channel.get("title")))),
        site_url=_absolute(channel.get("link"), url),
        version="rss-in-json",
        entries=entries,
        warnings=tuple(warnings),
    )


def _rss_in_json_entry(item: object, base: str, now: datetime) -> ParsedEntry:
    if not isinstance(item, dict):
        raise _BadEntryError("it is not a JSON object")
    description = _str(item.get("description"))
    categories = item.get("category")
    return _make_entry(
        title=clean_line(html_to_text(_str(item.get("title")))),
        link=_absolute(item.get("link"), base),
        guid=clean_url(_str(item.get("guid"))),
        summary=_summary_text(description, is_html=True),
        content_html=description,
        author=clean_line(_str(item.get("author"))),
        published_raw=_json_date(item.get("pubDate")),
        updated_raw=None,
        categories=(
            _str(c) for c in (categories if isinstance(categories, list) else [categories])
        ),
        now=now,
    )


def _decode_json(body: bytes, charset: str) -> str:
    for encoding in (json.detect_encoding(body), charset, "windows-1252"):
        if encoding:
            try:
                return body.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                continue
    return body.decode("utf-8", "replace")


class _BadEntryError(ValueError):
    """An item that cannot be an entry at all; its message says why."""


def _json_entry(item: object, base: str, feed_author: str, now: datetime) -> ParsedEntry:
    if not isinstance(item, dict):
        raise _BadEntryError("it is not a JSON object")
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    summary = _summary_text(_str(item.get("summary")), is_html=False)
    if not content_html and content_text:
        content_html = _text_as_html(content_text)
    tags = item.get("tags")
    return _make_entry(
        title=clean_line(_str(item.get("title"))),
        link=_absolute(item.get("url"), base) or _absolute(item.get("external_url"), base),
        guid=clean_url(_str(item.get("id"))),
        summary=summary,
        content_html=content_html,
        author=_json_author(item) or feed_author,
        published_raw=_json_date(item.get("date_published") or item.get("date_modified")),
        updated_raw=_json_date(item.get("date_modified")),
        categories=(_str(tag) for tag in tags) if isinstance(tags, list) else (),
        now=now,
    )


def _json_author(holder: Mapping[str, object]) -> str:
    """``authors`` (1.1) or ``author`` (1.0): the names, joined."""
    authors = holder.get("authors")
    if not isinstance(authors, list):
        authors = [holder.get("author")]
    names = (clean_line(_str(a.get("name"))) for a in authors if isinstance(a, dict))
    return ", ".join(name for name in names if name)


def _json_date(value: object) -> datetime | None:
    text = _str(value).strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.upper().replace(" ", "T", 1))
    except ValueError:
        try:  # some JSON Feeds carry RSS-style dates
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


# --- Shared: entries, identity, dates, text ----------------------------------------------


def _collect(
    items: Iterable[object], convert: Callable[[Any], ParsedEntry], warnings: list[str]
) -> tuple[ParsedEntry, ...]:
    """Convert every item, skipping (and saying so) the ones that fail; first key wins."""
    entries: dict[str, ParsedEntry] = {}
    skipped: list[str] = []
    for position, item in enumerate(items, start=1):
        try:
            entry = convert(item)
        except _BadEntryError as error:
            skipped.append(f"entry {position} ({error})")
        except Exception as error:  # one broken entry must not cost the rest of the feed
            skipped.append(f"entry {position} ({type(error).__name__}: {error})")
        else:
            entries.setdefault(entry.key, entry)
    if skipped:
        listed = "; ".join(skipped[:_DETAILED_SKIPS])
        more = len(skipped) - _DETAILED_SKIPS
        tail = f"; and {more} more" if more > 0 else ""
        count = f"{len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'}"
        warnings.append(
            clean_line(f"newsterm skipped {count} it could not read: {listed}{tail}.")[:500]
        )
    return tuple(entries.values())


def _make_entry(
    *,
    title: str,
    link: str,
    guid: str,
    summary: str,
    content_html: str,
    author: str,
    published_raw: datetime | None,
    updated_raw: datetime | None,
    categories: Iterable[str],
    now: datetime,
) -> ParsedEntry:
    content_html = _drop_control_refs(strip_controls(content_html))
    if not summary and content_html:
        summary = _summary_text(content_html, is_html=True, limit=_PREVIEW_LIMIT)
    if not title:
        title = _shorten(clean_line(summary), _TITLE_FROM_SUMMARY) or UNTITLED
    # The key uses the date as written, not the believed one, so that an entry dated next
    # week does not change identity when next week comes.
    stamp = published_raw.isoformat() if published_raw else ""
    digest = hashlib.sha1(f"{title}\x00{stamp}".encode(), usedforsecurity=False).hexdigest()
    return ParsedEntry(
        key=guid or link or f"sha1:{digest}",
        title=title,
        link=link,
        guid=guid,
        summary=summary,
        content_html=content_html,
        author=author,
        published=_believable(published_raw, now),
        updated=_believable(updated_raw, now),
        categories=_categories(categories),
    )


def _believable(moment: datetime | None, now: datetime) -> datetime | None:
    return None if moment is None or moment > now + FUTURE_SLACK else moment


def _categories(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        name = clean_line(value)
        if name:
            seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


def _str(value: object) -> str:
    """Feed values as text: numbers become text, anything else that is not a string is empty.

    Lone surrogates (from ``"\\ud800"`` in JSON) are replaced: they cannot be encoded, so
    they would fail later, in the store.
    """
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value) if _SURROGATES.search(value) else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _absolute(href: object, base: str) -> str:
    """A cleaned URL, made absolute against ``base``; any scheme is kept as written."""
    cleaned = clean_url(_str(href))
    if not cleaned or not base:
        return cleaned
    try:
        return clean_url(urljoin(base, cleaned))
    except ValueError:  # e.g. a malformed IPv6 host
        return cleaned


def _text_as_html(text: str) -> str:
    """Plain text as HTML paragraphs, so ``<b>`` in it stays text when the body is rendered."""
    paragraphs = (part.strip() for part in _PARAGRAPH_BREAK.split(clean_text(text)))
    return "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs if part
    )


def _drop_control_refs(markup: str) -> str:
    """Remove ``&#27;``-style references to control characters: they decode to the real thing."""
    if "&#" not in markup:
        return markup

    def replace(match: re.Match[str]) -> str:
        return "" if _CONTROL_CHARS.search(html.unescape(match.group())) else match.group()

    return _CHAR_REF.sub(replace, markup)


def _summary_text(value: str, *, is_html: bool, limit: int = _SUMMARY_LIMIT) -> str:
    """Plain text of at most ``limit`` characters, converting only as much HTML as needed."""
    if is_html and len(value) > 6 * limit:
        value = value[: 6 * limit]
        cut = value.rfind("<")
        if cut > value.rfind(">"):  # do not leave half a tag behind
            value = value[:cut]
    return _shorten(html_to_text(value) if is_html else clean_text(value), limit)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(None, 1)[0] if " " in cut else cut).rstrip() + "…"


# --- Defences against hostile XML --------------------------------------------------------


def _defuse(body: bytes, warnings: list[str]) -> bytes:
    """Neutralise what would make feedparser crash or blow up, before it sees the body.

    Measured with feedparser 6.0.14 and expat 2.5: external entities and external DTDs are
    never fetched (feedparser turns ``feature_external_ges`` off and strips the DOCTYPE),
    and nested "billion laughs" entities are dropped. But feedparser keeps *plain* entity
    values and, when the strict parser gives up, its loose parser expands them without any
    limit — one 50 KB entity referenced 2,000 times gave a 100 MB string in 3 s. And a
    character reference to a surrogate or past U+10FFFF crashes its loose parser.
    """
    codec = _scan_codec(body)
    has_entities = "<!ENTITY".encode(codec) in body
    has_refs = "&#".encode(codec) in body
    if not has_entities and not has_refs:
        return body
    text = body.decode(codec, "replace")
    changed = text
    if has_refs:
        changed = _BIG_CHAR_REF.sub(_fix_char_ref, changed)
    if has_entities:
        changed = _rebuild_doctype(changed, warnings)
    return body if changed is text else changed.encode(codec, "replace")


def _scan_codec(body: bytes) -> str:
    """The codec to look for markup with: Latin-1 stands for every ASCII-compatible one."""
    for prefix, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if body.startswith(prefix):
            return codec
    return "latin-1"


def _fix_char_ref(match: re.Match[str]) -> str:
    hex_digits, digits = match.groups()
    if len(hex_digits or digits) > 7:
        return "&#xFFFD;"
    point = int(hex_digits, 16) if hex_digits else int(digits)
    return "&#xFFFD;" if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF else match.group()


def _rebuild_doctype(text: str, warnings: list[str]) -> str:
    """Replace the prolog's DOCTYPE with one declaring only small, plain entities.

    Kept: entities whose value is one character reference or up to 200 characters of
    plain text, while all their uses together add under 100,000 characters (so
    ``<!ENTITY id "tag:example.com,">`` still works). Dropped, with a warning: external
    (SYSTEM/PUBLIC) and parameter entities, nested ones, and any that would blow up.
    """
    root = _root_element_start(text)
    if root is None:  # not well-formed: the end of the head as feedparser finds it
        first = _FIRST_ELEMENT.search(text)
        root = first.start() if first else len(text)
    head = text[:root]
    declared = head.count("<!ENTITY")
    if not declared:
        return text
    safe: dict[str, str] = {}
    added = 0
    for name, double_quoted, single_quoted in _SAFE_ENTITY.findall(head):
        value = double_quoted or single_quoted
        size = 1 if value.startswith("&#") else len(value)
        # feedparser's loose parser also expands "&name" without its semicolon
        uses = re.findall(f"&{re.escape(name)}(?![\\w.-])", text[root:])
        added += size * len(uses)
        safe.setdefault(name, value)
    if added > _ENTITY_BUDGET:
        safe = {}
    if len(safe) < declared:
        warnings.append(
            "The feed declares XML entities that are external, nested or too large; "
            "newsterm ignored them, so some words may read like &name;."
        )
    declaration = _XML_DECLARATION.match(text)
    prefix = declaration.group() if declaration else ""
    doctype = ""
    if safe:
        lines = "".join(f"<!ENTITY {name} {_quote(value)}>\n" for name, value in safe.items())
        doctype = f"<!DOCTYPE feed [\n{lines}]>\n"
    return f"{prefix}\n{doctype}{text[root:]}"


def _quote(value: str) -> str:
    return f"'{value}'" if '"' in value else f'"{value}"'


def _root_element_start(text: str) -> int | None:
    """Where the root element starts, skipping the prolog as an XML parser would."""
    bom = _BOM.match(text)
    misc = _MISC.match(text, bom.end() if bom else 0)
    position = misc.end() if misc else 0
    if text.startswith("<!DOCTYPE", position):
        depth = 0
        for part in _DOCTYPE_PART.finditer(text, position + len("<!DOCTYPE")):
            piece = part.group()
            if piece == "[":
                depth += 1
            elif piece == "]":
                depth -= 1
            elif piece == ">" and depth <= 0:
                misc = _MISC.match(text, part.end())
                position = misc.end() if misc else part.end()
                break
        else:
            return None
    following = text[position + 1 : position + 2]
    if text.startswith("<", position) and (following.isalpha() or following in ("_", ":")):
        return position
    return None
