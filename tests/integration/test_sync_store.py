"""The library's sync bookkeeping, on a real library file and without a server.

Accounts, synced feeds and their stories are made with the same store functions a sync
uses (``insert_account``, ``_apply_feeds``, ``_store_items`` with the entries the workers
would make); the tests then look at what is queued for the server, what the server's
marks and feed list change here, and what stays when an account goes or an old library is
upgraded.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tui.core.errors import NewstermError
from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.store import accounts as account_queries, schema, stories as story_queries
from tui.core.store.accounts import QueuedMark, ServerMark
from tui.core.store.feeds import fetch_states
from tui.core.sync.engine import _apply_feeds, _server_is_newer, _store_items
from tui.core.sync.items import ServerFeed, ServerItem, ServerMarks
from tui.core.sync.jobs import item_entries
from tui.core.text.dates import to_iso
from tui.core.text.keys import link_key

ACCOUNT = "reader@sync.example"
NOW = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


# -- helpers -------------------------------------------------------------------------------


def rows(library: Library, sql: str, *params: object) -> list[tuple[Any, ...]]:
    return library._db.read(lambda conn: conn.execute(sql, params).fetchall())


def queued(library: Library) -> list[tuple[str, str, int, str]]:
    """The marks waiting for the server: (remote id, kind, flag, at)."""
    return [
        (str(r[0]), str(r[1]), int(r[2]), str(r[3]))
        for r in rows(
            library, "SELECT remote_id, kind, flag, at FROM sync_queue ORDER BY remote_id, kind"
        )
    ]


def feed_changes(library: Library, account_id: int) -> list[tuple[str, str, str | None, str]]:
    """The feed changes waiting for the server: (action, url, remote id, value)."""
    return [
        (c.action, c.feed_url, c.remote_id, c.value)
        for c in library._db.read(account_queries.feed_changes, account_id)
    ]


def add_account(library: Library, name: str = ACCOUNT) -> int:
    return library._db.write(
        account_queries.insert_account,
        name=name,
        api="miniflux",
        url="https://sync.example",
        user="reader",
        now=NOW,
    )


def feed_url(name: str) -> str:
    return f"https://feeds.example/{name.lower()}.xml"


def server_feed(remote_id: str, name: str, folder: str = "Tech") -> ServerFeed:
    return ServerFeed(remote_id, name, feed_url(name), f"https://{name.lower()}.example", folder)


def apply_feeds(library: Library, account_id: int, *served: ServerFeed) -> None:
    library._db.write(_apply_feeds, account_id, list(served), NOW)


def adopt(
    library: Library, account_id: int, remote_id: str, name: str, folder: str = "Tech"
) -> int:
    """A feed the server lists, as a sync adopts it (the others stay); its id here."""
    feed = server_feed(remote_id, name, folder)
    return library._db.write(
        account_queries.adopt_feed,
        account_id,
        remote_id=feed.id,
        url=feed.url,
        title=feed.title,
        site_url=feed.site_url,
        folder=feed.folder,
        now=NOW,
    )


def item(
    remote_id: str,
    feed_remote_id: str,
    *,
    link: str | None = None,
    read: bool = False,
    starred: bool = False,
) -> ServerItem:
    return ServerItem(
        id=remote_id,
        feed_id=feed_remote_id,
        title=f"Story {remote_id}",
        link=link if link is not None else f"https://news.example/{remote_id}",
        author="",
        html=f"<p>The body of story {remote_id}.</p>",
        published=NOW - timedelta(hours=1),
        read=read,
        starred=starred,
    )


def pull(library: Library, account_id: int, *items: ServerItem) -> int:
    """Store items from the server as a sync does; how many were new."""
    entries = item_entries(list(items), NOW)
    return library._db.write(_store_items, account_id, list(items), entries, NOW)


def local_feed(library: Library, name: str, links: dict[str, str], topic: str = "Tech") -> int:
    """A feed refreshed from its own address, with stories {title: link}; its id."""
    feed = library.add_feed(feed_url(name), topic=topic)
    entries = tuple(ParsedEntry(key=link, title=title, link=link) for title, link in links.items())
    library.ingest(feed.id, ParsedFeed(title=name, entries=entries), now=NOW)
    return feed.id


def story_ids(library: Library) -> dict[str, int]:
    """Every stored story (copies too) by title."""
    return {str(title): int(sid) for title, sid in rows(library, "SELECT title, id FROM stories")}


def story_row(library: Library, story_id: int) -> dict[str, Any]:
    names = ("feed_id", "remote_id", "read", "read_at", "bookmarked", "bookmarked_at", "dup_of")
    (row,) = rows(library, f"SELECT {', '.join(names)} FROM stories WHERE id = ?", story_id)
    return dict(zip(names, row, strict=True))


def remote_id_of(library: Library, feed_id: int) -> str | None:
    ((remote,),) = rows(library, "SELECT remote_id FROM feeds WHERE id = ?", feed_id)
    return None if remote is None else str(remote)


def count(library: Library, table: str) -> int:
    return int(rows(library, f"SELECT count(*) FROM {table}")[0][0])


@pytest.fixture
def account_id(library: Library) -> int:
    return add_account(library)


@pytest.fixture
def alpha(library: Library, account_id: int) -> int:
    """A synced feed (remote id 7, folder Tech) with three unread items, 101 to 103."""
    feed_id = adopt(library, account_id, "7", "Alpha")
    assert pull(library, account_id, *(item(str(n), "7") for n in (101, 102, 103))) == 3
    return feed_id


# -- 1. a mark on a synced story is queued with it -----------------------------------------


def test_a_mark_on_a_synced_story_is_queued_in_the_marks_own_transaction(
    library: Library, alpha: int
) -> None:
    ids = story_ids(library)
    assert queued(library) == []

    assert library.set_read([ids["Story 101"]], now=NOW) == 1
    assert library.set_bookmarked([ids["Story 102"]], now=NOW) == 1

    assert queued(library) == [
        ("101", "read", 1, to_iso(NOW)),
        ("102", "bookmarked", 1, to_iso(NOW)),
    ]
    assert story_row(library, ids["Story 101"])["read"] == 1
    assert library.sync_queued() == 2
    assert library.account(ACCOUNT).queued == 2


def test_a_mark_on_a_local_story_queues_nothing_even_with_an_account(
    library: Library, alpha: int
) -> None:
    local_feed(library, "Gamma", {"Local news": "https://gamma.example/local"})
    local = story_ids(library)["Local news"]

    assert library.set_read([local], now=NOW) == 1
    assert library.set_bookmarked([local], now=NOW) == 1

    assert story_row(library, local)["read"] == 1
    assert queued(library) == []
    assert library.sync_queued() == 0


def test_marking_a_synced_story_again_keeps_one_queue_row_with_the_last_flag_and_time(
    library: Library, alpha: int
) -> None:
    story = story_ids(library)["Story 101"]

    library.set_read([story], True, now=NOW)
    library.set_read([story], False, now=LATER)
    library.set_bookmarked([story], True, now=NOW)
    library.set_bookmarked([story], True, now=LATER)  # no change here, but said again

    assert queued(library) == [
        ("101", "bookmarked", 1, to_iso(LATER)),
        ("101", "read", 0, to_iso(LATER)),
    ]
    assert story_row(library, story)["read"] == 0


def test_marking_a_topic_read_queues_every_unread_synced_story_of_that_topic_only(
    library: Library, account_id: int, alpha: int
) -> None:
    adopt(library, account_id, "8", "Beta", folder="World")
    pull(library, account_id, item("201", "8"), item("104", "7", read=True))
    local_feed(library, "Gamma", {"Local news": "https://gamma.example/local"}, topic="Tech")

    assert library.mark_topic_read("Tech") == 4  # 101-103 and the local story

    assert [(remote, kind, flag) for remote, kind, flag, _at in queued(library)] == [
        ("101", "read", 1),
        ("102", "read", 1),
        ("103", "read", 1),
    ]
    ids = story_ids(library)
    assert story_row(library, ids["Local news"])["read"] == 1
    assert story_row(library, ids["Story 201"])["read"] == 0


def test_a_mark_on_a_local_story_queues_its_synced_copy(library: Library, account_id: int) -> None:
    local_feed(library, "Gamma", {"Shared": "https://news.example/shared"})
    adopt(library, account_id, "7", "Alpha")
    pull(library, account_id, item("301", "7", link="https://news.example/shared?utm_source=rss"))
    ids = story_ids(library)
    original, copy = ids["Shared"], ids["Story 301"]
    assert story_row(library, copy)["dup_of"] == original
    assert [s.id for s in library.stories()] == [original]  # the copy is not listed

    library.set_read([original], now=NOW)
    library.set_bookmarked([original], now=NOW)

    assert queued(library) == [
        ("301", "bookmarked", 1, to_iso(NOW)),
        ("301", "read", 1, to_iso(NOW)),
    ]
    assert story_row(library, copy)["read"] == 1
    assert story_row(library, copy)["bookmarked"] == 1


# -- 2. a mark and its queue row land together or not at all ------------------------------


def test_a_mark_whose_transaction_fails_leaves_neither_the_mark_nor_its_queue_row(
    library: Library, alpha: int
) -> None:
    story = story_ids(library)["Story 101"]

    def mark_then_fail(conn: sqlite3.Connection) -> None:
        story_queries.set_read(conn, [story], True, NOW)
        story_queries.set_bookmarked(conn, [story], True, NOW)
        # Both were written in this transaction before it failed.
        assert conn.execute("SELECT count(*) FROM sync_queue").fetchone()[0] == 2
        assert conn.execute("SELECT read FROM stories WHERE id = ?", (story,)).fetchone()[0] == 1
        raise RuntimeError("the process is stopped half-way")

    with pytest.raises(RuntimeError):
        library._db.write(mark_then_fail)

    assert queued(library) == []
    assert story_row(library, story)["read"] == 0
    assert story_row(library, story)["bookmarked"] == 0
    assert library.sync_queued() == 0


def test_a_queue_row_that_cannot_be_written_undoes_the_mark(library: Library, alpha: int) -> None:
    story = story_ids(library)["Story 101"]
    # SQLite itself refuses the queue row, after the mark's UPDATE ran in that transaction.
    library._db.write(
        lambda conn: conn.execute(
            "CREATE TRIGGER refuse_queue BEFORE INSERT ON sync_queue"
            " BEGIN SELECT RAISE(ABORT, 'the queue is refused'); END"
        )
    )

    with pytest.raises(NewstermError):
        library.set_read([story], now=NOW)

    assert story_row(library, story)["read"] == 0
    assert queued(library) == []


# -- 3. the server's marks -------------------------------------------------------------------


def test_server_marks_change_read_and_starred_except_queued_and_spared_stories(
    library: Library, account_id: int, alpha: int
) -> None:
    pull(library, account_id, item("104", "7"), item("105", "7", read=True))
    ids = story_ids(library)
    library.set_read([ids["Story 102"]], now=NOW)  # made here, still queued
    marks = [
        ServerMark("101", read=True, starred=True),  # two changes
        ServerMark("102", read=False, starred=True),  # queued here: untouched
        ServerMark("103", read=True, starred=True),  # pushed during this sync: untouched
        ServerMark("104", read=False, starred=False),  # as it is here
        ServerMark("105", read=False, starred=False),  # read here, unread there
        ServerMark("999", read=True, starred=True),  # not in this library
    ]

    changed = library._db.write(
        account_queries.apply_server_marks, account_id, marks, spare={"103"}, now=LATER
    )

    assert changed == 3
    rows_now = {title: story_row(library, sid) for title, sid in ids.items()}
    state = {
        t: (r["read"], r["read_at"], r["bookmarked"], r["bookmarked_at"])
        for t, r in rows_now.items()
    }
    assert state == {
        "Story 101": (1, to_iso(LATER), 1, to_iso(LATER)),
        "Story 102": (1, to_iso(NOW), 0, None),
        "Story 103": (0, None, 0, None),
        "Story 104": (0, None, 0, None),
        "Story 105": (0, None, 0, None),
    }
    # The server has these marks already: nothing new is queued.
    assert [r[0] for r in queued(library)] == ["102"]


def test_a_server_mark_on_a_synced_copy_reaches_the_listed_local_original(
    library: Library, account_id: int
) -> None:
    local_feed(library, "Gamma", {"Shared": "https://news.example/shared"})
    adopt(library, account_id, "7", "Alpha")
    pull(library, account_id, item("301", "7", link="https://news.example/shared"))
    ids = story_ids(library)
    original = ids["Shared"]

    changed = library._db.write(
        account_queries.apply_server_marks,
        account_id,
        [ServerMark("301", read=True, starred=True)],
        spare=set(),
        now=LATER,
    )

    assert changed == 2
    shown = library.story(original)
    assert (shown.read, shown.bookmarked) == (True, True)
    assert [s.id for s in library.stories(bookmarked=True)] == [original]
    assert queued(library) == []


# -- 4. forgetting pushed marks --------------------------------------------------------------


def test_dropping_pushed_marks_keeps_those_marked_again_while_the_push_was_on_its_way(
    library: Library, account_id: int, alpha: int
) -> None:
    ids = story_ids(library)
    library.set_read([ids["Story 101"], ids["Story 102"], ids["Story 103"]], now=NOW)
    pushed = library._db.read(account_queries.queued_marks, account_id)
    assert len(pushed) == 3

    library.set_read([ids["Story 101"]], False, now=NOW)  # same time, other flag
    library.set_read([ids["Story 102"]], True, now=LATER)  # same flag, later
    library._db.write(account_queries.drop_queued_marks, account_id, pushed)

    assert queued(library) == [
        ("101", "read", 0, to_iso(NOW)),
        ("102", "read", 1, to_iso(LATER)),
    ]


# -- 5. which side's mark is newer ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "server", "newer"),
    [
        pytest.param("read", (False, False, NOW + timedelta(seconds=1)), True, id="later-differs"),
        pytest.param(
            "bookmarked", (True, False, NOW + timedelta(hours=1)), True, id="later-unstarred"
        ),
        pytest.param("read", (True, False, NOW + timedelta(hours=1)), False, id="later-same-flag"),
        pytest.param(
            "read", (False, False, NOW.replace(microsecond=900_000)), False, id="same-second"
        ),
        pytest.param("read", (False, False, NOW - timedelta(seconds=1)), False, id="earlier"),
        pytest.param("read", (False, False, None), False, id="no-timestamp"),
    ],
)
def test_the_servers_mark_wins_only_when_it_changed_later_than_ours_and_differs(
    kind: str, server: tuple[bool, bool, datetime | None], newer: bool
) -> None:
    ours = QueuedMark("101", kind, True, str(to_iso(NOW)))
    assert _server_is_newer(ours, ServerMarks(changed={"101": server})) is newer


def test_a_queued_mark_the_server_says_nothing_of_is_never_beaten() -> None:
    ours = QueuedMark("101", "read", True, str(to_iso(NOW)))
    later = ServerMarks(changed={"202": (False, False, LATER)})
    assert _server_is_newer(ours, later) is False
    assert _server_is_newer(ours, ServerMarks(unread={"101"}, starred=set())) is False


# -- 6. the feed queue -------------------------------------------------------------------------


def test_a_feed_added_to_an_account_queues_its_subscribe_and_is_left_out_of_refreshes(
    library: Library, account_id: int
) -> None:
    local = library.add_feed(feed_url("Gamma"))
    feed = library.add_feed(feed_url("Alpha"), topic="Tech", account=ACCOUNT)

    assert feed.account == ACCOUNT
    assert remote_id_of(library, feed.id) is None
    assert feed_changes(library, account_id) == [("subscribe", feed_url("Alpha"), None, "Tech")]
    assert [s.feed_id for s in library._db.read(fetch_states)] == [local.id]
    assert library._db.read(fetch_states, [feed.id]) == []
    assert library.sync_queued() == 1


def test_adding_a_feed_already_subscribed_to_an_account_queues_nothing(
    library: Library, account_id: int
) -> None:
    local = library.add_feed(feed_url("Gamma"))

    again = library.add_feed(feed_url("Gamma"), account=ACCOUNT)

    assert again.id == local.id
    assert again.account is None
    assert feed_changes(library, account_id) == []


def test_refiling_renaming_and_removing_a_synced_feed_queue_the_change_with_its_remote_id(
    library: Library, account_id: int, alpha: int
) -> None:
    url = feed_url("Alpha")
    library.set_read([story_ids(library)["Story 101"]], now=NOW)

    assert library.set_feed_topic(alpha, "World").topic.name == "World"
    assert library.set_feed_title(alpha, "Alpha Daily").title == "Alpha Daily"
    library.remove_feed(alpha)

    assert feed_changes(library, account_id) == [
        ("topic", url, "7", "World"),
        ("rename", url, "7", "Alpha Daily"),
        ("unsubscribe", url, "7", ""),
    ]
    # The server drops the feed's items with it: a mark for one could never be taken.
    assert queued(library) == []


def test_changing_or_removing_a_local_feed_queues_nothing(
    library: Library, account_id: int
) -> None:
    gamma = local_feed(library, "Gamma", {"Local news": "https://gamma.example/local"})

    library.set_feed_topic(gamma, "World")
    library.set_feed_title(gamma, "Gamma Daily")
    library.remove_feed(gamma)

    assert feed_changes(library, account_id) == []
    assert library.sync_queued() == 0


def test_attaching_a_local_feed_queues_one_subscribe_and_ends_its_refreshes(
    library: Library, account_id: int
) -> None:
    gamma = local_feed(library, "Gamma", {"Local news": "https://gamma.example/local"})

    assert library.attach_feed(gamma, ACCOUNT).account == ACCOUNT
    assert library.attach_feed(feed_url("Gamma"), ACCOUNT).account == ACCOUNT

    assert feed_changes(library, account_id) == [("subscribe", feed_url("Gamma"), None, "Tech")]
    assert library._db.read(fetch_states) == []
    assert [s.title for s in library.stories()] == ["Local news"]  # stays until matched


def test_removing_a_feed_before_its_subscribe_was_pushed_leaves_nothing_queued_for_it(
    library: Library, account_id: int
) -> None:
    feed = library.add_feed(feed_url("Alpha"), topic="Tech", account=ACCOUNT)

    library.remove_feed(feed.id)

    assert feed_changes(library, account_id) == []


# -- 7. the server's feed list ----------------------------------------------------------------


def test_a_new_server_feed_is_adopted_under_its_folder_as_topic(
    library: Library, account_id: int
) -> None:
    apply_feeds(
        library, account_id, server_feed("7", "Alpha", "Tech"), server_feed("8", "Beta", "")
    )

    feeds = {f.url: f for f in library.feeds()}
    alpha, beta = feeds[feed_url("Alpha")], feeds[feed_url("Beta")]
    assert (alpha.title, alpha.topic.name, alpha.account) == ("Alpha", "Tech", ACCOUNT)
    assert (beta.topic.name, beta.account) == ("General", ACCOUNT)
    assert remote_id_of(library, alpha.id) == "7"
    assert remote_id_of(library, beta.id) == "8"
    assert feed_changes(library, account_id) == []  # it came from there: nothing to tell


def test_a_local_feed_with_the_servers_address_becomes_synced_and_keeps_its_stories(
    library: Library, account_id: int
) -> None:
    gamma = local_feed(
        library,
        "Gamma",
        {"Read here": "https://gamma.example/1", "Kept here": "https://gamma.example/2"},
        topic="Local",
    )
    ids = story_ids(library)
    library.set_read([ids["Read here"]], now=NOW)
    library.set_bookmarked([ids["Kept here"]], now=NOW)

    apply_feeds(library, account_id, server_feed("9", "Gamma", "News"))

    feed = library.feed(gamma)
    assert (feed.account, feed.topic.name) == (ACCOUNT, "News")
    assert remote_id_of(library, gamma) == "9"
    assert len(library.feeds()) == 1
    assert {s.title: (s.read, s.bookmarked) for s in library.stories(feed=gamma)} == {
        "Read here": (True, False),
        "Kept here": (False, True),
    }
    assert library._db.read(fetch_states) == []


def test_a_server_rename_and_refile_are_applied_here(
    library: Library, account_id: int, alpha: int
) -> None:
    apply_feeds(
        library, account_id, ServerFeed("7", "Alpha Weekly", feed_url("Alpha"), "", "World")
    )

    feed = library.feed(alpha)
    assert (feed.title, feed.topic.name) == ("Alpha Weekly", "World")
    assert {s.feed_title for s in library.stories(feed=alpha)} == {"Alpha Weekly"}
    assert [r.story.id for r in library.search("Weekly")]  # the search text follows


def test_a_server_rename_and_refile_wait_while_a_change_made_here_is_queued(
    library: Library, account_id: int, alpha: int
) -> None:
    library.set_feed_topic(alpha, "Science")

    apply_feeds(
        library, account_id, ServerFeed("7", "Alpha Weekly", feed_url("Alpha"), "", "World")
    )

    feed = library.feed(alpha)
    assert (feed.title, feed.topic.name) == ("Alpha", "Science")
    assert feed_changes(library, account_id) == [("topic", feed_url("Alpha"), "7", "Science")]


def test_a_feed_gone_from_the_server_is_removed_but_its_bookmarked_stories_stay(
    library: Library, account_id: int, alpha: int
) -> None:
    pull(library, account_id, item("104", "7", starred=True))
    ids = story_ids(library)
    kept = ids["Story 104"]
    library.set_read([ids["Story 101"]], now=NOW)

    apply_feeds(library, account_id)  # the server lists no feed any more

    assert library.feeds() == []
    assert queued(library) == []  # the server has no item left to take it
    assert [(s.id, s.feed_id, s.feed_title, s.topic.name) for s in library.stories()] == [
        (kept, None, "Alpha", "Tech")
    ]
    assert count(library, "stories") == 1


def test_a_feed_the_server_lists_under_a_new_id_stays_here_with_its_stories(
    library: Library, account_id: int, alpha: int
) -> None:
    # Unsubscribed and subscribed again on the server's own pages between two syncs.
    apply_feeds(library, account_id, ServerFeed("12", "Alpha", feed_url("Alpha"), "", "Tech"))

    assert [f.id for f in library.feeds()] == [alpha]
    assert remote_id_of(library, alpha) == "12"
    assert count(library, "stories") == 3


def test_a_feed_gone_from_the_server_stays_while_a_change_to_it_waits(
    library: Library, account_id: int, alpha: int
) -> None:
    library.set_feed_title(alpha, "Alpha Daily")

    apply_feeds(library, account_id)

    assert [f.id for f in library.feeds()] == [alpha]
    assert count(library, "stories") == 3


def test_a_feed_waiting_for_its_subscribe_is_kept_when_the_server_does_not_list_it_yet(
    library: Library, account_id: int, alpha: int
) -> None:
    waiting = library.add_feed(feed_url("Beta"), topic="World", account=ACCOUNT)

    apply_feeds(library, account_id, server_feed("7", "Alpha"))

    assert sorted(f.id for f in library.feeds()) == sorted([alpha, waiting.id])
    assert remote_id_of(library, waiting.id) is None
    assert feed_changes(library, account_id) == [("subscribe", feed_url("Beta"), None, "World")]


# -- 8. a local feed's stories meet the server's items -----------------------------------------


@pytest.fixture
def matched(library: Library, account_id: int) -> dict[str, int]:
    """A local feed with a read, a bookmarked and an untouched story becomes synced, then
    the server's items come: the same three (one link with a tracking parameter) and a new
    one. Returns story ids by title."""
    local_feed(
        library,
        "Gamma",
        {
            "Read here": "https://gamma.example/1",
            "Kept here": "https://gamma.example/2",
            "Read there": "https://gamma.example/3",
        },
    )
    ids = story_ids(library)
    library.set_read([ids["Read here"]], now=NOW)
    library.set_bookmarked([ids["Kept here"]], now=NOW)
    apply_feeds(library, account_id, server_feed("9", "Gamma"))
    assert queued(library) == []  # the marks were made while the feed was local

    new = pull(
        library,
        account_id,
        item("501", "9", link="https://gamma.example/1"),
        item("502", "9", link="https://gamma.example/2?utm_source=rss", read=True),
        item("503", "9", link="https://gamma.example/3", read=True, starred=True),
        item("504", "9", link="https://gamma.example/4"),
    )
    assert new == 1
    return story_ids(library)


def test_server_items_matching_local_stories_by_link_take_the_server_id_and_are_not_stored_twice(
    library: Library, matched: dict[str, int]
) -> None:
    assert sorted(matched) == ["Kept here", "Read here", "Read there", "Story 504"]
    assert {title: story_row(library, sid)["remote_id"] for title, sid in matched.items()} == {
        "Read here": "501",
        "Kept here": "502",
        "Read there": "503",
        "Story 504": "504",
    }
    assert all(story_row(library, sid)["dup_of"] is None for sid in matched.values())
    assert len(library.stories()) == 4


def test_a_local_mark_the_server_lacks_is_queued_when_its_story_is_matched(
    library: Library, matched: dict[str, int]
) -> None:
    assert queued(library) == [
        ("501", "read", 1, to_iso(NOW)),
        ("502", "bookmarked", 1, to_iso(NOW)),
    ]


def test_a_server_mark_is_kept_here_when_its_story_is_matched(
    library: Library, matched: dict[str, int]
) -> None:
    marks = {s.title: (s.read, s.bookmarked) for s in library.stories()}
    assert marks == {
        "Read here": (True, False),
        "Kept here": (True, True),
        "Read there": (True, True),
        "Story 504": (False, False),
    }
    assert story_row(library, matched["Read there"])["bookmarked_at"] == to_iso(NOW)


# -- 9. removing an account -------------------------------------------------------------------


def test_removing_an_account_keeps_its_bookmarked_stories_as_local_ones_and_empties_its_queues(
    library: Library, account_id: int, alpha: int
) -> None:
    adopt(library, account_id, "8", "Beta", folder="World")
    pull(library, account_id, item("104", "7", starred=True), item("201", "8"))
    gamma = local_feed(library, "Gamma", {"Local news": "https://gamma.example/local"})
    ids = story_ids(library)
    library.set_bookmarked([ids["Story 201"]], now=NOW)
    library.set_feed_title(alpha, "Alpha Daily")
    assert library.sync_queued() == 2

    assert library.remove_account(ACCOUNT) == 2

    assert [(f.id, f.account) for f in library.feeds()] == [(gamma, None)]
    assert library.accounts() == []
    for title in ("Story 104", "Story 201"):
        row = story_row(library, ids[title])
        assert (row["feed_id"], row["remote_id"], row["bookmarked"]) == (None, None, 1)
    assert sorted(s.title for s in library.stories()) == ["Local news", "Story 104", "Story 201"]
    assert count(library, "sync_queue") == 0
    assert count(library, "feed_queue") == 0
    assert library.sync_queued() == 0


# -- 10. upgrading a version 2 library -----------------------------------------------------------


def _version_2_library(path: Path) -> None:
    """A library as schema 2 wrote it: two feeds carrying the same story (the copy
    bookmarked), a read story with its fetched page, and a bookmark kept from a feed
    removed earlier."""
    conn = sqlite3.connect(path)
    with conn:
        for statement in schema.SCHEMA_V1.split(";\n"):
            if statement.strip():
                conn.execute(statement)
        schema.MIGRATIONS[1](conn)
        conn.execute("PRAGMA user_version = 2")
        now = "2026-11-20T10:00:00+00:00"
        for feed_id, title in ((1, "Harbour Gazette"), (2, "County Wire")):
            conn.execute(
                "INSERT INTO feeds (id, url, title, topic_name, topic_slug, added_at, status)"
                " VALUES (?, ?, ?, 'Local', 'local', ?, 'ok')",
                (feed_id, f"https://feeds.example/{feed_id}.xml", title, now),
            )
        stories = [
            (1, 1, "https://news.example/shared", "Shared", 0, 0, None),
            (2, 2, "https://news.example/shared?utm_medium=feed", "Shared", 0, 1, 1),
            (3, 2, "https://news.example/own", "Own", 1, 0, None),
            (4, None, "https://old.example/kept", "Kept", 1, 1, None),
        ]
        for story_id, feed_id, link, title, read, bookmarked, dup_of in stories:
            conn.execute(
                "INSERT INTO stories (id, feed_id, key, link, title, first_seen, sort_date,"
                " read, read_at, bookmarked, bookmarked_at, link_key, dup_of,"
                " orphan_feed_url, orphan_feed_title, orphan_topic_name, orphan_topic_slug)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    story_id,
                    feed_id,
                    link,
                    link,
                    title,
                    now,
                    now,
                    read,
                    now if read else None,
                    bookmarked,
                    now if bookmarked else None,
                    link_key(link),
                    dup_of,
                    *(
                        ("https://old.example/feed.xml", "Old Times", "Archive", "archive")
                        if feed_id is None
                        else (None, None, None, None)
                    ),
                ),
            )
            conn.execute(
                "INSERT INTO stories_fts (rowid, title, summary, content, feed_title)"
                " VALUES (?, ?, '', '', '')",
                (story_id, title),
            )
        conn.execute(
            "INSERT INTO articles (story_id, url, status, html, text, words, fetched_at)"
            " VALUES (3, 'https://news.example/own', 'ok', '<p>Own words</p>', 'Own words',"
            " 2, ?)",
            (now,),
        )
    conn.close()


MARKS = "SELECT id, read, read_at, bookmarked, bookmarked_at, dup_of FROM stories ORDER BY id"


def test_a_version_2_library_is_upgraded_keeping_every_mark_and_every_feed_local(
    db_path: Path,
) -> None:
    _version_2_library(db_path)
    before = sqlite3.connect(db_path)
    marks_before = before.execute(MARKS).fetchall()
    before.close()

    with Library(db_path) as upgraded:
        assert rows(upgraded, MARKS) == marks_before
        assert [(f.title, f.account) for f in upgraded.feeds()] == [
            ("County Wire", None),
            ("Harbour Gazette", None),
        ]
        assert upgraded.accounts() == []
        assert sorted((s.title, s.read, s.bookmarked) for s in upgraded.stories()) == [
            ("Kept", True, True),
            ("Own", True, False),
            ("Shared", False, False),
        ]
        assert upgraded.story(2).bookmarked
        assert upgraded.story(1).sources == ("County Wire",)
        assert upgraded.article(3) is not None
        assert len(upgraded._db.read(fetch_states)) == 2  # both still refreshed from their URLs
        assert rows(upgraded, "SELECT count(*) FROM stories WHERE remote_id IS NOT NULL") == [(0,)]
        # A mark made after the upgrade has no server to wait for.
        upgraded.set_read([1], now=NOW)
        assert upgraded.sync_queued() == 0

    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []
    check.close()
