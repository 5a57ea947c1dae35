"""A story's enclosures (podcast episodes, videos, files), read from what a feed says.

RSS's ``<enclosure url length type>``, Atom's ``<link rel="enclosure">`` (feedparser files
both under the entry's ``links``), Media RSS's ``<media:content>``, ``<itunes:duration>``,
and JSON Feed's ``attachments``. Everything here is the feed's word, so it is cleaned and
bounded: http(s) URLs only, a media type that looks like one, numbers that are numbers and
within reason, a short one-line title, and a few enclosures a story at most. Pure: no I/O.

An episode's extras follow its files in the same tuple, each with a ``rel``
(:class:`~tui.core.models.Enclosure`): Podcasting 2.0's ``<podcast:transcript>`` and
``<podcast:chapters>``, and its artwork (``<itunes:image>``, else ``<media:thumbnail>``
when the story carries audio or video: on a news story a thumbnail is no episode's art).

feedparser 6.0 knows no ``podcast:`` namespace: an element of it with attributes is filed
as its attribute dict under ``podcast_<name>``, where a later one of the same name replaces
an earlier one, so of several transcripts only the last would be kept. Both parse paths add
handlers for the names in :data:`RECORD_KEYS` instead (``_keep_records`` in
:mod:`tui.core.parse.driver`, ``NamespaceHandlers`` in :mod:`tui.core.parse.fast.namespaces`)
which file every element's attributes, in document order, through :func:`keep_record`, and
drop the text of one without attributes. An item's transcripts are then the first
:data:`MAX_TRANSCRIPTS` usable ones, its chapters the first usable ``<podcast:chapters>``
(the specification allows one an item). The key follows the document's prefix, as
feedparser's does: ``podcast:`` is the one the specification uses and the one read here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from tui.core.models import Enclosure
from tui.core.parse.entries import absolute
from tui.core.parse.urls import WEB_URL
from tui.core.text.hygiene import clean_line

__all__ = [
    "ARTWORK",
    "CHAPTERS",
    "MAX_ENCLOSURES",
    "MAX_TRANSCRIPTS",
    "RECORD_KEYS",
    "TRANSCRIPT",
    "UNHANDLED_KEYS",
    "enclosure",
    "from_feedparser",
    "from_json_feed",
    "gather",
    "keep_record",
    "parse_duration",
    "parse_length",
    "podcast_extras",
]

#: More than this many files to one story is a feed's mistake (or a trick), not a podcast.
MAX_ENCLOSURES = 20
#: An episode's transcripts at most (a few formats, a few languages).
MAX_TRANSCRIPTS = 8
#: The ``rel`` of an episode's extras (:class:`~tui.core.models.Enclosure`).
TRANSCRIPT, CHAPTERS, ARTWORK = "transcript", "chapters", "artwork"
#: Elements feedparser 6.0 has no handler for whose attribute dicts are read here, a list
#: of them under the element's key (:func:`keep_record`).
RECORD_KEYS = frozenset({"podcast_transcript", "podcast_chapters"})
#: The keys of every element feedparser 6.0 has no handler for that an entry is read for
#: here: neither parse path may skip such an element, however many unknown ones came first.
UNHANDLED_KEYS = RECORD_KEYS | {"itunes_duration"}
# Records kept and looked at under one key: a few formats and languages are a handful; more
# is a feed's mistake or a trick, and must cost neither memory nor time.
_MAX_RECORDS = 50
_MAX_TITLE = 200
_MAX_TYPE = 100
#: A week: longer is not an episode's length but a typo.
_MAX_DURATION = 7 * 24 * 3600
#: A claimed size past this (1 TB) is no size.
_MAX_LENGTH = 1 << 40
# "audio/*" too: Media RSS's medium="audio" with no type says the kind, not the format.
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+\-]*/(?:\*|[a-z0-9][a-z0-9.+\-]*)")
_CLOCK = re.compile(r"(?:(\d{1,3}):)?(\d{1,4}):(\d{1,2})(?:\.\d+)?")
_SECONDS = re.compile(r"(\d{1,7})(?:\.\d+)?")
# BCP 47, loosely: "en", "pt-BR", "zh-Hant-TW" (an underscore read as a hyphen).
_LANGUAGE = re.compile(r"[a-z]{1,8}(?:-[a-z0-9]{1,8}){0,4}", re.IGNORECASE)


def parse_duration(value: object) -> int | None:
    """Seconds from ``"1:02:03"``, ``"62:03"``, ``"3723"`` (or a number), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = int(value) if math.isfinite(value) else -1  # NaN, ±inf: no duration
    elif isinstance(value, str):
        text = value.strip()
        clock = _CLOCK.fullmatch(text)
        if clock:
            hours, minutes, secs = (int(part or 0) for part in clock.groups())
            if secs >= 60 or (clock.group(1) is not None and minutes >= 60):
                return None
            seconds = hours * 3600 + minutes * 60 + secs
        elif plain := _SECONDS.fullmatch(text):
            seconds = int(plain.group(1))
        else:
            return None
    else:
        return None
    return seconds if 0 < seconds <= _MAX_DURATION else None


def parse_length(value: object) -> int | None:
    """Bytes from a feed's ``length``/``fileSize``/``size_in_bytes``, else None (``0`` and
    ``-1``, which feeds write for "unknown", included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        # 13 digits pass the 1 TB cap; more would only be refused after a costly int().
        if not value.isdigit() or not value.isascii() or len(value) > 13:
            return None
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        return None
    return value if 0 < value <= _MAX_LENGTH else None


def _media_type(value: object) -> str:
    text = clean_line(value if isinstance(value, str) else "").lower()[:_MAX_TYPE]
    text = text.split(";", 1)[0].strip()  # "audio/mpeg; codecs=..." is audio/mpeg
    return text if _MEDIA_TYPE.fullmatch(text) else ""


def enclosure(
    url: object,
    *,
    base: str = "",
    media_type: object = None,
    length: object = None,
    duration: object = None,
    title: object = None,
) -> Enclosure | None:
    """One enclosure from a feed's values, cleaned; None without an http(s) URL."""
    href = absolute(url, base) if isinstance(url, str) else ""
    if not href or not WEB_URL.match(href):
        return None
    name = clean_line(title if isinstance(title, str) else "")[:_MAX_TITLE]
    return Enclosure(
        url=href,
        type=_media_type(media_type),
        length=parse_length(length),
        duration=parse_duration(duration),
        title=name,
    )


def gather(found: Iterable[Enclosure | None], duration: object = None) -> tuple[Enclosure, ...]:
    """Enclosures in the feed's order, one per URL (a later mention fills what an earlier
    one left out), at most :data:`MAX_ENCLOSURES`; ``duration`` (``itunes:duration``, said
    of the item) goes to the first audio or video that has none."""
    by_url: dict[str, Enclosure] = {}
    for item in found:
        if item is None:
            continue
        known = by_url.get(item.url)
        if known is None:
            if len(by_url) < MAX_ENCLOSURES:
                by_url[item.url] = item
            continue
        by_url[item.url] = Enclosure(
            url=known.url,
            type=known.type or item.type,
            length=known.length or item.length,
            duration=known.duration or item.duration,
            title=known.title or item.title,
        )
    result = list(by_url.values())
    seconds = parse_duration(duration)
    if seconds is not None:
        for index, item in enumerate(result):
            if item.duration is None and item.kind in ("audio", "video", "file"):
                result[index] = Enclosure(item.url, item.type, item.length, seconds, item.title)
                break
    return tuple(result)


def from_feedparser(entry: Mapping[str, Any], base: str) -> tuple[Enclosure, ...]:
    """The enclosures of a feedparser entry dict (read plainly: no aliases)."""
    found: list[Enclosure | None] = []
    links = dict.get(entry, "links") if isinstance(entry, dict) else None
    for link in links if isinstance(links, list) else ():
        if isinstance(link, dict) and dict.get(link, "rel") == "enclosure":
            found.append(
                enclosure(
                    dict.get(link, "href"),
                    base=base,
                    media_type=dict.get(link, "type"),
                    length=dict.get(link, "length"),
                    title=dict.get(link, "title"),
                )
            )
    media = dict.get(entry, "media_content") if isinstance(entry, dict) else None
    for item in media if isinstance(media, list) else ():
        if isinstance(item, dict):
            found.append(
                enclosure(
                    dict.get(item, "url"),
                    base=base,
                    media_type=dict.get(item, "type") or _medium_type(dict.get(item, "medium")),
                    length=dict.get(item, "filesize"),
                    duration=dict.get(item, "duration"),
                )
            )
    duration = dict.get(entry, "itunes_duration") if isinstance(entry, dict) else None
    files = gather(found, duration)
    return files + podcast_extras(entry, base, files)


def podcast_extras(
    entry: Mapping[str, Any], base: str, files: tuple[Enclosure, ...] = ()
) -> tuple[Enclosure, ...]:
    """An episode's transcripts, chapters and artwork, in that order, from a feedparser
    entry dict; ``files`` are its enclosures (an artwork already among them is left out,
    and a thumbnail counts as artwork only beside audio or video)."""
    if not isinstance(entry, dict):
        return ()
    seen = {item.url for item in files}
    transcripts = _first(
        (_extra(record, base, TRANSCRIPT) for record in _records(entry, "podcast_transcript")),
        MAX_TRANSCRIPTS,
        seen,
    )
    chapters = _first(
        (_extra(record, base, CHAPTERS) for record in _records(entry, "podcast_chapters")),
        1,
        seen,
    )
    artwork = _first((_artwork(entry, base, files),), 1, seen)
    return (*transcripts, *chapters, *artwork)


def _first(items: Iterable[Enclosure | None], limit: int, seen: set[str]) -> list[Enclosure]:
    """The first ``limit`` of ``items`` whose URL is not ``seen`` yet (then it is)."""
    kept: list[Enclosure] = []
    for item in items:
        if len(kept) >= limit:
            break
        if item is not None and item.url not in seen:
            seen.add(item.url)
            kept.append(item)
    return kept


def keep_record(context: dict[str, Any], key: str, attrs: dict[str, Any]) -> None:
    """File an element's ``attrs`` under ``key`` in ``context`` (the entry, or whatever
    dict the parser is filling), after those of the elements of that name before it: the
    first :data:`_MAX_RECORDS` of them, all that :func:`_records` reads."""
    records = dict.get(context, key)
    if not isinstance(records, list):
        records = []
        context[key] = records
    if len(records) < _MAX_RECORDS:
        records.append(attrs)


def _records(entry: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The attribute dicts filed under ``key``: a list of them in document order (as both
    parse paths file them), or a single one."""
    value = dict.get(entry, key)
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [record for record in value[:_MAX_RECORDS] if isinstance(record, dict)]
    return []


def _extra(record: dict[str, Any], base: str, rel: str) -> Enclosure | None:
    found = enclosure(dict.get(record, "url"), base=base, media_type=dict.get(record, "type"))
    if found is None:
        return None
    language = _language(dict.get(record, "language")) if rel == TRANSCRIPT else ""
    return Enclosure(found.url, _extra_type(found.type), rel=rel, language=language)


def _artwork(entry: dict[str, Any], base: str, files: tuple[Enclosure, ...]) -> Enclosure | None:
    """``<itunes:image href>`` (feedparser files it as the entry's ``image``), else the
    first usable ``<media:thumbnail>`` of a story that carries audio or video."""
    image = dict.get(entry, "image")
    if isinstance(image, dict):
        found = enclosure(dict.get(image, "href"), base=base)
        if found is not None:
            return Enclosure(found.url, rel=ARTWORK)
    if not any(item.kind in ("audio", "video") for item in files):
        return None
    thumbnails = dict.get(entry, "media_thumbnail")
    for thumbnail in thumbnails[:_MAX_RECORDS] if isinstance(thumbnails, list) else ():
        if isinstance(thumbnail, dict):
            found = enclosure(dict.get(thumbnail, "url"), base=base)
            if found is not None:
                return Enclosure(found.url, rel=ARTWORK)
    return None


def _extra_type(media_type: str) -> str:
    # An extra is never an episode: the list's ♪/▶ mark reads '"type":"audio/' and
    # '"type":"video/' in the stored JSON (tui.core.store.stories), and a player is given
    # audio and video.
    return "" if media_type.startswith(("audio/", "video/")) else media_type


def _language(value: object) -> str:
    text = clean_line(value if isinstance(value, str) else "")[:40].replace("_", "-")
    return text if _LANGUAGE.fullmatch(text) else ""


def _medium_type(medium: object) -> str | None:
    # Media RSS's medium="audio|video" where no type is given: the kind without a format.
    return f"{medium}/*" if medium in ("audio", "video", "image") else None


def from_json_feed(attachments: object, base: str) -> tuple[Enclosure, ...]:
    """JSON Feed's ``attachments``."""
    found: list[Enclosure | None] = []
    for item in attachments if isinstance(attachments, list) else ():
        if isinstance(item, dict):
            found.append(
                enclosure(
                    item.get("url"),
                    base=base,
                    media_type=item.get("mime_type"),
                    length=item.get("size_in_bytes"),
                    duration=item.get("duration_in_seconds"),
                    title=item.get("title"),
                )
            )
    return gather(found)
