"""What the story list should show, line by line, and a check of a screen against it.

The benchmark reads the library itself (through the facade, before the app starts) so
that it knows every line of the "all stories" view: line ``n`` is a topic heading or a
story, in the order :meth:`tui.core.library.Library.story_index` gives (no topic folded).
A frame then counts as "the list" only if the lines on screen are the lines of the view,
in order, and the highlighted one is where the cursor should be: a blank first frame, a
splash, a half-filled list or a frame from before the key press all fail the check.

Rows the app has not read yet are drawn as ``…``: a frame with some is *consistent* (the
cursor has moved) but not *complete*; both moments are reported.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from startup_screen import Screen

from tui.core.library import Library

_BORDER = "▕"  # the list pane's right border (vkey)
_PLACEHOLDER = "…"


@dataclass(frozen=True, slots=True)
class Expected:
    heading: bool
    text: str  # topic name or story title
    unread: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    consistent: bool  # every line matches or is a placeholder; the cursor line is right
    complete: bool  # consistent, and no placeholder left
    top: int  # the view line at the top of the pane (-1 when not consistent)
    problem: str = ""


class ListView:
    """The lines of the library's "all stories" view (every topic unfolded)."""

    def __init__(self, library_path: Path) -> None:
        with Library(library_path) as library:
            index = library.story_index()
            rows = {row.id: row for row in library.story_rows()}
            stories, _unread, _bookmarked = library.counts()
        self.ids = list(index.ids)
        self.stories = stories
        self.groups = [(g.topic.name, g.start, g.count) for g in index.groups]
        self.titles = {i: (rows[i].title, not rows[i].read) for i in self.ids}
        self._starts: list[int] = []
        line = 0
        for _name, _start, count in self.groups:
            self._starts.append(line)
            line += 1 + count
        self.line_count = line

    def expected(self, line: int) -> Expected | None:
        if line < 0 or line >= self.line_count:
            return None
        group = bisect_right(self._starts, line) - 1
        name, start, _count = self.groups[group]
        offset = line - self._starts[group]
        if offset == 0:
            return Expected(True, name)
        title, unread = self.titles[self.ids[start + offset - 1]]
        return Expected(False, title, unread)

    def first_title(self) -> str:
        expected = self.expected(1)
        return expected.text if expected else ""


@dataclass(frozen=True, slots=True)
class Geometry:
    rows: int  # lines of the list pane (from the top of the screen)
    width: int  # columns before the pane's border


def geometry(screen: Screen) -> Geometry | None:
    """Where the list pane is: above the status bar, left of its border."""
    status = None
    for y in range(screen.lines - 1, -1, -1):
        text = screen.row_text(y)
        if " indexed:" in text and "[news/" in text:
            status = y
            break
    if status is None or status < 3:
        return None
    widths = [screen.row_text(y).find(_BORDER) for y in range(status)]
    width = max(set(widths), key=widths.count)
    if width < 10:
        return None
    return Geometry(status, width)


def _matches(text: str, expected: Expected | None) -> bool | None:
    """True/False for a line that matches or not; None for a placeholder."""
    if expected is None:
        return not text.strip()
    if expected.heading:
        return text[:3] in (" ▾ ", " ▸ ") and _title_fits(text[3:], expected.text)
    if text.strip() == _PLACEHOLDER:
        return None
    mark = "●" if expected.unread else " "
    return len(text) > 4 and text[1] == mark and _title_fits(text[4:], expected.text)


def _title_fits(shown: str, full: str) -> bool:
    """``shown`` is ``full``, or ``full`` cut short with an ellipsis."""
    if shown.startswith(full):
        return True
    cut = shown.find("…")
    return cut >= 8 and full.startswith(shown[:cut])


def cursor_row(screen: Screen, geo: Geometry) -> int | None:
    """The pane line with the cursor's background (the one unlike the others)."""
    backs = [screen.backs[y][1] for y in range(geo.rows)]
    common = max(set(backs), key=backs.count)
    odd = [y for y, back in enumerate(backs) if back != common]
    return odd[0] if len(odd) == 1 else None


def check(screen: Screen, view: ListView, cursor_line: int) -> Verdict:
    """Does the screen show the view with the cursor on ``cursor_line``?"""
    geo = geometry(screen)
    if geo is None:
        return Verdict(False, False, -1, "no status bar or list pane")
    row = cursor_row(screen, geo)
    if row is None:
        return Verdict(False, False, -1, "no single cursor line")
    top = cursor_line - row
    placeholders = matched = 0
    for y in range(geo.rows):
        text = screen.row_text(y)
        cut = text.find(_BORDER)
        ok = _matches(text[:cut] if cut >= 0 else text, view.expected(top + y))
        if ok is False:
            return Verdict(False, False, -1, f"line {y} is not view line {top + y}: {text[:60]!r}")
        if ok is None:
            placeholders += 1
            if y == row:
                return Verdict(False, False, -1, "cursor on a row not read yet")
        else:
            matched += 1
    return Verdict(True, placeholders == 0, top)


def status_text(screen: Screen) -> str:
    geo = geometry(screen)
    return screen.row_text(geo.rows) if geo is not None else ""
