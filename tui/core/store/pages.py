"""Queries for reader mode: stored pages, the verified verdict and sentiment labels.

An extracted page is stored beside its story (``articles``) and its words replace the feed's
in the search index, so a story read in full is found by any word of it. A failed
extraction is stored with its note, so it is not fetched again on its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

from tui.core.models import StoredArticle
from tui.core.store.bodies import index_stories, unindex_stories, unpack
from tui.core.store.rules import apply_at_ingest
from tui.core.text.dates import from_iso, to_iso, utcnow


def get_article(conn: sqlite3.Connection, story_id: int) -> StoredArticle | None:
    row = conn.execute(
        "SELECT url, status, note, html, title, words, fetched_at FROM articles WHERE story_id = ?",
        (story_id,),
    ).fetchone()
    if row is None:
        return None
    url, status, note, html, title, words, fetched_at = row
    return StoredArticle(
        story_id=story_id,
        url=str(url),
        ok=status == "ok",
        note=str(note),
        html=str(html),
        title=str(title),
        words=int(words),
        fetched_at=from_iso(fetched_at),
    )


def save_article(
    conn: sqlite3.Connection,
    story_id: int,
    *,
    url: str,
    html: str,
    text: str,
    title: str,
    words: int,
    now: datetime,
) -> None:
    """Store an extracted page and index its words in place of the feed's body."""
    # Out of the index while the view still gives the words that were indexed.
    unindex_stories(conn, [story_id])
    conn.execute(
        "INSERT OR REPLACE INTO articles"
        " (story_id, url, status, note, html, text, title, words, fetched_at)"
        " VALUES (?, ?, 'ok', '', ?, ?, ?, ?, ?)",
        (story_id, url, html, text, title, words, to_iso(now)),
    )
    index_stories(conn, [story_id])


def save_failure(
    conn: sqlite3.Connection, story_id: int, *, url: str, note: str, now: datetime
) -> None:
    """Remember that a page could not be read; an earlier good extract is kept."""
    conn.execute(
        "INSERT INTO articles (story_id, url, status, note, fetched_at)"
        " VALUES (?, ?, 'failed', ?, ?) ON CONFLICT (story_id) DO UPDATE SET"
        " note = excluded.note, fetched_at = excluded.fetched_at WHERE status = 'failed'",
        (story_id, url, note, to_iso(now)),
    )


def set_verified(conn: sqlite3.Connection, story_id: int, verified: bool, note: str) -> None:
    conn.execute(
        "UPDATE stories SET verified = ?, verified_note = ? WHERE id = ?",
        (int(verified), note, story_id),
    )


def set_sentiments(conn: sqlite3.Connection, labels: Iterable[tuple[int, str, float]]) -> None:
    """Store ``(story id, label, score)`` triples, and apply the user's rules to those
    stories again: a rule on tone: (or verified:, or words of a fetched page, which are
    stored just before a page's label) could not match them when they arrived."""
    labels = list(labels)
    conn.executemany(
        "UPDATE stories SET sentiment = ?, sentiment_score = ? WHERE id = ?",
        [(label, score, story_id) for story_id, label, score in labels],
    )
    apply_at_ingest(conn, [story_id for story_id, _, _ in labels], utcnow())


def unanalysed(
    conn: sqlite3.Connection, limit: int, part: int = 0, parts: int = 1
) -> list[tuple[int, str, str]]:
    """Listed stories without a sentiment label, latest stored first: (id, title, text).

    By id, not date, so that the partial index of unlabelled stories serves each batch
    (by date, every batch walked past all the stories already labelled). ``part`` of
    ``parts``: only the stories whose id leaves that remainder, one share per worker."""
    rows = conn.execute(
        "SELECT s.id, s.title, coalesce(a.text, nullif(fts.content, ''), s.summary)"
        " FROM stories s INDEXED BY stories_unanalysed"
        " LEFT JOIN articles a ON a.story_id = s.id AND a.status = 'ok'"
        " LEFT JOIN stories_fts fts ON fts.rowid = s.id"
        " WHERE s.sentiment IS NULL AND s.dup_of IS NULL AND s.id % ? = ?"
        " ORDER BY s.id DESC LIMIT ?",
        (parts, part, limit),
    ).fetchall()
    return [(int(i), str(t), str(x or "")) for i, t, x in rows]


def count_unanalysed(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        "SELECT count(*) FROM stories WHERE sentiment IS NULL AND dup_of IS NULL"
    ).fetchone()
    return int(row[0])


def bodies_without_article(
    conn: sqlite3.Connection, story_ids: Sequence[int]
) -> list[tuple[int, str, str, str, str]]:
    """(id, link, summary, content_html, its feed's full_text setting) of those stories
    with no stored page yet; ``auto`` for a story whose feed was removed."""
    found: list[tuple[int, str, str, str, str]] = []
    for start in range(0, len(story_ids), 500):
        chunk = tuple(story_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        found += [
            (int(i), str(link), str(summary), unpack(body)[:20_000], str(full_text))
            for i, link, summary, body, full_text in conn.execute(
                "SELECT s.id, s.link, s.summary, s.content_html,"
                " coalesce(f.full_text, 'auto') FROM stories s"
                " LEFT JOIN articles a ON a.story_id = s.id"
                " LEFT JOIN feeds f ON f.id = s.feed_id"
                f" WHERE s.id IN ({marks}) AND a.story_id IS NULL",
                chunk,
            )
        ]
    return found


def page_request_facts(conn: sqlite3.Connection, story_id: int) -> tuple[str, str, str] | None:
    """(link, title, feed url) of a story: what fetching and judging its page needs."""
    row = conn.execute(
        "SELECT s.link, s.title, coalesce(f.url, s.orphan_feed_url, '') FROM stories s"
        " LEFT JOIN feeds f ON f.id = s.feed_id WHERE s.id = ?",
        (story_id,),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]))


def has_article(conn: sqlite3.Connection, story_id: int) -> bool:
    return (
        conn.execute("SELECT 1 FROM articles WHERE story_id = ?", (story_id,)).fetchone()
        is not None
    )
