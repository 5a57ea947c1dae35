"""An episode's transcript and chapters, read from the files its feed points at.

Podcasting 2.0's ``<podcast:transcript>`` names a file in WebVTT, SRT, its own JSON, HTML
or plain text (a story's extras: :mod:`tui.core.parse.enclosures`); ``<podcast:chapters>``
a JSON list of chapters. The caller fetches the file, at most :data:`MAX_TRANSCRIPT_BYTES`
or :data:`MAX_CHAPTERS_BYTES`, and hands the bytes here:

* :func:`transcript_article` makes an :class:`~tui.core.article.sections.Article` of a
  transcript, for the reader to show like a story's body. A timed transcript gets a section
  at each change of speaker, and every five minutes or so, headed ``00:12:30 · Speaker``;
  the cues of one speaker join into paragraphs. HTML goes through the article parser (its
  ``<cite>`` speakers become headings); plain text is cut into paragraphs at blank lines.
* :func:`chapters` and :func:`chapter_lines` read the chapters and write them as lines.

The files are the feed's word, so they are hostile until read: every piece of text is
cleaned (:mod:`tui.core.text.hygiene`: escape sequences and control characters go) after
markup is dropped and entities decoded, sizes and counts are bounded, and what cannot be
read gives an empty result, never an exception. Pure: no I/O.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from tui.core.article.sections import Article, parse_article
from tui.core.models import Block, Enclosure, Section
from tui.core.text.charsets import decode_page, header_charset
from tui.core.text.hygiene import clean_line, clean_text
from tui.core.text.urls import openable_url
from tui.core.text.words import word_count

__all__ = [
    "MAX_CHAPTERS",
    "MAX_CHAPTERS_BYTES",
    "MAX_TRANSCRIPT_BYTES",
    "Chapter",
    "chapter_lines",
    "chapters",
    "chapters_article",
    "extra_article",
    "preferred_transcript",
    "transcript_article",
]

#: What of a transcript file is read: some 8 hours of Podcasting 2.0 JSON with a segment
#: per word. The rest of a larger file is left out (and the transcript says so).
MAX_TRANSCRIPT_BYTES = 8_000_000
#: A chapters file larger than this is no list of chapters: it is not read at all.
MAX_CHAPTERS_BYTES = 2_000_000
#: Chapters kept, the earliest first.
MAX_CHAPTERS = 500

# HTML goes through the article parser, which is slower (~0.35 s a megabyte of hostile
# markup): a transcript of a few hours is some 200 KB of it.
_MAX_HTML_BYTES = 2_000_000
_MAX_CUES = 200_000
_MAX_TEXT = 2_000_000  # characters shown: a day of speech
_MAX_SECTIONS = 5_000
_MAX_CHAPTER_ITEMS = 10_000  # looked at, before sorting
_MAX_TITLE = 200
_MAX_SPEAKER = 60
_MAX_SECONDS = 7 * 24 * 3600
_SECTION_SECONDS = 300  # a new section at the next sentence's end after five minutes...
_SECTION_SECONDS_ANYWAY = 360  # ...or after six, for a transcript without punctuation
_PARAGRAPH_CHARS = 500  # a paragraph ends at the next sentence's end past this...
_PARAGRAPH_CHARS_ANYWAY = 1_500  # ...or here
_CUT_NOTE = "[The transcript goes on; newsterm shows only its first part.]"

_TIMESTAMP = r"(?:(\d{1,4}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_TIMING = re.compile(rf"[ \t]*{_TIMESTAMP}[ \t]*-->[ \t]*{_TIMESTAMP}")
_CLOCK = re.compile(_TIMESTAMP)
_NUMBER = re.compile(r"\d{1,7}(?:\.\d{1,9})?")
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
_SRT_HEAD = re.compile(rf"(?:\d{{1,9}}[ \t]*\n)?{_TIMING.pattern}")
# Bounded, so that a file of "<" and no ">" costs a linear scan, not a quadratic one.
_TAG = re.compile(r"<[^<>]{0,500}>")
_ASS_TAG = re.compile(r"\{\\[^{}]{0,100}\}")  # "{\an8}" in SRT files from subtitle tools
# WebVTT's voice span: <v Name>, <v.loud Name>; the name runs to the ">".
_VOICE = re.compile(r"<v(?:\.[^\s<>]{0,100})?(?:[ \t]+([^<>]{0,200}))?>")
# SRT's "Speaker: words" (Podcasting 2.0's advice for SRT); checked further in _srt_speaker.
_SRT_SPEAKER = re.compile(r"([^\W_][^:\n]{0,40}?)[ \t]?:[ \t]+(?=\S)")
_SENTENCE_END = (".", "!", "?", "…", '"', "”", "'", "’", ")")
# <cite>Kevin:</cite> <time>0:00</time>: a speaker in Podcasting 2.0's HTML transcripts.
_CITE = re.compile(
    r"<cite\b[^<>]{0,200}>([^<]{0,200})</cite>\s*(?:<time\b[^<>]{0,200}>([^<]{0,40})</time>)?",
    re.IGNORECASE,
)
_FORMATS = {
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
    "application/srt": "srt",
    "application/x-srt": "srt",
    "text/srt": "srt",
    "text/x-srt": "srt",
    "application/json": "json",
    "text/json": "json",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "plain",
}
_EXTENSIONS = {
    ".vtt": "vtt",
    ".srt": "srt",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".txt": "plain",
}
# Which transcript to open when an episode has several: timed and with speakers first.
_PREFERENCE = ("vtt", "json", "srt", "html", "plain", "")


@dataclass(frozen=True, slots=True)
class Chapter:
    """A chapter of an episode: where it starts, its title, and a link it may give."""

    start: float  # seconds from the start
    title: str
    url: str = ""  # http(s) only


@dataclass(frozen=True, slots=True)
class _Cue:
    start: float | None  # seconds; None when the file does not say
    speaker: str | None  # None: not said here (the one before goes on speaking)
    text: str


# -- transcripts ---------------------------------------------------------------------------


def preferred_transcript(items: Sequence[Enclosure]) -> Enclosure | None:
    """The transcript to open of a story's extras: WebVTT, JSON, SRT, HTML, then text
    (timed and with speakers first), the feed's first of a kind; None without one."""
    transcripts = [item for item in items if item.rel == "transcript"]
    if not transcripts:
        return None
    return min(transcripts, key=lambda item: _PREFERENCE.index(_declared(item.type, item.url)))


def transcript_article(data: bytes, media_type: str = "", url: str = "") -> Article:
    """A transcript file's bytes as an article; ``media_type`` is what the feed or the
    server says it is (a ``charset`` in it is believed), ``url`` where it came from.

    The format is recognised by the file's first line where it can be (a WebVTT header, an
    SRT cue), else by the media type, else by the URL's extension. An article with no
    words means the file held nothing readable.
    """
    cut = len(data) > MAX_TRANSCRIPT_BYTES
    body = bytes(data[:MAX_TRANSCRIPT_BYTES])
    text = _decode(body, media_type)
    if text is None:
        return Article()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kind = _format(text, media_type, url)
    if kind == "html":
        return _html_article(text[:_MAX_HTML_BYTES], url, cut or len(text) > _MAX_HTML_BYTES)
    if kind == "json":
        cues = _json_cues(text)
        return _cue_article(cues, cut) if cues else Article()
    if kind in ("vtt", "srt"):
        cues = _text_cues(text, srt=kind == "srt")
        if cues:
            return _cue_article(cues, cut)
    return _plain_article(text, cut)


def _decode(body: bytes, media_type: str) -> str | None:
    """The file's text: a byte order mark, else the charset said, else UTF-8 (Windows-1252
    when it is not UTF-8, as SRT files from old tools are); None for binary data."""
    if (
        not body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
        and not header_charset(media_type)
        and not _utf8_but_for_the_cut(body)
    ):
        text = body.decode("cp1252", "replace")
    else:
        text = decode_page(body, media_type)
    text = text.removeprefix("\ufeff")
    head = text[:4096]
    if "\x00" in head or head.count("\ufffd") * 20 > len(head):
        return None  # an image, an archive, UTF-16 without its mark: not text to show
    return text


def _utf8_but_for_the_cut(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(body) - 3  # a character cut in two at the size limit
    return True


def _declared(media_type: str, url: str) -> str:
    """The format the media type names, else the URL's extension; "" when neither does."""
    kind = media_type.split(";", 1)[0].strip().lower()
    found = _FORMATS.get(kind) or ("json" if kind.endswith("+json") else "")
    if found:
        return found
    try:
        path = urlsplit(url).path.lower()
    except ValueError:
        return ""
    dot = path.rfind(".")
    return _EXTENSIONS.get(path[dot:], "") if dot >= 0 else ""


def _format(text: str, media_type: str, url: str) -> str:
    head = text[:1024].lstrip()
    declared = _declared(media_type, url)
    if head.startswith("WEBVTT"):
        return "vtt"
    if _SRT_HEAD.match(head):
        return "vtt" if declared == "vtt" else "srt"
    if declared in ("json", "vtt", "srt", "html"):
        return declared
    if not declared and head[:1] in ("{", "["):
        return "json"
    if not declared and head[:1] == "<":
        return "html"
    return "plain"


# -- WebVTT and SRT ------------------------------------------------------------------------


def _text_cues(text: str, *, srt: bool) -> list[_Cue]:
    """The cues of a WebVTT or SRT file; header, NOTE, STYLE and REGION blocks left out."""
    cues: list[_Cue] = []
    for block in _BLOCK_BREAK.split(text.strip("\n")):
        lines = block.strip("\n").split("\n")
        timing = _TIMING.match(lines[0])
        if timing is None and len(lines) > 1:
            timing = _TIMING.match(lines[1])  # the first line is the cue's identifier
            lines = lines[1:]
        if timing is None:
            if srt and cues and block.strip():
                # A blank line inside a cue's text, which SRT files from some tools have.
                last = cues[-1]
                cues[-1] = _Cue(last.start, last.speaker, _join(last.text, _plain(block)))
            continue  # WEBVTT, NOTE, STYLE, REGION, or not a cue at all
        start = _clock(*timing.groups()[:4])
        payload = "\n".join(lines[1:])
        cues.extend(_srt_cue(start, payload) if srt else _vtt_cues(start, payload))
        if len(cues) >= _MAX_CUES:
            break
    return cues


def _vtt_cues(start: float | None, payload: str) -> list[_Cue]:
    """A WebVTT cue's text, split where a voice span (``<v Name>``) names a speaker."""
    found: list[_Cue] = []
    speaker: str | None = None
    position = 0
    for voice in _VOICE.finditer(payload):
        if text := _plain(payload[position : voice.start()]):
            found.append(_Cue(start, speaker, text))
        speaker = _speaker(voice.group(1) or "") or None
        position = voice.end()
    if text := _plain(payload[position:]):
        found.append(_Cue(start, speaker, text))
    return found


def _srt_cue(start: float | None, payload: str) -> list[_Cue]:
    text = _plain(_ASS_TAG.sub("", payload))
    if not text:
        return []
    speaker, text = _srt_speaker(text)
    return [_Cue(start, speaker, text)] if text else []


def _srt_speaker(text: str) -> tuple[str | None, str]:
    """``"Sarah: In today's episode"`` → ``("Sarah", "In today's episode")``: a name of up
    to four capitalised words (or numbers: "Speaker 2"), else no speaker said."""
    found = _SRT_SPEAKER.match(text)
    if found is None:
        return None, text
    words = found.group(1).split()
    if len(words) > 4 or not all(word[0].isupper() or word[0].isdigit() for word in words):
        return None, text
    return _speaker(found.group(1)) or None, text[found.end() :]


def _plain(markup: str) -> str:
    """A cue's text without its tags, entities decoded, cleaned to one line."""
    return clean_line(html.unescape(_TAG.sub("", markup)))


def _speaker(name: str) -> str:
    return clean_line(html.unescape(name)).rstrip(":").strip()[:_MAX_SPEAKER]


def _join(before: str, after: str) -> str:
    return f"{before} {after}" if before and after else before or after


# -- Podcasting 2.0 JSON -------------------------------------------------------------------


def _json_cues(text: str) -> list[_Cue]:
    """``{"segments": [{"speaker", "startTime", "endTime", "body"}...]}`` (a bare list of
    segments too); a segment per word is as welcome as one per sentence."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested past the limit
        return []
    segments = document.get("segments") if isinstance(document, dict) else document
    cues: list[_Cue] = []
    for segment in segments[:_MAX_CUES] if isinstance(segments, list) else ():
        if not isinstance(segment, dict):
            continue
        body = segment.get("body")
        text = clean_line(body) if isinstance(body, str) else ""
        if not text:
            continue
        speaker = segment.get("speaker")
        cues.append(
            _Cue(
                _seconds(segment.get("startTime")),
                (_speaker(speaker) or None) if isinstance(speaker, str) else None,
                text,
            )
        )
    return cues


# -- cues → an article ---------------------------------------------------------------------


class _Sections:
    """Cues gathered into sections (a speaker's turn, or five minutes) of paragraphs."""

    def __init__(self, speakers: bool) -> None:
        self.speakers = speakers  # whether any cue names one: then each turn is a section
        self.lead: list[Block] = []
        self.sections: list[tuple[str, list[Block]]] = []
        self.paragraph: list[str] = []
        self.paragraph_chars = 0
        self.chars = 0
        self.speaker: str | None = None
        self.section_start: float | None = None
        self.last_start: float | None = None
        self.last_text = ""
        self.full = False

    def add(self, cue: _Cue) -> None:
        if self.full:
            return
        if cue.text == self.last_text and len(cue.text) >= 20:
            return  # a caption repeated as it scrolls, not said twice
        speaker = self.speaker if cue.speaker is None else cue.speaker
        start = self.last_start if cue.start is None else cue.start
        if self._starts_section(speaker, start):
            if len(self.sections) >= _MAX_SECTIONS:
                self.cut()
                return
            self._end_paragraph()
            self.sections.append((_heading(start, speaker if self.speakers else None), []))
            self.section_start = start
        self.speaker, self.last_start, self.last_text = speaker, start, cue.text
        self.paragraph.append(cue.text)
        self.paragraph_chars += len(cue.text) + 1
        self.chars += len(cue.text) + 1
        if self.paragraph_chars >= _PARAGRAPH_CHARS_ANYWAY or (
            self.paragraph_chars >= _PARAGRAPH_CHARS and cue.text.endswith(_SENTENCE_END)
        ):
            self._end_paragraph()
        if self.chars >= _MAX_TEXT:
            self.cut()

    def _starts_section(self, speaker: str | None, start: float | None) -> bool:
        if not self.sections and not self.lead and not self.paragraph:
            return start is not None or bool(speaker)  # else the lead: nothing to head it
        if self.speakers and speaker != self.speaker:
            return True
        if start is None or self.section_start is None:
            return False
        elapsed = start - self.section_start
        return elapsed >= _SECTION_SECONDS_ANYWAY or (
            elapsed >= _SECTION_SECONDS and self.last_text.endswith(_SENTENCE_END)
        )

    def _end_paragraph(self) -> None:
        if self.paragraph:
            block = Block("paragraph", " ".join(self.paragraph))
            (self.sections[-1][1] if self.sections else self.lead).append(block)
        self.paragraph, self.paragraph_chars = [], 0

    def cut(self) -> None:
        """The transcript is longer than newsterm shows: say so at its end."""
        self._end_paragraph()
        (self.sections[-1][1] if self.sections else self.lead).append(Block("paragraph", _CUT_NOTE))
        self.full = True

    def article(self) -> Article:
        self._end_paragraph()
        sections = tuple(Section(heading, tuple(blocks)) for heading, blocks in self.sections)
        return _article(tuple(self.lead), sections)


def _cue_article(cues: Sequence[_Cue], cut: bool) -> Article:
    sections = _Sections(speakers=any(cue.speaker for cue in cues))
    for cue in cues:
        sections.add(cue)
    if cut and not sections.full:
        sections.cut()
    return sections.article()


def _heading(start: float | None, speaker: str | None) -> str:
    parts = [_hours_clock(start)] if start is not None else []
    if speaker:
        parts.append(speaker)
    return " · ".join(parts) or "…"


def _article(lead: tuple[Block, ...], sections: tuple[Section, ...]) -> Article:
    words = [block.text for block in lead]
    for section in sections:
        words.append(section.heading)
        words.extend(block.text for block in section.blocks)
    return Article(lead, sections, word_count=word_count("\n\n".join(words)))


# -- HTML and plain text -------------------------------------------------------------------


def _html_article(text: str, url: str, cut: bool) -> Article:
    """Through the article parser, each ``<cite>`` speaker (and its ``<time>``) a heading."""
    marked = _CITE.sub(_cite_heading, text)
    article = parse_article(marked, base_url=url)
    if not cut:
        return article
    note = Block("paragraph", _CUT_NOTE)
    if article.sections:
        last = article.sections[-1]
        sections = (*article.sections[:-1], Section(last.heading, (*last.blocks, note), last.level))
        return _article(article.lead, sections)
    return _article((*article.lead, note), ())


def _cite_heading(found: re.Match[str]) -> str:
    speaker = _speaker(found.group(1))
    start = _seconds(found.group(2)) if found.group(2) else None
    return f"<h2>{html.escape(_heading(start, speaker))}</h2>"


def _plain_article(text: str, cut: bool) -> Article:
    """Paragraphs at blank lines; a text without any has a paragraph per line."""
    text = clean_text(text[:_MAX_TEXT])
    parts = [part for part in _BLOCK_BREAK.split(text) if part.strip()]
    if len(parts) == 1:
        parts = parts[0].split("\n")
    blocks = [Block("paragraph", line) for part in parts if (line := " ".join(part.split()))]
    if cut or len(text) >= _MAX_TEXT:
        blocks.append(Block("paragraph", _CUT_NOTE))
    return _article(tuple(blocks), ())


# -- times ---------------------------------------------------------------------------------


def _clock(hours: str | None, minutes: str, seconds: str, fraction: str | None) -> float:
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if fraction:
        value += int(fraction) / 10 ** len(fraction)
    return float(min(value, _MAX_SECONDS))


def _seconds(value: object) -> float | None:
    """Seconds from a number, ``"62.5"`` or ``"1:02:03.250"``; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) and 0 <= number <= _MAX_SECONDS else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if found := _CLOCK.fullmatch(text):
        return _clock(*found.groups())
    if _NUMBER.fullmatch(text):
        return min(float(text), float(_MAX_SECONDS))
    return None


def _hours_clock(seconds: float) -> str:
    """``00:12:30``: a section's heading."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


# -- chapters ------------------------------------------------------------------------------


def chapters(data: bytes) -> list[Chapter]:
    """The chapters of Podcasting 2.0's JSON chapters file (``{"chapters": [{"startTime",
    "title", "url"}...]}``), the earliest first, at most :data:`MAX_CHAPTERS`; a chapter
    marked ``"toc": false`` is not for showing. Anything unreadable gives none."""
    if len(data) > MAX_CHAPTERS_BYTES:
        return []
    text = _decode(bytes(data), "application/json")
    if text is None:
        return []
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return []
    items = document.get("chapters") if isinstance(document, dict) else None
    found: list[Chapter] = []
    for item in items[:_MAX_CHAPTER_ITEMS] if isinstance(items, list) else ():
        if not isinstance(item, dict) or item.get("toc") is False:
            continue
        start = _seconds(item.get("startTime"))
        if start is None:
            continue
        title, url = item.get("title"), item.get("url")
        found.append(
            Chapter(
                start,
                clean_line(title if isinstance(title, str) else "")[:_MAX_TITLE],
                (openable_url(url) or "") if isinstance(url, str) else "",
            )
        )
    found.sort(key=lambda chapter: chapter.start)
    return found[:MAX_CHAPTERS]


def chapter_lines(items: Sequence[Chapter]) -> list[str]:
    """``00:00 Intro``, ``12:30 News``, ``1:02:03 Outro``: a line per chapter."""
    return [f"{_chapter_clock(item.start)} {item.title}".rstrip() for item in items]


def _chapter_clock(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def chapters_article(data: bytes) -> Article:
    """Chapters as an article: one list, ``12:30 News`` a line, each link beside it.
    Run in a worker (JSON of up to :data:`MAX_CHAPTERS_BYTES`)."""
    found = chapters(data)
    if not found:
        return Article()
    lines = chapter_lines(found)
    links = tuple((line, item.url) for line, item in zip(lines, found, strict=True) if item.url)
    block = Block("list", items=tuple(lines), links=links)
    return Article(lead=(block,), word_count=word_count("\n".join(lines)))


def extra_article(kind: str, data: bytes, media_type: str, url: str) -> Article:
    """In a worker: a fetched transcript or chapters (``kind``) as an article."""
    if kind == "chapters":
        return chapters_article(data)
    return transcript_article(data, media_type, url)
