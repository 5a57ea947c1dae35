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

__all__ = ["text_codec"]

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
