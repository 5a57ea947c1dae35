"""The fuzz targets: every entry point that takes bytes from outside, its seeds and its rules.

A target is a function of outside bytes (a feed body, a subscription file, a story body, a
web page, a picture, a podcast transcript or chapters file) plus a few hostile side inputs
(the Content-Type a server sends), and a check of what came out. Inputs are seeds mutated
the way a coverage-guided fuzzer mutates them: bytes flipped, ranges cut, repeated or
spliced in from another seed, the input cut short, and hostile fragments inserted (NULs,
terminal escape sequences, deep nesting, huge numbers, odd encoding declarations, CJK
text). Seeds come from ``../shared/corpus`` when it is there, and from a few small
built-in documents always, so the targets run (never skip) on a fresh clone; pictures
are drawn here, one in each format newsterm decodes.

What every target must hold, whatever the input:

- only newsterm's own errors (:class:`~tui.core.errors.NewstermError`) escape;
- no string that comes out holds a control character, an escape sequence or a bidi
  override (:mod:`tests.support.hygiene`), and sentences for the user are one line;
- an input under 100 KB finishes in under 2 s (the hypothesis deadline);
- memory stays bounded: tracemalloc's peak for one input stays under the target's limit.

Used by ``tests/fuzz/test_targets.py`` (the short run in every test run, and the long run
with ``-m fuzz``) and ``tests/fuzz/test_regressions.py`` (the crashes found, replayed).
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

from tests.support.hygiene import BAD_CHARS, BAD_CHARS_OR_TAB, strings
from tests.support.paths import CORPUS
from tui.core.article.render import render_text
from tui.core.article.sections import parse_article
from tui.core.errors import NewstermError
from tui.core.images.decode import decode
from tui.core.images.picture import NoPicture, Picture
from tui.core.images.sniff import DECODABLE, sniff
from tui.core.media.transcripts import chapters, transcript_article
from tui.core.models import ParsedFeed
from tui.core.pages.extract import Extracted, extract_article
from tui.core.parse.feed import parse_feed, parse_feed_safely
from tui.core.subscriptions.opml import SubscriptionFile, read_subscription_file

REGRESSIONS = Path(__file__).resolve().parent / "data" / "fuzz"
URL = "https://example.com/feeds/feed.xml"
MAX_INPUT = 100 * 1024  # the property holds for inputs under 100 KB
# parse_feed_safely's sentence when an exception escaped the parser: always a bug.
INTERNAL_FAILURE = "newsterm could not read this feed:"

# --- Hostile fragments a mutation inserts ---------------------------------------------------

_LABELS = (
    "zlib",
    "base64",
    "hex",
    "rot13",
    "bz2",
    "uu",
    "undefined",
    "unicode_escape",
    "utf-7",
    "UTF-6",
    "x-no-such-encoding",
    "utf\x00-8",
    "Shift_JIS",
    "gb18030",
    "EUC-KR",
    "big5",
    "utf-16",
    "UTF-32",
    "iso-2022-jp",
)
FRAGMENTS: tuple[bytes, ...] = (
    b"\x00",
    b"\x00" * 64,
    b"\x1b[2J\x1b[H",  # clear the screen
    b"\x1b]52;c;ZWNobyBwd25lZA==\x07",  # OSC 52: write the clipboard
    b"\x1b]8;;https://evil.example/\x1b\\x\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    b"\xc2\x9b31m",  # C1 CSI, as UTF-8
    b"\x9b31m\x85",  # C1 bytes, as Latin-1
    b"\xe2\x80\xae",  # right-to-left override
    b"&#27;[31m&#x1b;]52;c;QUJD&#7;",
    b"&#xD800;&#1114112;&#99999999999;&#x110000;",
    b"&nbsp;&bogus;&amp;amp;&",
    b"9" * 5000,  # past int()'s digit limit
    b"99999999999999999999",
    b"-1e999999",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    b"&a;&b;",
    b'<!ENTITY e SYSTEM "file:///etc/passwd">&e;',
    b"<item>",
    b"</item>",
    b"<entry>",
    b"</entry>",
    b"<title>",
    b"</title>",
    b'<link uri="at://did:plc:x/post/1">http://example.com/item</link>',
    b"<pubDate>mer, 16 nov 2022 00:38:15 +0100</pubDate>",
    b"<pubDate>Tue, 01 Jan 99999999999999999999 00:00:00 +0000</pubDate>",
    b"<width>",
    b"</height>",
    b'<psc:chapter start="99999999999999:00:00"/>',
    b"<category>",
    b"</category>",
    b'<gml:pos srsName="EPSG:4979x">1 2</gml:pos>',
    b"<content:encoded>",
    b"<description>&lt;script&gt;alert(1)&lt;/script&gt;",
    b'<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>',
    b"<outline>",
    b'<outline text="t" xmlUrl="exec:rm -rf ~"/>',
    b"|sh -c 'id'\n",
    b'{"items": [',
    b'"date_published": "99999-01-01T00:00:00+99:00"',
    b'"id": ' + b"9" * 5000,
    b"[" * 3000,
    b"{" * 3000,
    b"<a>" * 3000,
    b"<div>" * 3000,
    b"<table><tr><td>" * 500,
    b"<ul><li>" * 1000,
    "日本語の記事と中文新闻 한국어 기사".encode(),
    "日本語のニュース".encode("shift_jis"),
    "中文新闻".encode("gb18030"),
    "한국어".encode("euc_kr"),
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xff\xfe\x00\x00",
    *(f'<?xml version="1.0" encoding="{label}"?>'.encode() for label in _LABELS),
    *(f' encoding="{label}"'.encode() for label in _LABELS),
    b'<meta charset="zlib">',
    b'<meta http-equiv="Content-Type" content="text/html; charset=rot13">',
)

# --- Built-in seeds: the module runs without the corpus -------------------------------------

BUILTIN_FEEDS: tuple[bytes, ...] = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
    b'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Example &amp; Co</title>'
    b"<link>https://example.com/</link><description>d</description>"
    b"<image><url>https://example.com/i.png</url><width>80</width><height>15</height></image>"
    b"<item><title>One</title><link>https://example.com/1</link><guid>urn:1</guid>"
    b"<description>&lt;p&gt;Short &lt;b&gt;summary&lt;/b&gt;&lt;/p&gt;</description>"
    b"<content:encoded><![CDATA[<p>The <em>full</em> body.</p><h2>Part</h2><ul><li>a</li>"
    b"</ul>]]></content:encoded><dc:creator>Ann</dc:creator><category>Tech</category>"
    b"<pubDate>Tue, 02 Jan 2024 10:00:00 +0200</pubDate></item>"
    b'<item><title>Two</title><guid isPermaLink="false">2</guid></item></channel></rss>',
    b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
    b'xml:base="https://example.com/"><title type="html">A &lt;b&gt;feed&lt;/b&gt;</title>'
    b'<link rel="alternate" href="/"/><entry><title>E</title><id>urn:e</id>'
    b'<link rel="alternate" href="e.html"/><updated>2024-01-02T03:04:05Z</updated>'
    b'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></content>'
    b"<author><name>Bo</name></author></entry></feed>",
    b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://example.com/">'
    b'<title>R</title></channel><item rdf:about="https://example.com/r"><title>R1</title>'
    b"<link>https://example.com/r</link></item></rdf:RDF>",
    b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "home_page_url": '
    b'"https://example.com/", "items": [{"id": "1", "url": "https://example.com/j1", '
    b'"title": "J1", "content_html": "<p>Hi</p>", "date_published": "2024-01-01T00:00:00Z", '
    b'"authors": [{"name": "Cy"}], "tags": ["a", "b"]}, {"id": 2, "content_text": "plain"}]}',
    b'{"rss": {"channel": {"title": "S", "link": "http://s.example/", "item": [{"title": '
    b'"x", "link": "http://s.example/x", "pubDate": "Wed, 01 Jan 2025 00:00:00 GMT"}]}}}',
)
BUILTIN_SUBSCRIPTIONS: tuple[bytes, ...] = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>t</title>'
    b'</head><body><outline text="Tech" title="Tech"><outline type="rss" text="A" '
    b'xmlUrl="https://a.example/feed" htmlUrl="https://a.example/" category="/x,y"/>'
    b'</outline><outline text="B" xmlUrl="http://b.example/rss"/></body></opml>',
    b'# newsboat urls\nhttps://a.example/feed tech "two words" ~"A title"\n'
    b'http://b.example/rss !hidden\nexec:~/bin/x\n"query:unread:unread = \\"yes\\""\n',
)
BUILTIN_PAGES: tuple[bytes, ...] = (
    b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>A page | Site</title></head>'
    b'<body><nav><a href="/">Home</a></nav><article><h1>A page</h1>'
    + b'<p>Some words of the article, with a <a href="/more">link</a> in them.</p>'
    * 12
    + b"<h2>More</h2><ul><li>one</li><li>two</li></ul><blockquote>quoted</blockquote>"
    b'<pre>code\tline</pre><img src="/i.png" alt="a picture"><table><tr><td>a</td>'
    b"<td>b</td></tr></table></article><footer>(c)</footer></body></html>",
    '<html><head><meta charset="utf-8"><title>日本語の記事</title></head><body><article>'
    "<h1>見出し</h1><p>{}</p></article></body></html>".format("日本語の文章です。" * 40).encode(),
)


def _built_pictures() -> tuple[bytes, ...]:
    """One small picture in each format newsterm decodes, drawn here."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (48, 32), (0, 0, 255))
    ImageDraw.Draw(image).ellipse((8, 4, 40, 28), fill=(255, 0, 0))
    pictures = []
    for pil_format, options in (
        ("PNG", {}),
        ("JPEG", {"quality": 80}),
        ("GIF", {}),
        ("WEBP", {}),
        ("BMP", {}),
        ("PNG", {"optimize": True}),
    ):
        buffer = io.BytesIO()
        image.save(buffer, pil_format, **options)
        pictures.append(buffer.getvalue())
    return tuple(pictures)


BUILTIN_TRANSCRIPTS: tuple[bytes, ...] = (
    b"WEBVTT\n\nNOTE a note\n\n00:00:01.000 --> 00:00:04.000 align:start\n<v Ann>Welcome "
    b"<b>to</b> the show.\n\n00:01:04.500 --> 00:01:09.000\n<v Ben>Thanks, Ann.\n",
    b"1\r\n00:00:01,000 --> 00:00:04,000\r\nAnn: Welcome to the show.\r\n\r\n2\r\n"
    b"00:00:04,000 --> 00:00:09,000\r\n<i>Ben</i>: The cranes never stop.\r\n",
    b'{"version": "1.0.0", "segments": [{"speaker": "Ann", "startTime": 1.0, "endTime": 4.0, '
    b'"body": "Welcome to the show."}, {"speaker": "Ben", "startTime": 4, "body": "Thanks."}]}',
    b'{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}, {"startTime": 750, '
    b'"title": "The cranes", "url": "https://harbour.example/cranes"}]}',
    b"<html><body><p><cite>Ann:</cite> Welcome to the show.</p><p><cite>Ben:</cite> "
    b"Thanks.</p></body></html>",
    b"Welcome to the show.\n\nThe cranes never stop.\n",
)

# --- Seeds -----------------------------------------------------------------------------------


def _files(folder: str, suffixes: Sequence[str]) -> list[Path]:
    root = CORPUS / folder
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith(tuple(suffixes)))


def _read(path: Path, limit: int) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data[:limit]


def _every(paths: list[Path], count: int) -> list[Path]:
    """About ``count`` of ``paths``, spread evenly and always the same ones."""
    if len(paths) <= count:
        return paths
    step = len(paths) / count
    return [paths[int(n * step)] for n in range(count)]


@cache
def seeds(target: str, *, size: int, count: int) -> tuple[bytes, ...]:
    """Up to ``count`` corpus seeds of at most ``size`` bytes, plus the built-in ones."""
    if target == "feed":
        paths = _files("feedparser", (".xml",)) + _files("real-world", FEED_SUFFIXES)
        paths += _files("peers", FEED_SUFFIXES)
        repro = sorted((CORPUS / "fuzz-repro").glob("feed-*.bin")) if CORPUS.is_dir() else []
        builtin = BUILTIN_FEEDS
    elif target == "subscriptions":
        paths = _files("real-world", (".opml",))
        repro = sorted((CORPUS / "fuzz-repro").glob("opml-*.bin")) if CORPUS.is_dir() else []
        builtin = BUILTIN_SUBSCRIPTIONS
    elif target == "picture":
        return _built_pictures()
    elif target == "transcript":
        return BUILTIN_TRANSCRIPTS
    elif target in ("article", "extract"):
        paths = _files("real-world", (".html",)) + _files("peers/aeb", (".html.gz",))
        if target == "article":  # story bodies: HTML in feeds, hostile ones included
            paths += _files("feedparser/wellformed/sanitize", (".xml",))
        repro = sorted((CORPUS / "fuzz-repro").glob("extract-*.bin")) if CORPUS.is_dir() else []
        builtin = BUILTIN_PAGES
    else:
        raise ValueError(target)
    small = [p for p in paths if p.stat().st_size <= size or p.suffix == ".gz"]
    chosen = [_read(p, size) for p in _every(small, count)] + [_read(p, size) for p in repro]
    return (*builtin, *chosen)


FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf", ".json")

# --- Mutations -------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, pool: Sequence[bytes], max_size: int) -> bytes:
    """A seed with up to six mutations, as a byte-level fuzzer makes them."""
    data = bytearray(draw(st.sampled_from(pool)))
    for _ in range(draw(st.integers(0, 6))):
        operation = draw(st.integers(0, 7))
        at = draw(st.integers(0, len(data)))
        if operation == 0:  # flip a byte
            if data:
                data[min(at, len(data) - 1)] ^= draw(st.integers(1, 255))
        elif operation == 1:  # insert a hostile fragment
            data[at:at] = draw(st.sampled_from(FRAGMENTS))
        elif operation == 2:  # delete a range
            del data[at : at + draw(st.integers(1, 256))]
        elif operation == 3:  # cut the input short
            del data[at:]
        elif operation == 4:  # repeat a range: floods and deep nesting
            end = min(len(data), at + draw(st.integers(1, 64)))
            data[at:at] = bytes(data[at:end]) * draw(st.integers(2, 2000))
        elif operation == 5:  # splice in part of another seed
            other = draw(st.sampled_from(pool))
            start = draw(st.integers(0, len(other)))
            data[at:at] = other[start : start + draw(st.integers(1, 4096))]
        elif operation == 6:  # random bytes
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        else:  # a hostile fragment repeated: entities, references, nesting
            data[at:at] = draw(st.sampled_from(FRAGMENTS)) * draw(st.integers(2, 200))
    return bytes(data[:max_size])


CONTENT_TYPES = (
    None,
    "application/rss+xml",
    "application/xml; charset=utf-8",
    "text/xml",
    "text/html; charset=iso-8859-1",
    "application/feed+json",
    "application/json; charset=shift_jis",
    *(f"application/xml; charset={label}" for label in _LABELS),
    *(f"application/feed+json; charset={label}" for label in _LABELS[:8]),
)
PAGE_TYPES = (
    "text/html",
    "text/html; charset=utf-8",
    "application/xhtml+xml",
    "text/html; charset=shift_jis",
    *(f"text/html; charset={label}" for label in _LABELS),
    "application/pdf",
)

# --- Targets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An entry point for outside bytes: how to call it, and the side inputs it takes."""

    name: str
    run: Callable[[bytes, str | None], object]
    side_inputs: tuple[str | None, ...]  # a Content-Type, or None
    memory_limit: int  # bytes of tracemalloc peak for one input under 100 KB


def _check_sentence(text: str) -> None:
    assert not BAD_CHARS.search(text), repr(text)
    assert "\n" not in text and "Traceback" not in text, repr(text)


def run_feed(data: bytes, content_type: str | None) -> object:
    headers = {"Content-Type": content_type} if content_type else {}
    try:
        result = parse_feed(data, url=URL, headers=headers)
    except NewstermError as error:
        _check_sentence(str(error))
        safely = parse_feed_safely(data, url=URL, headers=headers)
        assert safely == str(error), (safely, str(error))
        return error
    for text in strings(result):
        assert not BAD_CHARS.search(text), repr(text[:300])
    for entry in result.entries:  # its HTML is decoded later: references count too
        assert not BAD_CHARS.search(html.unescape(entry.content_html)), entry.content_html[:300]
    for warning in result.warnings:
        _check_sentence(warning)
        assert not warning.startswith(INTERNAL_FAILURE), warning
    assert isinstance(result, ParsedFeed)
    return result


_FILES = tempfile.TemporaryDirectory(prefix="newsterm-fuzz-")


def run_subscriptions(data: bytes, _side: str | None) -> object:
    path = Path(_FILES.name) / "subscriptions"
    path.write_bytes(data)
    try:
        result = read_subscription_file(path)
    except NewstermError as error:
        _check_sentence(str(error))
        return error
    assert isinstance(result, SubscriptionFile)
    for text in strings(list(result.subscriptions)):
        assert not BAD_CHARS.search(text), repr(text[:300])
    for sentence in result.refused:
        _check_sentence(sentence)
    return result


def run_article(data: bytes, _side: str | None) -> object:
    body = data.decode("utf-8", "replace")
    article = parse_article(body, base_url=URL)
    for text in strings(article):
        assert not BAD_CHARS_OR_TAB.search(text), repr(text[:300])
    for line in render_text(article, width=60):
        assert not BAD_CHARS_OR_TAB.search(line), repr(line[:300])
    assert article.read_minutes >= 1
    return article


def run_extract(data: bytes, content_type: str | None) -> object:
    result = extract_article(data, URL, {"Content-Type": content_type or "text/html"})
    if isinstance(result, str):
        _check_sentence(result)
        return result
    assert isinstance(result, Extracted)
    _check_sentence(result.title)
    assert not BAD_CHARS.search(html.unescape(result.html)), result.html[:300]
    for text in strings(parse_article(result.html, base_url=URL)):
        assert not BAD_CHARS_OR_TAB.search(text), repr(text[:300])
    return result


def run_picture(data: bytes, _side: str | None) -> object:
    """What the image loader does with a fetched body: sniff it, and decode what is a
    picture (here in-process: the worker runs the same function)."""
    kind = sniff(data)
    if kind not in DECODABLE:
        return kind
    result = decode(data, kind, 120, 80)
    if isinstance(result, Picture):
        assert 0 < result.width <= 120 and 0 < result.height <= 80, result
        assert len(result.rgb) == result.width * result.height * 3
    else:
        assert isinstance(result, NoPicture) and result.reason, result
        _check_sentence(result.reason)
    return result


def run_transcript(data: bytes, media_type: str | None) -> object:
    """A fetched transcript read as an article, and the same bytes as chapters."""
    article = transcript_article(data, media_type or "", URL)
    for text in strings(article):
        assert not BAD_CHARS_OR_TAB.search(text), repr(text[:300])
    for chapter in chapters(data):
        assert not BAD_CHARS.search(chapter.title), repr(chapter.title[:300])
        assert chapter.start >= 0 and (not chapter.url or chapter.url.startswith("http"))
    return article


MB = 1024 * 1024
# Memory limits: tracemalloc's peak while one input under 100 KB is read. The worst peaks
# measured over 400 mutants of 100 KB seeds per target (80 for pages): feeds 11 MB (a flood
# of elements: feedparser keeps a dict and a stack frame per element), subscription files
# 1 MB, story bodies 2.3 MB, pages 28.5 MB (trafilatura's Python side; lxml's own C memory
# is not traced). Each limit leaves 3 to 10 times that for inputs worse than any seen, and
# still fails anything that grows faster than its input: 100 KB needing 100 MB is a bug.
TARGETS = {
    "feed": Target("feed", run_feed, CONTENT_TYPES, 64 * MB),
    "subscriptions": Target("subscriptions", run_subscriptions, (None,), 16 * MB),
    "article": Target("article", run_article, (None,), 24 * MB),
    "extract": Target("extract", run_extract, PAGE_TYPES, 128 * MB),
    "picture": Target("picture", run_picture, (None,), 64 * MB),
    "transcript": Target(
        "transcript",
        run_transcript,
        ("text/vtt", "application/x-subrip", "application/json", "text/html", "", None),
        32 * MB,
    ),
}


def peak_memory(target: Target, data: bytes, side: str | None) -> int:
    """tracemalloc's peak while ``target`` reads ``data``, in bytes."""
    tracemalloc.start()
    try:
        target.run(data, side)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- Crashes found, kept as regression cases -------------------------------------------------


def save_crash(target: str, data: bytes, side: str | None) -> Path:
    """Keep a failing input in ``tests/support/data/fuzz/<target>/``, for the replay test."""
    folder = REGRESSIONS / target
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(data + (side or "").encode(), usedforsecurity=False).hexdigest()
    path = folder / f"crash-{digest[:12]}.bin"
    path.write_bytes(data)
    if side is not None:
        path.with_suffix(".json").write_text(json.dumps({"content_type": side}) + "\n")
    return path


def regression_cases() -> Iterator[tuple[str, Path, str | None]]:
    """Every saved case: its target, its file, and the Content-Type it failed with, if any."""
    for target in sorted(TARGETS):
        folder = REGRESSIONS / target
        for path in sorted(folder.glob("*.bin")) if folder.is_dir() else ():
            sidecar = path.with_suffix(".json")
            side = json.loads(sidecar.read_text())["content_type"] if sidecar.is_file() else None
            yield target, path, side
