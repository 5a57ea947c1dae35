"""The real app in a real pseudo-terminal, for tests that need a process to kill.

Pilot drives the app inside the test's own process, which cannot be killed with -9 and
looked at afterwards. :class:`Terminal` starts ``python -m tui`` with a pty as its terminal,
collects everything it writes, types keys into it and kills it. Every wait has a deadline.

A terminal that draws pictures is played by ``answers``: each query the app writes is
answered as that terminal answers it (:data:`SIXEL_TERMINAL`, :data:`KITTY_TERMINAL`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path

#: Query → answer, or a function of the query's match giving the answer.
Answers = dict[bytes, bytes | Callable[[re.Match[bytes]], bytes]]
# Primary device attributes: a VT340-like terminal with sixel graphics (4).
_DA1 = rb"\x1b\[c"
# The text area's cell size in pixels (CSI 16 t): 10 × 20.
_CELL_SIZE = rb"\x1b\[16t"
# A kitty graphics protocol query (a=q): answered OK with the query's own image id.
_TGP_QUERY = rb"\x1b_G(?:[^;\x1b]*,)?i=(\d+)[^;\x1b]*a=q[^\x1b]*\x1b\\"
#: A terminal that draws no pictures (xterm as a VT220): the default, as every terminal
#: answers the device attributes query.
PLAIN_TERMINAL: Answers = {_DA1: b"\x1b[?62;22c"}
SIXEL_TERMINAL: Answers = {_DA1: b"\x1b[?62;4;22c", _CELL_SIZE: b"\x1b[6;20;10t"}
KITTY_TERMINAL: Answers = {
    _DA1: b"\x1b[?62;22c",
    _CELL_SIZE: b"\x1b[6;20;10t",
    _TGP_QUERY: lambda m: b"\x1b_Gi=" + m.group(1) + b";OK\x1b\\",
}


def _take_terminal() -> None:  # in the child, between fork and exec
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """``newsterm`` (``python -m tui`` and ``args``) in a pty of ``columns`` × ``lines``."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        columns: int = 120,
        lines: int = 36,
        cwd: Path | None = None,
        answers: Answers | None = None,  # None: PLAIN_TERMINAL; {} answers nothing
        env: dict[str, str] | None = None,
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        # Not the test run's own tmux, if any: only what the test asks for.
        outer = {k: v for k, v in os.environ.items() if k not in ("TEXTUAL", "TMUX")}
        env = {**outer, "TERM": "xterm-256color", "COLORTERM": "truecolor", **(env or {})}
        answers = PLAIN_TERMINAL if answers is None else answers
        self._answers = [(re.compile(query), answer) for query, answer in answers.items()]
        self._asked = 0  # output before this was looked at for queries
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_take_terminal,  # runs before exec; the child has no threads
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()

    def read(self, timeout: float = 0.05) -> bytes:
        """What the app wrote within ``timeout`` (b"" when nothing, or when it ended)."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:  # the app ended and the pty closed
            return b""
        self.output += chunk
        if self._answers:
            self._answer()
        return chunk

    def _answer(self) -> None:
        """Answer the queries written since the last look, as the terminal played would."""
        start = max(0, self._asked - 64)  # a query split over two reads
        seen = bytes(self.output[start:])
        asked = sorted(
            (
                (match, answer)
                for query, answer in self._answers
                for match in query.finditer(seen)
                if start + match.end() > self._asked  # not answered already
            ),
            key=lambda pair: pair[0].start(),
        )
        for match, answer in asked:  # in the order asked, as a terminal answers
            os.write(self.master, answer(match) if callable(answer) else answer)
        self._asked = len(self.output)

    def wait_for(self, found: Callable[[bytes], bool], timeout: float = 30.0) -> bool:
        """Read until ``found(everything written so far)``; False when the time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found(bytes(self.output)):
                return True
            if not self.read() and self.proc.poll() is not None:
                return found(bytes(self.output))
        return False

    def wait_quiet(self, quiet: float = 0.3, timeout: float = 10.0) -> bool:
        """Read until the app has written nothing for ``quiet`` seconds (it has drawn
        what the last keys asked for); False when it never went quiet."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.read(quiet):
                return True
        return False

    def wait_for_text(self, text: str, timeout: float = 30.0, *, after: int = 0) -> bool:
        """Wait until ``text`` is written (looking only past byte ``after``)."""
        wanted = text.encode()
        return self.wait_for(lambda out: wanted in out[after:], timeout)

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def kill(self) -> None:
        """kill -9 of the app alone (its children are left to fend for themselves)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def close(self) -> None:
        """End the app and everything it started (its session), and the pty."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        with contextlib.suppress(OSError):
            os.close(self.master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
