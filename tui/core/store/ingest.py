"""Storing one parsed feed: its stories (new ones, and changed text of known ones), its
topic if it has none yet, and its state.

The refresh pipeline, the demo library and the benchmarks all store feeds through
:func:`store_parsed_feed`, so a feed stored any way looks the same to the rest of newsterm.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tui.core.models import ParsedEntry, ParsedFeed, Topic
from tui.core.store import feeds as feed_queries
from tui.core.store.bodies import index_stories, pack, story_words
from tui.core.store.duplicates import find_originals
from tui.core.store.enclosures import dump_enclosures
from tui.core.store.rules import apply_at_ingest
from tui.core.text.dates import to_iso
from tui.core.text.keys import guid_key, link_key

# Dates further ahead than this are not believed for sorting (a feed that says 2099
# would otherwise sit at the top of every list forever).
_FUTURE_SLACK = timedelta(days=2)  # the parser's own limit; here for entries from elsewhere


def topic_from_entries(parsed: ParsedFeed) -> Topic:
    """A feed added without a topic takes its entries' first category, else General."""
    for entry in parsed.entries:
        if entry.categories:
            return Topic.from_name(entry.categories[0])
    return Topic.from_name(None)


@dataclass(frozen=True, slots=True)
class Validators:
    """What the server said about the body we parsed, stored only after a good parse."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


def store_parsed_feed(
    conn: sqlite3.Connection,
    feed_id: int,
    parsed: ParsedFeed,
    *,
    now: datetime,
    validators: Validators,
    prepared: Sequence[Prepared] | None = None,
) -> int:
    """Store a successfully parsed feed (inside the caller's transaction); new stories.

    ``prepared``: :func:`prepare` of ``parsed.entries``, done before the transaction.
    """
    feed_queries.find_feed_id(conn, feed_id)  # FeedNotFoundError if removed meanwhile
    has_topic = conn.execute(
        "SELECT topic_name IS NOT NULL FROM feeds WHERE id = ?", (feed_id,)
    ).fetchone()[0]
    if not has_topic:
        feed_queries.set_topic(conn, feed_id, topic_from_entries(parsed))
    feed_queries.record_success(
        conn,
        feed_id,
        title=parsed.title,
        site_url=parsed.site_url,
        etag=validators.etag,
        last_modified=validators.last_modified,
        body_hash=validators.body_hash,
        now=now,
    )
    # The feed's own refresh hint (<ttl>, sy:update*, Cache-Control), from this body.
    feed_queries.record_hint(conn, feed_id, parsed.hint_minutes)
    # After record_success, so that new stories are indexed under the title the feed is
    # shown by (the user's name for it, if any), like the stories already stored.
    feed_title = feed_queries.display_title(conn, feed_id)
    return store_entries(conn, feed_id, feed_title, prepared or parsed.entries, now).new


def _fingerprint(entry: ParsedEntry) -> str:
    fields: tuple[object, ...] = (
        entry.title,
        entry.link,
        entry.guid,
        entry.summary,
        entry.content_html,
        entry.author,
        to_iso(entry.published),
        to_iso(entry.updated),
        list(entry.categories),
    )
    if entry.enclosures:
        # Only when there are some: a story without any keeps the fingerprint it had
        # before schema 8, and is not stored again for nothing.
        fields += (dump_enclosures(entry.enclosures),)
    return hashlib.sha1(json.dumps(fields).encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class Values:
    """What storing an entry writes beyond its own fields: the costly part (compressing the
    body, its words for the index), done once."""

    body: str | bytes  # :func:`~tui.core.store.bodies.pack` of the body
    categories: str  # JSON list
    words: str  # the index's ``content`` for a story with no page (a new story)
    enclosures: str | None  # JSON list, None for none


def _values(entry: ParsedEntry) -> Values:
    return Values(
        pack(entry.content_html),
        json.dumps(list(entry.categories)),
        story_words(entry.content_html, None),
        dump_enclosures(entry.enclosures),
    )


@dataclass(frozen=True, slots=True)
class Prepared:
    """An entry with its fingerprint and keys, and its :class:`Values` when it looked new or
    changed at :func:`prepare` time."""

    entry: ParsedEntry
    fingerprint: str
    keys: tuple[str, str]  # link key, guid key
    values: Values | None

    def stored(self) -> Values:
        # None only when the story changed between prepare() and the transaction.
        return self.values if self.values is not None else _values(self.entry)


def prepare(entries: Iterable[ParsedEntry], known: Mapping[str, str]) -> list[Prepared]:
    """The CPU-heavy half of storing ``entries``, which needs no lock: fingerprints, keys,
    and the values of every entry that is not ``known`` (story key → fingerprint) as it is.

    A worker runs this before its write transaction, so that the other worker can write
    meanwhile: the write lock is then held for SQLite's own work only.
    """
    prepared = []
    for entry in entries:
        fingerprint = _fingerprint(entry)
        values = None if known.get(entry.key) == fingerprint else _values(entry)
        keys = (link_key(entry.link), guid_key(entry.guid))
        prepared.append(Prepared(entry, fingerprint, keys, values))
    return prepared


def fingerprints(conn: sqlite3.Connection, feed_id: int) -> dict[str, str]:
    """Story key → fingerprint of the feed's stories: what :func:`prepare` compares with."""
    return dict(conn.execute("SELECT key, fingerprint FROM stories WHERE feed_id = ?", (feed_id,)))


@dataclass(frozen=True, slots=True)
class StoredEntries:
    new: int
    updated: int


def store_entries(
    conn: sqlite3.Connection,
    feed_id: int,
    feed_title: str,
    entries: Iterable[ParsedEntry] | Sequence[Prepared],
    now: datetime,
) -> StoredEntries:
    """Insert new entries, update changed ones (text only), and keep the search index in
    step (see :mod:`tui.core.store.bodies`). ``entries`` may come :func:`prepare`-d."""
    existing = {
        key: (story_id, fingerprint)
        for key, story_id, fingerprint in conn.execute(
            "SELECT key, id, fingerprint FROM stories WHERE feed_id = ?", (feed_id,)
        )
    }
    given = list(entries)
    items = [item for item in given if isinstance(item, Prepared)]
    if len(items) != len(given):
        as_stored = {key: fingerprint for key, (_, fingerprint) in existing.items()}
        items = prepare([e for e in given if isinstance(e, ParsedEntry)], as_stored)
    now_iso = to_iso(now)
    # New stories go in with two executemany calls (stories, then their index rows) rather
    # than two statements each: ids are handed out here, which is safe because the caller
    # holds the write lock (BEGIN IMMEDIATE) for the whole transaction.
    next_id = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM stories").fetchone()[0])
    inserts: list[tuple[object, ...]] = []
    indexed: list[tuple[object, ...]] = []
    touched: list[int] = []
    changed: list[int] = []  # known stories whose text changed
    updated = 0
    # The stories other feeds already brought under the same keys, in two queries a feed.
    originals = find_originals(conn, feed_id, [item.keys for item in items])
    for item in items:
        entry, fingerprint, keys = item.entry, item.fingerprint, item.keys
        known = existing.get(entry.key)
        if known is not None and known[1] == fingerprint:
            continue  # unchanged: most of a refresh, and nothing to pack or index
        published = (
            entry.published if entry.published and entry.published <= now + _FUTURE_SLACK else None
        )
        stored = item.stored()
        values = (
            entry.guid,
            entry.link,
            entry.title,
            entry.summary,
            stored.body,
            entry.author,
            stored.categories,
            to_iso(published),
            to_iso(entry.updated),
            fingerprint,
            stored.enclosures,
        )
        if known is None:
            story_id = next_id
            next_id += 1
            # A story another feed already brought is stored as its copy, read if it was.
            original = originals.get(f"l:{keys[0]}") or originals.get(f"g:{keys[1]}")
            dup_of, read, read_at = original or (None, 0, None)
            sort_date = to_iso(published) or now_iso
            row = (story_id, *values, feed_id, entry.key, now_iso, sort_date)
            inserts.append((*row, *keys, dup_of, read, read_at))
            existing[entry.key] = (story_id, fingerprint)
            # The words the stories_text view gives for this row: a new story has no page.
            indexed.append((story_id, entry.title, entry.summary, stored.words, feed_title))
        elif known[1] != fingerprint:
            story_id = known[0]
            # Out of the index while the row still holds what was indexed (an
            # external-content index reads the old words from the view), back in after.
            conn.execute("DELETE FROM stories_fts WHERE rowid = ?", (story_id,))
            conn.execute(
                "UPDATE stories SET guid=?, link=?, title=?, summary=?, content_html=?, author=?,"
                " categories=?, published=?, updated=?, fingerprint=?, enclosures=?,"
                " sort_date = coalesce(?, first_seen), link_key = ?, guid_key = ? WHERE id = ?",
                (*values, to_iso(published), *keys, story_id),
            )
            changed.append(story_id)
            updated += 1
        touched.append(story_id)
    if inserts:
        conn.executemany(
            "INSERT INTO stories (id, guid, link, title, summary, content_html, author,"
            " categories, published, updated, fingerprint, enclosures, feed_id, key,"
            " first_seen, sort_date, link_key, guid_key, dup_of, read, read_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            inserts,
        )
    if indexed:
        conn.executemany(
            "INSERT INTO stories_fts (rowid, title, summary, content, feed_title)"
            " VALUES (?, ?, ?, ?, ?)",
            indexed,
        )
    if changed:
        index_stories(conn, changed)
    # The user's rules, in this same transaction: a hidden story is never seen listed.
    apply_at_ingest(conn, touched, now)
    new = len(inserts)
    return StoredEntries(new=new, updated=updated)
