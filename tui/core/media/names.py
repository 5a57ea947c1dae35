"""The file name a downloaded enclosure is saved under.

The name is made from the story's title, which is feed text and so hostile: it may hold
escape sequences, path separators, ``..``, a Windows device name or a bidi override that
makes ``evil\u202egpj.exe`` read as ``evilexe.jpg``. The feed's own file name (the URL's
last segment) is never used, not even cleaned: only a short, known suffix of it may give
the extension. Whatever comes in, what comes out is one plain file name that stays in the
folder it is joined to, on Linux, macOS and Windows alike.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from pathlib import PurePath
from urllib.parse import unquote, urlsplit

from tui.core.text.hygiene import strip_controls

__all__ = ["MAX_STEM_BYTES", "file_name", "numbered"]

#: The title part's length in UTF-8 bytes; file systems allow 255 per name, and the
#: extension, a " (12)" and the partial file's ".….part" must still fit.
MAX_STEM_BYTES = 120
_FALLBACK = "episode"

# Illegal in a name on Windows (all of them) or macOS (":"), or a path separator.
_REPLACED = str.maketrans(
    {"/": "-", "\\": "-", "|": "-", ":": " -", '"': "'", "<": "", ">": "", "?": "", "*": ""}
)
_DOT_RUNS = re.compile(r"\.{2,}")
# Windows opens the device, not a file, for these names whatever their extension.
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{device}{n}" for device in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")]
)
# Kept although "format" characters: they join emoji and some scripts' letters.
_JOINERS = frozenset("\u200c\u200d")
_SUFFIX = re.compile(r"[a-z0-9]{1,5}")
_GENERIC_TYPES = frozenset(["", "application/octet-stream", "binary/octet-stream"])
_MEDIA = ("audio", "video", "image")

# A table of our own, not the module's: mimetypes.init() reads the system's
# /etc/mime.types, so the same episode would be named differently on different machines.
# Python's built-in table lacks most podcast types; the first extension given for a type
# is the one a name gets.
_TYPES = mimetypes.MimeTypes()
for _known_type, _known_extension in (
    ("audio/mp4", ".m4a"),
    ("audio/x-m4a", ".m4a"),
    ("audio/m4a", ".m4a"),
    ("audio/mp3", ".mp3"),
    ("audio/x-mpeg", ".mp3"),
    ("audio/x-mp3", ".mp3"),
    ("audio/ogg", ".ogg"),
    ("audio/ogg", ".oga"),
    ("audio/vorbis", ".ogg"),
    ("audio/flac", ".flac"),
    ("audio/x-flac", ".flac"),
    ("audio/wav", ".wav"),
    ("audio/x-wav", ".wav"),
    ("audio/x-aac", ".aac"),
    ("video/x-m4v", ".m4v"),
    ("video/x-matroska", ".mkv"),
    ("video/ogg", ".ogv"),
    ("application/epub+zip", ".epub"),
):
    _TYPES.add_type(_known_type, _known_extension)


def file_name(title: str, url: str, media_type: str) -> str:
    """A safe file name for an enclosure: the cleaned title and an extension.

    Never empty, never hidden, never a path: no separator, no ``..``, no control or bidi
    character, not a Windows device name, at most :data:`MAX_STEM_BYTES` bytes before
    the extension.
    """
    return _stem(title) + _extension(url, media_type)


def numbered(name: str, n: int) -> str:
    """``"Talk.mp3"`` → ``"Talk (2).mp3"``: the name to try when the first is taken."""
    plain = PurePath(name)
    return f"{plain.stem} ({n}){plain.suffix}"


def _stem(title: str) -> str:
    text = unicodedata.normalize("NFC", strip_controls(title))
    # strip_controls keeps tabs and newlines (split() below makes them spaces); the other
    # invisible formatting characters (zero-width spaces, bidi marks) and lone surrogates,
    # which no file system can store, go here.
    text = "".join(
        ch
        for ch in text
        if ch in _JOINERS
        or ch.isspace()  # tabs, newlines: made single spaces below
        or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Cn")
    )
    text = " ".join(text.translate(_REPLACED).split())
    text = _DOT_RUNS.sub(".", text)
    text = _trim(_cut(_trim(text), MAX_STEM_BYTES))
    head, dot, rest = text.partition(".")
    if head.rstrip().upper() in _RESERVED:  # "CON.tar" is the device as much as "CON"
        text = f"{head.rstrip()}_{dot}{rest}"
    return text or _FALLBACK


def _trim(text: str) -> str:
    # Leading dots hide a file (and "." or ".." name folders); a leading dash reads as an
    # option to the player it is handed to; Windows drops trailing dots and spaces.
    return text.lstrip(" .-").rstrip(" .")


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes, cut between characters (never inside one), and not
    leaving a joiner or a combining mark without what it joins."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[:limit].decode("utf-8", "ignore")
    while cut and (cut[-1] in _JOINERS or unicodedata.combining(cut[-1])):
        cut = cut[:-1]
    return cut


def _extension(url: str, media_type: str) -> str:
    wanted = media_type.split(";", 1)[0].strip().lower()
    suffix = _url_suffix(url)
    if suffix is not None:
        found = _TYPES.guess_type(f"name.{suffix}")[0]
        if found is not None and _fits(found, wanted):
            return f".{suffix}"
    if wanted:
        guessed = _TYPES.guess_extension(wanted)
        if guessed is not None and _SUFFIX.fullmatch(guessed[1:]):
            return guessed
    return ".bin"


def _url_suffix(url: str) -> str | None:
    """The URL path's last segment's suffix, when it is a short run of letters and digits."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    segment = unquote(path.rsplit("/", 1)[-1])
    if "." not in segment:
        return None
    suffix = segment.rsplit(".", 1)[1].lower()
    return suffix if _SUFFIX.fullmatch(suffix) else None


def _fits(found: str, wanted: str) -> bool:
    """Whether a suffix's type may stand for the enclosure's declared type: the same type,
    or the same kind of media (an ``.m4a`` for ``audio/mpeg``). With no useful declared
    type only a media suffix is taken, never ``.exe`` or ``.html``."""
    major = found.split("/", 1)[0]
    if wanted in _GENERIC_TYPES:
        return major in _MEDIA
    return found == wanted or (major in _MEDIA and major == wanted.split("/", 1)[0])
