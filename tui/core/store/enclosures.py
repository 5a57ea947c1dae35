"""A story's enclosures as the library stores them: compact JSON in ``stories.enclosures``
(schema 8), NULL for none.

What goes in was cleaned when the feed was read (:mod:`tui.core.parse.enclosures`); what
comes out is checked again all the same, field by field, so that a damaged or hand-edited
value reads as fewer enclosures, never as an error or as a link to something not http(s).

An episode's extras (transcripts, chapters, artwork) are entries of the same list with a
``"rel"``; like every empty field, ``rel`` and ``language`` are written only when set, so
a story without extras is stored, and fingerprinted, exactly as before they existed. The
list's ♪/▶ mark reads ``"type":"audio/`` and ``"type":"video/`` in this JSON
(:mod:`tui.core.store.stories`): an extra never has such a type, when written or read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from tui.core.models import Enclosure

__all__ = ["dump_enclosures", "load_enclosures"]

_WEB = re.compile(r"https?://\S+", re.IGNORECASE)
_FIELDS = ("url", "type", "length", "duration", "title", "rel", "language")
_RELS = frozenset({"transcript", "chapters", "artwork"})


def dump_enclosures(items: Sequence[Enclosure]) -> str | None:
    """The column's value: compact JSON (empty fields left out), None for none."""
    if not items:
        return None
    return json.dumps(
        [{name: value for name in _FIELDS if (value := getattr(item, name))} for item in items],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def load_enclosures(value: object) -> tuple[Enclosure, ...]:
    """The column's value read back; anything unreadable reads as none."""
    if not isinstance(value, str) or not value:
        return ()
    try:
        items = json.loads(value)
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested past the limit
        return ()
    return tuple(
        found
        for item in (items if isinstance(items, list) else ())
        if (found := _enclosure(item)) is not None
    )


def _enclosure(item: object) -> Enclosure | None:
    if not isinstance(item, dict):
        return None
    url = item.get("url")
    if not isinstance(url, str) or not _WEB.fullmatch(url):
        return None
    rel = item.get("rel", "")
    if not isinstance(rel, str) or (rel and rel not in _RELS):
        return None  # an extra of a kind this newsterm does not know is no file either
    media_type = _text(item.get("type"))
    if rel and media_type.startswith(("audio/", "video/")):
        media_type = ""
    return Enclosure(
        url=url,
        type=media_type,
        length=_count(item.get("length")),
        duration=_count(item.get("duration")),
        title=_text(item.get("title")),
        rel=rel,
        language=_text(item.get("language"))[:40] if rel == "transcript" else "",
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) and value.isprintable() else ""


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
