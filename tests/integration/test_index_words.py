"""The words the search index holds for a body (``search_text``) keep their spaces as they
come. Libraries indexed while they were tidied (every run of spaces made one) must read
as the same tokens, or deleting an old row from the external-content index would leave
stale words behind. FTS5 itself is the judge: a row indexed with the tidied text and
deleted with the raw one leaves the index empty only if both give the same tokens."""

from __future__ import annotations

import random
import sqlite3

import pytest

from tests.support.paths import CORPUS
from tui.core.parse.feed import parse_feed_safely
from tui.core.text.html import search_text
from tui.core.text.hygiene import clean_line

# Every character str.split() splits at, and the line breaks strip_controls rewrites.
SPACES = [" ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680"]
SPACES += ["\u2000", "\u2007", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
WORDS = ["harbour", "crane", "café", "naïve", "日本語", "x1", "a-b", "it's", "&amp;", "&nbsp;"]
TAGS = ["<p>", "</p>", "<br>", "<b>", "</b>", "<li>", '<img alt="a  b">', "<h2>", "<td>"]


def _disagreeing(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs (tidied, raw) whose tokens differ, as FTS5 with the library's tokenizer
    reads them."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(content, content='',"
        " tokenize = 'unicode61 remove_diacritics 2')"
    )
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    wrong = []
    for rowid, (tidied, raw) in enumerate(pairs, start=1):
        conn.execute("INSERT INTO t (rowid, content) VALUES (?, ?)", (rowid, tidied))
        conn.execute("INSERT INTO t (t, rowid, content) VALUES ('delete', ?, ?)", (rowid, raw))
        if conn.execute("SELECT count(*) FROM v").fetchone()[0]:
            wrong.append((tidied, raw))
            conn.execute("INSERT INTO t (t) VALUES ('delete-all')")
    return wrong


def _generated(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 30)):
        roll = rng.random()
        pool = WORDS if roll < 0.5 else SPACES if roll < 0.8 else TAGS
        parts.append(rng.choice(pool))
    return "".join(parts)


def test_spaces_left_as_they_come_give_the_words_tidied_ones_gave() -> None:
    rng = random.Random(5)
    bodies = [_generated(rng) for _ in range(3000)]
    pairs = [(clean_line(search_text(b)), search_text(b)) for b in bodies]
    assert sum(tidied != raw for tidied, raw in pairs) > 1000  # the spaces do differ
    assert not _disagreeing(pairs)


def test_a_changed_word_is_caught() -> None:
    # The judge itself: different tokens do leave words behind.
    assert _disagreeing([("harbour crane", "harbour  crane"), ("harbour crane", "harbourcrane")])
    assert _disagreeing([("harbour crane", "harbour  crane")]) == []


@pytest.mark.corpus
def test_real_world_bodies_give_the_words_they_gave() -> None:
    pairs = []
    for path in sorted((CORPUS / "real-world").rglob("*")):
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        parsed = parse_feed_safely(path.read_bytes(), url="https://example.com/feed")
        if isinstance(parsed, str):
            continue
        for entry in parsed.entries:
            raw = search_text(entry.content_html)
            pairs.append((clean_line(raw), raw))
    assert len(pairs) > 200
    assert not _disagreeing(pairs)
