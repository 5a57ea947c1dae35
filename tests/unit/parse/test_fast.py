"""tui.core.parse.fast.reader: parse_feed's result for ordinary feeds, or None — and much sooner.

The contract is equivalence: whenever ``parse_fast`` returns a ParsedFeed, it equals what
``parse_feed`` returns for the same bytes. The corpus (``../shared/corpus``; these tests skip
when it is absent) checks that over ~1,800 documents. Differential tests pin the three places
where the fast path re-implements feedparser internals — dates, URL joins, the HTML
re-serialisation — against feedparser itself, on generated input. Hostile documents check
the fallbacks and the hygiene of what is accepted.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import random
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from feedparser.datetimes import _parse_date
from feedparser.urls import _urljoin, make_safe_absolute_uri, resolve_relative_uris

from tests.support.feeds import rss_document as rss
from tests.support.hygiene import assert_feed_clean
from tests.support.paths import CORPUS, PROJECT_ROOT
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.parse import feed as parse_module, urls as parse_fast_urls
from tui.core.parse.fast import (
    dates as parse_fast_dates,
    html as parse_fast_html,
    reader as fast_module,
)
from tui.core.parse.fast.reader import parse_fast
from tui.core.parse.feed import parse_feed
from tui.core.parse.fields import FEEDPARSER_OPTIONS

SYNTHETIC = PROJECT_ROOT / "bench" / "harness" / "feeds.py"
FEED_URL = "https://example.com/blog/feed.xml"
REAL_WORLD_FEEDS = {".rss", ".atom", ".xml", ".rdf"}  # JSON Feed and HTML are not for it

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no feed corpus at {CORPUS}")


def corpus_files(folder: str, pattern: str, suffixes: set[str] | None = None) -> list[Path]:
    root = CORPUS / folder
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.glob(pattern) if p.is_file() and (not suffixes or p.suffix in suffixes)
    )


WELLFORMED = corpus_files("feedparser/wellformed", "**/*")
REAL_WORLD = corpus_files("real-world", "*", REAL_WORLD_FEEDS)


def file_id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


def url_for(path: Path) -> str:
    return f"https://example.com/feeds/{path.name}"


def differences(fast: ParsedFeed, slow: ParsedFeed) -> list[str]:
    """Every field where the two results differ, said plainly."""
    found = [
        f"{field.name}: parse_fast {getattr(fast, field.name)!r:.300} "
        f"!= parse_feed {getattr(slow, field.name)!r:.300}"
        for field in dataclasses.fields(ParsedFeed)
        if field.name != "entries" and getattr(fast, field.name) != getattr(slow, field.name)
    ]
    if len(fast.entries) != len(slow.entries):
        found.append(f"entries: parse_fast {len(fast.entries)} != parse_feed {len(slow.entries)}")
    for position, (mine, theirs) in enumerate(zip(fast.entries, slow.entries, strict=False)):
        found.extend(
            f"entry {position} {field.name}: parse_fast {getattr(mine, field.name)!r:.300} "
            f"!= parse_feed {getattr(theirs, field.name)!r:.300}"
            for field in dataclasses.fields(ParsedEntry)
            if getattr(mine, field.name) != getattr(theirs, field.name)
        )
    return found


def assert_equivalent(body: bytes, url: str = FEED_URL) -> ParsedFeed | None:
    """parse_fast's answer, checked against feedparser's whenever it gives one."""
    fast = parse_fast(body, url=url)
    if fast is not None:
        slow = parse_feed(body, url=url, headers={}, fast_reader=False)
        found = differences(fast, slow)
        assert not found, "parse_fast differs from parse_feed:\n" + "\n".join(found)
        assert fast == slow
    return fast


def atom(entries: str, head: str = "<title>Example</title>") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom">{head}\n{entries}\n</feed>'
    ).encode()


def load_synthetic() -> ModuleType:
    if not SYNTHETIC.is_file():
        pytest.skip(f"no feed generator at {SYNTHETIC}")
    spec = importlib.util.spec_from_file_location("synthetic_feeds", SYNTHETIC)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic_feeds", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def synthetic_feeds(count: int, seed: int = 7, items: int = 50) -> list[bytes]:
    generator = load_synthetic()
    return [generator.render(spec, items, seed) for spec in generator.plan(count, seed)]


# --- Equivalence over the corpus ----------------------------------------------------------


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("path", WELLFORMED + REAL_WORLD, ids=file_id)
def test_whatever_it_accepts_equals_parse_feed(path: Path) -> None:
    assert_equivalent(path.read_bytes(), url_for(path))


@pytest.mark.corpus
@needs_corpus
def test_it_accepts_most_real_world_feeds() -> None:
    accepted = [p.name for p in REAL_WORLD if parse_fast(p.read_bytes(), url=url_for(p))]
    left = sorted({p.name for p in REAL_WORLD} - set(accepted))
    wellformed = sum(parse_fast(p.read_bytes(), url=url_for(p)) is not None for p in WELLFORMED)
    print(
        f"\nparse_fast accepts {len(accepted)}/{len(REAL_WORLD)} real-world RSS/Atom/RDF feeds "
        f"(left to feedparser: {', '.join(left) or 'none'}) and "
        f"{wellformed}/{len(WELLFORMED)} of feedparser's wellformed tests"
    )
    assert len(REAL_WORLD) >= 20
    assert len(accepted) >= 0.85 * len(REAL_WORLD)


def test_it_accepts_every_synthetic_bench_feed() -> None:
    for body in synthetic_feeds(30):
        assert assert_equivalent(body) is not None, body[:300]


def test_parse_feed_takes_the_fast_reader_when_it_can(monkeypatch: pytest.MonkeyPatch) -> None:
    body = rss("<item><title>One</title><guid>urn:1</guid></item>")
    calls: list[bytes] = []

    def broken_feedparser(*args: object, **kwargs: object) -> None:
        calls.append(b"feedparser")
        raise AssertionError("feedparser should not be needed for this feed")

    monkeypatch.setattr(parse_module, "run_feedparser", broken_feedparser)
    assert parse_feed(body, url=FEED_URL, headers={}).entries[0].title == "One"
    assert not calls


# --- What it must leave to feedparser -----------------------------------------------------

LEFT_TO_FEEDPARSER = {
    "internal DTD subset": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e "x">]>'
    b'<rss version="2.0"><channel><title>&e;</title></channel></rss>',
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b'<rss version="2.0"><channel><title>&lol2;</title></channel></rss>',
    "external entity": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<rss version="2.0"><channel><title>&x;</title></channel></rss>',
    "plain DOCTYPE": b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD '
    b'RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
    b'<rss version="0.91"><channel><title>T</title></channel></rss>',
    "HTML entity": rss("<item><title>a&nbsp;b</title></item>"),
    "mismatched tag": rss("<item><title>a</item></title>"),
    "cut short": rss("<item><title>a</title></item>")[:-20],
    "Latin-1 bytes": '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel>'
    "<title>Caf\xe9</title></channel></rss>".encode("latin-1"),
    "UTF-8 declared Latin-1": '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0">'
    "<channel><title>Café</title></channel></rss>".encode(),
    "ASCII declared UTF-16": b'<?xml version="1.0" encoding="utf-16"?><rss version="2.0">'
    b"<channel><title>T</title></channel></rss>",
    "UTF-16": '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel>'
    "<title>T</title></channel></rss>".encode("utf-16"),
    "Atom 0.3": b'<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#">'
    b"<title>T</title></feed>",
    "web page": b"<!DOCTYPE html><html><head><title>T</title></head><body></body></html>",
    "XHTML page": b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
    b"<title>T</title></head></html>",
    "JSON Feed": b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": []}',
    "empty": b"",
    "CDF": b'<?xml version="1.0"?><CHANNEL HREF="https://example.com/"><TITLE>T</TITLE></CHANNEL>',
    "surrogate in CDATA": rss("<item><description><![CDATA[&#xD800;]]></description></item>"),
    "markup in escaped content": rss("<item><description>a <b>bold</b> move</description></item>"),
    "xhtml:body": rss('<item><body xmlns="http://www.w3.org/1999/xhtml"><p>x</p></body></item>'),
    "SVG": atom(
        '<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        '<svg xmlns="http://www.w3.org/2000/svg"/></div></title></entry>'
    ),
}


@pytest.mark.parametrize("body", LEFT_TO_FEEDPARSER.values(), ids=LEFT_TO_FEEDPARSER.keys())
def test_it_leaves_unusual_documents_to_feedparser(body: bytes) -> None:
    assert parse_fast(body, url=FEED_URL) is None


def test_it_gives_up_if_parse_py_drives_feedparser_differently(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = rss("<item><title>T</title><link>https://example.com/1</link></item>")
    assert parse_fast(body, url=FEED_URL) is not None
    monkeypatch.setitem(FEEDPARSER_OPTIONS, "sanitize_html", True)
    assert parse_fast(body, url=FEED_URL) is None


# --- Hygiene and feedparser's rules, on documents it accepts ------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Hello &amp;#27;[2J&amp;#27;[31mworld",  # CSI, as an HTML reference in the text
        "Copy &amp;#x1b;]52;c;ZWNobyBwd25lZA==&amp;#x07; me",  # OSC 52 clipboard write
        "C1 &#x9b;31m CSI and &#x85; NEL",  # C1 controls are legal XML characters
        "Bidi &#x202e;txet&#x202c; override",
        "Tabs\tand\nnewlines &#x2028; and U+2029 &#x2029;",
        "&lt;b&gt;bold&lt;/b&gt; &amp;amp; &amp;lt;i&amp;gt;",
        "Ã©tÃ© mojibake and &#x80;&#x99; cp1252",
    ],
)
def test_control_characters_are_cleaned_exactly_as_parse_feed_cleans_them(title: str) -> None:
    body = rss(
        f"<item><title>{title}</title><link>https://example.com/1</link>"
        f"<description>{title}</description><dc:creator>{title}</dc:creator>"
        f"<category>{title}</category></item>",
        channel=f"<title>{title}</title><link>https://example.com/</link>",
    )
    result = assert_equivalent(body)
    assert result is not None
    assert_feed_clean(result)


def test_atom_text_constructs_are_cleaned_exactly_as_parse_feed_cleans_them() -> None:
    body = atom(
        '<entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp;#27;[2J</title>'
        '<id>urn:uuid:1</id><link href="/posts/1"/><updated>2024-05-01T10:00:00Z</updated>'
        '<summary type="text">&lt;not&gt; markup &#x9b;</summary>'
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        '<p>An <a href="/rel">XHTML</a> body &amp;#27;[31m</p></div></content>'
        "<author><name>Ann &#x202e;</name></author></entry>"
    )
    result = assert_equivalent(body)
    assert result is not None
    assert_feed_clean(result)
    assert result.entries[0].link == "https://example.com/posts/1"


def test_markup_lookalikes_stay_literal() -> None:
    body = rss(
        "<item><title>[@click=app.quit]x[/]</title><link>https://example.com/1</link>"
        "<description>[b]not markup[/b]</description></item>"
    )
    result = assert_equivalent(body)
    assert result is not None
    assert result.entries[0].title == "[@click=app.quit]x[/]"
    assert result.entries[0].summary == "[b]not markup[/b]"


def test_relative_links_follow_xml_base_and_the_feed_url() -> None:
    body = atom(
        '<entry xml:base="https://other.example/a/"><title>One</title><id>1</id>'
        '<link href="b/c.html"/><content type="html">&lt;img src="d.png"&gt;</content>'
        "</entry><entry><title>Two</title><id>tag:example.com,2024:2</id>"
        '<link rel="alternate" href="../two"/></entry>',
        head='<title>Example</title><link href="/"/>',
    )
    result = assert_equivalent(body)
    assert result is not None
    first, second = result.entries
    assert first.link == "https://other.example/a/b/c.html"
    assert first.guid == "https://other.example/a/1"  # feedparser resolves an Atom id
    assert 'src="https://other.example/a/d.png"' in first.content_html
    assert second.link == "https://example.com/two"
    assert second.guid == "tag:example.com,2024:2"
    assert result.site_url == "https://example.com/"


def test_rss_guids_links_dates_authors_and_categories_follow_feedparser() -> None:
    body = rss(
        '<item><title>A</title><guid isPermaLink="false">12345</guid>'
        "<pubDate>Tue, 01 Sep 2026 06:13:00 +0200</pubDate>"
        "<author>ann@example.com (Ann Example)</author>"
        '<category domain="https://example.com/c">News</category><category>news</category>'
        "<description>Short</description><content:encoded>&lt;p&gt;Long&lt;/p&gt;</content:encoded>"
        "</item>"
        "<item><title>B</title><guid>https://example.com/b</guid>"
        "<dc:date>2024-01-02T03:04:05-05:00</dc:date><dc:creator>Bo</dc:creator></item>"
        "<item><title>C</title><guid>relative/c</guid></item>"
    )
    result = assert_equivalent(body)
    assert result is not None
    a, b, c = result.entries
    assert (a.guid, a.link, a.author, a.categories) == ("12345", "", "Ann Example", ("News",))
    assert a.content_html == "<p>Long</p>" and a.summary == "Short"
    assert (b.link, b.author) == ("https://example.com/b", "Bo")
    assert c.link == c.guid == "https://example.com/blog/relative/c"


# --- Differential tests: the re-implemented feedparser internals -------------------------


def test_dates_are_read_as_feedparser_reads_them() -> None:
    rng = random.Random(20240501)
    days = ["Mon", "Tue", "Sun", "thu", "FRI"]
    months = ["Jan", "Feb", "Sep", "oct", "DEC", "Sept", "Foo"]
    zones = ["+0000", "-0000", "-0500", "+0530", "GMT", "gmt", "UT", "Z", "EST", "CEST", "+9999"]
    samples = []
    for _ in range(6000):
        samples.append(
            f"{rng.choice(days)}, {rng.randint(0, 32):0{rng.choice([1, 2])}d} "
            f"{rng.choice(months)} {rng.choice([1, 1970, 2026, 9999])} {rng.randint(0, 25):02d}:"
            f"{rng.randint(0, 61):02d}:{rng.randint(0, 61):02d} {rng.choice(zones)}"
        )
        zone = rng.choice(["Z", "z", "+00:00", "-00:00", "-05:00", "+05:30", "+99:99", ""])
        clock = (
            f"{rng.choice('Tt')}{rng.randint(0, 25):02d}:{rng.randint(0, 61):02d}:"
            f"{rng.randint(0, 61):02d}{rng.choice(['', '.123'])}{zone}"
        )
        samples.append(
            f"{rng.choice([1, 1969, 2026, 9999])}-{rng.randint(0, 13):02d}-"
            f"{rng.randint(0, 32):02d}{rng.choice(['', clock])}"
        )
    samples += ["", "  ", "2024", "Tue, 1 Sep 2026", "yesterday", "2024-05-01 10:00:00"]
    wrong = [s for s in samples if parse_fast_dates.parse_date(s) != _parse_date(s)]
    assert not wrong, wrong[:10]


def test_url_joins_are_feedparser_joins() -> None:
    rng = random.Random(3)
    schemes = ["http", "https", "HTTP", "ftp", "urn", "tag", "mailto", "javascript", "x-y", ""]
    hosts = ["example.com", "EXAMPLE.com", "[::1]", "[::1", "ex ample.com", "ü.example", ""]
    paths = ["", "/", "/a/../b", "/a;p", "/a;", "//x", "/é", "/a?", "/a#", "/a?q=1&amp;b=2#f"]
    others = ["12345", "/rel/path", "../up", "?q", "#f", " https://ex.com/ ", "https:///x", ""]
    bases = [FEED_URL, "", "http://[::1/x", "http://example.com", "urn:x"]
    wrong = []
    for _ in range(20000):
        roll = rng.random()
        if roll < 0.6:
            url = f"{rng.choice(schemes)}://{rng.choice(hosts)}{rng.choice(paths)}"
        elif roll < 0.8:
            url = f"{rng.choice(schemes)}:{rng.choice(['bench:1:2', '//x', 'a@b.c', ''])}"
        else:
            url = rng.choice(others)
        base = rng.choice(bases)
        if parse_fast_urls.join_uri(base, url) != _urljoin(base, url):
            wrong.append(("_urljoin", base, url))
        if parse_fast_urls.safe_absolute_uri(base, url) != make_safe_absolute_uri(base, url):
            wrong.append(("make_safe_absolute_uri", base, url))
    assert not wrong, wrong[:10]


TAG_NAMES = ["p", "a", "img", "br", "A", "IMG", "o:p", "h2", "span", "input", "video", "q"]
ATTRIBUTES = ["href", "src", "title", "alt", "REL", "type", "cite", "poster", "disabled"]
ATTRIBUTES += ["class", "rel", "data-x", "srcset"]
ATTRIBUTE_VALUES = [
    "/x/y",
    "../z",
    "page.html?a=1&b=2",
    "https://ex.com/p?q=1&amp;r=2",
    "javascript:alert(1)",
    " spaced ",
    "it's",
    'say "hi"',
    "",
    "HTTP://EX.COM/",
    "//cdn.example.com/x.png",
    "http://[::1/",
    "a&#38b",
    "TEXT/HTML",
    "&#x41;",
    # plain absolute URLs and text, which a one-attribute tag keeps as it is
    "https://ex.com/a/b.png",
    "http://ex.com/./x#frag",
    "https://ex.com:8080/p?q=1",
    "https://Ex.COM/",
    "lead story",
    "nofollow",
]
TEXTS = ["hello ", "a > b", ' it\'s "q" ', "é ü ", "\n", "x=1"]
REFERENCES = ["&amp;", "&nbsp;", "&foo;", "&apos;", "&amp ", "&#39;", "&#34;", "&#150;", "&#x96;"]
REFERENCES += ["&#X41;", "&#8217;", "&#12 ", "& ", "&#;", "&x.y;", "&copy", "&lt;b&gt;"]
REFERENCES += ["&#0150;", "&#x2019;", "&#x201A;", "&rsquo;", "&#127;", "&#128;", "&#159;", "&#160;"]
REFERENCES += ["&#x80;", "&#x9F;", "&#x9f;", "&#xa0;", "&#00159;", "&#12345678;", "&Amp;"]
ODDITIES = ["< b", "<3", "<>", "<!x>", "<!DOCTYPE html>", "<![CDATA[x]]>", "<?pi?>", "<br/>"]
ODDITIES += ["<BR/>", "<a/b>", "<a href=x/>", '<img src="x"/>', "<!-- c -->", "<!-- a -- >"]
ODDITIES += ["</ p>", "</br>", "</A >", ">", '<a b"c">', "<a href='x'title='y'>"]
ODDITIES += ["<em>", "</em>", "<br>", "<P>", "<basefont>", "<bases>", "</bases>", "<a-b>", "<p >"]
UNQUOTABLE = re.compile("[ \"']")


def random_tag(rng: random.Random) -> str:
    attributes = []
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        name, value, roll = rng.choice(ATTRIBUTES), rng.choice(ATTRIBUTE_VALUES), rng.random()
        if roll < 0.5:
            attributes.append(f' {name}="{value.replace(chr(34), "&quot;")}"')
        elif roll < 0.7:
            attributes.append(f" {name}='{value.replace(chr(39), '&#39;')}'")
        elif roll < 0.9:
            attributes.append(f" {name}={UNQUOTABLE.sub('', value) or 'v'}")
        else:
            attributes.append(f" {name}")
    ending = rng.choice([">", " >", "/>", " />"])
    return f"<{rng.choice(TAG_NAMES)}{''.join(attributes)}{ending}"


def random_fragment(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 12)):
        roll = rng.random()
        if roll < 0.3:
            parts.append(rng.choice(TEXTS))
        elif roll < 0.55:
            parts.append(random_tag(rng))
        elif roll < 0.7:
            parts.append(f"</{rng.choice(TAG_NAMES)}>")
        elif roll < 0.85:
            parts.append(rng.choice(REFERENCES))
        else:
            parts.append(rng.choice(ODDITIES))
    if rng.random() < 0.05:
        parts.append(rng.choice(["<a", '<a href="x', "&amp", "<", "&#12", "<!-- open"]))
    return "".join(parts)


def test_html_is_reserialised_as_feedparser_reserialises_it() -> None:
    rng = random.Random(11)
    bases = [FEED_URL, "", "http://[::1/x", "http://example.com"]
    wrong = []
    took_fast_path = 0
    for _ in range(8000):
        markup, base = random_fragment(rng), rng.choice(bases)
        content_type = rng.choice(["text/html", "application/xhtml+xml"])
        expected = resolve_relative_uris(markup, base, "utf-8", content_type)
        if (
            parse_fast_html._plain_html(markup, base, content_type == parse_fast_html.XHTML)
            is not None
        ):
            took_fast_path += 1
        if parse_fast_html.resolve_html(markup, base, content_type) != expected:
            wrong.append((markup, base, content_type))
    assert not wrong, wrong[:5]
    assert took_fast_path > 4000  # the generator exercises the fast path, not only the fallback


ONE_ATTRIBUTE_TAGS = [
    '<a href="https://ex.com/a">',
    '<a href="https://ex.com:8080/p?q=1#f">',
    '<a rel="https://Ex.COM/">',
    '<a rel="NoFollow">',
    '<a type="TEXT/HTML">',
    '<p class="Lead Story">',
    '<span data-x="y">',
    '<a href="/relative">',
    '<a href="HTTPS://ex.com/">',
    '<a href="https://ex.com/?a=1&b=2">',
    '<a title="a&amp;b">',
    '<q cite="https://ex.com/./q">',
    '<img src="https://ex.com/x.png">',
    '<br class="x">',
    '<a srcset="x.png 2x">',
    '<p title="it\'s">',
]


@pytest.mark.parametrize("tag", ONE_ATTRIBUTE_TAGS)
@pytest.mark.parametrize("base", [FEED_URL, "", "http://[::1/x"])
def test_one_attribute_tags_come_out_as_feedparser_writes_them(tag: str, base: str) -> None:
    # The fast path copies canonical one-attribute tags as they are: only those it may.
    for content_type in ("text/html", "application/xhtml+xml"):
        markup = f"<p>Lead {tag}text</a> &amp; more</p>"
        expected = resolve_relative_uris(markup, base, "utf-8", content_type)
        assert parse_fast_html.resolve_html(markup, base, content_type) == expected


def test_every_copied_handler_is_one_feedparser_runs() -> None:
    """A typo in a handler name would silently treat a known element as an unknown one."""
    assert set(fast_module._STARTS) <= fast_module._FP_STARTS
    assert set(fast_module._ENDS) <= fast_module._FP_ENDS
    assert {"title", "link", "guid", "description", "content_encoded"} <= set(fast_module._STARTS)
