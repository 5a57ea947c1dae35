"""The whole schema of the library, and the migrations between its versions.

The version lives in ``PRAGMA user_version``. A new file is created at
:data:`SCHEMA_VERSION` directly; an older one is brought forward by the functions in
:data:`MIGRATIONS`, all in one transaction, so an upgrade that fails leaves the file as it
was. A file whose version is *newer* than this code knows is refused before anything is
written to it (see :func:`tui.core.store.database.connect`).

Why no ORM: the queries that matter (the 100k-story list, FTS5 search, upserts during a
refresh) are a handful of hand-written statements, and stdlib sqlite3 keeps start-up fast.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 9

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
    content_html  TEXT NOT NULL DEFAULT '',   -- schema 5: a zlib BLOB when that is shorter
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
-- transaction as the story row. Schema 5 replaces it with an index over a view.
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

# Version 2: reader mode and article intelligence. Added columns only (ALTER TABLE ADD
# COLUMN rewrites nothing, so upgrading a 100k-story library is quick), one new table.
SCHEMA_V2 = """
-- Duplicates: the same story from two feeds (same link once utm_* and fragments are gone,
-- or the same global guid) is listed once. dup_of points at the story that is listed;
-- SET NULL lets a duplicate stand on its own when that story is deleted.
ALTER TABLE stories ADD COLUMN link_key TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN guid_key TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN dup_of INTEGER REFERENCES stories(id) ON DELETE SET NULL;
-- verified=: NULL until the story's page was fetched and compared; then 1 or 0.
ALTER TABLE stories ADD COLUMN verified INTEGER;
ALTER TABLE stories ADD COLUMN verified_note TEXT NOT NULL DEFAULT '';
-- sentiment=: 'positive', 'neutral' or 'negative'; NULL until computed (once).
ALTER TABLE stories ADD COLUMN sentiment TEXT;
ALTER TABLE stories ADD COLUMN sentiment_score REAL;

CREATE INDEX stories_by_link_key ON stories(link_key) WHERE link_key != '';
CREATE INDEX stories_by_guid_key ON stories(guid_key) WHERE guid_key != '';
CREATE INDEX stories_duplicates ON stories(dup_of) WHERE dup_of IS NOT NULL;
CREATE INDEX stories_unanalysed ON stories(id) WHERE sentiment IS NULL;
-- Everything the list pane's order and counts read, so that building the order of 100k
-- stories scans this narrow index instead of the wide rows (0.21 s → 0.10 s, measured):
-- dup_of sits after the bodies in a row, often on an overflow page.
CREATE INDEX stories_listed ON stories(
    feed_id, sort_date DESC, id, read, bookmarked, sentiment, orphan_topic_slug,
    orphan_topic_name
) WHERE dup_of IS NULL;

-- The full text of a story's web page (reader mode), kept for offline reading. A failed
-- extraction is kept too (status 'failed' and a note) so it is not retried on its own.
CREATE TABLE articles (
    story_id   INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
    url        TEXT NOT NULL,               -- the page, after redirects
    status     TEXT NOT NULL,               -- 'ok' or 'failed'
    note       TEXT NOT NULL DEFAULT '',    -- why it failed, for the reader
    html       TEXT NOT NULL DEFAULT '',    -- the extracted body, simple HTML
    text       TEXT NOT NULL DEFAULT '',    -- its plain words, for the search index
    title      TEXT NOT NULL DEFAULT '',    -- the page's own headline
    words      INTEGER NOT NULL DEFAULT 0,
    fetched_at TEXT NOT NULL
);
"""

# Version 3: sync accounts. A synced feed belongs to an account and knows its id on the
# server; a story from the server keeps the server's item id. Marks on synced stories wait
# in sync_queue, written in the same transaction as the mark itself (see
# tui.core.store.accounts), until the server has them; feed changes wait in feed_queue.
SCHEMA_V3 = """
CREATE TABLE accounts (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,   -- the user's name for it (the user@host by default)
    api       TEXT NOT NULL,          -- greader | miniflux | fever
    url       TEXT NOT NULL,
    user      TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    cursor    TEXT NOT NULL DEFAULT '{}',  -- JSON: where the next incremental pull starts
    last_sync TEXT,                        -- the last sync that ended well
    last_error TEXT NOT NULL DEFAULT ''
);
-- SET NULL: tui.core.store.accounts removes an account's feeds first, and this only keeps
-- a stray row from blocking the delete.
ALTER TABLE feeds ADD COLUMN account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL;
-- remote_id: a feed's id on the server (NULL until the server has subscribed it), and a
-- story's item id there, as decimal text.
ALTER TABLE feeds ADD COLUMN remote_id TEXT;
ALTER TABLE stories ADD COLUMN remote_id TEXT;
CREATE UNIQUE INDEX feeds_by_remote ON feeds(account_id, remote_id)
    WHERE account_id IS NOT NULL AND remote_id IS NOT NULL;
CREATE UNIQUE INDEX stories_by_remote ON stories(feed_id, remote_id)
    WHERE remote_id IS NOT NULL;
-- A mark the server has not been told of yet; the last one for a story and kind wins.
CREATE TABLE sync_queue (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    remote_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,     -- 'read' | 'bookmarked'
    flag       INTEGER NOT NULL,
    at         TEXT NOT NULL,     -- when the mark was made, for newest-wins
    PRIMARY KEY (account_id, remote_id, kind)
) WITHOUT ROWID;
-- A change to a synced feed the server has not been told of yet, in the order made.
CREATE TABLE feed_queue (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    action     TEXT NOT NULL,     -- 'subscribe' | 'unsubscribe' | 'rename' | 'topic'
    feed_url   TEXT NOT NULL,
    remote_id  TEXT,              -- NULL for a subscribe
    value      TEXT NOT NULL DEFAULT '',  -- the new title or topic
    at         TEXT NOT NULL
);
"""

# Version 4: rules and per-feed settings. Added columns, and the list's index again with
# the columns the list now reads.
SCHEMA_V4 = """
-- What the rules (tui.core.store.rules) made of a story: hidden by a hide rule, a
-- highlight rule's colour, a topic rule's topic. Worked out again whenever the rules
-- change; never a mark, so a rule that goes takes its effect with it.
ALTER TABLE stories ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN highlight TEXT;
ALTER TABLE stories ADD COLUMN rule_topic_name TEXT;
ALTER TABLE stories ADD COLUMN rule_topic_slug TEXT;
-- Which marks a person set (1: read or unread, 2: the bookmark), here or on a synced
-- server: a read or bookmark rule never overrides them.
ALTER TABLE stories ADD COLUMN by_hand INTEGER NOT NULL DEFAULT 0;
-- Per-feed settings. every_minutes: the user's interval (NULL: the feed's own hint_minutes
-- from <ttl>, sy:update* or Cache-Control, else every refresh). full_text: 'auto' (reader
-- mode when the feed's text is short), 'always' or 'never'. A paused feed is not fetched.
ALTER TABLE feeds ADD COLUMN every_minutes INTEGER;
ALTER TABLE feeds ADD COLUMN hint_minutes INTEGER;
ALTER TABLE feeds ADD COLUMN full_text TEXT NOT NULL DEFAULT 'auto';
ALTER TABLE feeds ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
CREATE INDEX stories_by_rule_topic ON stories(rule_topic_slug)
    WHERE rule_topic_slug IS NOT NULL;
DROP INDEX stories_listed;
CREATE INDEX stories_listed ON stories(
    feed_id, sort_date DESC, id, read, bookmarked, sentiment, orphan_topic_slug,
    orphan_topic_name, hidden, rule_topic_slug, rule_topic_name
) WHERE dup_of IS NULL;
"""

# Version 5: a library as small as its stories allow. The search index keeps no copy of the
# text (it was as big as the stories themselves): it is an external-content FTS5 table over
# a view that computes each story's words from its stored body (tui.core.store.bodies),
# and bodies are stored compressed. The feed title column is the title the story is listed
# under, so renaming a feed re-indexes its stories (tui.core.store.feeds.title_watch).
SCHEMA_V5 = """
DROP TABLE stories_fts;
CREATE VIEW stories_text AS
    SELECT s.id AS id, s.title AS title, s.summary AS summary,
        story_words(s.content_html, a.text) AS content,
        coalesce(f.user_title, nullif(f.title, ''), f.url, s.orphan_feed_title, '')
            AS feed_title
    FROM stories s
    LEFT JOIN feeds f ON f.id = s.feed_id
    LEFT JOIN articles a ON a.story_id = s.id AND a.status = 'ok';
CREATE VIRTUAL TABLE stories_fts USING fts5(
    title, summary, content, feed_title,
    content = 'stories_text', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO stories_fts (stories_fts) VALUES ('rebuild')
"""

# Version 6: a list that opens as fast on a million stories as on a hundred. Counts are kept
# as the stories change, so that the list's topic counts, the feed list's and the
# library's are read from a few hundred rows, not counted over every story; and an index in
# the list's own order lets it read only the window on screen. One row of counts per
# combination of what a count is grouped or filtered by; triggers keep them in step with
# every insert, delete and update of those columns, in the same transaction, whoever writes
# (refresh workers, marks, rules, sync). Text keys are '' for NULL, feed_id 0 for a story
# whose feed was removed: a key holding NULL would never match itself in the upsert.
# (column, its value for a story row ``{r}``: ``new``/``old`` in a trigger, ``s`` in a query)
_COUNT_KEY = (
    ("feed_id", "coalesce({r}.feed_id, 0)"),
    ("rule_topic_slug", "coalesce({r}.rule_topic_slug, '')"),
    ("rule_topic_name", "coalesce({r}.rule_topic_name, '')"),
    ("orphan_topic_slug", "coalesce({r}.orphan_topic_slug, '')"),
    ("orphan_topic_name", "coalesce({r}.orphan_topic_name, '')"),
    ("sentiment", "coalesce({r}.sentiment, '')"),
    ("hidden", "{r}.hidden"),
    ("copy", "({r}.dup_of IS NOT NULL)"),  # in brackets: "=" and IS bind alike
)
_COUNT_COLUMNS = ", ".join(column for column, _ in _COUNT_KEY)


def _count_values(row: str) -> str:
    return ", ".join(value.format(r=row) for _, value in _COUNT_KEY)


def _count_add(row: str) -> str:
    return (
        f"INSERT INTO story_counts ({_COUNT_COLUMNS}, total, unread)"
        f" SELECT {_count_values(row)}, 1, {row}.read = 0 WHERE true"
        " ON CONFLICT DO UPDATE SET total = total + 1, unread = unread + excluded.unread"
    )


def _count_remove(row: str) -> str:
    match = " AND ".join(f"{column} = {value.format(r=row)}" for column, value in _COUNT_KEY)
    return (
        f"UPDATE story_counts SET total = total - 1, unread = unread - ({row}.read = 0)"
        f" WHERE {match}"
    )


# Statements, not a script: a trigger's body holds ";".
SCHEMA_V6 = (
    f"""CREATE TABLE story_counts (
    feed_id           INTEGER NOT NULL,   -- 0: the feed was removed (kept bookmarks)
    rule_topic_slug   TEXT NOT NULL,
    rule_topic_name   TEXT NOT NULL,
    orphan_topic_slug TEXT NOT NULL,
    orphan_topic_name TEXT NOT NULL,
    sentiment         TEXT NOT NULL,
    hidden            INTEGER NOT NULL,
    copy              INTEGER NOT NULL,   -- a copy of another feed's story (dup_of set)
    total             INTEGER NOT NULL,
    unread            INTEGER NOT NULL,
    PRIMARY KEY ({_COUNT_COLUMNS})
) WITHOUT ROWID""",
    f"""INSERT INTO story_counts ({_COUNT_COLUMNS}, total, unread)
    SELECT {_count_values("s")}, count(*), count(*) FILTER (WHERE s.read = 0)
    FROM stories s GROUP BY {", ".join(str(n + 1) for n in range(len(_COUNT_KEY)))}""",
    f"""CREATE TRIGGER story_counts_insert AFTER INSERT ON stories BEGIN
    {_count_add("new")};
END""",
    f"""CREATE TRIGGER story_counts_delete AFTER DELETE ON stories BEGIN
    {_count_remove("old")};
END""",
    f"""CREATE TRIGGER story_counts_update AFTER UPDATE OF
    read, dup_of, hidden, feed_id, rule_topic_slug, rule_topic_name, orphan_topic_slug,
    orphan_topic_name, sentiment ON stories BEGIN
    {_count_remove("old")};
    {_count_add("new")};
END""",
    # The list reads a window of a topic at a time, newest first (tui.core.store.stories:
    # list_window): this index holds that order and every column its filters test, so a
    # window never reads the wide rows.
    # It replaces the index the whole order and the counts were read from.
    "DROP INDEX stories_listed",
    """CREATE INDEX stories_dated ON stories(
    sort_date DESC, id, feed_id, read, bookmarked, sentiment, hidden, rule_topic_slug,
    orphan_topic_slug
) WHERE dup_of IS NULL""",
)

# Version 7: an index diet. Every index costs its bytes in each story and its writes in
# every refresh; no statement needs these two (docs/adr/0011-an-index-diet.md):
# - stories_by_date: the list and search walk stories_dated (copies are never listed);
#   only a rule with age: over the whole library ranged over it, and reads the rows now.
# - stories_by_feed_date: stories_by_feed_key (feed_id, key), which ingest needs anyway,
#   finds a feed's stories as well; only a feed's newest few are sorted now (5,000: 3 ms).
# stories_unread stays: it holds only the unread stories, few in a library in use, and
# marking a topic read or counting is:unread would read every row without it.
# IF EXISTS: a library whose owner dropped one by hand is upgraded all the same.
SCHEMA_V7 = """
DROP INDEX IF EXISTS stories_by_date;
DROP INDEX IF EXISTS stories_by_feed_date
"""

# A story's enclosures (podcast episodes, videos) as compact JSON, NULL for none: a
# column, not a table, because they are read with their story only, and NULL costs a
# story without any nothing (tui.core.parse.enclosures dumps and loads it).
SCHEMA_V8 = """
ALTER TABLE stories ADD COLUMN enclosures TEXT
"""

# Version 9: enclosure downloads, past and running (tui.core.store.downloads). A row is
# written as a download starts and ends, and its progress about once a second, so that one
# left "running" by a killed process can be resumed from its partial file.
SCHEMA_V9 = """
CREATE TABLE downloads (
    id            INTEGER PRIMARY KEY,
    -- SET NULL: a download outlives its story (the file is on disk all the same).
    story_id      INTEGER REFERENCES stories(id) ON DELETE SET NULL,
    url           TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',   -- the story's, for the list
    path          TEXT NOT NULL,              -- the file: wanted name, then the one taken
    part          TEXT NOT NULL,              -- the partial file beside it until done
    state         TEXT NOT NULL
        CHECK (state IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
    received      INTEGER NOT NULL DEFAULT 0,
    total         INTEGER,                    -- bytes, once the server said
    -- The validators of the server's first answer, for a resume's If-Range.
    etag          TEXT,
    last_modified TEXT,
    error         TEXT NOT NULL DEFAULT '',   -- one sentence when failed or interrupted
    pid           INTEGER,                    -- the process running it, while running
    started       TEXT NOT NULL,
    finished      TEXT
);
-- Deleting stories looks up their downloads (the foreign key): not a scan per story.
CREATE INDEX downloads_by_story ON downloads(story_id)
"""

Migration = Callable[[sqlite3.Connection], None]


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def _to_v2(conn: sqlite3.Connection) -> None:
    """Add the reader-mode columns, then work out duplicate keys and links for the stories
    already stored. Read marks and bookmarks are not touched."""
    from tui.core.store.duplicates import link_stored_duplicates

    _run_script(conn, SCHEMA_V2)
    link_stored_duplicates(conn)


def _to_v3(conn: sqlite3.Connection) -> None:
    """Add accounts and the sync queues; every existing feed and story stays local."""
    _run_script(conn, SCHEMA_V3)


def _to_v4(conn: sqlite3.Connection) -> None:
    """Add the rules' and the feeds' settings columns. The marks already made count as
    made by hand, so a rule added later never undoes one."""
    _run_script(conn, SCHEMA_V4)
    conn.execute(
        "UPDATE stories SET by_hand = read | (bookmarked << 1) WHERE read = 1 OR bookmarked = 1"
    )


def _to_v5(conn: sqlite3.Connection) -> None:
    """Index the stories' words from their bodies instead of a copy of them. Bodies stored
    before stay as they are (uncompressed); a compaction (VACUUM) gives the space back."""
    _run_script(conn, SCHEMA_V5)


def _to_v6(conn: sqlite3.Connection) -> None:
    """Count the stories once, into the table the triggers keep in step from now on."""
    for statement in SCHEMA_V6:
        conn.execute(statement)


def _to_v7(conn: sqlite3.Connection) -> None:
    """Drop the indexes no statement needs; their pages are reused by new stories, and a
    compaction (VACUUM) gives them back to the disk."""
    _run_script(conn, SCHEMA_V7)


def _to_v8(conn: sqlite3.Connection) -> None:
    """Add the enclosures column. Stories stored before have none until their feed says
    so again: a refresh finds them changed (their fingerprint now takes the enclosures
    in) and stores them, with their marks untouched."""
    _run_script(conn, SCHEMA_V8)


def _to_v9(conn: sqlite3.Connection) -> None:
    """Add the downloads table, empty."""
    _run_script(conn, SCHEMA_V9)


#: ``MIGRATIONS[n]`` brings a library from version ``n`` to ``n + 1``.
MIGRATIONS: dict[int, Migration] = {
    1: _to_v2,
    2: _to_v3,
    3: _to_v4,
    4: _to_v5,
    5: _to_v6,
    6: _to_v7,
    7: _to_v8,
    8: _to_v9,
}


def create(conn: sqlite3.Connection) -> None:
    """Create the current schema in an empty database (inside the caller's transaction).

    A new library goes through the same steps as an upgraded one, so both end up alike.
    """
    _run_script(conn, SCHEMA_V1)
    for version in range(1, SCHEMA_VERSION):
        MIGRATIONS[version](conn)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def migrate(conn: sqlite3.Connection, from_version: int) -> None:
    """Run every migration from ``from_version`` up (inside the caller's transaction)."""
    for version in range(from_version, SCHEMA_VERSION):
        MIGRATIONS[version](conn)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
