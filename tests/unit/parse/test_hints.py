"""A feed's refresh hints as the parser reads them: ``<ttl>`` and ``sy:update*`` the same
way on the fast reader and on feedparser, in RSS 2.0, RSS 1.0 and Atom, wherever they sit;
``Cache-Control`` from the response; and the intervals a user writes."""

from __future__ import annotations

import json

import pytest

from tui.core.errors import NewstermError
from tui.core.models import ParsedFeed
from tui.core.parse.fast.reader import parse_fast
from tui.core.parse.feed import parse_feed
from tui.core.parse.hints import MAX_HINT_MINUTES, max_age_hint
from tui.core.text.intervals import MAX_EVERY_MINUTES, interval_label, parse_interval

URL = "https://example.com/feed.xml"
SY = 'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"'
ITEM = "<item><title>One</title><guid>urn:one</guid><link>https://example.com/1</link></item>"


def rss20(channel: str, items: str = ITEM) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" {SY}><channel>'
        f"<title>Hinted</title><link>https://example.com/</link>{channel}{items}"
        "</channel></rss>"
    ).encode()


def sy(period: str, frequency: str | None = None) -> str:
    """The syndication module's elements."""
    given = f"<sy:updateFrequency>{frequency}</sy:updateFrequency>" if frequency else ""
    return f"<sy:updatePeriod>{period}</sy:updatePeriod>{given}"


def both_ways(body: bytes) -> ParsedFeed:
    """The fast reader's result, which must exist and equal feedparser's."""
    fast = parse_fast(body, url=URL)
    assert fast is not None, "the fast reader gave this document to feedparser"
    slow = parse_feed(body, url=URL, headers={}, fast_reader=False)
    assert fast == slow
    return fast


@pytest.mark.parametrize(
    ("channel", "hint"),
    [
        ("<ttl>60</ttl>", 60),
        ("<ttl>\n  45 \n</ttl>", 45),
        ("<ttl>0</ttl>", None),
        ("<ttl>-60</ttl>", None),
        ("<ttl>٦٠</ttl>", None),  # digits, but not the ones a ttl is written in
        ("<ttl>1e3</ttl>", None),
        ("<ttl>9999999999999999999999999</ttl>", None),
        ("<ttl>100000</ttl>", MAX_HINT_MINUTES),
        ('<ttl unit="minutes">60</ttl>', None),  # feedparser files its attributes instead
        ("<ttl>30</ttl><ttl>90</ttl>", 90),  # the last one, as feedparser keeps it
        (sy("hourly"), 60),
        (sy("HOURLY", "3"), 20),
        (sy("daily", "x"), None),
        (sy("monthly"), MAX_HINT_MINUTES),
        (sy("yearly", "365"), MAX_HINT_MINUTES),
        ("<ttl>30</ttl><sy:updatePeriod>hourly</sy:updatePeriod>", 60),  # the largest
        ("", None),
    ],
)
def test_rss_hints_are_read_alike_by_both_readers(channel: str, hint: int | None) -> None:
    assert both_ways(rss20(channel)).hint_minutes == hint


def test_a_ttl_inside_an_item_is_no_hint_for_the_feed() -> None:
    items = ITEM.replace("</item>", "<ttl>60</ttl></item>")
    assert both_ways(rss20("", items)).hint_minutes is None


def test_hints_after_thousands_of_unknown_elements_are_still_read_by_both() -> None:
    noise = "<x-unknown>filler</x-unknown>" * 1_500
    assert both_ways(rss20(noise + "<ttl>75</ttl>")).hint_minutes == 75


def test_rss_1_0_and_atom_carry_the_syndication_hints() -> None:
    rdf = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns="http://purl.org/rss/1.0/" {SY}>'
        '<channel rdf:about="https://example.com/"><title>RDF</title>'
        "<link>https://example.com/</link><sy:updatePeriod>daily</sy:updatePeriod>"
        "<sy:updateFrequency>2</sy:updateFrequency></channel>"
        '<item rdf:about="https://example.com/1"><title>One</title>'
        "<link>https://example.com/1</link></item></rdf:RDF>"
    ).encode()
    atom = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" {SY}><title>Atom</title>'
        "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>"
        "<entry><title>One</title><id>urn:one</id>"
        '<link href="https://example.com/1"/></entry></feed>'
    ).encode()

    assert both_ways(rdf).hint_minutes == 12 * 60
    assert both_ways(atom).hint_minutes == 30


def test_documents_feedparser_reads_alone_give_the_same_hint() -> None:
    latin1 = rss20("<ttl>40</ttl>").replace(b"utf-8", b"iso-8859-1").replace(b"Hinted", b"H\xe9")
    broken = rss20("<ttl>50</ttl>").replace(b"</channel></rss>", b"")  # cut short

    assert parse_fast(latin1, url=URL) is None and parse_fast(broken, url=URL) is None
    assert parse_feed(latin1, url=URL).hint_minutes == 40
    assert parse_feed(broken, url=URL).hint_minutes == 50


def test_json_feeds_rss_in_json_may_carry_a_ttl_and_json_feed_has_none() -> None:
    rss_in_json = {"rss": {"channel": {"title": "J", "ttl": 90, "item": [{"title": "One"}]}}}
    json_feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "ttl": 90,
        "items": [{"id": "1", "title": "One"}],
    }

    assert parse_feed(json.dumps(rss_in_json).encode(), url=URL).hint_minutes == 90
    assert parse_feed(json.dumps(json_feed).encode(), url=URL).hint_minutes is None


def test_the_response_cache_control_joins_the_documents_hint_and_the_larger_wins() -> None:
    body = rss20("<ttl>30</ttl>")

    longer = parse_feed(body, url=URL, headers={"Cache-Control": "max-age=5400"})
    shorter = parse_feed(body, url=URL, headers={"cache-control": "public, max-age=600"})
    refused = parse_feed(body, url=URL, headers={"Cache-Control": "no-store, max-age=5400"})

    assert (longer.hint_minutes, shorter.hint_minutes, refused.hint_minutes) == (90, 30, 30)


@pytest.mark.parametrize(
    ("value", "minutes"),
    [
        ("max-age=3600", 60),
        ("MAX-AGE = 3600", 60),
        ("s-maxage=3600", None),
        ("max-age=3600, max-age=60", 60),  # the first one
        ("max-age=59", None),
        ("max-age=-60", None),
        ("max-age=", None),
        ("max-age=9" + "9" * 40, None),
        ("public", None),
        ("", None),
    ],
)
def test_cache_control_max_age_in_whole_minutes(value: str, minutes: int | None) -> None:
    assert max_age_hint({"Cache-Control": value}) == minutes


# -- the intervals a user writes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("30m", 30),
        ("6h", 360),
        (" 6H ", 360),
        ("2d", 2 * 24 * 60),
        ("1w", 7 * 24 * 60),
        ("90 m", 90),
        ("30d", MAX_EVERY_MINUTES),
        ("0", None),
        ("0h", None),
        ("off", None),
        ("Default", None),
    ],
)
def test_an_interval_is_a_number_and_a_unit_or_a_word_that_clears_it(
    text: str, minutes: int | None
) -> None:
    assert parse_interval(text) == minutes


@pytest.mark.parametrize(
    "text",
    ["", "6", "1.5h", "-1h", "6 hours", "1y", "31d", "9999999999h", "６h", "6h30m", "never"],
)
def test_an_interval_that_means_nothing_is_one_sentence(text: str) -> None:
    with pytest.raises(NewstermError) as caught:
        parse_interval(text)
    message = str(caught.value)
    assert message.count(".") >= 1 and "\n" not in message
    assert "30m" in message or "30 days" in message


@pytest.mark.parametrize("minutes", [1, 45, 90, 60, 360, 1440, 2880, 10080, 20160, 43200])
def test_an_interval_label_reads_back_as_the_same_interval(minutes: int) -> None:
    assert parse_interval(interval_label(minutes)) == minutes
    assert interval_label(360) == "6h" and interval_label(90) == "90m"
