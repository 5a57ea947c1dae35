"""Reader mode: a web page's main text, as simple HTML the article parser reads.

A story's feed often carries a summary only; reader mode fetches the story's page and
keeps its article: headings, paragraphs, lists, quotes, code, tables and links, without
the navigation, ads, comment threads and footers around it. trafilatura finds the
article; this module decodes the page, hands trafilatura a clean tree, and writes what it
found back out with a short list of tags (:data:`OUTPUT_TAGS`) that
:func:`tui.core.article.sections.parse_article` turns into sections.

It runs in a worker process: :func:`extract_article` takes and returns plain data, and
trafilatura (0.1 s of imports: lxml, jusText, htmldate, courlan) is imported on first
call, not with this module. Every failure is a sentence for the user, never an
exception: pages are hostile, broken, huge, or not pages at all.

Decisions worth knowing:

* The charset comes from a byte-order mark, else the Content-Type header, else a
  ``<meta>`` in the first 4 KB, else UTF-8 (:func:`tui.core.text.charsets.decode_page`);
  a label naming no text encoding (``zlib``, ``base64``) counts as no label.
* Control characters are removed from the parsed tree before trafilatura sees it: one
  ``&#27;`` in a page made trafilatura 2.3 discard the whole page (lxml refuses to set
  text with controls, and trafilatura treats that ValueError as "no content").
* Only the first :data:`MAX_CHARS` characters of a page are read, and of those only
  what comes before the :data:`MAX_TAGS`-th ``<``: articles come first in real pages, and
  this bounds the time and memory a page costs. trafilatura's cost grows faster than its
  element count (100,000 empty ``<a>`` took 4 s and 110 MB, 300,000 took 6 s and 250 MB;
  50,000 take 1 s and 40 MB) where the largest of 60 real news pages has 3,000 tags.
  Past :data:`FAST_FROM` characters, :data:`FAST_FROM_TAGS` tags or
  :data:`FAST_FROM_BLOCKS` block elements trafilatura runs without its fallback
  extractors (readability, jusText), and past :data:`MAX_OUTPUT_CHARS` of output the
  article is cut at a block. lxml stops reading elements nested deeper than 255 levels:
  an article inside them is not found.
* The title is the page's own: ``og:title``, else ``<title>``, else the first ``<h1>``;
  a ``<title>`` that is the ``<h1>`` plus a site name ("Headline | Site") gives the
  ``<h1>``. A leading body ``<h1>`` that matches it is dropped, as the reader shows the title
  already; other ``<h1>`` become ``<h2>``, ``<h5>``/``<h6>`` bold paragraphs.
* Tables become one paragraph each, a line per row and cells joined by ``" | "`` (what
  the article parser makes of a table too). Images are left out.
* Links keep only absolute http(s) targets, resolved against the page's URL (or its
  ``<base href>``) before trafilatura sees them, which would resolve ``../x`` against the
  site's root; other links (``javascript:``, ``data:``, ``mailto:``) keep their text only.

Measured on this machine (trafilatura 2.3.1, lxml 6.1, Python 3.11), in one process: a
60 KB news page (``tests/pages.typical_page``: 560 words, the rest scripts and page
furniture) takes about 4 ms, a 4 KB one 2 ms; a 1 MB page of article-like filler
0.4 s; a 3 MB page 1.2 s, and so does anything bigger, as only 3 MB are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tui.core.article.sections import parse_article
from tui.core.pages.writer import MAX_OUTPUT_CHARS, OUTPUT_TAGS, ArticleWriter, join_url
from tui.core.text.charsets import decode_page
from tui.core.text.hygiene import clean_line, strip_controls
from tui.core.text.urls import OPENABLE_SCHEMES

__all__ = [
    "FAST_FROM",
    "FAST_FROM_BLOCKS",
    "FAST_FROM_TAGS",
    "MAX_CHARS",
    "MAX_OUTPUT_CHARS",
    "MAX_TAGS",
    "MIN_WORDS",
    "OUTPUT_TAGS",
    "Extracted",
    "extract_article",
]

#: The most of a page (in characters, after decoding) that is read.
MAX_CHARS = 3_000_000
#: The most tags (``<`` characters, in truth) read of a page: the rest is left out.
MAX_TAGS = 50_000
#: Pages longer than this (in characters) are extracted without trafilatura's fallbacks.
FAST_FROM = 1_000_000
#: ... and so are pages with more tags than this (jusText took 2 s over 20,000 cells),
FAST_FROM_TAGS = 10_000
#: ... or more block elements: jusText's time grows with the square of a run of short
#: paragraphs (5,900 ``<p>`` of a word took 3.8 s). Real pages have under 1,000.
FAST_FROM_BLOCKS = 2_000
# The elements jusText starts a paragraph at (justext.core.PARAGRAPH_TAGS, less body).
_BLOCKS = (
    *("blockquote", "caption", "center", "col", "colgroup", "dd", "div", "dl", "dt"),
    *("fieldset", "form", "legend", "optgroup", "option", "p", "pre", "table", "td"),
    *("textarea", "tfoot", "th", "thead", "tr", "ul", "li", "h1", "h2", "h3", "h4", "h5", "h6"),
)
#: Fewer words than this after extraction is not an article (a cookie wall, a stub); CJK
#: characters count as readers read them (:func:`tui.core.text.words.word_count`).
MIN_WORDS = 40

NO_TEXT = "The page had no article text newsterm could find."
UNREADABLE = "The page could not be read as a web page."

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
_TYPE_NAMES = {
    "application/pdf": "a PDF file",
    "application/json": "JSON data",
    "application/zip": "a ZIP archive",
    "application/rss+xml": "a feed",
    "application/atom+xml": "a feed",
    "application/feed+json": "a feed",
    "text/plain": "a plain text file",
}
_TYPE_FAMILIES = {"image": "an image", "video": "a video", "audio": "an audio file"}
_HAS_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BLANK = re.compile(r"\s+")
_SEPARATORS = frozenset("|-–—:·•»/")


@dataclass(frozen=True, slots=True)
class Extracted:
    """A page's article: simple HTML (tags in :data:`OUTPUT_TAGS`), its title and size."""

    html: str
    title: str
    words: int


def extract_article(body: bytes, url: str, headers: Mapping[str, str]) -> Extracted | str:
    """Extracted article, or one plain sentence for the user saying why not."""
    content_type = _header(headers, "content-type")
    mime = content_type.partition(";")[0].strip().lower()
    if body[:1024].lstrip().startswith(b"%PDF-"):
        mime = "application/pdf"  # servers label PDFs text/html or octet-stream too
    if mime not in _HTML_TYPES:
        return _not_a_page(mime)
    text = _first_tags(decode_page(body[: MAX_CHARS * 4], content_type)[:MAX_CHARS], MAX_TAGS)
    if not text.strip():
        return NO_TEXT
    # A big page skips the second opinions (readability, jusText): they double its time.
    fast = len(text) > FAST_FROM or text.count("<") > FAST_FROM_TAGS
    try:
        return _extract(text, url, fast=fast)
    except ImportError:
        raise  # a broken install is not the page's fault: say so loudly
    except Exception:  # lxml and trafilatura on hostile input: ValueError, RecursionError ...
        return UNREADABLE


def _extract(text: str, url: str, *, fast: bool) -> Extracted | str:
    import trafilatura

    tree = trafilatura.load_html(strip_controls(text))
    if tree is None:
        return UNREADABLE
    _strip_tree_controls(tree)
    _absolute_links(tree, url)
    title = _page_title(tree)
    fast = fast or sum(1 for _ in tree.iter(*_BLOCKS)) > FAST_FROM_BLOCKS
    document = trafilatura.bare_extraction(
        tree,
        url=url or None,
        fast=fast,
        output_format="xml",  # the tree only: "python" also renders a text we don't use
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_formatting=True,
        include_links=True,
        with_metadata=False,  # the title is read above; dates and authors are not needed
    )
    body = getattr(document, "body", None)
    if body is None:
        return NO_TEXT
    markup = ArticleWriter(url, title).write(body)
    words = parse_article(markup).word_count
    if words < MIN_WORDS:
        return NO_TEXT
    return Extracted(html=markup, title=title, words=words)


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:  # a plain dict with other capitals
        value = next((v for k, v in headers.items() if k.lower() == name), "")
    return str(value)


def _not_a_page(mime: str) -> str:
    what = _TYPE_NAMES.get(mime) or _TYPE_FAMILIES.get(mime.partition("/")[0])
    if what is None:
        what = f"a file of type {clean_line(mime)[:60]}"
    return f"The story's link is {what}, not a web page; newsterm cannot read it in the terminal."


def _first_tags(text: str, limit: int) -> str:
    """``text`` up to its ``limit``-th ``<``: no more elements than that can be parsed."""
    if text.count("<") <= limit:
        return text
    at = -1
    for _ in range(limit):
        at = text.find("<", at + 1)
    return text[:at]


def _strip_tree_controls(tree: Any) -> None:
    """Remove control characters from every text and attribute, in place (see docstring)."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions are not read
        if element.text and _HAS_CONTROLS.search(element.text):
            element.text = strip_controls(element.text)
        if element.tail and _HAS_CONTROLS.search(element.tail):
            element.tail = strip_controls(element.tail)
        for key, value in element.attrib.items():
            if _HAS_CONTROLS.search(value):
                element.set(key, strip_controls(value))


def _absolute_links(tree: Any, url: str) -> None:
    """Resolve every link against the page's URL (or its ``<base href>``), in place.

    trafilatura resolves links against the site's root rather than the page, so
    ``../x`` on ``/a/b/page`` became ``/x``; done here first, its links are all absolute.
    """
    base = url
    for element in tree.xpath("//base[@href]")[:1]:
        candidate = join_url(url, str(element.get("href")))
        if urlsplit(candidate).scheme in OPENABLE_SCHEMES:
            base = candidate
    if not base:
        return
    for element in tree.iter("a"):
        if href := element.get("href"):
            element.set("href", join_url(base, str(href)))


def _page_title(tree: Any) -> str:
    """og:title, else <title> (less a site name around the <h1>), else the first <h1>."""
    og_titles = tree.xpath("//meta[@property='og:title' or @name='og:title']/@content")
    if og_title := _first_line(str(value) for value in og_titles):
        return og_title
    h1 = _first_line(element.text_content() for element in tree.iter("h1"))
    title = _first_line(element.text_content() for element in tree.xpath("//head/title"))
    if title and h1 and len(h1) < len(title):
        # "Headline | Site Name", "Site: Headline": the headline is the page's own title.
        if title.startswith(h1) and title[len(h1) :].lstrip()[:1] in _SEPARATORS:
            return h1
        if title.endswith(h1) and title[: -len(h1)].rstrip()[-1:] in _SEPARATORS:
            return h1
    return title or h1


def _first_line(values: Iterable[str]) -> str:
    """The first value that is not blank, cleaned to one line of at most 500 characters."""
    for value in values:
        if line := clean_line(value)[:500]:
            return line
    return ""
