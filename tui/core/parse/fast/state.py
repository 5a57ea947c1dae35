"""The fast reader's state and feedparser's mixin machinery: the stack, storage and context.

This module owns what :mod:`tui.core.parse.fast.reader`'s reader keeps while it reads: the
element stack with ``push``/``pop`` (and all that ``pop`` does to a value: base64,
relative URIs, HTML re-serialisation, the mojibake and cp1252 repairs), the content
parameters, and where each value is filed — the feed, the current entry, its image,
text input or source — with feedparser's author, contributor and tag rules.

Method names, state and order of operations follow feedparser 6.0's ``_FeedParserMixin``
so that the two can be read side by side. What it leaves out never reaches the result:
xml:lang, the sanitizer (off in parse/feed.py), microformats, and values nobody reads. The
element handlers build on it in :mod:`tui.core.parse.fast.handlers` and
:mod:`tui.core.parse.fast.namespaces`. Pure: no I/O, and it never imports textual or rich.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from collections.abc import Callable
from typing import Any

from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin

from tui.core.parse.fast.html import HTML_TYPES, XHTML, resolve_html
from tui.core.parse.urls import join_uri

__all__ = ["MATCH_NAMESPACES", "FeedDict", "ReaderState", "UnsupportedError"]

#: A feedparser-shaped dict: the feed, an entry, an element's attributes.
FeedDict = dict[str, Any]
MATCH_NAMESPACES: dict[str, str] = {
    uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()
}
_CAN_BE_RELATIVE_URI = frozenset(_FeedParserMixin.can_be_relative_uri)
_CAN_CONTAIN_RELATIVE_URIS = frozenset(_FeedParserMixin.can_contain_relative_uris)
_AMP_REF = re.compile("&([A-Za-z0-9_]+);")
_C1_CHARACTERS = re.compile("[\x80-\x9f]")  # all that feedparser's _cp1252 table maps
_EMAIL = re.compile(
    r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"""
)
_map_content_type: Callable[[str], str] = _FeedParserMixin.map_content_type
_looks_like_html: Callable[[str], bool] = _FeedParserMixin.looks_like_html


class UnsupportedError(Exception):
    """The document needs something only feedparser does: the fast path gives up."""


class ReaderState:
    """feedparser's ``_FeedParserMixin`` state and bookkeeping, as the fast reader needs it."""

    def __init__(self, url: str) -> None:
        self.feeddata: FeedDict = {}
        self.entries: list[FeedDict] = []
        self.version = ""
        self.namespaces_in_use: dict[str, str] = {}
        self.namespacemap: dict[str | None, str] = {}
        self.infeed = self.inentry = self.incontent = self.intextinput = self.inimage = 0
        self.inauthor = self.incontributor = self.inpublisher = self.insource = 0
        self.guidislink = 0
        self.sourcedata: FeedDict = {}
        self.contentparams: FeedDict = {}
        self.summary_key: str | None = None
        self.elementstack: list[list[Any]] = []
        self.basestack: list[str] = []
        self.title_depth = -1
        self.depth = 0
        self.has_content = 0
        self.entry_depths: dict[str, int] = {}  # feedparser's property_depth_map[entry]
        self.baseuri = url  # feedparser's Content-Location; see api.parse
        self.in_xhtml = False  # contentparams["type"] == "application/xhtml+xml"
        # a <link> whose attribute is not http(s), whose text may be: (context, link, alternate)
        self.text_link: tuple[FeedDict, FeedDict | None, bool] | None = None

    # --- feedparser's mixin: stack, storage, context --------------------------------------

    def track_namespace(self, prefix: str | None, uri: str) -> None:
        loweruri = uri.lower()
        if not self.version:
            if (prefix, loweruri) == (None, "http://my.netscape.com/rdf/simple/0.9/"):
                self.version = "rss090"
            elif loweruri == "http://purl.org/rss/1.0/":
                self.version = "rss10"
            elif loweruri == "http://www.w3.org/2005/atom":
                self.version = "atom10"
        if "backend.userland.com/rss" in loweruri:
            uri = loweruri = "http://backend.userland.com/rss"
        if loweruri in MATCH_NAMESPACES:
            self.namespacemap[prefix] = MATCH_NAMESPACES[loweruri]
            self.namespaces_in_use[MATCH_NAMESPACES[loweruri]] = uri
        else:
            self.namespaces_in_use[prefix or ""] = uri

    def resolve_uri(self, uri: str) -> str:
        return join_uri(self.baseuri or "", uri)

    def push(self, element: str, expecting_text: int) -> None:
        self.elementstack.append([element, expecting_text, []])

    def pop(self, element: str, strip_whitespace: int = 1) -> str | None:
        stack = self.elementstack
        if not stack or stack[-1][0] != element:
            return None
        element, expecting_text, pieces = stack.pop()
        if self.in_xhtml and self.version == "atom10":
            pieces = _unwrap_xhtml_div(pieces)
        output: str = "".join(pieces)
        if strip_whitespace:
            output = output.strip()
        if not expecting_text:
            return output

        params = self.contentparams
        if params and params.get("base64", 0):
            with contextlib.suppress(binascii.Error, binascii.Incomplete, UnicodeDecodeError):
                output = base64.decodebytes(output.encode("utf8")).decode("utf8")

        # resolve relative URIs, but not guids with isPermalink="false"
        if output and element in _CAN_BE_RELATIVE_URI and (element != "id" or self.guidislink):
            output = self.resolve_uri(output)

        if params:
            content_type = params.get("type", "text/html")
            if (
                content_type == "text/plain"
                and not self.version.startswith("atom")
                and _looks_like_html(output)
            ):
                params["type"] = content_type = "text/html"
            params.pop("base64", None)  # and "mode", which push_content never sets
        else:
            content_type = "text/html"
        # (contentparams types are already mapped: map_content_type would change nothing)
        if content_type in HTML_TYPES and element in _CAN_CONTAIN_RELATIVE_URIS:
            output = resolve_html(output, self.baseuri, content_type)

        if not output.isascii():
            # feedparser undoes UTF-8 read as Latin-1, and maps C1 controls to cp1252.
            with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
                output = output.encode("iso-8859-1").decode("utf-8")
            if _C1_CHARACTERS.search(output):  # translate costs ~40 ns a character
                output = output.translate(_cp1252)

        if element in ("category", "tags", "itunes_keywords"):
            return output
        if element == "title" and -1 < self.title_depth <= self.depth:
            return output

        if self.inentry and not self.insource:
            entry = self.entries[-1]
            if element == "content":
                entry.setdefault(element, []).append({**self.contentparams, "value": output})
            elif element == "link":
                if not self.inimage:
                    if "&" in output:
                        output = _AMP_REF.sub(r"&\g<1>", output.replace("&amp;", "&"))
                    entry[element] = output
                    if output:
                        entry["links"][-1]["href"] = output
            else:
                if element == "description":
                    element = "summary"
                depths = self.entry_depths
                old_value_depth = depths.get(element)
                if old_value_depth is None or self.depth <= old_value_depth:
                    depths[element] = self.depth
                    entry[element] = output
                if self.incontent:
                    entry[element + "_detail"] = {**self.contentparams, "value": output}
        elif self.infeed or self.insource:
            context = self._get_context()
            if element == "description":
                element = "subtitle"
            context[element] = output
            if element == "link":
                if "&" in output:
                    output = _AMP_REF.sub(r"&\g<1>", output)
                context[element] = output
                context["links"][-1]["href"] = output
            elif self.incontent:
                context[element + "_detail"] = {**self.contentparams, "value": output}
        return output

    def push_content(
        self, tag: str, attrs_d: FeedDict, default_content_type: str, expecting_text: int
    ) -> None:
        self.incontent += 1
        content_type = _map_content_type(attrs_d.get("type", default_content_type))
        base64_mode = attrs_d.get("mode", "") == "base64" or not (
            content_type.startswith("text/")
            or content_type.endswith("+xml")
            or content_type.endswith("/xml")
        )
        self.contentparams = {"type": content_type, "base": self.baseuri, "base64": base64_mode}
        self.in_xhtml = content_type == XHTML
        self.push(tag, expecting_text)

    def pop_content(self, tag: str) -> str | None:
        value = self.pop(tag)
        self.incontent -= 1
        self.contentparams.clear()
        self.in_xhtml = False
        return value

    def _get_context(self) -> FeedDict:
        if self.insource:
            return self.sourcedata
        if self.inimage and "image" in self.feeddata:
            context: FeedDict = self.feeddata["image"]
            return context
        if self.intextinput:
            context = self.feeddata["textinput"]
            return context
        if self.inentry:
            return self.entries[-1]
        return self.feeddata

    def _save(self, key: str, value: object, overwrite: bool = False) -> None:
        context = self._get_context()
        if overwrite:
            context[key] = value
        else:
            context.setdefault(key, value)

    def _save_author(self, key: str, value: object, prefix: str = "author") -> None:
        context = self._get_context()
        context.setdefault(prefix + "_detail", {})
        context[prefix + "_detail"][key] = value
        self._sync_author_detail()
        context.setdefault("authors", [{}])
        context["authors"][-1][key] = value

    def _save_contributor(self, key: str, value: object) -> None:
        context = self._get_context()
        context.setdefault("contributors", [{}])
        context["contributors"][-1][key] = value

    def _sync_author_detail(self, key: str = "author") -> None:
        context = self._get_context()
        detail = context.get(f"{key}s", [{}])[-1]
        if detail:
            name = detail.get("name")
            email = detail.get("email")
            if name and email:
                context[key] = f"{name} ({email})"
            elif name:
                context[key] = name
            elif email:
                context[key] = email
            return
        author, email = context.get(key), None
        if not author:
            return
        emailmatch = _EMAIL.search(author)
        if emailmatch:
            email = emailmatch.group(0)
            author = author.replace(email, "").replace("()", "").replace("<>", "")
            author = author.replace("&lt;&gt;", "").strip()
            if author and (author[0] == "("):
                author = author[1:]
            if author and (author[-1] == ")"):
                author = author[:-1]
            author = author.strip()
        if author or email:
            context.setdefault(f"{key}_detail", detail)
        if author:
            detail["name"] = author
        if email:
            detail["email"] = email

    def _add_tag(self, term: str | None, scheme: str | None, label: str | None) -> None:
        context = self._get_context()
        tags = context.setdefault("tags", [])
        if (not term) and (not scheme) and (not label):
            return
        value = {"term": term, "scheme": scheme, "label": label}
        if value not in tags:
            tags.append(value)

    def _map_to_standard_prefix(self, name: str) -> str:
        prefix, colon, suffix = name.partition(":")
        return f"{self.namespacemap.get(prefix, prefix)}:{suffix}" if colon else name


def _unwrap_xhtml_div(pieces: list[str]) -> list[str]:
    """feedparser's removal of the ``<div>`` wrapping Atom XHTML content (mixin.pop)."""
    while pieces and len(pieces) > 1 and not pieces[-1].strip():
        del pieces[-1]
    while pieces and len(pieces) > 1 and not pieces[0].strip():
        del pieces[0]
    if (
        pieces
        and (pieces[0] == "<div>" or pieces[0].startswith("<div "))
        and pieces[-1] == "</div>"
    ):
        depth = 0
        for piece in pieces[:-1]:
            if piece.startswith("</"):
                depth -= 1
                if depth == 0:
                    break
            elif piece.startswith("<") and not piece.endswith("/>"):
                depth += 1
        else:
            pieces = pieces[1:-1]
    return pieces
