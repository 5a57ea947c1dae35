"""Enter → full article on screen: the real app in a pty, opening stories never fetched.

The app is launched as the start-up benchmark launches it (``app.py``: a real
pseudo-terminal, synchronized output, the screen parsed by ``screen.py``) on a library
whose stories carry one sentence each and link to pages on the loopback server,
with ``[articles] prefetch = false``: no page is fetched before its story is opened.

Once the list is painted, the bench waits as a user would (quiet output for a while, an
idle machine: whatever the app warms up after start has had its time), then for each of
``opens`` stories: moves the cursor onto it (``j``, checked against the library's view
by ``story_list.check``), presses Enter and records, from the key press,

* the first frame showing the story at all: its feed sentence (its token ``Feed note N:``)
  or its page;
* the first frame with the note ``Fetching the full article`` (if one is ever painted);
* the first frame showing the page's second section heading with its ``" #"`` marker,
  text that only the page has: the full article is on screen.

Every story is opened once, in list order, and its page is fetched then for the first
time. The stories' pages are "compact" (a one-paragraph lead and first section) so that
the second heading is on the reader's first screen.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.harness import proctree
from bench.harness.app import AppLauncher
from bench.harness.pages import Story
from bench.harness.story_list import ListView, check
from bench.harness.terminal import SessionError, TerminalSession
from bench.harness.workspace import compile_modules, py_spy

FETCHING = "Fetching the full article"
_CONFIG = "[articles]\nprefetch = false\n"
# What launching and opening a story import, in the app and in its workers.
_IMPORTED = (
    "tui.cli", "tui.ui.app", "tui.core.refresh", "tui.core.workers.feeds", "tui.core.pages.fetch",
    "tui.core.pages.jobs", "tui.core.article.view", "trafilatura",
)  # fmt: skip


@dataclass
class Open:
    """One Enter on a story never fetched; seconds from the key press (None: not seen)."""

    number: int
    story: float | None  # the first frame showing the story (either version)
    note: float | None  # the first frame with "Fetching the full article"
    full: float | None  # the first frame with the page's second heading
    before: int = 0  # pages the server sent since the previous open, before this Enter
    after: int = 0  # pages it sent from this Enter until the full article was seen
    problem: str = ""


def marker(story: Story) -> str:
    """What only the full article shows: its second section heading, as the reader marks it."""
    return f"{story.headings[1]} #"


class ReaderSession:
    """The app on one library, opening stories one by one."""

    def __init__(
        self,
        launcher: AppLauncher,
        db: Path,
        stories: dict[str, Story],
        timeout: float,
        served: Callable[[], int],
    ) -> None:
        self.launcher = launcher
        self.served = served  # pages the server has sent so far
        self.db = db
        self.stories = stories  # by title
        self.timeout = timeout
        self.view = ListView(db)
        self.ids = {title: story_id for story_id, (title, _) in self.view.titles.items()}
        self.line = 0  # where the list's cursor is
        self.session: TerminalSession | None = None
        self.launched = 0.0
        self.helpers: list[str] = []  # the app's child processes before the first Enter

    def start(self, argv: list[str] | None = None, settle: float = 3.0) -> None:
        """Launch, wait for the painted list, then ``settle`` seconds of quiet output."""
        command = argv
        if argv is not None:
            command = [*argv, *self.launcher.command(self.db)]
        self.session, launch = self.launcher.launch(self.db, self.view, argv=command)
        self.launched = launch.listed
        self.session.wait_quiet(settle, settle + 5.0)
        proctree.settle(limit=5.0)
        self.helpers = proctree.roles(self.session.pid)
        self.count = self.served()

    def close(self) -> None:
        if self.session is not None:
            self.launcher.close(self.session)
            self.session = None

    def _next_story(self) -> Story:
        """Move the cursor down to the next story line (past topic headings)."""
        assert self.session is not None
        screen = self.session.screen
        for _ in range(50):  # bounded: topic headings are few
            goal = self.line + 1
            expected = self.view.expected(goal)
            if expected is None:
                raise SessionError("no story left in the list to open")
            self.session.send(b"j")

            def reached(goal: int = goal) -> bool:
                return check(screen, self.view, goal).complete

            try:
                self.session.wait_frame(reached, 10.0)
            except SessionError as error:
                verdict = check(screen, self.view, goal)
                raise SessionError(f"the cursor did not reach line {goal}: {verdict}") from error
            self.line = goal
            if not expected.heading:
                return self.stories[expected.text]
        raise SessionError("no story line within 50 lines")

    def open_next(self) -> Open:
        """Enter on the next story; when its story, note and full text were painted."""
        assert self.session is not None
        session, screen = self.session, self.session.screen
        story = self._next_story()
        self.session.wait_quiet(0.2, 2.0)
        proctree.settle(limit=3.0)
        wanted = marker(story)
        seen: dict[str, float] = {}

        def full() -> bool:
            text = screen.text()
            if "story" not in seen and (story.token in text or wanted in text):
                seen["story"] = session.frame_time
            if "note" not in seen and FETCHING in text:
                seen["note"] = session.frame_time
            return wanted in text

        count = self.served()
        sent = session.send(b"\r")
        problem = ""
        shown: float | None = None
        try:
            shown = session.wait_frame(full, self.timeout)
        except SessionError as error:
            problem = f"{error}; screen:\n{screen.text()}"
        before, self.count = count - self.count, self.served()
        # Opening marks the story read: its row loses the unread dot.
        story_id = self.ids[story.title]
        self.view.titles[story_id] = (story.title, False)

        def since(moment: float | None) -> float | None:
            return None if moment is None else moment - sent

        result = Open(
            story.number,
            since(seen.get("story")),
            since(seen.get("note")),
            since(shown),
            before=before,
            after=self.count - count,
            problem=problem,
        )
        session.wait_quiet(0.3, 3.0)
        return result


def launcher(
    work: Path, size: tuple[int, int], timeout: float, pythonpath: Path | None = None
) -> AppLauncher:
    """The start-up benchmark's launcher (its environment, pty size and config file), with
    reader mode's config, and the byte-code of everything opening a story imports
    compiled beforehand, as an installed newsterm has it."""
    app = AppLauncher(work, size, timeout, pythonpath)
    app.config.write_text(_CONFIG, encoding="utf-8")
    compile_modules(_IMPORTED, app.env)
    return app


def open_stories(
    app: AppLauncher,
    db: Path,
    stories: dict[str, Story],
    opens: int,
    timeout: float,
    served: Callable[[], int],
    profile: Path | None = None,
) -> tuple[float, list[str], list[Open]]:
    """Launch the app on ``db`` and open ``opens`` stories; (launch → list, the app's child
    processes before the first Enter, the opens).

    With ``profile``, the app runs under ``py-spy record`` (every thread and worker
    process, idle included), writing collapsed stacks there.
    """
    argv = None
    if profile is not None:
        argv = [py_spy(), "record", "--format", "raw", "--threads", "--idle", "--subprocesses",
                "--rate", "250", "--output", str(profile), "--"]  # fmt: skip
    reader = ReaderSession(app, db, stories, timeout, served)
    results: list[Open] = []
    try:
        reader.start(argv)
        for _ in range(opens):  # bounded
            result = reader.open_next()
            results.append(result)
            if result.problem:
                break  # where the app is now is not known: stop here
    finally:
        with contextlib.suppress(SessionError):
            reader.close()
    return reader.launched, reader.helpers, results
