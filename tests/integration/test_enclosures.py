"""A story's enclosures in the library (schema 8's ``stories.enclosures``): stored at ingest,
read back by every story read, checked again on the way out (a damaged value reads as
fewer enclosures, never as an error), left out of the fingerprint of a story without any
(so an upgraded library does not rewrite its stories), and printed by the command line's
JSON. Real library files throughout; the command line runs as the real program."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tui.core.article.view import (
    enclosure_line,
    extra_line,
    files_then_extras,
    reader_view,
    story_as_text,
    transcript_view,
)
from tui.core.export import story_record
from tui.core.library import Library
from tui.core.media.transcripts import preferred_transcript, transcript_article
from tui.core.models import Enclosure, ParsedEntry, ParsedFeed
from tui.core.settings import Settings
from tui.core.store import schema
from tui.core.store.enclosures import dump_enclosures, load_enclosures
from tui.core.store.ingest import StoredEntries, store_entries
from tui.core.text.dates import to_iso

NEWSTERM = Path(sys.executable).parent / "newsterm"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FEED_URL = "https://pod.example/feed.xml"
EPISODE = Enclosure(
    "https://cdn.example/1.mp3", "audio/mpeg", 45000000, 3723, "Épisode un — «live»"
)
VIDEO = Enclosure("https://cdn.example/1.mp4", "video/mp4")
COVER = Enclosure("https://cdn.example/1.jpg", "image/jpeg", 2048)
# An episode's extras (Podcasting 2.0): entries of the same list, each with a rel.
VTT = Enclosure("https://cdn.example/1.vtt", "text/vtt", rel="transcript", language="en")
SRT = Enclosure("https://cdn.example/1.srt", "application/x-subrip", rel="transcript")
CHAPTERS = Enclosure("https://cdn.example/1.json", "application/json+chapters", rel="chapters")
ARTWORK = Enclosure("https://cdn.example/1-art.jpg", rel="artwork")
EXTRAS = (VTT, SRT, CHAPTERS, ARTWORK)


def entry(name: str, *enclosures: Enclosure, hours: int = 1) -> ParsedEntry:
    return ParsedEntry(
        key=f"https://pod.example/{name}",
        title=f"Podcast {name}",
        link=f"https://pod.example/{name}",
        guid=f"https://pod.example/{name}",
        summary=f"about {name}",
        content_html=f"<p>about {name}</p>",
        published=NOW - timedelta(hours=hours),
        categories=("Audio",),
        enclosures=enclosures,
    )


def ingest(library: Library, feed_id: int, entries: Sequence[ParsedEntry]) -> StoredEntries:
    """Store ``entries`` as a refresh does, in one write transaction; what changed."""
    return library._db.write(store_entries, feed_id, "Pod", list(entries), NOW)


def rows(path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def execute(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        with conn:
            for statement in statements:
                conn.execute(statement)
    finally:
        conn.close()


def ids_by_title(library: Library) -> dict[str, int]:
    return {story.title: story.id for story in library.stories()}


def old_fingerprint(item: ParsedEntry) -> str:
    """The fingerprint schema 7 stored: the entry's fields without its enclosures."""
    fields = (
        item.title,
        item.link,
        item.guid,
        item.summary,
        item.content_html,
        item.author,
        to_iso(item.published),
        to_iso(item.updated),
        list(item.categories),
    )
    return hashlib.sha1(json.dumps(fields).encode(), usedforsecurity=False).hexdigest()


# -- stored and read back ------------------------------------------------------------------


def test_enclosures_read_back_through_every_story_read(db_path: Path) -> None:
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod", topic="Audio")
        entries = (entry("one", EPISODE, VIDEO, COVER), entry("two", hours=2))
        assert library.ingest(feed.id, ParsedFeed(title="Pod", entries=entries), now=NOW) == 2
        ids = ids_by_title(library)
        one, two = ids["Podcast one"], ids["Podcast two"]

        assert library.story(one).enclosures == (EPISODE, VIDEO, COVER)
        assert library.story(two).enclosures == ()
        listed = {story.id: story.enclosures for story in library.stories()}
        assert listed == {one: (EPISODE, VIDEO, COVER), two: ()}
        found = {story.id: story.enclosures for story in library.find("podcast")}
        assert found == listed
        searched = {result.story.id: result.story.enclosures for result in library.search("about")}
        assert searched == listed

    stored = dict(rows(db_path, "SELECT id, enclosures FROM stories"))
    assert stored[two] is None  # NULL, not "[]": none costs nothing
    assert stored[one] == dump_enclosures((EPISODE, VIDEO, COVER))
    assert json.loads(stored[one])[1] == {"url": VIDEO.url, "type": "video/mp4"}


@pytest.mark.parametrize(
    "items",
    [
        (),
        (EPISODE,),
        (EPISODE, VIDEO, COVER),
        (Enclosure("https://a.example/x"),),
        (Enclosure("https://a.example/x", title="日本語のタイトル"),),
        (EPISODE, *EXTRAS),
        EXTRAS,
    ],
)
def test_dump_and_load_round_trip(items: tuple[Enclosure, ...]) -> None:
    dumped = dump_enclosures(items)
    assert (dumped is None) == (not items)
    assert load_enclosures(dumped) == items


DAMAGED = {
    "not-json": ("{not json", ()),
    "not-a-list": ('{"url":"https://x/a.mp3"}', ()),
    "a-string": ('"https://x/a.mp3"', ()),
    "empty": ("", ()),
    "not-http": ('[{"url":"javascript:x"}]', ()),
    "no-url": ('[{"type":"audio/mpeg"}, 1, null, [], {"url": 5}]', ()),
    "length-as-text": (
        '[{"url":"https://x/a.mp3","length":"12"}]',
        (Enclosure("https://x/a.mp3"),),
    ),
    "bad-fields": (
        '[{"url":"https://x/a.mp3","type":"audio/mpeg","length":-4,"duration":true,'
        '"title":"\\u001b[2J gone"},{"url":"https://x/b.mp3","duration":1.5,"title":7}]',
        (Enclosure("https://x/a.mp3", "audio/mpeg"), Enclosure("https://x/b.mp3")),
    ),
    "deeply-nested": ("[" * 100_000, ()),
    "unknown-rel": (
        '[{"url":"https://x/a.mp3","rel":"soundbite"},{"url":"https://x/b","rel":["x"]},'
        '{"url":"https://x/c","rel":null},{"url":"https://x/d","rel":5},'
        '{"url":"https://x/t.vtt","rel":"transcript","language":"en"}]',
        (Enclosure("https://x/t.vtt", rel="transcript", language="en"),),
    ),
    "extra-that-says-audio": (
        '[{"url":"https://x/t","type":"audio/mpeg","rel":"transcript","language":"\\u001b[2J"},'
        '{"url":"https://x/a","type":"video/mp4","rel":"artwork","language":"en"},'
        '{"url":"https://x/f","type":"audio/mpeg","rel":"","language":"en"}]',
        (
            Enclosure("https://x/t", rel="transcript"),
            Enclosure("https://x/a", rel="artwork"),
            Enclosure("https://x/f", "audio/mpeg"),
        ),
    ),
}


@pytest.mark.parametrize(("value", "expected"), DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_column_reads_as_fewer_enclosures(
    db_path: Path, value: str, expected: tuple[Enclosure, ...]
) -> None:
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod")
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=(entry("one", EPISODE),)), now=NOW)
        (story_id,) = ids_by_title(library).values()
    execute(db_path, f"UPDATE stories SET enclosures = {_quoted(value)}")
    with Library(db_path, Settings()) as library:
        assert library.story(story_id).enclosures == expected
        assert [story.enclosures for story in library.stories()] == [expected]


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# -- the fingerprint -----------------------------------------------------------------------


def test_enclosures_change_a_story_only_when_there_are_some(db_path: Path) -> None:
    plain = (entry("one"), entry("two", hours=2))
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod")
        assert library.ingest(feed.id, ParsedFeed(title="Pod", entries=plain), now=NOW) == 2
        ids = ids_by_title(library)
        one, two = ids["Podcast one"], ids["Podcast two"]
        # A story without enclosures keeps schema 7's fingerprint: an upgrade rewrites none.
        stored = dict(rows(db_path, "SELECT key, fingerprint FROM stories"))
        assert stored == {item.key: old_fingerprint(item) for item in plain}

        assert ingest(library, feed.id, plain) == StoredEntries(new=0, updated=0)

        library.set_read([one], True, now=NOW)
        library.set_bookmarked([two], True, now=NOW)
        with_files = (entry("one", EPISODE, VIDEO), entry("two", COVER, hours=2))
        assert ingest(library, feed.id, with_files) == StoredEntries(new=0, updated=2)
        assert ingest(library, feed.id, with_files) == StoredEntries(new=0, updated=0)

        first, second = library.story(one), library.story(two)
        assert first.enclosures == (EPISODE, VIDEO)
        assert second.enclosures == (COVER,)
        assert (first.read, first.bookmarked) == (True, False)
        assert (second.read, second.bookmarked) == (False, True)
        assert {story.id for story in library.find("podcast")} == {one, two}

        # A new file, then none again: each a change, back to NULL at the end.
        more = (entry("one", EPISODE, VIDEO, COVER), entry("two", COVER, hours=2))
        assert ingest(library, feed.id, more) == StoredEntries(new=0, updated=1)
        assert library.story(one).enclosures == (EPISODE, VIDEO, COVER)
        assert ingest(library, feed.id, plain) == StoredEntries(new=0, updated=2)
        assert [library.story(i).enclosures for i in (one, two)] == [(), ()]
        assert library.story(one).read and library.story(two).bookmarked
    assert rows(db_path, "SELECT count(*) FROM stories WHERE enclosures IS NOT NULL") == [(0,)]
    assert dict(rows(db_path, "SELECT key, fingerprint FROM stories")) == stored


def test_library_ingest_stores_what_a_feed_adds_later(db_path: Path) -> None:
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod")
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=(entry("one"),)), now=NOW)
        (story_id,) = ids_by_title(library).values()
        library.set_read([story_id], True, now=NOW)
        library.set_bookmarked([story_id], True, now=NOW)
        again = ParsedFeed(title="Pod", entries=(entry("one", EPISODE),))
        assert library.ingest(feed.id, again, now=NOW) == 0
        story = library.story(story_id)
        assert story.enclosures == (EPISODE,)
        assert (story.read, story.bookmarked) == (True, True)


# -- the upgrade from schema 7 -------------------------------------------------------------


def _as_schema_7(path: Path) -> None:
    execute(
        path,
        "ALTER TABLE stories DROP COLUMN enclosures",
        "DROP TABLE downloads",  # schema 9's
        "PRAGMA user_version = 7",
    )


def _stories_without_enclosures(path: Path) -> list[tuple[Any, ...]]:
    columns = [
        name
        for (_, name, *_rest) in rows(path, "PRAGMA table_info(stories)")
        if name != "enclosures"
    ]
    return rows(path, f"SELECT {', '.join(columns)} FROM stories ORDER BY id")


def test_a_schema_7_library_opens_with_enclosures_and_every_row_kept(db_path: Path) -> None:
    plain = tuple(entry(f"n{i}", hours=i + 1) for i in range(5))
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod", topic="Audio")
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=plain), now=NOW)
        ids = ids_by_title(library)
        library.set_read([ids["Podcast n0"], ids["Podcast n1"]], True, now=NOW)
        library.set_bookmarked([ids["Podcast n1"], ids["Podcast n4"]], True, now=NOW)
        counts = library.counts()
    _as_schema_7(db_path)
    assert rows(db_path, "PRAGMA user_version") == [(7,)]
    before = _stories_without_enclosures(db_path)
    assert len(before) == 5

    with Library(db_path, Settings()) as library:
        assert library.counts() == counts == (5, 3, 2)
        stories = {story.title: story for story in library.stories()}
        assert {title for title, story in stories.items() if story.read} == {
            "Podcast n0",
            "Podcast n1",
        }
        assert {title for title, story in stories.items() if story.bookmarked} == {
            "Podcast n1",
            "Podcast n4",
        }
        assert all(story.enclosures == () for story in stories.values())
        # The same entries again change nothing: the fingerprints did not move.
        assert ingest(library, feed.id, plain) == StoredEntries(new=0, updated=0)

    assert rows(db_path, "PRAGMA user_version") == [(schema.SCHEMA_VERSION,)] == [(9,)]
    assert _stories_without_enclosures(db_path) == before
    assert rows(db_path, "SELECT count(*), count(enclosures) FROM stories") == [(5, 0)]

    with Library(db_path, Settings()) as library:
        ingest(library, feed.id, (entry("n0", EPISODE, hours=1),))
        story = library.story(ids["Podcast n0"])
        assert story.enclosures == (EPISODE,)
        assert story.read


# -- the command line ----------------------------------------------------------------------


def newsterm(tmp_path: Path, db: Path, *argv: str) -> Any:
    done = subprocess.run(
        [str(NEWSTERM), "--db", str(db), "--config", str(tmp_path / "none.toml"), *argv],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,  # only to catch a hang
        check=False,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


def as_record(item: Enclosure) -> dict[str, object]:
    return {
        "url": item.url,
        "type": item.type,
        "length": item.length,
        "duration": item.duration,
        "title": item.title,
    }


def test_the_command_line_json_carries_the_enclosures(tmp_path: Path, db_path: Path) -> None:
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod", topic="Audio")
        entries = (entry("one", EPISODE, VIDEO), entry("two", hours=2))
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=entries), now=NOW)
        ids = ids_by_title(library)
        library.set_bookmarked(list(ids.values()), True, now=NOW)
    expected = {
        ids["Podcast one"]: [as_record(EPISODE), as_record(VIDEO)],
        ids["Podcast two"]: [],
    }
    assert as_record(VIDEO) == {
        "url": VIDEO.url,
        "type": "video/mp4",
        "length": None,
        "duration": None,
        "title": "",
    }

    listed = newsterm(tmp_path, db_path, "list", "--json")
    assert {record["id"]: record["enclosures"] for record in listed} == expected
    queried = newsterm(tmp_path, db_path, "list", "--query", "podcast", "--json")
    assert {record["id"]: record["enclosures"] for record in queried} == expected
    searched = newsterm(tmp_path, db_path, "search", "about", "--json")
    assert {record["id"]: record["enclosures"] for record in searched} == expected
    bookmarks = newsterm(tmp_path, db_path, "bookmarks", "--format", "json")
    assert {record["id"]: record["enclosures"] for record in bookmarks} == expected


# -- what the reader shows ------------------------------------------------------------------


def test_the_reader_lists_a_storys_files_under_its_read_line(db_path: Path) -> None:
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod", topic="Audio")
        entries = (entry("one", EPISODE, VIDEO), entry("two", hours=2))
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=entries), now=NOW)
        ids = ids_by_title(library)
        with_files = reader_view(library.story(ids["Podcast one"]))
        without = reader_view(library.story(ids["Podcast two"]))
    assert with_files.enclosures == (enclosure_line(EPISODE), enclosure_line(VIDEO))
    assert without.enclosures == ()
    lines = story_as_text(with_files)
    read_at = lines.index(with_files.read_line)
    # Under the read line and the story's link: each file's line, then its address.
    assert lines[read_at + 2 : read_at + 6] == [
        enclosure_line(EPISODE),
        f"  {EPISODE.url}",
        enclosure_line(VIDEO),
        f"  {VIDEO.url}",
    ]


@pytest.mark.parametrize(
    ("item", "line"),
    [
        (
            Enclosure("https://cdn.pod.test/e.mp3", "audio/mpeg", 45_123_456, 3723, "Ep 12"),
            "♪ audio/mpeg · 45 MB · 1:02:03 · Ep 12 · cdn.pod.test",
        ),
        (
            Enclosure("https://v.pod.test/v.mp4", "video/mp4", 999, 65),
            "▶ video/mp4 · 999 B · 1:05 · v.pod.test",
        ),
        (Enclosure("https://pod.test/f", "", 1_500_000_000), "⇩ file · 1.5 GB · pod.test"),
        (
            Enclosure("https://pod.test/i.png", "image/png", 34_500),
            "▣ image/png · 34 KB · pod.test",
        ),
    ],
)
def test_a_files_line_says_what_the_feed_says_of_it(item: Enclosure, line: str) -> None:
    assert enclosure_line(item) == line


# -- an episode's extras (transcripts, chapters, artwork) ---------------------------------


def test_extras_are_stored_read_back_and_never_mark_a_row_as_audio(db_path: Path) -> None:
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod", topic="Audio")
        entries = (
            entry("episode", EPISODE, *EXTRAS),
            entry("extras", *EXTRAS, hours=2),
            entry("video", VIDEO, ARTWORK, hours=3),
        )
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=entries), now=NOW)
        ids = ids_by_title(library)
        assert library.story(ids["Podcast episode"]).enclosures == (EPISODE, *EXTRAS)
        assert library.story(ids["Podcast extras"]).enclosures == EXTRAS
        rows_by_id = library.rows_for(list(ids.values()))
        media = {title: rows_by_id[story_id].media for title, story_id in ids.items()}
    assert media == {"Podcast episode": "audio", "Podcast extras": "", "Podcast video": "video"}
    (stored,) = rows(db_path, "SELECT enclosures FROM stories WHERE id = ?", ids["Podcast extras"])
    assert json.loads(stored[0]) == [
        {"url": VTT.url, "type": "text/vtt", "rel": "transcript", "language": "en"},
        {"url": SRT.url, "type": "application/x-subrip", "rel": "transcript"},
        {"url": CHAPTERS.url, "type": "application/json+chapters", "rel": "chapters"},
        {"url": ARTWORK.url, "rel": "artwork"},
    ]


def test_extras_change_a_story_once_and_files_alone_keep_their_json(db_path: Path) -> None:
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod")
        files = (entry("one", EPISODE),)
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=files), now=NOW)
        (before,) = rows(db_path, "SELECT enclosures, fingerprint FROM stories")
        # The JSON of files alone is what it was before extras existed: no "rel" written.
        assert before[0] == (
            '[{"url":"https://cdn.example/1.mp3","type":"audio/mpeg","length":45000000,'
            '"duration":3723,"title":"Épisode un — «live»"}]'
        )
        assert ingest(library, feed.id, files) == StoredEntries(new=0, updated=0)
        with_extras = (entry("one", EPISODE, VTT, ARTWORK),)
        assert ingest(library, feed.id, with_extras) == StoredEntries(new=0, updated=1)
        assert ingest(library, feed.id, with_extras) == StoredEntries(new=0, updated=0)
        assert ingest(library, feed.id, files) == StoredEntries(new=0, updated=1)
    assert rows(db_path, "SELECT enclosures, fingerprint FROM stories") == [before]


def test_the_reader_lists_files_first_then_extras(db_path: Path) -> None:
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod", topic="Audio")
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=(entry("one", EPISODE),)), now=NOW)
        (story_id,) = ids_by_title(library).values()
    # A hand-edited list with an extra first is put right in the reader.
    execute(
        db_path, f"UPDATE stories SET enclosures = {_quoted(dump_enclosures((VTT, EPISODE)) or '')}"
    )
    with Library(db_path, Settings()) as library:
        story = library.story(story_id)
    assert story.enclosures == (VTT, EPISODE)
    view = reader_view(story)
    assert view.enclosure_items == (EPISODE, VTT)
    assert view.enclosures == (enclosure_line(EPISODE), "Transcript · WebVTT · en · cdn.example")
    lines = story_as_text(view)
    at = lines.index(enclosure_line(EPISODE))
    assert lines[at : at + 4] == [
        enclosure_line(EPISODE),
        f"  {EPISODE.url}",
        "Transcript · WebVTT · en · cdn.example",
        f"  {VTT.url}",
    ]
    assert files_then_extras((ARTWORK, VIDEO, VTT, EPISODE)) == (VIDEO, EPISODE, ARTWORK, VTT)


@pytest.mark.parametrize(
    ("item", "line"),
    [
        (VTT, "Transcript · WebVTT · en · cdn.example"),
        (SRT, "Transcript · SRT · cdn.example"),
        (Enclosure("https://t.example/t", rel="transcript"), "Transcript · t.example"),
        (
            Enclosure("https://t.example/t", "application/x-weird", rel="transcript"),
            "Transcript · application/x-weird · t.example",
        ),
        (CHAPTERS, "Chapters · cdn.example"),
        (ARTWORK, "Artwork · cdn.example"),
    ],
)
def test_an_extras_line_says_what_it_is(item: Enclosure, line: str) -> None:
    assert extra_line(item) == enclosure_line(item) == line


def test_a_transcript_opens_in_the_reader_like_a_story_body(db_path: Path) -> None:
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod", topic="Audio")
        entries = (entry("one", EPISODE, SRT, VTT),)
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=entries), now=NOW)
        (story_id,) = ids_by_title(library).values()
        view = reader_view(library.story(story_id))
    chosen = preferred_transcript(view.enclosure_items)
    assert chosen == VTT
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ann>Welcome to the show.\n"
    shown = transcript_view(view, transcript_article(data, chosen.type, chosen.url), chosen)
    assert shown.note == "The episode's transcript: open the story again for its own text."
    assert shown.story == view.story and shown.enclosures == view.enclosures
    assert shown.read_line.startswith("read 1 min · published ")
    text = "\n".join(story_as_text(shown))
    assert "00:00:01 · Ann" in text and "Welcome to the show." in text
    assert "<p>about one</p>" not in text


def test_json_records_give_rel_and_language_to_extras_only(db_path: Path) -> None:
    with Library(db_path, Settings()) as library:
        feed = library.add_feed(FEED_URL, title="Pod", topic="Audio")
        entries = (entry("one", EPISODE, VTT, ARTWORK),)
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=entries), now=NOW)
        (story_id,) = ids_by_title(library).values()
        record = story_record(library.story(story_id))
    assert record["enclosures"] == [
        as_record(EPISODE),
        {**as_record(VTT), "rel": "transcript", "language": "en"},
        {**as_record(ARTWORK), "rel": "artwork", "language": ""},
    ]
