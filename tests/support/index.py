"""Checks on a library's search index from outside the library's own code."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tui.core.store.bodies import register


def open_with_words(path: Path) -> sqlite3.Connection:
    """A plain connection that can read the index's view (it computes words in Python)."""
    conn = sqlite3.connect(path)
    register(conn)
    return conn


def index_in_step(path: Path) -> int:
    """Fail unless every story is indexed with exactly the words its row gives now (FTS5's
    integrity check against the content view); returns how many rows the index holds."""
    conn = open_with_words(path)
    try:
        conn.execute("INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)")
        indexed = int(conn.execute("SELECT count(*) FROM stories_fts_docsize").fetchone()[0])
        stories = int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])
    finally:
        conn.close()
    assert indexed == stories, f"{indexed} index rows for {stories} stories"
    return indexed
