"""The same story from two feeds, stored twice and listed once.

Each stored story keeps its own row (its feed may drop it, the user may remove a feed), and
a later copy from another feed points at the first with ``dup_of``. Lists, counts and
search skip rows with ``dup_of`` set; the reader names every feed that carried the story;
read marks and bookmarks given to the listed story cover its copies too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from tui.core.text.keys import guid_key, link_key

Original = tuple[int, int, str | None]  # (story id, read, read_at)


def find_originals(
    conn: sqlite3.Connection, feed_id: int, keys: Sequence[tuple[str, str]]
) -> dict[str, Original]:
    """The listed stories other feeds already have under some ``(link_key, guid_key)``
    pairs, by ``"l:<link key>"`` and ``"g:<guid key>"``; the oldest story wins."""
    found: dict[str, Original] = {}
    for prefix, column, wanted in (
        ("l", "link_key", sorted({k[0] for k in keys if k[0]})),
        ("g", "guid_key", sorted({k[1] for k in keys if k[1]})),
    ):
        for start in range(0, len(wanted), 500):  # stay under SQLite's variable limit
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, story_id, read, read_at in conn.execute(
                # "!= ''" lets SQLite use the partial index on the key: without it, every
                # feed of a refresh scanned the whole table (30 s over 100k stories).
                f"SELECT {column}, id, read, read_at FROM stories WHERE {column} IN ({marks})"
                f" AND {column} != '' AND dup_of IS NULL AND feed_id IS NOT ? ORDER BY id DESC",
                (*chunk, feed_id),
            ):
                found[f"{prefix}:{key}"] = (int(story_id), int(read), read_at)
    return found


def link_stored_duplicates(conn: sqlite3.Connection) -> None:
    """Fill in the keys of every story and link the copies (an upgrade, once)."""
    first_by_key: dict[str, tuple[int, int | None]] = {}  # key -> (story id, feed id)
    keys: list[tuple[str, str, int]] = []
    links: list[tuple[int, int]] = []
    rows = conn.execute("SELECT id, feed_id, link, guid FROM stories ORDER BY id").fetchall()
    for story_id, feed_id, link, guid in rows:
        lkey, gkey = link_key(link), guid_key(guid)
        keys.append((lkey, gkey, story_id))
        original: int | None = None
        for key in (f"l:{lkey}" if lkey else "", f"g:{gkey}" if gkey else ""):
            if not key:
                continue
            first = first_by_key.get(key)
            if first is None:
                first_by_key[key] = (story_id, feed_id)
            elif original is None and (first[1] != feed_id or feed_id is None):
                original = first[0]
        if original is not None:
            links.append((original, story_id))
    conn.executemany("UPDATE stories SET link_key = ?, guid_key = ? WHERE id = ?", keys)
    conn.executemany("UPDATE stories SET dup_of = ? WHERE id = ?", links)
    # The listed story carries the marks of its copies: a bookmark given to a copy must
    # not vanish from the bookmarks because the copy is no longer listed.
    for mark in ("read", "bookmarked"):
        conn.execute(
            f"UPDATE stories SET {mark} = 1, {mark}_at = (SELECT min(c.{mark}_at) FROM stories c"
            f" WHERE c.dup_of = stories.id AND c.{mark} = 1) WHERE {mark} = 0 AND id IN"
            f" (SELECT dup_of FROM stories WHERE {mark} = 1 AND dup_of IS NOT NULL)"
        )


def sources_of(conn: sqlite3.Connection, story_id: int) -> tuple[str, ...]:
    """The feeds that carried a listed story's copies, by their shown names."""
    rows = conn.execute(
        "SELECT coalesce(f.user_title, nullif(f.title, ''), f.url, s.orphan_feed_title, '')"
        " FROM stories s LEFT JOIN feeds f ON f.id = s.feed_id WHERE s.dup_of = ? ORDER BY s.id",
        (story_id,),
    ).fetchall()
    return tuple(str(name) for (name,) in rows)


def copies_of(conn: sqlite3.Connection, story_ids: Sequence[int]) -> list[int]:
    """The ids of the copies of some stories: a mark on a story covers them too."""
    ids: list[int] = []
    for start in range(0, len(story_ids), 500):
        chunk = tuple(story_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        ids += [
            int(row[0])
            for row in conn.execute(f"SELECT id FROM stories WHERE dup_of IN ({marks})", chunk)
        ]
    return ids


def release_copies(conn: sqlite3.Connection, feed_id: int) -> None:
    """Before a feed's stories are deleted: the first copy of each becomes the listed one,
    and the other copies point at it (instead of all standing alone)."""
    rows = conn.execute(
        "SELECT d.dup_of, d.id FROM stories d JOIN stories o ON o.id = d.dup_of"
        " WHERE o.feed_id = ? AND o.bookmarked = 0 ORDER BY d.dup_of, d.id",
        (feed_id,),
    ).fetchall()
    heir: dict[int, int] = {}
    changes: list[tuple[int | None, int]] = []
    for original, copy in rows:
        if original not in heir:
            heir[original] = copy
            changes.append((None, copy))
        else:
            changes.append((heir[original], copy))
    conn.executemany("UPDATE stories SET dup_of = ? WHERE id = ?", changes)
