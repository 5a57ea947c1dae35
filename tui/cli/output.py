"""Writing to the terminal: lines, JSON and markup, the progress bar, and what becomes of
characters the terminal's encoding lacks.

Feed text is passed through the hygiene filter again here, whatever the library holds: every
line a command prints goes through :func:`echo` or one of its kin.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import shutil
import sys
import unicodedata
from typing import Any, TextIO

from tui.core import strip_controls


def echo(text: str = "", stream: TextIO | None = None) -> None:
    """One line, with control characters taken out, on ``stream`` (default stdout)."""
    stream = stream or sys.stdout
    stream.write(strip_controls(text) + "\n")


# json escapes C0 controls itself but writes these as they are, and a terminal acts on them
# (C1 controls such as CSI U+009B, bidi overrides). As \uXXXX escapes the JSON means the same.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def echo_json(data: Any) -> None:
    """``data`` as indented JSON on stdout, safe for a terminal."""
    import json  # only --json needs it

    # ensure_ascii=False keeps titles readable; the rest is escaped above. Where the output
    # cannot carry every character, all of them become escapes: the JSON means the same.
    text = json.dumps(data, ensure_ascii=not _stdout_is_utf8(), indent=2)
    text = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")


def echo_markup(text: str) -> None:
    """OPML and HTML declare UTF-8: elsewhere they go out as ASCII with character
    references, which keeps the document valid and every character in it."""
    if not _stdout_is_utf8():
        text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    sys.stdout.write(text)


# -- output where the terminal's encoding lacks characters -------------------------------

# Look-alikes for the marks newsterm itself prints; other characters lose their accents
# (NFKD) or become "?". Never an exception: PYTHONIOENCODING=ascii crashed on "●".
_LOOK_ALIKES = str.maketrans(
    {"●": "*", "★": "*", "·": "-", "…": "...", "✗": "x", "█": "#", "░": "-", "—": "-",
     "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "•": "*", "→": "->", "←": "<-"}
)  # fmt: skip


def _degrade(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    shown = []
    for char in error.object[error.start : error.end].translate(_LOOK_ALIKES):
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
        shown.append(plain or "?")
    return "".join(shown), error.end


codecs.register_error("newsterm-degrade", _degrade)


def degrade_output() -> None:
    """From now on, characters stdout and stderr cannot encode print as look-alikes, and
    undecodable input is replaced: never a UnicodeError."""
    for stream, errors in (
        (sys.stdout, "newsterm-degrade"),
        (sys.stderr, "newsterm-degrade"),
        (sys.stdin, "replace"),
    ):
        if hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors=errors)


def _stdout_is_utf8() -> bool:
    try:
        return codecs.lookup(sys.stdout.encoding or "utf-8").name == "utf-8"
    except LookupError:
        return False


# -- progress ----------------------------------------------------------------------------


class ProgressBar:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, doing: str = "refreshing", things: str = "feeds") -> None:
        self.enabled = sys.stderr.isatty()
        self.doing, self.things = doing, things

    def __call__(self, done: int, total: int, result: object) -> None:
        if not self.enabled:
            return
        width = max(10, min(40, shutil.get_terminal_size().columns - 30))
        filled = width * done // max(total, 1)
        bar = "█" * filled + "░" * (width - filled)
        sys.stderr.write(f"\r{self.doing} {bar} {done}/{total} {self.things}")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
