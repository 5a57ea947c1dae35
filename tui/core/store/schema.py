"""The whole schema of the library, and the migrations between its versions.

The version lives in ``PRAGMA user_version``. A new file is created at
:data:`SCHEMA_VERSION` directly; an older one is brought forward by the functions in
:data:`MIGRATIONS`, all in one transaction, so an upgrade that fails leaves the file as it
was. A file whose version is *newer* than this code knows is refused before anything is
written to it (see :func:`tui.core.store.db.connect`).

Why no ORM: the queries that matter (the 100k-story list, FTS5 search, upserts during a
refresh) are a handful of hand-written statements, and stdlib sqlite3 keeps start-up fast.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 1

# Timestamps are ISO 8601 text in UTC with a fixed format ("2026-11-25T23:20:40+00:00"),
# so that text order is time order and indexes on them work.
SCHEMA_V1 = """
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL DEFAULT '',   -- as the feed calls itself
    user_title    TEXT,                       -- as the user named it; wins over title
    topic_name    TEXT,                       -- NULL until chosen or learnt from the feed
    topic_slug    TEXT,
    tags          TEXT NOT NULL DEFAULT '[]', -- JSON list of strings
    site_url      TEXT NOT NULL DEFAULT '',
    added_at      TEXT NOT NULL,
    -- HTTP validators, stored exactly as received and only after a successful parse.
    etag          TEXT,
    last_modified TEXT,
    body_hash     TEXT,                       -- sha256 of the last parsed body
    status        TEXT NOT NULL DEFAULT 'new',
    last_error    TEXT NOT NULL DEFAULT '',
    error_count   INTEGER NOT NULL DEFAULT 0,
    next_retry    TEXT,                       -- not polled before this time
    last_fetched  TEXT,
    last_ok       TEXT
);

CREATE TABLE stories (
    id            INTEGER PRIMARY KEY,
    -- SET NULL, not CASCADE: removing a feed keeps its bookmarked stories (the rest are
    -- deleted explicitly), and the orphan_* columns remember where they came from.
    feed_id       INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
    key           TEXT NOT NULL,              -- identity in its feed: guid, link or hash
    guid          TEXT NOT NULL DEFAULT '',
    link          TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',   -- plain text
    content_html  TEXT NOT NULL DEFAULT '',
    author        TEXT NOT NULL DEFAULT '',
    categories    TEXT NOT NULL DEFAULT '[]',
    published     TEXT,
    updated       TEXT,
    first_seen    TEXT NOT NULL,
    sort_date     TEXT NOT NULL,              -- published if believable, else first_seen
    fingerprint   TEXT NOT NULL DEFAULT '',   -- hash of the fields above: skip no-op updates
    read          INTEGER NOT NULL DEFAULT 0,
    read_at       TEXT,
    bookmarked    INTEGER NOT NULL DEFAULT 0,
    bookmarked_at TEXT,
    orphan_feed_url   TEXT,
    orphan_feed_title TEXT,
    orphan_topic_name TEXT,
    orphan_topic_slug TEXT
);

CREATE UNIQUE INDEX stories_by_feed_key ON stories(feed_id, key);
CREATE INDEX stories_by_feed_date ON stories(feed_id, sort_date DESC);
CREATE INDEX stories_by_date ON stories(sort_date DESC);
CREATE INDEX stories_unread ON stories(feed_id) WHERE read = 0;
CREATE INDEX stories_bookmarked ON stories(bookmarked_at) WHERE bookmarked = 1;

-- Full-text index with its own copy of the text (rowid = stories.id). The text is plain
-- (HTML stripped at ingest), kept in step by tui.core.store.stories in the same
-- transaction as the story row.
CREATE VIRTUAL TABLE stories_fts USING fts5(
    title, summary, content, feed_title,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Small key/value settings the app remembers (the chosen theme, ...).
CREATE TABLE app_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

Migration = Callable[[sqlite3.Connection], None]

#: ``MIGRATIONS[n]`` brings a library from version ``n`` to ``n + 1``.
MIGRATIONS: dict[int, Migration] = {}


def create(conn: sqlite3.Connection) -> None:
    """Create the current schema in an empty database (inside the caller's transaction)."""
    for statement in SCHEMA_V1.split(";\n"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def migrate(conn: sqlite3.Connection, from_version: int) -> None:
    """Run every migration from ``from_version`` up (inside the caller's transaction)."""
    for version in range(from_version, SCHEMA_VERSION):
        MIGRATIONS[version](conn)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
