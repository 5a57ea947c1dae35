"""Reading OPML and newsboat urls files, refusing what could run or read things, writing OPML."""

from __future__ import annotations

import ast
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

import tui.core.subscriptions.opml as opml_module
from tests.support.paths import CORPUS
from tui.core.errors import ImportFileError
from tui.core.models import Feed, Topic
from tui.core.subscriptions.opml import (
    SubscriptionFile,
    check_feed_url,
    parse_opml,
    parse_urls_file,
    read_subscription_file,
    write_opml,
)

REAL_WORLD = CORPUS / "real-world"


def _opml(body: str, version: str = "2.0") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="{version}">\n'
        f"<head><title>t</title></head>\n<body>\n{body}\n</body>\n</opml>\n"
    ).encode()


def _by_url(result: SubscriptionFile) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    return {s.url: (s.title, s.topic, s.tags) for s in result.subscriptions}


# --- OPML ------------------------------------------------------------------------------


def test_nested_folders_give_the_innermost_folder_as_topic() -> None:
    result = parse_opml(
        _opml(
            """
            <outline text="Tech" title="Tech">
              <outline type="rss" text="Top of tech" xmlUrl="https://tech.example/feed"/>
              <outline text="Programming">
                <outline text="Python" title="Python">
                  <outline type="rss" title="PSF" text="ignored" xmlUrl="https://psf.example/rss"/>
                </outline>
                <outline type="rss" text="Go blog" xmlUrl="https://go.example/atom"/>
              </outline>
            </outline>
            """
        )
    )
    assert result.refused == ()
    assert _by_url(result) == {
        "https://tech.example/feed": ("Top of tech", "Tech", ()),
        "https://psf.example/rss": ("PSF", "Python", ()),
        "https://go.example/atom": ("Go blog", "Programming", ()),
    }


def test_top_level_feeds_have_no_topic_and_keep_document_order() -> None:
    result = parse_opml(
        _opml(
            """
            <outline type="rss" text="B" xmlUrl="http://b.example/"/>
            <outline text="Folder"><outline text="C" xmlUrl="http://c.example/"/></outline>
            <outline type="rss" text="A" xmlUrl="http://a.example/"/>
            """
        )
    )
    assert [(s.url, s.topic) for s in result.subscriptions] == [
        ("http://b.example/", ""),
        ("http://c.example/", "Folder"),
        ("http://a.example/", ""),
    ]


def test_a_nameless_folder_is_skipped_for_the_one_around_it() -> None:
    result = parse_opml(
        _opml(
            '<outline text="News"><outline><outline text="x" xmlUrl="http://x.example/"/>'
            "</outline></outline>"
        )
    )
    assert result.subscriptions[0].topic == "News"


def test_opml_1_0_with_odd_case_xmlurl_and_text_only() -> None:
    data = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0">
  <head><title>old export</title></head>
  <body>
    <outline text="Caf\xe9 society" type="rss" xmlurl="http://cafe.example/rss.xml"/>
    <outline text="Loud" XMLURL="http://loud.example/rss.xml"/>
    <outline text="Camel" xmlURL="http://camel.example/rss.xml"/>
  </body>
</opml>"""
    result = parse_opml(data)
    assert _by_url(result) == {
        "http://cafe.example/rss.xml": ("Café society", "", ()),
        "http://loud.example/rss.xml": ("Loud", "", ()),
        "http://camel.example/rss.xml": ("Camel", "", ()),
    }


def test_category_gives_topic_and_tags_when_there_is_no_folder() -> None:
    result = parse_opml(
        _opml(
            """
            <outline text="Weather" xmlUrl="http://w.example/" category="/Boston/Weather,News"/>
            <outline text="Folder">
              <outline text="In folder" xmlUrl="http://f.example/" category="a, b"/>
            </outline>
            """
        )
    )
    assert _by_url(result) == {
        "http://w.example/": ("Weather", "Boston", ("Boston", "Weather", "News")),
        "http://f.example/": ("In folder", "Folder", ("a", "b")),
    }


def test_titles_and_urls_are_cleaned() -> None:
    result = parse_opml(
        _opml(
            '<outline text="Evil&#10;\u202ered&#x202c;  title\u2066" '
            'xmlUrl="  https://e.example/\u202efeed&#9;  "/>'
        )
    )
    assert _by_url(result) == {"https://e.example/feed": ("Evil red title", "", ())}


def test_a_title_that_is_just_the_url_is_no_title() -> None:
    result = parse_opml(_opml('<outline text="http://u.example/" xmlUrl="http://u.example/"/>'))
    assert result.subscriptions[0].title == ""


def test_an_outline_with_an_empty_xmlurl_is_refused_by_name() -> None:
    result = parse_opml(_opml('<outline text="Lost feed" type="rss" xmlUrl=""/>'))
    assert result.subscriptions == ()
    assert result.refused == ('outline "Lost feed" (line 5) has an empty xmlUrl.',)


def test_duplicates_in_opml_are_kept_once_first_wins() -> None:
    result = parse_opml(
        _opml(
            """
            <outline text="One"><outline text="First" xmlUrl="https://d.example/feed"/></outline>
            <outline text="Two"><outline text="Second" xmlUrl="https://D.EXAMPLE/feed"/></outline>
            """
        )
    )
    assert _by_url(result) == {"https://d.example/feed": ("First", "One", ())}
    assert result.refused == ()


def test_opml_refusals_name_the_outline() -> None:
    result = parse_opml(
        _opml(
            """
            <outline text="Script" xmlUrl="exec:~/bin/news.sh"/>
            <outline title="Filtered" xmlUrl="filter:~/f.sh:http://x.example/"/>
            <outline text="Query" xmlUrl="query:Unread:unread = &quot;yes&quot;"/>
            <outline text="Pipe" xmlUrl="|curl http://x.example/"/>
            <outline text="JS" xmlUrl="javascript:alert(1)"/>
            <outline text="Old" xmlUrl="ftp://ftp.example/feed.xml"/>
            <outline xmlUrl="data:text/xml,&lt;rss/&gt;"/>
            <outline text="Bare" xmlUrl="example.com/feed"/>
            <outline text="Fine" xmlUrl="https://fine.example/feed"/>
            """
        )
    )
    assert [s.url for s in result.subscriptions] == ["https://fine.example/feed"]
    assert len(result.refused) == 8
    expected = [
        ('outline "Script" (line 6): exec:~/bin/news.sh runs a command', "never runs commands"),
        ('outline "Filtered" (line 7): filter:~/f.sh:http://x.example/', "never runs commands"),
        ('outline "Query" (line 8): query:', "query feed"),
        ('outline "Pipe" (line 9): |curl', "never runs commands"),
        ('outline "JS" (line 10): javascript:alert(1)', "javascript: scheme"),
        ('outline "Old" (line 11): ftp://ftp.example/feed.xml', "ftp: scheme"),
        ("outline at line 12: data:", "data: scheme"),
        ('outline "Bare" (line 13): example.com/feed', "is not a URL"),
    ]
    for sentence, (start, middle) in zip(result.refused, expected, strict=True):
        assert sentence.startswith(start), sentence
        assert middle in sentence
        assert sentence.endswith(".")


def test_file_urls_are_accepted() -> None:
    result = parse_opml(_opml('<outline text="Local" xmlUrl="file:///home/me/feed.xml"/>'))
    assert [s.url for s in result.subscriptions] == ["file:///home/me/feed.xml"]


def test_malformed_xml_names_the_file_and_line() -> None:
    data = _opml('<outline text="a" xmlUrl="http://a.example/">\n<outline text="b"/>')
    with pytest.raises(ImportFileError) as caught:
        parse_opml(data, source="feeds.opml")
    message = str(caught.value)
    assert message.startswith("feeds.opml is not well-formed XML: mismatched tag at line 7")
    assert message.endswith(".")


def test_an_html_page_is_not_opml() -> None:
    with pytest.raises(ImportFileError, match=r"page\.html is not an OPML file: it is a web page"):
        parse_opml(b"<!DOCTYPE html><html><body><p>hi</p></body></html>", source="page.html")


def test_a_feed_is_not_opml() -> None:
    with pytest.raises(ImportFileError, match="subscribe to it by its URL"):
        parse_opml(b'<rss version="2.0"><channel><title>x</title></channel></rss>')


def test_an_empty_document_is_an_error() -> None:
    with pytest.raises(ImportFileError, match="not well-formed XML: no element found at line 1"):
        parse_opml(b"")


# --- XML attacks -----------------------------------------------------------------------


def test_xxe_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        '<opml version="2.0"><body><outline text="&xxe;" xmlUrl="http://x.example/"/>'
        '<outline text="t">&xxe;</outline></body></opml>'
    ).encode()
    with pytest.raises(ImportFileError) as caught:
        parse_opml(data, source="evil.opml")
    assert "evil.opml declares XML entities (xxe)" in str(caught.value)
    assert "TOP-SECRET" not in str(caught.value)


def test_parameter_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY leak "TOP-SECRET">')
    data = (
        f'<!DOCTYPE opml [<!ENTITY % p SYSTEM "{secret.as_uri()}"> %p;]>\n'
        '<opml><body><outline text="&leak;" xmlUrl="http://x.example/"/></body></opml>'
    ).encode()
    with pytest.raises(ImportFileError, match="declares XML entities"):
        parse_opml(data)


def test_external_dtd_is_not_read(tmp_path: Path) -> None:
    dtd = tmp_path / "defs.dtd"
    dtd.write_text('<!ENTITY title "TOP-SECRET">')
    data = (
        f'<!DOCTYPE opml SYSTEM "{dtd.as_uri()}">\n'
        '<opml><body><outline text="Plain" xmlUrl="http://x.example/"/></body></opml>'
    ).encode()
    assert _by_url(parse_opml(data)) == {"http://x.example/": ("Plain", "", ())}
    # With an external subset expat cannot know the entity, so it skips it: nothing is read.
    skipped = data.replace(b'text="Plain"', b'text="a&title;b"')
    assert _by_url(parse_opml(skipped)) == {"http://x.example/": ("ab", "", ())}


def test_billion_laughs_is_refused_quickly() -> None:
    entities = ['<!ENTITY lol "lol">']
    for level in range(1, 10):
        previous = f"&lol{level - 1};" if level > 1 else "&lol;"
        entities.append(f'<!ENTITY lol{level} "{previous * 10}">')
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE opml [{"".join(entities)}]>\n'
        '<opml><body><outline text="&lol9;" xmlUrl="http://x.example/"/></body></opml>'
    ).encode()
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="declares XML entities"):
        parse_opml(data)
    assert time.perf_counter() - started < 1.0


def test_even_a_small_internal_entity_is_refused() -> None:
    # Stdlib ElementTree expands this one, which is why opml does not use it for reading.
    data = (
        b'<!DOCTYPE opml [<!ENTITY a "AAAA">]>'
        b'<opml><body><outline text="&a;" xmlUrl="http://x.example/"/></body></opml>'
    )
    assert ET.fromstring(data)[0][0].get("text") == "AAAA"
    with pytest.raises(ImportFileError, match=r"declares XML entities \(a\)"):
        parse_opml(data)


def test_a_doctype_without_entities_is_fine() -> None:
    data = (
        b'<!DOCTYPE opml><opml><body><outline text="x" xmlUrl="http://x.example/"/></body></opml>'
    )
    assert len(parse_opml(data).subscriptions) == 1


# --- real-world OPML --------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["Subs.opml", "SubsNoTitleAttributes.opml"])
def test_real_world_opml(name: str) -> None:
    path = REAL_WORLD / name
    if not path.exists():
        pytest.skip(f"corpus file {path} is not present")
    result = read_subscription_file(path)
    assert len(result.subscriptions) > 0
    assert result.refused == ()
    assert all(s.url.startswith(("http://", "https://")) for s in result.subscriptions)
    assert all(s.title for s in result.subscriptions)
    topics = {s.topic for s in result.subscriptions}
    # Both files have feeds at the top level and in Programming/Macintosh/Weblogs/Writers.
    assert "" in topics
    assert {"Programming", "Macintosh", "Weblogs", "Writers"} <= topics
    by_url = _by_url(result)
    assert by_url["http://corinnekrych.blogspot.com/feeds/posts/default"][0] == "chat & code"


# --- newsboat urls files ----------------------------------------------------------------


URLS_FILE = """\
# my feeds
http://plain.example/rss

https://tagged.example/atom.xml tech "tag two" ~"Custom title" !hidden
  https://titled.example/feed ~Short news
https://apostrophe.example/it's-a-feed "~Quoted tilde" "with \\"escaped\\" quote"
https://frag.example/feed#section
"""


def test_urls_file_tags_titles_comments() -> None:
    result = parse_urls_file(URLS_FILE)
    assert result.refused == ()
    assert _by_url(result) == {
        "http://plain.example/rss": ("", "", ()),
        "https://tagged.example/atom.xml": (
            "Custom title",
            "tech",
            ("tech", "tag two"),
        ),
        "https://titled.example/feed": ("Short", "news", ("news",)),
        "https://apostrophe.example/it's-a-feed": (
            "Quoted tilde",
            'with "escaped" quote',
            ('with "escaped" quote',),
        ),
        "https://frag.example/feed#section": ("", "", ()),
    }


def test_urls_file_tilde_title_keeps_only_its_own_token() -> None:
    # Unquoted, "~Short news" is two tokens: the title "Short" and the tag "news", as in newsboat.
    result = parse_urls_file("https://t.example/ ~Short news\n")
    assert _by_url(result) == {"https://t.example/": ("Short", "news", ("news",))}


def test_urls_file_refusals_name_their_line() -> None:
    text = """\
# line 1 is a comment
https://ok.example/feed
"exec:~/bin/news.sh" tech
exec:~/bin/news.sh
"filter:~/bin/clean.sh:https://x.example/feed"
"query:Unread Articles:unread = \\"yes\\""
| curl -s https://x.example/
|cat /etc/passwd
javascript:alert(1)
ftp://ftp.example/feed.xml
data:text/xml,<rss/>
example.com/feed
https://x.example/ "unbalanced
https:///no-host
"""
    result = parse_urls_file(text)
    assert [s.url for s in result.subscriptions] == ["https://ok.example/feed"]
    assert list(result.refused) == [
        "line 3: exec:~/bin/news.sh runs a command; "
        "newsterm never runs commands from a subscription file.",
        "line 4: exec:~/bin/news.sh runs a command; "
        "newsterm never runs commands from a subscription file.",
        "line 5: filter:~/bin/clean.sh:https://x.example/feed pipes a feed through a command; "
        "newsterm never runs commands from a subscription file.",
        'line 6: query:Unread Articles:unread = "yes" is a newsboat query feed, '
        "which newsterm does not support.",
        "line 7: | curl -s https://x.example/ is a command; "
        "newsterm never runs commands from a subscription file.",
        "line 8: |cat /etc/passwd is a command; "
        "newsterm never runs commands from a subscription file.",
        "line 9: javascript:alert(1) uses the javascript: scheme; "
        "newsterm reads only http, https and file URLs.",
        "line 10: ftp://ftp.example/feed.xml uses the ftp: scheme; "
        "newsterm reads only http, https and file URLs.",
        "line 11: data:text/xml,<rss/> uses the data: scheme; "
        "newsterm reads only http, https and file URLs.",
        "line 12: example.com/feed is not a URL.",
        'line 13: https://x.example/ "unbalanced has quotes that do not match up.',
        "line 14: https:///no-host has no host name.",
    ]


def test_urls_file_duplicates_are_kept_once_first_wins() -> None:
    text = (
        "https://dup.example/feed first ~One\n"
        "https://other.example/\n"
        "https://dup.example/feed second ~Two\n"
        "HTTPS://DUP.example/feed third\n"
    )
    result = parse_urls_file(text)
    assert _by_url(result) == {
        "https://dup.example/feed": ("One", "first", ("first",)),
        "https://other.example/": ("", "", ()),
    }
    assert result.refused == ()


def test_urls_file_cleans_escape_sequences() -> None:
    result = parse_urls_file('https://e.example/\x1b[2J ~"Bad\x1b]0;pwned\x07 title" t\x07ag\n')
    assert _by_url(result) == {"https://e.example/": ("Bad title", "tag", ("tag",))}


def test_empty_urls_file_is_empty() -> None:
    assert parse_urls_file("# nothing yet\n\n") == SubscriptionFile((), ())


def test_text_that_is_not_a_urls_file_is_an_error() -> None:
    with pytest.raises(ImportFileError, match=r"notes\.txt is neither an OPML file nor a newsboat"):
        parse_urls_file("Dear diary,\ntoday I read the news.\n", source="notes.txt")


# --- reading files ----------------------------------------------------------------------


def test_read_subscription_file_sniffs_opml(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.txt"  # the name says nothing; the content does
    path.write_bytes(b"\xef\xbb\xbf\n  " + _opml('<outline text="x" xmlUrl="http://x.example/"/>'))
    assert [s.url for s in read_subscription_file(path).subscriptions] == ["http://x.example/"]


def test_read_subscription_file_sniffs_urls(tmp_path: Path) -> None:
    path = tmp_path / "feeds.opml"
    path.write_text("# newsboat\nhttp://x.example/ news\n", encoding="utf-8")
    assert _by_url(read_subscription_file(path)) == {"http://x.example/": ("", "news", ("news",))}


def test_read_subscription_file_reports_malformed_opml_by_file_name(tmp_path: Path) -> None:
    path = tmp_path / "broken.opml"
    path.write_bytes(b"<opml>\n<body>\n<outline text='a' xmlUrl='http://a.example/'>\n</body>")
    with pytest.raises(ImportFileError, match=r"broken\.opml is not well-formed XML: .* line 4"):
        read_subscription_file(path)


def test_read_subscription_file_refuses_binary_and_json(tmp_path: Path) -> None:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ImportFileError, match=r"image\.png is neither"):
        read_subscription_file(binary)
    json_file = tmp_path / "feeds.json"
    json_file.write_text('{"feeds": ["http://x.example/"]}')
    with pytest.raises(ImportFileError, match=r"feeds\.json is neither"):
        read_subscription_file(json_file)


def test_read_subscription_file_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"Could not read .*nope\.opml: No such file"):
        read_subscription_file(tmp_path / "nope.opml")


# --- check_feed_url ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://a.example/feed", "HTTPS://a.example/", "file:///tmp/feed.xml", "file:/tmp/f.xml"],
)
def test_check_feed_url_accepts(url: str) -> None:
    assert check_feed_url(url) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "is empty"),
        ("EXEC:rm -rf ~", "runs a command"),
        ("filter:x:http://a/", "pipes a feed through a command"),
        ("query:x:y", "query feed"),
        ("|ls", "is a command"),
        ("  |ls", "is a command"),
        ("javascript:alert(1)", "javascript: scheme"),
        ("vbscript:x", "vbscript: scheme"),
        ("/home/me/feed.xml", "is not a URL"),
        ("//a.example/feed", "is not a URL"),
        ("http://[::1/feed", "is not a valid URL"),
        ("http:feed", "has no host name"),
        ("file://", "names no file"),
    ],
)
def test_check_feed_url_refuses(url: str, reason: str) -> None:
    refusal = check_feed_url(url)
    assert refusal is not None
    assert reason in refusal


# --- writing OPML -----------------------------------------------------------------------


def _feed(feed_id: int, url: str, title: str, topic: str, tags: tuple[str, ...] = ()) -> Feed:
    return Feed(id=feed_id, url=url, title=title, topic=Topic.from_name(topic), tags=tags)


TRICKY_FEEDS = [
    _feed(1, "https://a.example/feed?x=1&y=2", "Ampersand & Sons", "News & Views", ("a&b",)),
    _feed(2, "https://b.example/<rss>", "Less < More > \"quoted\" 'single'", "News & Views"),
    _feed(3, "https://c.example/", "Café — 日本語 ☕ 𝔘", "Ünïcode", ("ß", "日本")),
    _feed(4, "https://d.example/", "[@click=app.quit]x[/]", "[b]Markup[/b]"),
    _feed(5, "file:///home/me/generated.xml", "Local", "General"),
    _feed(6, "https://e.example/", "", "General"),
]


def test_round_trip_keeps_urls_titles_topics_and_tags() -> None:
    document = write_opml(TRICKY_FEEDS)
    result = parse_opml(document.encode("utf-8"))
    assert result.refused == ()
    assert [(s.url, s.title, s.topic, s.tags) for s in result.subscriptions] == [
        (f.url, f.title, f.topic.name, f.tags) for f in TRICKY_FEEDS
    ]


def test_write_opml_structure() -> None:
    feeds = [
        Feed(
            id=1,
            url="https://a.example/feed",
            title="A",
            topic=Topic.from_name("Tech"),
            tags=("tech", "py"),
            site_url="https://a.example/",
        ),
        _feed(2, "https://b.example/feed", "B", "World"),
        _feed(3, "https://c.example/feed", "C", "Tech"),
    ]
    created = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    document = write_opml(feeds, title="Mine & yours", created=created)
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    root = ET.fromstring(document)
    assert root.findtext("head/title") == "Mine & yours"
    assert root.findtext("head/dateCreated") == "Mon, 06 May 2024 07:08:09 GMT"
    folders = root.findall("body/outline")
    assert [(f.get("text"), f.get("title")) for f in folders] == [
        ("Tech", "Tech"),
        ("World", "World"),
    ]
    tech = folders[0].findall("outline")
    assert [o.get("xmlUrl") for o in tech] == ["https://a.example/feed", "https://c.example/feed"]
    assert tech[0].attrib == {
        "type": "rss",
        "text": "A",
        "title": "A",
        "xmlUrl": "https://a.example/feed",
        "htmlUrl": "https://a.example/",
        "category": "tech,py",
    }


def test_write_opml_escapes_and_drops_what_xml_cannot_carry() -> None:
    feed = _feed(1, "https://a.example/?a=1&b=2", 'x"<y>&\x01\ufffe\ud800z', "T")
    document = write_opml([feed])
    assert "&amp;b=2" in document
    assert 'title="x&quot;&lt;y&gt;&amp;z"' in document
    # Every byte is well-formed XML that a strict parser accepts.
    assert parse_opml(document.encode("utf-8")).subscriptions[0].title == 'x"<y>&z'


def test_write_opml_top_level_feed_for_empty_topic() -> None:
    feed = Feed(id=1, url="https://a.example/", title="A", topic=Topic(name="", slug=""))
    result = parse_opml(write_opml([feed]).encode())
    assert [(s.url, s.topic) for s in result.subscriptions] == [("https://a.example/", "")]


# --- the module itself ------------------------------------------------------------------


def test_module_cannot_run_anything() -> None:
    source = Path(opml_module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert imported <= {
        "__future__",
        "re",
        "shlex",
        "xml.etree.ElementTree",
        "xml.parsers",
        "collections.abc",
        "dataclasses",
        "datetime",
        "email.utils",
        "pathlib",
        "typing",
        "urllib.parse",
        "tui.core.text.charsets",  # codecs only: which labels name text encodings
        "tui.core.text.hygiene",
        "tui.core.text.urls",  # the schemes a feed may use; idna and tld for other callers
        "tui.core.errors",
        "tui.core.models",
        "tui.core.parse.xml_safety",  # re only: the byte layout of a document
    }
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not names & {"os", "subprocess", "system", "popen", "Popen", "spawnv", "exec", "eval"}


def test_whitespace_before_the_xml_declaration_is_tolerated_and_lines_still_count() -> None:
    good = b"\n\n" + _opml('<outline text="x" xmlUrl="http://x.example/"/>')
    assert len(parse_opml(good).subscriptions) == 1
    bad = b"\n\n" + _opml('<outline text="x" xmlUrl="http://x.example/">')
    # </body> is on line 6 of the document, which is line 8 of the file.
    with pytest.raises(ImportFileError, match=r"mismatched tag at line 8,"):
        parse_opml(bad)
