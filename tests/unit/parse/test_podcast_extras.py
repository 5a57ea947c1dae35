"""An episode's extras (issue 13): Podcasting 2.0's ``<podcast:transcript>`` and
``<podcast:chapters>``, and its artwork (``<itunes:image>``, else an episode's
``<media:thumbnail>``), read into the story's enclosures after its files, each with a
``rel``. Both parse paths must give the same, the fast reader without falling back:
feedparser 6.0 would keep one element of a name per item (the last), so both add handlers
that keep every transcript in document order, and the first usable chapters. Every value
is the feed's word: http(s) only, types and languages cleaned, counts bounded, and an
extra is never audio or video."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tui.core.models import Enclosure, ParsedFeed
from tui.core.parse.driver import run_feedparser
from tui.core.parse.enclosures import (
    MAX_TRANSCRIPTS,
    from_feedparser,
    podcast_extras,
)
from tui.core.parse.fast.reader import _Reader, parse_fast
from tui.core.parse.feed import parse_feed
from tui.core.store.enclosures import dump_enclosures

FEED_URL = "https://pod.example/feed.xml"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
NAMESPACES = (
    f'xmlns:podcast="{PODCAST_NS}"'
    ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
    ' xmlns:media="http://search.yahoo.com/mrss/"'
)
MP3 = '<enclosure url="https://cdn.example/{n}.mp3" length="1000" type="audio/mpeg"/>'


def rss(items: str, namespaces: str = NAMESPACES, channel: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<rss version="2.0" {namespaces}>\n'
        f"<channel><title>Pod</title><link>https://pod.example/</link>{channel}\n"
        f"{items}\n</channel></rss>"
    ).encode()


def item(key: str, body: str) -> str:
    return f"<item><title>{key}</title><guid>https://pod.example/{key}</guid>{body}</item>"


def both_paths(body: bytes) -> ParsedFeed:
    """What parse_feed gives, which the fast reader must give too, without falling back."""
    assert parse_fast(body, url=FEED_URL) is not None, "the fast reader fell back"
    fast = parse_feed(body, url=FEED_URL, headers={})
    slow = parse_feed(body, url=FEED_URL, headers={}, fast_reader=False)
    assert fast == slow
    return slow


def by_key(parsed: ParsedFeed) -> dict[str, tuple[Enclosure, ...]]:
    return {entry.key.rsplit("/", 1)[-1]: entry.enclosures for entry in parsed.entries}


def filed(body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first entry's dict as feedparser's path files it, and as the fast reader does."""
    slow = run_feedparser(body, {"content-type": "application/xml"}).entries[0]
    reader = _Reader(FEED_URL)
    reader.read(body)
    return slow, reader.entries[0]


def transcript(url: str, media_type: str = "", language: str = "") -> Enclosure:
    return Enclosure(url, media_type, rel="transcript", language=language)


# -- what is read --------------------------------------------------------------------------


EPISODES = rss(
    item(
        "full",
        MP3.format(n=1) + '<podcast:transcript url="https://cdn.example/1.vtt" type="text/vtt"'
        ' language="en" rel="captions"/>'
        '<podcast:transcript url="https://cdn.example/1.srt" type="application/x-subrip"/>'
        '<podcast:transcript url="/t/1.json" type="Application/JSON" language="pt_BR"/>'
        '<podcast:chapters url="https://cdn.example/1-chapters.json"'
        ' type="application/json+chapters"/>'
        '<itunes:image href="https://cdn.example/1.jpg"/>'
        '<media:thumbnail url="https://cdn.example/1-thumb.jpg"/>',
    )
    + item("thumbnail", MP3.format(n=2) + '<media:thumbnail url="https://cdn.example/2.jpg"/>')
    + item("news", '<media:thumbnail url="https://cdn.example/3.jpg"/><description>x</description>')
    + item("art-only", '<itunes:image href="art/4.png"/>')
    + item("plain", "<description>nothing</description>")
)


def test_an_episodes_extras_follow_its_files_on_both_paths() -> None:
    found = by_key(both_paths(EPISODES))
    assert found["full"] == (
        Enclosure("https://cdn.example/1.mp3", "audio/mpeg", 1000),
        # Every <podcast:transcript> of an item, in the document's order; the last one
        # relative to the feed, its type lower-cased, "pt_BR" read as "pt-BR".
        transcript("https://cdn.example/1.vtt", "text/vtt", "en"),
        transcript("https://cdn.example/1.srt", "application/x-subrip"),
        transcript("https://pod.example/t/1.json", "application/json", "pt-BR"),
        Enclosure(
            "https://cdn.example/1-chapters.json", "application/json+chapters", rel="chapters"
        ),
        # <itunes:image> wins over the thumbnail.
        Enclosure("https://cdn.example/1.jpg", rel="artwork"),
    )
    # A thumbnail is an episode's artwork beside audio or video, not a news story's.
    assert found["thumbnail"] == (
        Enclosure("https://cdn.example/2.mp3", "audio/mpeg", 1000),
        Enclosure("https://cdn.example/2.jpg", rel="artwork"),
    )
    assert found["news"] == ()
    assert found["art-only"] == (Enclosure("https://pod.example/art/4.png", rel="artwork"),)
    assert found["plain"] == ()


def test_an_extras_kind_is_its_rel_so_nothing_plays_or_counts_it_as_a_file() -> None:
    (full, *_rest) = both_paths(EPISODES).entries
    assert [item.kind for item in full.enclosures] == [
        "audio",
        *["transcript"] * 3,
        "chapters",
        "artwork",
    ]


def test_every_transcript_is_kept_in_the_documents_order() -> None:
    body = rss(
        item(
            "e",
            '<podcast:transcript url="https://cdn.example/a.json" type="application/json"/>'
            '<podcast:transcript url="https://cdn.example/a.vtt" type="text/vtt" language="en"/>'
            '<podcast:transcript url="https://cdn.example/a.fr.vtt" type="text/vtt"'
            ' language="fr"/>'
            '<podcast:transcript url="https://cdn.example/a.srt" type="application/srt"/>',
        )
        + item(
            "f",
            '<podcast:transcript url="https://cdn.example/f.srt" type="application/srt"/>'
            '<podcast:transcript url="https://cdn.example/f.vtt" type="text/vtt"/>',
        )
    )
    found = by_key(both_paths(body))
    assert found["e"] == (
        transcript("https://cdn.example/a.json", "application/json"),
        transcript("https://cdn.example/a.vtt", "text/vtt", "en"),
        transcript("https://cdn.example/a.fr.vtt", "text/vtt", "fr"),
        transcript("https://cdn.example/a.srt", "application/srt"),
    )
    # Another item's are its own, in its own order.
    assert found["f"] == (
        transcript("https://cdn.example/f.srt", "application/srt"),
        transcript("https://cdn.example/f.vtt", "text/vtt"),
    )


def test_both_paths_file_every_transcript_as_a_list_in_order() -> None:
    # What each path hands the enclosure code: the same list of attribute dicts.
    body = rss(
        item(
            "e",
            '<podcast:transcript url="https://cdn.example/1.vtt" type="text/vtt"/>'
            "<podcast:transcript>ignored</podcast:transcript>"
            '<podcast:transcript url="https://cdn.example/2.srt"/>'
            '<podcast:chapters url="https://cdn.example/1.json"/>'
            '<podcast:chapters url="https://cdn.example/2.json"/>',
        )
    )
    for entry in filed(body):
        assert entry["podcast_transcript"] == [
            {"url": "https://cdn.example/1.vtt", "type": "text/vtt"},
            {"url": "https://cdn.example/2.srt"},
        ]
        assert entry["podcast_chapters"] == [
            {"url": "https://cdn.example/1.json"},
            {"url": "https://cdn.example/2.json"},
        ]


def test_an_items_first_usable_chapters_is_the_one_kept() -> None:
    # The specification allows one <podcast:chapters> an item; of several, the first
    # usable one is read on both paths.
    body = rss(
        item(
            "e",
            '<podcast:chapters url="javascript:alert(1)" type="application/json+chapters"/>'
            '<podcast:chapters url="https://cdn.example/1.json" type="application/json+chapters"/>'
            '<podcast:chapters url="https://cdn.example/2.json" type="application/json+chapters"/>',
        )
    )
    assert by_key(both_paths(body))["e"] == (
        Enclosure("https://cdn.example/1.json", "application/json+chapters", rel="chapters"),
    )


def test_an_atom_entry_has_its_extras_too() -> None:
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" {NAMESPACES}>
<title>Atom pod</title><id>urn:pod</id><updated>2026-01-01T00:00:00Z</updated>
<entry><id>urn:e1</id><title>E1</title><updated>2026-01-01T00:00:00Z</updated>
  <link rel="enclosure" href="https://cdn.example/e1.ogg" type="audio/ogg"/>
  <podcast:transcript url="https://cdn.example/e1.html" type="text/html"/>
  <itunes:image href="https://cdn.example/e1.png"/>
</entry></feed>""".encode()
    (entry,) = both_paths(body).entries
    assert entry.enclosures == (
        Enclosure("https://cdn.example/e1.ogg", "audio/ogg"),
        transcript("https://cdn.example/e1.html", "text/html"),
        Enclosure("https://cdn.example/e1.png", rel="artwork"),
    )


def test_channel_level_extras_belong_to_no_story() -> None:
    body = rss(
        item("e", MP3.format(n=1)),
        channel='<podcast:transcript url="https://cdn.example/c.vtt" type="text/vtt"/>'
        '<itunes:image href="https://cdn.example/show.jpg"/>',
    )
    assert by_key(both_paths(body))["e"] == (
        Enclosure("https://cdn.example/1.mp3", "audio/mpeg", 1000),
    )


def test_another_prefix_for_the_namespace_is_not_read_on_either_path() -> None:
    # feedparser files unknown namespaces under the document's own prefix: "pi_transcript".
    body = rss(
        item("e", '<pi:transcript url="https://cdn.example/e.vtt" type="text/vtt"/>'),
        namespaces=f'xmlns:pi="{PODCAST_NS}"',
    )
    assert by_key(both_paths(body))["e"] == ()


def test_an_old_namespace_address_with_the_podcast_prefix_is_read() -> None:
    old = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
    body = rss(
        item("e", '<podcast:chapters url="https://cdn.example/c.json"/>'),
        namespaces=f'xmlns:podcast="{old}"',
    )
    assert by_key(both_paths(body))["e"] == (
        Enclosure("https://cdn.example/c.json", rel="chapters"),
    )


def test_a_transcript_element_without_attributes_adds_nothing_and_erases_nothing() -> None:
    # Its text is no transcript (the specification's are attributes), and is not filed over
    # the ones before it, as feedparser with no handler of ours would file it.
    body = rss(
        item(
            "e",
            '<podcast:transcript url="https://cdn.example/e.vtt" type="text/vtt"/>'
            "<podcast:transcript>https://cdn.example/e.srt</podcast:transcript>",
        )
        + item("f", "<podcast:chapters></podcast:chapters><description>f</description>")
    )
    found = by_key(both_paths(body))
    assert found == {"e": (transcript("https://cdn.example/e.vtt", "text/vtt"),), "f": ()}


# -- hostile values ------------------------------------------------------------------------


HOSTILE = rss(
    item(
        "urls",
        '<podcast:transcript url="javascript:alert(1)" type="text/vtt"/>'
        '<podcast:chapters url="data:application/json,{}" type="application/json"/>'
        '<itunes:image href="file:///etc/passwd"/>',
    )
    + item(
        "types",
        MP3.format(n=1) + '<podcast:transcript url="https://cdn.example/t" type="audio/mpeg"'
        ' language="&#x202e;en"/>'
        '<podcast:chapters url="https://cdn.example/c" type="video/mp4"/>',
    )
    + item(
        "junk",
        '<podcast:transcript url="https://cdn.example/j" type="&lt;script&gt;"'
        ' language="english; rm -rf /"/>'
        '<itunes:image href="https://cdn.example/1.mp3"/>' + MP3.format(n=1),
    )
)


def test_hostile_extras_are_dropped_or_cleaned_on_both_paths() -> None:
    found = by_key(both_paths(HOSTILE))
    assert found["urls"] == ()
    files = (Enclosure("https://cdn.example/1.mp3", "audio/mpeg", 1000),)
    # An extra is never audio or video (the list's ♪/▶ mark and the player go by that).
    assert found["types"] == (
        *files,
        transcript("https://cdn.example/t", "", "en"),
        Enclosure("https://cdn.example/c", rel="chapters"),
    )
    # A type or language that is none is left out; artwork at a file's address is the file.
    assert found["junk"] == (*files, transcript("https://cdn.example/j"))
    for enclosures in found.values():
        stored = dump_enclosures(enclosures) or ""
        extras = dump_enclosures([item for item in enclosures if item.rel]) or ""
        assert '"type":"audio/' not in extras and '"type":"video/' not in extras
        assert "\u202e" not in stored


@pytest.mark.parametrize(
    ("given", "language"),
    [
        ("en", "en"),
        ("EN-us", "EN-us"),
        ("zh-Hant-TW", "zh-Hant-TW"),
        ("pt_BR", "pt-BR"),
        (" fr ", "fr"),
        ("", ""),
        ("english please", ""),
        ("x" * 50, ""),
        ("en-" + "-".join(["ab"] * 10), ""),
        ("<b>en</b>", ""),
        ("12", ""),
    ],
)
def test_a_transcripts_language_is_kept_only_when_it_looks_like_a_language_tag(
    given: str, language: str
) -> None:
    record = {"url": "https://a.example/t.vtt", "language": given}
    (found,) = podcast_extras({"podcast_transcript": record}, "")
    assert found.language == language


def test_a_list_of_transcripts_is_read_and_bounded() -> None:
    # As both paths' handlers file every <podcast:transcript>, and longer than they keep.
    records: list[object] = [
        {"url": f"https://a.example/{i}.vtt", "type": "text/vtt"} for i in range(30)
    ]
    records[1:1] = [{"url": "https://a.example/0.vtt"}, "junk", {"url": 5}]
    found = podcast_extras({"podcast_transcript": records * 1000}, "")
    assert MAX_TRANSCRIPTS == 8
    assert [item.url for item in found] == [f"https://a.example/{i}.vtt" for i in range(8)]


@pytest.mark.parametrize(
    "entry",
    [
        {},
        {"podcast_transcript": "https://a.example/t.vtt"},
        {"podcast_transcript": None, "podcast_chapters": 5},
        {"podcast_transcript": [[{"url": "https://a.example/t.vtt"}]]},
        {"image": "https://a.example/a.jpg"},
        {"image": {"href": ["https://a.example/a.jpg"]}},
        {"media_thumbnail": {"url": "https://a.example/a.jpg"}},
        {"media_thumbnail": [None, {"url": None}, {"url": "ftp://a.example/a.jpg"}]},
    ],
)
def test_shapes_that_are_not_extras_give_none(entry: dict[str, object]) -> None:
    files = (Enclosure("https://a.example/a.mp3", "audio/mpeg"),)
    assert podcast_extras(entry, "https://a.example/", files) == ()
    assert podcast_extras([], "") == ()  # type: ignore[arg-type]


def test_a_story_without_extras_is_stored_as_before() -> None:
    # The JSON (and so the fingerprint) of a story with files only has no "rel" in it.
    entry = {"links": [{"rel": "enclosure", "href": "https://a.example/a.mp3"}]}
    files = from_feedparser(entry, "")
    assert files == (Enclosure("https://a.example/a.mp3"),)
    assert dump_enclosures(files) == '[{"url":"https://a.example/a.mp3"}]'


def test_escape_sequences_in_a_broken_document_are_cleaned_by_feedparsers_path() -> None:
    # Not well-formed XML (a raw ESC): feedparser's loose parser reads it, the fast reader
    # does not try.
    body = rss(
        item(
            "e",
            '<podcast:transcript url="https://cdn.example/\x1b[2Jt.vtt" type="text/vtt"'
            ' language="\x1b]52;c;aGk=\x07en"/><itunes:image href="https://cdn.example/\x9b31ma.jpg"/>',
        )
    )
    assert parse_fast(body, url=FEED_URL) is None
    (entry,) = parse_feed(body, url=FEED_URL, headers={}).entries
    assert entry.enclosures == (
        transcript("https://cdn.example/t.vtt", "text/vtt", "en"),
        Enclosure("https://cdn.example/a.jpg", rel="artwork"),
    )


# -- past feedparser's budget of unknown elements ------------------------------------------


def test_after_1001_unknown_elements_an_episodes_duration_and_extras_are_read_alike() -> None:
    # Past 1,000 elements with no handler, the driver skips attribute-less ones cheaply;
    # what the enclosure code reads must not be among them, on either path.
    unknown = "<x:seen/>" * 1_001
    body = rss(
        item(
            "e",
            MP3.format(n=1) + "<itunes:duration>1:02:03</itunes:duration>"
            '<podcast:transcript url="https://cdn.example/e.vtt" type="text/vtt"/>'
            "<podcast:transcript>https://cdn.example/e.srt</podcast:transcript>"
            '<podcast:chapters url="https://cdn.example/e.json"/>'
            "<podcast:chapters></podcast:chapters>",
        ),
        namespaces=NAMESPACES + ' xmlns:x="https://x.example/ns"',
        channel=unknown,
    )
    assert by_key(both_paths(body))["e"] == (
        Enclosure("https://cdn.example/1.mp3", "audio/mpeg", 1000, duration=3723),
        transcript("https://cdn.example/e.vtt", "text/vtt"),
        Enclosure("https://cdn.example/e.json", rel="chapters"),
    )


def _cpu(body: bytes, *, fast_reader: bool) -> float:
    """Best of 3 of the CPU time (time.process_time) of parsing ``body``: others share
    the CPU, so wall-clock time would say little."""
    spent = []
    for _ in range(3):
        started = time.process_time()
        parse_feed(body, url=FEED_URL, headers={}, fast_reader=fast_reader)
        spent.append(time.process_time() - started)
    return min(spent)


def test_ten_thousand_transcripts_stay_bounded_and_cost_what_other_elements_cost() -> None:
    many = "".join(
        f'<podcast:transcript url="https://cdn.example/{n}.vtt" type="text/vtt"/>'
        "<podcast:transcript>no attributes</podcast:transcript>"
        for n in range(5_000)
    )
    body = rss(item("e", MP3.format(n=1) + many))
    others = rss(
        item("e", MP3.format(n=1) + many.replace("podcast:", "x:")),
        namespaces=NAMESPACES + ' xmlns:x="https://x.example/ns"',
    )
    (_audio, *extras) = by_key(both_paths(body))["e"]
    assert extras == [transcript(f"https://cdn.example/{n}.vtt", "text/vtt") for n in range(8)]
    for entry in filed(body):
        assert len(entry["podcast_transcript"]) == 50  # kept: all the enclosure code reads
    for fast_reader in (True, False):
        spent = _cpu(body, fast_reader=fast_reader)
        usual = _cpu(others, fast_reader=fast_reader)
        assert spent < 3 * usual + 0.05, (fast_reader, spent, usual)
