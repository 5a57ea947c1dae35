"""newsterm's app launched in a real pty, as a user's terminal would start it, up to the
painted story list.

The app runs as ``newsterm --db LIB --config <config.toml>`` (the file empty unless a
benchmark writes settings into it) in a pty of the given size, ``TERM=xterm-256color``,
with a home of its own under the benchmark's folder, as a terminal that supports
synchronized output (see ``terminal.py``). A launch ends at the end of the first frame in
which the list pane shows the view's first lines, complete (no row still ``…``), under the
status bar: not the first frame (an empty layout), not a splash.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness.library import mark_fetched
from bench.harness.proctree import descendants, read_memory
from bench.harness.story_list import ListView, check, status_text
from bench.harness.terminal import SessionError, TerminalSession
from bench.harness.workspace import child_env, log, newsterm_command

_DROPPED_ENV = ("COLUMNS", "LINES", "COLORTERM", "TERM_PROGRAM", "NO_COLOR", "TEXTUAL")


@dataclass
class Launch:
    """One launch up to the painted list (seconds from the start of the process)."""

    first_output: float
    first_frame: float
    listed: float
    counts: float | None  # the status bar's story count shown
    main_kb: int  # VmHWM right after the list was painted
    helpers_kb: dict[int, int] = field(default_factory=dict)  # pid → VmHWM of its children
    refreshing: bool = False  # the status bar showed a refresh (it must not)


class AppLauncher:
    """Launches the app in ``work`` (its config, home and byte-code cache live there).

    ``pythonpath`` goes first on the app's ``PYTHONPATH``: a changed copy of ``tui`` (or an
    extra package) measured against the tree, for A/B comparisons; the log says which
    ``tui`` runs.
    """

    def __init__(
        self, work: Path, size: tuple[int, int], timeout: float, pythonpath: Path | None = None
    ) -> None:
        self.work = work
        self.timeout = timeout
        self.sessions: list[TerminalSession] = []
        self.config = work / "config.toml"
        self.config.write_text("", encoding="utf-8")  # empty: every setting its default
        home = work / "home"
        home.mkdir()
        env = child_env(work / "pycache")
        for name in list(env):
            if name.startswith(_DROPPED_ENV):
                del env[name]
        env.update(
            TERM="xterm-256color",
            LANG="C.UTF-8",
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local/share"),
            XDG_CACHE_HOME=str(home / ".cache"),
        )
        if pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(
                [str(pythonpath), *filter(None, [env.get("PYTHONPATH")])]
            )
        self.env = env
        self.columns, self.lines = size
        where = subprocess.run(
            [sys.executable, "-c", "import tui; print(tui.__file__)"],
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
            timeout=60,
        )
        log(f"the app imports {where.stdout.strip() or where.stderr.strip()[-200:]}")

    def command(self, db: Path) -> list[str]:
        return [*newsterm_command(), "--db", str(db), "--config", str(self.config)]

    def session(self, argv: list[str]) -> TerminalSession:
        session = TerminalSession(argv, self.env, self.columns, self.lines)
        self.sessions.append(session)
        return session

    def close(self, session: TerminalSession) -> None:
        session.close()
        with contextlib.suppress(ValueError):
            self.sessions.remove(session)

    def close_all(self) -> None:
        for session in list(self.sessions):
            self.close(session)

    def launch(
        self, db: Path, view: ListView, *, argv: list[str] | None = None
    ) -> tuple[TerminalSession, Launch]:
        """Start the app and wait for its painted list (and the counts in its status bar).

        ``argv`` replaces the command line (the app under a profiler, say)."""
        mark_fetched(db)
        session = self.session(argv or self.command(db))
        screen = session.screen
        session.start()
        try:
            listed = session.wait_frame(lambda: check(screen, view, 0).complete, self.timeout)
        except SessionError as error:
            raise SessionError(
                f"the list was not painted: {error}; screen:\n{screen.text()}"
            ) from error
        main = session.memory_kb().get("VmHWM", 0)
        helpers = {pid: read_memory(pid).get("VmHWM", 0) for pid in descendants(session.pid)}
        refreshing = "refreshing" in status_text(screen)
        counts: float | None = None

        def counted() -> bool:
            return f"indexed:{view.stories} " in status_text(screen)

        if counted():
            counts = listed  # the same frame
        else:
            with contextlib.suppress(SessionError):
                counts = session.wait_frame(counted, 10.0)
        start = session.started
        assert session.first_output is not None and session.first_frame is not None
        return session, Launch(
            session.first_output - start,
            session.first_frame - start,
            listed - start,
            None if counts is None else counts - start,
            main,
            helpers,
            refreshing or "refreshing" in status_text(screen),
        )
