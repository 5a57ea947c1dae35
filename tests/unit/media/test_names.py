"""File names for downloaded enclosures, from hostile titles and URLs."""

from __future__ import annotations

import unicodedata

import pytest

from tui.core.media.names import MAX_STEM_BYTES, file_name, numbered

URL = "https://cdn.example/pod/episode-42.mp3"
MP3 = "audio/mpeg"


def assert_plain(name: str) -> None:
    """A name that stays in the folder it is joined to, on any system."""
    assert name and name not in (".", "..")
    assert not name.startswith((".", "-", " "))
    assert ".." not in name
    assert not any(ch in name for ch in '/\\:*?"<>|')
    assert all(unicodedata.category(ch) not in ("Cc", "Cs") for ch in name)
    assert not any(ch in name for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert len(name.encode("utf-8")) <= MAX_STEM_BYTES + 10
    assert unicodedata.is_normalized("NFC", name)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "etc-passwd.mp3"),
        ("/abs/path", "abs-path.mp3"),
        ("C:\\Windows\\win.ini", "C --Windows-win.ini.mp3"),
        ("\x1b]52;c;Y3VybCBldmlsLnNo\x07Clipboard", "Clipboard.mp3"),
        ("\x1b]52;c;Y3VybCBldmlsLnNo never ends", "episode.mp3"),  # unterminated OSC: all of it
        ("\x1b[2JCleared", "Cleared.mp3"),
        ("nul\x00in\x00the\x00middle", "nulinthemiddle.mp3"),
        ("", "episode.mp3"),
        (".", "episode.mp3"),
        ("..", "episode.mp3"),
        ("...", "episode.mp3"),
        ("   \t\n ", "episode.mp3"),
        ("\x1b[31m\x1b[0m", "episode.mp3"),
        ("CON", "CON_.mp3"),
        ("nul", "nul_.mp3"),
        ("com1.tar", "com1_.tar.mp3"),
        ("Console", "Console.mp3"),
        (".hidden", "hidden.mp3"),
        ("-rf --no-preserve-root", "rf --no-preserve-root.mp3"),
        ('Episode 5: Why? <Live> | "Q&A" *', "Episode 5 - Why Live - 'Q&A'.mp3"),
        ("  lots \t of\n\nspace  ", "lots of space.mp3"),
        ("trailing dots...", "trailing dots.mp3"),
        ("a..b", "a.b.mp3"),
        ("Jazz 🎷 & 👩‍👩‍👧 night", "Jazz 🎷 & 👩‍👩‍👧 night.mp3"),
        ("zero\u200bwidth\u2060joiner", "zerowidthjoiner.mp3"),
    ],
)
def test_a_hostile_title_becomes_a_plain_name(title: str, expected: str) -> None:
    name = file_name(title, URL, MP3)
    assert name == expected
    assert_plain(name)


def test_a_bidi_override_cannot_disguise_the_extension() -> None:
    # Shown with the override, "invoice\u202egpj.exe" reads as "invoiceexe.jpg".
    name = file_name("invoice\u202egpj.exe", URL, MP3)
    assert name == "invoicegpj.exe.mp3"
    assert_plain(name)
    assert file_name("\u2067isolated\u2069 \u200fmark", URL, MP3) == "isolated mark.mp3"


def test_composed_and_decomposed_titles_give_one_name() -> None:
    assert file_name("Cafe\u0301", URL, MP3) == file_name("Café", URL, MP3) == "Café.mp3"


@pytest.mark.parametrize("piece", ["x", "é", "語", "🎙", "e\u0301"])
def test_a_long_title_is_cut_between_characters(piece: str) -> None:
    name = file_name(piece * 1000, URL, MP3)
    stem = name.removesuffix(".mp3")
    assert MAX_STEM_BYTES - 4 < len(stem.encode("utf-8")) <= MAX_STEM_BYTES
    assert stem == unicodedata.normalize("NFC", piece * 1000)[: len(stem)]
    assert not unicodedata.combining(stem[-1])
    assert_plain(name)


def test_a_long_title_does_not_end_on_a_space_or_a_dot_after_the_cut() -> None:
    name = file_name("a" * (MAX_STEM_BYTES - 1) + " and more", URL, MP3)
    assert name == "a" * (MAX_STEM_BYTES - 1) + ".mp3"


@pytest.mark.parametrize(
    ("url", "media_type", "extension"),
    [
        ("https://h/ep.mp3", "audio/mpeg", ".mp3"),
        ("https://h/ep.MP3?x=1#t=5", "audio/mpeg", ".mp3"),
        ("https://h/ep.m4a", "audio/mpeg", ".m4a"),  # the same kind of media: the file's own
        ("https://h/ep.mp3", "video/mp4", ".mp4"),  # another kind: the declared type's
        ("https://h/ep", "audio/x-m4a", ".m4a"),
        ("https://h/ep", "audio/mpeg; charset=binary", ".mp3"),
        ("https://h/ep.ogg", "", ".ogg"),
        ("https://h/ep.exe", "", ".bin"),
        ("https://h/ep.exe", "application/octet-stream", ".bin"),
        ("https://h/ep.sh", "audio/mpeg", ".mp3"),
        ("https://h/ep.html", "", ".bin"),
        ("https://h/ep.pdf", "application/pdf", ".pdf"),
        ("https://h/ep", "", ".bin"),
        ("https://h/ep", "application/x-unheard-of", ".bin"),
        ("https://h/ep.verylongsuffix", "", ".bin"),
        ("https://h/ep.mp3;jsessionid=1", "", ".bin"),
        ("https://h/a.mp3/", "", ".bin"),  # the last segment is empty
        ("https://h/ep.mp%33", "", ".mp3"),  # percent-escaped letters are letters
        ("https://h/ep%2Emp3%2F..%2F..%2Fx.sh", "audio/mpeg", ".mp3"),
        ("https://h/../../etc/passwd", "audio/mpeg", ".mp3"),
        ("https://h/x/..%2F..%2Fevil.mp3", "", ".mp3"),
        ("http://[::1", "audio/mpeg", ".mp3"),  # an unparsable URL gives no suffix
    ],
)
def test_the_extension_comes_from_a_fitting_suffix_or_the_type(
    url: str, media_type: str, extension: str
) -> None:
    name = file_name("Talk", url, media_type)
    assert name == f"Talk{extension}"
    assert_plain(name)


def test_the_url_file_name_is_never_the_name() -> None:
    name = file_name("", "https://h/..%2F..%2F.bashrc%00.mp3", MP3)
    assert name == "episode.mp3"


def test_numbered_names_keep_the_extension() -> None:
    assert numbered("Talk.mp3", 2) == "Talk (2).mp3"
    assert numbered("v1.2 release.m4a", 12) == "v1.2 release (12).m4a"
    assert numbered("CON_.bin", 3) == "CON_ (3).bin"
