"""Full-text search over titles, summaries, bodies and feed titles (SQLite FTS5).

Queries are newsterm's query language (:mod:`.query`): FTS5's syntax for the words
(``rust AND async``, ``"exact phrase"``, ``title:election``, ``micro*``) and filters beside
them (``is:unread feed:lwn age:<7d``). A query that cannot be read is a
:class:`SearchQueryError` with a hint; with ``forgiving=True`` (the UI's search-as-you-type)
words FTS5 cannot parse are retried as plain words instead.

A search must never hold the library up. FTS5's ranking costs grow with the square of the
number of terms (400 pasted words took 37 s over 2,500 stories), so a query is bounded in
length and terms before it runs; the snippets, which cost more than the match, are made for
the rows shown only; and every search runs under a progress handler that stops it when its
caller gives up (a newer search, quitting) or when it runs past :data:`SEARCH_SECONDS`.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tui.core.errors import LibraryError, SearchQueryError
from tui.core.models import SearchResult, Story
from tui.core.store.database import Database
from tui.core.store.query import Compiled, QueryError, compile_query, is_query_error
from tui.core.store.stories import STORY_COLUMNS, STORY_WIDTH, pool_edge, story_from_row
from tui.core.text.dates import utcnow

#: Longest query read, in characters, and most words (terms) in one query.
MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
#: A search still running after this long is stopped with a sentence.
SEARCH_SECONDS = 10.0
# The progress handler runs every this many SQLite virtual-machine steps (~a millisecond).
_PROGRESS_STEPS = 2000

_WORD = re.compile(r"\w+", re.UNICODE)
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
_RANKED = (
    "SELECT s.id FROM stories_fts JOIN stories s ON s.id = stories_fts.rowid"
    " LEFT JOIN feeds f ON f.id = s.feed_id"
    " WHERE stories_fts MATCH ? AND stories_fts.rowid >= ? AND s.dup_of IS NULL AND ({where})"
    # bm25 weights: a hit in the title counts most, then the feed name, then summary/body.
    " ORDER BY bm25(stories_fts, 10.0, 3.0, 1.0, 5.0), s.sort_date DESC LIMIT ?"
)
# Ranking scores every match, which grows with the library: a word in a third of a million
# stories took 0.6 s. So the newest RANK_POOL matches are ranked (stories are numbered as
# they arrive; FTS5 walks its matches newest first cheaply), and all of them only when
# that pool leaves fewer results than asked for (the filters kept too few of it).
RANK_POOL = 10_000
_POOL_EDGE = (
    "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?"
)
# The newest stories that pass a query's filters (and hold its words): first along
# stories_dated among the newest FILTER_POOL stories only, each story checked as the walk
# meets it (the index holds every column the common filters test, so it reads no wide row
# until one passes), stopping at the page. A filter most stories pass then costs a few
# index entries (topic:science at a million stories: 120 ms as a set of its 58,000
# stories, sorted; 0.3 ms walked). A rare one leaves the pool short of a page, and then the
# whole library is asked the other way round (_FILTERED), which costs what the few stories
# it takes in cost; walking every index entry would cost 230 ms at a million.
FILTER_POOL = 10_000
_NEWEST = (
    f"SELECT {STORY_COLUMNS} FROM stories s INDEXED BY stories_dated"
    " LEFT JOIN feeds f ON f.id = s.feed_id"
    " WHERE s.dup_of IS NULL AND s.sort_date >= ? AND ({where})"
    " ORDER BY s.sort_date DESC, s.id LIMIT ?"
)
# Over the whole library. Filters only: as sets of the stories they take in (by their
# indexes), quick for the rare filters that get here. With words: the words' matches
# looked up one by one, each checked against the filters (per row), and sorted; here the
# words or the filters are rare ('sponsored topic:science' at a million stories: 10 ms,
# against 261 ms along the date index; 'report author:nobody' 0.4 s against 1.6 s).
_FILTERED = (
    f"SELECT {STORY_COLUMNS} FROM stories s LEFT JOIN feeds f ON f.id = s.feed_id"
    " WHERE s.dup_of IS NULL AND ({where}) ORDER BY s.sort_date DESC, s.id LIMIT ?"
)
_MATCHES = "s.id IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?)"


class _Stopped(Exception):
    """The progress handler stopped the search (why is in ``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _terms(query: str) -> list[str]:
    return [word for word in _WORD.findall(query) if word not in _OPERATORS]


def _literal(query: str) -> str:
    """Every word of ``query`` once, as a quoted FTS5 string, all required."""
    return " ".join(f'"{word}"' for word in dict.fromkeys(_WORD.findall(query)))


def check_size(query: str) -> None:
    """Refuse a query too long to run quickly, in a sentence saying what to do."""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchQueryError(
            f"The search is {len(query):,} characters long; newsterm reads up to "
            f"{MAX_QUERY_CHARS:,}. Search for the few words that matter most."
        )
    terms = len(_terms(query))
    if terms > MAX_TERMS:
        raise SearchQueryError(
            f"The search has {terms} words; newsterm looks for up to {MAX_TERMS} at once. "
            "Keep the words that matter most."
        )


def search(
    conn: sqlite3.Connection,
    query: str,
    *,
    limit: int = 50,
    forgiving: bool = False,
    stop: Callable[[], bool] | None = None,
) -> list[SearchResult]:
    """The best ``limit`` matches. ``stop`` is polled while the query runs: when it says
    True the search ends with a :class:`SearchQueryError` (nobody wants its result)."""
    query = query.strip()
    if not query:
        return []
    check_size(query)
    deadline = time.monotonic() + SEARCH_SECONDS
    stopped: list[str] = []

    def progress() -> int:
        if stop is not None and stop():
            stopped.append("The search was stopped.")
        elif time.monotonic() > deadline:
            stopped.append(
                f"The search took longer than {SEARCH_SECONDS:.0f} s and was stopped; "
                "use fewer words, or more telling ones."
            )
        return 1 if stopped else 0

    try:
        now = utcnow()
        sets: Compiled | None = compile_query(query, now=now)
        # The filters checked per story (the topic looked up by the story's feed): on the
        # matches only when ranked, along the date index when alone; as sets of every
        # story they take in (``sets``) only for a rare filter alone.
        compiled = compile_query(query, now=now, per_row=True)
    except QueryError:
        if not forgiving:
            raise
        # Search-as-you-type: a half-typed filter or quote is looked for as plain words.
        compiled, sets = Compiled(_literal(query) or None), None
        if compiled.fts is None:
            return []
    conn.set_progress_handler(progress, _PROGRESS_STEPS)
    try:
        return _search(conn, query, compiled, sets, limit, forgiving)
    except sqlite3.OperationalError as error:
        if stopped or "interrupted" in str(error):
            raise SearchQueryError(stopped[0] if stopped else "The search was stopped.") from None
        raise
    finally:
        conn.set_progress_handler(None, 0)


def _search(
    conn: sqlite3.Connection,
    query: str,
    compiled: Compiled,
    sets: Compiled | None,
    limit: int,
    forgiving: bool,
) -> list[SearchResult]:
    try:
        return _run(conn, compiled, sets, limit)
    except sqlite3.OperationalError as error:
        if not is_query_error(error):
            raise
        literal = _literal(compiled.fts or "")
        if forgiving and literal:
            try:
                return _run(conn, replace(compiled, fts=literal), None, limit)
            except sqlite3.OperationalError as again:
                if not is_query_error(again):
                    raise
        raise _unreadable(query, error) from None


def _unreadable(query: str, error: sqlite3.OperationalError) -> SearchQueryError:
    """The sentence for words FTS5 could not read."""
    detail = str(error).removeprefix("fts5: ")
    return SearchQueryError(
        f"Cannot understand the search {query!r} ({detail}). Put words in double quotes "
        'to search for them as they are, e.g. "c++".'
    )


def _run(
    conn: sqlite3.Connection, compiled: Compiled, sets: Compiled | None, limit: int
) -> list[SearchResult]:
    """The results of ``compiled`` (filters per row); ``sets``: the same query with its
    filters as sets, for a query of filters only."""
    if compiled.fts is None:
        rows = _newest(conn, compiled, sets, limit)
        return [SearchResult(story=story_from_row(row), snippet="") for row in rows]
    query = compiled.fts
    ranked = _RANKED.format(where=compiled.where)
    edge = conn.execute(_POOL_EDGE, (query, RANK_POOL - 1)).fetchone()
    first = int(edge[0]) if edge else 0
    ids = [row[0] for row in conn.execute(ranked, (query, first, *compiled.params, limit))]
    if len(ids) < limit and first > 0:  # the pool was too narrow for the filters: all
        ids = [row[0] for row in conn.execute(ranked, (query, 0, *compiled.params, limit))]
    if not ids:
        return []
    # Snippets for the rows shown only: made for every match they cost more than the match.
    # The matches are walked once between the lowest and highest id shown, each kept or
    # not by the id list ("+" keeps FTS5 from being handed it): given the list, FTS5
    # would look the query up again for every id, and a prefix's lookup merges every word
    # it stands for (neur*: 50 lookups, 124 ms, against 5 ms walked).
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT {STORY_COLUMNS}, snippet(stories_fts, -1, '', '', '…', 16)"
        " FROM stories_fts JOIN stories s ON s.id = stories_fts.rowid"
        " LEFT JOIN feeds f ON f.id = s.feed_id"
        " WHERE stories_fts MATCH ? AND stories_fts.rowid BETWEEN ? AND ?"
        f" AND +stories_fts.rowid IN ({marks})",
        (query, min(ids), max(ids), *ids),
    ).fetchall()
    by_id = {row[0]: row for row in rows}
    # Snippets on one line: the index keeps a body's spaces and line breaks as they came.
    return [
        SearchResult(
            story=story_from_row(row), snippet=" ".join(str(row[STORY_WIDTH] or "").split())
        )
        for story_id in ids
        if (row := by_id.get(story_id)) is not None
    ]


class Searcher:
    """Searches on a connection of their own, opened by the first one: a long search never
    holds up opening stories or saving marks, and :meth:`close` interrupts it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: Database | None = None
        self._lock = threading.Lock()
        self._closed = False

    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        forgiving: bool = False,
        stop: Callable[[], bool] | None = None,
    ) -> list[SearchResult]:
        check_size(query.strip())  # before waiting for another search
        with self._lock:
            if self._db is None:
                if self._closed:
                    raise LibraryError("The library is closed.")
                self._db = Database(self.path)
            db = self._db

        def stopped() -> bool:
            return self._closed or (stop is not None and stop())

        return db.read(search, query, limit=limit, forgiving=forgiving, stop=stopped)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            db, self._db = self._db, None
        if db is not None:
            db.interrupt()
            db.close()


def _newest(
    conn: sqlite3.Connection, compiled: Compiled, sets: Compiled | None, limit: int
) -> list[tuple[object, ...]]:
    """The rows (:data:`STORY_COLUMNS`) of the newest ``limit`` stories ``compiled`` (its
    filters per row) matches: from the newest :data:`FILTER_POOL` stories when they hold
    that many, else from the whole library. ``sets``: the same query with its filters as
    sets, for the whole library when it has no words."""
    where, params = compiled.where, list(compiled.params)
    if compiled.fts is not None:
        where, params = f"{_MATCHES} AND ({where})", [compiled.fts, *params]
    if limit >= 0:  # (SQLite reads a negative LIMIT as none: every match)
        edge = pool_edge(conn, FILTER_POOL)
        # Every story is dated on or after the pool's oldest; with no edge, the pool is all.
        oldest = edge if edge is not None else ""
        rows = conn.execute(_NEWEST.format(where=where), (oldest, *params, limit)).fetchall()
        if len(rows) >= limit or edge is None:
            # A page of the newest that pass: any story not walked is older than all of it.
            return rows
    if compiled.fts is None and sets is not None:
        where, params = sets.where, list(sets.params)
    return conn.execute(_FILTERED.format(where=where), (*params, limit)).fetchall()


def find(
    conn: sqlite3.Connection, query: str, *, limit: int = 50, with_hidden: bool = False
) -> list[Story]:
    """The newest ``limit`` stories a query matches (its words and its filters), for lists
    rather than ranked results: ``newsterm list --query``. ``with_hidden``: stories a hide
    rule matches too (what a rule would match)."""
    query = query.strip()
    check_size(query)
    now = utcnow()
    sets = compile_query(query, now=now, with_hidden=with_hidden)
    compiled = compile_query(query, now=now, with_hidden=with_hidden, per_row=True)
    try:
        rows = _newest(conn, compiled, sets, limit)
    except sqlite3.OperationalError as error:
        if not is_query_error(error):
            raise
        raise _unreadable(query, error) from None
    return [story_from_row(row) for row in rows]
