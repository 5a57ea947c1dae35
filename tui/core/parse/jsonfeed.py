"""JSON documents → plain data: JSON Feed 1.0 and 1.1, and RSS-in-JSON.

This module owns everything about feeds written in JSON once :func:`tui.core.parse.feed.parse_feed`
has decided a body is JSON: decoding the bytes, salvaging the complete items of a document
cut short, telling a JSON Feed from other JSON, and reading items, authors and dates the
way JSON Feed (and Dave Winer's RSS-in-JSON) write them. Entries are made by
:mod:`tui.core.parse.entries`, the same way as for XML feeds.

Pure, like the rest of the parser: no I/O, and it never imports textual or rich.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from tui.core.errors import ParseError
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.parse.enclosures import from_json_feed
from tui.core.parse.entries import (
    BadEntryError,
    absolute,
    as_str,
    collect,
    make_entry,
    summary_text,
    text_as_html,
)
from tui.core.parse.hints import document_hint
from tui.core.text.charsets import text_codec
from tui.core.text.html import html_to_text
from tui.core.text.hygiene import clean_line, clean_url

__all__ = ["parse_json_feed"]

_NOT_JSON_FEED = "The address serves JSON data, not a JSON Feed."
_ITEMS_KEY = re.compile(r'"items"\s*:\s*\[')
_JSON_SEPARATORS = re.compile(r"[\s,]*")
# A JSON string (skipped whole, brackets and all) or a bracket.
_JSON_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def parse_json_feed(body: bytes, url: str, charset: str, now: datetime) -> ParsedFeed:
    """Read a JSON Feed or an RSS-in-JSON document; raise :class:`ParseError` if neither."""
    text = _decode_json(body, charset)
    warnings: list[str] = []
    try:
        document = _DECODER.decode(text)
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        where = _where(error)
        salvaged = _salvage_json_feed(text)
        if salvaged is None:
            raise ParseError(f"The feed is not valid JSON ({where}).") from None
        document, complete = salvaged
        if not complete:
            count = len(document["items"])
            warnings.append(
                f"The JSON Feed is cut short or broken ({where}); newsterm read the "
                f"{count} complete item{'s' if count != 1 else ''} before that point."
            )
    if not isinstance(document, dict):
        raise ParseError(_NOT_JSON_FEED)
    rss = document.get("rss")
    if isinstance(rss, dict) and isinstance(rss.get("channel"), dict):
        return _parse_rss_in_json(rss["channel"], url, now)
    declared = as_str(document.get("version"))
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
    entries = collect(
        items, lambda item: _json_entry(item, url, feed_author, now), warnings, need_one=True
    )
    version = declared.rstrip("/").rpartition("/version/")[2]
    return ParsedFeed(
        title=clean_line(as_str(document.get("title"))),
        site_url=absolute(document.get("home_page_url"), url),
        version={"1": "json10", "1.1": "json11"}.get(version, "json"),
        entries=entries,
        warnings=tuple(warnings),
    )


def _json_int(digits: str) -> int | str:
    """A JSON integer; one past int()'s digit limit stays text instead of failing the feed."""
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else digits


_MAX_INT_DIGITS = 4000  # Python refuses to turn more than 4,300 digits into an int
_DECODER = json.JSONDecoder(parse_int=_json_int)


def _where(error: BaseException) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg.removesuffix(' at')} at line {error.lineno}, column {error.colno}"
    if isinstance(error, RecursionError):
        return "it is nested too deeply"
    return clean_line(str(error))[:100] or type(error).__name__


class _BrokenItem:
    """An item of a JSON Feed that is not valid JSON itself, skipped over."""


_BROKEN_ITEM = _BrokenItem()


def _salvage_json_feed(text: str) -> tuple[dict[str, Any], bool] | None:
    """The top-level keys and the readable items of a broken JSON Feed, and whether the
    list of items was read to its end.

    A download cut short (or a size limit) leaves the last item unfinished; the ones before
    it are still good. An item that is not valid JSON (nested too deeply, a syntax error)
    is skipped to its closing bracket and the rest are read. ``None`` when there is
    nothing to salvage.
    """
    found = _ITEMS_KEY.search(text)
    if not found:
        return None
    try:  # the keys before "items"; this also proves "items" is a top-level key
        document = _DECODER.decode(text[: found.start()].rstrip().rstrip(",") + "}")
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    items: list[object] = []
    position = found.end()
    complete = False
    while True:
        gap = _JSON_SEPARATORS.match(text, position)
        position = gap.end() if gap else position
        if text.startswith("]", position):
            complete = True
            break
        try:
            item, position = _DECODER.raw_decode(text, position)
        except (ValueError, RecursionError):
            end = _value_end(text, position)
            if end is None:
                break
            item, position = _BROKEN_ITEM, end
        items.append(item)
    if not any(item is not _BROKEN_ITEM for item in items) and not complete:
        return None
    if complete:  # the keys after the items, if they can be read
        try:
            after = _DECODER.decode("{" + text[position + 1 :].lstrip().lstrip(","))
        except (ValueError, RecursionError):
            after = None
        if isinstance(after, dict):
            document = {**after, **document}
    document["items"] = items
    return document, complete


def _value_end(text: str, start: int) -> int | None:
    """Where the JSON array or object at ``start`` ends, counting brackets outside strings.

    Iterative, so that any depth costs only time in proportion to its length.
    """
    if not text.startswith(("[", "{"), start):
        return None
    depth = 0
    for token in _JSON_BRACKETS.finditer(text, start):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
        elif bracket in "]}":
            depth -= 1
            if depth == 0:
                return token.end()
    return None


def _parse_rss_in_json(channel: dict[str, Any], url: str, now: datetime) -> ParsedFeed:
    """RSS-in-JSON (Dave Winer's format: ``{"rss": {"channel": {"item": [...]}}}``)."""
    warnings: list[str] = []
    items = channel.get("item")
    if isinstance(items, dict):
        items = [items]
    entries = collect(
        items if isinstance(items, list) else [],
        lambda item: _rss_in_json_entry(item, url, now),
        warnings,
        need_one=True,
    )
    return ParsedFeed(
        title=clean_line(html_to_text(as_str(channel.get("title")))),
        site_url=absolute(channel.get("link"), url),
        version="rss-in-json",
        entries=entries,
        warnings=tuple(warnings),
        hint_minutes=document_hint(channel),
    )


def _rss_in_json_entry(item: object, base: str, now: datetime) -> ParsedEntry:
    if not isinstance(item, dict):
        raise BadEntryError("it is not a JSON object")
    description = as_str(item.get("description"))
    categories = item.get("category")
    return make_entry(
        title=clean_line(html_to_text(as_str(item.get("title")))),
        link=absolute(item.get("link"), base),
        guid=clean_url(as_str(item.get("guid"))),
        summary=summary_text(description, is_html=True),
        content_html=description,
        author=clean_line(as_str(item.get("author"))),
        published_raw=_json_date(item.get("pubDate")),
        updated_raw=None,
        categories=(
            as_str(c) for c in (categories if isinstance(categories, list) else [categories])
        ),
        now=now,
    )


def _decode_json(body: bytes, charset: str) -> str:
    # The server's label is outside input: only a text encoding may decode (never zlib,
    # rot13 or "undefined", whose decoders raise or rewrite).
    for encoding in (json.detect_encoding(body), text_codec(charset), "windows-1252"):
        if encoding:
            try:
                return body.decode(encoding)
            except UnicodeError:
                continue
    return body.decode("utf-8", "replace")


def _json_entry(item: object, base: str, feed_author: str, now: datetime) -> ParsedEntry:
    if item is _BROKEN_ITEM:
        raise BadEntryError("it is not valid JSON")
    if not isinstance(item, dict):
        raise BadEntryError("it is not a JSON object")
    content_html = as_str(item.get("content_html"))
    content_text = as_str(item.get("content_text"))
    summary = summary_text(as_str(item.get("summary")), is_html=False)
    if not content_html and content_text:
        content_html = text_as_html(content_text)
    tags = item.get("tags")
    return make_entry(
        title=clean_line(as_str(item.get("title"))),
        link=absolute(item.get("url"), base) or absolute(item.get("external_url"), base),
        guid=clean_url(as_str(item.get("id"))),
        summary=summary,
        content_html=content_html,
        author=_json_author(item) or feed_author,
        published_raw=_json_date(item.get("date_published") or item.get("date_modified")),
        updated_raw=_json_date(item.get("date_modified")),
        categories=(as_str(tag) for tag in tags) if isinstance(tags, list) else (),
        now=now,
        enclosures=from_json_feed(item.get("attachments"), base),
    )


def _json_author(holder: Mapping[str, object]) -> str:
    """``authors`` (1.1) or ``author`` (1.0): the names, joined."""
    authors = holder.get("authors")
    if not isinstance(authors, list):
        authors = [holder.get("author")]
    names = (clean_line(as_str(a.get("name"))) for a in authors if isinstance(a, dict))
    return ", ".join(name for name in names if name)


def _json_date(value: object) -> datetime | None:
    text = as_str(value).strip()
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
