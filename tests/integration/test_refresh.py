"""The refresh pipeline (fetch → parse → store) against the loopback server: failures kept
per feed, conditional GETs, 410/429/503 etiquette, back-off, odd documents, progress."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.support.feeds import Item, items, rss
from tests.support.feedserver import FeedServer, Reply, feed_reply
from tui.core.library import Library
from tui.core.models import FeedOutcome, FeedRefresh, FeedStatus
from tui.core.settings import FetchSettings, RefreshSettings, Settings


@pytest.fixture
def quick(db_path: Path) -> Iterator[Library]:
    """A library whose fetches give up after a second, for the timeout cases."""
    settings = Settings(fetch=FetchSettings(deadline=1.0, read_timeout=1.0, connect_timeout=1.0))
    with Library(db_path, settings) as opened:
        yield opened


def _outcomes(report_feeds: tuple[FeedRefresh, ...]) -> dict[str, FeedRefresh]:
    return {f.url: f for f in report_feeds}


def _now() -> datetime:
    return datetime.now(UTC)


# -- failures stay with their feed -------------------------------------------------------


async def test_failing_feeds_never_stop_the_others_and_each_gets_a_sentence(
    server: FeedServer, quick: Library
) -> None:
    server.route("/good/1", feed_reply(rss(items(3, prefix="One"))))
    server.route("/good/2", feed_reply(rss(items(4, prefix="Two"))))
    server.route("/broken", Reply(500, b"Internal Server Error"))
    server.route(
        "/html",
        Reply(
            200,
            b"<!doctype html><html><head><title>Shop</title></head><body><p>Buy!</p></body></html>",
            {"Content-Type": "text/html"},
        ),
    )
    server.route("/empty", Reply(200, b"", {"Content-Type": "application/rss+xml"}))
    slow = [b"<?xml version='1.0'?><rss version='2.0'><channel>"] + [b" "] * 20
    server.route("/slow", Reply(200, slow, {"Content-Type": "application/rss+xml"}, 0.3))
    bad = ["/broken", "/html", "/empty", "/slow"]
    for path in ["/good/1", *bad, "/good/2"]:
        quick.add_feed(server.url(path))

    report = await quick.refresh()

    assert report.ok == 2
    assert report.new_stories == 7
    failed = _outcomes(report.failed)
    assert set(failed) == {server.url(p) for p in bad}
    for result in failed.values():
        assert result.outcome is FeedOutcome.FAILED
        assert result.error and result.error[0].isupper(), result.error
        assert "Traceback" not in result.error
    assert "500" in failed[server.url("/broken")].error
    assert failed[server.url("/slow")].network_error
    assert report.seconds < 10

    feeds = {f.url: f for f in quick.feeds()}
    for path in bad:
        feed = feeds[server.url(path)]
        assert feed.status is FeedStatus.ERROR
        assert feed.last_error == failed[server.url(path)].error
        assert feed.next_retry is not None and feed.next_retry > _now()
    for path in ["/good/1", "/good/2"]:
        feed = feeds[server.url(path)]
        assert feed.status is FeedStatus.OK
        assert feed.last_error == "" and feed.next_retry is None
        assert feed.total in (3, 4)


# -- conditional GET ---------------------------------------------------------------------

ETAG = 'W/"rev-1; odd,but=valid"'
LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"


async def test_the_second_refresh_sends_the_stored_validators_exactly_and_304_parses_nothing(
    server: FeedServer, library: Library
) -> None:
    replies = [feed_reply(rss(items(5)), ETag=ETAG, **{"Last-Modified": LAST_MODIFIED})]
    server.route("/feed", lambda _request: replies[-1])
    feed = library.add_feed(server.url("/feed"))
    await library.refresh()
    first = library.stories()
    assert server.hits("/feed")[0].headers.get("if-none-match") is None

    replies.append(Reply(304, b"", {"ETag": ETAG}))
    report = await library.refresh()

    headers = server.hits("/feed")[-1].headers
    assert headers["if-none-match"] == ETAG
    assert headers["if-modified-since"] == LAST_MODIFIED
    (result,) = report.feeds
    assert result.outcome is FeedOutcome.NOT_MODIFIED
    assert result.new_stories == 0 and not result.failed
    assert library.stories() == first
    assert library.feed(feed.id).status is FeedStatus.OK

    # A 304 keeps the validators we had, for the time after.
    await library.refresh()
    assert server.hits("/feed")[-1].headers["if-none-match"] == ETAG


async def test_validators_are_kept_only_after_a_successful_parse(
    server: FeedServer, library: Library
) -> None:
    replies = [feed_reply(rss(items(3)), ETag='"good"')]
    server.route("/feed", lambda _request: replies[-1])
    feed = library.add_feed(server.url("/feed"))
    await library.refresh()

    replies.append(
        Reply(
            200,
            b"<html><body>maintenance</body></html>",
            {"Content-Type": "text/html", "ETag": '"broken"'},
        )
    )
    report = await library.refresh()
    assert report.feeds[0].outcome is FeedOutcome.FAILED
    assert server.hits("/feed")[-1].headers["if-none-match"] == '"good"'

    replies.append(feed_reply(rss(items(4)), ETag='"better"'))
    report = await library.refresh([str(feed.id)])  # named: past the error back-off
    assert server.hits("/feed")[-1].headers["if-none-match"] == '"good"'
    assert report.feeds[0].outcome is FeedOutcome.UPDATED

    await library.refresh()
    assert server.hits("/feed")[-1].headers["if-none-match"] == '"better"'
    assert library.feed(feed.id).total == 4


async def test_an_identical_body_from_a_server_ignoring_validators_is_unchanged(
    server: FeedServer, library: Library
) -> None:
    server.route("/feed", feed_reply(rss(items(5)), ETag='"same"'))
    library.add_feed(server.url("/feed"))
    await library.refresh()
    first = library.stories()

    report = await library.refresh()

    assert server.hits("/feed")[-1].headers["if-none-match"] == '"same"'  # ignored by it
    assert report.feeds[0].outcome is FeedOutcome.UNCHANGED
    assert report.new_stories == 0 and report.ok == 1
    assert library.stories() == first


# -- server etiquette --------------------------------------------------------------------


async def test_410_marks_the_feed_gone_never_polls_it_again_and_keeps_its_stories(
    server: FeedServer, library: Library
) -> None:
    server.route("/feed", feed_reply(rss(items(4))))
    feed = library.add_feed(server.url("/feed"))
    await library.refresh()
    server.route("/feed", Reply(410, b"gone"))

    report = await library.refresh()

    assert report.feeds[0].outcome is FeedOutcome.GONE
    assert "410" in report.feeds[0].error
    gone = library.feed(feed.id)
    assert gone.status is FeedStatus.GONE and gone.total == 4
    hits = len(server.hits("/feed"))

    again = await library.refresh()
    named = await library.refresh([str(feed.id)])

    assert len(server.hits("/feed")) == hits
    assert again.feeds[0].outcome is FeedOutcome.SKIPPED
    assert named.feeds[0].outcome is FeedOutcome.SKIPPED
    assert library.feed(feed.id).total == 4


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_makes_the_feed_wait_even_when_named(
    server: FeedServer, library: Library, status: int
) -> None:
    server.route("/feed", feed_reply(rss(items(2))))
    feed = library.add_feed(server.url("/feed"))
    await library.refresh()
    if status == 429:
        header = "3600"
        expected = _now() + timedelta(seconds=3600)
    else:
        expected = (_now() + timedelta(hours=2)).replace(microsecond=0)
        header = format_datetime(expected, usegmt=True)
    server.route("/feed", Reply(status, b"slow down", {"Retry-After": header}))

    report = await library.refresh()

    assert report.feeds[0].outcome is FeedOutcome.WAITING
    waiting = library.feed(feed.id)
    assert waiting.status is FeedStatus.WAITING
    assert waiting in library.feeds()  # still subscribed
    assert waiting.next_retry is not None
    assert abs((waiting.next_retry - expected).total_seconds()) < 5
    assert waiting.total == 2
    hits = len(server.hits("/feed"))

    later = await library.refresh()
    named = await library.refresh([str(feed.id)])

    assert len(server.hits("/feed")) == hits
    assert later.feeds[0].outcome is FeedOutcome.SKIPPED
    assert named.feeds[0].outcome is FeedOutcome.SKIPPED


@pytest.mark.parametrize("status", [404, 500])
async def test_errors_back_off_longer_each_time_but_a_named_refresh_tries_anyway(
    server: FeedServer, library: Library, status: int
) -> None:
    server.route("/feed", Reply(status, b"nope"))
    feed = library.add_feed(server.url("/feed"))

    await library.refresh()
    first = library.feed(feed.id)
    assert first.status is FeedStatus.ERROR
    assert str(status) in first.last_error
    assert first.next_retry is not None and first.next_retry > _now() + timedelta(minutes=1)

    skipped = await library.refresh()
    assert skipped.feeds[0].outcome is FeedOutcome.SKIPPED
    assert len(server.hits("/feed")) == 1

    await library.refresh([str(feed.id)])
    assert len(server.hits("/feed")) == 2
    second = library.feed(feed.id)
    assert second.next_retry is not None and second.next_retry > first.next_retry

    await library.refresh([server.url("/feed")])  # by URL works too
    third = library.feed(feed.id)
    assert len(server.hits("/feed")) == 3
    assert third.next_retry is not None and third.next_retry > second.next_retry

    server.route("/feed", feed_reply(rss(items(2))))
    await library.refresh([str(feed.id)])
    healed = library.feed(feed.id)
    assert healed.status is FeedStatus.OK
    assert healed.next_retry is None and healed.last_error == ""


async def test_a_huge_backoff_neither_crashes_a_refresh_nor_costs_the_healthy_feeds(
    server: FeedServer, db_path: Path
) -> None:
    # Settings made in code skip the config's checks: the refresh must still hold.
    settings = Settings(
        refresh=RefreshSettings(backoff_minutes=99999999999999999, max_backoff_hours=10**20)
    )
    server.route("/good", feed_reply(rss(items(3, prefix="Good"))))
    server.route("/broken", Reply(500, b"no"))
    with Library(db_path, settings) as library:
        library.add_feed(server.url("/good"))
        library.add_feed(server.url("/broken"))
        report = await library.refresh()
        assert report.ok == 1 and len(report.failed) == 1
        assert len(library.stories()) == 3
        broken = library.feed(server.url("/broken"))
        assert broken.next_retry is not None


# -- odd documents -----------------------------------------------------------------------


async def test_wrong_encodings_and_far_future_dates_do_not_upset_the_order(
    server: FeedServer, library: Library
) -> None:
    now = _now()
    # Declared UTF-8, written in Latin-1.
    mislabelled = rss(
        [Item("Caf\u00e9 opens", guid="urn:cafe", published=now - timedelta(hours=3))]
    ).replace("Caf\u00e9".encode(), "Caf\u00e9".encode("latin-1"))
    server.route("/latin", feed_reply(mislabelled, "text/xml; charset=utf-8"))
    server.route(
        "/future",
        feed_reply(
            rss(
                [
                    Item("From 2099", guid="urn:2099", published=datetime(2099, 1, 1, tzinfo=UTC)),
                    Item("Yesterday", guid="urn:yday", published=now - timedelta(days=1)),
                ]
            )
        ),
    )
    for path in ("/latin", "/future"):
        library.add_feed(server.url(path))
    await library.refresh()
    # Published just after the 2099 story was first seen, in a later refresh.
    server.route(
        "/fresh",
        feed_reply(
            rss([Item("Just in", guid="urn:fresh", published=_now() + timedelta(minutes=5))])
        ),
    )
    library.add_feed(server.url("/fresh"))

    report = await library.refresh()

    assert report.failed == ()
    titles = [s.title for s in library.stories()]
    assert titles[0] == "Just in"
    assert titles[1] == "From 2099"  # sorted by when it was first seen, not by 2099
    assert titles[2].startswith("Caf") and titles[2].endswith(" opens")  # whatever the guess
    assert titles[3] == "Yesterday"
    assert [row.title for row in library.story_rows()] == titles
    assert all(s.sort_date < now + timedelta(hours=1) for s in library.stories())


# -- progress ----------------------------------------------------------------------------


async def test_progress_is_reported_once_per_fetched_feed(
    server: FeedServer, library: Library
) -> None:
    for n in range(5):
        server.route(f"/feed/{n}", feed_reply(rss(items(2, prefix=f"F{n}"))))
        library.add_feed(server.url(f"/feed/{n}"))
    server.route("/gone", Reply(410, b""))
    gone = library.add_feed(server.url("/gone"))
    await library.refresh([str(gone.id)])
    calls: list[tuple[int, int, int]] = []

    def progress(done: int, total: int, result: FeedRefresh) -> None:
        calls.append((done, total, result.feed_id))

    report = await library.refresh(progress=progress)

    assert [(done, total) for done, total, _ in calls] == [(n, 5) for n in range(1, 6)]
    assert len({feed_id for _, _, feed_id in calls}) == 5
    assert gone.id not in {feed_id for _, _, feed_id in calls}
    assert report.skipped == 1
