"""The search index keeps no copy of the text (schema 5): it indexes a view that computes each
story's words from its stored, compressed body. Every change to what that view gives (a
story's text, its fetched page, its feed's title, a feed removed or subscribed again) must
keep the index in step, or later deletes would leave stale words behind. Each test ends
with FTS5's own check of the index against the view, on a real library file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.index import index_in_step, open_with_words
from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.store import schema
from tui.core.store.accounts import update_synced_feed
from tui.core.store.bodies import pack, unpack
from tui.core.store.feeds import move_url
from tui.core.store.pages import save_article

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
URL = "https://wire.test/feed.xml"
LONG = " ".join(f"paragraph{i} about the harbour crane" for i in range(40))


def _entry(key: str, title: str, body: str) -> ParsedEntry:
    return ParsedEntry(
        key=key,
        title=title,
        link=f"https://wire.test/{key}",
        summary=f"Summary of {title}.",
        content_html=f"<h2>Heading</h2><p>{body}</p>",
        published=NOW - timedelta(hours=1),
    )


def _stock(
    library: Library, *entries: ParsedEntry, title: str = "County Wire", named: bool = True
) -> int:
    """A feed with ``entries``, named ``title`` by the user, or by itself when not ``named``."""
    feed = library.add_feed(URL, title=title if named else "", topic="News")
    library.ingest(feed.id, ParsedFeed(title=title, entries=entries), now=NOW)
    return feed.id


def _found(library: Library, query: str) -> list[str]:
    return sorted(result.story.title for result in library.search(query))


def test_new_stories_are_found_by_their_body_words_with_a_snippet(db_path: Path) -> None:
    with Library(db_path) as library:
        _stock(library, _entry("a", "Crane", LONG), _entry("b", "Ferry", "timetable changes"))
        assert _found(library, "harbour") == ["Crane"]
        assert _found(library, "timetable") == ["Ferry"]
        assert _found(library, '"County Wire"') == ["Crane", "Ferry"]  # the feed's title
        (result,) = library.search("timetable")
        assert "timetable" in result.snippet  # read from the view, not a stored copy
        assert library.story(result.story.id).content_html.startswith("<h2>Heading</h2>")
    assert index_in_step(db_path) == 2


def test_a_changed_story_loses_its_old_words(db_path: Path) -> None:
    with Library(db_path) as library:
        feed_id = _stock(library, _entry("a", "Crane", "old words: lighthouse"))
        library.ingest(
            feed_id,
            ParsedFeed(title="County Wire", entries=(_entry("a", "Crane", "new words: quay"),)),
            now=NOW,
        )
        assert _found(library, "lighthouse") == []
        assert _found(library, "quay") == ["Crane"]
    index_in_step(db_path)


def test_a_fetched_page_replaces_the_feed_excerpt_in_the_index(db_path: Path) -> None:
    with Library(db_path) as library:
        _stock(library, _entry("a", "Crane", "excerpt only"))
        (story,) = library.stories()

        def save(conn: sqlite3.Connection, text: str) -> None:
            save_article(
                conn,
                story.id,
                url="https://wire.test/a",
                html=f"<p>{text}</p>",
                text=text,
                title="Crane",
                words=3,
                now=NOW,
            )

        library._db.write(save, "the whole article about gantries")
        assert _found(library, "gantries") == ["Crane"]
        assert _found(library, "excerpt") == []
        library._db.write(save, "fetched again: bollards")  # a second fetch replaces it
        assert _found(library, "gantries") == []
        assert _found(library, "bollards") == ["Crane"]
    index_in_step(db_path)


@pytest.mark.parametrize("how", ["user", "feed", "sync", "moved"])
def test_a_feed_that_changes_its_title_is_found_by_the_new_one(db_path: Path, how: str) -> None:
    with Library(db_path) as library:
        feed_id = _stock(
            library,
            _entry("a", "Crane", LONG),
            title="" if how == "moved" else "County Wire",
            named=how == "user",
        )
        if how == "user":
            library.set_feed_title(feed_id, "Harbour Gazette")
        elif how == "feed":  # the feed calls itself something else at its next refresh
            library.ingest(feed_id, ParsedFeed(title="Harbour Gazette", entries=()), now=NOW)
        elif how == "sync":
            library._db.write(update_synced_feed, feed_id, title="Harbour Gazette", folder=None)
        else:  # untitled, so shown by its address, which a permanent redirect moves
            assert _found(library, "wire") == ["Crane"]
            library._db.write(move_url, feed_id, "https://gazette.test/feed.xml")
        new, old = ("gazette", "wire") if how == "moved" else ('"Harbour Gazette"', "county")
        assert _found(library, new) == ["Crane"]
        assert _found(library, old) == []
    index_in_step(db_path)


def test_a_removed_feed_keeps_its_bookmarks_indexed_and_they_come_home(db_path: Path) -> None:
    with Library(db_path) as library:
        feed_id = _stock(library, _entry("a", "Crane", LONG), _entry("b", "Ferry", "timetable"))
        crane = next(s.id for s in library.stories() if s.title == "Crane")
        library.set_bookmarked([crane])
        library.remove_feed(feed_id)
        assert _found(library, "harbour") == ["Crane"]
        assert _found(library, "timetable") == []
        index_in_step(db_path)
        # Subscribed again under another title: the bookmark is listed, and indexed, there.
        _stock(library, _entry("b", "Ferry", "timetable"), title="Port News")
        assert _found(library, '"Port News"') == ["Crane", "Ferry"]
    index_in_step(db_path)


def test_bodies_are_stored_compressed_and_short_ones_as_text(db_path: Path) -> None:
    with Library(db_path) as library:
        _stock(library, _entry("a", "Crane", LONG), _entry("b", "Ferry", "short"))
        by_title = {s.title: s.id for s in library.stories()}
        stored = library._db.read(
            lambda conn: dict(conn.execute("SELECT title, content_html FROM stories").fetchall())
        )
        assert isinstance(stored["Crane"], bytes) and len(stored["Crane"]) < len(LONG) / 3
        assert stored["Ferry"] == "<h2>Heading</h2><p>short</p>"
        assert LONG in library.story(by_title["Crane"]).content_html
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    conn.close()


def test_a_damaged_body_reads_as_none_and_the_story_still_opens(db_path: Path) -> None:
    with Library(db_path) as library:
        _stock(library, _entry("a", "Crane", LONG))
        (story,) = library.stories()
    conn = open_with_words(db_path)
    with conn:
        # Out of the index first, as any change to a row's words must be.
        conn.execute("DELETE FROM stories_fts WHERE rowid = ?", (story.id,))
        conn.execute(
            "UPDATE stories SET content_html = ? WHERE id = ?", (b"x\x9c garbage", story.id)
        )
        conn.execute(
            "INSERT INTO stories_fts (rowid, title, summary, content, feed_title)"
            " SELECT id, title, summary, content, feed_title FROM stories_text WHERE id = ?",
            (story.id,),
        )
    conn.close()
    with Library(db_path) as library:
        opened = library.story(story.id)
        assert opened.content_html == "" and opened.summary == "Summary of Crane."
        assert _found(library, "crane") == ["Crane"]  # by its title and summary
    index_in_step(db_path)


@pytest.mark.parametrize(
    "html", ["", "<p>x</p>", LONG, "ünïcödé " * 80, "\x00\x1b[31m" * 100, "<" * 5000]
)
def test_pack_and_unpack_give_back_the_same_text(html: str) -> None:
    packed = pack(html)
    assert unpack(packed) == html
    if len(html.encode()) > 1000:
        assert isinstance(packed, bytes) and len(packed) < len(html.encode())


def test_unpack_reads_anything_stored_without_raising() -> None:
    assert unpack(None) == ""
    assert unpack(b"") == ""
    assert unpack(b"\x78\x9c\x01\x02") == ""  # a cut-short stream
    assert unpack(42) == ""


def _version_4_library(path: Path) -> None:
    """A library as newsterm wrote it before schema 5: the index held its own copy."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    schema._run_script(conn, schema.SCHEMA_V1)
    for version in (1, 2, 3):
        schema.MIGRATIONS[version](conn)
    conn.execute("PRAGMA user_version = 4")
    conn.execute(
        "INSERT INTO feeds (id, url, title, added_at) VALUES (1, ?, 'County Wire', ?)",
        (URL, NOW.isoformat()),
    )
    for story_id, title, body, read in ((1, "Crane", LONG, 1), (2, "Ferry", "timetable", 0)):
        html = f"<p>{body}</p>"
        conn.execute(
            "INSERT INTO stories (id, feed_id, key, title, content_html, first_seen, sort_date,"
            " read, by_hand) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
            (story_id, title, title, html, NOW.isoformat(), NOW.isoformat(), read, read),
        )
        conn.execute(
            "INSERT INTO stories_fts (rowid, title, summary, content, feed_title)"
            " VALUES (?, ?, '', ?, 'County Wire')",
            (story_id, title, body),
        )
    conn.execute("COMMIT")
    conn.close()


def test_a_version_4_library_is_upgraded_and_its_index_rebuilt_from_the_bodies(
    db_path: Path,
) -> None:
    _version_4_library(db_path)
    with Library(db_path) as library:
        assert _found(library, "harbour") == ["Crane"]
        assert _found(library, "timetable") == ["Ferry"]
        assert library.story(1).read and not library.story(2).read
        assert LONG in library.story(1).content_html  # stored before: text, read as is
        tables = library._db.read(
            lambda conn: {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        )
        assert "stories_fts_content" not in tables and "stories_text" in tables
    index_in_step(db_path)
