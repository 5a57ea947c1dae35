"""An article's blocks as styled :class:`~textual.content.Content`, for the reader pane.

The structure comes from :mod:`tui.core.article.sections` (the same data ``newsterm show`` prints);
this module only decides how each block looks. Every piece of feed text enters a
``Content`` as plain text, with styles attached by span, so nothing in a story can be read
as markup. Links are shown footnote style: ``[n]`` after the link's text, and the URLs in
a dim list under the block, so every target is visible and can be copied.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from textual.content import Content

from tui.core import Block

_MARKER_STYLE = "$accent"
_URL_STYLE = "$foreground-muted"


@dataclass(frozen=True, slots=True)
class RenderedBlock:
    """One block ready for a ``Static``: its CSS class and its content."""

    kind: str
    content: Content


def section_heading(text: str) -> Content:
    """A section heading, marked with ``" #"`` in the accent colour, as ``newsterm show``
    marks it."""
    return Content.assemble((text, "bold"), (" #", f"bold {_MARKER_STYLE}"))


def render_block(block: Block, numbers: Iterator[int]) -> RenderedBlock:
    """One block; ``numbers`` counts links through the whole article."""
    if block.kind == "rule":
        return RenderedBlock("rule", Content.styled("─" * 40, _URL_STYLE))
    if block.kind == "image":
        return RenderedBlock("image", _image(block, numbers))
    refs = [(next(numbers), text, url) for text, url in block.links]
    if block.kind in ("list", "ordered"):
        lines = []
        for position, item in enumerate(block.items, 1):
            if item.startswith(" "):  # a nested item already carries its marker
                lines.append(Content("  " + item))
            else:
                bullet = f"{position}. " if block.kind == "ordered" else "• "
                lines.append(Content(bullet + item))
        body = _mark(Content("\n").join(lines), refs)
    else:  # paragraph, quote, code, and any kind a newer core may add
        body = Content(block.text) if block.kind == "code" else _mark(Content(block.text), refs)
    kind = block.kind if block.kind in ("quote", "code", "list", "ordered") else "paragraph"
    return RenderedBlock(kind, body + _references(refs))


def _image(block: Block, numbers: Iterator[int]) -> Content:
    alt = block.text if block.text != "image" else ""
    parts = [Content.styled(f"[image: {alt}]" if alt else "[image]", "italic")]
    for _alt, url in block.links:
        parts.append(Content.assemble(("\n", ""), (f"[{next(numbers)}] {url}", _URL_STYLE)))
    return Content("").join(parts)


def _mark(content: Content, refs: list[tuple[int, str, str]]) -> Content:
    """Insert ``[n]`` after the first appearance of each link's text, in order."""
    text = content.plain
    pieces: list[Content] = []
    position = 0
    for number, link_text, _url in refs:
        found = text.find(link_text, position) if link_text else -1
        if found < 0:
            continue  # the text is not in the block (flattened markup); the list still has it
        end = found + len(link_text)
        pieces.append(content[position:end])
        pieces.append(Content.styled(f"[{number}]", _MARKER_STYLE))
        position = end
    pieces.append(content[position:])
    return Content("").join(pieces)


def _references(refs: list[tuple[int, str, str]]) -> Content:
    if not refs:
        return Content("")
    lines = [Content.styled(f"[{number}] {url}", _URL_STYLE) for number, _text, url in refs]
    return Content("\n") + Content("\n").join(lines)


def numbering() -> Iterator[int]:
    """A fresh link counter for one article."""
    return itertools.count(1)
