"""Key-press-to-paint latency in the story list: the plan of keys, and timing each press.

A press is written to the pty alone, after the frame of the one before has finished, and
is timed to three moments:

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

import math
from dataclasses import dataclass

from startup_model import ListView, check, geometry, status_text
from startup_pty import SessionError, TerminalSession

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


@dataclass(frozen=True)
class Spread:
    count: int
    p50: float
    p95: float
    max: float

    @staticmethod
    def of(values: list[float]) -> Spread:
        if not values:
            return Spread(0, math.nan, math.nan, math.nan)
        ordered = sorted(values)

        def rank(q: float) -> float:  # nearest rank
            return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

        return Spread(len(ordered), rank(0.5), rank(0.95), ordered[-1])

    def ms(self) -> str:
        if not self.count:
            return "no samples"
        return f"p50 {self.p50 * 1e3:.1f} / p95 {self.p95 * 1e3:.1f} / max {self.max * 1e3:.1f} ms"
