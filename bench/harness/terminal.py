"""The pty driver: a program run in a real pseudo-terminal, its output read and timed as a
terminal would.

The benchmarks' view of the app (and of newsboat): :class:`TerminalSession` starts a command
with a pty as its controlling terminal (a fixed size set with ``TIOCSWINSZ`` before it
starts), reads everything it writes, timestamped as it arrives, into a
:class:`~bench.harness.screen.Screen`, and writes key presses to it.

It answers the synchronized-output query Textual sends at start (``CSI ? 2026 $ p``) as
terminals that support it do (kitty, WezTerm, foot, iTerm2, Windows Terminal, recent VTE):
then Textual brackets every frame with ``CSI ? 2026 h`` … ``l``, and the end of a frame is
a fact rather than a guess from a pause in the output. It answers the primary device
attributes query (``CSI c``, which newsterm sends at start to learn whether the terminal
draws pictures) as xterm does, without sixel: every terminal answers it, and one that
did not would cost newsterm its half-second wait for the answer.

Every wait has a deadline. :meth:`TerminalSession.close` asks the program to quit, then
ends its process group (it was started in a session of its own) and closes the pty.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from bench.harness.proctree import read_memory
from bench.harness.screen import Screen

_SYNC_QUERY = b"\x1b[?2026$p"
_SYNC_REPLY = b"\x1b[?2026;2$y"  # "supported, currently off"
_DA1_QUERY = b"\x1b[c"
_DA1_REPLY = b"\x1b[?62;22c"  # a VT220-class terminal with colour, no sixel
_READ_BYTES = 1 << 20


class SessionError(RuntimeError):
    """The program ended, or did not show what was waited for in time."""


def _become_terminal_owner() -> None:  # runs in the child between fork and exec
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class TerminalSession:
    """One program in a pty of ``columns`` × ``lines``."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        columns: int,
        lines: int,
        *,
        cwd: Path | None = None,
        answer_sync: bool = True,
    ) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.columns = columns
        self.lines = lines
        self.cwd = cwd
        self.answer_sync = answer_sync
        self.screen = Screen(columns, lines)
        self.screen.on_frame_end = self._frame_ended
        self.proc: subprocess.Popen[bytes] | None = None
        self.master = -1
        self.started = 0.0  # perf_counter just before the program was started
        self.first_output: float | None = None
        self.first_frame: float | None = None
        self.last_output = 0.0
        self.bytes_read = 0
        self._chunk_time = 0.0
        self._tail = b""  # the end of the last read, for queries split across reads
        self._watch: Callable[[], bool] | None = None
        self._watch_hit: float | None = None
        self._marked: float | None = None  # first read after mark()

    # -- lifetime ------------------------------------------------------------------------

    def start(self) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.lines, self.columns, 0, 0))
        self.started = time.perf_counter()
        try:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                cwd=self.cwd,
                env=self.env,
                start_new_session=True,
                preexec_fn=_become_terminal_owner,
                close_fds=True,
            )
        finally:
            os.close(slave)
        self.master = master

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self, quit_keys: bytes = b"q", grace: float = 5.0) -> int | None:
        """Ask the program to quit with ``quit_keys``, then make sure its group is gone."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None and quit_keys:
            with contextlib.suppress(OSError):
                os.write(self.master, quit_keys)
            deadline = time.perf_counter() + grace
            with contextlib.suppress(SessionError):
                while proc.poll() is None and time.perf_counter() < deadline:  # bounded
                    self.pump(0.05)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)  # its own session: helpers it started go too
            try:
                proc.wait(timeout=3)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # a helper left behind after the main exit
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
        return proc.returncode

    # -- output --------------------------------------------------------------------------

    def pump(self, timeout: float) -> bool:
        """Read what the program wrote within ``timeout`` seconds; False if nothing came."""
        if self.master < 0:
            return False
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return False
        try:
            data = os.read(self.master, _READ_BYTES)
        except OSError:  # EIO: the program closed the terminal (it ended)
            data = b""
        now = time.perf_counter()
        if not data:
            if not self.alive():
                raise SessionError(f"{self.argv[0]} ended (status {self.proc.returncode})")  # type: ignore[union-attr]
            time.sleep(min(timeout, 0.01))  # EIO before exit: do not spin
            return False
        if self.first_output is None:
            self.first_output = now
        if self._marked is None:
            self._marked = now
        self.last_output = now
        self.bytes_read += len(data)
        if self.answer_sync and self._asked(_SYNC_QUERY, data):
            os.write(self.master, _SYNC_REPLY)
        if self._asked(_DA1_QUERY, data):
            os.write(self.master, _DA1_REPLY)
        self._tail = data[-16:]
        self._chunk_time = now
        self.screen.feed(data)
        return True

    def _asked(self, query: bytes, data: bytes) -> bool:
        """``query`` ends in ``data`` (perhaps begun in the last read): asked just now,
        not a query already answered."""
        return query in self._tail[-(len(query) - 1) :] + data

    def _frame_ended(self) -> None:
        if self.first_frame is None:
            self.first_frame = self._chunk_time
        if self._watch is not None and self._watch_hit is None and self._watch():
            self._watch_hit = self._chunk_time

    def wait_frame(
        self, predicate: Callable[[], bool], timeout: float, *, unsynced: bool = False
    ) -> float:
        """Read until a frame ends with ``predicate()`` true; when that frame arrived.

        ``unsynced``: also test after each read while no synchronized frame has been seen
        (a terminal program that does not bracket its frames, or Textual before it knows).
        """
        self._watch, self._watch_hit = predicate, None
        deadline = time.perf_counter() + timeout
        try:
            while self._watch_hit is None:  # bounded by the deadline
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise SessionError(f"not seen within {timeout:.0f} s")
                got = self.pump(min(left, 0.1))
                unframed = unsynced and self.screen.frames == 0 and not self.screen.in_sync
                if got and unframed and self._watch_hit is None and predicate():
                    self._watch_hit = self._chunk_time
            return self._watch_hit
        finally:
            self._watch = None

    def wait_quiet(self, quiet: float, limit: float) -> bool:
        """Read until nothing has come for ``quiet`` seconds (at most ``limit``); quiet?"""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:  # bounded
            got = self.pump(min(quiet, max(0.0, deadline - time.perf_counter())))
            silent = time.perf_counter() - self.last_output >= quiet
            if not got and silent and not self.screen.in_sync:
                return True
        return False

    def send(self, keys: bytes) -> float:
        """Write key presses; the time they were written (:attr:`first_read` restarts)."""
        self._marked = None
        sent = time.perf_counter()
        os.write(self.master, keys)
        return sent

    @property
    def first_read(self) -> float | None:
        """When the first output after the last :meth:`send` arrived."""
        return self._marked

    @property
    def frame_time(self) -> float:
        """When the read that is being handled arrived (for frame-end predicates)."""
        return self._chunk_time

    # -- the process ---------------------------------------------------------------------

    def memory_kb(self) -> dict[str, int]:
        """VmHWM (peak resident) and VmRSS of the program, in kB."""
        return read_memory(self.pid)
