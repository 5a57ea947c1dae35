"""HTML re-serialised as feedparser's RelativeURIResolver does it, without sgmllib for plain markup.

feedparser passes every HTML title, summary and body through sgmllib to make relative
URIs absolute, and what comes out is re-serialised: attributes sorted, lower-cased and
double-quoted, void elements closed with " />", unknown entities escaped, cp1252 character
references remapped. ``_plain_html`` produces the same bytes for markup built only from
text, references, comments, start tags with well-formed attributes and end tags; at the
first construct outside that grammar it answers None and feedparser's resolver is used.

Part of the fast reader (:mod:`tui.core.parse.fast.reader`); the equivalence tests compare
:func:`resolve_html` with feedparser's resolver on generated markup. Pure: no I/O, and it
never imports textual or rich.
"""

from __future__ import annotations

import functools
import re
from html.entities import name2codepoint

from feedparser.html import _BaseHTMLProcessor, _cp1252
from feedparser.sgml import sgmllib
from feedparser.urls import (
    RelativeURIResolver,
    resolve_relative_uris as _feedparser_resolve_relative_uris,
)

from tui.core.parse.urls import PLAIN_ABSOLUTE, base_is_valid, safe_absolute_uri

__all__ = ["HTML_TYPES", "XHTML", "resolve_html"]

XHTML = "application/xhtml+xml"
HTML_TYPES = frozenset({"application/xhtml+xml", "text/html"})

_VOID_ELEMENTS = frozenset(_BaseHTMLProcessor.elements_no_end_tag)
_RELATIVE_URIS = frozenset(RelativeURIResolver.relative_uris)
_BARE_AMPERSAND: re.Pattern[str] = _BaseHTMLProcessor.bare_ampersand
_ENTITY_OR_CHARREF: re.Pattern[str] = sgmllib.SGMLParser.entity_or_charref
_NO_END_TAG = "|".join(sorted(_VOID_ELEMENTS))
# A run of markup that comes out of feedparser's resolver as it went in: text, bare
# lower-case tags that are not void, the commonest entity references and character
# references outside cp1252's remapped range (U+0080..U+009F). Copied in one slice.
_UNCHANGED = re.compile(
    r"(?:[^<&]+"
    rf"|</?(?!(?:{_NO_END_TAG})>)[a-z][-_.:a-z0-9]*>"
    r"|&(?:amp|lt|gt|quot|apos|nbsp|[lr][sd]quo|[mn]dash|hellip|copy);"
    r"|&#(?!0*(?:12[89]|1[3-5][0-9]);)[0-9]{1,7};"
    r"|&#x(?!0*[89][0-9a-f];)[0-9a-f]{1,6};)+"
)
# A start tag that comes out as it went in, when the base is valid: a lower-case name that
# is not void and one double-quoted attribute the resolver leaves alone. That is a plain
# absolute URL (resolving gives it back; no "&", which is re-escaped), or text free of
# quotes, "<", ">", "&" and controls in an attribute that holds no URI. rel and type are
# lower-cased, so they are left out. One attribute only: several are sorted on the way out.
# Full-text feeds are mostly <p> and <a href="https://…">: their bodies match in one go.
_LOWERED_OR_URI = "|".join(sorted({"rel", "type"} | {name for _, name in _RELATIVE_URIS}))
_CANONICAL_TAG = (
    rf"<(?!(?:{_NO_END_TAG}) )[a-z][a-z0-9]* (?!(?:rel|type)=)"
    rf'(?:[a-z][-a-z0-9]*="{PLAIN_ABSOLUTE.pattern.replace("&", "")}"'
    rf'|(?!(?:{_LOWERED_OR_URI})=)[a-z][-a-z0-9]*="[^"<>&\x00-\x1f\x7f]*")>'
)
_UNCHANGED_WITH_TAGS = re.compile(f"(?:{_UNCHANGED.pattern[3:-2]}|{_CANONICAL_TAG})+")
_CHARREF: re.Pattern[str] = sgmllib.charref
_ENTITYREF: re.Pattern[str] = sgmllib.entityref
_INCOMPLETE: re.Pattern[str] = sgmllib.incomplete
_DECLARATION = re.compile(r"<!((?!DOCTYPE|--|\[))", re.IGNORECASE)
_SHORT_TAG = re.compile(r"<([^<>\s]+?)\s*/>")
_ATTRIBUTE = (
    r"\s+([a-zA-Z_][-:.a-zA-Z_0-9]*)"
    r"(?:\s*=\s*(\"[^\"<>]*\"|'[^'<>]*'|[-a-zA-Z0-9./,:;+*%?!&$()_#=~@]+))?"
)
_START_TAG = re.compile(rf"<([a-zA-Z][-_.:a-zA-Z0-9]*)((?:{_ATTRIBUTE})*)\s*/?>")
_ATTRIBUTES = re.compile(_ATTRIBUTE)
_END_TAG = re.compile(r"</([a-zA-Z][-_.:a-zA-Z0-9]*)\s*>")
_COMMENT_CLOSE = re.compile(r"--\s*>")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def resolve_html(markup: str, base: str, content_type: str) -> str:
    """feedparser's ``resolve_relative_uris(markup, base, "utf-8", content_type)``."""
    if "<" not in markup and "&" not in markup:
        return markup
    plain = _plain_html(markup, base, content_type == XHTML)
    if plain is not None:
        return plain
    resolved: str = _feedparser_resolve_relative_uris(markup, base, "utf-8", content_type)
    return resolved


@functools.lru_cache(maxsize=64)
def _valid_base(base: str) -> bool:
    return base_is_valid(base)  # every body of a feed has the same base: split it once


def _shorttag_replace(match: re.Match[str]) -> str:
    tag = match.group(1)
    return f"<{tag} />" if tag in _VOID_ELEMENTS else f"<{tag}></{tag}>"


def _plain_html(markup: str, base: str, xhtml: bool) -> str | None:
    # _BaseHTMLProcessor.feed's rewrites, in its order
    if "<!" in markup:
        markup = _DECLARATION.sub(r"&lt;!\1", markup)
    if "/>" in markup:
        markup = _SHORT_TAG.sub(_shorttag_replace, markup)
    if "&#" in markup:
        markup = markup.replace("&#39;", "'").replace("&#34;", '"')
    out: list[str] = []
    append = out.append
    i = 0
    n = len(markup)
    unchanged_run = _UNCHANGED_WITH_TAGS if not base or _valid_base(base) else _UNCHANGED
    while i < n:  # sgmllib.SGMLParser.goahead
        unchanged = unchanged_run.match(markup, i)
        if unchanged is not None:
            append(unchanged.group())
            i = unchanged.end()
            if i == n:
                break
        if markup[i] == "<":
            following = markup[i + 1 : i + 2]
            if following in _ASCII_LETTERS:
                tag = _START_TAG.match(markup, i)
                if tag is None or markup[tag.end(1)] == "/":
                    return None
                append(_start_tag(tag, base, xhtml))
                i = tag.end()
            elif following == "/":
                end = _END_TAG.match(markup, i)
                if end is None:
                    return None
                name = end.group(1).lower()
                if name not in _VOID_ELEMENTS:
                    append(f"</{name}>")
                i = end.end()
            elif markup.startswith("<!--", i):
                close = _COMMENT_CLOSE.search(markup, i + 4)
                if close is None:
                    return None
                append(f"<!--{markup[i + 4 : close.start()]}-->")
                i = close.end()
            elif following in ("?", "!", ">"):
                return None  # processing instruction, declaration, "<>" shorthand
            else:
                append("<")
                i += 1
            continue
        ref = _CHARREF.match(markup, i)
        if ref is not None:
            append(_charref(ref.group(1)))
            i = ref.end()
            continue
        ref = _ENTITYREF.match(markup, i)
        if ref is not None:
            name = ref.group(1)
            append(f"&{name};" if name in name2codepoint or name == "apos" else f"&amp;{name}")
            i = ref.end()
            if markup[i - 1] != ";":
                i -= 1
            continue
        incomplete = _INCOMPLETE.match(markup, i)
        j = incomplete.end() if incomplete else i + 1
        if j == n:
            append(markup[i:])
            break
        append(markup[i:j])
        i = j
    return "".join(out)


def _charref(ref: str) -> str:
    ref = ref.lower()
    value = int(ref[1:], 16) if ref.startswith("x") else int(ref)
    if value in _cp1252:
        return f"&#{hex(ord(_cp1252[value]))[1:]};"
    return f"&#{ref};"


def _convert_ref(match: re.Match[str]) -> str:
    if match.group(2):
        return f"&#{match.group(2)};"
    if match.group(3):
        return f"&{match.group(1)};"
    return f"&{match.group(1)}"


def _start_tag(match: re.Match[str], base: str, xhtml: bool) -> str:
    """RelativeURIResolver.unknown_starttag's output for one matched start tag."""
    tag = match.group(1).lower()
    written = ""
    if match.group(2):
        attrs: dict[str, str] = {}
        for attribute in _ATTRIBUTES.finditer(match.group(2)):
            name, value = attribute.group(1), attribute.group(2)
            if value is None:
                value = name
            else:
                if value[0] in "'\"":
                    value = value[1:-1]
                if "&" in value:
                    value = _ENTITY_OR_CHARREF.sub(_convert_ref, value)
            attrs[name.lower()] = value
        written = "".join(
            _attribute(tag, name, value, base)
            for name, value in (sorted(attrs.items()) if len(attrs) > 1 else attrs.items())
        )
    if tag in _VOID_ELEMENTS:
        return f"<{tag}{written} />"
    if xhtml and match.group(0).endswith("/>"):
        return f"<{tag}{written}></{tag}>"
    return f"<{tag}{written}>"


def _attribute(tag: str, name: str, value: str, base: str) -> str:
    if name in ("rel", "type"):
        value = value.lower() or value
    if (tag, name) in _RELATIVE_URIS:
        value = safe_absolute_uri(base, value.strip()) or value
    if ">" in value or "<" in value or '"' in value:
        value = value.replace(">", "&gt;").replace("<", "&lt;").replace('"', "&quot;")
    if "&" in value:
        value = _BARE_AMPERSAND.sub("&amp;", value)
    return f' {name}="{value}"'
