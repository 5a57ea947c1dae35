"""Story bodies as the reader shows them: HTML → a lead and sections, and the read time.

This module owns the structure of an article body: its blocks (paragraphs, lists, quotes,
code, images, rules), where headings split it into sections, the links each block
carries and how long it takes to read. Pure and stdlib-only, so the reader pane and
``newsterm show`` (through :func:`render_text`) get the same plain data.

Feed HTML is hostile and messy. Non-content elements (script, style, iframe, form, svg
...) are dropped whole; every text node is cleaned with :mod:`tui.core.text.hygiene` after its
entities are decoded; ``javascript:``, ``vbscript:`` and ``data:`` links are dropped,
their text kept. Decisions worth knowing:

* h1-h4 start sections; h5/h6 are minor labels and become paragraphs. A heading inside
  a list, quote or ``<pre>`` belongs there and starts no section. Headings lose their
  links (:class:`Section` has no place for them) and empty ones are skipped.
* Structure inside a list item is flattened into its text (an image reads
  ``[image: alt]``, its URL among the list's links); nested items read ``"  - sub"``.
* A table is a paragraph with a line per row, non-empty cells joined by ``" | "``; block
  elements in cells (layout tables) split it into ordinary paragraphs instead.
* In paragraph and quote text a ``<br>`` is a newline; ``<br><br>`` parts paragraphs,
  and so do blank lines in a body without block markup (plain text). A quote's
  paragraphs are apart by a blank line. Code keeps its lines, tabs expanded to 4.
* An image is a block: ``links[0]`` is ``(alt, src)``, a second pair the link around it.
  Tracking pixels (width or height 0/1), images with no usable src or alt, and a
  figcaption repeating the alt are dropped.
* Links without text or to a ``#fragment`` of the page are dropped; comments are too,
  and an unterminated one hides the rest of the body, as it does in a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui.core.article.parser import BLOCK_MARKUP, NESTED_MARKER, ArticleParser
from tui.core.models import Block, Section
from tui.core.text.html import defuse_html
from tui.core.text.words import WORDS_PER_MINUTE, read_minutes, word_count as count_words

__all__ = ["WORDS_PER_MINUTE", "Article", "parse_article", "read_minutes"]


@dataclass(frozen=True, slots=True)
class Article:
    """A story body: the blocks before the first heading, then one section per heading."""

    lead: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()
    #: Words, CJK characters counted as readers read them (:func:`tui.core.text.words.word_count`).
    word_count: int = 0

    @property
    def read_minutes(self) -> int:
        """Minutes to read at :data:`WORDS_PER_MINUTE` (CJK at 500 characters), at least one."""
        return read_minutes(self.word_count)

    @property
    def text(self) -> str:
        """All the words, headings included, blocks apart by blank lines: for search and counts."""
        return _text_of(self.lead, self.sections)


def parse_article(html: str, *, base_url: str = "") -> Article:
    """Split an HTML (or plain-text) story body into a lead and sections of plain blocks."""
    html = defuse_html(html or "")
    parser = ArticleParser(base_url, text_breaks=not BLOCK_MARKUP.search(html))
    try:
        parser.feed(html)
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
    return Article(tuple(lead), done, word_count=count_words(_text_of(lead, done)))


def _text_of(lead: Sequence[Block], sections: Sequence[Section]) -> str:
    parts = [_block_text(block) for block in lead]
    for section in sections:
        parts.append(section.heading)
        parts.extend(_block_text(block) for block in section.blocks)
    return "\n\n".join(part for part in parts if part)


def _block_text(block: Block) -> str:
    if block.kind in ("list", "ordered"):
        return NESTED_MARKER.sub("", "\n".join(block.items))
    if block.kind == "image":
        return "" if block.text == "image" else block.text  # the placeholder is not a word
    return block.text
