"""Defences against hostile XML, applied to a feed's bytes before feedparser sees them.

This module owns the rewriting that keeps feedparser from crashing or blowing up: the
DOCTYPE rebuilt with only small, plain entities under an expansion budget, and character
references that feedparser's loose parser cannot survive replaced with U+FFFD. It also
owns :func:`scan_codec`, the cheap guess at a body's byte layout that both this rewriting
and :mod:`tui.core.parse.feed` use to look for markup without decoding the whole document.

Pure text rewriting: no I/O, no feedparser, and it never imports textual or rich.
"""

from __future__ import annotations

import re

__all__ = ["declaration_head", "defuse", "scan_codec"]

_ENTITY_BUDGET = 100_000  # characters that a feed's own XML entities may add, in all
# feedparser finds the declared encoding with ``^<\?.*encoding=['"](.*?)['"].*\?>`` over the
# document's first line, which backtracks without end on a long first line full of
# ``encoding="x"`` (13 KB took 22 s, 26 KB two minutes). Real declarations are short, so a
# longer first line starting with ``<?`` is broken after its first ``?>`` (or here).
_FIRST_LINE_LIMIT = 1024
# feedparser looks for DOCTYPE and ENTITY declarations before the first element with
# ``^\s*<!ENTITY([^>]*?)>`` (MULTILINE), whose cost grows with the square of that part's
# length when it is made of blank lines or unclosed declarations (100 KB of newlines took
# 50 s). A prolog longer than this holds nothing newsterm reads but the XML declaration
# (entities are rebuilt apart, below), so the rest of it is dropped.
_PROLOG_LIMIT = 8192
_BOMS = {"utf-32-le": b"\xff\xfe\x00\x00", "utf-32-be": b"\x00\x00\xfe\xff"}
_BOMS |= {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "latin-1": b"\xef\xbb\xbf"}
# Only refs that can be out of range: feedparser's loose parser crashes on surrogates,
# code points past U+10FFFF and digit strings too long for int().
_BIG_CHAR_REF = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{4,})|0*([0-9]{5,}));?")

# The XML prolog, for the entity defences below.
_BOM = re.compile("\ufeff|\xef\xbb\xbf")
_MISC = re.compile(r"(?:\s|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_DOCTYPE_PART = re.compile(r"\"[^\"]*\"|'[^']*'|<!--.*?-->|<\?.*?\?>|[^\"'<\[\]>]+|.", re.DOTALL)
_FIRST_ELEMENT = re.compile(r"<\w")
_FIRST_ELEMENT_BYTES = re.compile(rb"<\w")  # as feedparser's replace_doctype finds it
_XML_DECLARATION_ONLY = re.compile(r"<\?xml[^>]*\?>")
_XML_DECLARATION = re.compile(r"(?:\ufeff|\xef\xbb\xbf)?(?:<\?xml[^>]*\?>)?")
_SAFE_ENTITY = re.compile(
    r"""<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"&%<>]{0,200}|&\#\w+;)"|'([^'&%<>]{0,200}|&\#\w+;)')\s*>"""
)


def defuse(body: bytes, warnings: list[str]) -> bytes:
    """Neutralise what would make feedparser crash or blow up, before it sees the body.

    Measured with feedparser 6.0.14 and expat 2.5: external entities and external DTDs are
    never fetched (feedparser turns ``feature_external_ges`` off and strips the DOCTYPE),
    and nested "billion laughs" entities are dropped. But feedparser keeps *plain* entity
    values and, when the strict parser gives up, its loose parser expands them without any
    limit — one 50 KB entity referenced 2,000 times gave a 100 MB string in 3 s. And a
    character reference to a surrogate or past U+10FFFF crashes its loose parser.
    """
    codec = scan_codec(body)
    cut = _first_line_cut(body, codec)
    if cut is not None:
        body = body[:cut] + "\n".encode(codec) + body[cut:]
    has_entities = "<!ENTITY".encode(codec) in body
    if not has_entities:
        body = _short_prolog(body, codec)
    has_refs = "&#".encode(codec) in body
    if not has_entities and not has_refs:
        return body
    text = body.decode(codec, "replace")
    changed = text
    if has_refs:
        changed = _BIG_CHAR_REF.sub(_fix_char_ref, changed)
    if has_entities:
        changed = _rebuild_doctype(changed, warnings)
    return body if changed is text else changed.encode(codec, "replace")


def _short_prolog(body: bytes, codec: str) -> bytes:
    """``body`` with what comes before its first element cut to the XML declaration, when
    that part is longer than :data:`_PROLOG_LIMIT` (feedparser's own reading of it is
    quadratic); unchanged otherwise."""
    if codec == "latin-1":  # ASCII-compatible: look without decoding a byte
        first_byte = _FIRST_ELEMENT_BYTES.search(body)
        if first_byte is None or first_byte.start() <= _PROLOG_LIMIT:
            return body
    text = body.decode(codec, "replace")
    first = _FIRST_ELEMENT.search(text)
    if first is None or first.start() <= _PROLOG_LIMIT:
        return body
    bom = _BOM.match(text)
    start = bom.end() if bom else 0
    declaration = _XML_DECLARATION_ONLY.match(text, start, start + _FIRST_LINE_LIMIT)
    kept = f"{text[: declaration.end()]}\n" if declaration else text[:start]
    # Nothing before the first element when there is no declaration: a UTF-16 document
    # without a byte order mark is known by its first "<".
    return f"{kept}{text[first.start() :]}".encode(codec, "replace")


def declaration_head(body: bytes) -> bytes:
    """The part of ``body`` a declaration pattern may look at: all of it, unless its first
    line is long enough to make feedparser's pattern backtrack, and then the part of it
    :func:`defuse` leaves on the first line."""
    cut = _first_line_cut(body, scan_codec(body))
    return body if cut is None else body[:cut]


def _first_line_cut(body: bytes, codec: str) -> int | None:
    """Where :func:`defuse` breaks a long first line that starts with ``<?``, or None."""
    unit = 4 if "32" in codec else 2 if "16" in codec else 1
    bom = len(_BOMS[codec]) if body.startswith(_BOMS[codec]) else 0
    if not body.startswith("<?".encode(codec), bom):
        return None
    head = body[bom : bom + (_FIRST_LINE_LIMIT + 1) * unit].decode(codec, "replace")
    if len(head) <= _FIRST_LINE_LIMIT or "\n" in head[:_FIRST_LINE_LIMIT]:
        return None
    close = head.find("?>", 0, _FIRST_LINE_LIMIT)
    kept = head[: close + 2] if close != -1 else head[:_FIRST_LINE_LIMIT]
    return bom + len(kept.encode(codec, "replace")) // unit * unit


def scan_codec(body: bytes) -> str:
    """The codec to look for markup with: Latin-1 stands for every ASCII-compatible one."""
    for prefix, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if body.startswith(prefix):
            return codec
    return "latin-1"


def _fix_char_ref(match: re.Match[str]) -> str:
    hex_digits, digits = match.groups()
    if len(hex_digits or digits) > 7:
        return "&#xFFFD;"
    point = int(hex_digits, 16) if hex_digits else int(digits)
    return "&#xFFFD;" if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF else match.group()


def _rebuild_doctype(text: str, warnings: list[str]) -> str:
    """Replace the prolog's DOCTYPE with one declaring only small, plain entities.

    Kept: entities whose value is one character reference or up to 200 characters of
    plain text, while all their uses together add under 100,000 characters (so
    ``<!ENTITY id "tag:example.com,">`` still works). Dropped, with a warning: external
    (SYSTEM/PUBLIC) and parameter entities, nested ones, and any that would blow up.
    """
    root = _root_element_start(text)
    if root is None:  # not well-formed: the end of the head as feedparser finds it
        first = _FIRST_ELEMENT.search(text)
        root = first.start() if first else len(text)
    head = text[:root]
    declared = head.count("<!ENTITY")
    if not declared:
        return text
    safe: dict[str, str] = {}
    added = 0
    for name, double_quoted, single_quoted in _SAFE_ENTITY.findall(head):
        value = double_quoted or single_quoted
        size = 1 if value.startswith("&#") else len(value)
        # feedparser's loose parser also expands "&name" without its semicolon
        uses = re.findall(f"&{re.escape(name)}(?![\\w.-])", text[root:])
        added += size * len(uses)
        safe.setdefault(name, value)
    if added > _ENTITY_BUDGET:
        safe = {}
    if len(safe) < declared:
        warnings.append(
            "The feed declares XML entities that are external, nested or too large; "
            "newsterm ignored them, so some words may read like &name;."
        )
    declaration = _XML_DECLARATION.match(text)
    prefix = declaration.group() if declaration else ""
    doctype = ""
    if safe:
        lines = "".join(f"<!ENTITY {name} {_quote(value)}>\n" for name, value in safe.items())
        doctype = f"<!DOCTYPE feed [\n{lines}]>\n"
    return f"{prefix}\n{doctype}{text[root:]}"


def _quote(value: str) -> str:
    return f"'{value}'" if '"' in value else f'"{value}"'


def _root_element_start(text: str) -> int | None:
    """Where the root element starts, skipping the prolog as an XML parser would."""
    bom = _BOM.match(text)
    misc = _MISC.match(text, bom.end() if bom else 0)
    position = misc.end() if misc else 0
    if text.startswith("<!DOCTYPE", position):
        depth = 0
        for part in _DOCTYPE_PART.finditer(text, position + len("<!DOCTYPE")):
            piece = part.group()
            if piece == "[":
                depth += 1
            elif piece == "]":
                depth -= 1
            elif piece == ">" and depth <= 0:
                misc = _MISC.match(text, part.end())
                position = misc.end() if misc else part.end()
                break
        else:
            return None
    following = text[position + 1 : position + 2]
    if text.startswith("<", position) and (following.isalpha() or following in ("_", ":")):
        return position
    return None
