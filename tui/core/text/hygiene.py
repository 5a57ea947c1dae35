"""Text hygiene for everything that arrives from a feed or a web page.

Feed text is hostile until cleaned. Every string is passed through here once, at ingest,
before it is stored; the CLI passes output through :func:`clean_line`/:func:`clean_text`
again on its way to a terminal, so a library written by an older version cannot leak
escape sequences either.

What is removed:

* whole terminal escape sequences (CSI ``ESC [ ... final``, OSC ``ESC ] ... BEL|ST`` such
  as OSC 52 clipboard writes and OSC 8 hyperlinks, DCS/SOS/PM/APC strings, and the
  two-byte ``ESC x`` forms), in both their 7-bit and 8-bit (C1) spellings;
* every other C0 and C1 control character except newline and tab;
* bidirectional embedding, override and isolate characters, which can make text read
  differently from what it is (U+202A..U+202E, U+2066..U+2069).

Nothing here interprets markup: ``[@click=app.quit]x[/]`` is ordinary text, and it is the
display layer's job to show it as such.
"""

from __future__ import annotations

import re

# 7-bit and 8-bit introducers. Strings (OSC, DCS, SOS, PM, APC) run until BEL or ST; a
# string that never terminates is removed to the end of the text, so that an unterminated
# OSC 52 cannot smuggle its payload through as visible text either.
_ESC_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?          # CSI ... final
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$) # OSC/DCS/SOS/PM/APC
  | \x1b [\x20-\x2f]* [\x30-\x7e]?                                      # ESC x, ESC ( B ...
    """,
    re.VERBOSE | re.DOTALL,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
# Everything strip_controls acts on: when none of it is present (most text), the text is
# returned as it is, which makes cleaning a whole feed several times cheaper.
_ANYTHING_TO_STRIP = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
# The ASCII part of that set, for the cheaper check of ASCII text.
_ASCII_TO_STRIP = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_BLANK_LINES = re.compile(r"\n{3,}")

#: The only URL schemes newsterm ever hands to a browser or a clipboard.


def strip_controls(text: str) -> str:
    """Remove escape sequences, control characters and bidi overrides; keep newlines and tabs."""
    if not text:
        return ""
    if not has_controls(text):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _ESC_SEQUENCE.sub("", text)
    return _CONTROLS.sub("", text)


def has_controls(text: str) -> bool:
    """Whether :func:`strip_controls` would change ``text``; a few times cheaper than one
    regex search, which matters because nearly all text is clean.

    Every character strip_controls acts on is unprintable to :meth:`str.isprintable`, so
    printable text (a title, a name) has none. Text with newlines or tabs is not
    printable; when it is ASCII, deleting the ASCII controls from its bytes, in C, tells.
    """
    if text.isprintable():
        return False
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_TO_STRIP)) != len(text)
    return _ANYTHING_TO_STRIP.search(text) is not None


def clean_text(text: str | None) -> str:
    """Clean multi-line text (a summary, a body): controls removed, blank runs squeezed."""
    if not text:
        return ""
    cleaned = strip_controls(text)
    cleaned = "\n".join(line.rstrip() for line in cleaned.split("\n"))
    return _BLANK_LINES.sub("\n\n", cleaned).strip()


def clean_line(text: str | None) -> str:
    """Clean text meant for one line (a title, a feed name): all whitespace becomes one space."""
    if not text:
        return ""
    # str.split() splits at exactly the characters regex's ``\s`` matches and strip() strips
    # (str.isspace), so this is ``re.sub(r"\s+", " ", text).strip()``, three times faster.
    return " ".join(strip_controls(text).split())


def clean_url(url: str | None) -> str:
    """Clean a URL from a feed: no controls, no whitespace at all. The scheme is kept as given."""
    if not url:
        return ""
    return "".join(strip_controls(url).split())  # as in clean_line: every \s removed
