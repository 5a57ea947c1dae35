"""What a picture's bytes are, by their first bytes, whatever the server called them.

A server's Content-Type is a claim; the magic bytes are the evidence, and only they choose
the decoder (:mod:`tui.core.images.decode` opens a file with that one format and no
other). Markup is told apart too: an SVG is never decoded (it can hold scripts and
external references, and rendering it safely is a browser's job), and an HTML or XML
"image" is an error page or a captive portal.

Which formats are decoded (:data:`DECODABLE`), of those Pillow 13 reads:

* PNG, JPEG, GIF and WebP: what the web serves.
* AVIF: served by CDNs to clients whose Accept names it, and built into Pillow's wheels
  since 11.3; worth the decoder (libavif/dav1d, fuzzed by browsers' use).
* BMP: rare, but a small, plain decoder, and old posts link them.
* Not TIFF (a large decoder, libtiff, for files no browser shows), JPEG 2000 (Safari
  only), ICO, PSD, QOI and the rest: sniffed by name where cheap, so the placeholder says
  "format not supported" rather than "not an image". Pillow cannot read HEIC or JPEG XL.
"""

from __future__ import annotations

import re

#: What :func:`sniff` may call decodable, and the MIME type an Accept header names it by.
DECODABLE: dict[str, str] = {
    "avif": "image/avif",
    "webp": "image/webp",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
}
#: Pictures we recognise and do not decode.
UNSUPPORTED = frozenset({"tiff", "heic", "jxl", "jp2", "ico", "psd", "qoi"})
#: Markup: never decoded.
MARKUP = frozenset({"svg", "html", "xml"})

# BITMAPINFOHEADER sizes (core, v2 to v5): "BM" alone starts too many text files.
_BMP_HEADERS = frozenset({12, 40, 52, 56, 64, 108, 124})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1"})
# What markup may open with before its first element, skipped one at a time.
_PROLOGUE = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!(?!doctype)[^>]*>)", re.DOTALL)
_DOCTYPE = re.compile(rb"\s*<!doctype\s+([a-z:-]+)")
_ELEMENT = re.compile(rb"\s*<([a-z][a-z0-9:_-]*)")
_HTML_ELEMENTS = frozenset(
    b"html head body meta title link script style div p a span br img iframe table "
    b"h1 h2 h3 h4 h5 h6 center noscript form pre".split()
)
# How far into a file markup detection reads its structure; past a prologue longer than
# this, an "<svg" within :data:`_FAR` still makes it an SVG.
_HEAD = 4096
_FAR = 64 * 1024


def sniff(data: bytes) -> str:
    """The kind of ``data``: a key of :data:`DECODABLE`, one of :data:`UNSUPPORTED` or
    :data:`MARKUP`, or "" for anything else (text, JSON, an archive, nothing)."""
    return _picture(data) or _markup(data)


def _picture(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":
        return _iso_media(data)
    if data.startswith(b"BM") and int.from_bytes(data[14:18], "little") in _BMP_HEADERS:
        return "bmp"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if data.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return "jxl"
    if data.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")):
        return "jp2"
    if data.startswith(b"\x00\x00\x01\x00") and len(data) > 6 and data[4] + data[5] > 0:
        return "ico"
    if data.startswith(b"8BPS"):
        return "psd"
    if data.startswith(b"qoif"):
        return "qoi"
    return ""


def _iso_media(data: bytes) -> str:
    """AVIF or HEIC by the brands of the first box (``ftyp``), else "" (an MP4, say)."""
    size = int.from_bytes(data[:4], "big")
    end = min(max(size, 16), len(data), 256)
    brands = {data[8:12]} | {data[i : i + 4] for i in range(16, end - 3, 4)}
    if brands & _AVIF_BRANDS:
        return "avif"
    if brands & _HEIF_BRANDS:
        return "heic"
    return ""


def _markup(data: bytes) -> str:
    """ "svg", "html" or "xml" when ``data`` is markup, else ""."""
    head = _text_head(data)
    if not head.lstrip().startswith(b"<"):
        return ""
    declared_xml = head.lstrip().startswith(b"<?xml")
    position = 0
    while prologue := _PROLOGUE.match(head, position):
        position = prologue.end()
    doctype = _DOCTYPE.match(head, position)
    if doctype is not None:
        name = doctype.group(1)
        if name == b"html":
            return "html"
        if name.endswith(b"svg"):
            return "svg"
        position = head.find(b">", doctype.end()) + 1 or len(head)
    element = _ELEMENT.match(head, position)
    name = element.group(1).rpartition(b":")[2] if element else b""
    if name == b"svg" or b"<svg" in head or (not name and _svg_further_on(data)):
        return "svg"
    if name in _HTML_ELEMENTS or (name and not declared_xml and b"<html" in head):
        return "html"
    return "xml" if declared_xml or name else ""


def _svg_further_on(data: bytes) -> bool:
    """A prologue (comments, a DTD's internal subset) longer than the head hides the first
    element: look for the SVG element further on."""
    far = data[: _FAR * 2]
    if far.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "<svg" in far.decode("utf-16", "replace").lower()
    return b"<svg" in far[:_FAR].lower()


def _text_head(data: bytes) -> bytes:
    """The first bytes as lowercase ASCII-ish text, byte order marks dropped; UTF-16
    markup (rare, but legal XML) is narrowed to one byte a character."""
    head = data[: _HEAD * 2]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        head = head[2:].decode(encoding, "replace").encode("ascii", "replace")
    elif head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head[:_HEAD].lower()
