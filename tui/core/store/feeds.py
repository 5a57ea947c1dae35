"""Queries over subscriptions: add, find, list with counts, remove, refresh state, and each
feed's own settings (interval, full text, paused) and refresh hint."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import EllipsisType

from tui.core.errors import FeedNotFoundError, InvalidFeedURLError
from tui.core.models import Feed, FeedStatus, FullText, ImportReport, Subscription, Topic
from tui.core.store.bodies import index_stories, reindex_feed_stories, unindex_stories
from tui.core.store.duplicates import release_copies
from tui.core.text.dates import from_iso, to_iso, utcnow
from tui.core.text.hygiene import clean_line
from tui.core.text.urls import normalise_feed_url

_FEED_COLUMNS = """
    f.id, f.url, coalesce(f.user_title, nullif(f.title, ''), f.url), f.topic_name, f.topic_slug,
    f.tags, f.site_url, f.status, f.last_error, f.next_retry, f.last_fetched,
    (SELECT a.name FROM accounts a WHERE a.id = f.account_id),
    f.every_minutes, f.hint_minutes, f.full_text, f.paused, f.last_ok
"""


@dataclass(frozen=True, slots=True)
class FetchState:
    """What the refresh pipeline needs to fetch a feed politely."""

    feed_id: int
    url: str
    title: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    status: FeedStatus
    next_retry: datetime | None
    error_count: int
    has_topic: bool
    every_minutes: int | None = None  # the user's interval
    hint_minutes: int | None = None  # the feed's own
    paused: bool = False
    last_ok: datetime | None = None

    @property
    def due_at(self) -> datetime | None:
        """When the feed's interval (the user's, else its hint) has passed since its last
        good fetch; None when any refresh may fetch it."""
        minutes = self.every_minutes or self.hint_minutes
        if minutes is None or self.last_ok is None:
            return None
        return self.last_ok + timedelta(minutes=minutes)


def _feed_from_row(row: Sequence[object], unread: int = 0, total: int = 0) -> Feed:
    (fid, url, title, topic_name, topic_slug, tags, site_url, status, error, retry, fetched) = row[
        :11
    ]
    account, every, hint, full_text, paused, last_ok = row[11:17]
    topic = (
        Topic(name=str(topic_name), slug=str(topic_slug)) if topic_name else Topic.from_name(None)
    )
    return Feed(
        id=int(fid),  # type: ignore[call-overload]
        url=str(url),
        title=str(title),
        topic=topic,
        tags=tuple(json.loads(str(tags))),
        site_url=str(site_url),
        status=FeedStatus(str(status)),
        last_error=str(error),
        next_retry=from_iso(retry),  # type: ignore[arg-type]
        last_fetched=from_iso(fetched),  # type: ignore[arg-type]
        unread=unread,
        total=total,
        account=None if account is None else str(account),
        every_minutes=_minutes(every),
        hint_minutes=_minutes(hint),
        full_text=_full_text(full_text),
        paused=bool(paused),
        last_ok=from_iso(last_ok),  # type: ignore[arg-type]
    )


def _minutes(value: object) -> int | None:
    return int(value) if isinstance(value, int) and value > 0 else None


def _full_text(value: object) -> FullText:
    try:
        return FullText(str(value))
    except ValueError:  # written by a newer newsterm: today's behaviour
        return FullText.AUTO


def insert_feed(
    conn: sqlite3.Connection, url: str, *, title: str, topic: Topic | None, tags: Sequence[str]
) -> int | None:
    """Insert a feed; ``None`` when the URL is already subscribed."""
    cursor = conn.execute(
        "INSERT INTO feeds (url, user_title, topic_name, topic_slug, tags, added_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO NOTHING",
        (
            url,
            title or None,
            topic.name if topic else None,
            topic.slug if topic else None,
            json.dumps(list(tags)),
            to_iso(utcnow()),
        ),
    )
    if cursor.rowcount == 0:
        return None
    feed_id = int(cursor.lastrowid or 0)
    # Bookmarks kept from an earlier subscription to the same URL come home, indexed under
    # the feed's title from now on.
    homecoming = [
        int(story_id)
        for (story_id,) in conn.execute(
            "SELECT id FROM stories WHERE feed_id IS NULL AND orphan_feed_url = ?"
            " AND key NOT IN (SELECT key FROM stories WHERE feed_id = ?)",
            (url, feed_id),
        )
    ]
    if homecoming:
        unindex_stories(conn, homecoming)
        marks = ",".join("?" * len(homecoming))
        conn.execute(
            "UPDATE stories SET feed_id = ?, orphan_feed_url = NULL, orphan_feed_title = NULL,"
            f" orphan_topic_name = NULL, orphan_topic_slug = NULL WHERE id IN ({marks})",
            (feed_id, *homecoming),
        )
        index_stories(conn, homecoming)
    return feed_id


def get_feed(conn: sqlite3.Connection, feed_id: int) -> Feed:
    row = conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE f.id = ?", (feed_id,)).fetchone()
    if row is None:
        raise FeedNotFoundError(f"No feed has id {feed_id}; `newsterm feeds` lists them.")
    # Unread leaves out what rules hide (as every unread count does); total is every story.
    unread, total = conn.execute(
        "SELECT coalesce(sum(unread) FILTER (WHERE hidden = 0), 0), coalesce(sum(total), 0)"
        " FROM story_counts WHERE feed_id = ?",
        (feed_id,),
    ).fetchone()
    return _feed_from_row(row, unread, total)


def find_feed_id(conn: sqlite3.Connection, ref: str | int) -> int:
    """A feed by id (``12``) or by URL."""
    text = str(ref).strip()
    # isascii: isdigit() also takes "²" and other digits int() refuses; and an id past
    # SQLite's integer range matches no feed rather than overflowing.
    if text.isascii() and text.isdigit():
        number = int(text) if len(text) < 19 else -1
        row = conn.execute("SELECT id FROM feeds WHERE id = ?", (number,)).fetchone()
    else:
        row = conn.execute("SELECT id FROM feeds WHERE url = ?", (text,)).fetchone()
        if row is None:  # forgive a trailing slash either way
            alt = text[:-1] if text.endswith("/") else text + "/"
            row = conn.execute("SELECT id FROM feeds WHERE url = ?", (alt,)).fetchone()
    if row is None:
        raise FeedNotFoundError(
            f"No subscribed feed matches {text!r}; `newsterm feeds` lists ids and URLs."
        )
    return int(row[0])


def list_feeds(conn: sqlite3.Connection) -> list[Feed]:
    # From the counts the schema keeps (every story a feed brought, copies too), not a
    # count over every story.
    counts = {
        fid: (unread, total)
        for fid, unread, total in conn.execute(
            "SELECT feed_id, coalesce(sum(unread) FILTER (WHERE hidden = 0), 0), sum(total)"
            " FROM story_counts WHERE feed_id != 0 GROUP BY feed_id"
        )
    }
    rows = conn.execute(
        f"SELECT {_FEED_COLUMNS} FROM feeds f"
        " ORDER BY coalesce(f.topic_slug, 'general'), lower(coalesce(f.user_title, f.title, f.url))"
    ).fetchall()
    return [_feed_from_row(row, *counts.get(row[0], (0, 0))) for row in rows]


def has_feeds(conn: sqlite3.Connection) -> bool:
    """Whether anything is subscribed: one row read, where :func:`list_feeds` reads every
    feed and its counts."""
    return conn.execute("SELECT 1 FROM feeds LIMIT 1").fetchone() is not None


def remove_feed(conn: sqlite3.Connection, feed_id: int) -> None:
    """Delete a feed and its stories, except bookmarked ones, which become orphans."""
    conn.execute(
        "UPDATE stories SET orphan_feed_url = f.url,"
        " orphan_feed_title = coalesce(f.user_title, nullif(f.title, ''), f.url),"
        " orphan_topic_name = coalesce(f.topic_name, 'General'),"
        " orphan_topic_slug = coalesce(f.topic_slug, 'general')"
        " FROM feeds f WHERE f.id = stories.feed_id AND stories.feed_id = ?"
        " AND stories.bookmarked = 1",
        (feed_id,),
    )
    release_copies(conn, feed_id)
    conn.execute(
        "DELETE FROM stories_fts WHERE rowid IN"
        " (SELECT id FROM stories WHERE feed_id = ? AND bookmarked = 0)",
        (feed_id,),
    )
    conn.execute("DELETE FROM stories WHERE feed_id = ? AND bookmarked = 0", (feed_id,))
    conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))


def set_topic(conn: sqlite3.Connection, feed_id: int, topic: Topic) -> None:
    conn.execute(
        "UPDATE feeds SET topic_name = ?, topic_slug = ? WHERE id = ?",
        (topic.name, topic.slug, feed_id),
    )


def set_user_title(conn: sqlite3.Connection, feed_id: int, title: str) -> None:
    with title_watch(conn, feed_id):
        conn.execute("UPDATE feeds SET user_title = ? WHERE id = ?", (title or None, feed_id))


@contextmanager
def title_watch(conn: sqlite3.Connection, feed_id: int) -> Iterator[None]:
    """Around any change that may change the title a feed is shown by: its stories are
    indexed under that title, so they are indexed again when it changed."""
    before = display_title(conn, feed_id)
    yield
    if display_title(conn, feed_id) != before:
        reindex_feed_stories(conn, feed_id, before)


def fetch_states(
    conn: sqlite3.Connection, feed_ids: Sequence[int] | None = None
) -> list[FetchState]:
    query = (
        "SELECT id, url, coalesce(user_title, nullif(title, ''), url), etag, last_modified,"
        " body_hash, status, next_retry, error_count, topic_name IS NOT NULL,"
        " every_minutes, hint_minutes, paused, last_ok FROM feeds"
        # A synced feed's stories come from its server (tui.core.sync), not from its URL.
        " WHERE account_id IS NULL"
    )
    if feed_ids is None:
        rows = conn.execute(query + " ORDER BY id").fetchall()
    else:
        marks = ",".join("?" * len(feed_ids))
        rows = conn.execute(f"{query} AND id IN ({marks}) ORDER BY id", tuple(feed_ids)).fetchall()
    return [
        FetchState(
            feed_id=row[0],
            url=row[1],
            title=row[2],
            etag=row[3],
            last_modified=row[4],
            body_hash=row[5],
            status=FeedStatus(row[6]),
            next_retry=from_iso(row[7]),
            error_count=row[8],
            has_topic=bool(row[9]),
            every_minutes=_minutes(row[10]),
            hint_minutes=_minutes(row[11]),
            paused=bool(row[12]),
            last_ok=from_iso(row[13]),
        )
        for row in rows
    ]


def record_success(
    conn: sqlite3.Connection,
    feed_id: int,
    *,
    title: str | None,
    site_url: str | None,
    etag: str | None,
    last_modified: str | None,
    body_hash: str | None,
    now: datetime,
    keep_validators: bool = False,
) -> None:
    """A fetch that ended well (parsed, 304, or unchanged body): clear errors, store validators."""
    now_iso = to_iso(now)
    with title_watch(conn, feed_id):
        conn.execute(
            "UPDATE feeds SET status = 'ok', last_error = '', error_count = 0,"
            " next_retry = NULL, last_fetched = ?, last_ok = ?, title = coalesce(?, title),"
            " site_url = coalesce(?, site_url) WHERE id = ?",
            (now_iso, now_iso, title or None, site_url or None, feed_id),
        )
    if not keep_validators:
        conn.execute(
            "UPDATE feeds SET etag = ?, last_modified = ?, body_hash = ? WHERE id = ?",
            (etag, last_modified, body_hash, feed_id),
        )


def record_not_modified(conn: sqlite3.Connection, fetched: Iterable[tuple[int, datetime]]) -> None:
    """Feeds that answered 304 Not Modified, each with the time it did: what
    :func:`record_success` stores for them (no title, validators kept), in one statement.

    No :func:`title_watch`: nothing here touches the title a feed is shown by.
    """
    conn.executemany(
        "UPDATE feeds SET status = 'ok', last_error = '', error_count = 0,"
        " next_retry = NULL, last_fetched = ?1, last_ok = ?1 WHERE id = ?2",
        [(to_iso(now), feed_id) for feed_id, now in fetched],
    )


def record_hint(conn: sqlite3.Connection, feed_id: int, minutes: int | None) -> None:
    """The feed's own refresh hint from its last parsed body (None: it gave none)."""
    conn.execute("UPDATE feeds SET hint_minutes = ? WHERE id = ?", (minutes, feed_id))


def set_settings(
    conn: sqlite3.Connection,
    feed_id: int,
    *,
    every_minutes: int | EllipsisType | None = ...,
    full_text: FullText | None = None,
    paused: bool | None = None,
) -> None:
    """Change a feed's own settings; ``...`` and None leave one as it is (an interval of
    None clears it)."""
    if every_minutes is not ...:
        conn.execute("UPDATE feeds SET every_minutes = ? WHERE id = ?", (every_minutes, feed_id))
    if full_text is not None:
        conn.execute("UPDATE feeds SET full_text = ? WHERE id = ?", (full_text.value, feed_id))
    if paused is not None:
        conn.execute("UPDATE feeds SET paused = ? WHERE id = ?", (int(paused), feed_id))


def feeds_titled(conn: sqlite3.Connection, title: str) -> list[int]:
    """The ids of the feeds shown under ``title``, letter case aside."""
    wanted = title.strip().casefold()
    # Compared in Python: SQLite's lower() folds ASCII letters only. A few hundred rows.
    return [
        int(feed_id)
        for feed_id, shown in conn.execute(
            "SELECT id, coalesce(user_title, nullif(title, ''), url) FROM feeds ORDER BY id"
        )
        if str(shown).strip().casefold() == wanted
    ]


def full_text_of(conn: sqlite3.Connection, feed_id: int) -> FullText:
    row = conn.execute("SELECT full_text FROM feeds WHERE id = ?", (feed_id,)).fetchone()
    return _full_text(row[0]) if row else FullText.AUTO


def display_title(conn: sqlite3.Connection, feed_id: int) -> str:
    row = conn.execute(
        "SELECT coalesce(user_title, nullif(title, ''), url) FROM feeds WHERE id = ?", (feed_id,)
    ).fetchone()
    return str(row[0]) if row else ""


def record_failure(
    conn: sqlite3.Connection,
    feed_id: int,
    *,
    status: FeedStatus,
    error: str,
    next_retry: datetime | None,
    now: datetime,
) -> None:
    conn.execute(
        "UPDATE feeds SET status = ?, last_error = ?, error_count = error_count + 1,"
        " next_retry = ?, last_fetched = ? WHERE id = ?",
        (status.value, error, to_iso(next_retry), to_iso(now), feed_id),
    )


def move_url(conn: sqlite3.Connection, feed_id: int, new_url: str) -> bool:
    """Follow a permanent redirect; False when another subscription already has that URL."""
    taken = conn.execute(
        "SELECT 1 FROM feeds WHERE url = ? AND id != ?", (new_url, feed_id)
    ).fetchone()
    if taken:
        return False
    with title_watch(conn, feed_id):  # a feed with no title is shown by its URL
        conn.execute("UPDATE feeds SET url = ? WHERE id = ?", (new_url, feed_id))
    return True


def subscribe_all(
    conn: sqlite3.Connection, subscriptions: Iterable[Subscription], refused: Sequence[str]
) -> ImportReport:
    """Subscribe to each URL not subscribed yet, in one transaction: an import on a full
    disk adds nothing rather than stopping somewhere in the middle. URLs that cannot be a
    feed's join ``refused``."""
    added: list[Feed] = []
    existing: list[str] = []
    problems = list(refused)
    for sub in subscriptions:
        try:
            url = normalise_feed_url(sub.url)
        except InvalidFeedURLError as error:
            problems.append(str(error))
            continue
        try:
            find_feed_id(conn, url)
        except FeedNotFoundError:
            topic = clean_line(sub.topic) if sub.topic and sub.topic.strip() else ""
            feed_id = insert_feed(
                conn,
                url,
                title=clean_line(sub.title or None),
                topic=Topic.from_name(topic) if topic else None,
                tags=[clean_line(t) for t in sub.tags if clean_line(t)],
            )
            if feed_id is not None:
                added.append(get_feed(conn, feed_id))
                continue
        existing.append(url)
    return ImportReport(added=tuple(added), existing=tuple(existing), refused=tuple(problems))
