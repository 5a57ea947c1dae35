"""The story list on screen: what it should show, line by line, a check of a screen against
it, and key presses in it timed to the frame that shows them.

The benchmark reads the library itself (through the facade, before the app starts) so
that it knows every line of the "all stories" view: line ``n`` is a topic heading or a
story, in the order :meth:`tui.core.library.Library.story_index` gives (no topic folded).
A frame then counts as "the list" only if the lines on screen are the lines of the view,
in order, and the highlighted one is where the cursor should be: a blank first frame, a
splash, a half-filled list or a frame from before the key press all fail the check.

Rows the app has not read yet are drawn as ``…``: a frame with some is *consistent* (the
cursor has moved) but not *complete*; both moments are reported.

A key press is written to the pty alone, after the frame of the one before has finished,
and is timed to three moments:

* ``first byte``: the first output after the key (idle only: during a refresh the status
  bar's progress keeps writing, so the next byte says nothing about the key);
* ``frame``: the end of the first frame in which the list is consistent with the key
  having been handled: the cursor line is the one it should be, and every line on screen
  is the view's line at that position or a row not read yet (``…``);
* ``painted``: the end of the first frame that also has no ``…`` left, the list as the
  user means to see it. This is the figure held against the target.

Then the session waits until the output has been quiet for a moment (idle), or for a short
pause outside any frame (during a refresh, when it is never quiet), before the next key.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.harness.screen import Screen
from bench.harness.terminal import SessionError, TerminalSession
from tui.core.library import Library
from tui.core.settings import View

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
    """The lines of the library's "all stories" view (every topic unfolded), under the
    headings of ``views`` (saved searches), which the app shows folded until opened."""

    def __init__(self, library_path: Path, views: Sequence[View] = ()) -> None:
        with Library(library_path) as library:
            # As the app asks at start-up: folded views, counted afterwards.
            index = library.story_index(views=views, count_views=False)
            listed = library.story_rows()  # every topic's rows, in list order
            rows = {row.id: row for row in listed}
            stories, _unread, _bookmarked = library.counts()
        self.ids = [row.id for row in listed]
        self.stories = stories
        self.groups = [
            (f"⌕ {g.topic.name}", g.start, 0) if g.view else (g.topic.name, g.start, g.count)
            for g in index.groups
        ]
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


# -- key presses ------------------------------------------------------------------------

KEYS = {
    "j": b"j",
    "k": b"k",
    "pagedown": b"\x1b[6~",
    "pageup": b"\x1b[5~",
    "G": b"G",
    "g": b"g",
}


@dataclass
class Press:
    key: str
    line: int  # where the cursor should end up
    first_byte: float | None  # seconds after the key was written
    frame: float | None
    painted: float | None
    refreshing: bool = False  # the status bar showed a refresh in progress when painted
    problem: str = ""
    #: Not painted when the refresh ended (the list then reloads): ``painted`` is only a
    #: lower bound, the time the press had waited by then.
    censored: bool = False


def plan(count: int) -> list[str]:
    """``count`` keys: down by lines and pages, the end, back up, the top, down again."""
    down = ["j"] * 8 + ["pagedown"] * 2
    up = ["k"] * 8 + ["pageup"] * 2
    keys: list[str] = []
    while len(keys) < count * 0.55:
        keys += down
    keys.append("G")
    while len(keys) < count * 0.85:
        keys += up
    keys.append("g")
    while len(keys) < count:
        keys += down
    return keys[:count]


def target(line: int, key: str, page: int, line_count: int) -> int:
    """Where :class:`tui.ui.widgets.story_list.StoryList` puts its cursor for ``key``."""
    last = max(0, line_count - 1)
    moved = {
        "j": line + 1,
        "k": line - 1,
        "pagedown": line + max(1, page - 1),
        "pageup": line - max(1, page - 1),
        "G": last,
        "g": 0,
    }[key]
    return max(0, min(moved, last))


def press_keys(
    session: TerminalSession,
    view: ListView,
    keys: list[str],
    *,
    during_refresh: bool = False,
    timeout: float = 10.0,
) -> tuple[list[Press], str]:
    """Press ``keys`` one at a time from a list whose cursor is on line 0.

    Returns the presses and why they stopped: ``done``, ``refresh over`` (during a refresh:
    the list reloads with the new stories then, and is not the view measured any more) or
    ``timeout`` (the last press says what the screen showed).
    """
    screen = session.screen
    geo = geometry(screen)
    if geo is None:
        raise SessionError("no list on screen to press keys in")
    page = geo.rows
    line = 0
    presses: list[Press] = []
    for key in keys:  # bounded: one pass over the plan
        goal = target(line, key, page, view.line_count)
        if goal == line:
            continue  # the key would not move the cursor: no frame to wait for
        if during_refresh and "refreshing" not in status_text(screen):
            return presses, "refresh over"
        state: dict[str, float | bool] = {}

        def painted(goal: int = goal, state: dict[str, float | bool] = state) -> bool:
            if during_refresh and "refreshing" not in status_text(screen):
                state["ended"] = True  # the list reloads now: the view is not ours any more
                return True
            verdict = check(screen, view, goal)
            if verdict.consistent and "frame" not in state:
                state["frame"] = session.frame_time
            return verdict.complete

        sent = session.send(KEYS[key])
        try:
            done = session.wait_frame(painted, timeout)
        except SessionError as error:
            verdict = check(screen, view, goal)
            presses.append(Press(key, goal, None, None, None, problem=f"{error}: {verdict}"))
            return presses, "timeout"  # where the cursor is is not known any more
        if state.get("ended"):
            frame = state.get("frame")
            waited = done - sent
            if waited > 0.005:  # a press the refresh's end overtook, not one just sent
                shown = frame - sent if isinstance(frame, float) else waited  # also a bound
                presses.append(
                    Press(key, goal, None, shown, waited, refreshing=True, censored=True,
                          problem=f"not painted in {waited * 1e3:.0f} ms, when the refresh ended")
                )  # fmt: skip
            return presses, "refresh over"
        first = session.first_read
        frame = state.get("frame", done)
        assert isinstance(frame, float)
        presses.append(
            Press(
                key,
                goal,
                None if during_refresh or first is None else first - sent,
                frame - sent,
                done - sent,
                refreshing="refreshing" in status_text(screen),
            )
        )
        line = goal
        if during_refresh:
            session.wait_quiet(0.02, 0.02)  # a short pause, reading; frames keep coming
        else:
            session.wait_quiet(0.05, 2.0)
    return presses, "done"
