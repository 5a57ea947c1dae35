"""Links and dates that other feed parsers' fixtures hold, read the way their tests expect.

Both paths must agree: the fast reader and feedparser (with newsterm's additions).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.feeds import rss_document as rss
from tests.support.paths import CORPUS
from tui.core.models import ParsedFeed
from tui.core.parse.fast.reader import parse_fast
from tui.core.parse.feed import parse_feed

FEED_URL = "https://example.com/feed.xml"
PEERS = CORPUS / "peers"
AT_URI = "at://did:plc:pzznkrzajsaqev3ffamg3jnr/app.bsky.feed.post/3ljkhwqun7l2b"


def both(body: bytes, url: str = FEED_URL) -> ParsedFeed:
    """parse_feed's result, checked equal whichever path reads it."""
    slow = parse_feed(body, url=url, headers={}, fast_reader=False)
    fast = parse_fast(body, url=url)
    if fast is not None:
        assert fast == slow
    return slow


def test_an_http_link_written_as_text_wins_over_an_at_uri_attribute() -> None:
    body = rss(
        f'<item><title>Post</title><link uri="{AT_URI}">http://example.com/item</link></item>'
    )
    assert parse_fast(body, url=FEED_URL) is not None  # the fast reader takes it too
    (entry,) = both(body).entries
    assert entry.link == "http://example.com/item"


@pytest.mark.parametrize(
    ("element", "link"),
    [
        # no http(s) text beside it: the attribute stays
        (f'<link uri="{AT_URI}"/>', AT_URI),
        (f'<link uri="{AT_URI}">not a url</link>', AT_URI),
        # an http(s) attribute keeps winning over the text, as feedparser has it
        (
            '<link href="https://example.com/a">https://example.com/b</link>',
            "https://example.com/a",
        ),
        # the text is a URL with &amp; in it
        (
            f'<link uri="{AT_URI}">https://example.com/?a=1&amp;b=2</link>',
            "https://example.com/?a=1&b=2",
        ),
        # plain RSS links are unchanged
        ("<link>https://example.com/plain</link>", "https://example.com/plain"),
    ],
)
def test_link_attribute_and_text(element: str, link: str) -> None:
    (entry,) = both(rss(f"<item><title>Post</title>{element}</item>")).entries
    assert entry.link == link


def test_an_http_alternate_wins_over_an_earlier_non_web_one_in_atom() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>T</title><entry><title>E</title><id>urn:e</id>"
        f'<link rel="alternate" href="{AT_URI}"/><link rel="alternate" href="https://example.com/e"/>'
        "</entry></feed>"
    ).encode()
    (entry,) = both(body).entries
    assert entry.link == "https://example.com/e"


@pytest.mark.parametrize(
    "written",
    [
        "mer, 16 nov 2022 00:38:15 +0100",  # Italian
        "Mi, 16 Nov 2022 00:38:15 +0100",  # German
        "mié., 16 nov 2022 00:38:15 +0100",  # Spanish, with a dot
        "ons 16 Nov 2022 00:38:15 +0100",  # Swedish, no comma
        "水, 16 Nov 2022 00:38:15 +0100",  # Japanese
        "Wed, 16 Nov 2022 00:38:15 +0100",  # and English, as before
    ],
)
def test_a_weekday_in_any_language_is_ignored(written: str) -> None:
    body = rss(f"<item><title>Dated</title><guid>1</guid><pubDate>{written}</pubDate></item>")
    (entry,) = both(body).entries
    assert entry.published == datetime(2022, 11, 15, 23, 38, 15, tzinfo=UTC)


def test_a_non_english_weekday_in_dc_date_and_atom_updated() -> None:
    body = rss(
        "<item><title>Dated</title><guid>1</guid>"
        "<dc:date>ven, 18 nov 2022 10:00:00 +0000</dc:date></item>"
    )
    (entry,) = both(body).entries
    assert entry.published == entry.updated == datetime(2022, 11, 18, 10, tzinfo=UTC)


@pytest.mark.parametrize("written", ["jeudi", "mer, nope", "mer, 99 nov 2022 00:00:00 +0100"])
def test_what_is_still_no_date_stays_no_date(written: str) -> None:
    body = rss(f"<item><title>Dated</title><guid>1</guid><pubDate>{written}</pubDate></item>")
    (entry,) = both(body).entries
    assert entry.published is None


def test_a_json_feed_with_an_rss_date_and_a_foreign_weekday() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": "1", "title": "x", "date_published": "mer, 16 nov 2022 00:38:15 +0100"}],
    }
    (entry,) = parse_feed(json.dumps(document).encode(), url=FEED_URL).entries
    assert entry.published == datetime(2022, 11, 15, 23, 38, 15, tzinfo=UTC)


# --- The fixtures themselves -------------------------------------------------------------------

AT_FIXTURE = PEERS / "gofeed" / "testdata" / "parser" / "rss" / "rss_channel_item_uri_at_protocol"
MESSAGGERO = PEERS / "feed-rs" / "fixture" / "rss2" / "rss_2.0_ilmessaggero"
needs_peers = pytest.mark.skipif(not PEERS.is_dir(), reason=f"no peer fixtures at {PEERS}")


@pytest.mark.corpus
@needs_peers
def test_gofeeds_at_protocol_fixture_gives_its_expected_link() -> None:
    expected = json.loads(AT_FIXTURE.with_suffix(".json").read_text(encoding="utf-8"))
    result = both(AT_FIXTURE.with_suffix(".xml").read_bytes())
    assert [entry.link for entry in result.entries] == [i["link"] for i in expected["items"]]


@pytest.mark.corpus
@needs_peers
def test_feed_rs_il_messaggero_fixture_has_every_date() -> None:
    path = Path(f"{MESSAGGERO}.xml")
    result = both(path.read_bytes(), url="https://www.ilmessaggero.it/rss/home.xml")
    assert result.entries
    assert all(entry.published is not None for entry in result.entries)
    assert result.entries[0].published == datetime(2022, 11, 15, 23, 38, 15, tzinfo=UTC)
