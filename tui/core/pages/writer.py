"""trafilatura's article tree written out as the simple HTML reader mode stores.

Only :data:`OUTPUT_TAGS` are written and every text is escaped, so what the article parser
later reads holds no markup the page chose. Kept apart from :mod:`tui.core.pages.extract`, which
decodes the page and runs trafilatura.
"""

from __future__ import annotations

import contextlib
import html
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from tui.core.pages.verify import titles_match
from tui.core.text.hygiene import strip_controls
from tui.core.text.urls import OPENABLE_SCHEMES

#: The most article markup kept: a book-length page is cut at a block boundary.
MAX_OUTPUT_CHARS = 500_000
#: Every tag :attr:`~tui.core.pages.extract.Extracted.html` may hold.
OUTPUT_TAGS = frozenset(
    {"h2", "h3", "h4", "p", "ul", "ol", "li", "blockquote", "pre", "a", "b", "i", "em", "strong"}
    | {"br"}
)
_BLANK = re.compile(r"\s+")
# Deeper than this, trafilatura's output is flattened to text: no real article nests so.
_MAX_DEPTH = 40


def join_url(base: str, href: str) -> str:
    """``urljoin``, with whitespace and controls gone; "" for a URL it cannot read."""
    href = _BLANK.sub("", strip_controls(href))
    try:
        return urljoin(base, href) if base else href
    except ValueError:  # a malformed IPv6 host or port
        return ""


class _Full(Exception):
    """The writer has written MAX_OUTPUT_CHARS: the rest of the article is left out."""


class ArticleWriter:
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
        absolute = join_url(self.url, target)
        try:
            parts = urlsplit(absolute)
            return absolute if parts.scheme in OPENABLE_SCHEMES and parts.hostname else ""
        except ValueError:
            return ""


def _escape(text: str) -> str:
    return html.escape(strip_controls(text), quote=False)


def _text_of(element: Any) -> str:
    return _BLANK.sub(" ", strip_controls("".join(element.itertext()))).strip()


def _has_text(markup: str) -> bool:
    return bool(re.sub(r"<[^>]*>|\s+", "", markup))
