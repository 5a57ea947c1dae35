"""A story's HTML body as stored, and the words of it the search index holds.

Bodies are most of a library's bytes (a full-text feed carries 2–3 KB of HTML an item), so
they are stored compressed: ``content_html`` holds a zlib stream (a BLOB) when that is
shorter, and plain TEXT otherwise (a short body, or one stored before schema 5, which is
never rewritten just to shrink it). :func:`unpack` reads both.

The full-text index keeps no copy of its text (schema 5): ``stories_fts`` is an
external-content FTS5 table over the ``stories_text`` view, whose ``content`` column is
:func:`story_words` of the stored body, computed by SQLite through a function that
:func:`register` gives every connection. SQLite reads the view when a row leaves the index
and for snippets, so the words must be the same every time they are computed from the same
row: :func:`story_words` depends on the stored values only, and changing what it returns
means rebuilding the index (a schema migration).
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Sequence

from tui.core.text.html import search_text

__all__ = [
    "index_stories",
    "pack",
    "register",
    "reindex_feed_stories",
    "story_words",
    "unindex_stories",
    "unpack",
]

# Below this, compression saves too little to pay for its own header and CPU.
_WORTH_PACKING = 256
# zlib's default level: level 1 is hardly faster on bodies this small (~35 µs for 2 KB
# here) and 2–3 % bigger.
_LEVEL = 6


def pack(html: str) -> str | bytes:
    """The value to store for a body: a zlib BLOB when that is smaller, else the text."""
    if len(html) < _WORTH_PACKING:
        return html
    raw = html.encode("utf-8")
    packed = zlib.compress(raw, _LEVEL)
    return packed if len(packed) < len(raw) else html


def unpack(value: object) -> str:
    """The body from its stored value. A damaged stream reads as no body, not a crash:
    the story still lists and opens, with its summary."""
    if isinstance(value, bytes):
        try:
            return zlib.decompress(value).decode("utf-8", "replace")
        except zlib.error:
            return ""
    return value if isinstance(value, str) else ""


def story_words(stored_body: object, article_text: object) -> str:
    """The ``content`` the search index holds for a story: the words of its fetched page
    when there is one (they replace the feed's excerpt), else those of its body."""
    if isinstance(article_text, str):
        return article_text
    return search_text(unpack(stored_body))


def register(conn: sqlite3.Connection) -> None:
    """Give ``conn`` the SQL function the ``stories_text`` view computes words with."""
    conn.create_function("story_words", 2, story_words, deterministic=True)


# -- keeping the index in step ------------------------------------------------------------
# Every change to what the stories_text view gives for a row (its title, summary, body,
# page or feed title) takes the row out of the index *before* the change, while the view
# still gives what was indexed, and puts it back after. Tests check the two agree with
# ``INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)``.

_CHUNK = 500  # ids a statement: well under SQLite's limit on variables


def unindex_stories(conn: sqlite3.Connection, story_ids: Sequence[int]) -> None:
    """Take stories out of the search index (before their indexed text changes)."""
    for start in range(0, len(story_ids), _CHUNK):
        chunk = tuple(story_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM stories_fts WHERE rowid IN ({marks})", chunk)


def index_stories(conn: sqlite3.Connection, story_ids: Sequence[int]) -> None:
    """Put stories (back) into the search index, with the words the view gives now."""
    for start in range(0, len(story_ids), _CHUNK):
        chunk = tuple(story_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        conn.execute(
            "INSERT INTO stories_fts (rowid, title, summary, content, feed_title)"
            f" SELECT id, title, summary, content, feed_title FROM stories_text"
            f" WHERE id IN ({marks})",
            chunk,
        )


def reindex_feed_stories(conn: sqlite3.Connection, feed_id: int, indexed_title: str) -> None:
    """After a feed's title changed: its stories' index rows, indexed under
    ``indexed_title``, take the title the view gives now."""
    # The view already gives the new title, so the old rows are named in full.
    conn.execute(
        "INSERT INTO stories_fts (stories_fts, rowid, title, summary, content, feed_title)"
        " SELECT 'delete', id, title, summary, content, ? FROM stories_text"
        " WHERE id IN (SELECT id FROM stories WHERE feed_id = ?)",
        (indexed_title, feed_id),
    )
    conn.execute(
        "INSERT INTO stories_fts (rowid, title, summary, content, feed_title)"
        " SELECT id, title, summary, content, feed_title FROM stories_text"
        " WHERE id IN (SELECT id FROM stories WHERE feed_id = ?)",
        (feed_id,),
    )
