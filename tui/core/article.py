"""Story bodies as the reader shows them: HTML → a lead and sections, and the read time.

This module owns the *structure* of an article body: its blocks (paragraphs, lists,
quotes, code, images, rules), where its headings split it into sections, the links each
block carries, and how long it takes to read. It is pure and stdlib-only, so the reader
pane and ``newsterm show`` (through :func:`render_text`) get the same plain data.

Feed HTML is hostile and messy. Non-content elements (script, style, iframe, form, svg,
...) are dropped whole; every text node is cleaned with :mod:`tui.core.clean` after its
entities are decoded; ``javascript:``, ``vbscript:`` and ``data:`` links are dropped and
their text kept. Structure is recovered from real-world markup: ``<br><br>`` paragraph
breaks, bare text in ``<div>``, unclosed tags, nested lists, tables, figures, ``<code>``
used without ``<pre>``, and bodies with no markup at all (blank lines part paragraphs).

Decisions worth knowing:

* h1-h4 start sections. h5/h6 are usually minor labels, so they become paragraphs.
* A heading inside a list, quote or ``<pre>`` belongs to that structure: no new section.
* Links inside a heading are dropped, their text kept: :class:`Section` has no place
  for them.
* Structure inside a list item (paragraphs, quotes, tables, images) is flattened into
  the item's text; an image there reads ``[image: alt]`` and its URL joins the list's
  links. Nested items are indented ``"  - sub"`` / ``"  1. sub"`` in the item text.
* A table is one paragraph: a line per row, non-empty cells joined by ``" | "``. Block
  elements inside cells (layout tables) split it into ordinary paragraphs instead.
* Paragraph and quote text may hold ``"\\n"`` (``<br>``); a quote's paragraphs are
  separated by a blank line. Code keeps its lines, tabs expanded to 4 columns.
* An image is its own block (``links[0]`` is ``(alt, src)``; a second pair is the link
  around it); tracking pixels (width or height 0/1) and images with neither a usable
  src nor alt are dropped. A paragraph repeating the image's alt (a figcaption) is too.
* Links to a fragment of the same page (``#fn1``) and links without text are dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from tui.core.article_render import render_text
from tui.core.clean import clean_line, clean_url, strip_controls
from tui.core.htmltext import SKIPPED_ELEMENTS
from tui.core.models import Block, Section

__all__ = ["WORDS_PER_MINUTE", "Article", "parse_article", "read_minutes", "render_text"]

WORDS_PER_MINUTE = 230

# Sentinels in the inline buffer for what tags mean inside running text. Text nodes are
# cleaned before they are buffered, and cleaning removes every C0 control, so these can
# only ever come from tags.
_BR = "\x00"
_CELL = "\x01"
_ROW = "\x02"
_SENTINELS = re.compile("[\x00-\x02]")
_LINE_BREAKS = re.compile("[\x00\x02]")
_WHITESPACE = re.compile(r"\s+")

_VOID = frozenset({"embed"})  # a skipped element with no content and no end tag
_SECTION_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: Tags that end the paragraph being collected (start or end tag alike).
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "aside", "nav", "main", "address",
     "details", "summary", "dl", "dt", "dd", "figure", "figcaption", "center", "caption",
     "fieldset", "hgroup", "h5", "h6", "table", "body", "html"}
)  # fmt: skip
_DROPPED_SCHEME = re.compile(r"(?:javascript|vbscript|data):", re.IGNORECASE)
_HAS_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
# Any block-level tag means the author structured the body; without one, blank lines in
# the text are the only paragraph breaks there are (plain text, or text with <a>/<b>).
_BLOCK_MARKUP = re.compile(
    r"<(?:p|div|br|h[1-6]|ul|ol|li|blockquote|pre|table|tr|hr|section|article)\b", re.I
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_NESTED_MARKER = re.compile(r"^\s+(?:-|\d+\.)\s", re.MULTILINE)
_RULE = Block("rule")

_Heading = tuple[str, int]
_Attrs = list[tuple[str, str | None]]


@dataclass(frozen=True, slots=True)
class Article:
    """A story body: the blocks before the first heading, then one section per heading."""

    lead: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()
    word_count: int = 0

    @property
    def read_minutes(self) -> int:
        """Minutes to read at :data:`WORDS_PER_MINUTE`, never less than one."""
        return read_minutes(self.word_count)

    @property
    def text(self) -> str:
        """All the words, headings included, blocks apart by blank lines: for search and counts."""
        return _text_of(self.lead, self.sections)


def read_minutes(word_count: int) -> int:
    """``ceil(words / 230)``, at least 1: a short story still takes a minute to open and read."""
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))


def parse_article(html: str, *, base_url: str = "") -> Article:
    """Split an HTML (or plain-text) story body into a lead and sections of plain blocks."""
    parser = _ArticleParser(base_url, text_breaks=not _BLOCK_MARKUP.search(html or ""))
    try:
        parser.feed(html or "")
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup
        pass  # keep what was read up to there
    lead: list[Block] = []
    sections: list[tuple[str, int, list[Block]]] = []
    for event in parser.finish():
        if isinstance(event, Block):
            (sections[-1][2] if sections else lead).append(event)
        else:
            sections.append((event[0], event[1], []))
    done = tuple(Section(heading, tuple(blocks), level) for heading, level, blocks in sections)
    return Article(tuple(lead), done, word_count=len(_text_of(lead, done).split()))


def _text_of(lead: Sequence[Block], sections: Sequence[Section]) -> str:
    parts = [_block_text(block) for block in lead]
    for section in sections:
        parts.append(section.heading)
        parts.extend(_block_text(block) for block in section.blocks)
    return "\n\n".join(part for part in parts if part)


def _block_text(block: Block) -> str:
    if block.kind in ("list", "ordered"):
        return _NESTED_MARKER.sub("", "\n".join(block.items))
    if block.kind == "image":
        return "" if block.text == "image" else block.text  # the placeholder is not a word
    return block.text


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


class _ArticleParser(HTMLParser):
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
        self._buf: list[str] = []
        self._links: list[tuple[str, str]] = []  # for the block being collected
        self._href: str | None = None  # the open <a>'s URL, when it has a usable one
        self._href_text: list[str] = []
        self._heading = 0  # level of the open section heading
        self._pre = 0
        self._code = False  # a <code> that may turn out to be a code block
        self._lists: list[_OpenList] = []
        self._list_kind = "list"
        self._items: list[str] = []
        self._quote = 0
        self._quote_paras: list[str] = []
        self._quote_links: list[tuple[str, str]] = []

        # Dispatch tables: one dict lookup per tag instead of a chain of comparisons,
        # since html.parser itself leaves little time to spare on a long article.
        block = self._block_boundary
        self._on_start: dict[str, Callable[[_Attrs], None]] = {
            "a": lambda attrs: self._start_link(dict(attrs).get("href")),
            "img": lambda attrs: self._image(dict(attrs)),
            "br": lambda _: self._line_break(),
            "ul": lambda _: self._start_list(ordered=False),
            "ol": lambda _: self._start_list(ordered=True),
            "li": lambda _: self._start_item(),
            "blockquote": lambda _: self._start_quote(),
            "pre": lambda _: self._start_pre(),
            "code": lambda _: self._start_code(),
            "hr": lambda _: self._rule(),
            "tr": lambda _: self._add(_ROW),
            "td": lambda _: self._add(_CELL),
            "th": lambda _: self._add(_CELL),
            **{tag: lambda _: block() for tag in _BLOCK_TAGS},
            **{tag: self._heading_starter(level) for tag, level in _SECTION_LEVELS.items()},
        }
        self._on_end: dict[str, Callable[[], None]] = {
            "a": self._end_link,
            "ul": self._end_list,
            "ol": self._end_list,
            "li": self._end_item,
            "blockquote": self._end_quote,
            "pre": self._end_pre,
            "code": self._end_code,
            "tr": lambda: self._add(_ROW),
            **{tag: block for tag in _BLOCK_TAGS},
            **{tag: self._end_heading for tag in _HEADINGS},
        }

    # -- html.parser callbacks ---------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip or tag in SKIPPED_ELEMENTS:
            self._skip_start(tag)
        elif handler := self._on_start.get(tag):  # inline tags (span, em ...) have none
            handler(attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._skip or tag in SKIPPED_ELEMENTS:
            self._skip_end(tag)
        elif handler := self._on_end.get(tag):
            handler()

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
        # Entities are already decoded here, so an encoded ESC or U+202E is caught too.
        text = strip_controls(data)
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

    # -- context -----------------------------------------------------------------------

    def _skip_start(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and tag not in _VOID:
            self._skip.append(tag)
        elif tag == "body" and "head" in self._skip:  # <head> left unclosed
            del self._skip[self._skip.index("head") :]

    def _skip_end(self, tag: str) -> None:
        if tag in self._skip:
            # Close up to the matching element: a stray </iframe> inside <noscript> must
            # not end the skipping early.
            del self._skip[len(self._skip) - 1 - self._skip[::-1].index(tag) :]

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
        if not self._links:
            return ()
        links = tuple(dict.fromkeys(self._links))
        self._links.clear()
        return links

    # -- blocks ------------------------------------------------------------------------

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
        previous = self._events[-1] if self._events else None
        if isinstance(previous, Block) and previous.kind == "image" and previous.text == text:
            self._links.clear()  # a figcaption repeating the image's alt
            return
        self._emit(Block("paragraph", text=text, links=self._take_links()))

    def _line_break(self) -> None:
        if self._pre or self._code:
            self._add("\n")
        elif self._lists or self._heading:
            self._add(" ")
        elif self._ends_with_break():
            self._end_paragraph()  # <br><br> is how much of the web spells a paragraph break
        else:
            self._add(_BR)

    def _ends_with_break(self) -> bool:
        """Whether the last buffered text that is not whitespace is a <br>."""
        for part in reversed(self._buf):
            if part.strip():
                return part == _BR
        return False

    def _heading_starter(self, level: int) -> Callable[[_Attrs], None]:
        return lambda _: self._start_heading(level)

    def _start_heading(self, level: int) -> None:
        if self._lists or self._pre or self._quote:
            self._block_boundary()  # part of that structure, not the start of a section
            return
        self._block_boundary()
        self._heading = level

    def _end_heading(self) -> None:
        if not self._heading:
            self._block_boundary()  # an h5/h6 or a stray end tag
            return
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
        self._lists.append(_OpenList(ordered))

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
        if not text:
            return
        if len(self._lists) > 1:
            top = self._lists[-1]
            marker = f"{max(top.count, 1)}." if top.ordered else "-"
            text = f"{'  ' * (len(self._lists) - 1)}{marker} {text}"
        self._items.append(text)

    def _end_list(self) -> None:
        if self._pre:
            return
        if not self._lists:
            self._block_boundary()
            return
        self._end_item()
        self._lists.pop()
        if not self._lists and self._items:
            items, self._items = tuple(self._items), []
            self._emit(Block(self._list_kind, items=items, links=self._take_links()))

    def _start_quote(self) -> None:
        self._block_boundary()
        if not (self._lists or self._pre):
            self._quote += 1

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
            return
        self._block_boundary()
        self._pre += 1

    def _end_pre(self) -> None:
        if not self._pre:
            self._block_boundary()
            return
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
        if self._lists or self._pre:
            return
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
            if src:
                self._links.append((alt, src))
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
        self._href_text = []

    def _end_link(self) -> None:
        if self._href is not None:
            if text := _join_lines(self._href_text, " "):
                self._links.append((text, self._href))
        self._href, self._href_text = None, []
