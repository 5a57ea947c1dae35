"""An episode's transcript as an article the reader shows, and its chapters as lines, from
the bytes of the files a feed points at: WebVTT (voices, cue settings, NOTE blocks, a byte
order mark, CRLF), SRT (tags, "Speaker:" names), Podcasting 2.0 JSON, HTML and plain text.
The files are hostile: escape sequences never come through, sizes are bounded, and garbage
gives an empty article or no chapters, never an exception."""

from __future__ import annotations

import json
import random
import time

import pytest

from tests.support.hygiene import BAD_CHARS_OR_TAB, strings
from tui.core.article.render import render_text
from tui.core.article.sections import Article
from tui.core.media.transcripts import (
    MAX_CHAPTERS,
    MAX_CHAPTERS_BYTES,
    MAX_TRANSCRIPT_BYTES,
    Chapter,
    chapter_lines,
    chapters,
    preferred_transcript,
    transcript_article,
)
from tui.core.models import Block, Enclosure, Section
from tui.core.text.words import word_count

CUT = "[The transcript goes on; newsterm shows only its first part.]"


def outline(article: Article) -> list[tuple[str, list[str]]]:
    """The article as (heading, paragraphs) pairs, the lead under ""."""
    found = [("", [block.text for block in article.lead])] if article.lead else []
    return found + [
        (section.heading, [block.text for block in section.blocks]) for section in article.sections
    ]


def assert_clean(article: Article) -> None:
    for text in strings(article):
        assert not BAD_CHARS_OR_TAB.search(text), repr(text)
        assert "\ufeff" not in text


# -- WebVTT --------------------------------------------------------------------------------


VTT = (
    "\ufeffWEBVTT - a podcast\r\n"
    "Kind: captions\r\n"
    "\r\n"
    "NOTE made by hand --\r\n"
    "more of the note\r\n"
    "\r\n"
    "STYLE\r\n"
    "::cue { color: yellow }\r\n"
    "\r\n"
    "intro-1\r\n"
    "00:00:00.000 --> 00:00:04.000 align:start position:10% line:0\r\n"
    "<v John>Podcasting 2.0 is <b>really</b>\r\n"
    "changing the game.\r\n"
    "\r\n"
    "00:04.000 --> 00:08.000\r\n"
    "<v.loud Tom Smith>Yeah, <c.yellow>absolutely</c> &amp; more.</v>"
    " <v John>Right &lt;here&gt;.\r\n"
    "\r\n"
    "00:00:08.000 --> 00:00:12.000\r\n"
    "And <i>then</i> <00:00:09.000>some.\r\n"
    "\r\n"
    "NOTE\r\n"
    "\r\n"
    "00:06:01.500 --> 00:06:05.000\r\n"
    "<v John>Later on.\r\n"
).encode()


def test_webvtt_has_a_section_per_speakers_turn_and_skips_notes_and_styles() -> None:
    article = transcript_article(VTT, "text/vtt", "https://cdn.example/1.vtt")
    assert outline(article) == [
        ("00:00:00 · John", ["Podcasting 2.0 is really changing the game."]),
        ("00:00:04 · Tom Smith", ["Yeah, absolutely & more."]),
        # A cue without a voice goes on with the speaker before it.
        ("00:00:04 · John", ["Right <here>. And then some."]),
        # Five minutes on: a new section for the same speaker.
        ("00:06:01 · John", ["Later on."]),
    ]
    assert article.word_count == word_count(article.text) == 26
    assert_clean(article)


def test_webvtt_without_voices_has_a_section_every_five_minutes() -> None:
    cues = "".join(
        f"00:{minute:02d}:{second:02d}.000 --> 00:{minute:02d}:{second + 1:02d}.000\n"
        f"Words at {minute} {second}{'.' if second == 30 else ''}\n\n"
        for minute in range(12)
        for second in (0, 30)
    )
    article = transcript_article(f"WEBVTT\n\n{cues}".encode(), "text/vtt", "")
    assert [section.heading for section in article.sections] == [
        "00:00:00",
        "00:05:00",
        "00:10:00",
    ]
    assert article.lead == ()
    # A paragraph gathers the cues of one speaker (here: nobody) up to a sentence's end.
    first = article.sections[0].blocks[0].text
    assert first.startswith("Words at 0 0 Words at 0 30. Words at 1 0")


def test_a_long_turn_is_cut_into_paragraphs_at_sentence_ends() -> None:
    cues = "".join(
        f"00:00:{i:02d}.000 --> 00:00:{i + 1:02d}.000\n<v Ann>This is sentence {i} of it.\n\n"
        for i in range(40)
    )
    article = transcript_article(f"WEBVTT\n\n{cues}".encode(), "text/vtt", "")
    ((heading, paragraphs),) = outline(article)
    assert heading == "00:00:00 · Ann"
    assert len(paragraphs) > 1
    assert all(paragraph.endswith(".") for paragraph in paragraphs)
    assert all(len(paragraph) < 1600 for paragraph in paragraphs)


def test_a_caption_repeated_as_it_scrolls_is_read_once() -> None:
    line = "A caption long enough to be a real one."
    cues = "".join(f"00:00:0{i}.000 --> 00:00:0{i + 1}.000\n{line}\n\n" for i in range(3))
    article = transcript_article(f"WEBVTT\n\n{cues}".encode(), "text/vtt", "")
    assert outline(article) == [("00:00:00", [line])]


# -- SRT -----------------------------------------------------------------------------------


SRT = b"""1
00:00:00,000 --> 00:00:02,760
Sarah: In today's <i>episode</i>,
you'll learn whether or not you

2
00:00:02,760 --> 00:00:06,090
{\\an8}<font color="#ff0000">should</font> have a podcast trailer.

3
00:00:19,080 --> 00:00:21,450
Gillian: Hi Buzzsprout, Gillian
here from breaking through

4
00:00:21,450 --> 00:00:25,350
Here's the thing: do we need one?
"""


def test_srt_reads_speakers_from_their_names_and_drops_tags() -> None:
    for media_type in ("application/x-subrip", "text/plain", ""):
        article = transcript_article(SRT, media_type, "https://cdn.example/1.srt")
        assert outline(article) == [
            (
                "00:00:00 · Sarah",
                [
                    "In today's episode, you'll learn whether or not you"
                    " should have a podcast trailer."
                ],
            ),
            (
                "00:00:19 · Gillian",
                # "Here's the thing:" is no name: it goes on with Gillian's turn.
                [
                    "Hi Buzzsprout, Gillian here from breaking through"
                    " Here's the thing: do we need one?"
                ],
            ),
        ], media_type


def test_srt_in_windows_1252_with_crlf_and_a_blank_line_inside_a_cue() -> None:
    body = (
        "1\r\n00:00:01,000 --> 00:00:02,000\r\nCafé crème\r\n\r\nstill the same cue\r\n\r\n"
        "2\r\n00:00:03,000 --> 00:00:04,000\r\nNext.\r\n"
    ).encode("cp1252")
    article = transcript_article(body, "", "https://cdn.example/x.srt")
    assert outline(article) == [("00:00:01", ["Café crème still the same cue Next."])]


def test_srt_with_a_charset_said_is_read_in_it() -> None:
    body = "1\n00:00:01,000 --> 00:00:02,000\nПривет\n".encode("koi8-r")
    article = transcript_article(body, "application/srt; charset=koi8-r", "")
    assert outline(article) == [("00:00:01", ["Привет"])]


# -- Podcasting 2.0 JSON -------------------------------------------------------------------


def segments_json(segments: object) -> bytes:
    return json.dumps({"version": "1.0.0", "segments": segments}).encode()


def test_json_segments_of_one_word_each_join_into_paragraphs() -> None:
    words = [("Darth Vader", 0.5, "I"), ("Darth Vader", 1, "am"), ("Darth Vader", 1.5, "your")]
    words += [("Darth Vader", 2.25, "father.\n"), ("Luke", 2.75, "Nooooo")]
    body = segments_json(
        [
            {"speaker": speaker, "startTime": start, "endTime": start + 0.25, "body": body}
            for speaker, start, body in words
        ]
    )
    article = transcript_article(body, "application/json", "")
    assert outline(article) == [
        ("00:00:00 · Darth Vader", ["I am your father."]),
        ("00:00:02 · Luke", ["Nooooo"]),
    ]


def test_json_takes_times_as_text_and_skips_what_is_not_a_segment() -> None:
    body = segments_json(
        [
            {"startTime": "00:01:02.500", "body": "Hello"},
            {"startTime": "62.9", "body": "there"},
            None,
            "words",
            {"body": 5},
            {"startTime": True, "speaker": ["x"], "body": "friend"},
            {"startTime": 1e999, "body": "."},
        ]
    )
    article = transcript_article(body, "", "https://cdn.example/t.json")
    assert outline(article) == [("00:01:02", ["Hello there friend ."])]


@pytest.mark.parametrize(
    "body",
    [
        b'{"version": "1.0.0"}',
        b'{"segments": "no"}',
        b'{"segments": [1, 2, null]}',
        b"[" * 100_000,
        b'{"segments": [{"body": "x", "startTime": 9' + b"9" * 5000 + b"}]}",
        b"{not json",
    ],
)
def test_json_that_is_no_transcript_gives_an_empty_article(body: bytes) -> None:
    assert transcript_article(body, "application/json", "") == Article()


# -- HTML and plain text -------------------------------------------------------------------


def test_html_goes_through_the_article_parser_with_its_speakers_as_headings() -> None:
    body = b"""<html><body><script>alert(1)</script>
<cite>Kevin:</cite>
<time>0:00</time>
<p>We have an update planned &amp; ready.</p>
<cite>Alban :</cite>
<time>1:02:09</time>
<p>You're <b>triggering</b> Tom right now.</p>
</body></html>"""
    article = transcript_article(body, "text/html", "https://cdn.example/t.html")
    assert outline(article) == [
        ("00:00:00 · Kevin", ["We have an update planned & ready."]),
        ("01:02:09 · Alban", ["You're triggering Tom right now."]),
    ]


def test_plain_text_has_a_paragraph_at_each_blank_line_or_else_each_line() -> None:
    body = b"First paragraph\nstill first.\n\n\n\nSecond one.\n"
    assert outline(transcript_article(body, "text/plain", "")) == [
        ("", ["First paragraph still first.", "Second one."])
    ]
    lines = b"Ann: Hello.\nBob: Hi there.\r\nAnn: Bye."
    assert outline(transcript_article(lines, "", "https://cdn.example/t.txt")) == [
        ("", ["Ann: Hello.", "Bob: Hi there.", "Ann: Bye."])
    ]


def test_the_format_is_recognised_by_content_then_type_then_extension() -> None:
    vtt = b"WEBVTT\n\n00:01.000 --> 00:02.000\nHi.\n"
    for media_type in ("text/plain", "application/octet-stream", "text/html", ""):
        assert outline(transcript_article(vtt, media_type, "")) == [("00:00:01", ["Hi."])]
    # Markup in a file said to be plain text stays text.
    assert outline(transcript_article(b"<p>a</p>", "text/plain", "")) == [("", ["<p>a</p>"])]
    assert outline(transcript_article(b"<p>a</p>", "", "https://a.example/t.html")) == [("", ["a"])]
    assert outline(transcript_article(b'{"segments":[{"body":"x"}]}', "", "")) == [("", ["x"])]


# -- hostile files -------------------------------------------------------------------------


ESCAPES = "\x1b]52;c;aGVsbG8=\x07\x1b[2J\x1b[31m\x9b1m\u202e\x00\x07\x7f"


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (f"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann{ESCAPES}>Hi {ESCAPES}there\n", "text/vtt"),
        (f"1\n00:00:01,000 --> 00:00:02,000\nAnn{ESCAPES}: Hi {ESCAPES}there\n", ""),
        (
            json.dumps({"segments": [{"speaker": f"Ann{ESCAPES}", "body": f"Hi {ESCAPES}there"}]}),
            "application/json",
        ),
        (f"<p>Hi {ESCAPES}there &#27;[2J &#x9b;</p>", "text/html"),
        (f"Hi {ESCAPES}there", "text/plain"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nHi &#27;[2J &#x1b;]52;c;x&#7; there\n", "text/vtt"),
    ],
)
def test_escape_sequences_and_control_characters_never_come_through(
    body: str, media_type: str
) -> None:
    article = transcript_article(body.replace("\x00", "").encode(), media_type, "")
    assert_clean(article)
    assert "aGVsbG8" not in article.text
    assert "Hi" in article.text and "there" in article.text
    for line in render_text(article):
        assert not BAD_CHARS_OR_TAB.search(line)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00" * 100,
        bytes(range(256)) * 40,
        b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(5000),
        "WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n".encode("utf-16-le"),  # no byte order mark
    ],
)
def test_binary_data_gives_an_empty_article(body: bytes) -> None:
    for media_type in ("text/vtt", "application/json", "text/html", "text/plain", ""):
        assert transcript_article(body, media_type, "") == Article()


def test_utf16_with_a_byte_order_mark_is_text() -> None:
    body = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Zoë>Hi.\n".encode("utf-16")
    assert outline(transcript_article(body, "text/vtt", "")) == [("00:00:01 · Zoë", ["Hi."])]


def test_random_garbage_never_raises() -> None:
    rng = random.Random(13)
    pieces = [
        "WEBVTT\n",
        "\n\n",
        "00:01.000 --> 00:02.000",
        "99:99:99,999 --> ",
        "<v ",
        "<v>",
        ">",
        "<",
        "</v>",
        "NOTE ",
        "{",
        "}",
        "[",
        '"segments":',
        '{"body":',
        "&amp;",
        "&#",
        "Name: ",
        "\r",
        "\x1b[",
        "<cite>",
        "</cite><time>",
        "é",
        "\ufeff",
        "-->",
    ]
    for _ in range(300):
        body = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 60))).encode()
        for media_type in ("text/vtt", "application/srt", "application/json", "text/html", ""):
            article = transcript_article(body, media_type, "")
            assert_clean(article)


def test_a_50_mb_file_is_read_only_so_far_and_says_so() -> None:
    cue = "00:00:01.000 --> 00:00:02.000\n<v Ann>Words {}.\n\n"
    body = ("WEBVTT\n\n" + "".join(cue.format(i) for i in range(1_000_000))).encode()
    body = body * (50_000_000 // len(body) + 1)
    assert len(body) >= 50_000_000 > MAX_TRANSCRIPT_BYTES
    started = time.process_time()
    article = transcript_article(body, "text/vtt", "")
    assert time.process_time() - started < 10  # CPU seconds; about one here
    assert len(article.text) <= 2_100_000
    assert article.sections[-1].blocks[-1] == Block("paragraph", CUT)
    for media_type in ("text/plain", "text/html", "application/json"):
        started = time.process_time()
        article = transcript_article(b"<" * 50_000_000, media_type, "")
        assert time.process_time() - started < 10
        assert len(article.text) <= 2_100_000


def test_endless_speaker_changes_are_bounded_in_sections() -> None:
    cues = "".join(f"00:00:01.000 --> 00:00:02.000\n<v S{i}>w\n\n" for i in range(20_000))
    article = transcript_article(f"WEBVTT\n\n{cues}".encode(), "text/vtt", "")
    assert len(article.sections) == 5_000
    assert article.sections[-1].blocks[-1] == Block("paragraph", CUT)


# -- which transcript to open --------------------------------------------------------------


def test_the_preferred_transcript_is_timed_and_has_speakers() -> None:
    def extra(url: str, media_type: str = "") -> Enclosure:
        return Enclosure(url, media_type, rel="transcript")

    html = extra("https://a.example/t.html", "text/html")
    srt = extra("https://a.example/t.srt", "application/x-subrip")
    vtt = extra("https://a.example/t", "text/vtt")
    by_extension = extra("https://a.example/t.json")
    audio = Enclosure("https://a.example/e.mp3", "audio/mpeg")
    assert preferred_transcript([audio, html, srt, vtt, by_extension]) == vtt
    assert preferred_transcript([html, by_extension, srt]) == by_extension
    assert preferred_transcript([extra("https://a.example/t"), html]) == html
    assert preferred_transcript([audio, Enclosure("https://a.example/c", rel="chapters")]) is None
    assert preferred_transcript([]) is None


# -- chapters ------------------------------------------------------------------------------


def chapters_json(items: object) -> bytes:
    return json.dumps({"version": "1.2.0", "chapters": items}).encode()


def test_chapters_are_sorted_cleaned_and_linked_only_to_the_web() -> None:
    body = chapters_json(
        [
            {"startTime": 3723, "title": "Outro\x1b[2J", "url": "javascript:alert(1)"},
            {"startTime": 0, "title": "Intro", "url": "https://a.example/x", "img": "x"},
            {"startTime": "12:30", "title": "News\nof the day", "url": "ftp://a.example/"},
            {"startTime": 60, "title": "Ad", "toc": False},
            {"startTime": -5, "title": "Before the start"},
            {"startTime": None, "title": "No time"},
            {"title": "No time either"},
            {"startTime": 90.5, "title": 7},
            "junk",
        ]
    )
    found = chapters(body)
    assert found == [
        Chapter(0.0, "Intro", "https://a.example/x"),
        Chapter(90.5, ""),
        Chapter(750.0, "News of the day"),
        Chapter(3723.0, "Outro"),
    ]
    assert chapter_lines(found) == [
        "00:00 Intro",
        "01:30",
        "12:30 News of the day",
        "1:02:03 Outro",
    ]


def test_chapters_are_bounded() -> None:
    body = chapters_json([{"startTime": 20_000 - i, "title": f"C{i}"} for i in range(20_000)])
    found = chapters(body)
    assert len(found) == MAX_CHAPTERS == 500
    assert found == sorted(found, key=lambda chapter: chapter.start)
    assert chapters(b" " * (MAX_CHAPTERS_BYTES + 1)) == []
    long_title = chapters(chapters_json([{"startTime": 1, "title": "x" * 10_000}]))
    assert len(long_title[0].title) == 200


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[" * 100_000,
        b'{"chapters": "no"}',
        b'[{"startTime": 0, "title": "a bare list"}]',
        b'{"chapters": [{"startTime": 1e999}]}',
        bytes(range(256)) * 10,
    ],
)
def test_chapters_that_cannot_be_read_are_none(body: bytes) -> None:
    assert chapters(body) == []


def test_a_section_of_an_article_is_what_the_renderer_takes() -> None:
    article = transcript_article(VTT, "text/vtt", "")
    assert all(isinstance(section, Section) for section in article.sections)
    text = "\n".join(render_text(article, width=60))
    assert "00:00:04 · Tom Smith" in text
    assert article.read_minutes == 1
