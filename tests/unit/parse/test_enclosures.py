"""tui.core.parse.enclosures: a story's enclosures (podcast episodes, videos), read from
RSS ``<enclosure>``, Atom ``<link rel="enclosure">``, Media RSS, ``itunes:duration`` and
JSON Feed ``attachments``. Every value is the feed's word, so each is cleaned and bounded;
through :func:`parse_feed` the fast reader must give what feedparser's path gives."""

from __future__ import annotations

import json
import unicodedata

import pytest

from tui.core.models import Enclosure, ParsedFeed
from tui.core.parse.enclosures import (
    MAX_ENCLOSURES,
    enclosure,
    from_feedparser,
    from_json_feed,
    gather,
    parse_duration,
    parse_length,
)
from tui.core.parse.fast.reader import parse_fast
from tui.core.parse.feed import parse_feed

WEEK = 7 * 24 * 3600
TERABYTE = 1 << 40
POD_URL = "https://pod.example/feed.xml"
RSS_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
    ' xmlns:media="http://search.yahoo.com/mrss/">\n'
    "<channel><title>Pod</title><link>https://pod.example/</link>\n"
)


def rss(items: str) -> bytes:
    return (RSS_HEAD + items + "\n</channel></rss>").encode()


def both_paths(body: bytes, url: str = POD_URL) -> ParsedFeed:
    """parse_feed's answer, which the fast reader must give (and does give: not a fallback)
    exactly as feedparser's path does."""
    assert parse_fast(body, url=url) is not None, "the fast reader fell back"
    fast = parse_feed(body, url=url, headers={})
    slow = parse_feed(body, url=url, headers={}, fast_reader=False)
    assert fast == slow
    return slow


def by_key(parsed: ParsedFeed) -> dict[str, tuple[Enclosure, ...]]:
    return {entry.key: entry.enclosures for entry in parsed.entries}


# -- parse_duration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1:02:03", 3723),
        ("62:03", 3723),
        ("45", 45),
        (" 1:02:03 ", 3723),
        ("01:02:03.250", 3723),
        (3723, 3723),
        (3723.0, 3723),
        (3723.9, 3723),
        ("3723.5", 3723),
        (WEEK, WEEK),
    ],
)
def test_parse_duration_reads_clocks_and_seconds(value: object, seconds: int) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "abc",
        "1:60:00",  # minutes past 59 beside hours
        "1:02:60",  # seconds past 59
        "62:60",
        "1:2:3:4",
        "-5",
        "0",
        "0:00",
        0,
        -5,
        -5.5,
        True,
        False,
        None,
        float("nan"),
        WEEK + 1,
        "168:00:01",  # a week and a second
        "99999999",
        [3723],
        b"3723",
    ],
)
def test_parse_duration_rejects_what_is_no_duration(value: object) -> None:
    assert parse_duration(value) is None


@pytest.mark.parametrize("value", [float("inf"), float("-inf")])
def test_parse_duration_of_an_infinite_number_is_none(value: float) -> None:
    # JSON Feed's duration_in_seconds may be 1e999, which json.loads reads as infinity.
    assert parse_duration(value) is None


# -- parse_length --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "length"),
    [
        ("45000000", 45000000),
        (" 45000000 ", 45000000),
        (45000000, 45000000),
        (45000000.0, 45000000),
        (TERABYTE, TERABYTE),
        (str(TERABYTE), TERABYTE),
    ],
)
def test_parse_length_reads_byte_counts(value: object, length: int) -> None:
    assert parse_length(value) == length


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "-1",
        "",
        "12abc",
        "12.5",
        "1e6",
        "１２",  # full-width digits: str.isdigit says yes, a feed's number says no
        "²",
        0,
        -1,
        1.5,
        float("nan"),
        float("inf"),
        TERABYTE + 1,
        str(TERABYTE + 1),
        True,
        False,
        None,
        [12],
    ],
)
def test_parse_length_rejects_what_is_no_size(value: object) -> None:
    assert parse_length(value) is None


def test_parse_length_of_an_endless_digit_string_is_none() -> None:
    # Past 4,300 digits int() refuses the string (ValueError), and a feed can say anything.
    assert parse_length("9" * 5000) is None


# -- enclosure() ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:audio/mpeg;base64,AAAA",
        "ftp://files.example/ep1.mp3",
        "file:///etc/passwd",
        "mailto:pod@example.com",
        "",
        None,
        42,
        ["https://a.example/x.mp3"],
    ],
)
def test_enclosure_needs_an_http_url(url: object) -> None:
    assert enclosure(url, base="https://pod.example/feed/", media_type="audio/mpeg") is None


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("ep/1.mp3", "https://pod.example/feed/", "https://pod.example/feed/ep/1.mp3"),
        ("/media/1.mp3", "https://pod.example/feed/", "https://pod.example/media/1.mp3"),
        ("//cdn.example/1.mp3", "https://pod.example/feed/", "https://cdn.example/1.mp3"),
        ("https://cdn.example/1.mp3", "https://pod.example/", "https://cdn.example/1.mp3"),
    ],
)
def test_enclosure_resolves_a_relative_url_against_the_base(
    url: str, base: str, expected: str
) -> None:
    found = enclosure(url, base=base)
    assert found is not None
    assert found.url == expected


@pytest.mark.parametrize(
    ("given", "media_type"),
    [
        ("audio/mpeg", "audio/mpeg"),
        ("AUDIO/MPEG; codecs=x", "audio/mpeg"),
        ("  Video/MP4 ", "video/mp4"),
        ("application/vnd.apple.mpegurl", "application/vnd.apple.mpegurl"),
        ("<script>", ""),
        ("audio/<script>", ""),
        ("audio", ""),
        ("audio/mpeg extra", ""),
        ("", ""),
        (None, ""),
        (42, ""),
    ],
)
def test_enclosure_keeps_a_media_type_only_when_it_looks_like_one(
    given: object, media_type: str
) -> None:
    found = enclosure("https://a.example/x", media_type=given)
    assert found is not None
    assert found.type == media_type


def test_enclosure_title_is_one_clean_line_of_at_most_200_characters() -> None:
    found = enclosure(
        "https://a.example/x.mp3",
        title="Part\x00 one\nand\ttwo\x1b[31m red\u202e\x85 end  ",
    )
    assert found is not None
    assert found.title == "Part one and two red end"
    long = enclosure("https://a.example/x.mp3", title="word " * 100)
    assert long is not None
    assert 0 < len(long.title) <= 200
    assert long.title.startswith("word word")
    for item in (found, long):
        assert "\n" not in item.title
        assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in item.title)
    exact = enclosure("https://a.example/x.mp3", title="x" * 500)
    assert exact is not None
    assert exact.title == "x" * 200


def test_enclosure_title_that_is_not_text_is_none() -> None:
    found = enclosure("https://a.example/x.mp3", title=["x"])
    assert found is not None
    assert found.title == ""


def test_enclosure_reads_its_numbers() -> None:
    found = enclosure(
        "https://a.example/x.mp3",
        media_type="audio/mpeg",
        length="45000000",
        duration="1:02:03",
        title="Episode 1",
    )
    assert found == Enclosure("https://a.example/x.mp3", "audio/mpeg", 45000000, 3723, "Episode 1")
    junk = enclosure("https://a.example/x.mp3", length="-1", duration="soon")
    assert junk == Enclosure("https://a.example/x.mp3")


@pytest.mark.parametrize(
    ("media_type", "kind"),
    [
        ("audio/mpeg", "audio"),
        ("video/mp4", "video"),
        ("image/jpeg", "image"),
        ("application/pdf", "file"),
        ("text/html", "file"),
        ("", "file"),
    ],
)
def test_kind_is_the_major_type(media_type: str, kind: str) -> None:
    assert Enclosure("https://a.example/x", media_type).kind == kind


# -- gather() ------------------------------------------------------------------------------


def test_gather_keeps_one_per_url_and_later_mentions_fill_gaps() -> None:
    found = gather(
        [
            Enclosure("https://a.example/1.mp3", "audio/mpeg"),
            None,
            Enclosure("https://a.example/2.mp4", "video/mp4", 10),
            Enclosure("https://a.example/1.mp3", "video/mp4", 99, 60, "Later title"),
            Enclosure("https://a.example/1.mp3", "", 7, 8, "Last title"),
        ]
    )
    assert found == (
        # The first mention's values win; later ones fill only what it left out.
        Enclosure("https://a.example/1.mp3", "audio/mpeg", 99, 60, "Later title"),
        Enclosure("https://a.example/2.mp4", "video/mp4", 10),
    )


def test_gather_keeps_at_most_twenty() -> None:
    urls = [f"https://a.example/{i}.mp3" for i in range(MAX_ENCLOSURES + 5)]
    found = gather(
        [Enclosure(url, "audio/mpeg") for url in urls]
        # A later mention of a kept URL still fills it; one of a dropped URL adds nothing.
        + [Enclosure(urls[0], "audio/mpeg", 5), Enclosure(urls[MAX_ENCLOSURES], "", 5)]
    )
    assert MAX_ENCLOSURES == 20
    assert [item.url for item in found] == urls[:MAX_ENCLOSURES]
    assert found[0].length == 5


def test_gather_gives_the_duration_to_the_first_audio_video_or_file_lacking_one() -> None:
    image = Enclosure("https://a.example/cover.jpg", "image/jpeg")
    timed = Enclosure("https://a.example/0.mp3", "audio/mpeg", duration=5)
    audio = Enclosure("https://a.example/1.mp3", "audio/mpeg")
    video = Enclosure("https://a.example/2.mp4", "video/mp4")
    untyped = Enclosure("https://a.example/3")

    assert gather([image, audio, video], "1:00") == (
        image,
        Enclosure(audio.url, audio.type, duration=60),
        video,
    )
    assert gather([timed, video], "60") == (timed, Enclosure(video.url, video.type, duration=60))
    assert gather([image, untyped], 60) == (image, Enclosure(untyped.url, duration=60))
    assert gather([image], "1:00") == (image,)  # an image has no duration
    assert gather([audio], "soon") == (audio,)
    assert gather([audio], None) == (audio,)
    assert gather([], "1:00") == ()


def test_from_feedparser_and_from_json_feed_read_only_what_has_the_right_shape() -> None:
    assert from_feedparser({"links": "x", "media_content": {"url": "https://a/x"}}, "") == ()
    assert (
        from_feedparser({"links": [1, None, {"rel": "alternate", "href": "https://a/"}]}, "") == ()
    )
    assert from_json_feed("https://a.example/x.mp3", "") == ()
    assert from_json_feed({"url": "https://a.example/x.mp3"}, "") == ()
    assert from_json_feed([1, None, {"url": 5}, {"mime_type": "audio/mpeg"}], "") == ()


# -- whole feeds, both parse paths ---------------------------------------------------------


PODCAST = rss(
    """
<item><title>Episode 1</title><guid>ep1</guid><link>https://pod.example/1</link>
  <enclosure url="https://cdn.example/ep1.mp3" length="45000000" type="audio/mpeg"/>
  <itunes:duration>1:02:03</itunes:duration>
  <media:content url="https://cdn.example/ep1.mp4" fileSize="99000000" medium="video"/>
</item>
<item><title>Episode 2</title><guid>ep2</guid><link>https://pod.example/2</link>
  <enclosure url="/media/ep2.m4a" length="0" type="AUDIO/X-M4A; codecs=mp4a"/>
  <itunes:duration>45</itunes:duration>
</item>
<item><title>Hostile</title><guid>hostile</guid><link>https://pod.example/3</link>
  <enclosure url="javascript:alert(1)" length="1" type="audio/mpeg"/>
  <media:content url="data:audio/mpeg;base64,AAAA" type="audio/mpeg"/>
  <itunes:duration>1:00</itunes:duration>
</item>
<item><title>Plain</title><guid>plain</guid><link>https://pod.example/4</link></item>
"""
)


def test_an_rss_podcast_reads_the_same_on_both_paths() -> None:
    found = by_key(both_paths(PODCAST))
    mp3, mp4 = found["https://pod.example/ep1"]
    assert mp3 == Enclosure("https://cdn.example/ep1.mp3", "audio/mpeg", 45000000, 3723)
    assert (mp4.url, mp4.length, mp4.duration, mp4.title) == (
        "https://cdn.example/ep1.mp4",
        99000000,
        None,
        "",
    )
    assert found["https://pod.example/ep2"] == (
        Enclosure("https://pod.example/media/ep2.m4a", "audio/x-m4a", None, 45),
    )
    # The story stays; its hostile enclosures do not.
    assert found["https://pod.example/hostile"] == ()
    assert found["https://pod.example/plain"] == ()


def test_media_content_with_a_medium_and_no_type_is_of_that_kind() -> None:
    (entry, *_) = both_paths(PODCAST).entries
    kinds = {item.url: item.kind for item in entry.enclosures}
    assert kinds == {"https://cdn.example/ep1.mp3": "audio", "https://cdn.example/ep1.mp4": "video"}


def test_an_item_with_25_enclosures_keeps_the_first_20_on_both_paths() -> None:
    enclosures = "".join(
        f'<enclosure url="https://cdn.example/{i}.mp3" length="{i + 1}" type="audio/mpeg"/>'
        for i in range(25)
    )
    body = rss(f"<item><title>Many</title><guid>many</guid>{enclosures}</item>")
    (entry,) = both_paths(body).entries
    assert entry.enclosures == tuple(
        Enclosure(f"https://cdn.example/{i}.mp3", "audio/mpeg", i + 1) for i in range(20)
    )


def test_an_endless_length_leaves_the_story_and_its_enclosure() -> None:
    body = rss(
        '<item><title>Long</title><guid>long</guid><enclosure url="https://cdn.example/l.mp3"'
        f' type="audio/mpeg" length="{"9" * 5000}"/></item>'
        "<item><title>Fine</title><guid>fine</guid></item>"
    )
    for fast_reader in (True, False):
        parsed = parse_feed(body, url=POD_URL, headers={}, fast_reader=fast_reader)
        assert parsed.warnings == ()
        by_title = {entry.title: entry.enclosures for entry in parsed.entries}
        assert by_title["Long"] == (Enclosure("https://cdn.example/l.mp3", "audio/mpeg"),)
        assert by_title["Fine"] == ()


def test_an_atom_enclosure_link_resolves_under_xml_base_on_both_paths() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://site.example/blog/">
<title>Atom pod</title><id>urn:pod</id><updated>2026-01-01T00:00:00Z</updated>
<entry xml:base="media/"><id>urn:e1</id><title>E1</title><updated>2026-01-01T00:00:00Z</updated>
  <link rel="alternate" href="https://site.example/e1"/>
  <link rel="enclosure" length="1234" type="audio/ogg" href="e1.ogg" title="Episode one"/>
  <link rel="enclosure" href="https://cdn.example/e1.pdf" type="application/pdf"/>
  <link rel="enclosure" href="javascript:alert(1)" type="audio/ogg"/>
</entry>
<entry><id>urn:e2</id><title>E2</title><updated>2026-01-01T00:00:00Z</updated>
  <link rel="enclosure" length="-1" href="/abs/e2.mp4" type="video/mp4"/>
</entry>
</feed>"""
    found = by_key(both_paths(body, url="https://site.example/feed.xml"))
    assert found["urn:e1"] == (
        Enclosure("https://site.example/blog/media/e1.ogg", "audio/ogg", 1234, None, "Episode one"),
        Enclosure("https://cdn.example/e1.pdf", "application/pdf"),
    )
    assert found["urn:e2"] == (Enclosure("https://site.example/abs/e2.mp4", "video/mp4"),)


def json_feed(items: list[dict[str, object]]) -> bytes:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}
    return json.dumps(feed).encode()


JSON_URL = "https://j.example/pod/feed.json"
JSON_HEADERS = {"content-type": "application/feed+json"}


def test_json_feed_attachments() -> None:
    attachments = [
        {
            "url": "https://cdn.example/1.mp3",
            "mime_type": "audio/mpeg",
            "size_in_bytes": 45000000,
            "duration_in_seconds": 3723,
            "title": "Episode\none",
        },
        {"url": "files/1.pdf", "mime_type": "application/pdf", "size_in_bytes": 0},
        {"url": "javascript:alert(1)", "mime_type": "audio/mpeg"},
        {"url": "https://cdn.example/1.mp3", "title": "Again", "size_in_bytes": 1},
        {"url": "https://cdn.example/2.mp4", "mime_type": "<b>", "duration_in_seconds": -3},
    ]
    body = json_feed(
        [
            {
                "id": "1",
                "url": "https://j.example/1",
                "content_text": "x",
                "attachments": attachments,
            },
            {"id": "2", "url": "https://j.example/2", "content_text": "y", "attachments": "no"},
        ]
    )
    parsed = parse_feed(body, url=JSON_URL, headers=JSON_HEADERS)
    assert by_key(parsed) == {
        "1": (
            Enclosure("https://cdn.example/1.mp3", "audio/mpeg", 45000000, 3723, "Episode one"),
            Enclosure("https://j.example/pod/files/1.pdf", "application/pdf"),
            Enclosure("https://cdn.example/2.mp4"),
        ),
        "2": (),
    }


def test_json_feed_infinite_duration_leaves_the_story_and_its_attachment() -> None:
    item = (
        '{"id":"1","url":"https://j.example/1","content_text":"x","attachments":'
        '[{"url":"https://cdn.example/1.mp3","mime_type":"audio/mpeg","duration_in_seconds":1e999}]}'
    )
    body = (
        '{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[' + item + "]}"
    ).encode()
    parsed = parse_feed(body, url=JSON_URL, headers=JSON_HEADERS)
    assert by_key(parsed) == {"1": (Enclosure("https://cdn.example/1.mp3", "audio/mpeg"),)}
