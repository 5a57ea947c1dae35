"""Subscription files that lie about their encoding, nest without end or are not text at all.

Each one is read (falling back to UTF-8 when that is what the bytes are) or refused in one
sentence (:class:`ImportFileError`); nothing else escapes, and nothing takes long.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.paths import CORPUS
from tui.core.errors import ImportFileError
from tui.core.subscriptions.opml import parse_opml, parse_urls_file, read_subscription_file

FUZZ_REPRO = CORPUS / "fuzz-repro"

BODY = (
    '<opml version="2.0"><head><title>t</title></head><body>'
    '<outline text="Tech"><outline text="Café ☕ 日本" xmlUrl="https://a.example/feed"/></outline>'
    "</body></opml>"
)


def declared(label: str, text: str = BODY, codec: str = "utf-8") -> bytes:
    return f'<?xml version="1.0" encoding="{label}"?>\n{text}'.encode(codec)


def titles(data: bytes) -> list[tuple[str, str, str]]:
    return [(s.url, s.title, s.topic) for s in parse_opml(data).subscriptions]


READ_AS_UTF8 = [("https://a.example/feed", "Café ☕ 日本", "Tech")]


@pytest.mark.parametrize(
    "label",
    [
        "x-no-such-encoding",  # unknown to Python
        "UTF-6",  # unknown
        "UTF-7",  # a multi-byte codec expat refuses, and no web document may use
        "zlib",  # bytes-to-bytes codecs: never a text encoding
        "base64",
        "hex",
        "rot13",
        "undefined",  # a codec whose decoder always raises UnicodeError
        "unicode_escape",  # would turn "\\x1b" in the text into an escape character
    ],
)
def test_a_label_naming_no_text_encoding_falls_back_to_utf8(label: str) -> None:
    assert titles(declared(label)) == READ_AS_UTF8


def test_a_long_label_or_one_after_a_bom_falls_back_to_utf8() -> None:
    # The fuzzer's find: a 105-character label slipped past the check and reached expat.
    assert titles(declared("U" * 100 + "TF-8")) == READ_AS_UTF8
    assert titles(b"\xef\xbb\xbf" + declared("x-no-such-encoding")) == READ_AS_UTF8


@pytest.mark.parametrize("label", ["", "utf\x01", "utf 8", "utf-8\x00"])
def test_a_declaration_that_is_not_well_formed_is_refused_in_a_sentence(label: str) -> None:
    with pytest.raises(ImportFileError, match=r"^subs\.opml is not well-formed XML: .*\.$"):
        parse_opml(declared(label), source="subs.opml")


def test_a_label_naming_no_text_encoding_on_bytes_that_are_not_utf8_is_refused() -> None:
    data = declared("x-no-such-encoding", codec="utf-8").replace("Café".encode(), b"Caf\xe9")
    with pytest.raises(ImportFileError) as raised:
        parse_opml(data, source="subs.opml")
    message = str(raised.value)
    assert message.startswith("subs.opml says its text is in x-no-such-encoding")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("label", "codec", "title"),
    [
        ("Shift_JIS", "shift_jis", "日本のニュース"),
        ("gb18030", "gb18030", "中文新闻"),
        ("GB2312", "gb2312", "中文新闻"),
        ("EUC-KR", "euc_kr", "한국어 뉴스"),
        ("Big5", "big5", "中文新聞"),
        ("EUC-JP", "euc_jp", "日本のニュース"),
    ],
)
def test_multi_byte_encodings_expat_refuses_are_read(label: str, codec: str, title: str) -> None:
    text = BODY.replace("Café ☕ 日本", title)
    (found,) = parse_opml(declared(label, text, codec)).subscriptions
    assert found.title == title


def test_a_single_byte_label_still_reads_its_bytes() -> None:
    text = BODY.replace("Café ☕ 日本", "Новости")
    (found,) = parse_opml(declared("windows-1251", text, "cp1251")).subscriptions
    assert found.title == "Новости"


def test_utf32_and_a_wide_label_on_narrow_bytes() -> None:
    (found,) = parse_opml(declared("UTF-32", codec="utf-32")).subscriptions
    assert found.title == "Café ☕ 日本"
    # Says UTF-16, is UTF-8: there is no byte order mark or NUL to make it UTF-16.
    assert titles(declared("UTF-16")) == READ_AS_UTF8


def test_declared_encoding_whose_bytes_do_not_decode_falls_back_or_is_refused() -> None:
    # Shift_JIS declared, UTF-8 written: UTF-8 is what the bytes are.
    assert titles(declared("Shift_JIS")) == READ_AS_UTF8
    # Neither Shift_JIS nor UTF-8.
    data = declared("Shift_JIS").replace("Café".encode(), b"\x81\xff\xfe")
    with pytest.raises(ImportFileError, match="is not"):
        parse_opml(data, source="subs.opml")


@pytest.mark.corpus
@pytest.mark.skipif(not FUZZ_REPRO.is_dir(), reason=f"no fuzz reproducers at {FUZZ_REPRO}")
@pytest.mark.parametrize(
    "name", sorted(p.name for p in FUZZ_REPRO.glob("opml-*.bin")) if FUZZ_REPRO.is_dir() else []
)
def test_fuzz_reproducers_are_read_or_refused_in_a_sentence(name: str) -> None:
    data = (FUZZ_REPRO / name).read_bytes()
    try:
        result = parse_opml(data, source=name)
    except ImportFileError as error:
        assert "\n" not in str(error)
    else:
        assert all(s.url for s in result.subscriptions)


def test_deep_nesting_takes_linear_time() -> None:
    depth = 100_000
    data = (
        '<?xml version="1.0"?><opml version="2.0"><body>'
        + '<outline text="" xmlUrl="https://a.example/f">' * depth
        + "</outline>" * depth
        + "</body></opml>"
    ).encode()
    started = time.perf_counter()
    result = parse_opml(data)
    assert time.perf_counter() - started < 60  # a hang detector: it took ~250 s before
    assert [s.url for s in result.subscriptions] == ["https://a.example/f"]


def test_deep_nesting_of_unnamed_folders_keeps_the_named_one() -> None:
    depth = 50_000
    data = (
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="Top">'
        + "<outline>" * depth
        + '<outline text="f" xmlUrl="https://a.example/f"/>'
        + "</outline>" * depth
        + "</outline></body></opml>"
    ).encode()
    (found,) = parse_opml(data).subscriptions
    assert found.topic == "Top"


def test_utf16_big_endian_without_a_bom_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "subs.opml"
    path.write_bytes(declared("UTF-16", codec="utf-16-be"))
    assert [s.url for s in read_subscription_file(path).subscriptions] == ["https://a.example/feed"]


# --- newsboat urls files -------------------------------------------------------------------


def test_a_huge_line_is_refused_by_number_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "urls"
    huge = "https://a.example/" + "x" * 5_000_000
    path.write_text(f'{huge} "tag"\nhttps://b.example/feed tech\n', encoding="utf-8")
    started = time.perf_counter()
    result = read_subscription_file(path)
    assert time.perf_counter() - started < 30  # a hang detector: shlex takes ~10 s a MB
    assert [s.url for s in result.subscriptions] == ["https://b.example/feed"]
    (refusal,) = result.refused
    assert refusal.startswith("line 1: ")
    assert len(refusal) < 300


def test_nuls_and_bad_bytes_after_the_start_are_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "urls"
    start = b"https://a.example/feed ~Caf\xe9\n" + b"# " + b"x" * 9000 + b"\n"
    path.write_bytes(
        start + b"https://b.example/\x00feed tag\x00two\nhttps://c.example/ \xff\xfe\n"
    )
    result = read_subscription_file(path)
    urls = [s.url for s in result.subscriptions]
    assert urls[0] == "https://a.example/feed"
    assert result.subscriptions[0].title == "Caf\ufffd"
    assert "https://c.example/" in urls
    for text in [*result.refused, *(s.title for s in result.subscriptions)]:
        assert "\x00" not in text


def test_escape_sequences_in_urls_file_titles_and_tags_are_removed() -> None:
    result = parse_urls_file('https://a.example/ "\x1b]52;c;QUJD\x07tag" ~"\x1b[2Jtitle"')
    (found,) = result.subscriptions
    assert "\x1b" not in found.title + "".join(found.tags)
