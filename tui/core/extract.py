"""Reader mode: a web page's main text, as simple HTML the article parser reads.

A story's feed often carries a summary only; reader mode fetches the story's page and
keeps its article: headings, paragraphs, lists, quotes, code, tables and links, without
the navigation, ads, comment threads and footers around it. trafilatura finds the
article; this module decodes the page, hands trafilatura a clean tree, and writes what it
found back out with a short list of tags (:data:`OUTPUT_TAGS`) that
:func:`tui.core.article.parse_article` turns into sections.

It runs in a worker process: :func:`extract_article` takes and returns plain data, and
trafilatura (0.1 s of imports: lxml, jusText, htmldate, courlan) is imported on first
call, not with this module. Every failure is a sentence for the user, never an
exception: pages are hostile, broken, huge, or not pages at all.

Decisions worth knowing:

* The charset comes from a byte-order mark, else the Content-Type header, else a
  ``<meta>`` in the first 4 KB, else UTF-8; undecodable bytes become U+FFFD. ISO-8859-1
  and ASCII are read as windows-1252, as browsers do.
* Control characters are removed from the parsed tree before trafilatura sees it: one
  ``&#27;`` in a page made trafilatura 2.3 discard the whole page (lxml refuses to set
  text with controls, and trafilatura treats that ValueError as "no content").
* Only the first :data:`MAX_CHARS` characters of a page are read, which bounds the time
  a huge page costs; articles come first in real pages. Past :data:`FAST_FROM`
  characters trafilatura runs without its fallback extractors, and past
  :data:`MAX_OUTPUT_CHARS` of output the article is cut at a block. lxml stops reading
  elements nested deeper than 255 levels: an article inside them is not found.
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

import codecs
import contextlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from tui.core.article import parse_article
from tui.core.clean import clean_line, strip_controls
from tui.core.verify import titles_match

__all__ = [
    "FAST_FROM",
    "MAX_CHARS",
    "MAX_OUTPUT_CHARS",
    "MIN_WORDS",
    "OUTPUT_TAGS",
    "Extracted",
    "extract_article",
]

#: The most of a page (in characters, after decoding) that is read.
MAX_CHARS = 3_000_000
#: Pages longer than this (in characters) are extracted without trafilatura's fallbacks.
FAST_FROM = 1_000_000
#: The most article markup kept: a book-length page is cut at a block boundary.
MAX_OUTPUT_CHARS = 500_000
#: Fewer words than this after extraction is not an article (a cookie wall, a stub).
MIN_WORDS = 40
#: Every tag :attr:`Extracted.html` may hold.
OUTPUT_TAGS = frozenset(
    {"h2", "h3", "h4", "p", "ul", "ol", "li", "blockquote", "pre", "a", "b", "i", "em", "strong"}
    | {"br"}
)

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
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (b"\xfe\xff", "utf-16"))
# What "ISO-8859-1" and "ASCII" mean on the web (WHATWG Encoding). (And a <meta> that
# says UTF-16 is wrong: its page was readable as ASCII. _decode reads it as UTF-8.)
_WEB_CHARSETS = {"latin_1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}
_HAS_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BLANK = re.compile(r"\s+")
_SEPARATORS = frozenset("|-–—:·•»/")
# Deeper than this, trafilatura's output is flattened to text: no real article nests so.
_MAX_DEPTH = 40


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
    text = _decode(body[: MAX_CHARS * 4], content_type)[:MAX_CHARS]
    if not text.strip():
        return NO_TEXT
    try:
        return _extract(text, url)
    except Exception:  # lxml and trafilatura on hostile input: ValueError, RecursionError ...
        return UNREADABLE


def _extract(text: str, url: str) -> Extracted | str:
    import trafilatura

    tree = trafilatura.load_html(strip_controls(text))
    if tree is None:
        return UNREADABLE
    _strip_tree_controls(tree)
    _absolute_links(tree, url)
    title = _page_title(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url or None,
        # A big page skips the second opinions (readability, jusText): they double its time.
        fast=len(text) > FAST_FROM,
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
    markup = _Writer(url, title).write(body)
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


def _decode(body: bytes, content_type: str) -> str:
    """Text of the page, in its charset (BOM, header, meta: the HTML standard's order)."""
    encoding = next((name for bom, name in _BOMS if body.startswith(bom)), None)
    if encoding is None and (declared := _HEADER_CHARSET.search(content_type)):
        encoding = _codec(declared.group(1))
    if encoding is None and (meta := _META_CHARSET.search(body[:4096])):
        encoding = _codec(meta.group(1).decode("ascii"))
        if encoding is not None and encoding.startswith("utf-16"):
            encoding = "utf-8"
    return body.decode(encoding or "utf-8", errors="replace")


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _WEB_CHARSETS.get(name, name)


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
        candidate = _join(url, str(element.get("href")))
        if urlsplit(candidate).scheme in ("http", "https"):
            base = candidate
    if not base:
        return
    for element in tree.iter("a"):
        if href := element.get("href"):
            element.set("href", _join(base, str(href)))


def _join(base: str, href: str) -> str:
    """``urljoin``, with whitespace and controls gone; "" for a URL it cannot read."""
    href = _BLANK.sub("", strip_controls(href))
    try:
        return urljoin(base, href) if base else href
    except ValueError:  # a malformed IPv6 host or port
        return ""


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


class _Full(Exception):
    """The writer has written MAX_OUTPUT_CHARS: the rest of the article is left out."""


class _Writer:
    """trafilatura's XML body → HTML with only :data:`OUTPUT_TAGS`, every text escaped."""

    def __init__(self, url: str, title: str) -> None:
        self.url = url
        self.title = title
        self.out: list[str] = []
        self.size = 0
        self.seen_block = False  # whether a block has been written (for the leading h1)

    def write(self, body: Any) -> str:
        # Blocks are written whole, and a quote's tags once its content is: a cut at
        # MAX_OUTPUT_CHARS leaves no tag open.
        with contextlib.suppress(_Full):
            self._blocks(body, 0)
        return "".join(self.out)

    # Block context: the body, a quote, a cell-less container. Loose text and inline
    # elements between blocks are gathered into a paragraph.
    def _blocks(self, parent: Any, depth: int) -> None:
        run: list[str] = []
        if parent.text:
            run.append(_escape(parent.text))
        for child in parent:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in ("p", "head", "list", "quote", "table", "code", "div", "graphic") or (
                tag == "lb" and parent.tag != "p"
            ):
                self._paragraph(run)
                self._block(child, tag, depth + 1)
            else:
                run.append(self._inline(child, depth + 1))
            if child.tail:
                run.append(_escape(child.tail))
        self._paragraph(run)

    def _paragraph(self, run: list[str]) -> None:
        text = "".join(run).strip()
        run.clear()
        if _has_text(text):
            self._emit(f"<p>{text}</p>")

    def _emit(self, markup: str) -> None:
        if self.size > MAX_OUTPUT_CHARS:
            raise _Full
        self.out.append(markup)
        self.size += len(markup)
        self.seen_block = True

    def _block(self, element: Any, tag: str, depth: int) -> None:
        if depth > _MAX_DEPTH:
            self._emit(f"<p>{_escape(_text_of(element))}</p>")
        elif tag == "p":
            self._paragraph([self._inner(element, depth)])
        elif tag == "head":
            self._heading(element)
        elif tag == "list":
            self._list(element, depth)
        elif tag == "quote":
            start = len(self.out)
            self._blocks(element, depth)
            if len(self.out) > start:
                self.out.insert(start, "<blockquote>")
                self.out.append("</blockquote>")
                self.size += len("<blockquote></blockquote>")
        elif tag == "code":
            code = strip_controls("".join(element.itertext())).strip("\n")
            if code.strip():
                self._emit(f"<pre>{html.escape(code, quote=False)}</pre>")
        elif tag == "table":
            self._table(element)
        elif tag == "div":
            self._blocks(element, depth)
        # graphic (an image) and lb between blocks write nothing

    def _heading(self, element: Any) -> None:
        text = _escape(_text_of(element))
        rend = str(element.get("rend", "h3"))
        level = int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 3
        if not _has_text(text):
            return
        if level == 1 and not self.seen_block and titles_match(self.title, _text_of(element)):
            self.seen_block = True  # the page's headline: the reader shows the title already
            return
        if level >= 5:
            self._emit(f"<p><b>{text}</b></p>")
        else:
            tag = f"h{max(2, level)}"
            self._emit(f"<{tag}>{text}</{tag}>")

    def _list(self, element: Any, depth: int) -> None:
        tag = "ol" if element.get("rend") == "ol" else "ul"
        items: list[str] = []
        for child in element:
            if child.tag != "item":
                continue
            inner = self._item(child, depth + 1)
            if _has_text(inner):
                items.append(f"<li>{inner}</li>")
        if items:
            self._emit(f"<{tag}>{''.join(items)}</{tag}>")

    def _item(self, item: Any, depth: int) -> str:
        """A list item's inline text, its nested lists kept as lists."""
        parts = [_escape(item.text or "")]
        for child in item:
            if child.tag == "list" and depth < _MAX_DEPTH:
                start = len(self.out)
                self._list(child, depth + 1)
                parts.extend(self.out[start:])
                del self.out[start:]
            elif child.tag in ("p", "head"):
                parts.append(" " + self._inner(child, depth + 1) + " ")
            elif child.tag in ("quote", "code", "table", "div"):
                parts.append(" " + _escape(_text_of(child)) + " ")
            else:
                parts.append(self._inline(child, depth + 1))
            parts.append(_escape(child.tail or ""))
        return "".join(parts).strip()

    def _table(self, element: Any) -> None:
        rows = []
        for row in element.iter("row"):
            cells = [_escape(_text_of(cell)) for cell in row.iter("cell")]
            line = " | ".join(cell for cell in cells if cell)
            if line:
                rows.append(line)
        if rows:
            self._emit(f"<p>{'<br>'.join(rows)}</p>")

    def _inner(self, element: Any, depth: int) -> str:
        """An element's content in inline context: its text and its children inline."""
        parts = [_escape(element.text or "")]
        for child in element:
            parts.append(self._inline(child, depth + 1))
            parts.append(_escape(child.tail or ""))
        return "".join(parts)

    def _inline(self, element: Any, depth: int) -> str:
        """One inline element (its tail not included) as whitelisted markup."""
        tag = element.tag if isinstance(element.tag, str) else ""
        if depth > _MAX_DEPTH:
            return _escape(_text_of(element))
        if tag == "lb":
            return "<br>"
        inner = self._inner(element, depth)
        if tag == "hi":
            name = {"#b": "b", "#i": "i"}.get(str(element.get("rend", "")))
            return f"<{name}>{inner}</{name}>" if name and inner.strip() else inner
        if tag == "ref":
            href = self._href(str(element.get("target", "")))
            return f'<a href="{html.escape(href)}">{inner}</a>' if href and inner.strip() else inner
        return inner  # del, code in a sentence, anything else: its text

    def _href(self, target: str) -> str:
        """The absolute http(s) URL a link points to, or "" to keep its text only."""
        absolute = _join(self.url, target)
        try:
            parts = urlsplit(absolute)
            return absolute if parts.scheme in ("http", "https") and parts.hostname else ""
        except ValueError:
            return ""


def _escape(text: str) -> str:
    return html.escape(strip_controls(text), quote=False)


def _text_of(element: Any) -> str:
    return _BLANK.sub(" ", strip_controls("".join(element.itertext()))).strip()


def _has_text(markup: str) -> bool:
    return bool(re.sub(r"<[^>]*>|\s+", "", markup))
