"""The HTML parser behind :func:`~tui.core.article.sections.parse_article`: tags → blocks.

Split from ``article.py`` to keep each file readable; the decisions it implements are
listed in that module's docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from tui.core.models import Block
from tui.core.text.html import SKIPPED_ELEMENTS
from tui.core.text.hygiene import clean_line, clean_url, strip_controls

# Sentinels in the inline buffer for what tags mean inside running text. Text nodes are
# cleaned before they are buffered, and cleaning removes every C0 control, so these can
# only ever come from tags.
_BR = "\x00"
_CELL = "\x01"
_ROW = "\x02"
_SENTINELS = re.compile("[\x00-\x02]")
_LINE_BREAKS = re.compile("[\x00\x02]")
_WHITESPACE = re.compile(r"\s+")

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: Tags that end the paragraph being collected (start or end tag alike).
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "aside", "nav", "main", "address",
     "details", "summary", "dl", "dt", "dd", "figure", "figcaption", "center", "caption",
     "fieldset", "hgroup", "h5", "h6", "table", "body", "html"}
)  # fmt: skip
#: Every tag with a meaning here; the rest are inline and only their text counts.
_STRUCTURE = _BLOCK_TAGS | _HEADINGS | {"a", "img", "br", "ul", "ol", "li", "blockquote", "pre"}
_STRUCTURE |= {"code", "hr", "tr", "td", "th"}
_DROPPED_SCHEME = re.compile(r"(?:javascript|vbscript|data):", re.IGNORECASE)
_HAS_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
# Any block-level tag means the author structured the body; without one, blank lines in
# the text are the only paragraph breaks there are (plain text, or text with <a>/<b>).
BLOCK_MARKUP = re.compile(
    r"<(?:p|div|br|h[1-6]|ul|ol|li|blockquote|pre|table|tr|hr|section|article)\b", re.I
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
NESTED_MARKER = re.compile(r"^\s+(?:-|\d+\.)\s", re.MULTILINE)
_RULE = Block("rule")
_MAX_INDENT = 8
# Open skipped elements and lists kept track of; deeper ones are only counted, so that a
# page nesting 300,000 of them costs neither memory nor a scan of the stack per tag.
_MAX_OPEN = 64

_Heading = tuple[str, int]


def _join_lines(parts: list[str], separator: str) -> str:
    """Buffered inline text → lines (``<br>``, table rows) joined by ``separator``.

    The parts were cleaned as text nodes already; what is left is collapsing whitespace.
    """
    text = "".join(parts)
    if not _SENTINELS.search(text):  # the common case: one plain paragraph
        return _WHITESPACE.sub(" ", text).strip()
    lines = []
    for line in _LINE_BREAKS.split(text):
        cells = (_WHITESPACE.sub(" ", cell).strip() for cell in line.split(_CELL))
        if joined := " | ".join(cell for cell in cells if cell):
            lines.append(joined)
    return separator.join(lines)


@dataclass(slots=True)
class _OpenList:
    ordered: bool
    count: int = 0


class ArticleParser(HTMLParser):
    """Collects blocks and headings, in order, as html.parser walks the markup.

    Inline text gathers in ``_buf`` until a block boundary says what it was: a paragraph,
    a quote's paragraph, a list item, a heading or code, depending on the open context.
    """

    def __init__(self, base_url: str, *, text_breaks: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._base = clean_url(base_url)
        self._text_breaks = text_breaks
        self._events: list[Block | _Heading] = []
        self._skip: list[str] = []  # open skipped elements, innermost last
        self._skip_deeper = 0  # skipped elements opened past _MAX_OPEN
        self._buf: list[str] = []
        self._links: list[tuple[str, str]] = []  # for the block being collected
        self._href: str | None = None  # the open <a>'s URL, when it has a usable one
        self._href_text: list[str] = []
        self._heading = 0  # level of the open section heading
        self._pre = 0
        self._code = False  # a <code> that may turn out to be a code block
        self._caption = False  # in a <figcaption>
        self._lists: list[_OpenList] = []
        self._lists_deeper = 0  # lists opened past _MAX_OPEN: read as part of the deepest
        self._list_kind = "list"
        self._items: list[str] = []
        self._quote = 0
        self._quote_paras: list[str] = []
        self._quote_links: list[tuple[str, str]] = []

    # -- html.parser callbacks ---------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip or tag in SKIPPED_ELEMENTS:
            if tag in SKIPPED_ELEMENTS and tag != "embed":  # embed is void: no end tag
                if len(self._skip) < _MAX_OPEN:
                    self._skip.append(tag)
                else:
                    self._skip_deeper += 1
            elif tag == "body" and "head" in self._skip:  # <head> left unclosed
                del self._skip[self._skip.index("head") :]
                self._skip_deeper = 0
        elif tag not in _STRUCTURE:
            return  # inline formatting (span, em, b ...): only its text matters
        elif tag in _BLOCK_TAGS:
            self._block_boundary()
            self._caption = self._caption or tag == "figcaption"
        elif tag == "a":
            self._start_link(dict(attrs).get("href"))
        elif tag == "img":
            self._image(dict(attrs))
        elif tag == "br":
            self._line_break()
        elif tag in ("ul", "ol"):
            self._start_list(ordered=tag == "ol")
        elif tag == "li":
            self._start_item()
        elif tag == "blockquote":
            self._block_boundary()
            if not (self._lists or self._pre):
                self._quote += 1
        elif tag == "pre":
            self._start_pre()
        elif tag == "code":
            self._start_code()
        elif tag == "hr":
            self._rule()
        elif tag in ("tr", "td", "th"):
            self._add(_ROW if tag == "tr" else _CELL)
        else:  # h1-h4
            self._start_heading(int(tag[1]))

    def handle_endtag(self, tag: str) -> None:
        if self._skip or tag in SKIPPED_ELEMENTS:
            if self._skip_deeper and tag in SKIPPED_ELEMENTS:
                self._skip_deeper -= 1
            elif tag in self._skip:  # close up to the match: a stray </iframe> in <noscript>
                del self._skip[len(self._skip) - 1 - self._skip[::-1].index(tag) :]
        elif tag not in _STRUCTURE:
            return
        elif tag == "a":
            self._end_link()
        elif tag in _HEADINGS and self._heading:
            self._end_heading()  # any heading end tag closes the open heading, as browsers do
        elif tag in ("ul", "ol"):
            self._end_list()
        elif tag == "li":
            self._end_item()
        elif tag == "blockquote":
            self._end_quote()
        elif tag == "pre":
            self._end_pre()
        elif tag == "code":
            self._end_code()
        elif tag == "tr":
            self._add(_ROW)
        elif tag in _BLOCK_TAGS or tag in _HEADINGS:
            self._block_boundary()
            self._caption = self._caption and tag != "figcaption"

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        raw = bool(self._pre) or self._code
        if not (raw or self._text_breaks) and data.isspace():
            # It collapses to one space, or to nothing at the start of a block (the common
            # case: the newlines between block tags); no control character gets through.
            if self._buf:
                self._add(" ")
            return
        text = strip_controls(data)  # entities are decoded by now: &#x202e; is caught too
        if raw or not self._text_breaks or self._lists or self._heading:
            self._add(text)
            return
        for index, part in enumerate(_BLANK_LINE.split(text)):
            if index:
                self._end_paragraph()
            self._add(part)

    def finish(self) -> list[Block | _Heading]:
        """Close whatever the markup left open and return the blocks and headings."""
        self._end_link()
        if self._pre:
            self._pre = 0
            self._emit_code()
        self._end_code()
        if self._heading:
            self._end_heading()
        while self._lists:
            self._end_list()
        self._end_paragraph()
        self._emit_quote()
        return self._events

    # -- inline text and blocks --------------------------------------------------------

    def _add(self, text: str) -> None:
        self._buf.append(text)
        if self._href is not None:
            self._href_text.append(text)

    def _block_boundary(self) -> None:
        """A block-level tag: whatever inline text was being collected is complete."""
        if self._pre:
            return
        self._code = False  # a block inside <code> means it was inline code after all
        if self._heading:
            self._end_heading()
        elif self._lists:
            self._add(" ")  # flattened into the list item
        else:
            self._end_paragraph()

    def _emit(self, event: Block | _Heading) -> None:
        self._emit_quote()  # a quote interrupted by a list, image or code ends here
        self._events.append(event)

    def _take_links(self) -> tuple[tuple[str, str], ...]:
        links = tuple(dict.fromkeys(self._links)) if self._links else ()
        self._links.clear()
        return links

    def _end_paragraph(self) -> None:
        if not self._buf:
            return
        text = _join_lines(self._buf, "\n")
        self._buf.clear()
        if not text.strip("\u200b\u200c\u200d"):
            return  # links stay pending for the next block: their text started earlier
        if self._quote:
            self._quote_paras.append(text)
            self._quote_links.extend(self._take_links())
            return
        previous = self._events[-1] if self._events and self._caption else None
        if isinstance(previous, Block) and previous.kind == "image" and previous.text == text:
            self._links.clear()  # a figcaption repeating the image's alt
            return
        self._emit(Block("paragraph", text=text, links=self._take_links()))

    def _line_break(self) -> None:
        if self._pre or self._code:
            self._add("\n")
        elif self._lists or self._heading:
            self._add(" ")
        elif next((part for part in reversed(self._buf) if part.strip()), "") == _BR:
            self._end_paragraph()  # <br><br> is how much of the web spells a paragraph break
        else:
            self._add(_BR)

    def _start_heading(self, level: int) -> None:
        self._block_boundary()
        if not (self._lists or self._pre or self._quote):  # else it is part of that structure
            self._heading = level

    def _end_heading(self) -> None:
        text = _join_lines(self._buf, " ")
        level, self._heading = self._heading, 0
        self._buf.clear()
        self._links.clear()  # Section has no place for a heading's links
        if text:  # an empty heading is no section
            self._emit((text, level))

    def _start_list(self, *, ordered: bool) -> None:
        if self._pre:
            return
        if self._lists:
            self._end_item()  # the parent item's own text comes before its sub-list
        else:
            self._block_boundary()
            self._list_kind = "ordered" if ordered else "list"
        if len(self._lists) < _MAX_OPEN:
            self._lists.append(_OpenList(ordered))
        else:
            self._lists_deeper += 1

    def _start_item(self) -> None:
        if self._pre:
            return
        if not self._lists:
            self._start_list(ordered=False)  # a stray <li> still reads as a list
        self._end_item()
        self._lists[-1].count += 1

    def _end_item(self) -> None:
        if not (self._lists and self._buf):
            return
        text = _join_lines(self._buf, " ")
        self._buf.clear()
        if text and len(self._lists) > 1:
            top = self._lists[-1]
            marker = f"{max(top.count, 1)}." if top.ordered else "-"
            indent = "  " * min(len(self._lists) - 1, _MAX_INDENT)  # hostile nesting: bounded
            text = f"{indent}{marker} {text}"
        if text:
            self._items.append(text)

    def _end_list(self) -> None:
        if not self._lists:
            self._block_boundary()
            return
        self._end_item()
        if self._lists_deeper:
            self._lists_deeper -= 1
            return
        self._lists.pop()
        if not self._lists and self._items:
            items, self._items = tuple(self._items), []
            self._emit(Block(self._list_kind, items=items, links=self._take_links()))

    def _end_quote(self) -> None:
        self._block_boundary()
        if self._quote and not (self._lists or self._pre):
            self._quote -= 1
            if not self._quote:
                self._emit_quote()

    def _emit_quote(self) -> None:
        if self._quote_paras:
            links = tuple(dict.fromkeys(self._quote_links))
            self._events.append(Block("quote", "\n\n".join(self._quote_paras), links=links))
            self._quote_paras, self._quote_links = [], []

    def _start_pre(self) -> None:
        if self._lists:
            self._add(" ")  # flattened into the list item
        else:
            self._block_boundary()
            self._pre += 1

    def _end_pre(self) -> None:
        if not self._pre:
            self._block_boundary()
        else:
            self._pre -= 1
            if not self._pre:
                self._emit_code()

    def _start_code(self) -> None:
        # Some feeds put code blocks in a bare <code>. One that opens a block is kept raw
        # until </code> shows whether it has several lines (a block) or one (inline code).
        if not (self._pre or self._code or self._lists or self._heading):
            self._code = not any(part.strip() for part in self._buf)

    def _end_code(self) -> None:
        if self._code:
            self._code = False
            if "\n" in "".join(self._buf).strip():
                self._emit_code()

    def _emit_code(self) -> None:
        raw = "".join(self._buf).replace(_BR, "\n").replace(_ROW, "\n").replace(_CELL, " ")
        self._buf.clear()
        text = "\n".join(line.expandtabs(4).rstrip() for line in raw.split("\n")).strip("\n")
        links = self._take_links()
        if text:
            self._emit(Block("code", text=text, links=links))

    def _rule(self) -> None:
        if not (self._lists or self._pre):
            self._block_boundary()
            self._emit_quote()
            if not self._events or self._events[-1] != _RULE:
                self._events.append(_RULE)

    def _image(self, attrs: dict[str, str | None]) -> None:
        if self._heading or self._pre:
            return  # decorative in a heading; nothing a reader could see in code
        if attrs.get("width") in ("0", "1") or attrs.get("height") in ("0", "1"):
            return  # a tracking pixel
        alt = clean_line(attrs.get("alt"))
        # Lazy-loading pages put a placeholder (often data:) in src and the image elsewhere.
        src = self._resolve(attrs.get("src")) or self._resolve(attrs.get("data-src"))
        if not (src or alt):
            return
        if self._lists:
            self._add(f"[image: {alt}]" if alt else "[image]")
            self._links.extend([(alt, src)] if src else [])
            return
        self._block_boundary()
        links = [(alt, src)] if src else []
        if src and self._href and not "".join(self._href_text).strip():
            links.append((alt, self._href))  # a linked image: the link is the image's
        self._emit(Block("image", text=alt or "image", links=tuple(links)))

    # -- links -------------------------------------------------------------------------

    def _resolve(self, raw: str | None) -> str:
        """An absolute URL for an href or src, or "" when it is unusable or dropped."""
        url = clean_url(raw)
        if not url or url.startswith("#") or _DROPPED_SCHEME.match(url):
            return ""
        if not self._base or _HAS_SCHEME.match(url):
            return url  # already absolute, or nothing to resolve against (urljoin is slow)
        try:
            url = urljoin(self._base, url)
        except ValueError:  # e.g. a malformed IPv6 host
            return ""
        return "" if _DROPPED_SCHEME.match(url) else url

    def _start_link(self, href: str | None) -> None:
        self._end_link()  # <a> does not nest: a new one closes the last
        self._href = self._resolve(href) or None

    def _end_link(self) -> None:
        if self._href is not None and (text := _join_lines(self._href_text, " ")):
            self._links.append((text, self._href))
        self._href, self._href_text = None, []
