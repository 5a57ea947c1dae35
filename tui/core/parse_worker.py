"""What a refresh runs in its worker processes: parse a body and store it.

Kept apart from :mod:`tui.core.refresh` so that worker processes import the parser and the
store, not httpx. Storing happens here too, in the worker's own connection to the library:
the stories then never travel back to the main process (pickling 50 stories and their
bodies cost the main process more than writing them), and the main process is left with
just the network, which keeps a refresh's two halves busy on two cores.
"""

from __future__ import annotations

import dataclasses
import html
import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from tui.core.clean import clean_line
from tui.core.errors import LibraryError, NewstermError
from tui.core.htmltext import BLOCK_ELEMENTS, SKIPPED_ELEMENTS, defuse_html
from tui.core.models import ParsedFeed
from tui.core.parse import parse_feed_safely
from tui.core.store import feeds as feed_queries
from tui.core.store.database import Database
from tui.core.store.ingest import Validators, store_parsed_feed
from tui.core.timeutil import utcnow
from tui.core.worker_tasks import LibraryFault, Stored, StoreRequest

_SKIPPED_OPENER = re.compile(r"<({})\b".format("|".join(sorted(SKIPPED_ELEMENTS))), re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"</?(?:{})\b[^>]*>".format("|".join(sorted(BLOCK_ELEMENTS | {"td", "th", "img"}))),
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")


def _without_skipped_elements(markup: str) -> str:
    """Drop script, style and the like with their content, in one pass over the text.

    Each closer is searched for once from where the last search left off, so a body of
    thousands of unclosed ``<script`` tags costs no more than a normal one.
    """
    lowered = markup.lower()
    parts: list[str] = []
    start = 0
    closers: dict[str, int] = {}  # where each closer was last found; -1: nowhere further
    for opener in _SKIPPED_OPENER.finditer(markup):
        if opener.start() < start:
            continue  # inside an element already dropped
        name = opener.group(1).lower()
        end = closers.get(name, 0)
        if end != -1 and end < opener.end():
            end = closers[name] = lowered.find(f"</{name}", opener.end())
        parts.append(markup[start : opener.start()])
        if end == -1:  # never closed: it hides the rest, as in a browser
            return " ".join(parts)
        close = markup.find(">", end)
        start = len(markup) if close == -1 else close + 1
    parts.append(markup[start:])
    return " ".join(parts)


def search_text(body_html: str) -> str:
    """The words of an HTML body for the search index: a quick strip, not a full parse.

    Only the index reads this, and only its words matter, so tags become spaces instead
    of going through an HTML parser (three times faster over a refresh's bodies).
    """
    if not body_html:
        return ""
    # Block tags part words; inline ones (<b>, <a>) may sit inside a word and must not.
    text = _BLOCK_TAG.sub(" ", _without_skipped_elements(defuse_html(body_html)))
    text = _TAG.sub("", text)
    return clean_line(html.unescape(text))


def parse_for_library(body: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed | str:
    """A :class:`ParsedFeed` ready to store, or a sentence saying why there is none."""
    parsed = parse_feed_safely(body, url=url, headers=headers)
    if isinstance(parsed, str):
        return parsed
    entries = tuple(
        dataclasses.replace(entry, content_text=search_text(entry.content_html))
        if entry.content_html
        else entry
        for entry in parsed.entries
    )
    return dataclasses.replace(parsed, entries=entries)


# One connection per library per worker process, opened on first use and kept.
_databases: dict[str, Database] = {}


def database(path: str) -> Database:
    db = _databases.get(path)
    if db is None:
        db = _databases[path] = Database(Path(path))
    return db


def store_request(request: StoreRequest) -> Stored | str | LibraryFault:
    """Parse a feed body and store its stories; or a sentence saying why not (the feed's
    problem), or a :class:`LibraryFault` (the library's)."""
    parsed = parse_for_library(request.body, request.url, request.headers)
    if isinstance(parsed, str):
        return parsed
    now = utcnow()
    validators = Validators(request.etag, request.last_modified, request.body_hash)

    def change(conn: sqlite3.Connection) -> int:
        if request.permanent_url:
            feed_queries.move_url(conn, request.feed_id, request.permanent_url)
        return store_parsed_feed(conn, request.feed_id, parsed, now=now, validators=validators)

    try:
        new = database(request.library).write_relaxed(change)
    except LibraryError as error:  # a full disk, a read-only file: nothing the feed did
        return LibraryFault.of(error)
    except NewstermError as error:
        return str(error)
    return Stored(new_stories=new, warnings=parsed.warnings)
