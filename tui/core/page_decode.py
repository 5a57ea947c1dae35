"""A web page's bytes as text, in the charset it declares: one rule for reader mode and discovery.

The order is the HTML standard's: a byte-order mark, else the ``Content-Type`` header's
``charset``, else a ``<meta>`` in the first 4 KB, else UTF-8; undecodable bytes become
U+FFFD. Every label goes through :func:`tui.core.charsets.text_codec`, so a page labelled
``zlib``, ``base64`` or ``unicode_escape`` (codecs Python has, but no text is written in)
is read as if it had no label, and ISO-8859-1 and ASCII are read as windows-1252, as
browsers do. A ``<meta>`` that says UTF-16 is wrong: the page was readable as ASCII to
find it, so it is read as UTF-8 (as browsers do too).
"""

from __future__ import annotations

import codecs
import re

from tui.core.charsets import text_codec

__all__ = ["decode_page"]

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.I)
# [^>]{0,512}: a bounded scan, so that thousands of "<meta" in the first 4 KB stay linear.
_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_WINDOW = 4096


def decode_page(body: bytes, content_type: str) -> str:
    """The page's text (never raises, whatever the bytes and the labels hold)."""
    encoding = next((name for bom, name in _BOMS if body.startswith(bom)), None)
    if encoding is None and (declared := _HEADER_CHARSET.search(content_type)):
        encoding = text_codec(declared.group(1))
    if encoding is None and (meta := _META_CHARSET.search(body[:_META_WINDOW])):
        encoding = text_codec(meta.group(1))
        if encoding is not None and encoding.startswith("utf-16"):
            encoding = "utf-8"
    return body.decode(encoding or "utf-8", errors="replace")
