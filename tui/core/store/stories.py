"""Queries over stories: listing, windows of the list, counts, read marks and bookmarks.
Storing a refresh's entries is :mod:`tui.core.store.ingest`'s.

Read state and bookmarks live on the story row and are only ever changed by the user's
actions: storing entries again (a refresh, a renamed title, an edited body) updates the
text and never touches ``read``/``bookmarked``; stories that drop off their feed are
never deleted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from tui.core.errors import StoryNotFoundError
from tui.core.models import Story, StoryIndex, StoryRow, Topic, TopicCount, TopicGroup
from tui.core.store.accounts import any_account, queue_marks
from tui.core.store.bodies import unpack
from tui.core.store.duplicates import copies_of, sources_of
from tui.core.store.enclosures import load_enclosures
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
    s.verified, s.verified_note, s.sentiment, coalesce(f.url, s.orphan_feed_url, ''),
    s.enclosures
"""
#: How many values :data:`STORY_COLUMNS` selects; queries add theirs after these.
STORY_WIDTH = 21
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
        enclosures,
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
        enclosures=load_enclosures(enclosures),
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
    # Their copies in other feeds: each copy (few, by the duplicates index) looks its
    # original up, rather than the filter's every story being gathered for a few copies
    # (a topic at a million stories: 0.38 s; this: under a millisecond).
    conn.execute(
        f"UPDATE stories SET read = 1, read_at = ?, by_hand = by_hand | 1"
        " WHERE read = 0 AND dup_of IS NOT NULL AND EXISTS"
        f" (SELECT 1 FROM {STORY_FROM}{listed} AND s.id = stories.dup_of)",
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
    sentence saying why it could not be).

    ``compiled`` has its filters as sets (each gathers the stories it takes in by their
    index): what counts and rare views are read with. ``per_row`` is the same query with
    its filters checked story by story, for walking the list order along stories_dated
    (None: ``compiled`` is walked instead).
    """

    name: str
    compiled: Compiled | None
    problem: str = ""
    per_row: Compiled | None = None

    @property
    def slug(self) -> str:
        # A slug no topic can have (theirs are letters, digits and "-"), and the same for
        # the same view across reloads, so its fold state stays.
        return view_slug(self.name)


def view_slug(name: str) -> str:
    """The group slug of the view called ``name``."""
    return f"view:{name.casefold()}"


def list_index(
    conn: sqlite3.Connection,
    story_filter: StoryFilter,
    views: Sequence[ViewQuery] = (),
    *,
    count_views: bool = True,
) -> StoryIndex:
    """A list view's groups (the views' first, then topics by slug) with their counts; the
    stories come later, a window at a time (:func:`list_window`, :func:`view_window`).

    The topics' counts are read from the kept totals. A view's are counted over the
    stories its query matches (:func:`view_counts`), which grows with what it matches:
    with ``count_views`` False they are left at 0, for the caller to count later (the list
    shows views folded, so its first screen needs neither their counts nor their stories),
    and nothing here grows with the library. One read transaction, so views and counts
    agree. A view whose query cannot be read is listed empty, the reason in its name.
    """
    conn.execute("BEGIN")
    try:
        groups: list[TopicGroup] = []
        start = 0
        for view in views:
            problem = view.problem or _view_problem(conn, view)
            count, unread = 0, 0
            if count_views and not problem:
                count, unread = _view_count(conn, view, story_filter)
            name = f"{view.name} ({problem})" if problem else view.name
            groups.append(TopicGroup(Topic(name, view.slug), start, count, unread, True))
            start += count
        counts = group_counts(conn, story_filter)
    finally:
        conn.execute("COMMIT")
    views_end = start
    for slug, name, count, unread in counts:
        groups.append(TopicGroup(Topic(name, slug), start, count, unread))
        start += count
    return StoryIndex(groups=tuple(groups), views_end=views_end)


def view_counts(
    conn: sqlite3.Connection, story_filter: StoryFilter, views: Sequence[ViewQuery]
) -> list[tuple[int, int]]:
    """(stories, unread) each view lists within the list's filter, in one read; (0, 0) for
    one whose query cannot be read. Grows with what the views match: for a worker."""
    conn.execute("BEGIN")
    try:
        return [
            (0, 0)
            if view.problem or _view_problem(conn, view)
            else _view_count(conn, view, story_filter)
            for view in views
        ]
    finally:
        conn.execute("COMMIT")


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


# -- views: a saved search's stories, a window at a time ---------------------------------

#: A window of a view walks at most this many index entries (newest first from its edge)
#: checking each story against the query, as search does (tui.core.store.search): a view
#: most stories pass finds its window in a few entries. Fewer matches than the window
#: there and the view is rare: its stories are gathered as a set and sorted instead, which
#: costs what the few stories it takes in cost.
VIEW_POOL = 10_000
_MATCHES = "s.id IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?)"
_MATCH_ONE = "EXISTS (SELECT 1 FROM stories_fts WHERE stories_fts MATCH ? AND rowid = s.id)"
# After (newest first) or before (oldest first) a story at (sort_date, id), in list order.
_AFTER = " AND s.sort_date <= ? AND (s.sort_date < ? OR s.id > ?)"
_BEFORE = " AND s.sort_date >= ? AND (s.sort_date > ? OR s.id < ?)"


def _view_where(
    compiled: Compiled, story_filter: StoryFilter, *, one: bool = False
) -> tuple[str, list[object]]:
    """The WHERE of the stories a view lists within the list's own filter (unread only, a
    tone; not its topic), over ``stories s LEFT JOIN feeds f``. ``one``: for a single
    story, whose words are looked up for it alone rather than gathered for every match."""
    # The query says whether hidden stories belong (is:hidden); the list's filter agrees.
    where, params = replace(story_filter, topic_slug=None, with_hidden=True).where()
    where += f" AND ({compiled.where})"
    params += compiled.params
    if compiled.fts is not None:
        where += f" AND {_MATCH_ONE if one else _MATCHES}"
        params.append(compiled.fts)
    return where, params


def _view_problem(conn: sqlite3.Connection, view: ViewQuery) -> str:
    """Why a view's words cannot be read ("" when they can): FTS5 reads them only when
    asked for a match, so one is asked for (a seek, not a count)."""
    if view.compiled is None:
        return view.problem or "query unreadable"
    if view.compiled.fts is None:
        return ""
    try:
        conn.execute(
            "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? LIMIT 1",
            (view.compiled.fts,),
        ).fetchall()
    except sqlite3.OperationalError as error:
        if not is_query_error(error):
            raise
        return "query unreadable"  # one bad view must not empty the list
    return ""


def _view_count(
    conn: sqlite3.Connection, view: ViewQuery, story_filter: StoryFilter
) -> tuple[int, int]:
    assert view.compiled is not None
    where, params = _view_where(view.compiled, story_filter)
    count, unread = conn.execute(
        f"SELECT count(*), count(*) FILTER (WHERE s.read = 0) FROM {STORY_FROM}{where}", params
    ).fetchone()
    return int(count), int(unread)


def view_window(
    conn: sqlite3.Connection,
    story_filter: StoryFilter,
    view: ViewQuery,
    offset: int,
    limit: int,
    *,
    after: int | None = None,
    before: int | None = None,
) -> list[int]:
    """The ids at positions ``offset`` to ``offset + limit - 1`` of a view, in list order.

    A window next to one already read (``after``: the id just before it; ``before``: the
    id just after it) and the first one are walked along the list order from their edge
    (:data:`VIEW_POOL`); any other is counted to over the view's stories, as a set.
    """
    if view.compiled is None or limit <= 0 or offset < 0:
        return []
    if after is not None and (edge := _edge(conn, after)) is not None:
        return _walk(conn, story_filter, view, limit, (edge, after), newest_first=True)
    if before is not None and (edge := _edge(conn, before)) is not None:
        return _walk(conn, story_filter, view, limit, (edge, before), newest_first=False)
    if offset == 0:
        return _walk(conn, story_filter, view, limit, None, newest_first=True)
    where, params = _view_where(view.compiled, story_filter)
    rows = conn.execute(
        f"SELECT s.id FROM {STORY_FROM}{where} {_NEWEST_FIRST} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [int(story_id) for (story_id,) in rows]


def pool_edge(
    conn: sqlite3.Connection,
    size: int,
    keyset: str = "",
    keys: Sequence[object] = (),
    *,
    newest_first: bool = True,
) -> str | None:
    """The sort_date of the ``size``-th listable story along ``stories_dated`` (from the
    top, or after ``keyset``), where a bounded walk stops; None when fewer are left.

    Views (:func:`_walk`) and search (:func:`tui.core.store.search._newest`) walk their
    newest ``size`` stories, checking each, before they fall back to a set.
    """
    order = _NEWEST_FIRST if newest_first else _OLDEST_FIRST
    found = conn.execute(
        f"SELECT s.sort_date FROM stories s INDEXED BY stories_dated"
        f" WHERE s.dup_of IS NULL{keyset} {order} LIMIT 1 OFFSET ?",
        [*keys, size - 1],
    ).fetchone()
    return None if found is None else str(found[0])


def _walk(
    conn: sqlite3.Connection,
    story_filter: StoryFilter,
    view: ViewQuery,
    limit: int,
    edge: tuple[str, int] | None,
    *,
    newest_first: bool,
) -> list[int]:
    """``limit`` ids of a view from ``edge`` (sort_date, id; None: the top) on, newest
    first (else oldest first, returned in list order)."""
    assert view.compiled is not None
    keyset, keys = "", []
    if edge is not None:
        keyset, keys = (_AFTER if newest_first else _BEFORE), [edge[0], edge[0], edge[1]]
    order = _NEWEST_FIRST if newest_first else _OLDEST_FIRST
    pool = pool_edge(conn, VIEW_POOL, keyset, keys, newest_first=newest_first)
    where, params = _view_where(view.per_row or view.compiled, story_filter)
    ids: list[int] = []
    if pool is not None:
        bound = " AND s.sort_date >= ?" if newest_first else " AND s.sort_date <= ?"
        rows = conn.execute(
            f"SELECT s.id FROM {_DATED_FROM}{where}{keyset}{bound} {order} LIMIT ?",
            [*params, *keys, pool, limit],
        )
        ids = [int(story_id) for (story_id,) in rows]
    if pool is not None and len(ids) < limit:
        # Too few in the pool: a rare view (or the end of one), as a set.
        where, params = _view_where(view.compiled, story_filter)
        rows = conn.execute(
            f"SELECT s.id FROM {STORY_FROM}{where}{keyset} {order} LIMIT ?",
            [*params, *keys, limit],
        )
        ids = [int(story_id) for (story_id,) in rows]
    elif pool is None:  # fewer stories than the pool from the edge on: walk them all
        rows = conn.execute(
            f"SELECT s.id FROM {_DATED_FROM}{where}{keyset} {order} LIMIT ?",
            [*params, *keys, limit],
        )
        ids = [int(story_id) for (story_id,) in rows]
    return ids if newest_first else ids[::-1]


def view_position(
    conn: sqlite3.Connection, story_filter: StoryFilter, view: ViewQuery, story_id: int
) -> int | None:
    """Where a story is in a view (how many of its stories come before it), or None when
    the view does not list it."""
    if view.compiled is None:
        return None
    where, params = _view_where(view.per_row or view.compiled, story_filter, one=True)
    row = conn.execute(
        f"SELECT s.sort_date FROM {STORY_FROM}{where} AND s.id = ?", [*params, story_id]
    ).fetchone()
    if row is None:
        return None
    where, params = _view_where(view.compiled, story_filter)
    (before,) = conn.execute(
        f"SELECT count(*) FROM {STORY_FROM}{where}{_BEFORE}",
        [*params, row[0], row[0], story_id],
    ).fetchone()
    return int(before)


def views_listing(
    conn: sqlite3.Connection,
    story_filter: StoryFilter,
    views: Sequence[ViewQuery],
    story_id: int,
    *,
    read: bool | None = None,
) -> list[bool]:
    """Whether each view lists a story; ``read``: as if the story were read (or unread),
    whatever it is now (a mark on its way: did the view list it before?)."""
    columns = [str(row[1]) for row in conn.execute("PRAGMA table_info(stories)")]
    picked = ", ".join("? AS read" if c == "read" else c for c in columns)
    found = []
    for view in views:
        compiled = view.per_row or view.compiled
        if compiled is None or view.problem:
            found.append(False)
            continue
        where, params = _view_where(compiled, story_filter, one=True)
        # The one story, with its read mark as asked, under the name the query knows.
        story = f"(SELECT {picked} FROM stories WHERE id = ?) s"
        if read is None:
            story = "(SELECT * FROM stories WHERE id = ?) s"
        given: list[object] = [story_id] if read is None else [int(read), story_id]
        try:
            row = conn.execute(
                f"SELECT 1 FROM {story} LEFT JOIN feeds f ON f.id = s.feed_id{where}",
                [*given, *params],
            ).fetchone()
        except sqlite3.OperationalError as error:
            if not is_query_error(error):
                raise
            row = None
        found.append(row is not None)
    return found


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
            f" s.hidden, s.highlight, {_MEDIA} FROM {STORY_FROM} WHERE s.id IN ({marks})",
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
                row[13],
            )
    return result


# Whether a story carries audio or video, for its list row: read from the enclosures'
# stored JSON as tui.core.store.enclosures writes it (compact: '"type":"audio/…'), so that
# a row costs no JSON parsing. Video wins: a video episode often has its audio too.
_MEDIA = (
    "CASE WHEN s.enclosures IS NULL THEN ''"
    """ WHEN s.enclosures LIKE '%"type":"video/%' THEN 'video'"""
    """ WHEN s.enclosures LIKE '%"type":"audio/%' THEN 'audio' ELSE '' END"""
)


def has_marks(conn: sqlite3.Connection) -> bool:
    """Whether any story is read or bookmarked: what a refresh could not fetch back."""
    # From the kept counts (fewer unread than stories), not the stories: with nothing read
    # that would look at every one (a copy's marks are its original's too).
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM stories WHERE bookmarked = 1)"
        " OR EXISTS (SELECT 1 FROM story_counts WHERE copy = 0 AND unread < total)"
    ).fetchone()
    return bool(row[0])
