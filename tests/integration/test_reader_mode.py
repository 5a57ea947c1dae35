"""Reader mode end to end: a loopback server serves feeds and their stories' web pages.

Each test subscribes a real library (a SQLite file) to a feed on 127.0.0.1, refreshes it,
then fetches pages through :meth:`Library.fetch_pages`, which extracts them in the worker
pool and stores them; what the reader then shows comes from the library alone.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from tests.support.feeds import Item, rss
from tests.support.feedserver import FeedServer, Reply, Request
from tests.support.hygiene import BAD_CHARS
from tests.support.listing import listed_ids
from tests.support.pages import (
    CLUTTER,
    DEFAULT_SECTIONS,
    DEFAULT_TITLE,
    JAPANESE,
    article_page,
    hostile_page,
    pdf_bytes,
)
from tui.core.article.view import story_as_text
from tui.core.library import Library
from tui.core.settings import ArticleSettings, Settings
from tui.core.store import schema

SHORT = "<p>The first trams ran on the new line this morning.</p>"
LONG = "<p>" + " ".join(["Council workers explained the timetable at length."] * 40) + "</p>"


def _html(body: bytes) -> Reply:
    return Reply(200, body, {"Content-Type": "text/html; charset=utf-8"})


def _feed(server: FeedServer, path: str, entries: list[Item], **kw: str) -> str:
    body = rss(entries, **kw)
    server.route(path, Reply(200, body, {"Content-Type": "application/rss+xml"}))
    return server.url(path)


async def _subscribed(library: Library, url: str) -> dict[str, int]:
    feed = library.add_feed(url)
    report = await library.refresh([str(feed.id)])
    assert not report.failed, report
    return {story.title: story.id for story in library.stories(feed=feed.id)}


@pytest.fixture
async def tram_library(server: FeedServer, library: Library) -> tuple[Library, dict[str, int]]:
    """A feed with a short-summary story whose page is the full article, and a long one."""
    server.route("/news/tram", _html(article_page()))
    server.route("/news/long", _html(article_page("Budget explained at length")))
    url = _feed(
        server,
        "/feed.xml",
        [
            Item(DEFAULT_TITLE, guid="tram", link=server.url("/news/tram"), description=SHORT),
            Item(
                "Budget explained at length",
                guid="long",
                link=server.url("/news/long"),
                content=LONG,
            ),
        ],
        link=server.base,
    )
    return library, await _subscribed(library, url)


async def test_a_short_story_is_read_from_its_page_in_sections_without_the_clutter(
    server: FeedServer, tram_library: tuple[Library, dict[str, int]]
) -> None:
    library, ids = tram_library
    tram = ids[DEFAULT_TITLE]
    assert library.wants_page(list(ids.values())) == [tram]  # the long one does not fetch

    (outcome,) = await library.fetch_pages([tram])
    assert outcome.ok, outcome
    assert outcome.words > 150

    view = library.reader(tram)
    assert view.full_text
    assert [s.heading for s in view.article.sections] == [h for h, _ in DEFAULT_SECTIONS]
    assert "Harbour Street" in view.article.text  # the lead survived
    for clutter in CLUTTER:
        assert clutter not in view.article.text
    assert view.note.startswith("Full text from 127.0.0.1")
    assert "verified=true" in view.meta
    assert server.hits("/news/long") == []


async def test_a_stored_page_is_not_fetched_again_and_reads_offline(
    server: FeedServer, tram_library: tuple[Library, dict[str, int]], db_path: Path
) -> None:
    library, ids = tram_library
    tram = ids[DEFAULT_TITLE]
    await library.fetch_pages([tram])
    (again,) = await library.fetch_pages([tram])
    assert again.skipped and again.ok
    assert len(server.hits("/news/tram")) == 1
    assert library.wants_page([tram]) == []
    library.close()

    server.routes.clear()  # the network is gone: every request now gets a 404
    with Library(db_path) as offline:
        view = offline.reader(tram)
        assert view.full_text
        assert view.article.sections[0].heading == DEFAULT_SECTIONS[0][0]


async def test_extracted_words_are_found_by_search(
    tram_library: tuple[Library, dict[str, int]],
) -> None:
    library, ids = tram_library
    assert library.search("auditor") == []  # only on the page, not in the feed
    await library.fetch_pages([ids[DEFAULT_TITLE]])
    assert [r.story.id for r in library.search("auditor")] == [ids[DEFAULT_TITLE]]


async def test_a_failed_extraction_keeps_the_feed_text_with_a_note(
    server: FeedServer, library: Library
) -> None:
    server.route("/paper.pdf", Reply(200, pdf_bytes(), {"Content-Type": "application/pdf"}))
    server.route("/missing", Reply(404, b"gone"))
    url = _feed(
        server,
        "/feed.xml",
        [
            Item("A report", guid="pdf", link=server.url("/paper.pdf"), description=SHORT),
            Item("A lost page", guid="404", link=server.url("/missing"), description=SHORT),
        ],
    )
    ids = await _subscribed(library, url)
    outcomes = await library.fetch_pages(list(ids.values()))
    assert not any(o.ok for o in outcomes)
    for story_id in ids.values():
        view = library.reader(story_id)
        assert not view.full_text
        assert "first trams" in view.article.text  # the feed's own text
        assert view.note.startswith("Full article unavailable:")
    assert "PDF" in library.reader(ids["A report"]).note
    assert "404" in library.reader(ids["A lost page"]).note
    assert library.wants_page(list(ids.values())) == []  # not retried on its own


async def test_an_unreachable_page_is_not_stored_and_is_tried_again(
    server: FeedServer, library: Library
) -> None:
    url = _feed(
        server,
        "/feed.xml",
        [Item("Away", guid="away", link="http://127.0.0.1:9/nothing", description=SHORT)],
    )
    (story_id,) = (await _subscribed(library, url)).values()
    (outcome,) = await library.fetch_pages([story_id])
    assert outcome.network_error and not outcome.ok
    assert library.article(story_id) is None
    assert library.wants_page([story_id]) == [story_id]


async def test_verified_is_true_false_and_unknown_in_the_right_cases(
    server: FeedServer, library: Library
) -> None:
    server.route("/same", _html(article_page("Harbour wall repaired before the storms")))
    server.route("/changed", _html(article_page("Mayor resigns over the harbour deal")))
    entries = [
        Item("Harbour wall repaired before the storms", guid="a", link=server.url("/same")),
        Item("Harbour wall works start next week", guid="b", link=server.url("/changed")),
        Item("Not checked yet", guid="c", link=server.url("/later")),
        Item("Somewhere else entirely", guid="d", link="https://other.example/story"),
    ]
    for entry in entries:
        entry.description = SHORT
    ids = await _subscribed(library, _feed(server, "/feed.xml", entries))
    await library.fetch_pages([ids[entries[0].title], ids[entries[1].title]])

    def verified(title: str) -> str:
        return library.reader(ids[title]).meta.split("verified=")[1].split()[0]

    assert verified(entries[0].title) == "true"
    assert verified(entries[1].title) == "false"  # the page contradicts the feed
    assert "title" in library.story(ids[entries[1].title]).verified_note
    assert verified(entries[2].title) == "?"
    assert verified(entries[3].title) == "false"  # the link leads to another site


async def test_sentiment_is_labelled_once_stored_and_filterable(
    server: FeedServer, library: Library
) -> None:
    happy = Item(
        "Wonderful news: the beloved park reopens",
        guid="happy",
        description="<p>Families were delighted and thrilled, praising the excellent, "
        "beautiful new gardens. A great success and a joy for everyone.</p>",
    )
    sad = Item(
        "Terrible fire destroys homes",
        guid="sad",
        description="<p>A horrific, deadly fire killed three people and left dozens "
        "homeless. Residents are devastated, angry and afraid after the tragic disaster.</p>",
    )
    ids = await _subscribed(library, _feed(server, "/feed.xml", [happy, sad]))
    assert library.unlabelled() == 2
    assert library.label_pending() == 2
    assert library.unlabelled() == 0
    assert [s.id for s in library.stories(sentiment="positive")] == [ids[happy.title]]
    assert [s.id for s in library.stories(sentiment="negative")] == [ids[sad.title]]
    assert library.reader(ids[sad.title]).meta.endswith("sentiment=· negative")
    assert listed_ids(library, sentiment="positive") == [ids[happy.title]]


async def test_the_same_story_from_two_feeds_is_listed_once_with_both_sources(
    server: FeedServer, library: Library
) -> None:
    link = "https://news.example/2026/11/harbour-wall"
    first = _feed(
        server,
        "/a.xml",
        [
            Item("Harbour wall repaired", guid="a-1", link=f"{link}?utm_source=rss#top"),
            Item("Only in A", guid="a-2", link="https://news.example/only-a"),
        ],
        title="Harbour Gazette",
    )
    second = _feed(
        server,
        "/b.xml",
        [
            Item("Harbour wall repaired (update)", guid="b-1", link=f"{link}/"),
            Item("Same guid elsewhere", guid="urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
        ],
        title="County Wire",
    )
    third = _feed(
        server,
        "/c.xml",
        [Item("Same guid again", guid="urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427")],
        title="Third Feed",
    )
    a_ids = await _subscribed(library, first)
    await _subscribed(library, second)
    await _subscribed(library, third)

    titles = sorted(s.title for s in library.stories())
    assert titles == ["Harbour wall repaired", "Only in A", "Same guid elsewhere"]
    assert library.counts()[0] == 3
    merged = library.story(a_ids["Harbour wall repaired"])
    assert merged.sources == ("County Wire",)
    assert library.rows_for([merged.id])[merged.id].also == "County Wire"
    assert library.reader(merged.id).also == "also from County Wire"

    library.set_read([merged.id])
    library.remove_feed(first)  # the copy stands on its own, and keeps the read mark
    survivors = {s.title: s for s in library.stories()}
    assert survivors["Harbour wall repaired (update)"].read
    assert len(library.search("harbour")) == 1


async def test_a_hostile_page_is_read_as_plain_text(server: FeedServer, library: Library) -> None:
    server.route("/hostile", _html(hostile_page()))
    entry = Item("Council vote", guid="h", link=server.url("/hostile"), description=SHORT)
    (story_id,) = (await _subscribed(library, _feed(server, "/feed.xml", [entry]))).values()
    (outcome,) = await library.fetch_pages([story_id])
    assert outcome.ok, outcome
    view = library.reader(story_id)
    text = "\n".join(story_as_text(view))
    assert not BAD_CHARS.search(text), repr(text)
    assert "\x1b" not in text and "\x07" not in text
    assert "[@click=app.quit]x[/]" in text  # shown literally, as text
    assert "SCRIPT-TEXT" not in text and "STYLE-TEXT" not in text


async def test_a_page_too_large_or_too_slow_is_cut_off(server: FeedServer, db_path: Path) -> None:
    def endless(_request: Request) -> Reply:
        chunks = (b"<p>" + b"more words " * 100 + b"</p>" for _ in range(10**9))
        return Reply(200, chunks, {"Content-Type": "text/html"}, delay_per_chunk=0.01)

    server.route("/huge", Reply(200, b"<p>x</p>" * 400_000, {"Content-Type": "text/html"}))
    server.route("/endless", endless)
    settings = dataclasses.replace(
        Settings(), articles=ArticleSettings(max_page_mb=1, deadline=1.0)
    )
    entries = [
        Item("Huge", guid="huge", link=server.url("/huge"), description=SHORT),
        Item("Endless", guid="endless", link=server.url("/endless"), description=SHORT),
    ]
    with Library(db_path, settings) as library:
        ids = await _subscribed(library, _feed(server, "/feed.xml", entries))
        outcomes = {o.story_id: o for o in await library.fetch_pages(list(ids.values()))}
        assert "too large" in outcomes[ids["Huge"]].note
        assert "1 s" in outcomes[ids["Endless"]].note
        assert not any(o.ok for o in outcomes.values())


# -- upgrading a version-1 library --------------------------------------------------------


def _version_1_library(path: Path) -> None:
    """A library as newsterm's first schema wrote it: two feeds carrying the same story
    (one link with a tracking parameter), one story read, the copy bookmarked."""
    conn = sqlite3.connect(path)
    with conn:
        for statement in schema.SCHEMA_V1.split(";\n"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        now = "2026-11-20T10:00:00+00:00"
        for feed_id, title in ((1, "Harbour Gazette"), (2, "County Wire")):
            conn.execute(
                "INSERT INTO feeds (id, url, title, topic_name, topic_slug, added_at)"
                " VALUES (?, ?, ?, 'Local', 'local', ?)",
                (feed_id, f"https://feeds.example/{feed_id}.xml", title, now),
            )
        rows = [
            (1, 1, "a", "https://news.example/story?utm_medium=feed", "Shared", 0, 0),
            (2, 2, "b", "https://news.example/story", "Shared", 0, 1),
            (3, 2, "o", "https://news.example/own", "Own", 1, 0),
        ]
        for story_id, feed_id, key, link, title, read, bookmarked in rows:
            conn.execute(
                "INSERT INTO stories (id, feed_id, key, guid, link, title, first_seen,"
                " sort_date, read, read_at, bookmarked, bookmarked_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    story_id,
                    feed_id,
                    key,
                    key,
                    link,
                    title,
                    now,
                    now,
                    read,
                    now if read else None,
                    bookmarked,
                    now if bookmarked else None,
                ),
            )
            conn.execute(
                "INSERT INTO stories_fts (rowid, title, summary, content, feed_title)"
                " VALUES (?, ?, '', '', '')",
                (story_id, title),
            )
    conn.close()


def test_a_version_1_library_is_upgraded_keeping_marks_and_linking_copies(
    db_path: Path,
) -> None:
    _version_1_library(db_path)
    with Library(db_path) as upgraded:
        assert upgraded.story(3).read
        assert sorted(s.title for s in upgraded.stories()) == ["Own", "Shared"]
        assert upgraded.story(1).sources == ("County Wire",)
        # The bookmark given to the copy now shows on the story that is listed.
        assert [s.id for s in upgraded.stories(bookmarked=True)] == [1]
        assert upgraded.story(2).bookmarked  # and the copy keeps its own
        assert upgraded.counts() == (2, 1, 1)
    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()


def test_duplicate_and_labelling_lookups_never_scan_the_stories_table(db_path: Path) -> None:
    """Run once per feed in a refresh: a table scan there costs seconds at 100k stories."""
    from tui.core.store.duplicates import copies_of, find_originals, sources_of
    from tui.core.store.pages import unanalysed

    Library(db_path).close()
    conn = sqlite3.connect(db_path)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    find_originals(conn, 1, [("example.org/a", "urn:uuid:1b4e28ba-2fa1-11d2")])
    copies_of(conn, [1, 2])
    sources_of(conn, 1)
    unanalysed(conn, 5)
    conn.set_trace_callback(None)
    # Leave out what FTS5 runs on its own behalf (its config, the data version).
    ours = [sql for sql in statements if "stories_fts_" not in sql and "PRAGMA" not in sql]
    assert len(ours) == 5, statements
    for sql in ours:
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
        assert not [step for step in plan if step.startswith("SCAN") and "INDEX" not in step], (
            sql,
            plan,
        )
    conn.close()


# --- Chinese, Japanese and Korean: min_words and the read time in the library ------------


async def test_min_words_and_the_read_time_count_cjk_characters(
    server: FeedServer, library: Library
) -> None:
    long_body = "".join(f"<p>{paragraph}</p>" for paragraph in JAPANESE * 3)  # 1,266 chars
    short_body = f"<p>{JAPANESE[-1]}</p>"  # 43 characters: a summary
    entries = [
        Item("長い記事", guid="long", link=server.url("/long"), content=long_body),
        Item("短い記事", guid="short", link=server.url("/short"), description=short_body),
    ]
    feed = rss(entries, link=server.base)
    server.route("/feed.xml", Reply(200, feed, {"Content-Type": "application/rss+xml"}))
    added = library.add_feed(server.url("/feed.xml"))
    report = await library.refresh([str(added.id)])
    assert not report.failed, report
    ids = {story.title: story.id for story in library.stories(feed=added.id)}

    assert library.settings.articles.min_words == 150
    assert library.wants_page(list(ids.values())) == [ids["短い記事"]]
    view = library.reader(ids["長い記事"])
    assert view.read_line.startswith("read 3 min ")  # 1,266 characters at 500 a minute
