"""Reader mode under hostile pages: charsets that are no text encoding, wide markup, and
mutated real pages. Every case here once raised, hung or leaked a control character.

Pages nested 300,000 deep are measured in a child process
(``tests/integration/test_deep_nesting.py``); discovery reading hostile pages over HTTP is in
``tests/integration/test_discover.py``."""

from __future__ import annotations

import gzip
import html
import re
from collections.abc import Iterable

import pytest

from tests.support.hygiene import BAD_CHARS, BAD_CHARS_OR_TAB, strings
from tests.support.pages import DEFAULT_TITLE, article_page, hostile_page
from tests.support.paths import CORPUS
from tui.core.article.render import render_text
from tui.core.article.sections import parse_article
from tui.core.pages.extract import FAST_FROM_BLOCKS, MAX_TAGS, NO_TEXT, Extracted, extract_article
from tui.core.text.html import html_to_text

URL = "https://news.example.com/2026/11/riverside-tram"
REPRO = CORPUS / "fuzz-repro"

# Codecs Python knows that turn bytes into bytes (or text into other text): no web page is
# written in them, and codecs.lookup() used to hand them to bytes.decode(), which raised.
NOT_TEXT = ["zlib", "base64", "hex", "rot13", "bz2", "uu", "quopri"]
NOT_TEXT += ["unicode_escape", "idna", "punycode"]  # text codecs no web page is written in


def _extracted(page: bytes, content_type: str) -> Extracted:
    result = extract_article(page, URL, {"Content-Type": content_type})
    assert isinstance(result, Extracted), result
    return result


# --- charsets that name no text encoding --------------------------------------------------


@pytest.mark.parametrize("label", NOT_TEXT)
def test_a_header_naming_no_text_encoding_falls_back_to_utf8(label: str) -> None:
    title = "Café owners in Zürich welcome the tram"
    result = _extracted(article_page(title, meta_charset=False), f"text/html; charset={label}")
    assert result.title == title


@pytest.mark.parametrize("label", NOT_TEXT)
def test_a_meta_naming_no_text_encoding_falls_back_to_utf8(label: str) -> None:
    title = "Café owners in Zürich welcome the tram"
    page = article_page(title).replace(b'charset="utf-8"', f'charset="{label}"'.encode())
    assert _extracted(page, "text/html").title == title


@pytest.mark.parametrize("label", NOT_TEXT)
def test_a_bad_label_in_the_header_leaves_the_meta_to_decide(label: str) -> None:
    title = "Café owners in Zürich welcome the tram"
    page = article_page(title, charset="iso-8859-1")
    assert _extracted(page, f"text/html; charset={label}").title == title


@pytest.mark.parametrize(
    "label", ["", "utf-8\x00", "\x1b[31m", "é", "a" * 5000, "utf-7", "x-user-defined"]
)
def test_odd_labels_fall_back_too(label: str) -> None:
    assert _extracted(article_page(), f"text/html; charset={label}").title == DEFAULT_TITLE


@pytest.mark.corpus
def test_the_fuzzers_page_reads_whatever_codec_it_is_labelled_with() -> None:
    repro = REPRO / "extract-exc-a373fec86de4.bin"
    if not repro.exists():
        pytest.skip(f"the shared corpus is not here ({REPRO})")
    body = repro.read_bytes()
    expected = _extracted(body, "text/html")
    for label in NOT_TEXT:
        assert _extracted(body, f"text/html; charset={label}") == expected
        meta = body.replace(b"<head>", f'<head><meta charset="{label}">'.encode(), 1)
        assert _extracted(meta, "text/html") == expected


# --- pages of many short blocks ----------------------------------------------------------------


def test_justext_never_sees_thousands_of_short_paragraphs(monkeypatch: pytest.MonkeyPatch) -> None:
    # jusText (trafilatura's second opinion) looks for each short paragraph's neighbours one
    # by one: 5,900 paragraphs of one word took 3.8 s, 9,000 took 9 s. Such pages are read
    # without it. The spy only counts what the real function is given.
    external = pytest.importorskip("trafilatura.external")
    if not hasattr(external, "revise_paragraph_classification"):
        pytest.skip("trafilatura no longer calls jusText this way")
    seen: list[int] = []
    real = external.revise_paragraph_classification

    def counting(paragraphs: list[object], *args: object) -> object:
        seen.append(len(paragraphs))
        return real(paragraphs, *args)

    monkeypatch.setattr(external, "revise_paragraph_classification", counting)
    for count in (3_000, 9_000):
        page = ("<html><body>" + '<p class="footer">x' * count + "</body></html>").encode()
        extract_article(page, URL, {"Content-Type": "text/html"})
    assert max(seen, default=0) <= 2 * FAST_FROM_BLOCKS + 10, seen
    # The control: a real page still gets jusText's opinion when it needs one.
    extract_article(article_page(sections=[], lead=["Too short."]), URL, {})
    assert seen


def test_only_the_first_tags_of_a_page_are_read() -> None:
    body = b"<p>" + b"<b>x</b>" * MAX_TAGS
    early = article_page().replace(b"<body>", b"<body>" + body)
    late = article_page().replace(b"</body>", body + b"</body>")
    assert _extracted(late, "text/html").title == DEFAULT_TITLE
    assert extract_article(early, URL, {"Content-Type": "text/html"}) == NO_TEXT


# --- mutated real pages ---------------------------------------------------------------------

ESCAPES = [
    b"\x1b[2J\x1b[31m",  # clear the screen, red
    b"\x1b]52;c;Y2xpcGJvYXJk\x07",  # OSC 52: write the clipboard
    b"\x1b]8;;http://evil.example/\x1b\\",  # OSC 8 hyperlink
    b"\xc2\x9b2J",  # CSI in its 8-bit spelling, as UTF-8
    b"&#27;[2J&#x9b;31m&#x1b;]52;c;eA==&#7;",  # the same as character references
    b"&#x202e;\xe2\x80\xae&#x2066;",  # bidi overrides
    b"\x00&#0;\x07\x08\x0b\x0c\r\x7f",
]


def _mutations(page: bytes) -> list[tuple[str, bytes]]:
    middle = len(page) // 2
    escapes = b"".join(ESCAPES)
    return [
        ("truncated", page[: middle + 7]),
        ("escapes in text", page.replace(b"<p>", b"<p>" + escapes)),
        ("escapes in attributes", page.replace(b'href="', b'href="' + escapes[:20])),
        ("escapes in the title", page.replace(b"<title>", b"<title>" + escapes)),
        ("NULs for spaces", page.replace(b" ", b"\x00", 2000)),
        ("latin-1 bytes", page.replace(b"e", b"\xe9", 500)),
        ("utf-16 claimed", page.replace(b"<head>", b'<head><meta charset="utf-16">')),
        ("garbage", page[:middle] + bytes(range(256)) * 4 + page[middle:]),
    ]


BUILT_IN = [("built-in", article_page()), ("hostile", hostile_page())]


def _corpus_pages() -> list[tuple[str, bytes]]:
    pages: list[tuple[str, bytes]] = []
    for name in ("DaringFireball.html", "inessential.html"):
        if (path := CORPUS / "real-world" / name).exists():
            pages.append((name, path.read_bytes()))
    aeb = CORPUS / "peers" / "aeb" / "html"
    for page_id in ("85439e26c41c", "c7e39ac49fa1"):  # Japanese; the BBC
        for path in sorted(aeb.glob(f"{page_id}*.html.gz")):
            pages.append((path.name[:12], gzip.decompress(path.read_bytes())))
    return pages


def _assert_clean(where: str, texts: Iterable[str], bad: re.Pattern[str]) -> None:
    for text in texts:
        found = bad.search(text)
        assert found is None, (where, text[max(0, found.start() - 30) : found.end() + 30])


# The built-in pages always; real ones when the corpus is here, marked so as to be left out
# with the rest of the corpus tests.
PAGES = [
    *(pytest.param(name, page, id=name) for name, page in BUILT_IN),
    *(
        pytest.param(name, page, id=name, marks=pytest.mark.corpus)
        for name, page in _corpus_pages()
    ),
]


@pytest.mark.parametrize(("name", "page"), PAGES)
def test_mutated_pages_give_clean_text_or_a_sentence(name: str, page: bytes) -> None:
    for mutation, body in _mutations(page):
        where = f"{name}, {mutation}"
        result = extract_article(body, URL, {"Content-Type": "text/html"})
        if isinstance(result, str):
            _assert_clean(where, [result], BAD_CHARS)
        else:
            _assert_clean(where, [html.unescape(result.html), result.title], BAD_CHARS)
            _assert_clean(where, strings(parse_article(result.html)), BAD_CHARS_OR_TAB)
        text = body.decode("utf-8", errors="replace")
        article = parse_article(text, base_url=URL)
        _assert_clean(where, strings(article), BAD_CHARS_OR_TAB)
        _assert_clean(where, render_text(article, width=60), BAD_CHARS_OR_TAB)
        _assert_clean(where, [html_to_text(text)], BAD_CHARS)
