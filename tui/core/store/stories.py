"""Queries over stories: listing, windows of the list, counts, read marks and bookmarks.
Storing a refresh's entries is :mod:`tui.core.store.ingest`'s.

Read state and bookmarks live on the story row and are only ever changed by the user's
actions: storing entries again (a refresh, a renamed title, an edited body) updates the
text and never touches ``read``/``bookmarked``; stories that drop off their feed are
never deleted.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from tui.core.errors import StoryNotFoundError
from tui.core.models import Story, StoryIndex, StoryRow, Topic, TopicCount, TopicGroup
from tui.core.store.accounts import any_account, queue_marks
from tui.core.store.bodies import unpack
from tui.core.store.duplicates import copies_of, sources_of
from tui.core.store.query import Compiled, is_query_error
from tui.core.text.dates import from_iso, to_iso

# A story's topic: a topic rule's, else its feed's, else the one its feed had when it was
# removed (see tui.core.store.feeds), else General.
TOPIC_SLUG = "coalesce(s.rule_topic_slug, f.topic_slug, s.orphan_topic_slug, 'general')"
TOPIC_NAME = "coalesce(s.rule_topic_name, f.topic_name, s.orphan_topic_name, 'General')"
#: The stories a list or a count shows: not a copy of another feed's story (those are
#: listed once, under the feed that brought them first) and not hidden by a rule.
LISTED = "s.dup_of IS NULL AND s.hidden = 0"

STORY_COLUMNS = f"""
    s.id, s.feed_id,
    coalesce(f.user_title, nullif(f.title, ''), f.url, s.orphan_feed_title, ''),
    {TOPIC_NAME},
    {TOPIC_SLUG},
    s.title, s.link, s.summary, s.published, s.first_seen, s.read, s.read_at,
    s.bookmarked, s.bookmarked_at, s.author, s.guid,
    s.verified, s.verified_note, s.sentiment, coalesce(f.url, s.orphan_feed_url, '')
"""
#: How many values :data:`STORY_COLUMNS` selects; queries add theirs after these.
STORY_WIDTH = 20
STORY_FROM = "stories s LEFT JOIN feeds f ON f.id = s.feed_id"


def story_from_row(
    row: Sequence[object], content_html: str = "", sources: tuple[str, ...] = ()
) -> Story:
    (
        sid,
        feed_id,
        feed_title,
        topic_name,
        topic_slug,
        title,
        link,
        summary,
        published,
        first_seen,
        read,
        read_at,
        bookmarked,
        bookmarked_at,
        author,
        guid,
        verified,
        verified_note,
        sentiment,
        feed_url,
    ) = row[:STORY_WIDTH]
    return Story(
        id=int(sid),  # type: ignore[call-overload]
        feed_id=int(feed_id) if feed_id is not None else None,  # type: ignore[call-overload]
        feed_title=str(feed_title),
        topic=Topic(name=str(topic_name), slug=str(topic_slug)),
        title=str(title),
        link=str(link),
        summary=str(summary),
        published=from_iso(published),  # type: ignore[arg-type]
        first_seen=from_iso(first_seen) or datetime.min,  # type: ignore[arg-type]
        read=bool(read),
        read_at=from_iso(read_at),  # type: ignore[arg-type]
        bookmarked=bool(bookmarked),
        bookmarked_at=from_iso(bookmarked_at),  # type: ignore[arg-type]
        author=str(author),
        guid=str(guid),
        content_html=content_html,
        verified=None if verified is None else bool(verified),
        verified_note=str(verified_note),
        sentiment=None if sentiment is None else str(sentiment),
        sources=sources,
        feed_url=str(feed_url),
    )


@dataclass(frozen=True, slots=True)
class StoryFilter:
    """Which stories a list shows. Empty means all."""

    topic_slug: str | None = None
    feed_id: int | None = None
    unread_only: bool = False
    bookmarked_only: bool = False
    sentiment: str | None = None  # "positive", "neutral" or "negative"
    with_hidden: bool = False  # hidden stories too (H in the UI)

    def where(self) -> tuple[str, list[object]]:
        # Copies of a story another feed brought first are never listed on their own.
        clauses: list[str] = ["s.dup_of IS NULL" if self.with_hidden else LISTED]
        params: list[object] = []
        if self.topic_slug:
            clauses.append(f"{TOPIC_SLUG} = ?")
            params.append(self.topic_slug)
        if self.feed_id is not None:
            clauses.append("s.feed_id = ?")
            params.append(self.feed_id)
        if self.unread_only:
            clauses.append("s.read = 0")
        if self.bookmarked_only:
            clauses.append("s.bookmarked = 1")
        if self.sentiment:
            clauses.append("s.sentiment = ?")
            params.append(self.sentiment)
        return " WHERE " + " AND ".join(clauses), params


def list_stories(
    conn: sqlite3.Connection,
    story_filter: StoryFilter,
    *,
    limit: int | None = None,
    offset: int = 0,
    by_topic: bool = False,
) -> list[Story]:
    """Newest first; grouped by topic (alphabetical) when ``by_topic``."""
    where, params = story_filter.where()
    order = "s.sort_date DESC, s.id ASC"
    if by_topic:
        order = f"{TOPIC_SLUG}, " + order
    if story_filter.bookmarked_only:
        order = "s.bookmarked_at DESC, " + order
    sql = f"SELECT {STORY_COLUMNS} FROM {STORY_FROM}{where} ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return [story_from_row(row) for row in conn.execute(sql, params)]


def get_story(conn: sqlite3.Connection, story_id: int) -> Story:
    row = conn.execute(
        f"SELECT {STORY_COLUMNS}, s.content_html FROM {STORY_FROM} WHERE s.id = ?", (story_id,)
    ).fetchone()
    if row is None:
        raise StoryNotFoundError(f"No story has id {story_id}; `newsterm list` shows ids.")
    return story_from_row(
        row, content_html=unpack(row[STORY_WIDTH]), sources=sources_of(conn, story_id)
    )


def require_stories(conn: sqlite3.Connection, story_ids: Sequence[int]) -> None:
    found = {
        row[0]
        for row in conn.execute(
            f"SELECT id FROM stories WHERE id IN ({','.join('?' * len(story_ids))})",
            tuple(story_ids),
        )
    }
    missing = [str(i) for i in story_ids if i not in found]
    if missing:
        raise StoryNotFoundError(
            f"No story has id {', '.join(missing)}; `newsterm list` shows ids."
        )


def set_read(conn: sqlite3.Connection, story_ids: Sequence[int], read: bool, now: datetime) -> int:
    """Returns how many of ``story_ids`` changed; their copies (see duplicates) follow."""
    changed = _set_mark(conn, "read", story_ids, read, now)
    copies = copies_of(conn, story_ids)
    _set_mark(conn, "read", copies, read, now)
    queue_marks(conn, "read", [*story_ids, *copies], read, now)  # synced ones: to the server
    return changed


def set_bookmarked(
    conn: sqlite3.Connection, story_ids: Sequence[int], bookmarked: bool, now: datetime
) -> int:
    changed = _set_mark(conn, "bookmarked", story_ids, bookmarked, now)
    copies = copies_of(conn, story_ids)
    _set_mark(conn, "bookmarked", copies, bookmarked, now)
    queue_marks(conn, "bookmarked", [*story_ids, *copies], bookmarked, now)
    return changed


def _set_mark(
    conn: sqlite3.Connection, column: str, story_ids: Sequence[int], flag: bool, now: datetime
) -> int:
    assert column in ("read", "bookmarked")
    bit = 1 if column == "read" else 2
    changed = 0
    for start in range(0, len(story_ids), 500):  # stay under SQLite's variable limit
        chunk = tuple(story_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        cursor = conn.execute(
            f"UPDATE stories SET {column} = ?, {column}_at = ?"
            f" WHERE id IN ({marks}) AND {column} != ?",
            (int(flag), to_iso(now) if flag else None, *chunk, int(flag)),
        )
        changed += cursor.rowcount
        # Rules never undo a mark a person made (see tui.core.store.rules), even one that
        # left the story as it was: the person has now said so.
        conn.execute(
            f"UPDATE stories SET by_hand = by_hand | {bit} WHERE id IN ({marks})"
            f" AND by_hand & {bit} = 0",
            chunk,
        )
    return changed


def mark_filtered_read(conn: sqlite3.Connection, story_filter: StoryFilter, now: datetime) -> int:
    """Mark every unread story the filter matches as read (e.g. a whole topic)."""
    listed, params = story_filter.where()
    if any_account(conn):
        # Synced stories among them go to the server too: the ids first, then one mark.
        ids = [
            int(row[0])
            for row in conn.execute(f"SELECT s.id FROM {STORY_FROM}{listed} AND s.read = 0", params)
        ]
        return set_read(conn, ids, True, now)
    cursor = conn.execute(
        f"UPDATE stories SET read = 1, read_at = ?, by_hand = by_hand | 1 WHERE id IN"
        f" (SELECT s.id FROM {STORY_FROM}{listed} AND s.read = 0)",
        (to_iso(now), *params),
    )
    conn.execute(
        f"UPDATE stories SET read = 1, read_at = ?, by_hand = by_hand | 1"
        " WHERE read = 0 AND dup_of IN"
        f" (SELECT s.id FROM {STORY_FROM}{listed})",
        (to_iso(now), *params),
    )
    return cursor.rowcount


# The same topic, read from the story_counts table the schema's triggers keep (schema 6),
# where NULL is stored as ''.
_COUNTED_TOPIC_SLUG = (
    "coalesce(nullif(c.rule_topic_slug, ''), f.topic_slug, nullif(c.orphan_topic_slug, ''),"
    " 'general')"
)
_COUNTED_TOPIC_NAME = (
    "coalesce(nullif(c.rule_topic_name, ''), f.topic_name, nullif(c.orphan_topic_name, ''),"
    " 'General')"
)
_COUNTED_FROM = "story_counts c LEFT JOIN feeds f ON f.id = c.feed_id"


def topic_counts(conn: sqlite3.Connection) -> list[TopicCount]:
    return [
        TopicCount(Topic(name=name, slug=slug), unread, total)
        for slug, name, total, unread in group_counts(conn, StoryFilter())
    ]


def group_counts(
    conn: sqlite3.Connection, story_filter: StoryFilter
) -> list[tuple[str, str, int, int]]:
    """(slug, name, stories, unread) of each topic the filter lists, by slug.

    Read from the kept counts (a row per feed and state, not per story) for every filter
    but "bookmarked", whose stories an index finds directly.
    """
    if story_filter.bookmarked_only:
        where, params = story_filter.where()
        sql = (
            f"SELECT {TOPIC_SLUG} AS slug, max({TOPIC_NAME}), count(*),"
            f" count(*) FILTER (WHERE s.read = 0) FROM {STORY_FROM}{where}"
            " GROUP BY slug ORDER BY slug"
        )
    else:
        clauses = ["c.copy = 0", "c.total > 0"]
        params = []
        if not story_filter.with_hidden:
            clauses.append("c.hidden = 0")
        if story_filter.topic_slug:
            clauses.append(f"{_COUNTED_TOPIC_SLUG} = ?")
            params.append(story_filter.topic_slug)
        if story_filter.feed_id is not None:
            clauses.append("c.feed_id = ?")
            params.append(story_filter.feed_id)
        if story_filter.sentiment:
            clauses.append("c.sentiment = ?")
            params.append(story_filter.sentiment)
        listed = "sum(c.unread)" if story_filter.unread_only else "sum(c.total)"
        sql = (
            f"SELECT {_COUNTED_TOPIC_SLUG} AS slug, max({_COUNTED_TOPIC_NAME}), {listed},"
            f" sum(c.unread) FROM {_COUNTED_FROM} WHERE {' AND '.join(clauses)}"
            f" GROUP BY slug HAVING {listed} > 0 ORDER BY slug"
        )
    return [
        (str(slug), str(name), int(count), int(unread))
        for slug, name, count, unread in conn.execute(sql, params)
    ]


def library_counts(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(stories, unread, bookmarked)."""
    stories, unread = conn.execute(
        "SELECT coalesce(sum(total), 0), coalesce(sum(unread), 0) FROM story_counts"
        " WHERE copy = 0 AND hidden = 0"
    ).fetchone()
    (bookmarked,) = conn.execute(
        "SELECT count(*) FROM stories INDEXED BY stories_bookmarked"
        " WHERE bookmarked = 1 AND dup_of IS NULL AND hidden = 0"
    ).fetchone()
    return int(stories), int(unread), int(bookmarked)


def list_rows(
    conn: sqlite3.Connection,
    story_filter: StoryFilter,
    *,
    by_topic: bool = True,
    limit: int | None = None,
) -> list[StoryRow]:
    """Lean rows for the list pane, grouped by topic (alphabetical), newest first in each."""
    where, params = story_filter.where()
    order = "s.sort_date DESC, s.id ASC"
    if by_topic:
        order = f"{TOPIC_SLUG}, " + order
    sql = (
        f"SELECT s.id, {TOPIC_SLUG}, {TOPIC_NAME},"
        " s.title, coalesce(f.user_title, nullif(f.title, ''), f.url, s.orphan_feed_title, ''),"
        f" s.link, s.sort_date, s.read, s.bookmarked FROM {STORY_FROM}{where} ORDER BY {order}"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [StoryRow(*row) for row in conn.execute(sql, params)]


@dataclass(frozen=True, slots=True)
class ViewQuery:
    """A saved search to list above the topics: its name and its query, compiled (or the
    sentence saying why it could not be)."""

    name: str
    compiled: Compiled | None
    problem: str = ""


def list_index(
    conn: sqlite3.Connection, story_filter: StoryFilter, views: Sequence[ViewQuery] = ()
) -> StoryIndex:
    """A list view's groups (the views' first, then topics by slug) with their counts, and
    the views' ids; the topics' ids come later, a window at a time (:func:`list_window`).

    The counts are read from the kept totals: nothing here grows with the library, except
    what the views' queries match. One read transaction, so views and counts agree.
    """
    conn.execute("BEGIN")
    try:
        ids = array("q")
        groups: list[TopicGroup] = []
        for view in views:
            matches: list[tuple[int, int]] = []
            problem = view.problem
            if view.compiled is not None:
                try:
                    matches = _view_ids(conn, view.compiled, story_filter)
                except sqlite3.OperationalError as error:
                    if not is_query_error(error):
                        raise
                    problem = "query unreadable"  # one bad view must not empty the list
            # A slug no topic can have (theirs are letters, digits and "-"), and the same
            # for the same view across reloads, so its fold state stays.
            slug = f"view:{view.name.casefold()}"
            name = f"{view.name} ({problem})" if problem else view.name
            unread = sum(1 for _, read in matches if not read)
            groups.append(TopicGroup(Topic(name, slug), len(ids), len(matches), unread, True))
            ids.extend(story_id for story_id, _ in matches)
        counts = group_counts(conn, story_filter)
    finally:
        conn.execute("COMMIT")
    start = len(ids)
    for slug, name, count, unread in counts:
        groups.append(TopicGroup(Topic(name, slug), start, count, unread))
        start += count
    return StoryIndex(groups=tuple(groups), view_ids=ids, views_end=len(ids))


# A topic's stories in list order (newest first, then by id) straight off the stories_dated
# index, which holds every column a StoryFilter tests: a window never reads the wide rows.
# Its condition (dup_of IS NULL) is in every StoryFilter.where().
_DATED_FROM = "stories s INDEXED BY stories_dated LEFT JOIN feeds f ON f.id = s.feed_id"
_NEWEST_FIRST = "ORDER BY s.sort_date DESC, s.id ASC"
_OLDEST_FIRST = "ORDER BY s.sort_date ASC, s.id DESC"


def list_window(
    conn: sqlite3.Connection,
    story_filter: StoryFilter,
    slug: str,
    offset: int,
    limit: int,
    *,
    count: int,
    after: int | None = None,
    before: int | None = None,
) -> list[int]:
    """The ids at positions ``offset`` to ``offset + limit - 1`` of topic ``slug`` (of
    ``count`` stories) in list order.

    A window next to one already read continues from its edge (``after``: the id just
    before it; ``before``: the id just after it), which reads only the window. Any other
    window is counted to from the nearer end of the topic, so the last screen of a topic
    costs what its first does: at most half a topic's index entries are skipped (a topic
    of 85,000 stories among a million: ~0.1 s in the middle, ~1 ms at either end).
    """
    limit = max(0, min(limit, count - offset))
    if limit == 0 or offset < 0:
        return []
    where, params = story_filter.where()
    sql = f"SELECT s.id FROM {_DATED_FROM}{where} AND {TOPIC_SLUG} = ?"
    params.append(slug)
    if after is not None:
        edge = _edge(conn, after)
        if edge is not None:  # (gone since: counted instead)
            sql += " AND s.sort_date <= ? AND (s.sort_date < ? OR s.id > ?)"
            rows = conn.execute(
                f"{sql} {_NEWEST_FIRST} LIMIT ?", [*params, edge, edge, after, limit]
            )
            return [int(story_id) for (story_id,) in rows]
    if before is not None:
        edge = _edge(conn, before)
        if edge is not None:
            sql += " AND s.sort_date >= ? AND (s.sort_date > ? OR s.id < ?)"
            rows = conn.execute(
                f"{sql} {_OLDEST_FIRST} LIMIT ?", [*params, edge, edge, before, limit]
            )
            return [int(story_id) for (story_id,) in rows][::-1]
    if offset + limit / 2 <= count / 2:
        rows = conn.execute(f"{sql} {_NEWEST_FIRST} LIMIT ? OFFSET ?", [*params, limit, offset])
        return [int(story_id) for (story_id,) in rows]
    skipped = max(0, count - offset - limit)
    rows = conn.execute(f"{sql} {_OLDEST_FIRST} LIMIT ? OFFSET ?", [*params, limit, skipped])
    return [int(story_id) for (story_id,) in rows][::-1]


def _edge(conn: sqlite3.Connection, story_id: int) -> str | None:
    row = conn.execute("SELECT sort_date FROM stories WHERE id = ?", (story_id,)).fetchone()
    return None if row is None else str(row[0])


def story_position(
    conn: sqlite3.Connection, story_filter: StoryFilter, story_id: int
) -> tuple[str, int] | None:
    """(topic slug, position in the topic) of a story the list shows; None when it does
    not show it. Counts the topic's stories listed before it, newest first."""
    where, params = story_filter.where()
    row = conn.execute(
        f"SELECT {TOPIC_SLUG}, s.sort_date FROM {STORY_FROM}{where} AND s.id = ?",
        [*params, story_id],
    ).fetchone()
    if row is None:
        return None
    slug, sort_date = str(row[0]), str(row[1])
    (before,) = conn.execute(
        f"SELECT count(*) FROM {_DATED_FROM}{where} AND {TOPIC_SLUG} = ?"
        " AND s.sort_date >= ? AND (s.sort_date > ? OR s.id < ?)",
        [*params, slug, sort_date, sort_date, story_id],
    ).fetchone()
    return slug, int(before)


def _view_ids(
    conn: sqlite3.Connection, compiled: Compiled, story_filter: StoryFilter
) -> list[tuple[int, int]]:
    """(id, read) of the stories a view's query matches, newest first, within the list's
    own filter (unread only, a tone)."""
    # The query says whether hidden stories belong (is:hidden); the list's filter agrees.
    where, params = replace(story_filter, topic_slug=None, with_hidden=True).where()
    sql = f"SELECT s.id, s.read FROM {STORY_FROM}{where} AND ({compiled.where})"
    params = [*params, *compiled.params]
    if compiled.fts is not None:
        sql += " AND s.id IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?)"
        params.append(compiled.fts)
    rows = conn.execute(f"{sql} ORDER BY s.sort_date DESC, s.id ASC", params).fetchall()
    return [(int(story_id), int(read)) for story_id, read in rows]


def rows_for(conn: sqlite3.Connection, story_ids: Sequence[int]) -> dict[int, StoryRow]:
    """The list rows of some stories (those on screen), by id."""
    result: dict[int, StoryRow] = {}
    for chunk_start in range(0, len(story_ids), 500):  # stay under SQLite's variable limit
        chunk = tuple(story_ids[chunk_start : chunk_start + 500])
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT s.id, {TOPIC_SLUG}, {TOPIC_NAME}, s.title,"
            " coalesce(f.user_title, nullif(f.title, ''), f.url, s.orphan_feed_title, ''),"
            " s.link, s.sort_date, s.read, s.bookmarked,"
            # The feeds of the story's copies (an index lookup; most stories have none).
            " (SELECT group_concat(coalesce(cf.user_title, nullif(cf.title, ''), cf.url,"
            " c.orphan_feed_title, ''), ', ') FROM stories c LEFT JOIN feeds cf"
            " ON cf.id = c.feed_id WHERE c.dup_of = s.id), f.account_id IS NOT NULL,"
            f" s.hidden, s.highlight FROM {STORY_FROM} WHERE s.id IN ({marks})",
            chunk,
        ):
            (sid, slug, topic, title, feed_title, link, sort_date, read, bookmarked, also) = row[
                :10
            ]
            result[sid] = StoryRow(
                sid,
                slug,
                topic,
                title,
                feed_title,
                link,
                sort_date,
                bool(read),
                bool(bookmarked),
                also or "",
                bool(row[10]),
                bool(row[11]),
                row[12] or "",
            )
    return result


def has_marks(conn: sqlite3.Connection) -> bool:
    """Whether any story is read or bookmarked: what a refresh could not fetch back."""
    # From the kept counts (fewer unread than stories), not the stories: with nothing read
    # that would look at every one (a copy's marks are its original's too).
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM stories WHERE bookmarked = 1)"
        " OR EXISTS (SELECT 1 FROM story_counts WHERE copy = 0 AND unread < total)"
    ).fetchone()
    return bool(row[0])
