"""The query language over a small real library: each query against the set of stories it
must find, negation and combinations included; queries that cannot be read; and the plans
SQLite makes for the filters (no full scan where an index serves)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.core.errors import SearchQueryError
from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.store import search
from tui.core.store.query import compile_query

NOW = datetime.now(UTC)

#: title -> (feed, topic, link, author, age in days, body)
STORIES = {
    "Rust async runtimes compared": (
        "LWN", "Programming", "https://lwn.net/a/1", "ada", 1, "tokio and async io"
    ),
    "Kernel scheduler notes": (
        "LWN", "Programming", "https://www.lwn.net/a/2", "linus", 20, "the scheduler"
    ),
    "Glacier melt speeds up": (
        "Hacker News", "Science", "https://news.example.org/g", "mei", 3, "ice and water"
    ),
    "Comet seen at dawn": (
        "Hacker News", "Science", "https://sky.example.com/c", "ada", 400, "a comet"
    ),
    "Markets fall on rates": (
        "Wire", "World", "https://wire.example.net/m", "", 2, "rates and async markets"
    ),
}  # fmt: skip
READ = {"Kernel scheduler notes", "Comet seen at dawn"}
BOOKMARKED = {"Glacier melt speeds up"}
TONES = {
    "Glacier melt speeds up": "negative",
    "Markets fall on rates": "negative",
    "Comet seen at dawn": "positive",
}
VERIFIED = {"Rust async runtimes compared": 1, "Markets fall on rates": 0}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    path: Path = tmp_path_factory.mktemp("query") / "library.db"
    with Library(path) as opened:
        feeds: dict[str, list[ParsedEntry]] = {}
        topics: dict[str, str] = {}
        for title, (feed, topic, link, author, days, body) in STORIES.items():
            topics[feed] = topic
            feeds.setdefault(feed, []).append(
                ParsedEntry(
                    key=link,
                    title=title,
                    link=link,
                    author=author,
                    summary=body,
                    content_html=f"<p>{body}</p>",
                    published=NOW - timedelta(days=days),
                )
            )
        for feed, entries in feeds.items():
            added = opened.add_feed(
                f"https://{feed.lower().replace(' ', '')}.test/feed", title=feed, topic=topics[feed]
            )
            opened.ingest(added.id, ParsedFeed(title=feed, entries=tuple(entries)), now=NOW)
        ids = {s.title: s.id for s in opened.stories()}
        opened.set_read([ids[t] for t in READ])
        opened.set_bookmarked([ids[t] for t in BOOKMARKED])
        with sqlite3.connect(path) as conn:
            for title, tone in TONES.items():
                conn.execute("UPDATE stories SET sentiment = ? WHERE id = ?", (tone, ids[title]))
            for title, verified in VERIFIED.items():
                conn.execute("UPDATE stories SET verified = ? WHERE id = ?", (verified, ids[title]))
        conn.close()
        yield opened


def found(library: Library, query: str) -> set[str]:
    return {r.story.title for r in library.search(query, limit=100)}


EVERY = set(STORIES)


#: Queries and the stories each must find.
CASES = [
    ("async", {"Rust async runtimes compared", "Markets fall on rates"}),
    ('"async io"', {"Rust async runtimes compared"}),
    ("title:async", {"Rust async runtimes compared"}),
    ("sched*", {"Kernel scheduler notes"}),
    ("async NOT rates", {"Rust async runtimes compared"}),
    ("comet OR glacier", {"Comet seen at dawn", "Glacier melt speeds up"}),
    ("feed:lwn", {"Rust async runtimes compared", "Kernel scheduler notes"}),
    ('feed:"hacker news"', {"Glacier melt speeds up", "Comet seen at dawn"}),
    ("-feed:lwn", EVERY - {"Rust async runtimes compared", "Kernel scheduler notes"}),
    ("topic:science", {"Glacier melt speeds up", "Comet seen at dawn"}),
    ("topic:Science is:unread", {"Glacier melt speeds up"}),
    ("site:lwn.net", {"Rust async runtimes compared", "Kernel scheduler notes"}),
    ("site:example.org", {"Glacier melt speeds up"}),
    ("site:example", set()),
    ("author:ada", {"Rust async runtimes compared", "Comet seen at dawn"}),
    ("-author:ada", EVERY - {"Rust async runtimes compared", "Comet seen at dawn"}),
    ("is:unread", EVERY - READ),
    ("is:read", READ),
    ("-is:read", EVERY - READ),
    ("is:bookmarked", BOOKMARKED),
    ("tone:negative", {"Glacier melt speeds up", "Markets fall on rates"}),
    ("-tone:negative", EVERY - {"Glacier melt speeds up", "Markets fall on rates"}),
    ("verified:true", {"Rust async runtimes compared"}),
    ("verified:false", {"Markets fall on rates"}),
    ("age:<7d", EVERY - {"Kernel scheduler notes", "Comet seen at dawn"}),
    ("age:>1y", {"Comet seen at dawn"}),
    ("age:<4w -age:<1w", {"Kernel scheduler notes"}),
    ("async is:unread tone:negative", {"Markets fall on rates"}),
    ("async -feed:wire age:<7d", {"Rust async runtimes compared"}),
    ("is:unread -is:bookmarked topic:science", set()),
    ("topic:general", set()),
]  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_a_query_finds_exactly_its_stories(
    library: Library, query: str, expected: set[str]
) -> None:
    assert found(library, query) == expected


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_a_query_finds_the_same_past_the_newest_stories(
    library: Library, query: str, expected: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pool of one story never holds a page: every query is asked of the whole library
    # (its filters as sets when it has no words), as a rare one is in a big library.
    monkeypatch.setattr(search, "FILTER_POOL", 1)
    assert found(library, query) == expected
    assert {story.title for story in library.find(query, limit=100)} == expected


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("tone:happy", "tone:happy"),
        ("colour:red", "colour:red"),
        ("is:muted", "is:muted"),
        ("age:7d", "age:7d"),
        ("age:<7x", "age:<7x"),
        ("verified:maybe", "verified:maybe"),
        ("feed:", "feed:"),
        ('feed:"unterminated', '"unterminated'),
    ],
)
def test_a_query_that_cannot_be_read_is_one_sentence_naming_the_part(
    library: Library, query: str, names: str
) -> None:
    with pytest.raises(SearchQueryError) as refused:
        library.search(query)
    message = str(refused.value)
    assert names in message
    assert "\n" not in message and "Traceback" not in message


def test_a_value_typed_by_the_user_is_a_parameter_never_sql(library: Library) -> None:
    hostile = "x') OR 1=1 --"
    compiled = compile_query(f'feed:"{hostile}" author:"{hostile}"', now=NOW)
    assert hostile not in compiled.where
    assert compiled.params.count(hostile) == 3  # feed: looks in feeds and orphans
    assert found(library, f'feed:"{hostile}"') == set()


@pytest.mark.parametrize(
    ("query", "uses"),
    [
        ("is:bookmarked", "USING INDEX stories_bookmarked"),
        ("topic:science", "USING INDEX stories_by_feed_key (feed_id=?)"),
        ("tone:negative age:<7d", "USING INDEX stories_dated (sort_date>?)"),
        ("is:unread feed:lwn", "USING COVERING INDEX stories_by_feed_key (feed_id=?)"),
    ],
)
def test_filters_use_the_index_made_for_them(library: Library, query: str, uses: str) -> None:
    compiled = compile_query(query, now=NOW)
    plan = library._db.read(
        lambda conn: conn.execute(
            "EXPLAIN QUERY PLAN SELECT s.id FROM stories s LEFT JOIN feeds f ON f.id = s.feed_id"
            f" WHERE s.dup_of IS NULL AND ({compiled.where}) ORDER BY s.sort_date DESC LIMIT 50",
            compiled.params,
        ).fetchall()
    )
    steps = [str(row[3]) for row in plan]
    assert any(uses in step for step in steps), steps
    assert not [step for step in steps if step.startswith("SCAN s") and "INDEX" not in step]


def test_find_lists_the_matches_newest_first(library: Library) -> None:
    assert [s.title for s in library.find("async is:unread")] == [
        "Rust async runtimes compared",  # a day old
        "Markets fall on rates",  # two days old
    ]
    assert [s.title for s in library.find("feed:lwn", limit=1)] == ["Rust async runtimes compared"]
    with pytest.raises(SearchQueryError):
        library.find("tone:happy")


def test_list_query_on_the_command_line(library: Library) -> None:
    import json
    import subprocess
    import sys

    from tests.support.paths import PROJECT_ROOT

    done = subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(library.path), "list", "--query",
         "topic:science", "--unread", "--json"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [s["title"] for s in json.loads(done.stdout)] == ["Glacier melt speeds up"]
    bad = subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(library.path), "list", "--query", "age:soon"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "age:soon" in bad.stderr and "Traceback" not in bad.stderr


def test_list_view_runs_a_saved_search_from_the_config(library: Library, tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from tests.support.paths import PROJECT_ROOT

    config = tmp_path / "config.toml"
    config.write_text(
        '[[views]]\nname = "Bad news"\nquery = "tone:negative"\n\n'
        '[[views]]\nname = "Lwn"\nquery = "feed:lwn -is:read"\n',
        encoding="utf-8",
    )

    def newsterm(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tui", "--db", str(library.path), "--config", str(config),
             *args],
            cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip

    bad_news = newsterm("list", "--view", "bad news", "--json")
    assert bad_news.returncode == 0, bad_news.stderr
    assert {s["title"] for s in json.loads(bad_news.stdout)} == {
        "Glacier melt speeds up",
        "Markets fall on rates",
    }
    # A view narrows further with the other options, and its own filters hold.
    lwn = newsterm("list", "--view", "Lwn", "--json")
    assert [s["title"] for s in json.loads(lwn.stdout)] == ["Rust async runtimes compared"]
    unread_bad = newsterm("list", "--view", "Bad news", "--bookmarked", "--json")
    assert [s["title"] for s in json.loads(unread_bad.stdout)] == ["Glacier melt speeds up"]
    missing = newsterm("list", "--view", "Nope")
    assert missing.returncode == 1
    assert "'Nope'" in missing.stderr and "'Bad news', 'Lwn'" in missing.stderr


def test_views_in_the_config_are_read_and_checked() -> None:
    from tui.core.errors import ConfigError
    from tui.core.settings import View, parse_settings

    settings = parse_settings('[[views]]\nname = " Later "\nquery = "is:bookmarked"\n')
    assert settings.views == (View("Later", "is:bookmarked"),)
    for broken in (
        'views = "x"',
        "[[views]]\nquery = 'is:read'",
        "[[views]]\nname = 'A'",
        "[[views]]\nname = 'A'\nquery = 'x'\n[[views]]\nname = 'a'\nquery = 'y'",
    ):
        with pytest.raises(ConfigError):
            parse_settings(broken)
