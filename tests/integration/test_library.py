"""The library on disk, through the :class:`Library` facade: schema and migrations, story
identity across refreshes, marks, search, import/export, and what survives another process
writing at the same time or a kill -9 in the middle of a refresh.

Every test uses a real SQLite file in ``tmp_path`` and refreshes from the loopback server.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.feeds import Item, items, rss
from tests.support.feedserver import FeedServer, Reply, Request, feed_reply
from tui.core.errors import (
    FeedNotFoundError,
    LibraryError,
    LibraryTooNewError,
    SearchQueryError,
    StoryNotFoundError,
)
from tui.core.library import Library
from tui.core.models import FeedStatus, Story
from tui.core.store import schema

# -- helpers -----------------------------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sidecars(path: Path) -> list[Path]:
    return [
        p for p in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")) if p.exists()
    ]


def _by_guid(stories: list[Story]) -> dict[str, Story]:
    return {s.guid: s for s in stories}


def _pragma(library: Library, name: str) -> object:
    # The facade has no reason to expose connection settings; read them on its connection.
    return library._db.read(lambda conn: conn.execute(f"PRAGMA {name}").fetchone()[0])


class Served:
    """A feed at one path whose document a test can swap between refreshes."""

    def __init__(self, server: FeedServer, path: str, body: bytes, **headers: str) -> None:
        self.body = body
        self.headers = headers
        self.path = path
        self.url = server.url(path)
        server.route(path, self._reply)

    def _reply(self, _request: Request) -> Reply:
        return feed_reply(self.body, **self.headers)


async def _subscribe(library: Library, url: str, **kwargs: object) -> int:
    feed = library.add_feed(url, **kwargs)  # type: ignore[arg-type]
    report = await library.refresh([str(feed.id)])
    assert not report.failed, report
    return feed.id


# -- schema ------------------------------------------------------------------------------


def test_a_new_library_gets_the_current_schema_wal_and_foreign_keys(
    library: Library, db_path: Path
) -> None:
    assert _pragma(library, "user_version") == schema.SCHEMA_VERSION
    assert _pragma(library, "journal_mode") == "wal"
    assert _pragma(library, "foreign_keys") == 1
    # WAL is a property of the file, not only of this connection.
    with sqlite3.connect(db_path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    other.close()


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_a_library_from_a_newer_version_is_refused_and_left_byte_for_byte(
    tmp_path: Path, journal: str
) -> None:
    path = tmp_path / "newer.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE feeds (id INTEGER PRIMARY KEY, shape_from_the_future TEXT)")
    conn.execute("INSERT INTO feeds VALUES (1, 'x')")
    conn.commit()
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    before = _digest(path)
    assert _sidecars(path) == []

    with pytest.raises(LibraryTooNewError) as caught:
        Library(path)

    assert _digest(path) == before
    assert _sidecars(path) == []
    message = str(caught.value)
    assert "newer newsterm" in message and "untouched" in message


def test_an_sqlite_database_of_another_program_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "someone-elses.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ada', '555')")
    conn.commit()
    conn.close()
    before = _digest(path)

    with pytest.raises(LibraryError) as caught:
        Library(path)

    assert not isinstance(caught.value, LibraryTooNewError)
    assert "not a newsterm library" in str(caught.value)
    assert _digest(path) == before
    assert _sidecars(path) == []
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT name FROM contacts").fetchall() == [("Ada",)]
    check.close()


def test_a_file_that_is_not_a_database_is_a_library_error_sentence(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"Shopping list: eggs, flour, a new database engine.\n" * 200)
    before = _digest(path)

    with pytest.raises(LibraryError) as caught:
        Library(path)

    message = str(caught.value)
    assert str(path) in message
    assert message.rstrip().endswith(".")
    assert "Traceback" not in message and "\n" not in message
    assert _digest(path) == before


def test_a_folder_given_as_the_library_is_a_library_error(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="folder"):
        Library(tmp_path)


# -- migrations --------------------------------------------------------------------------


async def _v1_library_with_marks(server: FeedServer, path: Path) -> tuple[int, int]:
    """A library at the current schema with one read story and one bookmarked story."""
    feed = Served(server, "/v1", rss(items(6)))
    with Library(path) as library:
        await _subscribe(library, feed.url)
        stories = _by_guid(library.stories())
        read_id = stories["urn:story:1"].id
        bookmark_id = stories["urn:story:2"].id
        library.set_read([read_id])
        library.set_bookmarked([bookmark_id])
    return read_id, bookmark_id


async def test_an_old_library_is_upgraded_in_one_transaction_keeping_marks(
    server: FeedServer, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_id, bookmark_id = await _v1_library_with_marks(server, db_path)
    seen_in_transaction: list[bool] = []

    def add_column(conn: sqlite3.Connection) -> None:
        seen_in_transaction.append(conn.in_transaction)
        conn.execute("ALTER TABLE stories ADD COLUMN note TEXT NOT NULL DEFAULT ''")

    current = schema.SCHEMA_VERSION
    monkeypatch.setitem(schema.MIGRATIONS, current, add_column)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current + 1)

    with Library(db_path) as library:
        assert _pragma(library, "user_version") == current + 1
        assert library.story(read_id).read
        assert library.story(bookmark_id).bookmarked
        assert library.story(read_id).read_at is not None
        assert library.counts() == (6, 5, 1)
    assert seen_in_transaction == [True]
    with sqlite3.connect(db_path) as check:
        columns = [row[1] for row in check.execute("PRAGMA table_info(stories)")]
    check.close()
    assert "note" in columns


@pytest.mark.parametrize("failure", ["python", "sql"])
async def test_a_migration_that_fails_leaves_the_library_at_its_old_version(
    server: FeedServer, db_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    read_id, bookmark_id = await _v1_library_with_marks(server, db_path)

    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE stories ADD COLUMN note TEXT NOT NULL DEFAULT ''")
        conn.execute("UPDATE stories SET read = 0, bookmarked = 0")  # would lose the marks
        if failure == "python":
            raise RuntimeError("migration bug")
        conn.execute("SELECT no_such_column FROM stories")

    current = schema.SCHEMA_VERSION
    monkeypatch.setitem(schema.MIGRATIONS, current, half_done)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current + 1)

    with pytest.raises(LibraryError):
        Library(db_path)

    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == current
        columns = [row[1] for row in check.execute("PRAGMA table_info(stories)")]
        marks = check.execute(
            "SELECT id, read, bookmarked FROM stories WHERE read = 1 OR bookmarked = 1 ORDER BY id"
        ).fetchall()
    check.close()
    assert "note" not in columns
    assert sorted(marks) == sorted([(read_id, 1, 0), (bookmark_id, 0, 1)])

    monkeypatch.undo()
    with Library(db_path) as library:  # this version still opens it
        assert library.story(read_id).read


# -- identity ----------------------------------------------------------------------------


async def test_the_same_entries_twice_do_not_duplicate(
    server: FeedServer, library: Library
) -> None:
    entries = items(10)
    feed = Served(server, "/feed", rss(entries))
    await _subscribe(library, feed.url)
    first_ids = {s.guid: s.id for s in library.stories()}

    # Different bytes (reordered) so that the body is parsed and stored again.
    feed.body = rss(list(reversed(entries)), title="Test Feed, again")
    report = await library.refresh()

    assert report.feeds[0].outcome.value == "updated"
    assert report.new_stories == 0
    assert {s.guid: s.id for s in library.stories()} == first_ids
    assert library.counts()[0] == 10


async def test_a_retitled_entry_with_the_same_guid_keeps_its_marks(
    server: FeedServer, library: Library
) -> None:
    entries = items(5)
    feed = Served(server, "/feed", rss(entries))
    await _subscribe(library, feed.url)
    story = _by_guid(library.stories())["urn:story:2"]
    library.set_read([story.id])
    library.set_bookmarked([story.id])

    entries[2].title = "Story 2, corrected headline"
    feed.body = rss(entries)
    await library.refresh()

    again = library.story(story.id)
    assert again.title == "Story 2, corrected headline"
    assert again.read and again.bookmarked
    assert library.counts() == (5, 4, 1)


async def test_entries_without_guid_are_known_by_link(server: FeedServer, library: Library) -> None:
    entries = [
        Item(
            title="First", link="https://example.org/a", published=datetime(2026, 11, 2, tzinfo=UTC)
        ),
        Item(
            title="Second",
            link="https://example.org/b",
            published=datetime(2026, 11, 1, tzinfo=UTC),
        ),
    ]
    feed = Served(server, "/feed", rss(entries))
    await _subscribe(library, feed.url)
    first = {s.link: s for s in library.stories()}
    library.set_read([first["https://example.org/a"].id])

    entries[0].title = "First, retitled"
    feed.body = rss(entries)
    await library.refresh()

    stories = {s.link: s for s in library.stories()}
    assert len(stories) == 2 and library.counts()[0] == 2
    story = stories["https://example.org/a"]
    assert story.id == first["https://example.org/a"].id
    assert story.title == "First, retitled"
    assert story.read


async def test_entries_without_guid_or_link_are_known_by_title_and_date(
    server: FeedServer, library: Library
) -> None:
    when = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    entries = [
        Item(title="Bare one", description="no guid, no link", published=when),
        Item(title="Bare two", description="nor this", published=when - timedelta(hours=1)),
        Item(title="Bare undated", description="not even a date"),
    ]
    feed = Served(server, "/feed", rss(entries))
    await _subscribe(library, feed.url)
    first = {s.title: s.id for s in library.stories()}
    assert len(first) == 3

    feed.body = rss(list(reversed(entries)), title="Renamed channel")
    await library.refresh()
    feed.body = rss(entries, title="Renamed channel again")
    await library.refresh()

    assert {s.title: s.id for s in library.stories()} == first
    assert library.counts()[0] == 3


async def test_a_story_that_drops_off_the_feed_is_kept_with_its_marks(
    server: FeedServer, library: Library
) -> None:
    feed = Served(server, "/feed", rss(items(5)))
    await _subscribe(library, feed.url)
    stories = _by_guid(library.stories())
    library.set_read([stories["urn:story:4"].id])
    library.set_bookmarked([stories["urn:story:3"].id])

    feed.body = rss(items(2))  # stories 3 and 4 have scrolled off the feed
    await library.refresh()

    after = _by_guid(library.stories())
    assert set(after) == set(stories)
    assert after["urn:story:4"].read
    assert after["urn:story:3"].bookmarked


# -- moves -------------------------------------------------------------------------------


async def test_a_301_moves_the_feed_and_keeps_its_stories_and_marks(
    server: FeedServer, library: Library
) -> None:
    old = Served(server, "/old", rss(items(5)))
    feed_id = await _subscribe(library, old.url)
    read_id = _by_guid(library.stories())["urn:story:0"].id
    library.set_read([read_id])

    new_url = server.url("/new")
    server.route("/new", feed_reply(rss(items(6))))
    server.route("/old", Reply(301, b"", {"Location": new_url}))
    report = await library.refresh()

    assert report.new_stories == 1
    feed = library.feed(feed_id)
    assert feed.url == new_url
    assert feed.total == 6
    assert library.story(read_id).read
    assert library.counts()[0] == 6

    old_hits = len(server.hits("/old"))
    await library.refresh()
    assert len(server.hits("/old")) == old_hits
    assert library.feed(new_url).id == feed_id


async def test_a_302_does_not_move_the_feed(server: FeedServer, library: Library) -> None:
    old = Served(server, "/old", rss(items(3)))
    feed_id = await _subscribe(library, old.url)
    server.route("/elsewhere", feed_reply(rss(items(4))))
    server.route("/old", Reply(302, b"", {"Location": server.url("/elsewhere")}))

    report = await library.refresh()

    assert report.new_stories == 1
    assert library.feed(feed_id).url == old.url
    hits = len(server.hits("/old"))
    await library.refresh()
    assert len(server.hits("/old")) == hits + 1


# -- removing and re-adding ----------------------------------------------------------------


async def test_removing_a_feed_keeps_only_bookmarked_stories_which_come_back_on_re_add(
    server: FeedServer, library: Library
) -> None:
    entries = items(4)
    for entry in entries:
        entry.categories = ("Astronomy",)
    feed = Served(server, "/feed", rss(entries, title="Orbital Notes"))
    feed_id = await _subscribe(library, feed.url)
    stories = _by_guid(library.stories())
    kept = stories["urn:story:1"].id
    library.set_bookmarked([kept])
    library.set_read([kept])

    library.remove_feed(feed_id)

    assert [s.id for s in library.stories()] == [kept]
    orphan = library.story(kept)
    assert orphan.feed_id is None
    assert orphan.feed_title == "Orbital Notes"
    assert orphan.topic.name == "Astronomy"
    assert orphan.bookmarked and orphan.read
    assert [s.id for s in library.stories(bookmarked=True)] == [kept]
    assert [s.id for s in library.stories(topic="astronomy")] == [kept]
    assert library.feeds() == []
    assert [r.story.id for r in library.search("story")] == [kept]

    new_id = await _subscribe(library, feed.url)

    after = library.stories()
    assert len(after) == 4
    assert len({s.guid for s in after}) == 4
    home = library.story(kept)
    assert home.feed_id == new_id
    assert home.bookmarked and home.read
    assert library.feed(new_id).total == 4


# -- read marks and bookmarks --------------------------------------------------------------


async def test_read_and_bookmark_marks_carry_their_times(
    server: FeedServer, library: Library
) -> None:
    feed = Served(server, "/feed", rss(items(3)))
    await _subscribe(library, feed.url)
    story = library.stories()[0]
    assert story.read_at is None and story.bookmarked_at is None
    before = datetime.now(UTC).replace(microsecond=0)

    assert library.set_read([story.id]) == 1
    assert library.set_bookmarked([story.id]) == 1
    marked = library.story(story.id)
    after = datetime.now(UTC)
    assert marked.read and marked.bookmarked
    assert marked.read_at is not None and before <= marked.read_at <= after
    assert marked.bookmarked_at is not None and before <= marked.bookmarked_at <= after
    assert library.set_read([story.id]) == 0  # already read: nothing changes

    assert library.set_read([story.id], False) == 1
    assert library.set_bookmarked([story.id], False) == 1
    cleared = library.story(story.id)
    assert not cleared.read and cleared.read_at is None
    assert not cleared.bookmarked and cleared.bookmarked_at is None


async def test_marks_on_unknown_ids_change_nothing(server: FeedServer, library: Library) -> None:
    feed = Served(server, "/feed", rss(items(3)))
    await _subscribe(library, feed.url)
    real = library.stories()[0].id

    with pytest.raises(StoryNotFoundError, match="987654"):
        library.set_read([real, 987654])
    with pytest.raises(StoryNotFoundError):
        library.set_bookmarked([real, 987654])
    with pytest.raises(StoryNotFoundError):
        library.story(987654)

    assert library.counts() == (3, 3, 0)


async def test_mark_topic_read_marks_that_topic_only(server: FeedServer, library: Library) -> None:
    space = Served(server, "/space", rss(items(3, prefix="Space")))
    food = Served(server, "/food", rss(items(2, prefix="Food")))
    await _subscribe(library, space.url, topic="Space")
    await _subscribe(library, food.url, topic="Cooking")

    assert library.mark_topic_read("Space") == 3

    assert all(s.read and s.read_at for s in library.stories(topic="space"))
    assert not any(s.read for s in library.stories(topic="cooking"))
    assert library.mark_topic_read("space") == 0


# -- full-text search --------------------------------------------------------------------


async def _searchable(server: FeedServer, library: Library, **add: object) -> tuple[Served, int]:
    entry = Item(
        title="Zeppelin returns",
        guid="urn:z",
        link="https://example.org/z",
        description="A quasar was seen",
        content="<p>Served with <b>marmalade</b> on toast.</p>",
        published=datetime(2026, 11, 2, tzinfo=UTC),
    )
    other = Item(title="Nothing here", guid="urn:n", description="plain", published=entry.published)
    feed = Served(server, "/feed", rss([entry, other], title="Orbital Notes"))
    await _subscribe(library, feed.url, **add)
    return feed, _by_guid(library.stories())["urn:z"].id


@pytest.mark.parametrize("word", ["zeppelin", "quasar", "marmalade", "orbital"])
async def test_search_finds_words_in_title_summary_content_and_feed_title(
    server: FeedServer, library: Library, word: str
) -> None:
    _feed, story_id = await _searchable(server, library)
    results = library.search(word)
    if word == "orbital":  # the feed title: both its stories match
        assert {r.story.id for r in results} >= {story_id} and len(results) == 2
    else:
        assert [r.story.id for r in results] == [story_id]


async def test_search_finds_stories_by_the_name_the_user_gave_their_feed(
    server: FeedServer, library: Library
) -> None:
    _feed, story_id = await _searchable(server, library, title="Pelican Post")
    assert story_id in {r.story.id for r in library.search("pelican")}
    library.set_feed_title(library.feeds()[0].id, "Heron Herald")
    assert story_id in {r.story.id for r in library.search("heron")}
    assert library.search("pelican") == []


@pytest.mark.parametrize("query", ['"unterminated', "AND", "zeppelin OR", "nosuchcolumn:word", "("])
async def test_a_malformed_search_is_a_search_query_error_sentence(
    server: FeedServer, library: Library, query: str
) -> None:
    await _searchable(server, library)
    with pytest.raises(SearchQueryError) as caught:
        library.search(query)
    message = str(caught.value)
    # One sentence naming what could not be read (the query language's or FTS5's part).
    assert message.startswith(("Cannot understand the search", "Cannot read"))
    assert message.count(". ") <= 2 and "\n" not in message
    assert "fts5:" not in message and "OperationalError" not in message


async def test_forgiving_search_falls_back_to_the_literal_words(
    server: FeedServer, library: Library
) -> None:
    _feed, story_id = await _searchable(server, library)
    assert [r.story.id for r in library.search('"zeppelin', forgiving=True)] == [story_id]
    assert [r.story.id for r in library.search("quasar (", forgiving=True)] == [story_id]
    assert library.search("AND", forgiving=True) == []


async def test_a_story_whose_text_changes_is_reindexed(
    server: FeedServer, library: Library
) -> None:
    feed = Served(server, "/feed", rss([Item("Tide tables", guid="urn:t", description="a quasar")]))
    await _subscribe(library, feed.url)
    assert len(library.search("quasar")) == 1

    feed.body = rss([Item("Tide charts", guid="urn:t", description="a pulsar")])
    await library.refresh()

    assert library.search("quasar") == []
    assert library.search("tables") == []
    assert [r.story.title for r in library.search("pulsar")] == ["Tide charts"]
    assert [r.story.title for r in library.search("charts")] == ["Tide charts"]


# -- topics ------------------------------------------------------------------------------


async def test_a_feed_without_a_topic_takes_its_first_entry_category_else_general(
    server: FeedServer, library: Library
) -> None:
    tagged = items(3)
    tagged[0].categories = ("Astronomy", "Science")
    tagged[1].categories = ("Gardening",)
    with_categories = Served(server, "/cats", rss(tagged))
    without = Served(server, "/plain", rss(items(2, prefix="Plain")))
    chosen = Served(server, "/chosen", rss(tagged, title="Chosen"))

    a = await _subscribe(library, with_categories.url)
    b = await _subscribe(library, without.url)
    c = await _subscribe(library, chosen.url, topic="Cooking")

    assert library.feed(a).topic.name == "Astronomy"
    assert library.feed(b).topic.name == "General"
    assert library.feed(c).topic.name == "Cooking"
    # Learnt once: a later entry with another category does not move the feed.
    tagged[0].categories = ("Politics",)
    with_categories.body = rss(tagged, title="Changed")
    await library.refresh()
    assert library.feed(a).topic.name == "Astronomy"


# -- import and export -------------------------------------------------------------------


def _write_opml(path: Path, server: FeedServer) -> Path:
    path.write_text(
        textwrap.dedent(
            f"""\
            <?xml version="1.0" encoding="UTF-8"?>
            <opml version="2.0">
              <head><title>mine</title></head>
              <body>
                <outline text="Science">
                  <outline type="rss" text="Orbital Notes" xmlUrl="{server.url("/space")}"/>
                  <outline text="Biology">
                    <outline type="rss" text="Cell Days" xmlUrl="{server.url("/cells")}"/>
                  </outline>
                </outline>
                <outline text="Tech">
                  <outline type="rss" text="Kernel Weekly" xmlUrl="{server.url("/kernel")}"/>
                </outline>
                <outline type="rss" text="Loose Feed" xmlUrl="{server.url("/loose")}"/>
              </body>
            </opml>
            """
        ),
        encoding="utf-8",
    )
    return path


def test_opml_import_puts_feeds_under_their_folders_once(
    server: FeedServer, library: Library, tmp_path: Path
) -> None:
    opml = _write_opml(tmp_path / "subs.opml", server)

    report = library.import_subscriptions(opml)

    assert len(report.added) == 4 and report.refused == ()
    topics = {f.url: (f.title, f.topic.name) for f in library.feeds()}
    assert topics == {
        server.url("/space"): ("Orbital Notes", "Science"),
        server.url("/cells"): ("Cell Days", "Biology"),
        server.url("/kernel"): ("Kernel Weekly", "Tech"),
        server.url("/loose"): ("Loose Feed", "General"),
    }

    again = library.import_subscriptions(opml)

    assert again.added == ()
    assert len(again.existing) == 4
    assert len(library.feeds()) == 4


def test_a_urls_file_with_exec_lines_is_refused_line_by_line(
    server: FeedServer, library: Library, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    urls = tmp_path / "urls"
    urls.write_text(
        f'{server.url("/one")} news "~One"\n'
        "# a comment\n"
        f'"exec:touch {marker}" "~Sneaky"\n'
        f"filter:touch {marker}:{server.url('/two')}\n"
        f"{server.url('/three')}\n",
        encoding="utf-8",
    )

    report = library.import_subscriptions(urls)

    assert sorted(f.url for f in library.feeds()) == sorted(
        [server.url("/one"), server.url("/three")]
    )
    assert any("line 3" in r and "exec:" in r for r in report.refused), report.refused
    assert any("line 4" in r and "filter:" in r for r in report.refused), report.refused
    assert not marker.exists()
    assert library.feed(server.url("/one")).topic.name == "news"


async def test_export_then_import_gives_the_same_feeds_titles_and_topics(
    server: FeedServer, library: Library, tmp_path: Path
) -> None:
    entries = items(2)
    entries[0].categories = ("Astronomy",)
    Served(server, "/space", rss(entries, title="Orbital Notes"))
    Served(server, "/food", rss(items(2), title="Kitchen"))
    await _subscribe(library, server.url("/space"))
    await _subscribe(library, server.url("/food"), topic="Cooking", title="My Kitchen")
    library.add_feed(server.url("/never-fetched"), topic="Later")
    exported = tmp_path / "export.opml"
    exported.write_text(library.export_opml(), encoding="utf-8")

    with Library(tmp_path / "empty.db") as fresh:
        report = fresh.import_subscriptions(exported)
        assert report.refused == ()
        got = {(f.url, f.title, f.topic.name) for f in fresh.feeds()}

    expected = {(f.url, f.title, f.topic.name) for f in library.feeds()}
    assert got == expected
    assert (server.url("/food"), "My Kitchen", "Cooking") in got
    assert (server.url("/space"), "Orbital Notes", "Astronomy") in got


# -- other processes and kill -9 ---------------------------------------------------------

_CHILD_PRELUDE = """
import asyncio, json, os, signal, sys, time
from pathlib import Path
from tui.core.library import Library
"""


def _child(code: str, *args: str, new_session: bool = False) -> subprocess.Popen[str]:
    """Run ``code`` in another Python process (the newsterm the tests import)."""
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD_PRELUDE + textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=new_session,
    )


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


async def test_another_process_writing_marks_during_a_refresh_is_never_locked_out(
    server: FeedServer, library: Library, db_path: Path
) -> None:
    base = Served(server, "/base", rss(items(120, prefix="Base")))
    await _subscribe(library, base.url)
    ids = [s.id for s in library.stories()]
    others = [Served(server, f"/other/{n}", rss(items(60, prefix=f"Other{n}"))) for n in range(8)]
    for other in others:
        library.add_feed(other.url)

    child = _child(
        """
        ids = json.loads(sys.argv[2])
        with Library(Path(sys.argv[1])) as library:
            print("ready", flush=True)
            for story_id in ids:
                library.set_read([story_id])
        print("done", flush=True)
        """,
        str(db_path),
        json.dumps(ids),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready", child.stderr
        rounds = 0
        bookmarked: list[int] = []
        while child.poll() is None or rounds < 2:
            rounds += 1
            for n, other in enumerate(others):
                other.body = rss(items(60 + rounds, prefix=f"Other{n}"))
            report = await library.refresh()
            assert report.failed == (), [f.error for f in report.failed]
            batch = ids[rounds * 5 : rounds * 5 + 5]
            library.set_bookmarked(batch)
            bookmarked += batch
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    assert child.returncode == 0, err
    assert "locked" not in err and "Traceback" not in err
    assert out.strip() == "done"
    assert all(library.story(i).read for i in ids)
    assert all(library.story(i).bookmarked for i in bookmarked)
    assert library.counts()[2] == len(bookmarked)
    assert all(f.status is FeedStatus.OK for f in library.feeds())


def _kill_group(process: subprocess.Popen[str]) -> None:
    """The child and the parse workers it started (they share its process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


async def test_kill_9_in_the_middle_of_a_refresh_loses_nothing_committed(
    server: FeedServer, db_path: Path
) -> None:
    library = Library(db_path)
    # Marks made before the refresh.
    pre = Served(server, "/pre", rss(items(10, prefix="Pre")))
    pre_feed_id = await _subscribe(library, pre.url)
    pre_ids = [s.id for s in library.stories()]
    library.set_read(pre_ids[:4])
    library.set_bookmarked(pre_ids[4:6])
    pre.body = rss(items(12, prefix="Pre"))  # changed, so the child stores it again

    # 40 feeds × 100 items; a quarter of them drip slowly so that the kill is sure to land
    # while the refresh is still running.
    for n in range(40):
        body = rss(items(100, prefix=f"Bulk{n}"))
        if n % 4 == 3:
            chunks = [body[i : i + 2048] for i in range(0, len(body), 2048)]
            server.route(
                f"/bulk/{n}", Reply(200, chunks, {"Content-Type": "application/rss+xml"}, 0.5)
            )
        else:
            server.route(f"/bulk/{n}", feed_reply(body))
        library.add_feed(server.url(f"/bulk/{n}"))
    library.close()

    child = _child(
        """
        with Library(Path(sys.argv[1])) as library:
            asyncio.run(library.refresh())
        print("finished", flush=True)
        """,
        str(db_path),
        new_session=True,
    )

    def bulk_feeds_stored() -> int:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return int(
                conn.execute(
                    "SELECT count(DISTINCT feed_id) FROM stories WHERE feed_id != ?", (pre_feed_id,)
                ).fetchone()[0]
            )
        finally:
            conn.close()

    try:
        _wait_for(lambda: child.poll() is not None or bulk_feeds_stored() >= 1, 20, "a feed")
        assert child.poll() is None, child.communicate()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        _kill_group(child)
        if child.poll() is None:
            child.kill()
        child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL

    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        check.execute("INSERT INTO stories_fts(stories_fts) VALUES ('integrity-check')")
        per_feed = dict(
            check.execute(
                "SELECT feed_id, count(*) FROM stories WHERE feed_id != ? GROUP BY feed_id",
                (pre_feed_id,),
            ).fetchall()
        )
    check.close()
    # Killed mid-way: some feeds stored whole, the slow ones not at all; never half a feed.
    assert 1 <= len(per_feed) < 40
    assert set(per_feed.values()) == {100}

    with Library(db_path) as reopened:
        assert all(reopened.story(i).read for i in pre_ids[:4])
        assert all(reopened.story(i).bookmarked for i in pre_ids[4:6])
        assert not any(reopened.story(i).read for i in pre_ids[4:])
        victim = pre_ids[-1]

    # A read mark, then kill -9 the very next instant: it is on disk.
    marker = _child(
        """
        library = Library(Path(sys.argv[1]))
        library.set_read([int(sys.argv[2])])
        os.kill(os.getpid(), signal.SIGKILL)
        """,
        str(db_path),
        str(victim),
    )
    _out, err = marker.communicate(timeout=30)
    assert marker.returncode == -signal.SIGKILL, err

    with Library(db_path) as reopened:
        assert reopened.story(victim).read
        assert reopened.story(victim).read_at is not None
    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()


@pytest.mark.parametrize("ref", ["²", "99999999999999999999999", "٣", " 7 "])
def test_a_feed_reference_past_reason_is_not_found_not_a_crash(library: Library, ref: str) -> None:
    with pytest.raises(FeedNotFoundError):
        library.feed(ref)
