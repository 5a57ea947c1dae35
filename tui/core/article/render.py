"""An :class:`~tui.core.article.sections.Article` as plain-text lines, for ``newsterm show``.

The layout follows the reader pane (docs/design.md): blocks apart by a blank line,
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
    from tui.core.article.sections import Article

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
            # A section's first text sits right under its heading: the heading introduces it.
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
    """Put ``[n]`` after each link's text, searching forward: links come in reading order.

    The markers are put in once all are found: inserting each into its text as it was
    found rebuilt the text once a link, which a paragraph of 40,000 links made take seconds.
    """
    marks: list[list[tuple[int, str]]] = [[] for _ in texts]
    at, pos = 0, 0
    for number, label, _url in refs:
        if not label:
            continue
        for index in range(at, len(texts)):
            start = pos if index == at else 0
            end = _find_label(texts[index], label, start, after_mark=bool(marks[index]))
            if end >= 0:
                marks[index].append((end, f"[{number}]"))
                at, pos = index, end
                break
    return [_insert(text, marked) for text, marked in zip(texts, marks, strict=True)]


def _find_label(text: str, label: str, start: int, *, after_mark: bool) -> int:
    """Where ``label`` ends as whole words in ``text`` from ``start`` (past an image's "]"),
    or -1. A marker put in at ``start`` counts as a word boundary (``after_mark``)."""
    found = text.find(label, start)
    while found >= 0:
        end = found + len(label)
        before = found == 0 or (found == start and after_mark) or not _is_word(text[found - 1])
        if before and (end == len(text) or not _is_word(text[end])):
            if text.startswith("]", end) and text.endswith("[image: ", 0, found):
                end += 1  # after "[image: alt]", not inside it
            return end
        found = text.find(label, found + 1)
    return -1


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches in a pattern


def _insert(text: str, marks: list[tuple[int, str]]) -> str:
    if not marks:
        return text
    pieces: list[str] = []
    last = 0
    for end, marker in marks:
        pieces += (text[last:end], marker)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


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
