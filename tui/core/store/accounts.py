"""Queries over sync accounts: their rows, their feeds, and the queues of changes the
server has not been told of yet.

A mark on a synced story is queued by :func:`queue_marks` inside the transaction that sets
it (the mark queries in :mod:`.stories` call it), so a mark saved is a mark that will be
pushed, whatever happens to the process after. Marks pulled from a server go through
:func:`apply_server_marks`, which never queues (the server already has them) and never
touches a story with a queued mark (the user's newer change must not flip back).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tui.core.errors import AccountNotFoundError, NewstermError
from tui.core.models import Account, Topic
from tui.core.store import feeds as feed_queries
from tui.core.text.dates import from_iso, to_iso, utcnow

_CHUNK = 500  # ids per statement: under SQLite's variable limit


_ACCOUNT_COLUMNS = """
    a.id, a.name, a.api, a.url, a.user, a.added_at, a.last_sync, a.last_error,
    (SELECT count(*) FROM feeds f WHERE f.account_id = a.id),
    (SELECT count(*) FROM sync_queue q WHERE q.account_id = a.id)
    + (SELECT count(*) FROM feed_queue q WHERE q.account_id = a.id)
"""


def _account(row: Sequence[object]) -> Account:
    aid, name, api, url, user, added, last_sync, error, feeds, queued = row
    return Account(
        id=int(aid),  # type: ignore[call-overload]
        name=str(name),
        api=str(api),
        url=str(url),
        user=str(user),
        added_at=from_iso(str(added)),
        last_sync=from_iso(last_sync),  # type: ignore[arg-type]
        last_error=str(error),
        feeds=int(feeds),  # type: ignore[call-overload]
        queued=int(queued),  # type: ignore[call-overload]
    )


def list_accounts(conn: sqlite3.Connection) -> list[Account]:
    rows = conn.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.name").fetchall()
    return [_account(row) for row in rows]


def get_account(conn: sqlite3.Connection, ref: str | int) -> Account:
    column = "id" if isinstance(ref, int) else "name"
    row = conn.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a WHERE a.{column} = ?", (ref,)
    ).fetchone()
    if row is None:
        raise AccountNotFoundError(f"There is no sync account named {ref!r}.")
    return _account(row)


def insert_account(
    conn: sqlite3.Connection, *, name: str, api: str, url: str, user: str, now: datetime
) -> int:
    if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
        raise NewstermError(f"There is already a sync account named {name!r}.")
    cursor = conn.execute(
        "INSERT INTO accounts (name, api, url, user, added_at) VALUES (?, ?, ?, ?, ?)",
        (name, api, url, user, to_iso(now)),
    )
    return int(cursor.lastrowid or 0)


def remove_account(conn: sqlite3.Connection, account_id: int) -> int:
    """Delete the account and its feeds; bookmarked stories stay, as local stories.

    Returns how many bookmarked stories were kept (as listed: copies of a story another
    feed carries are kept too, and not counted twice)."""
    kept = conn.execute(
        "SELECT count(*) FROM stories s JOIN feeds f ON f.id = s.feed_id"
        " WHERE f.account_id = ? AND s.bookmarked = 1 AND s.dup_of IS NULL",
        (account_id,),
    ).fetchone()[0]
    for (feed_id,) in conn.execute(
        "SELECT id FROM feeds WHERE account_id = ?", (account_id,)
    ).fetchall():
        feed_queries.remove_feed(conn, feed_id)
    # The kept stories are local now: nothing of theirs is pushed anywhere.
    conn.execute(
        "UPDATE stories SET remote_id = NULL WHERE feed_id IS NULL AND remote_id IS NOT NULL"
    )
    conn.execute("DELETE FROM accounts WHERE id = ?", (account_id,))
    return int(kept)


def any_account(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM accounts)").fetchone()[0])


def cursor_of(conn: sqlite3.Connection, account_id: int) -> dict[str, object]:
    row = conn.execute("SELECT cursor FROM accounts WHERE id = ?", (account_id,)).fetchone()
    try:
        value = json.loads(row[0]) if row else {}
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}


def record_sync(
    conn: sqlite3.Connection,
    account_id: int,
    *,
    cursor: dict[str, object] | None,
    error: str,
    now: datetime,
) -> None:
    """After a sync: the new cursor and time when it ended well, else the error."""
    if cursor is not None:
        conn.execute(
            "UPDATE accounts SET cursor = ?, last_sync = ?, last_error = '' WHERE id = ?",
            (json.dumps(cursor), to_iso(now), account_id),
        )
    else:
        conn.execute("UPDATE accounts SET last_error = ? WHERE id = ?", (error, account_id))


# -- feeds ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyncedFeed:
    id: int
    url: str
    remote_id: str | None
    title: str  # as the server or the feed calls itself
    user_title: str | None
    topic: str | None


def synced_feeds(conn: sqlite3.Connection, account_id: int) -> list[SyncedFeed]:
    return [
        SyncedFeed(int(r[0]), str(r[1]), r[2], str(r[3]), r[4], r[5])
        for r in conn.execute(
            "SELECT id, url, remote_id, title, user_title, topic_name FROM feeds"
            " WHERE account_id = ? ORDER BY id",
            (account_id,),
        )
    ]


def adopt_feed(
    conn: sqlite3.Connection,
    account_id: int,
    *,
    remote_id: str,
    url: str,
    title: str,
    site_url: str,
    folder: str,
    now: datetime,
) -> int:
    """The local feed for a server subscription: a new one, or a local feed with the same
    address, which becomes synced (its stories so far stay local stories)."""
    row = conn.execute("SELECT id, account_id FROM feeds WHERE url = ?", (url,)).fetchone()
    if row is not None and row[1] not in (None, account_id):
        return 0  # another account's feed: one feed belongs to one account
    topic = Topic.from_name(folder or None)
    if row is None:
        conn.execute(
            "INSERT INTO feeds (url, title, site_url, added_at, topic_name, topic_slug,"
            " account_id, remote_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ok')",
            (url, title, site_url, to_iso(now), topic.name, topic.slug, account_id, remote_id),
        )
        return int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])
    feed_id = int(row[0])
    # Subscribed anew on the server (a new id for the same address): its items there are
    # new too, so the stories here lose the old ids and are matched again by link.
    forget_feed_marks(conn, feed_id)
    conn.execute(
        "UPDATE stories SET remote_id = NULL WHERE feed_id = ? AND remote_id IS NOT NULL"
        " AND (SELECT remote_id FROM feeds WHERE id = ?) IS NOT ?",
        (feed_id, feed_id, remote_id),
    )
    with feed_queries.title_watch(conn, feed_id):
        conn.execute(
            "UPDATE feeds SET account_id = ?, remote_id = ?, title = ?,"
            " site_url = coalesce(nullif(?, ''), site_url), topic_name = ?, topic_slug = ?"
            " WHERE id = ?",
            (account_id, remote_id, title or url, site_url, topic.name, topic.slug, feed_id),
        )
    return feed_id


def update_synced_feed(
    conn: sqlite3.Connection, feed_id: int, *, title: str, folder: str | None
) -> None:
    """The server's title and folder for a feed, where no local change waits to be pushed."""
    with feed_queries.title_watch(conn, feed_id):
        conn.execute(
            "UPDATE feeds SET title = ? WHERE id = ? AND title != ?", (title, feed_id, title)
        )
    if folder is not None:
        feed_queries.set_topic(conn, feed_id, Topic.from_name(folder or None))


def feed_ids_by_remote(conn: sqlite3.Connection, account_id: int) -> dict[str, int]:
    return {
        str(remote): int(fid)
        for fid, remote in conn.execute(
            "SELECT id, remote_id FROM feeds WHERE account_id = ? AND remote_id IS NOT NULL",
            (account_id,),
        )
    }


def set_feed_remote_id(conn: sqlite3.Connection, feed_id: int, remote_id: str) -> None:
    """The server subscribed the feed: from now on its stories come from there."""
    conn.execute(
        "UPDATE feeds SET remote_id = ?, status = 'ok', last_error = '' WHERE id = ?",
        (remote_id, feed_id),
    )


def feed_account(conn: sqlite3.Connection, feed_id: int) -> tuple[int, str | None] | None:
    """(account id, remote id) of a synced feed; None for a local one."""
    row = conn.execute(
        "SELECT account_id, remote_id FROM feeds WHERE id = ? AND account_id IS NOT NULL",
        (feed_id,),
    ).fetchone()
    return None if row is None else (int(row[0]), row[1])


# -- the feed queue ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedChange:
    id: int
    action: str  # subscribe | unsubscribe | rename | topic
    feed_url: str
    remote_id: str | None
    value: str


def queue_feed_change(
    conn: sqlite3.Connection,
    account_id: int,
    action: str,
    *,
    feed_url: str,
    remote_id: str | None,
    value: str = "",
    now: datetime,
) -> None:
    conn.execute(
        "INSERT INTO feed_queue (account_id, action, feed_url, remote_id, value, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (account_id, action, feed_url, remote_id, value, to_iso(now)),
    )


def feed_changes(conn: sqlite3.Connection, account_id: int) -> list[FeedChange]:
    return [
        FeedChange(int(r[0]), str(r[1]), str(r[2]), r[3], str(r[4]))
        for r in conn.execute(
            "SELECT id, action, feed_url, remote_id, value FROM feed_queue"
            " WHERE account_id = ? ORDER BY id",
            (account_id,),
        )
    ]


def detach_feed(conn: sqlite3.Connection, url: str) -> None:
    """A feed the server would not subscribe to stays, as a local feed fetched from its
    address."""
    conn.execute("UPDATE feeds SET account_id = NULL WHERE url = ? AND remote_id IS NULL", (url,))


def drop_feed_change(conn: sqlite3.Connection, change_id: int) -> None:
    conn.execute("DELETE FROM feed_queue WHERE id = ?", (change_id,))


def pending_feed_urls(conn: sqlite3.Connection, account_id: int) -> set[str]:
    """Feeds with a change still waiting: the server's view of them is older than ours."""
    return {
        str(url)
        for (url,) in conn.execute(
            "SELECT feed_url FROM feed_queue WHERE account_id = ?", (account_id,)
        )
    }


# -- marks ---------------------------------------------------------------------------------


def queue_marks(
    conn: sqlite3.Connection, kind: str, story_ids: Sequence[int], flag: bool, now: datetime
) -> None:
    """Queue a mark for the synced ones among ``story_ids`` (in the mark's transaction)."""
    assert kind in ("read", "bookmarked")
    if not story_ids or not any_account(conn):
        return
    for start in range(0, len(story_ids), _CHUNK):
        chunk = tuple(story_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        conn.execute(
            "INSERT INTO sync_queue (account_id, remote_id, kind, flag, at)"
            " SELECT f.account_id, s.remote_id, ?, ?, ? FROM stories s"
            " JOIN feeds f ON f.id = s.feed_id"
            f" WHERE s.id IN ({marks}) AND s.remote_id IS NOT NULL"
            " AND f.account_id IS NOT NULL"
            " ON CONFLICT (account_id, remote_id, kind)"
            " DO UPDATE SET flag = excluded.flag, at = excluded.at",
            (kind, int(flag), to_iso(now), *chunk),
        )


@dataclass(frozen=True, slots=True)
class QueuedMark:
    remote_id: str
    kind: str  # read | bookmarked
    flag: bool
    at: str  # ISO text, compared as written when the push is acknowledged


def queued_marks(conn: sqlite3.Connection, account_id: int) -> list[QueuedMark]:
    return [
        QueuedMark(str(r[0]), str(r[1]), bool(r[2]), str(r[3]))
        for r in conn.execute(
            "SELECT remote_id, kind, flag, at FROM sync_queue WHERE account_id = ? ORDER BY at",
            (account_id,),
        )
    ]


def drop_queued_marks(
    conn: sqlite3.Connection, account_id: int, pushed: Iterable[QueuedMark]
) -> None:
    """Forget marks the server now has, unless a newer mark for the same story was queued
    while they were on their way (that one still has to go)."""
    conn.executemany(
        "DELETE FROM sync_queue WHERE account_id = ? AND remote_id = ? AND kind = ?"
        " AND flag = ? AND at = ?",
        [(account_id, m.remote_id, m.kind, int(m.flag), m.at) for m in pushed],
    )


def queued_count(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute(
            "SELECT (SELECT count(*) FROM sync_queue) + (SELECT count(*) FROM feed_queue)"
        ).fetchone()[0]
    )


# -- stories from the server ---------------------------------------------------------------


def known_items(conn: sqlite3.Connection, account_id: int) -> set[str]:
    return {
        str(r[0])
        for r in conn.execute(
            "SELECT s.remote_id FROM stories s JOIN feeds f ON f.id = s.feed_id"
            " WHERE f.account_id = ? AND s.remote_id IS NOT NULL",
            (account_id,),
        )
    }


def set_item_ids(
    conn: sqlite3.Connection, feed_id: int, items: Sequence[tuple[str, str, bool, bool]]
) -> None:
    """After new items are stored under their keys: (key, remote id, read, starred)."""
    conn.executemany(
        "UPDATE stories SET remote_id = ?,"
        " read = ?, read_at = CASE WHEN ? THEN coalesce(read_at, first_seen) END,"
        " bookmarked = ?, bookmarked_at = CASE WHEN ? THEN coalesce(bookmarked_at, first_seen)"
        " END WHERE feed_id = ? AND key = ? AND remote_id IS NULL",
        [
            (remote, int(read), int(read), int(star), int(star), feed_id, key)
            for key, remote, read, star in items
        ],
    )


@dataclass(frozen=True, slots=True)
class ServerMark:
    """The server's state of one item: read and starred."""

    remote_id: str
    read: bool
    starred: bool


def apply_server_marks(
    conn: sqlite3.Connection,
    account_id: int,
    marks: Iterable[ServerMark],
    *,
    spare: set[str],
    now: datetime,
) -> int:
    """Give the account's stories the server's marks; returns how many marks changed.

    Stories with a queued mark, and those in ``spare`` (pushed during this sync, after the
    server's marks were read), keep theirs. A story listed as the original of a synced copy
    follows the copy when the server changed it: that is the newest mark there is.
    """
    queued = {
        str(r[0])
        for r in conn.execute(
            "SELECT remote_id FROM sync_queue WHERE account_id = ?", (account_id,)
        )
    }
    current = {
        str(remote): (int(sid), bool(read), bool(star), dup_of)
        for sid, remote, read, star, dup_of in conn.execute(
            "SELECT s.id, s.remote_id, s.read, s.bookmarked, s.dup_of FROM stories s"
            " JOIN feeds f ON f.id = s.feed_id WHERE f.account_id = ?"
            " AND s.remote_id IS NOT NULL",
            (account_id,),
        )
    }
    changes: dict[str, list[int]] = {"read1": [], "read0": [], "bookmarked1": [], "bookmarked0": []}
    count = 0
    for mark in marks:
        if mark.remote_id in queued or mark.remote_id in spare:
            continue
        known = current.get(mark.remote_id)
        if known is None:
            continue
        story_id, read, star, dup_of = known
        for kind, was, now_is in (("read", read, mark.read), ("bookmarked", star, mark.starred)):
            if was != now_is:
                ids = changes[f"{kind}{int(now_is)}"]
                ids.append(story_id)
                if dup_of is not None:
                    ids.append(int(dup_of))
                count += 1
    stamp = to_iso(now)
    for key, ids in changes.items():
        kind, flag = key[:-1], int(key[-1])
        for start in range(0, len(ids), _CHUNK):
            chunk = tuple(ids[start : start + _CHUNK])
            marks_ = ",".join("?" * len(chunk))
            conn.execute(
                # A mark pulled from the server was made by a person, like one made here.
                f"UPDATE stories SET {kind} = ?, {kind}_at = ?,"
                f" by_hand = by_hand | {1 if kind == 'read' else 2} WHERE id IN ({marks_})"
                f" AND {kind} != ?",
                (flag, stamp if flag else None, *chunk, flag),
            )
    return count


# -- feed changes, which a synced feed's server hears of (queued in the same transaction) --


def add_feed(
    conn: sqlite3.Connection,
    url: str,
    *,
    title: str,
    topic: Topic | None,
    tags: list[str],
    account_id: int | None,
) -> int | None:
    """Subscribe; with ``account_id``, on the server too."""
    feed_id = feed_queries.insert_feed(conn, url, title=title, topic=topic, tags=tags)
    if feed_id is not None and account_id is not None:
        conn.execute("UPDATE feeds SET account_id = ? WHERE id = ?", (account_id, feed_id))
        queue_feed_change(
            conn,
            account_id,
            "subscribe",
            feed_url=url,
            remote_id=None,
            value=topic.name if topic else "",
            now=utcnow(),
        )
    return feed_id


def _queue_change(conn: sqlite3.Connection, feed_id: int, action: str, value: str) -> None:
    synced = feed_account(conn, feed_id)
    if synced is not None:
        url = conn.execute("SELECT url FROM feeds WHERE id = ?", (feed_id,)).fetchone()[0]
        queue_feed_change(
            conn, synced[0], action, feed_url=url, remote_id=synced[1], value=value, now=utcnow()
        )


def attach_feed(conn: sqlite3.Connection, feed_id: int, account_id: int) -> bool:
    """Put a local feed on an account: the server subscribes to it at the next sync, and
    from then on its stories come from there (those here already are matched by link).
    False when the feed is already synced."""
    row = conn.execute(
        "SELECT url, topic_name FROM feeds WHERE id = ? AND account_id IS NULL", (feed_id,)
    ).fetchone()
    if row is None:
        return False
    conn.execute("UPDATE feeds SET account_id = ? WHERE id = ?", (account_id, feed_id))
    queue_feed_change(
        conn,
        account_id,
        "subscribe",
        feed_url=str(row[0]),
        remote_id=None,
        value=str(row[1] or ""),
        now=utcnow(),
    )
    return True


def forget_feed_marks(conn: sqlite3.Connection, feed_id: int) -> None:
    """Before a synced feed goes: its stories' queued marks go too. The server drops the
    items with the feed, and a mark it can no longer take must not block every later push."""
    conn.execute(
        "DELETE FROM sync_queue WHERE account_id = (SELECT account_id FROM feeds WHERE id = ?)"
        " AND remote_id IN (SELECT remote_id FROM stories WHERE feed_id = ?"
        " AND remote_id IS NOT NULL)",
        (feed_id, feed_id),
    )


def drop_feed(conn: sqlite3.Connection, feed_id: int) -> None:
    """Unsubscribe (here, and on the server for a synced feed)."""
    forget_feed_marks(conn, feed_id)
    synced = feed_account(conn, feed_id)
    if synced is not None and synced[1] is None:
        # The server never heard of it: its waiting subscribe (and any change after it)
        # is forgotten, rather than subscribed there and then brought back by the pull.
        conn.execute(
            "DELETE FROM feed_queue WHERE account_id = ?"
            " AND feed_url = (SELECT url FROM feeds WHERE id = ?)",
            (synced[0], feed_id),
        )
    else:
        _queue_change(conn, feed_id, "unsubscribe", "")
    feed_queries.remove_feed(conn, feed_id)


def refile_feed(conn: sqlite3.Connection, feed_id: int, topic: Topic) -> None:
    feed_queries.set_topic(conn, feed_id, topic)
    _queue_change(conn, feed_id, "topic", topic.name)


def rename_feed(conn: sqlite3.Connection, feed_id: int, title: str) -> None:
    feed_queries.set_user_title(conn, feed_id, title)
    _queue_change(conn, feed_id, "rename", title)
