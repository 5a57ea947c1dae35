"""Reader mode: pages from tests/support/pages.py through trafilatura, out as simple HTML."""

from __future__ import annotations

import codecs
import html
import pickle
import random
import re
import time

import pytest

from tests.support.hygiene import BAD_CHARS
from tests.support.pages import (
    CLUTTER,
    DEFAULT_LEAD,
    DEFAULT_SECTIONS,
    DEFAULT_TITLE,
    HOSTILE_TITLE,
    article_page,
    empty_page,
    hostile_page,
    huge_page,
    nested_page,
    pdf_bytes,
    typical_page,
)
from tui.core.article.sections import Article, parse_article
from tui.core.models import Block
from tui.core.pages.extract import (
    MAX_OUTPUT_CHARS,
    NO_TEXT,
    OUTPUT_TAGS,
    Extracted,
    extract_article,
)
from tui.core.text.hygiene import clean_line

URL = "https://news.example.com/2026/11/riverside-tram"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def extract(page: bytes, headers: dict[str, str] | None = None, url: str = URL) -> Extracted:
    result = extract_article(page, url, HTML if headers is None else headers)
    assert isinstance(result, Extracted), result
    return result


def blocks(article: Article) -> list[Block]:
    return [*article.lead, *(block for section in article.sections for block in section.blocks)]


def links(article: Article) -> list[tuple[str, str]]:
    return [link for block in blocks(article) for link in block.links]


# --- what is kept ---------------------------------------------------------------------


def test_the_sections_survive_in_order_after_the_lead() -> None:
    result = extract(article_page())
    article = parse_article(result.html)
    assert [section.heading for section in article.sections] == [
        heading for heading, _ in DEFAULT_SECTIONS
    ]
    assert all(section.level == 2 for section in article.sections)
    assert [block.text for block in article.lead] == DEFAULT_LEAD
    assert result.words == article.word_count
    assert 250 < result.words < 400


def test_clutter_is_gone() -> None:
    result = extract(article_page())
    text = parse_article(result.html).text
    for word in (*CLUTTER, "Shop now", "reader42", "About us", "Section 3", "Riverside Media"):
        assert word not in result.html
        assert word not in text


def test_the_clutter_words_are_on_the_page() -> None:
    # The test above passes on nothing if the page has none of the clutter.
    page = article_page().decode()
    for word in CLUTTER:
        assert word in page


def test_lists_quotes_and_links_are_kept() -> None:
    article = parse_article(extract(article_page()).html)
    kinds = {block.kind: block for block in blocks(article)}
    assert kinds["list"].items == (
        "Nine stops between the harbour and the campus",
        "Step-free boarding at every platform",
        "Bicycle racks at four of the stops",
    )
    assert kinds["quote"].text.startswith("We held on through the roadworks")
    assert ("operator's website", "https://transit.example.org/riverside") in links(article)


def test_relative_links_are_made_absolute() -> None:
    article = parse_article(extract(article_page()).html)
    audit = ("report by the city auditor", "https://news.example.com/reports/riverside-audit")
    assert audit in links(article)


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("../archive/2025", "https://news.example.com/2026/archive/2025"),
        ("//cdn.example.org/story", "https://cdn.example.org/story"),
        ("http://example.org/plain", "http://example.org/plain"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("mailto:desk@example.com", None),
        ("vbscript:msgbox", None),
    ],
)
def test_links_keep_only_absolute_http_targets(href: str, expected: str | None) -> None:
    paragraph = (
        f'Readers can follow <a href="{html.escape(href)}">the council papers</a> as the '
        "debate continues over the coming weeks."
    )
    sections = [*DEFAULT_SECTIONS, ("Further reading", [paragraph])]
    result = extract(article_page(sections=sections))
    article = parse_article(result.html)
    assert "the council papers" in article.text  # the text stays either way
    found = [url for text, url in links(article) if text == "the council papers"]
    assert found == ([expected] if expected else [])
    assert "javascript" not in result.html.lower()
    assert "data:" not in result.html


def test_links_follow_the_pages_base_href() -> None:
    page = article_page().replace(b"<head>", b'<head><base href="https://static.example.com/b/">')
    audit = ("report by the city auditor", "https://static.example.com/reports/riverside-audit")
    assert audit in links(parse_article(extract(page).html))


def test_the_javascript_link_on_the_page_keeps_its_text() -> None:
    result = extract(article_page())
    assert "javascript" not in result.html
    assert "map of the stops" in parse_article(result.html).text


def test_only_the_simple_tags_come_out() -> None:
    sections = [
        *DEFAULT_SECTIONS,
        (
            "Timetable and data",
            [
                "<ol><li>First tram at 05:10</li><li>Last tram at 00:20</li></ol>",
                "<table><tr><th>Stop</th><th>Minutes</th></tr>"
                "<tr><td>Harbour Street</td><td>0</td></tr>"
                "<tr><td>University</td><td>19</td></tr></table>",
                "<pre>route = load('riverside')\nprint(route.stops)</pre>",
                "<h3>Accessibility</h3><p>Every <b>platform</b> is <em>step-free</em>, "
                '<span style="color:red">the operator</span> says, <u>and</u> lifts '
                "connect the two underground stops with the street above them.</p>",
                '<div class="figure"><img src="/tram.jpg" alt="A tram at the harbour">'
                "<p>The first tram left the depot at ten past five this morning.</p></div>",
            ],
        ),
    ]
    result = extract(article_page(sections=sections))
    tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", result.html))
    assert tags <= OUTPUT_TAGS, tags - OUTPUT_TAGS
    attributes = re.findall(r"<[a-z0-9]+\s+([a-z-]+)=", result.html)
    assert set(attributes) <= {"href"}
    article = parse_article(result.html)
    kinds = [block.kind for block in blocks(article)]
    assert "ordered" in kinds  # trafilatura's own HTML output turns <ol> into <ul>
    assert "code" in kinds
    assert "Harbour Street | 0" in article.text
    assert [(s.heading, s.level) for s in article.sections][-2:] == [
        ("Timetable and data", 2),
        ("Accessibility", 3),
    ]


def test_the_headline_is_not_repeated_as_the_first_heading() -> None:
    result = extract(article_page())
    assert result.title == DEFAULT_TITLE
    assert "<h1" not in result.html
    assert DEFAULT_TITLE not in result.html
    assert parse_article(result.html).lead[0].text == DEFAULT_LEAD[0]


def test_an_h1_that_is_not_the_title_stays_a_heading() -> None:
    page = article_page(og_title="A new era for the Riverside district")
    result = extract(page)
    assert result.title == "A new era for the Riverside district"
    assert f"<h2>{DEFAULT_TITLE}</h2>" in result.html
    assert "<h1" not in result.html


@pytest.mark.parametrize(
    ("og_title", "head_title", "h1", "expected"),
    [
        ("The og title of the story", "Head title", True, "The og title of the story"),
        (None, f"{DEFAULT_TITLE} | The Chronicle", True, DEFAULT_TITLE),
        (None, f"The Chronicle: {DEFAULT_TITLE}", True, DEFAULT_TITLE),
        (None, f"{DEFAULT_TITLE} - The Chronicle", True, DEFAULT_TITLE),
        (None, "Welcome to the Chronicle", True, "Welcome to the Chronicle"),
        (None, f"{DEFAULT_TITLE} | The Chronicle", False, f"{DEFAULT_TITLE} | The Chronicle"),
        (None, "", True, DEFAULT_TITLE),
        (None, "  \n ", True, DEFAULT_TITLE),
        ("", "Head title", True, "Head title"),
        (None, "Line one\n\tline\x1b[31m two", True, "Line one line two"),
    ],
)
def test_the_title_is_the_pages_own_headline(
    og_title: str | None, head_title: str, h1: bool, expected: str
) -> None:
    page = article_page(og_title=og_title, head_title=head_title, h1=h1)
    assert extract(page).title == expected


def test_a_page_without_any_title_has_an_empty_one() -> None:
    assert extract(article_page(head_title="", h1=False)).title == ""


# --- charsets ---------------------------------------------------------------------------

LATIN_TITLE = "Café owners in Zürich welcome the tram"


def test_a_latin1_page_declared_in_the_header() -> None:
    page = article_page(LATIN_TITLE, charset="iso-8859-1", meta_charset=False)
    result = extract(page, {"Content-Type": "text/html; charset=ISO-8859-1"})
    assert result.title == LATIN_TITLE


def test_a_latin1_page_declared_in_a_meta_tag() -> None:
    page = article_page(LATIN_TITLE, charset="iso-8859-1")
    assert extract(page, {"Content-Type": "text/html"}).title == LATIN_TITLE


def test_a_meta_http_equiv_declaration() -> None:
    page = article_page(LATIN_TITLE, charset="iso-8859-1", meta_charset=False)
    page = page.replace(
        b"<head>",
        b'<head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
    )
    assert extract(page, {}).title == LATIN_TITLE


def test_an_undeclared_latin1_page_is_read_as_utf8_with_replacements() -> None:
    # The control for the tests above: without a declaration the bytes are not Latin-1.
    page = article_page(LATIN_TITLE, charset="iso-8859-1", meta_charset=False)
    assert extract(page, {"Content-Type": "text/html"}).title == LATIN_TITLE.replace(
        "é", "\ufffd"
    ).replace("ü", "\ufffd")


def test_the_header_charset_wins_over_the_meta_tag() -> None:
    page = article_page(LATIN_TITLE).replace(b'charset="utf-8"', b'charset="iso-8859-1"')
    assert extract(page, HTML).title == LATIN_TITLE


def test_iso_8859_1_means_windows_1252_as_in_browsers() -> None:
    title = "The council\u2019s plan \u2013 explained"
    page = article_page(title, charset="cp1252").replace(b'"cp1252"', b'"iso-8859-1"')
    assert extract(page, {}).title == title


def test_a_byte_order_mark_wins_over_the_header() -> None:
    utf16 = codecs.BOM_UTF16_LE + article_page(LATIN_TITLE, meta_charset=False).decode().encode(
        "utf-16-le"
    )
    assert extract(utf16, {"Content-Type": "text/html; charset=iso-8859-1"}).title == LATIN_TITLE
    utf8 = codecs.BOM_UTF8 + article_page(LATIN_TITLE, meta_charset=False)
    assert extract(utf8, {"Content-Type": "text/html; charset=iso-8859-1"}).title == LATIN_TITLE


def test_an_unknown_charset_falls_back() -> None:
    page = article_page(LATIN_TITLE)
    assert extract(page, {"Content-Type": "text/html; charset=no-such-thing"}).title == (
        LATIN_TITLE
    )


# --- what is refused --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "what"),
    [
        ("application/pdf", "a PDF file"),
        ("image/png", "an image"),
        ("video/mp4", "a video"),
        ("application/octet-stream", "a file of type application/octet-stream"),
        ("application/rss+xml; charset=utf-8", "a feed"),
    ],
)
def test_other_content_types_are_refused_with_a_sentence(content_type: str, what: str) -> None:
    result = extract_article(article_page(), URL, {"content-type": content_type})
    assert result == (
        f"The story's link is {what}, not a web page; newsterm cannot read it in the terminal."
    )


def test_a_pdf_is_refused_whatever_the_server_calls_it() -> None:
    for headers in ({"Content-Type": "application/pdf"}, HTML, {}):
        result = extract_article(pdf_bytes(), URL, headers)
        assert isinstance(result, str)
        assert result.startswith("The story's link is a PDF file, not a web page")


@pytest.mark.parametrize(
    "content_type", ["text/html", "TEXT/HTML; Charset=UTF-8", "application/xhtml+xml", ""]
)
def test_html_content_types_are_read(content_type: str) -> None:
    assert extract(article_page(), {"Content-Type": content_type}).title == DEFAULT_TITLE


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n",
        empty_page(),
        b"\x00" * 1000,
        b"<html><body><p>Too short to be an article.</p></body></html>",
        b"<html><body>" + b"<div>" * 300 + b"</body></html>",
        random.Random(7).randbytes(200_000),
        b"<<<<>>>><!--<![CDATA[<html<body<p>>" * 2000,
        "<html><body><p>\ud800 lone surrogate</p></body></html>".encode("utf-8", "surrogatepass"),
    ],
)
def test_a_page_without_article_text_gives_a_sentence(body: bytes) -> None:
    result = extract_article(body, URL, HTML)
    assert isinstance(result, str)
    assert result.endswith(".")
    assert "Traceback" not in result


def test_a_short_page_says_there_is_no_article() -> None:
    stub = article_page(sections=[], lead=["Subscribe to read the rest of this story."])
    assert extract_article(stub, URL, HTML) == NO_TEXT


# --- hostile pages --------------------------------------------------------------------


def test_escape_sequences_do_not_survive() -> None:
    result = extract(hostile_page())
    for text in (result.html, html.unescape(result.html), result.title):
        assert not BAD_CHARS.search(text), repr(text)
        assert "\x1b" not in text
        assert "\x07" not in text
    text = parse_article(result.html).text
    assert not BAD_CHARS.search(text)
    assert "[31m" not in result.title  # the whole sequence goes, not just the ESC
    assert "[2J" not in text
    assert "Y2xpcGJvYXJk" not in text  # the OSC 52 payload
    assert "evil.example" not in text


def test_the_hostile_title_is_cleaned_to_one_line() -> None:
    assert extract(hostile_page()).title == clean_line(HOSTILE_TITLE)
    assert clean_line(HOSTILE_TITLE) == "Council RED vote [@click=app.quit]x[/] enil result"


def test_markup_like_text_is_kept_literally() -> None:
    text = parse_article(extract(hostile_page()).html).text
    assert "The vote passed [@click=app.quit]x[/] with a narrow margin" in text
    assert "[bold red]said[/]" in text
    assert "What the council decided" in text


def test_scripts_and_styles_do_not_leak() -> None:
    result = extract(hostile_page())
    assert "SCRIPT-TEXT" not in result.html
    assert "STYLE-TEXT" not in result.html
    assert "document.write" not in result.html
    assert "The final count was nine votes to seven" in parse_article(result.html).text


def test_page_text_is_escaped_not_markup() -> None:
    paragraph = (
        "Campaigners held signs reading &lt;b&gt;NO&lt;/b&gt; and &lt;script&gt;alert(1)"
        "&lt;/script&gt; outside the hall while councillors debated the plan for hours."
    )
    result = extract(article_page(sections=[*DEFAULT_SECTIONS, ("Protest", [paragraph])]))
    assert "<script>" not in result.html
    assert "&lt;b&gt;NO&lt;/b&gt;" in result.html
    assert "signs reading <b>NO</b> and <script>alert(1)</script>" in (
        parse_article(result.html).text
    )


# --- size and time ----------------------------------------------------------------------


def test_a_huge_page_costs_bounded_time() -> None:
    started = time.perf_counter()
    result = extract(huge_page(5))
    assert time.perf_counter() - started < 15  # about 1.2 s here: only 3 MB are read
    assert [s.heading for s in parse_article(result.html).sections][:1] == [DEFAULT_SECTIONS[0][0]]


def test_a_deeply_nested_page_returns() -> None:
    for depth in (5_000, 100_000):
        started = time.perf_counter()
        result = extract_article(nested_page(depth), URL, HTML)
        assert isinstance(result, Extracted | str)
        assert time.perf_counter() - started < 10


def test_a_moderately_nested_page_is_read() -> None:
    result = extract(nested_page(100))
    assert [s.heading for s in parse_article(result.html).sections] == [
        heading for heading, _ in DEFAULT_SECTIONS
    ]


def test_a_book_length_article_is_cut_at_a_block() -> None:
    def paragraph(n: int, part: str) -> str:
        return (
            f"In session {n} the committee heard {part} from residents, engineers and shop "
            f"owners about the works on street number {n * 7}, and asked the operator for a "
            f"written reply by day {n % 28 + 1}."
        )

    sections = [
        (
            f"Session {n}",
            [paragraph(n, "evidence"), f"<blockquote>{paragraph(n, 'pleas')}</blockquote>"],
        )
        for n in range(2500)
    ]
    result = extract(article_page(sections=sections))
    assert MAX_OUTPUT_CHARS < len(result.html) < MAX_OUTPUT_CHARS + 1000
    assert result.html.count("<blockquote>") == result.html.count("</blockquote>")
    assert result.html.endswith(("</p>", "</blockquote>"))


def test_a_typical_page_is_quick() -> None:
    page = typical_page(60)
    extract(page)  # imports
    started = time.perf_counter()
    for _ in range(10):
        result = extract(page)
    assert (time.perf_counter() - started) / 10 < 0.25  # about 4 ms here
    assert result.words > 500


def test_the_result_crosses_process_boundaries() -> None:
    result = extract(article_page())
    assert pickle.loads(pickle.dumps(result)) == result
