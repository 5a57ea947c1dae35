"""Feeds built to break the parser: whatever feedparser raises, the feed keeps what it can.

One unreadable entry costs only that entry; a detail of the feed that cannot be read costs
only that detail; a feed with nothing readable is one sentence (ParseError). Never another
exception, whichever path reads it (the fast reader or feedparser), and every hidden-input
class — non-text codecs, deep nesting, absurd numbers, NULs, CJK — is read or refused.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.support.feeds import rss_document as rss
from tests.support.hygiene import assert_feed_clean
from tests.support.paths import CORPUS
from tui.core.errors import ParseError
from tui.core.models import ParsedFeed
from tui.core.parse import feed as parse_module
from tui.core.parse.fast import reader as fast_module
from tui.core.parse.fast.reader import parse_fast
from tui.core.parse.feed import parse_feed, parse_feed_safely

FEED_URL = "https://example.com/feed.xml"
# A hang detector for what takes milliseconds (and took minutes before it was fixed).
HANG = 10
FUZZ_REPRO = CORPUS / "fuzz-repro"
NAMESPACES = (
    'xmlns:cc="http://backend.userland.com/creativeCommonsRssModule" '
    'xmlns:psc="http://podlove.org/simple-chapters" '
    'xmlns:georss="http://www.georss.org/georss" xmlns:gml="http://www.opengis.net/gml" '
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
)


@pytest.fixture(autouse=True, params=["fast reader", "feedparser"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both paths meet every rule: as parse_feed runs, and with feedparser alone."""
    if request.param == "feedparser":
        monkeypatch.setattr(parse_module, "parse_fast", lambda body, *, url: None)
    return str(request.param)


def channel(items: str, head: str = "<title>Hostile</title>") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" {NAMESPACES}>'
        f"<channel>{head}\n{items}\n</channel></rss>"
    ).encode()


def good(n: int) -> str:
    return f"<item><title>Good {n}</title><guid>urn:good:{n}</guid></item>"


def read(body: bytes, headers: dict[str, str] | None = None) -> ParsedFeed:
    result = parse_feed(body, url=FEED_URL, headers=headers or {})
    assert_feed_clean(result)
    for warning in result.warnings:
        assert "\n" not in warning and "Traceback" not in warning
    return result


# --- A handler that raises costs its entry, not the feed ------------------------------------

# Each made feedparser 6.0.14 raise from one of its element handlers (shrunk from the
# fuzzer's reproducers in ../shared/corpus/fuzz-repro).
BROKEN_ENTRIES = {
    "width without a value (_end_width: int(None))": (
        "<item><title>Bad</title><image><width><b>80</width></image></item>",
        "TypeError in <width>",
    ),
    "a stray end of height (_end_height: int(None))": (
        "<item><title>Bad</title></height></item>",
        "TypeError in <height>",
    ),
    "a stray license end (_end_creativecommons_license: KeyError)": (
        "<item><title>Bad</title></cc:license></item>",
        "KeyError in <creativeCommons_license>",
    ),
    "a chapter with no start (_parse_psc_chapter_start: TypeError)": (
        '<item><title>Bad</title><psc:chapters version="1.1"><psc:chapter title="x"/>'
        "</psc:chapters></item>",
        "TypeError in <psc_chapter>",
    ),
    "an EPSG code that is no number (_end_gml_pos: ValueError)": (
        '<item><title>Bad</title><georss:where><gml:Point srsName="EPSG:4979x">'
        "<gml:pos>1 2</gml:pos></gml:Point></georss:where></item>",
        "ValueError in <gml_pos>",
    ),
    "a polygon that is no polygon (_parse_poslist: TypeError)": (
        "<item><title>Bad</title><georss:where><gml:Polygon><gml:exterior><gml:LinearRing>"
        "<gml:posList>1 2 x</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>"
        "</georss:where></item>",
        "TypeError in <gml_poslist>",
    ),
}


@pytest.mark.parametrize(("fragment", "reason"), BROKEN_ENTRIES.values(), ids=list(BROKEN_ENTRIES))
def test_one_broken_entry_costs_only_that_entry(fragment: str, reason: str) -> None:
    result = read(channel(good(1) + fragment + good(2)))
    assert result.title == "Hostile"
    assert [entry.title for entry in result.entries] == ["Good 1", "Good 2"]
    skipped = [w for w in result.warnings if w.startswith("newsterm skipped 1 entry")]
    assert len(skipped) == 1, result.warnings
    assert "entry 2 (" in skipped[0]
    assert reason in skipped[0]


@pytest.mark.parametrize(("fragment", "reason"), BROKEN_ENTRIES.values(), ids=list(BROKEN_ENTRIES))
def test_a_feed_whose_only_entry_breaks_is_one_sentence(fragment: str, reason: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_feed(channel(fragment), url=FEED_URL)
    message = str(raised.value)
    assert message.startswith("newsterm could not read the feed's only entry: entry 1 (")
    assert reason in message
    assert message.endswith(".") and "\n" not in message
    assert parse_feed_safely(channel(fragment), url=FEED_URL) == message


BROKEN_DETAILS = {
    "a stray end of height in the channel (_end_height: int(None))": (
        "<title>Hostile</title></height>",
        good(1),
        "TypeError in <height>",
    ),
    "a category closed after its entry (_end_category: KeyError 'tags')": (
        "<title>Hostile</title>",
        good(1) + "<item<category>x</item</category>",
        "KeyError in <category>",
    ),
}


@pytest.mark.parametrize(
    ("head", "items", "reason"), BROKEN_DETAILS.values(), ids=list(BROKEN_DETAILS)
)
def test_a_broken_detail_of_the_feed_itself_costs_only_that_detail(
    head: str, items: str, reason: str
) -> None:
    result = read(channel(items + good(2), head=head))
    assert result.title == "Hostile"
    titles = [entry.title for entry in result.entries]
    assert titles[0] == "Good 1" and titles[-1] == "Good 2"
    assert any(
        w.startswith(f"Parts of the feed's own details could not be read ({reason}")
        for w in result.warnings
    ), result.warnings


def test_every_entry_broken_is_one_sentence_naming_them() -> None:
    fragment = BROKEN_ENTRIES["a stray end of height (_end_height: int(None))"][0]
    with pytest.raises(ParseError, match=r"^newsterm could not read any of the feed's 5 entries"):
        parse_feed(channel(fragment * 5), url=FEED_URL)


def test_an_empty_feed_is_still_no_error() -> None:
    assert read(channel("")).entries == ()


@pytest.mark.parametrize(
    "declaration",
    [
        b'<?xml version="1.0" encoding="is\x94\xd28859-7"?>',  # convert_to_utf8: UnicodeDecodeError
        b'<?xml version="1.0" encoding="iso-8\x00\x00859-1"?>',  # ValueError: embedded null
        b'<?\x00ml version="1.0" encoding="iso-8\x00859-1"?>',
        b'<?xml version="1.0" encoding="undefined"?>',  # a codec whose decoder raises
    ],
)
def test_a_declaration_feedparser_cannot_decode_by_still_reads_the_feed(
    declaration: bytes,
) -> None:
    body = (
        declaration
        + b'\n<rss version="2.0"><channel><title>Caf\xe9</title>'
        + (good(1).encode() + b"</channel></rss>")
    )
    result = read(body)
    assert [entry.title for entry in result.entries] == ["Good 1"]
    assert result.title in ("Café", "Caf\ufffd")


@pytest.mark.parametrize("codec", ["ascii", "utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_a_long_first_line_full_of_encoding_does_not_hang(codec: str) -> None:
    # feedparser's declaration pattern backtracked on this: 13 KB took 22 s, 26 KB 2 min.
    text = "<?" + 'encoding="x" ' * 8_000 + channel(good(1)).decode().partition("?>")[2]
    started = time.monotonic()
    result = read(text.encode(codec))
    assert time.monotonic() - started < HANG  # it takes ~0.05 s
    assert [entry.title for entry in result.entries] == ["Good 1"]


PROLOGS = {
    # feedparser's ^\s*<!ENTITY([^>]*?)> (MULTILINE) over these took 50 s for 100 KB
    "blank lines": "\n" * 99_000,
    "unclosed doctypes": "<!DOCTYPE\n" * 20_000,
    "unclosed entities": "<!ENTITY\n" * 20_000,
    "a long comment": "<!-- " + "licence text\n" * 8_000 + "-->",
}


@pytest.mark.parametrize("prolog", PROLOGS.values(), ids=list(PROLOGS))
@pytest.mark.parametrize("codec", ["utf-8", "utf-16"])
def test_a_long_prolog_does_not_hang(prolog: str, codec: str) -> None:
    text = channel(good(1), head="<title>Café</title>").decode()
    declaration, _, rest = text.partition("?>")
    started = time.monotonic()
    result = read(f"{declaration}?>{prolog}{rest}".encode(codec))
    assert time.monotonic() - started < HANG  # it takes milliseconds
    assert result.title == "Café"
    assert [entry.title for entry in result.entries] == ["Good 1"]


def test_a_minified_feed_keeps_its_declared_encoding() -> None:
    """Only the first line's first declaration counts, as in a well-formed document."""
    body = (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel>'
        "<title>Caf\xe9</title><item><title>x</title><description><![CDATA["
        '<?xml version="1.0" encoding="utf-16"?>]]></description>'
        + "<category>padding</category>" * 60
        + "</item></channel></rss>"
    ).encode("latin-1")
    assert read(body).title == "Café"


@pytest.mark.corpus
@pytest.mark.skipif(not FUZZ_REPRO.is_dir(), reason=f"no fuzz reproducers at {FUZZ_REPRO}")
@pytest.mark.parametrize(
    "name", sorted(p.name for p in FUZZ_REPRO.glob("feed-*.bin")) if FUZZ_REPRO.is_dir() else []
)
def test_the_fuzzers_reproducers_give_a_feed_or_a_sentence(name: str) -> None:
    body = (FUZZ_REPRO / name).read_bytes()
    try:
        read(body)
    except ParseError as error:
        assert "\n" not in str(error)
    outcome = parse_feed_safely(body, url=FEED_URL)
    assert isinstance(outcome, ParsedFeed) or not outcome.startswith("newsterm could not read this")


def test_the_fast_reader_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("a bug in the fast reader")

    monkeypatch.setattr(fast_module, "fp_line", broken)
    body = rss(good(1))
    assert parse_fast(body, url=FEED_URL) is None
    assert [entry.title for entry in read(body).entries] == ["Good 1"]


# --- Character sets that are no text encoding -------------------------------------------------

NOT_TEXT = ["zlib", "base64", "hex", "rot13", "bz2", "uu", "undefined", "unicode_escape", "utf\x00"]


@pytest.mark.parametrize("label", NOT_TEXT)
@pytest.mark.parametrize(
    ("body_codec", "title"), [("ascii", "Cafe"), ("utf-8", "Café"), ("cp1252", "Café")]
)
def test_a_non_text_charset_in_the_content_type(label: str, body_codec: str, title: str) -> None:
    body = channel(good(1), head=f"<title>{title}</title>").replace(b"utf-8", b"UTF-8")
    body = body.decode().replace('encoding="UTF-8"', "").encode(body_codec)
    result = read(body, {"Content-Type": f"application/rss+xml; charset={label}"})
    assert result.title == title
    assert [entry.title for entry in result.entries] == ["Good 1"]


@pytest.mark.parametrize("label", [label for label in NOT_TEXT if "\x00" not in label])
@pytest.mark.parametrize(
    ("body_codec", "title"), [("ascii", "Cafe"), ("utf-8", "Café"), ("cp1252", "Café")]
)
def test_a_non_text_encoding_in_the_xml_declaration(
    label: str, body_codec: str, title: str
) -> None:
    text = channel(good(1), head=f"<title>{title}</title>").decode()
    body = text.replace('encoding="utf-8"', f'encoding="{label}"').encode(body_codec)
    result = read(body, {"Content-Type": "text/xml"})
    assert result.title == title
    assert [entry.title for entry in result.entries] == ["Good 1"]
    if body_codec != "utf-8":  # valid UTF-8 is read as such whatever the label says
        assert any(label in w and "cannot use" in w for w in result.warnings), result.warnings


@pytest.mark.parametrize("label", NOT_TEXT)
def test_a_non_text_charset_for_a_json_feed(label: str) -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Café",
        "items": [{"id": "1", "title": "Good 1"}],
    }
    for body in (
        json.dumps(document).encode(),
        json.dumps(document, ensure_ascii=False).encode("cp1252"),
    ):
        result = read(body, {"Content-Type": f"application/feed+json; charset={label}"})
        assert result.title == "Café"
        assert [entry.title for entry in result.entries] == ["Good 1"]


# --- Absurd numbers, NULs, CJK (deep nesting: test_parse_deep.py) ---------------------

HUGE = "9" * 5000  # past int()'s 4,300-digit limit for str → int
ABSURD = [
    f"<pubDate>Tue, 01 Jan {HUGE} 00:00:00 +0000</pubDate>",
    "<pubDate>Tue, 01 Jan 99999999999999999999 00:00:00 +0000</pubDate>",
    "<pubDate>99999999999999999999-01-01T00:00:00Z</pubDate>",
    "<pubDate>2024-01-01T00:00:00+99999999999999:00</pubDate>",
    "<pubDate>Tue, 99999999999999 Jan 2024 99999999:99:99 +9999</pubDate>",
    f"<dc:date>{HUGE}</dc:date>",
    f"<image><url>https://e.example/i.png</url><width>{HUGE}</width><height>-{HUGE}</height></image>",
    f"<itunes:duration>{HUGE}</itunes:duration>",
    "<itunes:duration>99999999999999999999:99:99</itunes:duration>",
    '<psc:chapters version="1.1"><psc:chapter start="99999999999999999999:00:00" title="x"/>'
    "</psc:chapters>",
    f'<enclosure url="https://e.example/a.mp3" length="{HUGE}" type="audio/mpeg"/>',
    f"<description>&#{HUGE};&#x{HUGE};</description>",
    f"<georss:point>{HUGE} -{HUGE}</georss:point>",
]


@pytest.mark.parametrize("element", ABSURD, ids=[e[:40] for e in ABSURD])
def test_absurd_numbers_cost_at_most_their_value(element: str) -> None:
    result = read(channel(good(1) + f"<item><title>Odd</title><guid>odd</guid>{element}</item>"))
    titles = [entry.title for entry in result.entries]
    assert titles[0] == "Good 1"
    odd = [entry for entry in result.entries if entry.title == "Odd"]
    assert len(odd) <= 1
    if odd:
        assert odd[0].published is None or odd[0].published.year < 10_000


def test_absurd_numbers_in_a_json_feed() -> None:
    body = (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
        f'{{"id": {HUGE}, "title": "Huge id"}},'
        f'{{"id": "2", "title": "Huge date", "date_published": "{HUGE}-01-01T00:00:00Z"}},'
        '{"id": "3", "title": "Far date", "date_published": "99999-01-01T00:00:00+99:00"},'
        '{"id": "4", "title": "Not a number", "date_published": NaN, "tags": [Infinity]},'
        f'{{"id": "5", "title": "Good", "date_modified": {HUGE}.5e99999}}]}}'
    ).encode()
    result = read(body)
    assert [entry.title for entry in result.entries] == [
        "Huge id",
        "Huge date",
        "Far date",
        "Not a number",
        "Good",
    ]
    assert all(entry.published is None for entry in result.entries)


def test_nul_bytes_in_xml_and_json() -> None:
    xml = channel(good(1) + "<item><title>Nu\x00l</title><guid>n\x00</guid></item>" + good(2))
    result = read(xml)
    assert result.entries[0].title == "Good 1"
    assert all("\x00" not in entry.title for entry in result.entries)
    document = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T\\u0000",'
        b' "items": [{"id": "1", "title": "Go\\u0000od"}, {"id": "2", "title": "Raw \x00 NUL"}]}'
    )
    result = read(document)
    assert result.title == "T"
    assert result.entries[0].title == "Good"


CJK = {
    "Shift_JIS": ("shift_jis", "日本語のニュース"),
    "EUC-JP": ("euc_jp", "日本語のニュース"),
    "GB2312": ("gb18030", "中文新闻标题"),
    "GBK": ("gbk", "中文新闻标题"),
    "Big5": ("big5", "中文新聞標題"),
    "EUC-KR": ("euc_kr", "한국어 뉴스 제목"),
    "UTF-8": ("utf-8", "日本語 中文 한국어"),
}


@pytest.mark.parametrize(("label", "codec_and_title"), CJK.items(), ids=list(CJK))
def test_cjk_feeds_declared_in_the_document_or_by_the_server(
    label: str, codec_and_title: tuple[str, str]
) -> None:
    codec, title = codec_and_title
    text = channel(
        f"<item><title>{title}</title><guid>1</guid></item>", head=f"<title>{title}</title>"
    )
    declared = text.decode().replace('encoding="utf-8"', f'encoding="{label}"').encode(codec)
    assert read(declared).entries[0].title == title
    undeclared = text.decode().replace(' encoding="utf-8"', "").encode(codec)
    served = read(undeclared, {"Content-Type": f"application/rss+xml; charset={label}"})
    assert served.title == served.entries[0].title == title
    document = {
        "version": "https://jsonfeed.org/version/1",
        "title": title,
        "items": [{"id": "1", "title": title}],
    }
    as_json = json.dumps(document, ensure_ascii=False).encode(codec)
    served = read(as_json, {"Content-Type": f"application/feed+json; charset={label}"})
    assert served.entries[0].title == title
