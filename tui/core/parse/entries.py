"""What every feed format shares once its entries are read: identity, dates, text.

This module owns how a parsed item becomes a :class:`~tui.core.models.ParsedEntry` —
whatever the format it came from (XML through feedparser in :mod:`tui.core.parse.feed`, JSON
Feed and RSS-in-JSON in :mod:`tui.core.parse.jsonfeed`): the entry's key, which dates are
believed, the summary and title made when the feed gives none, the hygiene of its strings,
and how a list of items is converted with the broken ones skipped and reported.

Like the rest of the parser it is pure and never imports textual or rich. It imports no
other module of :mod:`tui.core.parse` but :mod:`~tui.core.parse.urls`, so the format
readers can import it without a cycle.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from tui.core.errors import ParseError
from tui.core.models import Enclosure, ParsedEntry
from tui.core.parse.urls import PLAIN_ABSOLUTE
from tui.core.text.html import html_to_text
from tui.core.text.hygiene import clean_line, clean_text, clean_url, strip_controls

__all__ = [
    "FUTURE_SLACK",
    "UNTITLED",
    "BadEntryError",
    "absolute",
    "as_str",
    "collect",
    "make_entry",
    "summary_text",
    "text_as_html",
]

UNTITLED = "(untitled)"

#: Dates further ahead than this are typos or tricks that would pin a story to the top.
FUTURE_SLACK = timedelta(days=2)
_TITLE_FROM_SUMMARY = 80
# Summaries are previews: the full text is in ``content_html``. Some feeds put the whole
# article in the summary; converting all of it costs time and shows nothing more.
_SUMMARY_LIMIT = 2_000  # characters of a summary the feed gives
_PREVIEW_LIMIT = 400  # characters of a summary made from the body when the feed gives none
_DETAILED_SKIPS = 3
_SURROGATES = re.compile("[\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class BadEntryError(ValueError):
    """An item that cannot be an entry at all; its message says why."""


def collect(
    items: Iterable[object],
    convert: Callable[[Any], ParsedEntry],
    warnings: list[str],
    *,
    need_one: bool = False,
) -> tuple[ParsedEntry, ...]:
    """Convert every item, skipping (and saying so) the ones that fail; first key wins.

    ``need_one``: when there were items and not one could be read, that is the feed's
    failure, raised as a :class:`ParseError` in one sentence, not an empty feed.
    """
    entries: dict[str, ParsedEntry] = {}
    skipped: list[str] = []
    for position, item in enumerate(items, start=1):
        try:
            entry = convert(item)
        except BadEntryError as error:
            skipped.append(f"entry {position} ({error})")
        except Exception as error:  # one broken entry must not cost the rest of the feed
            skipped.append(f"entry {position} ({type(error).__name__}: {error})")
        else:
            entries.setdefault(entry.key, entry)
    if skipped:
        listed = "; ".join(skipped[:_DETAILED_SKIPS])
        more = len(skipped) - _DETAILED_SKIPS
        tail = f"; and {more} more" if more > 0 else ""
        if need_one and not entries:
            what = (
                "the feed's only entry"
                if len(skipped) == 1
                else f"any of the feed's {len(skipped)} entries"
            )
            raise ParseError(clean_line(f"newsterm could not read {what}: {listed}{tail}.")[:500])
        count = f"{len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'}"
        warnings.append(
            clean_line(f"newsterm skipped {count} it could not read: {listed}{tail}.")[:500]
        )
    return tuple(entries.values())


def make_entry(
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
    enclosures: tuple[Enclosure, ...] = (),
) -> ParsedEntry:
    """One entry, made the same way whatever the format: clean body, fallbacks, key, dates."""
    content_html = _drop_control_refs(strip_controls(content_html))
    if not summary and content_html:
        summary = summary_text(content_html, is_html=True, limit=_PREVIEW_LIMIT)
    if not title:
        title = _shorten(clean_line(summary), _TITLE_FROM_SUMMARY) or UNTITLED
    return ParsedEntry(
        key=guid or link or _title_key(title, published_raw),
        title=title,
        link=link,
        guid=guid,
        summary=summary,
        content_html=content_html,
        author=author,
        published=_believable(published_raw, now),
        updated=_believable(updated_raw, now),
        categories=_categories(categories),
        enclosures=enclosures,
    )


def _title_key(title: str, published_raw: datetime | None) -> str:
    """The key of an entry with neither guid nor link: its title and date as written.

    The date as written, not the believed one, so that an entry dated next week does not
    change identity when next week comes.
    """
    stamp = published_raw.isoformat() if published_raw else ""
    digest = hashlib.sha1(f"{title}\x00{stamp}".encode(), usedforsecurity=False).hexdigest()
    return f"sha1:{digest}"


def _believable(moment: datetime | None, now: datetime) -> datetime | None:
    return None if moment is None or moment > now + FUTURE_SLACK else moment


def _categories(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        name = clean_line(value)
        if name:
            seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


def as_str(value: object) -> str:
    """Feed values as text: numbers become text, anything else that is not a string is empty.

    Lone surrogates (from ``"\\ud800"`` in JSON) are replaced: they cannot be encoded, so
    they would fail later, in the store.
    """
    if isinstance(value, str):
        if value.isascii():  # no surrogates; and, unlike a search, it reads a flag only
            return value
        return _SURROGATES.sub("\ufffd", value) if _SURROGATES.search(value) else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def absolute(href: object, base: str) -> str:
    """A cleaned URL, made absolute against ``base``; any scheme is kept as written."""
    cleaned = clean_url(as_str(href))
    if not cleaned or not base:
        return cleaned
    if PLAIN_ABSOLUTE.fullmatch(cleaned):  # urljoin would hand it back as it is, slowly
        return cleaned
    try:
        return clean_url(urljoin(base, cleaned))
    except ValueError:  # e.g. a malformed IPv6 host
        return cleaned


def text_as_html(text: str) -> str:
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


def summary_text(value: str, *, is_html: bool, limit: int = _SUMMARY_LIMIT) -> str:
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
