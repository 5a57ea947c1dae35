"""Storing one parsed feed: its stories, its topic if it has none yet, and its state.

The refresh pipeline, the demo library and the benchmarks all store feeds through
:func:`store_parsed_feed`, so a feed stored any way looks the same to the rest of newsterm.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from tui.core.models import ParsedFeed, Topic
from tui.core.store import feeds as feed_queries
from tui.core.store.stories import store_entries


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
) -> int:
    """Store a successfully parsed feed (inside the caller's transaction); new stories."""
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
    # After record_success, so that new stories are indexed under the title the feed is
    # shown by (the user's name for it, if any), like the stories already stored.
    feed_title = feed_queries.display_title(conn, feed_id)
    return store_entries(conn, feed_id, feed_title, parsed.entries, now).new
