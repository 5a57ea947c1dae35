"""The real app in a real pseudo-terminal, for tests that need a process to kill.

Pilot drives the app inside the test's own process, which cannot be killed with -9 and
looked at afterwards. :class:`Terminal` starts ``python -m tui`` with a pty as its terminal,
collects everything it writes, types keys into it and kills it. Every wait has a deadline.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def _take_terminal() -> None:  # in the child, between fork and exec
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """``newsterm`` (``python -m tui`` and ``args``) in a pty of ``columns`` × ``lines``."""

    def __init__(
        self, args: Sequence[str], *, columns: int = 120, lines: int = 36, cwd: Path | None = None
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        env.pop("TEXTUAL", None)
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
        return chunk

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
