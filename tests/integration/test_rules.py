"""Rules over a real library: what each action makes of a story as it is stored (by the
facade and by the refresh workers), worked out again when the rules change, never undoing
a mark a person set, never deleting anything, surviving an apply cut short, and refusing
a rule whose query cannot be read without changing anything."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.support.feeds import Item, rss
from tests.support.feedserver import FeedServer, feed_reply
from tests.support.index import index_in_step
from tests.support.listing import ids_of, listed_ids
from tui.core.errors import SearchQueryError
from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed, Topic
from tui.core.settings import Rule, Settings
from tui.core.store import rules as rule_store, schema
from tui.core.text.keys import link_key

NOW = datetime.now(UTC)

#: feed -> its topic
FEEDS = {"LWN": "Programming", "Hacker News": "Science", "Wire": "World"}
#: title -> (feed, author, age in days, body)
STORIES = {
    "Rust async runtimes compared": ("LWN", "ada", 1, "tokio and async io"),
    "Kernel scheduler notes": ("LWN", "linus", 2, "the scheduler"),
    "Sponsored: a faster VPN": ("Wire", "ads", 3, "sponsored words about a vpn"),
    "Glacier melt speeds up": ("Hacker News", "mei", 5, "ice and water"),
    "Comet seen at dawn": ("Hacker News", "ada", 8, "a comet"),
}
RUST, KERNEL, SPONSORED, GLACIER, COMET = STORIES


class Seen(NamedTuple):
    """A story as the lists show it (hidden ones included)."""

    hidden: bool = False
    read: bool = False
    bookmarked: bool = False
    highlight: str = ""
    topic: str = ""


def _url(feed: str) -> str:
    return f"https://{feed.lower().replace(' ', '')}.test/feed"


def _entry(
    title: str, *, body: str | None = None, days: float | None = None, author: str = ""
) -> ParsedEntry:
    """``title`` as its feed carries it (a story of :data:`STORIES`, or a new one)."""
    _feed, known_author, age, text = STORIES.get(title, ("", author, 0, ""))
    body = text if body is None else body
    link = f"https://stories.test/{title.lower().replace(' ', '-').replace(':', '')}"
    return ParsedEntry(
        key=link,
        title=title,
        link=link,
        author=known_author,
        summary=body,
        content_html=f"<p>{body}</p>",
        published=NOW - timedelta(days=age if days is None else days),
    )


def _store(library: Library, feed: str, *entries: ParsedEntry) -> None:
    added = library.add_feed(_url(feed), title=feed, topic=FEEDS[feed])
    library.ingest(added.id, ParsedFeed(title=feed, entries=entries), now=NOW)


def stock(library: Library, titles: Sequence[str] = tuple(STORIES)) -> None:
    """Store the stories named, each in its feed, as a refresh would."""
    for feed in FEEDS:
        entries = [_entry(t) for t in titles if STORIES[t][0] == feed]
        if entries:
            _store(library, feed, *entries)


@contextmanager
def opened(path: Path, rules: Sequence[Rule] = ()) -> Iterator[Library]:
    """The library with a config holding ``rules``."""
    with Library(path, Settings(rules=tuple(rules))) as library:
        yield library


def ids(library: Library) -> dict[str, int]:
    listed = listed_ids(library, with_hidden=True)
    return {row.title: row.id for row in library.rows_for(listed).values()}


def seen(library: Library) -> dict[str, Seen]:
    return {
        row.title: Seen(row.hidden, row.read, row.bookmarked, row.highlight, row.topic_slug)
        for row in library.rows_for(listed_ids(library, with_hidden=True)).values()
    }


def plain(**changes: Mapping[str, Any]) -> dict[str, Seen]:
    """Every story as stored with no rules, with ``changes`` by the first word of its
    title, lowercased: ``plain(rust={"read": True})``."""
    states = {
        title: Seen(topic=Topic.from_name(FEEDS[feed]).slug)
        for title, (feed, *_rest) in STORIES.items()
    }
    by_word = {title.split()[0].lower().rstrip(":"): title for title in STORIES}
    for word, change in changes.items():
        title = by_word[word]
        states[title] = states[title]._replace(**change)
    return states


HIDDEN = {"hidden": True}
READ = {"read": True}
BOOKMARKED = {"bookmarked": True}


# -- at ingest -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([Rule("vpn", "hide")], plain(sponsored=HIDDEN)),
        ([Rule("title:sponsored", "hide")], plain(sponsored=HIDDEN)),
        ([Rule("author:ada", "read")], plain(rust=READ, comet=READ)),
        ([Rule("feed:lwn", "bookmark")], plain(rust=BOOKMARKED, kernel=BOOKMARKED)),
        ([Rule("title:comet", "highlight", "green")], plain(comet={"highlight": "green"})),
        (
            [Rule("author:ada", "topic", "Ada Watch")],
            plain(rust={"topic": "ada-watch"}, comet={"topic": "ada-watch"}),
        ),
        (
            [Rule("author:ada", "highlight", "red"), Rule("feed:lwn", "highlight", "#00ff00")],
            plain(
                rust={"highlight": "red"},
                comet={"highlight": "red"},
                kernel={"highlight": "#00ff00"},
            ),
        ),
        (
            [Rule("title:comet", "topic", "Sky"), Rule("author:ada", "topic", "Ada Watch")],
            plain(comet={"topic": "sky"}, rust={"topic": "ada-watch"}),
        ),
        ([Rule("-feed:lwn age:<4d", "read")], plain(sponsored=READ)),
        ([Rule("site:stories.test -author:ada", "bookmark")], plain(
            kernel=BOOKMARKED, sponsored=BOOKMARKED, glacier=BOOKMARKED
        )),
        ([Rule('"async io" OR comet', "hide")], plain(rust=HIDDEN, comet=HIDDEN)),
        (
            [
                Rule("vpn", "hide"),
                Rule("vpn", "read"),
                Rule("vpn", "bookmark"),
                Rule("vpn", "highlight", "purple"),
                Rule("vpn", "topic", "Ads"),
            ],
            plain(
                sponsored={
                    "hidden": True,
                    "read": True,
                    "bookmarked": True,
                    "highlight": "purple",
                    "topic": "ads",
                }
            ),
        ),
        ([Rule("title:zebra", "hide")], plain()),
    ],
)  # fmt: skip
def test_the_rules_the_library_holds_act_on_stories_as_they_are_stored(
    db_path: Path, rules: list[Rule], expected: dict[str, Seen]
) -> None:
    with opened(db_path, rules) as library:
        report = library.apply_rules()  # on an empty library: only held from here on
        assert report.matched == (0,) * len(rules)
        stock(library)
        assert seen(library) == expected
        assert not library.rules_pending()


def test_a_hidden_story_is_left_out_of_lists_counts_topics_search_and_find_but_kept(
    db_path: Path,
) -> None:
    with opened(db_path, [Rule("vpn", "hide")]) as library:
        library.apply_rules()
        stock(library)
        sponsored = ids(library)[SPONSORED]
        others = set(STORIES) - {SPONSORED}

        assert {s.title for s in library.stories()} == others
        assert {r.title for r in library.story_rows()} == others
        assert sponsored not in listed_ids(library)
        assert library.stories(topic="World") == []
        assert library.counts() == (4, 4, 0)
        assert {(t.topic.slug, t.unread, t.total) for t in library.topics()} == {
            ("programming", 2, 2),
            ("science", 2, 2),
        }
        assert library.search("vpn") == []
        assert library.find("vpn") == []
        assert {s.title for s in library.find("-is:hidden")} == others
        # Asked for, it is there.
        assert [r.story.title for r in library.search("vpn is:hidden")] == [SPONSORED]
        assert [s.title for s in library.find("is:hidden")] == [SPONSORED]
        assert [s.title for s in library.find("vpn", with_hidden=True)] == [SPONSORED]
        assert library.count("vpn") == 1
        assert sponsored in listed_ids(library, with_hidden=True)
        assert library.rows_for([sponsored])[sponsored].hidden
        assert library.story(sponsored).title == SPONSORED


def test_a_topic_rule_files_stories_under_its_topic_everywhere_a_topic_is_used(
    db_path: Path,
) -> None:
    with opened(db_path, [Rule("author:ada", "topic", "Ada Watch")]) as library:
        library.apply_rules()
        stock(library)
        by_title = ids(library)

        index = library.story_index()
        order = ids_of(library, index)
        groups = {g.topic: order[g.start : g.start + g.count] for g in index.groups}
        assert groups == {
            Topic("Ada Watch", "ada-watch"): [by_title[RUST], by_title[COMET]],
            Topic("Programming", "programming"): [by_title[KERNEL]],
            Topic("Science", "science"): [by_title[GLACIER]],
            Topic("World", "world"): [by_title[SPONSORED]],
        }
        assert {s.title for s in library.find('topic:"ada watch"')} == {RUST, COMET}
        assert {s.title for s in library.find("topic:programming")} == {KERNEL}
        assert {s.title for s in library.find("-topic:ada-watch")} == {KERNEL, SPONSORED, GLACIER}
        assert [s.title for s in library.stories(topic="Ada Watch")] == [RUST, COMET]
        assert library.story(by_title[COMET]).topic == Topic("Ada Watch", "ada-watch")
        assert {t.topic.slug: t.total for t in library.topics()}["ada-watch"] == 2
        assert library.mark_topic_read("Ada Watch") == 2
        assert {s.title for s in library.stories(unread=True)} == {KERNEL, SPONSORED, GLACIER}


# -- in the refresh workers ----------------------------------------------------------------


def _item(title: str) -> Item:
    slug = title.lower().replace(" ", "-").replace(":", "")
    return Item(
        title=title,
        guid=f"urn:rules:{slug}",
        link=f"https://news.test/{slug}",
        description=f"<p>{title} in a few words.</p>",
        published=NOW - timedelta(hours=len(title)),
    )


async def test_rules_apply_in_the_refresh_workers_and_follow_a_change_of_rules(
    server: FeedServer, library: Library
) -> None:
    library.apply_rules(
        [
            Rule("title:sponsored", "hide"),
            Rule("title:digest", "read"),
            Rule("title:release", "bookmark"),
            Rule("title:security", "highlight", "red"),
            Rule("title:security", "topic", "Security"),
        ]
    )
    titles = ["Sponsored: a VPN", "Weekly digest", "Release 2.0", "Security advisory", "Plain"]
    documents = [rss([_item(t) for t in titles])]
    server.route("/feed", lambda _request: feed_reply(documents[-1]))
    feed = library.add_feed(server.url("/feed"), topic="News")

    report = await library.refresh([feed.id])

    assert report.new_stories == 5 and not report.failed
    assert seen(library) == {
        "Sponsored: a VPN": Seen(hidden=True, topic="news"),
        "Weekly digest": Seen(read=True, topic="news"),
        "Release 2.0": Seen(bookmarked=True, topic="news"),
        "Security advisory": Seen(highlight="red", topic="security"),
        "Plain": Seen(topic="news"),
    }

    # New rules: the workers store the next stories under them, not the old ones.
    library.apply_rules([Rule("title:digest", "hide"), Rule("title:plain", "highlight", "blue")])
    documents.append(rss([_item(t) for t in [*titles, "Sponsored: more", "Monthly digest"]]))

    report = await library.refresh([feed.id])

    assert report.new_stories == 2 and not report.failed
    assert seen(library) == {
        "Sponsored: a VPN": Seen(topic="news"),
        "Weekly digest": Seen(hidden=True, read=True, topic="news"),
        "Release 2.0": Seen(bookmarked=True, topic="news"),
        "Security advisory": Seen(topic="news"),
        "Plain": Seen(highlight="blue", topic="news"),
        "Sponsored: more": Seen(topic="news"),
        "Monthly digest": Seen(hidden=True, topic="news"),
    }


# -- retroactive ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        # A hide rule taken away un-hides; the one put in its place hides.
        ([Rule("vpn", "hide")], [Rule("comet", "hide")], plain(comet=HIDDEN)),
        ([Rule("vpn", "hide")], [], plain()),
        (
            [Rule("author:ada", "highlight", "green")],
            [Rule("author:ada", "highlight", "blue")],
            plain(rust={"highlight": "blue"}, comet={"highlight": "blue"}),
        ),
        # The order decides which colour wins: reordered rules are new rules.
        (
            [Rule("author:ada", "highlight", "red"), Rule("feed:lwn", "highlight", "blue")],
            [Rule("feed:lwn", "highlight", "blue"), Rule("author:ada", "highlight", "red")],
            plain(
                rust={"highlight": "blue"},
                kernel={"highlight": "blue"},
                comet={"highlight": "red"},
            ),
        ),
        # A topic rule taken away puts its stories back under their feeds' topics.
        ([Rule("author:ada", "topic", "Ada Watch")], [], plain()),
        (
            [Rule("author:ada", "topic", "Ada Watch")],
            [Rule("title:comet", "topic", "Sky")],
            plain(comet={"topic": "sky"}),
        ),
        # Marks are made once and kept like the user's own: they outlive their rule.
        ([Rule("author:ada", "read")], [], plain(rust=READ, comet=READ)),
        ([Rule("feed:wire", "bookmark")], [Rule("vpn", "hide")], plain(
            sponsored={"hidden": True, "bookmarked": True}
        )),
        # A hidden story is still matched by the other rules.
        ([], [Rule("vpn", "hide"), Rule("feed:wire", "highlight", "cyan")], plain(
            sponsored={"hidden": True, "highlight": "cyan"}
        )),
    ],
)  # fmt: skip
def test_changed_rules_are_pending_and_applying_them_works_every_effect_out_again(
    db_path: Path, before: list[Rule], after: list[Rule], expected: dict[str, Seen]
) -> None:
    with opened(db_path, before) as library:
        stock(library)  # stored before any rule was held
        assert seen(library) == plain()
        assert library.rules_pending() == bool(before)
        library.apply_rules()
        assert not library.rules_pending()
    with opened(db_path, after) as library:  # the config changed
        assert library.rules_pending()
        library.apply_rules()
        assert not library.rules_pending()
        assert seen(library) == expected
    with opened(db_path, after) as library:  # and a restart finds nothing left to do
        assert not library.rules_pending()
        assert seen(library) == expected


@pytest.mark.parametrize("chunk", [rule_store._CHUNK, 2])
def test_apply_progress_ends_with_done_equal_to_of_and_never_goes_back(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # Fewer ids per write transaction than the library holds: several chunks to report.
    monkeypatch.setattr(rule_store, "_CHUNK", chunk)
    rules = [Rule("vpn", "hide"), Rule("author:ada", "highlight", "red"), Rule("feed:lwn", "read")]
    with opened(db_path, rules) as library:
        stock(library)
        calls: list[tuple[int, int]] = []
        library.apply_rules(progress=lambda done, of: calls.append((done, of)))
    assert len(calls) >= len(rules) + 1
    (of,) = {of for _done, of in calls}
    assert calls[-1] == (of, of)
    done = [d for d, _of in calls]
    assert done == sorted(done) and done[0] > 0


def test_the_report_counts_each_rules_matches_the_stories_hidden_and_the_marks_made(
    db_path: Path,
) -> None:
    rules = [
        Rule("vpn", "hide"),
        Rule("feed:wire", "hide"),  # the same story: hidden once
        Rule("author:ada", "read"),
        Rule("feed:lwn", "bookmark"),
        Rule("feed:hacker", "highlight", "orange"),
    ]
    with opened(db_path, rules) as library:
        stock(library)
        library.set_read([ids(library)[COMET]])  # already read: no mark of the rule's

        report = library.apply_rules()

        assert report.matched == (1, 1, 2, 2, 2)
        assert (report.hidden, report.read, report.bookmarked) == (1, 1, 2)
        assert library.rule_counts() == [1, 1, 2, 2, 2]
        # Again, over the same library: nothing left to mark.
        again = library.apply_rules()
        assert (again.matched, again.hidden, again.read, again.bookmarked) == (
            (1, 1, 2, 2, 2),
            1,
            0,
            0,
        )


# -- never overriding a mark a person set ----------------------------------------------------


@pytest.mark.parametrize(
    ("action", "field"),
    [("read", "read"), ("bookmark", "bookmarked")],
)
def test_a_mark_undone_by_hand_stays_undone_when_a_rule_would_make_it_again(
    db_path: Path, action: str, field: str
) -> None:
    def mark(library: Library, title: str, flag: bool) -> None:
        setter = library.set_read if field == "read" else library.set_bookmarked
        setter([ids(library)[title]], flag)

    def flags(library: Library) -> dict[str, bool]:
        return {title: getattr(state, field) for title, state in seen(library).items()}

    rules = [Rule("feed:lwn", action)]
    with opened(db_path, rules) as library:
        stock(library)
        # Before any rule: Kernel's mark is set and taken back by hand.
        mark(library, KERNEL, True)
        mark(library, KERNEL, False)
        library.apply_rules()  # retroactive
        assert flags(library)[RUST] and not flags(library)[KERNEL]

        # The rule made Rust's mark; the person takes it back.
        mark(library, RUST, False)
        # The feed edits both stories and brings a new one: the rule applies at ingest.
        _store(
            library,
            "LWN",
            _entry(RUST, body="tokio, async io and more"),
            _entry(KERNEL, body="the scheduler, revised"),
            _entry("Filesystem news", days=0.5),
        )
        assert library.story(ids(library)[RUST]).summary == "tokio, async io and more"
        state = flags(library)
        assert (state[RUST], state[KERNEL], state["Filesystem news"]) == (False, False, True)

    # Changed rules applied over the library again: still the person's say.
    with opened(db_path, [*rules, Rule("vpn", "hide")]) as library:
        library.apply_rules()
        state = flags(library)
        assert (state[RUST], state[KERNEL], state["Filesystem news"]) == (False, False, True)


def _version_3_library(path: Path) -> None:
    """A library as schema 3 wrote it: one feed; a story read, one bookmarked, one both,
    and two with no mark."""
    conn = sqlite3.connect(path)
    with conn:
        for statement in schema.SCHEMA_V1.split(";\n"):
            if statement.strip():
                conn.execute(statement)
        schema.MIGRATIONS[1](conn)
        schema.MIGRATIONS[2](conn)
        conn.execute("PRAGMA user_version = 3")
        at = "2026-11-20T10:00:00+00:00"
        conn.execute(
            "INSERT INTO feeds (id, url, title, topic_name, topic_slug, added_at, status)"
            " VALUES (1, 'https://wire.test/feed', 'Wire', 'World', 'world', ?, 'ok')",
            (at,),
        )
        stories = [
            (1, "Sponsored: read before", 1, 0),
            (2, "Sponsored: bookmarked before", 0, 1),
            (3, "Sponsored: both before", 1, 1),
            (4, "Sponsored: untouched", 0, 0),
            (5, "Plain: untouched", 0, 0),
        ]
        for story_id, title, read, bookmarked in stories:
            link = f"https://wire.test/{story_id}"
            conn.execute(
                "INSERT INTO stories (id, feed_id, key, link, title, first_seen, sort_date,"
                " read, read_at, bookmarked, bookmarked_at, link_key)"
                " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    story_id,
                    link,
                    link,
                    title,
                    at,
                    at,
                    read,
                    at if read else None,
                    bookmarked,
                    at if bookmarked else None,
                    link_key(link),
                ),
            )
            conn.execute(
                "INSERT INTO stories_fts (rowid, title, summary, content, feed_title)"
                " VALUES (?, ?, '', '', 'Wire')",
                (story_id, title),
            )
    conn.close()


def test_marks_made_before_the_upgrade_to_rules_count_as_set_by_hand(db_path: Path) -> None:
    _version_3_library(db_path)
    marks = "SELECT id, read, bookmarked, by_hand FROM stories ORDER BY id"
    rules = [Rule("sponsored", "read"), Rule("sponsored", "bookmark")]
    with opened(db_path, rules) as library:
        upgraded = library._db.read(lambda conn: conn.execute(marks).fetchall())
        assert upgraded == [
            (1, 1, 0, 1),
            (2, 0, 1, 2),
            (3, 1, 1, 3),
            (4, 0, 0, 0),
            (5, 0, 0, 0),
        ]
        assert library.rules_pending()
        report = library.apply_rules()
        # Every mark kept; the rules make the marks missing, where no person set one.
        assert library._db.read(lambda conn: conn.execute(marks).fetchall()) == [
            (1, 1, 1, 1),
            (2, 1, 1, 2),
            (3, 1, 1, 3),
            (4, 1, 1, 0),
            (5, 0, 0, 0),
        ]
        assert (report.read, report.bookmarked) == (2, 2)
        # Taken back by hand after the upgrade: the rules leave it so.
        library.set_read([4], False)
        library.set_bookmarked([1], False)
    with opened(db_path, [*rules, Rule("plain", "highlight", "red")]) as library:
        report = library.apply_rules()
        assert (report.read, report.bookmarked) == (0, 0)
        assert not library.story(4).read and not library.story(1).bookmarked


# -- a rule never deletes anything -----------------------------------------------------------


def _rows_in_file(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
    conn.close()
    return int(stories), index_in_step(path)


@pytest.mark.parametrize(
    "rules",
    [
        [Rule("vpn", "hide")],
        [Rule("site:stories.test", "hide")],
        [Rule("age:<1y", "hide"), Rule("age:<1y", "read"), Rule("age:<1y", "topic", "All")],
        [Rule("is:unread", "hide"), Rule("is:hidden", "bookmark")],
    ],
)
def test_a_rule_never_deletes_a_story(db_path: Path, rules: list[Rule]) -> None:
    with opened(db_path, rules) as library:
        stock(library)
        before = _rows_in_file(db_path), len(library.story_index(with_hidden=True))
        library.apply_rules()
        stock(library)  # stored again under the rules: nothing is new, nothing goes
        after = _rows_in_file(db_path), len(library.story_index(with_hidden=True))
        assert after == before == ((5, 5), 5)
        for story_id in ids(library).values():
            assert library.story(story_id).title in STORIES
    with opened(db_path) as library:  # every rule taken away: every story listed again
        library.apply_rules()
        assert {s.title for s in library.stories()} == set(STORIES)


# -- an apply cut short ----------------------------------------------------------------------

CUT_RULES = [Rule("vpn", "hide"), Rule("author:ada", "highlight", "red"), Rule("feed:lwn", "read")]
CUT_EXPECTED = plain(
    sponsored=HIDDEN,
    rust={"highlight": "red", "read": True},
    comet={"highlight": "red"},
    kernel=READ,
)


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("cut_at", [1, 2, 3, 4, 5])
def test_an_apply_cut_short_is_pending_again_and_a_rerun_completes(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, cut_at: int
) -> None:
    # Two ids a write transaction: the later cuts fall between writes.
    monkeypatch.setattr(rule_store, "_CHUNK", 2)
    calls = 0

    def cut(_done: int, _of: int) -> None:
        nonlocal calls
        calls += 1
        if calls == cut_at:
            raise Interrupted

    with opened(db_path, [Rule("comet", "hide")]) as library:
        stock(library)
        library.apply_rules()
    with opened(db_path, CUT_RULES) as library:
        with pytest.raises(Interrupted):
            library.apply_rules(progress=cut)
        assert library.rules_pending()
    with opened(db_path, CUT_RULES) as library:  # the next start
        assert library.rules_pending()
        library.apply_rules()
        assert not library.rules_pending()
        assert seen(library) == CUT_EXPECTED


def test_an_apply_a_crash_left_unfinished_runs_again_at_the_next_start(db_path: Path) -> None:
    with opened(db_path, CUT_RULES) as library:
        stock(library)
        library.apply_rules()
        assert not library.rules_pending()
        # As a kill -9 between the first write and the last leaves it: the rules held,
        # the flag up, and an effect the apply had not reached yet.
        library.set_state(rule_store.APPLYING_KEY, "1")
        library._db.write(lambda conn: conn.execute("UPDATE stories SET hidden = 0"))
    with opened(db_path, CUT_RULES) as library:
        assert library.rules_pending()
        library.apply_rules()
        assert not library.rules_pending()
        assert library.get_state(rule_store.APPLYING_KEY) == ""
        assert seen(library) == CUT_EXPECTED


# -- rules that cannot be read ---------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "tone:happy",
        '"unclosed',
        "age:<7x",
        "colour:red",
        "AND",
        "title:",
        "rust AND",
        "title:self-hosted",  # FTS5 reads "-hosted" as a column
    ],
)
def test_a_rule_that_cannot_be_read_is_refused_by_number_and_nothing_changes(
    db_path: Path, bad: str
) -> None:
    held = [Rule("vpn", "hide")]
    with opened(db_path, held) as library:
        stock(library)
        library.apply_rules()
        before = seen(library)
        calls: list[tuple[int, int]] = []

        with pytest.raises(SearchQueryError) as refused:
            library.apply_rules(
                [Rule("author:ada", "read"), Rule(bad, "hide")],
                progress=lambda done, of: calls.append((done, of)),
            )

        message = str(refused.value)
        assert message.startswith(f"Rule 2 ({bad!r})"), message
        assert "\n" not in message and "Traceback" not in message
        assert calls == []
        assert seen(library) == before
        assert not library.rules_pending(held)  # the library holds the rules it held
        assert library.get_state(rule_store.APPLYING_KEY) in (None, "")
        with pytest.raises(SearchQueryError):
            library.rule_counts([Rule(bad, "hide")])
        # A story stored now meets the rules held, not the refused ones.
        _store(library, "LWN", _entry("Ada on allocators", days=0.5, author="ada"))
        _store(library, "Wire", _entry("Sponsored: vpn again", days=0.5, body="vpn"))
        assert seen(library)["Ada on allocators"] == Seen(topic="programming")
        assert seen(library)["Sponsored: vpn again"] == Seen(hidden=True, topic="world")


def test_a_rule_on_an_empty_library_is_checked_as_well(db_path: Path) -> None:
    with opened(db_path) as library:
        with pytest.raises(SearchQueryError, match=r"^Rule 1 \('AND'\)"):
            library.apply_rules([Rule("AND", "hide")])
        assert library.get_state(rule_store.RULES_KEY) is None


@pytest.mark.parametrize(
    ("held", "hidden"),
    [
        # Held by a library whose rules the language no longer reads: skipped, the rest
        # still applied.
        (
            rule_store.rules_json(
                [Rule("tone:happy", "hide"), Rule("AND", "hide"), Rule("vpn", "hide")]
            ),
            {SPONSORED},
        ),
        ("{not json", set()),
        ('[["only two", "hide"]]', set()),
    ],
)
def test_a_held_rule_that_cannot_be_read_never_stops_a_feed_being_stored(
    db_path: Path, held: str, hidden: set[str]
) -> None:
    with opened(db_path) as library:
        library.set_state(rule_store.RULES_KEY, held)
        stock(library)
        states = seen(library)
        assert set(states) == set(STORIES)
        assert {title for title, state in states.items() if state.hidden} == hidden


# -- the config's rules ----------------------------------------------------------------------


def test_the_rules_pending_are_the_configs_until_applied(db_path: Path) -> None:
    rules = (Rule("vpn", "hide"), Rule("author:ada", "highlight", "red"))
    with opened(db_path) as library:
        assert not library.rules_pending()  # no rules, none held
        assert library.rules_pending(rules)
        library.apply_rules(rules)
        assert not library.rules_pending(rules)
        assert library.rules_pending(tuple(reversed(rules)))  # the order is part of them
        assert library.rules_pending([replace(rules[1], value="blue"), rules[0]])
        assert library.rules_pending()  # the config (no rules) differs from those held


def test_a_tone_rule_acts_on_stories_once_their_tone_is_worked_out(db_path: Path) -> None:
    """Tones are labelled after a story is stored; the rules apply again then."""
    with opened(db_path, [Rule("tone:negative", "hide")]) as library:
        library.apply_rules()
        grim = "Terrible disaster leaves many dead and injured, a horrible tragedy"
        _store(library, "Wire", _entry(grim, body="awful, tragic, deadly, terrible losses"))
        _store(library, "LWN", _entry("A lovely sunny day", body="wonderful happy good fun"))
        assert not seen(library)[grim].hidden  # no tone yet
        library.label_pending()
        shown = seen(library)
        assert shown[grim].hidden
        assert not shown["A lovely sunny day"].hidden
