"""The sync engine through the library, against a real Miniflux over each of its three APIs:
signing in, the first and the later syncs, marks both ways and in conflict, a server that
goes away or answers wrongly half-way, and feed changes made here.

Every test starts from a new library and the same 20 feeds in 3 folders, all unread and
unstarred (the ``wide`` fixture puts the server back).
"""

from __future__ import annotations

import asyncio
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.sync.conftest import WIDE_FOLDERS, WIDE_ITEMS, WideAccount
from tests.support.feeds import items, rss
from tests.support.feedserver import feed_reply
from tests.support.miniflux import ADMIN, ADMIN_PASSWORD
from tests.support.sync_proxy import FAILURES, Failure, Match, SyncProxy
from tui.core.errors import NewstermError, SyncError
from tui.core.library import Library
from tui.core.models import Story, SyncReport
from tui.core.sync.credentials import FILE_NAME

APIS = ["greader", "miniflux", "fever"]
EDITING_APIS = ["greader", "miniflux"]  # the Fever API cannot change subscriptions

# -- helpers -------------------------------------------------------------------------------


async def add(library: Library, wide: WideAccount, api: str, url: str | None = None) -> str:
    found = await library.add_account(url or wide.server.url, ADMIN, wide.secret(api), api=api)
    return found.account.name


async def sync_ok(library: Library) -> SyncReport:
    (report,) = await library.sync()
    assert report.ok, report.error
    return report


async def synced(library: Library, wide: WideAccount, api: str, url: str | None = None) -> str:
    """Add the account and sync it once; its name."""
    name = await add(library, wide, api, url)
    await sync_ok(library)
    return name


def pick(library: Library, *places: int) -> list[Story]:
    """Stories here, by their place in title order."""
    every = sorted(library.stories(), key=lambda s: s.title)
    return [every[place] for place in places]


def marks(library: Library) -> dict[str, tuple[bool, bool]]:
    return {s.title: (s.read, s.bookmarked) for s in library.stories()}


def now(library: Library, story: Story) -> tuple[bool, bool]:
    again = library.story(story.id)
    return again.read, again.bookmarked


def assert_agree(library: Library, wide: WideAccount) -> None:
    """Every story here has the server's marks."""
    here, there = marks(library), wide.marks()
    assert here == {title: there[title] for title in here}


def assert_one_sentence(message: str, *secrets: str) -> None:
    assert message and "\n" not in message, message
    assert message[0].isupper() and message.endswith((".", "?")), message
    for secret in (ADMIN_PASSWORD, *secrets):
        assert secret not in message, message


# -- signing in ----------------------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
async def test_a_good_login_says_what_the_server_holds(
    library: Library, wide: WideAccount, api: str
) -> None:
    found = await library.add_account(wide.server.url, ADMIN, wide.secret(api), api=api)

    port = wide.server.url.rsplit(":", 1)[1]
    assert found.account.name == f"{ADMIN}@127.0.0.1:{port}"
    assert found.account.api == api
    assert (found.feeds, found.folders) == (20, 3)
    assert found.unread == len(wide.entries())
    assert found.warning == ""  # loopback http is not worth a warning
    assert found.sentence().endswith(f": 20 feeds in 3 folders, {found.unread} unread.")
    assert [a.name for a in library.accounts()] == [found.account.name]


@pytest.mark.parametrize("api", APIS)
async def test_a_bad_password_is_one_sentence_and_adds_nothing(
    library: Library, wide: WideAccount, api: str
) -> None:
    wrong = "wrong-password-7741"
    with pytest.raises(SyncError) as caught:
        await library.add_account(wide.server.url, ADMIN, wrong, api=api)

    assert_one_sentence(str(caught.value), wrong)
    assert "refused" in str(caught.value)
    assert library.accounts() == []
    assert not (library.path.parent / FILE_NAME).exists()


# -- the first sync and the later ones -----------------------------------------------------


@pytest.mark.parametrize("api", APIS)
async def test_the_first_sync_brings_every_feed_in_its_folder_and_every_story_with_its_marks(
    library: Library, wide: WideAccount, api: str
) -> None:
    wide.set_read(["Feed01 0", "Feed09 1", "Feed20 2"], True)
    wide.set_starred(["Feed01 0", "Feed15 0"], True)
    name = await add(library, wide, api)

    report = await sync_ok(library)

    entries = wide.entries()
    assert report.new == len(entries) == 20 * WIDE_ITEMS
    feeds = library.feeds()
    assert len(feeds) == 20 and {f.account for f in feeds} == {name}
    for feed in feeds:
        feed_name = feed.url.rsplit("/", 1)[1].removesuffix(".xml")
        assert (feed.title, feed.topic.name) == (wide.titles[feed_name], wide.folders[feed_name])
    assert {t.topic.name: t.total for t in library.topics()} == {
        folder: count * WIDE_ITEMS for folder, count in WIDE_FOLDERS.items()
    }
    assert marks(library) == wide.marks()
    assert library.counts() == (len(entries), len(entries) - 3, 2)
    assert library.sync_queued() == 0


@pytest.mark.parametrize("api", APIS)
async def test_a_later_sync_brings_only_what_is_new(
    library: Library, wide: WideAccount, api: str
) -> None:
    await synced(library, wide, api)
    before = {s.title: s.id for s in library.stories()}

    idle = await sync_ok(library)
    assert (idle.new, idle.pulled, idle.pushed, idle.queued) == (0, 0, 0, 0)
    assert idle.requests <= 6

    title = wide.add_item("feed07")
    fresh = await sync_ok(library)

    assert fresh.new == 1
    after = {s.title: s.id for s in library.stories()}
    assert set(after) - set(before) == {title}
    assert {t: after[t] for t in before} == before  # the stories already here stay as they were
    assert library.stories(feed=wide.url("feed07"))[0].title == title
    assert len(after) == len(wide.entries())


# -- marks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
async def test_read_unread_star_and_unstar_travel_both_ways(
    library: Library, wide: WideAccount, api: str
) -> None:
    await synced(library, wide, api)
    mine, theirs = pick(library, 7, 33)

    # Made here: on the server after a sync.
    library.set_read([mine.id], True)
    library.set_bookmarked([mine.id], True)
    assert library.sync_queued() == 2
    pushed = await sync_ok(library)
    assert pushed.pushed == 2 and pushed.queued == 0
    assert wide.marks()[mine.title] == (True, True)
    library.set_read([mine.id], False)
    library.set_bookmarked([mine.id], False)
    await sync_ok(library)
    assert wide.marks()[mine.title] == (False, False)

    # Made on the server: here after a sync.
    wide.set_read([theirs.title], True)
    wide.set_starred([theirs.title], True)
    pulled = await sync_ok(library)
    assert pulled.pulled == 2
    assert now(library, theirs) == (True, True)
    wide.set_read([theirs.title], False)
    wide.set_starred([theirs.title], False)
    await sync_ok(library)
    assert now(library, theirs) == (False, False)

    assert_agree(library, wide)


@pytest.mark.parametrize("api", APIS)
async def test_marks_made_while_the_server_is_down_are_kept_and_pushed_when_it_returns(
    library: Library, wide: WideAccount, api: str
) -> None:
    name = await synced(library, wide, api)
    read, starred = pick(library, 4, 40)

    wide.server.stop()
    try:
        library.set_read([read.id], True)
        library.set_bookmarked([starred.id], True)
        (report,) = await library.sync()
        assert not report.ok
        assert_one_sentence(report.error)
        assert "reach" in report.error and wide.server.url in report.error
        assert report.queued == library.sync_queued() == 2
        assert now(library, read) == (True, False) and now(library, starred) == (False, True)
        assert library.account(name).last_error == report.error
    finally:
        wide.server.start()

    report = await sync_ok(library)
    assert report.pushed == 2 and library.sync_queued() == 0
    assert wide.marks()[read.title] == (True, False)
    assert wide.marks()[starred.title] == (False, True)
    assert library.account(name).last_error == ""


@pytest.mark.parametrize("api", ["greader", "fever"])
async def test_a_mark_made_here_since_the_last_sync_wins_over_the_servers(
    library: Library, wide: WideAccount, api: str
) -> None:
    await synced(library, wide, api)
    (story,) = pick(library, 14)
    library.set_read([story.id], True)
    # Meanwhile the server read it and put it back unread: these APIs say only that it is
    # unread, as it was at the last sync, and not when that changed.
    wide.set_read([story.title], True)
    wide.set_read([story.title], False)

    await sync_ok(library)

    assert wide.marks()[story.title] == (True, False)
    assert now(library, story) == (True, False)
    assert library.sync_queued() == 0


async def test_on_miniflux_the_newest_mark_wins_whichever_side_made_it(
    library: Library, wide: WideAccount
) -> None:
    await synced(library, wide, "miniflux")
    older_here, newer_here = pick(library, 15, 16)

    library.set_read([older_here.id], True)
    wide.set_read([newer_here.title], True)
    time.sleep(1.1)  # marks are kept to the second: the later ones must be a second later
    wide.set_read([older_here.title], True)
    wide.set_read([older_here.title], False)  # the server's, after ours: unread
    library.set_read([newer_here.id], False)  # ours, after the server's read

    await sync_ok(library)

    assert wide.marks()[older_here.title] == (False, False)
    assert now(library, older_here) == (False, False)
    assert wide.marks()[newer_here.title] == (False, False)
    assert now(library, newer_here) == (False, False)
    assert library.sync_queued() == 0


@pytest.mark.parametrize("api", APIS)
async def test_a_pushed_mark_never_flips_back_on_the_next_syncs(
    library: Library, wide: WideAccount, api: str
) -> None:
    await synced(library, wide, api)
    read, both = pick(library, 9, 41)
    library.set_read([read.id, both.id], True)
    library.set_bookmarked([both.id], True)
    wanted = {read.title: (True, False), both.title: (True, True)}

    for _ in range(3):
        await sync_ok(library)
        here, there = marks(library), wide.marks()
        assert {t: here[t] for t in wanted} == wanted
        assert {t: there[t] for t in wanted} == wanted
    assert_agree(library, wide)


#: A sync's push of a read mark, per API.
PUSH: dict[str, Match] = {
    "greader": lambda s: s.path.endswith("/edit-tag"),
    "miniflux": lambda s: s.method == "PUT" and s.path == "/v1/entries",
    "fever": lambda s: s.path == "/fever/" and b"mark=item" in s.body,
}


@pytest.mark.parametrize("api", APIS)
async def test_marks_made_while_a_sync_pushes_survive_it(
    library: Library, wide: WideAccount, api: str
) -> None:
    with SyncProxy(wide.server.url) as proxy:
        await synced(library, wide, api, proxy.base)
        first, other = pick(library, 20, 27)
        library.set_read([first.id], True)

        held = proxy.hold(PUSH[api])
        running = asyncio.create_task(library.sync())
        # The server has taken "read" for the first story, and the sync is about to hear
        # so; the marks it read from the server before say both stories are unread.
        assert await asyncio.to_thread(held.arrived.wait, 30)
        await asyncio.to_thread(library.set_read, [first.id], False)
        await asyncio.to_thread(library.set_read, [other.id], True)
        await asyncio.to_thread(library.set_bookmarked, [other.id], True)
        held.release()
        (report,) = await running
        assert report.ok, report.error

        assert now(library, first) == (False, False)
        assert now(library, other) == (True, True)
        assert library.sync_queued() == 3
        await sync_ok(library)
    assert library.sync_queued() == 0
    assert wide.marks()[first.title] == (False, False)
    assert wide.marks()[other.title] == (True, True)
    assert_agree(library, wide)


async def test_marking_a_topic_read_reaches_the_server(library: Library, wide: WideAccount) -> None:
    await synced(library, wide, "greader")

    assert library.mark_topic_read("Science") == WIDE_FOLDERS["Science"] * WIDE_ITEMS
    await sync_ok(library)

    science = {n for n, folder in wide.folders.items() if folder == "Science"}
    in_science = {wide.feed_ids[n] for n in science}
    for entry in wide.entries():
        assert (entry["status"] == "read") == (entry["feed_id"] in in_science), entry


# -- a server that answers wrongly half-way ------------------------------------------------

#: The request each stage of a sync is broken at, per API.
STAGES: dict[str, dict[str, Match]] = {
    "greader": {
        "items": lambda s: s.path.endswith("/stream/items/contents"),
        "marks": lambda s: s.path.endswith("/stream/items/ids") and "xt=" in s.query,
    },
    "miniflux": {
        "items": lambda s: s.path == "/v1/entries" and "after_entry_id" in s.query,
        "marks": lambda s: s.path == "/v1/entries" and "changed_after" in s.query,
    },
    "fever": {
        "items": lambda s: s.path == "/fever/" and "items" in s.query.split("&"),
        "marks": lambda s: s.path == "/fever/" and "unread_item_ids" in s.query,
    },
}


@pytest.mark.parametrize("stage", ["items", "marks"])
@pytest.mark.parametrize("api", APIS)
async def test_a_server_that_answers_wrongly_mid_sync_loses_nothing(
    library: Library, wide: WideAccount, api: str, stage: str
) -> None:
    with SyncProxy(wide.server.url) as proxy:
        await synced(library, wide, api, proxy.base)
        read, starred = pick(library, 22, 44)
        library.set_read([read.id], True)
        library.set_bookmarked([starred.id], True)
        before = marks(library)
        title = wide.add_item("feed11")  # a body to fetch: the items stage has work to do

        for how in FAILURES:
            proxy.fail(how, STAGES[api][stage])
            (report,) = await library.sync()
            assert proxy.pending() == 0, f"the sync never reached the {stage} stage"
            assert not report.ok, how
            assert_one_sentence(report.error)
            assert library.sync_queued() == report.queued == 2, how
            here = marks(library)
            assert {t: here[t] for t in before} == before, how
            if stage == "items":
                assert title not in here, how
            assert wide.marks()[read.title] == wide.marks()[starred.title] == (False, False)

        healed = await sync_ok(library)
        assert healed.pushed == 2 and healed.queued == 0
    assert title in marks(library)
    assert (wide.marks()[read.title], wide.marks()[starred.title]) == ((True, False), (False, True))
    assert_agree(library, wide)


@pytest.mark.parametrize(
    ("api", "how"),
    [
        ("greader", "500"),
        ("greader", "html"),
        ("miniflux", "500"),
        ("miniflux", "html"),
        ("fever", "500"),
        ("fever", "html"),
    ],
)
async def test_a_push_the_server_answers_wrongly_keeps_the_mark_queued(
    library: Library, wide: WideAccount, api: str, how: Failure
) -> None:
    with SyncProxy(wide.server.url) as proxy:
        await synced(library, wide, api, proxy.base)
        (story,) = pick(library, 5)
        library.set_read([story.id], True)

        proxy.fail(how, PUSH[api])
        (report,) = await library.sync()

        assert proxy.pending() == 0
        assert not report.ok
        assert_one_sentence(report.error)
        assert library.sync_queued() == 1
        assert wide.marks()[story.title] == (False, False)
        await sync_ok(library)
        await sync_ok(library)
    assert wide.marks()[story.title] == (True, False)
    assert now(library, story) == (True, False)


# -- feed changes made here ----------------------------------------------------------------


@pytest.mark.parametrize("api", EDITING_APIS)
async def test_subscribe_unsubscribe_retopic_and_rename_reach_the_server(
    library: Library, wide: WideAccount, api: str
) -> None:
    name = await synced(library, wide, api)
    url = wide.feeds.url(f"/extra-{api}.xml")
    wide.feeds.route(
        f"/extra-{api}.xml", feed_reply(rss(items(2, prefix=f"Extra{api}"), title="Extra"))
    )

    assert library.add_feed(url, topic="World", account=name).account == name
    library.set_feed_topic(wide.url("feed02"), "Science")
    library.set_feed_title(wide.url("feed13"), "Renamed here")
    assert library.sync_queued() == 3
    report = await sync_ok(library)
    assert report.pushed == 3 and library.sync_queued() == 0

    with wide.rest() as rest:
        served = {f["feed_url"]: f for f in rest.get("/feeds").json()}
    assert served[url]["category"]["title"] == "World"
    assert served[wide.url("feed02")]["category"]["title"] == "Science"
    assert served[wide.url("feed13")]["title"] == "Renamed here"

    # The next sync brings the new feed's stories and keeps every change made here.
    await sync_ok(library)
    assert library.feed(url).total == 2
    assert library.feed(wide.url("feed02")).topic.name == "Science"
    assert library.feed(wide.url("feed13")).title == "Renamed here"

    library.remove_feed(url)
    await sync_ok(library)
    with wide.rest() as rest:
        assert url not in {f["feed_url"] for f in rest.get("/feeds").json()}
    assert not library.is_subscribed(url)


async def test_on_fever_feed_changes_are_said_once_and_stay_here(
    library: Library, wide: WideAccount
) -> None:
    name = await synced(library, wide, "fever")
    url = wide.feeds.url("/extra-fever.xml")
    wide.feeds.route("/extra-fever.xml", feed_reply(rss(items(2, prefix="Extrafever"))))

    library.add_feed(url, topic="World", account=name)
    library.set_feed_title(wide.url("feed13"), "Renamed here")
    report = await sync_ok(library)

    assert len(report.notes) == 2 and report.pushed == 0  # the server took nothing
    for note in report.notes:
        assert_one_sentence(note)
        assert "cannot" in note and "Fever" in note
    assert library.sync_queued() == 0
    again = await sync_ok(library)
    assert again.notes == ()  # said once, not at every sync

    # The feed the server would not take is a feed of this library's own.
    assert library.feed(url).account is None
    assert library.feed(url).topic.name == "World"
    assert library.feed(wide.url("feed13")).title == "Renamed here"
    with wide.rest() as rest:
        served = {f["feed_url"]: f for f in rest.get("/feeds").json()}
    assert url not in served
    assert served[wide.url("feed13")]["title"] == "Feed 13"


async def test_on_fever_a_topic_changed_here_stays_so_here(
    library: Library, wide: WideAccount
) -> None:
    await synced(library, wide, "fever")
    library.set_feed_topic(wide.url("feed02"), "Science")

    await library.sync()

    assert library.feed(wide.url("feed02")).topic.name == "Science"


# -- the secret ----------------------------------------------------------------------------


def _library_files(path: Path) -> Iterator[bytes]:
    """The library file and its journal."""
    for candidate in path.parent.iterdir():
        if candidate.name.startswith(path.name):
            yield candidate.read_bytes()


@pytest.mark.parametrize("api", APIS)
async def test_the_secret_is_kept_private_and_the_password_nowhere(
    library: Library, wide: WideAccount, api: str
) -> None:
    await synced(library, wide, api)
    library.set_read([pick(library, 0)[0].id], True)
    await sync_ok(library)

    secret_file = library.path.parent / FILE_NAME
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    kept = secret_file.read_bytes()
    if api == "miniflux":
        assert wide.secret(api).encode() in kept  # the API key is the secret
    else:
        assert ADMIN_PASSWORD.encode() not in kept
    secret = kept.split(b'"secret": "', 1)[1].split(b'"', 1)[0]
    assert len(secret) >= 16
    for data in _library_files(library.path):
        assert ADMIN_PASSWORD.encode() not in data
        assert secret not in data


async def test_on_fever_removing_a_synced_feed_is_refused_with_what_to_do(
    library: Library, wide: WideAccount
) -> None:
    await synced(library, wide, "fever")
    url = wide.url("feed03")
    with pytest.raises(NewstermError) as refused:
        library.remove_feed(url)
    assert_one_sentence(str(refused.value))
    assert "cannot unsubscribe" in str(refused.value)
    assert library.feed(url).account is not None  # nothing was removed, here or there
    await sync_ok(library)
    assert library.is_subscribed(url)
