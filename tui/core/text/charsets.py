"""Which character encodings a document from outside may name, and the codec each means.

A charset label comes from a server's ``Content-Type``, an XML declaration, a ``<meta>`` or
a sync server's JSON: all hostile. Python's :func:`codecs.lookup` knows far more than text
encodings (``zlib``, ``base64``, ``hex``, ``rot13``, ``bz2``, ``uu``) and some text codecs
no web document may use (``unicode_escape`` turns ``\\x1b`` into an escape character,
``idna``, ``punycode``, ``undefined``). Every place that decodes outside bytes asks here
first, so one list says what a label may mean: the encodings of the WHATWG Encoding
Standard that Python has (what browsers accept), plus UTF-32 and ASCII, which XML allows.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

__all__ = ["decode_page", "first_codec", "header_charset", "text_codec"]

# Python's own codec names (``codecs.lookup(label).name``) for the encodings allowed.
_ALLOWED = frozenset(
    {
        "utf-8",
        "utf-8-sig",
        "utf-16",
        "utf-16-be",
        "utf-16-le",
        "utf-32",
        "utf-32-be",
        "utf-32-le",
        "ascii",
        "iso8859-1",
        "iso8859-2",
        "iso8859-3",
        "iso8859-4",
        "iso8859-5",
        "iso8859-6",
        "iso8859-7",
        "iso8859-8",
        "iso8859-9",
        "iso8859-10",
        "iso8859-11",
        "tis-620",
        "iso8859-13",
        "iso8859-14",
        "iso8859-15",
        "iso8859-16",
        "cp437",
        "cp866",
        "cp874",
        "cp1250",
        "cp1251",
        "cp1252",
        "cp1253",
        "cp1254",
        "cp1255",
        "cp1256",
        "cp1257",
        "cp1258",
        "koi8-r",
        "koi8-u",
        "mac-roman",
        "mac-cyrillic",
        "gbk",
        "gb2312",
        "gb18030",
        "big5",
        "big5hkscs",
        "cp950",
        "euc_jp",
        "iso2022_jp",
        "shift_jis",
        "cp932",
        "euc_kr",
        "cp949",
    }
)

# Browsers read these labels as a wider encoding, and so does newsterm: Latin-1 pages are
# nearly always windows-1252 (curly quotes in 0x80-0x9F), GB2312 is a subset of GB18030.
_WIDER = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}

# Labels the Encoding Standard gives that Python does not know, by the codec they mean.
_WEB_LABELS = {
    "windows-874": "cp874",
    "dos-874": "cp874",
    "x-sjis": "shift_jis",
    "windows-31j": "cp932",
    "x-euc-jp": "euc_jp",
    "x-gbk": "gbk",
    "x-x-big5": "big5",
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "iso-8859-8-i": "iso8859-8",
    "csiso88598i": "iso8859-8",
}

_LONGEST_LABEL = 40  # the longest real label is under 30 characters


def text_codec(label: str | bytes | None, *, widen: bool = True) -> str | None:
    """The Python codec a charset label names, or None when it names no text encoding a
    document may use (unknown, a bytes-to-bytes codec, or one browsers refuse).

    ``widen`` reads Latin-1, ASCII and GB2312 as the supersets browsers read them as.
    Never raises, whatever the label holds (NUL bytes, non-ASCII, megabytes).
    """
    if label is None:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    label = label.strip().strip("\"'").strip()
    if not label or len(label) > _LONGEST_LABEL or not label.isascii() or "\x00" in label:
        return None
    label = _WEB_LABELS.get(label.lower(), label)
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError, TypeError):
        return None
    if name not in _ALLOWED:
        return None
    return _WIDER.get(name, name) if widen else name


def first_codec(body: bytes, labels: Iterable[str]) -> str | None:
    """The codec of the first label that names a text encoding (read narrowly: Latin-1 is
    Latin-1) and decodes all of ``body``; None when none does."""
    for label in labels:
        codec = text_codec(label, widen=False)
        if codec:
            try:
                body.decode(codec)
            except (UnicodeError, LookupError):
                continue
            return codec
    return None


# -- web pages ---------------------------------------------------------------------------
# A page's bytes as text, in the charset it declares: one rule for reader mode and
# discovery. The order is the HTML standard's: a byte-order mark, else the Content-Type
# header's charset, else a <meta> in the first 4 KB, else UTF-8; undecodable bytes become
# U+FFFD. Every label goes through text_codec. A <meta> that says UTF-16 is wrong: the
# page was readable as ASCII to find it, so it is read as UTF-8 (as browsers do too).

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.I)
# [^>]{0,512}: a bounded scan, so that thousands of "<meta" in the first 4 KB stay linear.
_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_WINDOW = 4096


def header_charset(content_type: str) -> str:
    """The ``charset`` a ``Content-Type`` header names, as written ("" when none)."""
    found = _HEADER_CHARSET.search(content_type)
    return found.group(1) if found else ""


def decode_page(body: bytes, content_type: str) -> str:
    """The page's text (never raises, whatever the bytes and the labels hold)."""
    encoding = next((name for bom, name in _BOMS if body.startswith(bom)), None)
    if encoding is None and (declared := header_charset(content_type)):
        encoding = text_codec(declared)
    if encoding is None and (meta := _META_CHARSET.search(body[:_META_WINDOW])):
        encoding = text_codec(meta.group(1))
        if encoding is not None and encoding.startswith("utf-16"):
            encoding = "utf-8"
    return body.decode(encoding or "utf-8", errors="replace")
