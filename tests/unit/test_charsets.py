"""Which charset labels from outside mean a text encoding, and which codec."""

from __future__ import annotations

import pytest

from tui.core.parse.feed import parse_feed
from tui.core.text.charsets import text_codec


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("utf-8", "utf-8"),
        ("UTF8", "utf-8"),
        (" 'utf-8' ", "utf-8"),
        ("latin1", "cp1252"),  # as browsers read it
        ("us-ascii", "cp1252"),
        ("iso-8859-9", "cp1254"),
        ("windows-874", "cp874"),
        ("tis-620", "cp874"),
        ("x-sjis", "shift_jis"),
        ("Shift_JIS", "shift_jis"),
        ("windows-31j", "cp932"),
        ("gb2312", "gb18030"),
        ("euc-kr", "euc_kr"),
        ("koi8-r", "koi8-r"),
        ("x-mac-roman", "mac-roman"),
        ("utf-16le", "utf-16-le"),
    ],
)
def test_text_encodings_are_named(label: str, codec: str) -> None:
    assert text_codec(label) == codec


@pytest.mark.parametrize(
    "label",
    ["zlib", "base64", "hex", "rot13", "bz2", "uu", "quopri", "unicode_escape",
     "raw_unicode_escape", "idna", "punycode", "undefined", "UTF-6", "x-no-such-encoding",
     "utf-8\x00", "", "  ", "é", "a" * 500, b"\xff\xfe", None],
)  # fmt: skip
def test_anything_else_is_none_and_never_raises(label: str | bytes | None) -> None:
    assert text_codec(label) is None


def test_a_turkish_feed_declared_iso_8859_9_keeps_its_letters() -> None:
    title = "Güneş ışığı ve Ğ, İ, Ş"
    body = (
        '<?xml version="1.0" encoding="iso-8859-9"?><rss version="2.0"><channel>'
        f"<title>{title}</title><item><title>{title}</title><guid>g1</guid></item>"
        "</channel></rss>"
    ).encode("iso-8859-9")
    feed = parse_feed(body, url="https://example.org/feed")
    assert feed.title == title and feed.entries[0].title == title
