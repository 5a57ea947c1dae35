"""An :class:`~tui.core.article.Article` as plain-text lines, for ``newsterm show``.

The layout follows the reader pane (see the design notes): blocks apart by a blank line,
each section heading marked with a trailing ``" #"`` and followed directly by its text.
Lists read ``"  • item"`` or ``"  1. item"``, quotes ``"  │ text"``, code is indented four
spaces and never wrapped, images read ``"[image: alt] <url>"``.

Links are numbered through the whole article, lynx-style: ``[n]`` follows the link's
text where it can be found, and ``"  [n] url"`` lines follow the block. Reference lines
are never wrapped and long words are never broken, so every URL stays whole and can be
copied; a line is wider than ``width`` only when a single word is.

The output is deterministic: the same article and width always give the same lines.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tui.core.models import Block

if TYPE_CHECKING:
    from tui.core.article import Article

_MIN_WIDTH = 20  # narrower than this, wrapping stops being useful
_RULE_WIDTH = 40
_NESTED_ITEM = re.compile(r"^( +)(-|\d+\.) (.*)$", re.DOTALL)


def render_text(article: Article, *, width: int = 80) -> list[str]:
    """The article as lines of at most ``width`` columns (bar single over-long words)."""
    width = max(width, _MIN_WIDTH)
    numbers = itertools.count(1)
    chunks = [_render_block(block, width, numbers) for block in article.lead]
    for section in article.sections:
        heading = _wrap(f"{section.heading} #", width)
        if section.blocks:
            # The design sets a section's first text right under its heading.
            first, *rest = (_render_block(block, width, numbers) for block in section.blocks)
            chunks.append(heading + first)
            chunks.extend(rest)
        else:
            chunks.append(heading)
    lines: list[str] = []
    for chunk in chunks:
        if chunk:
            if lines:
                lines.append("")
            lines.extend(chunk)
    return lines


def _render_block(block: Block, width: int, numbers: Iterator[int]) -> list[str]:
    if block.kind == "rule":
        return ["─" * min(width, _RULE_WIDTH)]
    if block.kind == "image":
        return _render_image(block, width, numbers)
    refs = [(next(numbers), text, url) for text, url in block.links]
    if block.kind == "code":  # markers would change the code; references still follow
        lines = ["    " + line if line else "" for line in block.text.split("\n")]
    elif block.kind in ("list", "ordered"):
        lines = _render_items(_mark(list(block.items), refs), block.kind == "ordered", width)
    elif block.kind == "quote":
        lines = []
        for line in _mark(block.text.split("\n"), refs):
            lines.extend(_wrap(line, width, "  │ ") if line else ["  │"])
    else:  # paragraph, and any kind a newer parser might add
        lines = []
        for line in _mark(block.text.split("\n"), refs):
            lines.extend(_wrap(line, width))
    return lines + _references(refs)


def _render_image(block: Block, width: int, numbers: Iterator[int]) -> list[str]:
    if block.links:
        alt, src = block.links[0]
        extra = block.links[1:]
    else:
        alt, src, extra = ("" if block.text == "image" else block.text), "", ()
    label = f"[image: {alt}]" if alt else "[image]"
    lines = _wrap(f"{label} <{src}>" if src else label, width)
    return lines + _references([(next(numbers), text, url) for text, url in extra])


def _render_items(items: list[str], ordered: bool, width: int) -> list[str]:
    lines: list[str] = []
    number = 0
    for item in items:
        if nested := _NESTED_ITEM.match(item):  # "  - sub": the parser's own indentation
            indent, marker, text = nested.groups()
            prefix = f"  {indent}{marker} "
        else:
            number += 1
            prefix, text = (f"  {number}. " if ordered else "  • "), item
        lines.extend(_wrap(text, width, prefix, " " * len(prefix)))
    return lines


def _mark(texts: list[str], refs: list[tuple[int, str, str]]) -> list[str]:
    """Put ``[n]`` after each link's text, searching forward: links come in reading order."""
    texts = list(texts)
    at, pos = 0, 0
    for number, label, _url in refs:
        if not label:
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(label)}(?!\w)")
        for index in range(at, len(texts)):
            text = texts[index]
            if found := pattern.search(text, pos if index == at else 0):
                end = found.end()
                if text.startswith("]", end) and text.endswith("[image: ", 0, found.start()):
                    end += 1  # after "[image: alt]", not inside it
                marker = f"[{number}]"
                texts[index] = text[:end] + marker + text[end:]
                at, pos = index, end + len(marker)
                break
    return texts


def _references(refs: list[tuple[int, str, str]]) -> list[str]:
    return [f"  [{number}] {url}" for number, _text, url in refs]


def _wrap(text: str, width: int, first: str = "", rest: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width,
        initial_indent=first,
        subsequent_indent=first if rest is None else rest,
        break_long_words=False,  # a long word is usually a URL: keep it whole
        break_on_hyphens=False,
    )
