"""HTML → plain text, for summaries, search and one-line previews.

A small stdlib parser rather than a dependency: feed HTML is usually a few paragraphs,
and what we need is the words in reading order with block boundaries kept as line
breaks. Scripts, styles and other non-content elements are dropped whole. The result
is cleaned (see :mod:`tui.core.text.hygiene`) after entities are decoded, because ``&#27;``
decodes to an ESC character.
"""

from __future__ import annotations

import re
from html import unescape as unescape_html
from html.parser import HTMLParser

from tui.core.text.hygiene import clean_line, clean_text, has_controls, strip_controls

#: Elements whose content is never text for a reader.
SKIPPED_ELEMENTS = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "head",
        "title",
        "select",
        "button",
        "form",
        "canvas",
        "video",
        "audio",
    }
)
#: Elements that start a new line of text.
BLOCK_ELEMENTS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "nav",
        "main",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "br",
        "figure",
        "figcaption",
        "address",
        "details",
        "summary",
    }
)
_VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


def defuse_html(html: str) -> str:
    """Remove comments and marked sections, and make every ``<`` after the last ``>`` text.

    html.parser (3.11 at least) rescans to the end of the input for each construct left
    unterminated, so ``"<a" * 50_000`` or ``"<!--x>" * 20_000`` took seconds; here each
    closer is searched for once. Past the last ``>`` no tag can end, so nothing is lost.
    """
    parts: list[str] = []
    start = cursor = 0
    found: dict[str, int] = {}  # where each closer was last found; -1: nowhere further

    def find(closer: str, origin: int) -> int:
        at = found.get(closer, 0)
        if at != -1 and at < origin:  # origins only grow, so no stretch is searched twice
            at = found[closer] = html.find(closer, origin)
        return at

    while (at := html.find("<!", cursor)) >= 0:
        if html.startswith("<!--", at):
            closers = ["-->"]
        elif html.startswith("<![CDATA[", at):
            closers = ["]]>", ">"]
        elif html.startswith("<![", at):
            closers = [">"]  # Word's <![if !supportLists]> and <![endif]>
        else:
            cursor = at + 2  # a doctype or bogus comment: html.parser copes
            continue
        parts.append(html[start:at])
        ends = [end + len(closer) for closer in closers if (end := find(closer, at + 2)) >= 0]
        if not ends:
            start = len(html)  # unterminated: it hides the rest, as in browsers
            break
        start = cursor = ends[0]
    parts.append(html[start:])
    html = "".join(parts)
    last = html.rfind(">")
    tail = html[last + 1 :]
    return html[: last + 1] + tail.replace("<", "&lt;") if "<" in tail else html


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS and tag not in _VOID_ELEMENTS:
            self._skip_depth += 1
        elif self._skip_depth == 0:
            if tag in BLOCK_ELEMENTS:
                self.parts.append("\n")
            elif tag == "img":
                alt = dict(attrs).get("alt")
                if alt:
                    self.parts.append(f" {alt} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SKIPPED_ELEMENTS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and tag not in _VOID_ELEMENTS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif self._skip_depth == 0 and tag in BLOCK_ELEMENTS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip_depth == 0:
            self.parts.append(data)


def html_to_text(html: str | None) -> str:
    """The text of an HTML fragment: paragraphs on their own lines, whitespace tidied."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return clean_text(html)
    html = defuse_html(html)
    parts = _simple_text_parts(html)
    if parts is None:
        collector = _TextCollector()
        try:
            collector.feed(html)
            collector.close()
        except (AssertionError, ValueError):  # html.parser gives up on some broken markup
            pass
        parts = collector.parts
    return _join_lines("".join(parts))


def _join_lines(text: str) -> str:
    """Each line of ``text`` as clean_line makes it, the empty ones left out.

    No clean_text after: it would return this as it is, since clean lines hold no control
    characters, no newline and no space at either end, and none of them is empty.
    """
    if not has_controls(text):  # then clean_line only tidies spaces, in every line
        lines = (" ".join(line.split()) for line in text.split("\n"))
    else:
        lines = (clean_line(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# -- the same parts as _TextCollector, for the plainest markup, without html.parser ------

_SPACE = r"[ \t\n\r\f]"  # html.parser's tag-name delimiters; \s would take more
# A start tag (1: name, 2: attributes, 3: "/" if self-closing) or an end tag (4: name)
# that html.parser reads the same way: ASCII names and spaces, attributes separated by
# spaces with quoted values or bare ones of printable ASCII not starting with "=". Bare
# values may hold "/", as in html.parser: ``<a href=x/>`` is not self-closing.
_BARE_VALUE = "[!#-&(-;?-~][!#-&(-;=?-~]*+"
_VALUE = rf"""\"[^\"]*\"|'[^']*'|{_BARE_VALUE}"""
_ATTRIBUTE_NAME = "[a-zA-Z_:][-a-zA-Z0-9_:.]*+"
_SIMPLE_TAG = re.compile(
    rf"<(?:([a-zA-Z][a-zA-Z0-9]*+)"
    rf"((?:{_SPACE}+{_ATTRIBUTE_NAME}(?:{_SPACE}*={_SPACE}*(?:{_VALUE}))?)*+){_SPACE}*+(/?)>"
    rf"|/([a-zA-Z][a-zA-Z0-9]*+){_SPACE}*+>)"
)
_ATTRIBUTES = re.compile(rf"{_SPACE}+({_ATTRIBUTE_NAME})(?:{_SPACE}*={_SPACE}*({_VALUE}))?")
# What follows a "<" that html.parser reads as text: not a tag, comment or declaration.
_NOT_MARKUP = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/!?")


def _simple_text_parts(html: str) -> list[str] | None:
    """What _TextCollector collects from ``html``, or None when it is not plain enough.

    Three to four times faster than html.parser for the usual feed summary (``<p>`` and ``<a>``,
    ``<img alt>``, entities). At the first construct outside that grammar (a comment, a
    skipped element such as ``<script>``, an attribute html.parser reads another way) it
    gives up and the caller uses html.parser, so the result is always html.parser's.
    """
    parts: list[str] = []
    append = parts.append
    start = 0
    end = len(html)
    while (at := html.find("<", start)) >= 0:
        if at > start:
            text = html[start:at]
            append(unescape_html(text) if "&" in text else text)
        tag = _SIMPLE_TAG.match(html, at)
        if tag is None:
            if at + 1 < end and html[at + 1] not in _NOT_MARKUP:
                append("<")  # "a < b": html.parser keeps the "<" as text
                start = at + 1
                continue
            return None
        start = tag.end()
        name = (tag.group(1) or tag.group(4)).lower()
        if name in SKIPPED_ELEMENTS:
            return None
        if name in BLOCK_ELEMENTS:
            append("\n")  # <p>, </p> and <p/> (a start tag only, in _TextCollector) alike
        elif name == "img" and tag.group(2) and "alt" in tag.group(2).lower():
            alt = _image_alt(tag.group(2))
            if alt:
                append(f" {alt} ")
    if start < end:
        text = html[start:]
        append(unescape_html(text) if "&" in text else text)
    return parts


def _image_alt(attributes: str) -> str | None:
    """The last ``alt`` of an ``<img>``, as html.parser gives it (quotes off, unescaped)."""
    alt: str | None = None
    for attribute in _ATTRIBUTES.finditer(attributes):
        if attribute.group(1).lower() == "alt":
            value = attribute.group(2)
            if value is None:
                alt = None
            else:
                if value[0] in "'\"":
                    value = value[1:-1]
                alt = unescape_html(value) if value else value
    return alt


# -- the words of a body, for the search index ----------------------------------------

_SKIPPED_OPENER = re.compile(r"<({})\b".format("|".join(sorted(SKIPPED_ELEMENTS))), re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"</?(?:{})\b[^>]*>".format("|".join(sorted(BLOCK_ELEMENTS | {"td", "th", "img"}))),
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^>]*>")


def _without_skipped_elements(markup: str) -> str:
    """Drop script, style and the like with their content, in one pass over the text.

    Each closer is searched for once from where the last search left off, so a body of
    thousands of unclosed ``<script`` tags costs no more than a normal one.
    """
    lowered = markup.lower()
    parts: list[str] = []
    start = 0
    closers: dict[str, int] = {}  # where each closer was last found; -1: nowhere further
    for opener in _SKIPPED_OPENER.finditer(markup):
        if opener.start() < start:
            continue  # inside an element already dropped
        name = opener.group(1).lower()
        end = closers.get(name, 0)
        if end != -1 and end < opener.end():
            end = closers[name] = lowered.find(f"</{name}", opener.end())
        parts.append(markup[start : opener.start()])
        if end == -1:  # never closed: it hides the rest, as in a browser
            return " ".join(parts)
        close = markup.find(">", end)
        start = len(markup) if close == -1 else close + 1
    parts.append(markup[start:])
    return " ".join(parts)


def search_text(body_html: str) -> str:
    """The words of an HTML body for the search index: a quick strip, not a full parse.

    Only the index reads this, and only its words matter, so tags become spaces instead
    of going through an HTML parser (three times faster over a refresh's bodies).
    """
    if not body_html:
        return ""
    # Block tags part words; inline ones (<b>, <a>) may sit inside a word and must not.
    text = _BLOCK_TAG.sub(" ", _without_skipped_elements(defuse_html(body_html)))
    text = _ANY_TAG.sub("", text)
    # Spaces are left as they come: the tokenizer splits at every run of them, so tidying
    # them (half of this function's time) would change no word. Snippets are tidied where
    # they are shown.
    return strip_controls(unescape_html(text))
