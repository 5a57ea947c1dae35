"""Full-text search over titles, summaries, bodies and feed titles (SQLite FTS5).

Queries use FTS5's syntax (``rust AND async``, ``"exact phrase"``, ``title:election``,
``micro*``). A query FTS5 cannot parse is a :class:`SearchQueryError` with a hint; with
``forgiving=True`` (the UI's search-as-you-type) it is retried as plain words instead.
"""

from __future__ import annotations

import re
import sqlite3

from tui.core.errors import SearchQueryError
from tui.core.models import SearchResult
from tui.core.store.stories import STORY_COLUMNS, STORY_WIDTH, story_from_row

_WORD = re.compile(r"\w+", re.UNICODE)


def _literal(query: str) -> str:
    """Every word of ``query`` as a quoted FTS5 string, all required."""
    return " ".join(f'"{word}"' for word in _WORD.findall(query))


def search(
    conn: sqlite3.Connection, query: str, *, limit: int = 50, forgiving: bool = False
) -> list[SearchResult]:
    query = query.strip()
    if not query:
        return []
    try:
        return _run(conn, query, limit)
    except sqlite3.OperationalError as error:
        if not _is_query_error(error):
            raise
        literal = _literal(query)
        if forgiving and literal:
            try:
                return _run(conn, literal, limit)
            except sqlite3.OperationalError:
                pass
        detail = str(error).removeprefix("fts5: ")
        raise SearchQueryError(
            f"Cannot understand the search {query!r} ({detail}). Put words in double quotes "
            'to search for them as they are, e.g. "c++".'
        ) from None


def _is_query_error(error: sqlite3.OperationalError) -> bool:
    """FTS5 reports a bad query as an OperationalError, like real failures: tell them apart."""
    text = str(error)
    return text.startswith("fts5:") or "no such column" in text or "unterminated" in text


def _run(conn: sqlite3.Connection, query: str, limit: int) -> list[SearchResult]:
    # bm25 weights: a hit in the title counts most, then the feed name, then summary/body.
    rows = conn.execute(
        f"SELECT {STORY_COLUMNS}, snippet(stories_fts, -1, '', '', '…', 16)"
        " FROM stories_fts JOIN stories s ON s.id = stories_fts.rowid"
        " LEFT JOIN feeds f ON f.id = s.feed_id"
        " WHERE stories_fts MATCH ? AND s.dup_of IS NULL"
        " ORDER BY bm25(stories_fts, 10.0, 3.0, 1.0, 5.0), s.sort_date DESC LIMIT ?",
        (query, limit),
    ).fetchall()
    return [
        SearchResult(story=story_from_row(row), snippet=str(row[STORY_WIDTH] or "")) for row in rows
    ]
