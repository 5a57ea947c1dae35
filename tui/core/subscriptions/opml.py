"""Subscription files in and out: OPML 1.0/2.0 and newsboat ``urls`` files read, OPML written.

This module owns turning a file someone hands us into :class:`Subscription` values (plus one
sentence for every line or outline refused), and turning feeds back into an OPML document.
It is pure: no network, no database, and nothing read from a file is ever run. newsboat's
``exec:``, ``filter:`` and ``|command`` feeds are refused, never executed, which is why this
module imports nothing that could start a process.

XML safety: stdlib ElementTree (expat 2.5 here) does not read external entities, and expat's
amplification limit stops the classic billion-laughs document, but internal entities are still
expanded, up to megabytes of output before that limit starts to apply. So parsing is done on
expat directly and a document whose DOCTYPE declares any entity is refused as soon as the
declaration is seen, before anything can be expanded or fetched.
"""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit
from xml.parsers import expat

from tui.core.errors import ImportFileError
from tui.core.models import Feed, Subscription
from tui.core.parse.xml_safety import scan_codec
from tui.core.text.charsets import text_codec
from tui.core.text.hygiene import clean_line, clean_url
from tui.core.text.urls import FEED_SCHEMES

# A subscription list is kilobytes; anything this large is not one, and is not worth holding
# in memory to find out.
_MAX_FILE_BYTES = 16 * 1024 * 1024

_NO_COMMANDS = "newsterm never runs commands from a subscription file"
_SCHEME_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# Characters XML 1.0 cannot carry at all; clean_line leaves a few of them (U+FFFE, lone
# surrogates), and ElementTree would write them out and produce a file nobody can read.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The encoding an XML declaration names, whatever it holds; the label is checked later.
_DECLARED_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*([\"'])([^\"'>]*)\1")
# What expat reads by itself from bytes; any other label it hands to a Python codec, and
# fails on unknown labels (LookupError) and multi-byte ones (ValueError).
_EXPAT_READS = frozenset({"utf-8", "iso8859-1", "ascii"})
# A urls-file line is a URL and a few tags; longer ones are not worth tokenizing (shlex
# takes time that grows with the square of a token's length).
_MAX_LINE = 8192


@dataclass(frozen=True, slots=True)
class SubscriptionFile:
    """The subscriptions read from one file, and a sentence for each line or outline refused."""

    subscriptions: tuple[Subscription, ...]
    refused: tuple[str, ...] = ()


def check_feed_url(url: str) -> str | None:
    """Why ``url`` cannot be subscribed to, as a fragment following the URL; ``None`` if it can.

    ``"exec:~/bin/x"`` gives ``"runs a command; newsterm never runs commands from a
    subscription file"``, so a caller can say ``f"line 4: {url} {reason}"``.
    """
    url = clean_url(url)
    lowered = url.lower()
    if not url:
        return "is empty"
    if lowered.startswith("|"):
        return f"is a command; {_NO_COMMANDS}"
    if lowered.startswith("exec:"):
        return f"runs a command; {_NO_COMMANDS}"
    if lowered.startswith("filter:"):
        return f"pipes a feed through a command; {_NO_COMMANDS}"
    if lowered.startswith("query:"):
        return "is a newsboat query feed, which newsterm does not support"
    if not _SCHEME_PREFIX.match(url):
        return "is not a URL"
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        return "is not a valid URL"
    scheme = parts.scheme.lower()
    if scheme not in FEED_SCHEMES:
        return f"uses the {scheme}: scheme; newsterm reads only http, https and file URLs"
    if scheme == "file":
        return None if parts.path else "names no file"
    return None if hostname else "has no host name"


def read_subscription_file(path: Path) -> SubscriptionFile:
    """Read an OPML or newsboat ``urls`` file, telling them apart by their content."""
    try:
        with path.open("rb") as handle:
            data = _read_at_most(handle, _MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ImportFileError(f"Could not read {path}: {reason}.") from None
    if len(data) > _MAX_FILE_BYTES:
        raise ImportFileError(
            f"{path.name} is larger than {_MAX_FILE_BYTES // (1024 * 1024)} MB, "
            "which is too big for a list of subscriptions."
        )
    if _looks_like_xml(data):
        return parse_opml(data, source=path.name)
    if b"\x00" in data[:8192]:
        raise ImportFileError(
            f"{path.name} is neither an OPML file nor a newsboat urls file (it is binary data)."
        )
    # Titles in a urls file are the only thing that could be in another encoding; a stray
    # replacement character there is better than refusing the whole file.
    return parse_urls_file(data.decode("utf-8-sig", errors="replace"), source=path.name)


def _read_at_most(handle: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes, a megabyte at a time: ``read(limit)`` would set aside all of
    ``limit`` (16 MB) for a file of a few kilobytes, and a device may never end."""
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        chunk = handle.read(min(1 << 20, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def parse_opml(data: bytes, *, source: str = "OPML file") -> SubscriptionFile:
    """Read an OPML document: feeds are outlines with ``xmlUrl``, folders become topics."""
    # Some exporters write whitespace before the XML declaration, which XML forbids; it is
    # dropped, and line numbers in messages still count from the top of the file.
    unmarked = data.removeprefix(b"\xef\xbb\xbf")
    stripped = unmarked.lstrip()
    skipped_lines = 0
    if stripped.startswith(b"<?xml") and len(stripped) < len(unmarked):
        skipped_lines = unmarked[: len(unmarked) - len(stripped)].count(b"\n")
        data = stripped
    try:
        return _read_opml(_decodable(data, source), source, skipped_lines)
    except (LookupError, ValueError):
        # expat asked Python for a codec the declaration names and was refused (unknown,
        # or multi-byte): a label _decodable did not see. UTF-8 it is, or a sentence.
        text = _decode(data, "utf-8", source, None)
        return _read_opml(text, source, skipped_lines)


def _read_opml(document: bytes | str, source: str, skipped_lines: int) -> SubscriptionFile:
    reader = _OpmlReader(source, skipped_lines)
    parser = expat.ParserCreate()
    # Never read anything from outside the document, whatever its DOCTYPE says.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = reader.entity_declared
    parser.UnparsedEntityDeclHandler = reader.entity_declared
    parser.ExternalEntityRefHandler = reader.external_entity
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    reader.parser = parser
    try:
        parser.Parse(document, True)
    except expat.ExpatError as error:
        message = expat.ErrorString(error.code) or "not well-formed"
        raise ImportFileError(
            f"{source} is not well-formed XML: {message} "
            f"at line {error.lineno + skipped_lines}, "
            f"column {error.offset + 1}."
        ) from None
    return SubscriptionFile(tuple(reader.found.values()), tuple(reader.refused))


def _decodable(data: bytes, source: str) -> bytes | str:
    """The document as expat can read it: its bytes, or text decoded here.

    expat reads UTF-8, UTF-16, Latin-1 and ASCII itself, and any other single-byte
    encoding through Python's codecs; any other label (unknown, multi-byte, or no text
    encoding at all) made it raise. Those documents are decoded here — with the encoding
    named if it is a text encoding and the bytes fit it, else as UTF-8 if they are UTF-8 —
    and handed over as text, which expat reads whatever the declaration says.
    """
    layout = scan_codec(data)
    if layout.startswith("utf-32"):
        return _decode(data, layout, source, "UTF-32").removeprefix("\ufeff")
    if layout != "latin-1":
        return data  # UTF-16, by its byte order mark or its NULs: expat's own
    found = _DECLARED_ENCODING.match(data.removeprefix(b"\xef\xbb\xbf"))
    if found is None:
        return data
    label = found.group(2).decode("latin-1")
    codec = text_codec(label, widen=False)
    if codec in _EXPAT_READS:
        return data
    if codec is not None and not codec.startswith(("utf-16", "utf-32")):
        try:
            return data.decode(codec)
        except UnicodeError:
            pass
    # A wide label on bytes with no NULs, a label naming nothing, or bytes that do not
    # fit the label: UTF-8 is what most such files turn out to be.
    named = _shown(label, 40) or "an unnamed encoding"
    return _decode(data, "utf-8", source, named)


def _decode(data: bytes, codec: str, source: str, named: str | None) -> str:
    """``data`` decoded, or a sentence naming the encoding the file claims (``named``)."""
    try:
        return data.decode(codec)
    except UnicodeError:
        claim = (
            f"says its text is in {named}, but it is not, nor is it UTF-8"
            if named
            else "is in an encoding newsterm cannot read, and it is not UTF-8"
        )
        raise ImportFileError(
            f"{source} {claim}; save it again as UTF-8 and import that."
        ) from None


def parse_urls_file(text: str, *, source: str = "urls file") -> SubscriptionFile:
    """Read a newsboat ``urls`` file: ``URL tag "tag two" ~"Title" !hidden``, one per line."""
    found: dict[str, Subscription] = {}
    refused: list[str] = []
    content_lines = 0
    url_lines = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        content_lines += 1
        if len(line) > _MAX_LINE:
            if line.startswith("|") or _SCHEME_PREFIX.match(line):
                url_lines += 1
            refused.append(
                f"line {number}: {_shown(line, 60)} is too long to be a subscription "
                f"({len(line):,} characters)."
            )
            continue
        try:
            tokens = _newsboat_tokens(line)
        except ValueError:
            refused.append(f"line {number}: {_shown(line)} has quotes that do not match up.")
            continue
        url = clean_url(tokens[0]) if tokens else ""
        if url.startswith("|") or _SCHEME_PREFIX.match(url):
            url_lines += 1
        reason = check_feed_url(url)
        if reason is not None:
            # A command is named whole, so the user sees exactly what was not run.
            shown = line if url.startswith("|") or not url else tokens[0]
            refused.append(f"line {number}: {_shown(shown)} {reason}.")
            continue
        title = ""
        tags: list[str] = []
        for token in tokens[1:]:
            if token.startswith("~"):
                title = title or clean_line(token[1:])
            elif token.startswith("!"):
                continue  # newsboat's hidden-feed flag; newsterm has no such thing
            elif (tag := clean_line(token)) and tag not in tags:
                tags.append(tag)
        topic = tags[0] if tags else ""
        found.setdefault(_url_key(url), Subscription(url, title, topic, tuple(tags)))
    if content_lines and not url_lines:
        raise ImportFileError(
            f"{source} is neither an OPML file nor a newsboat urls file: "
            "none of its lines starts with a URL."
        )
    return SubscriptionFile(tuple(found.values()), tuple(refused))


def write_opml(
    feeds: Iterable[Feed],
    *,
    title: str = "newsterm subscriptions",
    created: datetime | None = None,
) -> str:
    """An OPML 2.0 document listing ``feeds``, one folder per topic, tags in ``category``.

    Topics keep the order in which they first appear in ``feeds``; a feed whose topic name
    is empty is written at the top level.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_text(title)
    when = (created or datetime.now(UTC)).astimezone(UTC)
    ET.SubElement(head, "dateCreated").text = format_datetime(when, usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        topic = _xml_text(feed.topic.name)
        parent = body
        if topic:
            if topic not in folders:
                folders[topic] = ET.SubElement(body, "outline", text=topic, title=topic)
            parent = folders[topic]
        name = _xml_text(feed.title)
        outline = ET.SubElement(parent, "outline", type="rss", text=name or _xml_text(feed.url))
        if name:
            outline.set("title", name)
        outline.set("xmlUrl", _xml_text(feed.url))
        if feed.site_url:
            outline.set("htmlUrl", _xml_text(feed.site_url))
        # Tags holding a comma or slash come back split; OPML's category syntax has no escape.
        tags = [tag for tag in (_xml_text(t) for t in feed.tags) if tag]
        if tags:
            outline.set("category", ",".join(tags))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


@dataclass(slots=True)
class _Frame:
    """One open ``outline`` element while reading OPML."""

    folder: str | None  # the topic it gives the outlines inside it; None for a feed
    line: int
    inside: str = ""  # the innermost named folder around the outlines inside it
    empty_url: bool = False  # had an xmlUrl attribute, but an empty one
    children: int = 0


@dataclass(slots=True)
class _OpmlReader:
    """expat callbacks that collect subscriptions as the document streams past."""

    source: str
    skipped_lines: int = 0  # lines of whitespace dropped before the document
    parser: expat.XMLParserType | None = None
    seen_root: bool = False
    frames: list[_Frame] = field(default_factory=list)
    found: dict[str, Subscription] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    def entity_declared(self, name: str | None, *_args: object) -> None:
        raise ImportFileError(
            f"{self.source} declares XML entities ({name}); newsterm refuses them because "
            "they can expand to huge documents or read other files."
        )

    def external_entity(self, *_args: object) -> int:
        raise ImportFileError(
            f"{self.source} refers to an external XML entity; newsterm never reads other files."
        )

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if not self.seen_root:
            self.seen_root = True
            self._check_root(tag)
        if tag.lower() != "outline":
            return
        around = ""
        if self.frames:
            self.frames[-1].children += 1
            around = self.frames[-1].inside
        line = self.skipped_lines + (self.parser.CurrentLineNumber if self.parser else 0)
        attrs = _Attributes(attributes)
        name = clean_line(attrs.get("title")) or clean_line(attrs.get("text"))
        raw_url = attrs.get("xmlUrl")
        url = clean_url(raw_url)
        if not url:
            self.frames.append(
                _Frame(folder=name, line=line, inside=name or around, empty_url=raw_url is not None)
            )
            return
        self.frames.append(_Frame(folder=None, line=line, inside=around))
        label = f'outline "{_shown(name)}" (line {line})' if name else f"outline at line {line}"
        reason = check_feed_url(url)
        if reason is not None:
            self.refused.append(f"{label}: {_shown(url)} {reason}.")
            return
        tags = _category_tags(attrs.get("category"))
        topic = around or (tags[0] if tags else "")
        # Exporters that know no title write the URL as text; that is no title at all.
        title = "" if name == url else name
        self.found.setdefault(_url_key(url), Subscription(url, title, topic, tags))

    def end(self, tag: str) -> None:
        if tag.lower() != "outline" or not self.frames:
            return
        frame = self.frames.pop()
        if frame.empty_url and not frame.children:
            label = f'outline "{_shown(frame.folder)}"' if frame.folder else "outline"
            self.refused.append(f"{label} (line {frame.line}) has an empty xmlUrl.")

    def _check_root(self, tag: str) -> None:
        local = tag.rpartition(":")[2].lower()
        if local == "opml":
            return
        if local == "html":
            kind = "a web page"
        elif local in {"rss", "feed", "rdf"}:
            kind = "a feed, not a list of subscriptions; subscribe to it by its URL instead"
        else:
            kind = f"an XML document whose root element is <{_shown(tag)}>"
        raise ImportFileError(f"{self.source} is not an OPML file: it is {kind}.")


class _Attributes:
    """Attribute lookup that falls back to any spelling of the name (``xmlurl``, ``XMLURL``)."""

    __slots__ = ("_exact", "_folded")

    def __init__(self, attributes: dict[str, str]) -> None:
        self._exact = attributes
        self._folded: dict[str, str] = {}
        for key, value in attributes.items():
            self._folded.setdefault(key.lower(), value)

    def get(self, name: str) -> str | None:
        value = self._exact.get(name)
        return value if value is not None else self._folded.get(name.lower())


def _category_tags(category: str | None) -> tuple[str, ...]:
    """``"/Tech/Python,News"`` → ``("Tech", "Python", "News")``."""
    tags: list[str] = []
    for part in re.split(r"[,/]", category or ""):
        tag = clean_line(part)
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _newsboat_tokens(line: str) -> list[str]:
    """Split a urls-file line the way newsboat does. A tokenizer only: nothing is run.

    shlex with POSIX rules, but only double quotes quote: newsboat never treats ``'`` as a
    quote, and URLs contain apostrophes. ``#`` is not a comment here since URLs carry
    fragments; only whole comment lines are skipped.
    """
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    lexer.quotes = '"'
    lexer.escapedquotes = '"'
    return list(lexer)


def _looks_like_xml(data: bytes) -> bool:
    if scan_codec(data) != "latin-1":  # UTF-16 or UTF-32, by BOM or NULs: only XML
        return True
    return data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def _url_key(url: str) -> str:
    """What makes two URLs in one file the same feed: scheme and host are case-blind."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    netloc, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{netloc.lower()}{slash}{path}"


def _shown(text: str | None, limit: int = 120) -> str:
    """Text from the file as it may appear in a message: one clean line, not too long."""
    line = clean_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _xml_text(text: str) -> str:
    return _NOT_XML_CHAR.sub("", clean_line(text))
