"""Per-feed settings against the loopback server and a real library: the user's interval
and the feed's own hints (``<ttl>``, ``sy:updatePeriod``, ``Cache-Control``) over
refreshes at a moving clock, pausing, reader mode's full text per feed, synced feeds, and
a library from before the settings existed."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.feeds import Item, items, rss
from tests.support.feedserver import FeedServer, Reply, feed_reply
from tests.support.pages import DEFAULT_TITLE, article_page
from tui.core.errors import NewstermError
from tui.core.library import Library
from tui.core.models import Feed, FeedOutcome, FullText, RefreshReport
from tui.core.settings import ArticleSettings, Settings
from tui.core.store import accounts as account_queries, schema

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _with_hints(channel_extra: str, entries: int = 3) -> bytes:
    """An RSS 2.0 feed whose channel carries ``channel_extra`` (a ttl, sy: elements...)."""
    stories = "".join(
        f"<item><title>Story {n}</title><guid>urn:hint:{n}</guid>"
        f"<link>https://example.org/{n}</link></item>"
        for n in range(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">'
        "<channel><title>Hinted</title><link>https://example.org/</link>"
        f"{channel_extra}{stories}</channel></rss>"
    ).encode()


async def _hits_over(
    library: Library, server: FeedServer, path: str, moments: list[datetime]
) -> list[datetime]:
    """Refresh everything at each moment; the moments at which the server was asked."""
    fetched_at = []
    for moment in moments:
        before = len(server.hits(path))
        report = await library.refresh(now=moment)
        assert not report.failed, report
        if len(server.hits(path)) > before:
            fetched_at.append(moment)
    return fetched_at


def _hourly(hours: int) -> list[datetime]:
    return [T0 + n * HOUR for n in range(hours + 1)]


# -- the user's interval -----------------------------------------------------------------


async def test_a_feed_set_to_every_6h_is_fetched_once_in_each_six_hours_of_a_moving_clock(
    server: FeedServer, library: Library
) -> None:
    server.route("/feed", feed_reply(rss(items(3))))
    feed = library.add_feed(server.url("/feed"))
    library.set_feed_settings(feed.id, every=6 * 60)

    fetched = await _hits_over(library, server, "/feed", _hourly(13))

    assert fetched == [T0, T0 + 6 * HOUR, T0 + 12 * HOUR]
    assert len(server.hits("/feed")) == 3
    # The refresh's clock is the time written: the stories arrived at T0.
    assert {story.first_seen for story in library.stories()} == {T0}
    stored = library.feed(feed.id)
    assert stored.last_ok == T0 + 12 * HOUR
    assert stored.next_due == T0 + 18 * HOUR


async def test_a_feed_not_due_is_reported_as_not_due_with_when_and_never_as_a_failure(
    server: FeedServer, library: Library
) -> None:
    server.route("/slow", feed_reply(rss(items(2, prefix="Slow"))))
    server.route("/fast", feed_reply(rss(items(2, prefix="Fast"))))
    slow = library.add_feed(server.url("/slow"))
    library.add_feed(server.url("/fast"))
    library.set_feed_settings(slow.id, every=6 * 60)
    await library.refresh(now=T0)

    report = await library.refresh(now=T0 + HOUR)

    assert (report.ok, report.not_due, report.paused, len(report.failed)) == (1, 1, 0, 0)
    (later,) = [f for f in report.feeds if f.outcome is FeedOutcome.NOT_DUE]
    assert later.feed_id == slow.id
    assert later.error == "not due until 2026-11-20 14:00 UTC"
    assert not later.failed and not report.offline


async def test_a_named_refresh_fetches_a_feed_whose_interval_has_not_passed(
    server: FeedServer, library: Library
) -> None:
    server.route("/feed", feed_reply(rss(items(2))))
    feed = library.add_feed(server.url("/feed"))
    library.set_feed_settings(feed.id, every=24 * 60)
    await library.refresh(now=T0)

    report = await library.refresh([str(feed.id)], now=T0 + HOUR)

    assert report.feeds[0].outcome is FeedOutcome.UNCHANGED
    assert len(server.hits("/feed")) == 2


async def test_clearing_the_interval_makes_the_feed_due_at_every_refresh_again(
    server: FeedServer, library: Library
) -> None:
    server.route("/feed", feed_reply(rss(items(2))))
    feed = library.add_feed(server.url("/feed"))
    library.set_feed_settings(feed.id, every=6 * 60)
    await library.refresh(now=T0)

    cleared = library.set_feed_settings(feed.id, every=None)
    fetched = await _hits_over(library, server, "/feed", [T0 + HOUR, T0 + 2 * HOUR])

    assert cleared.every_minutes is None and cleared.next_due is None
    assert fetched == [T0 + HOUR, T0 + 2 * HOUR]


async def test_a_failing_feed_with_an_interval_is_retried_on_the_back_off_not_the_interval(
    server: FeedServer, library: Library
) -> None:
    replies = [feed_reply(rss(items(2)))]
    server.route("/feed", lambda _request: replies[-1])
    feed = library.add_feed(server.url("/feed"))
    library.set_feed_settings(feed.id, every=6 * 60)
    await library.refresh(now=T0)
    replies.append(Reply(500, b"down for a moment"))
    failed = await library.refresh(now=T0 + 6 * HOUR)
    assert failed.feeds[0].outcome is FeedOutcome.FAILED
    replies.append(feed_reply(rss(items(3))))

    # The back-off (15 minutes) holds it, then it is tried again: not six hours later.
    held = await library.refresh(now=T0 + 6 * HOUR + timedelta(minutes=10))
    retried = await library.refresh(now=T0 + 6 * HOUR + timedelta(minutes=20))

    assert held.feeds[0].outcome is FeedOutcome.SKIPPED
    assert retried.feeds[0].outcome is FeedOutcome.UPDATED
    assert len(server.hits("/feed")) == 3


async def test_a_clock_set_back_before_the_last_fetch_does_not_hold_the_feed(
    server: FeedServer, library: Library
) -> None:
    server.route("/feed", feed_reply(rss(items(2))))
    feed = library.add_feed(server.url("/feed"))
    library.set_feed_settings(feed.id, every=6 * 60)
    await library.refresh(now=T0)

    report = await library.refresh(now=T0 - timedelta(days=1))

    assert report.feeds[0].outcome is FeedOutcome.UNCHANGED
    assert len(server.hits("/feed")) == 2


# -- the feed's own hints ----------------------------------------------------------------


async def test_a_ttl_holds_the_feed_back_for_its_minutes(
    server: FeedServer, library: Library
) -> None:
    server.route("/feed", feed_reply(_with_hints("<ttl>120</ttl>")))
    feed = library.add_feed(server.url("/feed"))

    moments = [T0, T0 + timedelta(minutes=119), T0 + 2 * HOUR, T0 + 3 * HOUR]
    fetched = await _hits_over(library, server, "/feed", moments)

    assert fetched == [T0, T0 + 2 * HOUR]
    assert library.feed(feed.id).hint_minutes == 120


@pytest.mark.parametrize(
    ("channel", "hint"),
    [
        ("<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>", 60),
        ("<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>", 360),
        ("<sy:updatePeriod> Weekly </sy:updatePeriod>", 24 * 60),  # a week: at most a day
        ("<sy:updateFrequency>2</sy:updateFrequency>", 12 * 60),  # daily, as the module says
        (
            "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>0</sy:updateFrequency>",
            None,
        ),
        ("<sy:updatePeriod>fortnightly</sy:updatePeriod>", None),
        (
            "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>120</sy:updateFrequency>",
            None,
        ),
    ],
)
async def test_the_syndication_modules_period_and_frequency_give_the_hint(
    server: FeedServer, library: Library, channel: str, hint: int | None
) -> None:
    server.route("/feed", feed_reply(_with_hints(channel)))
    feed = library.add_feed(server.url("/feed"))

    await library.refresh(now=T0)

    assert library.feed(feed.id).hint_minutes == hint


@pytest.mark.parametrize(
    ("cache_control", "hint"),
    [
        ("public, max-age=7200", 120),
        ("max-age=90", 1),  # whole minutes, rounded down
        ("max-age=30", None),  # under a minute: no hint
        ("max-age=0, must-revalidate", None),
        ("no-cache, max-age=600", None),
        ("no-store", None),
        ('max-age="1800"', 30),
        ("max-age=31536000", 24 * 60),  # a year: at most a day
        ("max-age=soon", None),
        ("private", None),
    ],
)
async def test_cache_control_max_age_is_a_hint_in_whole_minutes_within_bounds(
    server: FeedServer, library: Library, cache_control: str, hint: int | None
) -> None:
    server.route("/feed", feed_reply(rss(items(2)), **{"Cache-Control": cache_control}))
    feed = library.add_feed(server.url("/feed"))

    await library.refresh(now=T0)

    assert library.feed(feed.id).hint_minutes == hint


async def test_a_cache_control_hint_holds_the_feed_back(
    server: FeedServer, library: Library
) -> None:
    server.route("/feed", feed_reply(rss(items(2)), **{"Cache-Control": "max-age=3600"}))
    library.add_feed(server.url("/feed"))

    fetched = await _hits_over(library, server, "/feed", _hourly(3))

    assert fetched == _hourly(3)  # each an hour after the last: due every time
    assert await _hits_over(library, server, "/feed", [T0 + timedelta(minutes=200)]) == []


async def test_of_several_hints_the_largest_wins_and_a_ttl_of_a_year_is_held_to_a_day(
    server: FeedServer, library: Library
) -> None:
    server.route(
        "/both", feed_reply(_with_hints("<ttl>30</ttl>"), **{"Cache-Control": "max-age=5400"})
    )
    server.route("/year", feed_reply(_with_hints("<ttl>525600</ttl>")))
    both = library.add_feed(server.url("/both"))
    year = library.add_feed(server.url("/year"))

    fetched = await _hits_over(library, server, "/year", [T0, T0 + 23 * HOUR, T0 + 24 * HOUR])

    assert library.feed(both.id).hint_minutes == 90
    assert library.feed(year.id).hint_minutes == 24 * 60
    assert fetched == [T0, T0 + 24 * HOUR]


@pytest.mark.parametrize("ttl", ["0", "-5", "sixty", "1.5", "99999999999999999999", ""])
async def test_a_ttl_that_is_no_positive_whole_number_is_no_hint(
    server: FeedServer, library: Library, ttl: str
) -> None:
    server.route("/feed", feed_reply(_with_hints(f"<ttl>{ttl}</ttl>")))
    feed = library.add_feed(server.url("/feed"))

    fetched = await _hits_over(library, server, "/feed", [T0, T0 + timedelta(minutes=1)])

    assert library.feed(feed.id).hint_minutes is None
    assert fetched == [T0, T0 + timedelta(minutes=1)]


async def test_the_users_interval_wins_over_the_feeds_hint_either_way(
    server: FeedServer, library: Library
) -> None:
    server.route("/daily", feed_reply(_with_hints("<ttl>1440</ttl>")))
    server.route("/hourly", feed_reply(_with_hints("<ttl>60</ttl>")))
    daily = library.add_feed(server.url("/daily"))
    hourly = library.add_feed(server.url("/hourly"))
    library.set_feed_settings(daily.id, every=60)
    library.set_feed_settings(hourly.id, every=3 * 60)

    moments = _hourly(3)
    await _hits_over(library, server, "/daily", moments)

    assert len(server.hits("/daily")) == 4  # hourly, though it asks for a day
    assert len(server.hits("/hourly")) == 2  # at T0 and T0+3h, though it asks for an hour


async def test_a_hint_the_feed_drops_is_forgotten_and_a_304_keeps_the_one_it_has(
    server: FeedServer, library: Library
) -> None:
    replies = [feed_reply(_with_hints("<ttl>60</ttl>"), ETag='"one"')]
    server.route("/feed", lambda _request: replies[-1])
    feed = library.add_feed(server.url("/feed"))
    await library.refresh(now=T0)

    replies.append(Reply(304, b"", {"ETag": '"one"'}))
    await library.refresh(now=T0 + HOUR)
    kept = library.feed(feed.id).hint_minutes
    replies.append(feed_reply(_with_hints("", entries=4), ETag='"two"'))
    await library.refresh(now=T0 + 2 * HOUR)

    assert kept == 60
    assert library.feed(feed.id).hint_minutes is None
    assert library.feed(feed.id).total == 4


# -- pause and resume --------------------------------------------------------------------


async def test_a_paused_feed_is_never_fetched_even_when_named_until_it_is_resumed(
    server: FeedServer, library: Library
) -> None:
    server.route("/feed", feed_reply(rss(items(2))))
    feed = library.add_feed(server.url("/feed"))
    paused = library.set_feed_settings(feed.id, paused=True)

    everything = await library.refresh(now=T0)
    named = await library.refresh([str(feed.id)], now=T0 + HOUR)

    assert paused.paused and server.hits("/feed") == []
    for report in (everything, named):
        (result,) = report.feeds
        assert result.outcome is FeedOutcome.PAUSED and not result.failed
        assert f"newsterm feed {feed.id} --resume" in result.error
        assert report.paused == 1 and report.ok == 0

    library.set_feed_settings(feed.id, paused=False)
    resumed = await library.refresh(now=T0 + 2 * HOUR)

    assert resumed.feeds[0].outcome is FeedOutcome.UPDATED
    assert len(server.hits("/feed")) == 1
    assert library.feed(feed.id).total == 2


async def test_pausing_one_feed_leaves_the_others_and_the_offline_verdict_alone(
    server: FeedServer, library: Library
) -> None:
    server.route("/one", feed_reply(rss(items(2, prefix="One"))))
    paused = library.add_feed("http://127.0.0.1:9/never-asked")  # nothing listens there
    library.add_feed(server.url("/one"))
    library.set_feed_settings(paused.id, paused=True)

    report: RefreshReport = await library.refresh(now=T0)

    assert (report.ok, report.paused, report.new_stories) == (1, 1, 2)
    assert not report.offline


# -- reader mode's full text, per feed ---------------------------------------------------

SHORT = "<p>The first trams ran on the new line this morning.</p>"
LONG = "<p>" + " ".join(["Council workers explained the timetable at length."] * 40) + "</p>"


async def _tram_feed(server: FeedServer, library: Library) -> tuple[Feed, int, int]:
    """A feed with a short story and a long one, both linking to full article pages;
    their ids."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.route("/news/tram", Reply(200, article_page(), html))
    server.route("/news/long", Reply(200, article_page("Budget explained at length"), html))
    entries = [
        Item(DEFAULT_TITLE, guid="tram", link=server.url("/news/tram"), description=SHORT),
        Item(
            "Budget explained at length", guid="long", link=server.url("/news/long"), content=LONG
        ),
    ]
    server.route("/feed.xml", feed_reply(rss(entries, link=server.base)))
    feed = library.add_feed(server.url("/feed.xml"))
    await library.refresh([str(feed.id)])
    ids = {story.title: story.id for story in library.stories(feed=feed.id)}
    return feed, ids[DEFAULT_TITLE], ids["Budget explained at length"]


async def test_full_text_always_reads_even_a_long_storys_page_and_never_fetches_none_unasked(
    server: FeedServer, library: Library
) -> None:
    feed, short, long = await _tram_feed(server, library)
    assert library.wants_page([short, long]) == [short]  # auto: only the short one

    library.set_feed_settings(feed.id, full_text="always")
    wanted = library.wants_page([short, long])
    outcomes = await library.fetch_pages(wanted)

    assert sorted(wanted) == sorted([short, long])
    assert all(outcome.ok for outcome in outcomes)
    view = library.reader(long)
    assert view.full_text and "Full text from" in view.note

    library.set_feed_settings(feed.id, full_text="never")
    assert library.wants_page([short, long]) == []


async def test_full_text_never_still_fetches_the_page_when_asked(
    server: FeedServer, library: Library
) -> None:
    feed, short, _long = await _tram_feed(server, library)
    library.set_feed_settings(feed.id, full_text="never")
    assert library.wants_page([short]) == []
    assert server.hits("/news/tram") == []

    (outcome,) = await library.fetch_pages([short], force=True)  # F, `show --full`

    assert outcome.ok
    assert library.reader(short).full_text
    assert len(server.hits("/news/tram")) == 1


async def test_full_text_always_fetches_pages_even_with_min_words_off(
    server: FeedServer, db_path: Path
) -> None:
    settings = Settings(articles=ArticleSettings(min_words=0))
    with Library(db_path, settings) as library:
        feed, short, long = await _tram_feed(server, library)
        assert library.wants_page([short, long]) == []

        library.set_feed_settings(feed.id, full_text="always")

        assert sorted(library.wants_page([short, long])) == sorted([short, long])


# -- editing, and what cannot be edited --------------------------------------------------


async def test_settings_are_kept_in_the_library_and_a_feed_is_found_by_its_title(
    server: FeedServer, db_path: Path
) -> None:
    server.route("/feed", feed_reply(rss(items(2), title="Orbital Notes")))
    with Library(db_path) as library:
        feed = library.add_feed(server.url("/feed"))
        await library.refresh([str(feed.id)])
        changed = library.set_feed_settings(
            "orbital notes",
            every=90,
            full_text="Always",
            paused=True,
            title="Orbit",
            topic="Space",
        )
    with Library(db_path) as reopened:
        again = reopened.find_feed("ORBIT")
        topics = {story.topic.name for story in reopened.stories()}

    for stored in (changed, again):
        assert (stored.id, stored.every_minutes, stored.full_text, stored.paused) == (
            feed.id,
            90,
            FullText.ALWAYS,
            True,
        )
        assert (stored.title, stored.topic.name) == ("Orbit", "Space")
    assert topics == {"Space"}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"full_text": "sometimes"}, "auto, always or never"),
        ({"every": 0}, "a minute to 30 days"),
        ({"every": 31 * 24 * 60}, "a minute to 30 days"),
        ({"title": "  "}, "cannot be empty"),
        ({"topic": "\x1b[31m"}, "cannot be empty"),
    ],
)
def test_a_setting_that_cannot_be_is_one_sentence_and_changes_nothing(
    library: Library, changes: dict[str, object], words: str
) -> None:
    feed = library.add_feed("https://feeds.example/one.xml", title="One")

    with pytest.raises(NewstermError) as caught:
        library.set_feed_settings(feed.id, paused=True, **changes)  # type: ignore[arg-type]

    assert words in str(caught.value)
    assert library.feed(feed.id) == feed


def test_two_feeds_with_one_title_are_named_by_id_or_url(library: Library) -> None:
    first = library.add_feed("https://feeds.example/a.xml", title="Daily")
    second = library.add_feed("https://feeds.example/b.xml", title="daily")

    with pytest.raises(NewstermError) as caught:
        library.find_feed("Daily")

    assert f"({first.id}, {second.id})" in str(caught.value)
    assert library.find_feed(second.url) == second


def test_a_synced_feed_takes_a_title_topic_and_full_text_but_no_interval_or_pause(
    library: Library,
) -> None:
    feed = library.add_feed("https://feeds.example/synced.xml", title="Synced")
    library._db.write(
        account_queries.insert_account,
        name="reader@sync.example",
        api="miniflux",
        url="https://sync.example",
        user="reader",
        now=T0,
    )
    library.attach_feed(feed.id, "reader@sync.example")

    for refused in ({"paused": True}, {"every": 60}):
        with pytest.raises(NewstermError) as caught:
            library.set_feed_settings(feed.id, **refused)
        assert "synced with reader@sync.example" in str(caught.value)
    changed = library.set_feed_settings(feed.id, title="Renamed", full_text="never")

    assert (changed.title, changed.full_text, changed.paused) == ("Renamed", FullText.NEVER, False)
    with sqlite3.connect(library.path) as check:
        queued = check.execute("SELECT action, value FROM feed_queue ORDER BY id").fetchall()
    check.close()
    assert ("rename", "Renamed") in queued  # the server hears of the new name


# -- a library from before the settings --------------------------------------------------


def _version_3_library(path: Path, url: str) -> None:
    """A library as schema 3 wrote it: one local feed, fetched an hour before T0."""
    conn = sqlite3.connect(path)
    with conn:
        for statement in schema.SCHEMA_V1.split(";\n"):
            if statement.strip():
                conn.execute(statement)
        schema.MIGRATIONS[1](conn)
        schema.MIGRATIONS[2](conn)
        conn.execute("PRAGMA user_version = 3")
        fetched = (T0 - HOUR).isoformat()
        conn.execute(
            "INSERT INTO feeds (id, url, title, topic_name, topic_slug, added_at, status,"
            " last_fetched, last_ok) VALUES (1, ?, 'Old Faithful', 'Local', 'local', ?, 'ok',"
            " ?, ?)",
            (url, fetched, fetched, fetched),
        )
    conn.close()


async def test_a_version_3_library_is_upgraded_with_default_settings_and_keeps_refreshing(
    server: FeedServer, db_path: Path
) -> None:
    server.route("/old", feed_reply(_with_hints("<ttl>240</ttl>")))
    _version_3_library(db_path, server.url("/old"))

    with Library(db_path) as upgraded:
        (feed,) = upgraded.feeds()
        assert (feed.every_minutes, feed.hint_minutes, feed.full_text, feed.paused) == (
            None,
            None,
            FullText.AUTO,
            False,
        )
        assert feed.last_ok == T0 - HOUR and feed.next_due is None
        report = await upgraded.refresh(now=T0)
        assert report.feeds[0].outcome is FeedOutcome.UPDATED
        assert upgraded.feed(1).hint_minutes == 240
        upgraded.set_feed_settings(1, every=60)
        assert (await upgraded.refresh(now=T0 + HOUR)).feeds[0].outcome is FeedOutcome.UNCHANGED

    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
