"""What reader mode runs in the worker processes: extract a page, judge it, store it.

Like a refresh's parsing, extraction is CPU work in pure Python and lxml, kept off the
process that draws the terminal; and like it, the result is stored from here, so the
article never travels back to the main process.
"""

from __future__ import annotations

import sqlite3

from tui.core.article.sections import parse_article
from tui.core.errors import NewstermError
from tui.core.pages.extract import extract_article
from tui.core.pages.sentiment import analyse
from tui.core.pages.verify import verdict
from tui.core.store import pages as article_queries
from tui.core.store.database import shared_database
from tui.core.text.dates import utcnow
from tui.core.workers.tasks import PageRequest


def load_extractor() -> None:
    """Import trafilatura now rather than on the first page."""
    import trafilatura  # noqa: F401


def store_page(request: PageRequest) -> tuple[bool, str, int]:
    """``(ok, note, words)``; a page without an article stores its note instead."""
    extracted = extract_article(request.body, request.final_url, request.headers)
    now = utcnow()

    if isinstance(extracted, str):
        note = extracted

        def failed(conn: sqlite3.Connection) -> None:
            article_queries.save_failure(
                conn, request.story_id, url=request.final_url, note=note, now=now
            )

        try:
            shared_database(request.library).write(failed)
        except NewstermError as error:
            return False, str(error), 0
        return False, note, 0

    text = parse_article(extracted.html, base_url=request.final_url).text
    verified, why = verdict(
        feed_url=request.feed_url,
        story_title=request.story_title,
        page_url=request.final_url,
        page_title=extracted.title,
    )
    label, score = analyse(request.story_title, text)

    def stored(conn: sqlite3.Connection) -> None:
        article_queries.save_article(
            conn,
            request.story_id,
            url=request.final_url,
            html=extracted.html,
            text=text,
            title=extracted.title,
            words=extracted.words,
            now=now,
        )
        article_queries.set_verified(conn, request.story_id, verified, why)
        article_queries.set_sentiments(conn, [(request.story_id, label.value, score)])

    try:
        shared_database(request.library).write(stored)
    except NewstermError as error:
        return False, str(error), 0
    return True, "", extracted.words


def label_pending(library: str, limit: int, part: int = 0, parts: int = 1) -> int:
    """Label the latest stories of one share that have no sentiment yet (up to ``limit``)."""
    db = shared_database(library)
    pending = db.read(article_queries.unanalysed, limit, part, parts)
    labels = [(story_id, *_labelled(title, text)) for story_id, title, text in pending]
    if labels:
        db.write_relaxed(article_queries.set_sentiments, labels)
    return len(labels)


def _labelled(title: str, text: str) -> tuple[str, float]:
    label, score = analyse(title, text)
    return label.value, score
