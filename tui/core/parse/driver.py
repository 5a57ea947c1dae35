"""feedparser run so that nothing it raises costs more than the entry it was reading.

On hostile input feedparser 6.0 raises from inside its element handlers (``int(None)`` in
``_end_width``, ``KeyError: 'tags'`` in ``_end_category``, a TypeError in
``_parse_psc_chapter_start``...) and from ``convert_to_utf8`` (a declaration naming an
encoding in bytes that are not UTF-8, or with a NUL in it), and ``feedparser.parse`` then
loses the whole feed. This module owns :func:`run_feedparser`: the steps of
``feedparser.api.parse`` taken one by one, with its parser classes wrapped so that a handler
that fails is noted instead of raised. The entry it was reading is dropped (and said so),
the rest of the feed is kept; a failure outside any entry costs only that detail.

It leans on feedparser's internals: those steps (``convert_to_utf8``, ``replace_doctype``,
``StrictFeedParser`` through ``xml.sax``, ``LooseFeedParser``) and the ``_start_*`` /
``_end_*`` handler protocol of ``_FeedParserMixin``. pyproject.toml pins feedparser below
6.1, which keeps them stable, and the corpus tests run some 2,000 documents through here.

Pure, like the rest of the parser: no I/O, and it never imports textual or rich.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import xml.sax
import xml.sax.handler
import xml.sax.xmlreader
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import errors as expat_errors

from feedparser.api import PREFERRED_XML_PARSERS, LooseFeedParser, StrictFeedParser
from feedparser.encodings import RE_XML_DECLARATION, convert_to_utf8
from feedparser.exceptions import CharacterEncodingOverride
from feedparser.sanitizer import replace_doctype
from feedparser.urls import make_safe_absolute_uri
from feedparser.util import FeedParserDict

from tui.core.parse.enclosures import RECORD_KEYS, UNHANDLED_KEYS, keep_record
from tui.core.parse.entries import as_str
from tui.core.parse.fields import FEEDPARSER_OPTIONS, SENSITIVE_KEYS, XML_ENCODING
from tui.core.parse.hints import HINT_KEYS
from tui.core.parse.urls import LINK_TEXT, WEB_URL, end_text_link
from tui.core.text.charsets import first_codec, header_charset
from tui.core.text.hygiene import clean_line

__all__ = ["DamagedEntry", "FeedparserResult", "run_feedparser"]

_REASON_LIMIT = 160
_FEED_FAILURES_KEPT = 3
# Elements feedparser has no handler for (``<wfw:commentRss>``, ``<slash:comments>``) cost
# it ~60 µs each: base-URI joins, its ``pop``, a store under a key nobody reads. A document
# made of tens of thousands of them is an attack, not a feed (100 KB of ``<a/>`` took
# 3.2 s). Past this many, they are only kept balanced and their text dropped, as the fast
# reader treats every one of them.
_UNKNOWN_BUDGET = 1_000
# A feed says what it is in its first elements (<rss>, <feed>, <rdf:RDF>, <channel>...).
_NOT_A_FEED_AFTER = 2_000
_SKIPPED = "skipped "  # the element-stack frame of such an element; the space sets it apart
# feedparser's "special hack" for image and text input elements closed too early.
_KEEPS_TEXTINPUT = frozenset({"title", "link", "description", "name"})
_KEEPS_IMAGE = frozenset({"title", "link", "description", "url", "href", "width", "height"})
# Elements never skipped, however many unknown ones came first: those whose key must not be
# written (SENSITIVE_KEYS) and those read later wherever they are, as the fast reader reads
# them: the refresh hints and what an episode's enclosures are read from.
_NEVER_SKIPPED = SENSITIVE_KEYS | HINT_KEYS | UNHANDLED_KEYS


@dataclass(frozen=True, slots=True)
class DamagedEntry:
    """An entry a feedparser handler failed on: it is skipped, and this says why."""

    reason: str


@dataclass(frozen=True, slots=True)
class FeedparserResult:
    """What :func:`feedparser.parse` would return, had nothing raised."""

    feed: dict[str, Any]
    entries: list[Any]  # feedparser's entry dicts, and a DamagedEntry for each one lost
    version: str
    bozo_exception: object
    feed_failures: tuple[str, ...]  # handlers that failed outside any entry


def run_feedparser(body: bytes, headers: Mapping[str, str]) -> FeedparserResult:
    """``feedparser.parse`` of ``body`` as served with ``headers``, containing every failure.

    ``headers`` must carry the ``content-type`` whose charset to believe and the
    ``content-location`` that relative links are made absolute against.
    """
    result = FeedParserDict(bozo=False, entries=[], feed=FeedParserDict(), headers={})
    result["headers"].update(headers)
    try:
        data = convert_to_utf8(result["headers"], body, result)
    except Exception:  # e.g. a declaration naming an encoding in undecodable bytes
        data = _as_utf8_anyway(body, headers, result)
    use_strict_parser = bool(result.get("encoding"))
    version, data, entities = replace_doctype(data)
    location = str(headers.get("content-location", ""))
    baseuri = make_safe_absolute_uri("", location) or make_safe_absolute_uri(location) or ""
    baselang = headers.get("content-language")
    bozo_exception = result.get("bozo_exception")
    parser: Any = None
    if use_strict_parser:
        parser = _CONTAINED_STRICT(baseuri, baselang, "utf-8")
        _configure(parser)
        # Safe as feedparser uses it: defuse() and replace_doctype() have rebuilt the DOCTYPE
        # with small plain entities only, and external entities are switched off here.
        saxparser = xml.sax.make_parser(PREFERRED_XML_PARSERS)  # noqa: S317
        saxparser.setFeature(xml.sax.handler.feature_namespaces, 1)
        with contextlib.suppress(xml.sax.SAXNotSupportedException):
            saxparser.setFeature(xml.sax.handler.feature_external_ges, 0)
        saxparser.setContentHandler(parser)
        saxparser.setErrorHandler(parser)
        source = xml.sax.xmlreader.InputSource()
        source.setByteStream(io.BytesIO(data))
        try:
            saxparser.parse(source)
        except _NotAFeedError:
            pass  # nothing a feed begins with, after thousands of elements
        except Exception as error:  # SAXException as feedparser expects, or anything else
            bozo_exception = parser.exc or error
            if not _only_cut_short(bozo_exception):
                parser = None
    if parser is None:
        parser = _CONTAINED_LOOSE(baseuri, baselang, "utf-8", entities)
        _configure(parser)
        entries_before = len(parser.entries)
        try:
            parser.feed(data.decode("utf-8", "replace"))
        except _NotAFeedError:
            pass
        except Exception as error:  # sgmllib's own failures: keep what was read before them
            _note_failure(parser, error, "the document", entries_before)
    damaged: dict[int, str] = parser.newsterm_damaged
    return FeedparserResult(
        feed=parser.feeddata,
        entries=[
            DamagedEntry(damaged[number]) if number in damaged else entry
            for number, entry in enumerate(parser.entries)
        ],
        version=as_str(version or parser.version),
        bozo_exception=bozo_exception,
        feed_failures=tuple(parser.newsterm_feed_failures),
    )


class _NotAFeedError(Exception):
    """Thousands of elements and none a feed starts with: reading on would only cost time."""


# The strict parser's errors that mean "the document ended too soon": everything before
# was read, and feedparser's loose parser would only read it all again, slower (a 100 KB
# document cut short took the two of them ~1.5 s).
_CUT_SHORT = frozenset(
    {
        expat_errors.XML_ERROR_NO_ELEMENTS,
        expat_errors.XML_ERROR_UNCLOSED_TOKEN,
        expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
        expat_errors.XML_ERROR_PARTIAL_CHAR,
    }
)


def _only_cut_short(error: object) -> bool:
    return isinstance(error, xml.sax.SAXParseException) and error.getMessage() in _CUT_SHORT


def _configure(parser: Any) -> None:
    parser.resolve_relative_uris = FEEDPARSER_OPTIONS["resolve_relative_uris"]
    parser.sanitize_html = FEEDPARSER_OPTIONS["sanitize_html"]


def _as_utf8_anyway(body: bytes, headers: Mapping[str, str], result: Any) -> bytes:
    """The document as UTF-8 with a declaration saying so, as ``convert_to_utf8`` makes it.

    For when ``convert_to_utf8`` itself failed: the labels tried are the server's, the
    declaration's and UTF-8, each only if it names a text encoding; then UTF-8 with
    replacement characters, which always works.
    """
    charset = header_charset(str(headers.get("content-type", "")))
    declared = XML_ENCODING.match(body)
    labels = [charset, declared.group(1).decode("ascii") if declared else "", "utf-8"]
    used = first_codec(body, labels)
    text = body.decode(used) if used else body.decode("utf-8", "replace")
    used = used or "utf-8"
    text = text.removeprefix("\ufeff")
    declaration = "<?xml version='1.0' encoding='utf-8'?>"
    if RE_XML_DECLARATION.search(text):
        text = RE_XML_DECLARATION.sub(declaration, text, count=1)
    else:
        text = declaration + "\n" + text
    result["encoding"] = "utf-8"
    result["bozo"] = True
    result["bozo_exception"] = CharacterEncodingOverride(
        f"the document's encoding could not be read; it was read as {used}"
    )
    return text.encode("utf-8", "replace")


def _note_failure(parser: Any, error: Exception, where: str, entries_before: int) -> None:
    """Remember a failure: against the entry being read, else against the feed itself."""
    message = clean_line(str(error))
    if len(message) > _REASON_LIMIT:
        message = message[: _REASON_LIMIT - 1] + "…"
    reason = f"{type(error).__name__} in {where}: {message}" if message else where
    entries = parser.entries
    if entries and (parser.inentry or len(entries) > entries_before):
        parser.newsterm_damaged.setdefault(len(entries) - 1, reason)
    elif len(parser.newsterm_feed_failures) < _FEED_FAILURES_KEPT:
        parser.newsterm_feed_failures.append(reason)


def _element(tag: object) -> str:
    name = clean_line(str(tag))[:40]
    return f"<{name}>"


def _contain(method: Callable[..., Any], where: str) -> Callable[..., Any]:
    """``method``, noting any failure instead of raising it; AttributeError passes through,
    since feedparser raises and catches that one itself to mean "no handler here"."""

    def contained(self: Any, *args: Any, **kwargs: Any) -> Any:
        entries_before = len(self.entries)
        try:
            return method(self, *args, **kwargs)
        except AttributeError:
            raise
        except Exception as error:
            _note_failure(self, error, where, entries_before)
            return None

    contained.__name__ = method.__name__
    return contained


def _resize(stack: list[Any], size: int, filler: object) -> None:
    del stack[max(size, 0) :]
    while len(stack) < size:
        stack.append(filler)


def _skipped_start(parser: Any, tag: str, attrs: Any) -> bool:
    """Open an element with no handler the cheap way, once there have been many; or not."""
    if parser.incontent or not isinstance(tag, str):
        return False
    prefix, colon, suffix = tag.partition(":")
    if not colon:
        prefix, suffix = "", tag
    mapped = parser.namespacemap.get(prefix, prefix)
    key = f"{mapped}_{suffix}" if mapped else suffix
    if key in _NEVER_SKIPPED or hasattr(parser, f"_start_{key}") or hasattr(parser, f"_end_{key}"):
        return False
    parser.newsterm_unknown += 1
    if parser.newsterm_unknown <= _UNKNOWN_BUDGET or attrs:
        return False
    # What feedparser's unknown_starttag does for an element with no attributes, but the
    # push: its base and language are its parent's.
    parser.depth += 1
    base = parser.baseuri
    if base:
        settled = parser.newsterm_bases.get(base)
        if settled is None:
            settled = parser.newsterm_bases[base] = make_safe_absolute_uri(base, base) or base
        parser.baseuri = settled
    parser.basestack.append(parser.baseuri)
    parser.langstack.append(parser.lang)
    if not mapped and tag not in _KEEPS_TEXTINPUT:
        parser.intextinput = 0
    if not mapped and tag not in _KEEPS_IMAGE:
        parser.inimage = 0
    parser.elementstack.append([_SKIPPED + tag, 0, []])
    return True


def _skipped_end(parser: Any, tag: str) -> bool:
    """Close an element opened by :func:`_skipped_start`, as feedparser's unknown_endtag."""
    stack = parser.elementstack
    if not stack or stack[-1][0] != _SKIPPED + str(tag) or parser.incontent:
        return False
    stack.pop()
    if parser.basestack:
        parser.basestack.pop()
        if parser.basestack and parser.basestack[-1]:
            parser.baseuri = parser.basestack[-1]
    if parser.langstack:
        parser.langstack.pop()
        if parser.langstack:
            parser.lang = parser.langstack[-1]
    parser.depth -= 1
    return True


def _contain_starttag(method: Callable[..., Any]) -> Callable[..., Any]:
    def unknown_starttag(self: Any, tag: str, attrs: Any) -> Any:
        self.newsterm_starts += 1
        if self.newsterm_starts > _NOT_A_FEED_AFTER and not (
            self.version or self.infeed or self.entries
        ):
            raise _NotAFeedError
        depth, bases, langs = self.depth, len(self.basestack), len(self.langstack)
        entries_before = len(self.entries)
        try:
            if _skipped_start(self, tag, attrs):
                return None
            return method(self, tag, attrs)
        except Exception as error:
            _note_failure(self, error, _element(tag), entries_before)
            # leave the stacks as a start tag leaves them, so that its end tag balances
            self.depth = depth + 1
            _resize(self.basestack, bases + 1, self.baseuri)
            _resize(self.langstack, langs + 1, self.lang)
            return None

    return unknown_starttag


def _contain_endtag(method: Callable[..., Any]) -> Callable[..., Any]:
    def unknown_endtag(self: Any, tag: str) -> None:
        depth, bases, langs = self.depth, len(self.basestack), len(self.langstack)
        entries_before = len(self.entries)
        try:
            if not _skipped_end(self, tag):
                method(self, tag)
        except Exception as error:
            _note_failure(self, error, _element(f"/{tag}"), entries_before)
            self.depth = depth - 1
            _resize(self.basestack, bases - 1, self.baseuri)
            _resize(self.langstack, langs - 1, self.lang)
            if self.basestack and self.basestack[-1]:
                self.baseuri = self.basestack[-1]
            if self.langstack:
                self.lang = self.langstack[-1]

    return unknown_endtag


def _keep_link_text(start: Callable[..., Any], end: Callable[..., Any]) -> dict[str, Any]:
    """``_start_link``/``_end_link`` that keep an http(s) URL written as the element's text.

    For ``<link uri="at://…">http://example.com/item</link>`` feedparser keeps the
    attribute and drops the text; when the attribute is not http(s) and the text is, the
    text becomes the link. The fast reader's handlers do the same.
    """

    def _start_link(self: Any, attrs_d: dict[str, Any]) -> None:
        start(self, attrs_d)
        href = attrs_d.get("href")
        if not isinstance(href, str) or WEB_URL.match(href):
            return
        context = self._get_context()
        links = context.get("links")
        link = links[-1] if links and not (self.inentry and self.inimage) else None
        alternate = (
            attrs_d.get("rel") == "alternate"
            and self.map_content_type(attrs_d.get("type")) in self.html_types
        )
        self.newsterm_text_link = (context, link, alternate)
        self.push(LINK_TEXT, 0)

    def _end_link(self: Any) -> None:
        held, self.newsterm_text_link = self.newsterm_text_link, None
        end_text_link(self, held)
        end(self)

    return {"_start_link": _start_link, "_end_link": _end_link}


def _keep_records() -> dict[str, Any]:
    """``_start_``/``_end_`` handlers for the elements in :data:`RECORD_KEYS`.

    With no handler, feedparser files such an element's attributes under its key, each
    replacing the one before (of an item's VTT, SRT and JSON transcripts only the last is
    kept), and the text of one without attributes over them all. These keep every one's
    attributes, in document order and bounded (:func:`keep_record`), and drop the text.
    The fast reader's handlers do the same.
    """
    handlers: dict[str, Any] = {}
    for key in RECORD_KEYS:
        handlers[f"_start_{key}"], handlers[f"_end_{key}"] = _record_handlers(key)
    return handlers


def _record_handlers(key: str) -> tuple[Callable[..., None], Callable[..., None]]:
    def start(self: Any, attrs_d: dict[str, Any]) -> None:
        if attrs_d:
            keep_record(self._get_context(), key, attrs_d)
        self.push(key, 0)  # its text gathers here, and is dropped at its end

    def end(self: Any) -> None:
        self.pop(key)

    start.__name__, end.__name__ = f"_start_{key}", f"_end_{key}"
    return start, end


_CONTAINED_TEXT_HANDLERS = ("handle_data", "handle_charref", "handle_entityref")


def _contained_class(base: Any) -> Any:
    """A subclass of one of feedparser's parser classes, every handler wrapped once."""

    def __init__(self: Any, *args: Any) -> None:
        self.newsterm_damaged = {}
        self.newsterm_feed_failures = []
        self.newsterm_text_link = None
        self.newsterm_unknown = 0  # start tags with no handler, for _UNKNOWN_BUDGET
        self.newsterm_starts = 0  # all start tags, for _NOT_A_FEED_AFTER
        self.newsterm_bases = {}  # base URI → feedparser's join of it with itself
        base.__init__(self, *args)

    namespace: dict[str, Any] = {"__init__": __init__}
    namespace.update(_keep_link_text(base._start_link, base._end_link))
    namespace.update(_keep_records())
    for name in sorted({*dir(base), *namespace}):
        if not name.startswith(("_start_", "_end_")) and name != "pop":
            continue
        # newsterm's own handlers first, then feedparser's as its class holds them
        method = namespace[name] if name in namespace else inspect.getattr_static(base, name)
        if callable(method) and not isinstance(method, staticmethod | classmethod):
            where = "an element's text" if name == "pop" else _element(name.split("_", 2)[2])
            namespace[name] = _contain(method, where)
    for name in _CONTAINED_TEXT_HANDLERS:
        namespace[name] = _contain(getattr(base, name), "the text")
    namespace["unknown_starttag"] = _contain_starttag(base.unknown_starttag)
    namespace["unknown_endtag"] = _contain_endtag(base.unknown_endtag)
    return type(f"Contained{base.__name__}", (base,), namespace)


_CONTAINED_STRICT = _contained_class(StrictFeedParser)
_CONTAINED_LOOSE = _contained_class(LooseFeedParser)
