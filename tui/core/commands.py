"""Commands of the user's own (``[[commands]]`` in config.toml), run on one story.

A command is an argument list, run without a shell. :func:`command_argv` fills in the
placeholders (:data:`~tui.core.settings.PLACEHOLDERS`) inside the argument that holds each
one, so a story's title or link is never split into more arguments, never joined with the
next one, and never becomes the program: ``run[0]`` is taken as written. ``{link}`` is
given only when it is an http(s) address (:func:`~tui.core.text.urls.openable_url`); a
command that asks for it on a story without one is refused.

What no argument list can prevent: a program that reads an argument starting with ``-``
as an option. Of the placeholders only ``{title}`` can start with one (a link starts with
``http``, a feed's address with its scheme, an id with a digit), so a command that passes
a title should put ``--`` before it or write it inside an option (``--title={title}``).

:func:`start_command` runs a command in the background: its own session (the terminal's
ctrl+c and hang-up never reach it), no standard output, the first 64 KB of its error
output kept for the one line a notification shows. :func:`run_in_terminal` runs one with
the terminal as its own, for the UI to call while the app is suspended.
:func:`console_browser_argv` says when ``$BROWSER`` is a browser that draws in the
terminal, which the UI then runs the same way.

Commands come only from the user's config: nothing here reads one from a feed, an OPML
file or a sync server.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tui.core.article.view import ReaderView
from tui.core.errors import CommandError
from tui.core.models import Story
from tui.core.settings import PLACEHOLDERS, Command
from tui.core.text.hygiene import clean_line, clean_url, strip_controls
from tui.core.text.urls import openable_url

__all__ = [
    "CONSOLE_BROWSERS",
    "STDERR_LIMIT",
    "CommandOutcome",
    "RunningCommand",
    "command_argv",
    "console_browser_argv",
    "run_in_terminal",
    "start_command",
    "story_plain_text",
]

#: How much of a command's error output is kept; the rest is read and dropped, so that a
#: chatty program never fills the pipe and stalls.
STDERR_LIMIT = 64 * 1024
#: Browsers that draw in the terminal: ``o`` hands them the terminal, as it would an
#: interactive command, instead of starting them in the background.
CONSOLE_BROWSERS = frozenset({"w3m", "lynx", "links", "links2", "elinks", "browsh"})
_LONGEST_LINE = 200

# One pass over each argument: a value that itself holds "{title}" is not filled in again.
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


def command_argv(command: Command, story: Story) -> list[str]:
    """``command.run`` with the story's values filled in, one argument for one argument.

    Raises :class:`CommandError` when the command asks for ``{link}`` and the story has
    no http(s) link, or when its program (``run[0]``) is itself a placeholder.
    """
    program, *rest = command.run
    if _PLACEHOLDER.search(program):
        # The program is the user's choice; a story's value must never pick it.
        raise CommandError(
            f"{_named(command)} names its program with a placeholder ({strip_controls(program)}); "
            "write the program itself first in run."
        )
    uses = {match.group() for arg in rest for match in _PLACEHOLDER.finditer(arg)}
    link = openable_url(story.link)
    if "{link}" in uses and link is None:
        raise CommandError(
            f"{_named(command)} needs the story's web address, and this story has no http(s) "
            "link to give it."
        )
    values = {
        "{link}": link or "",
        "{title}": clean_line(story.title),
        "{feed_url}": clean_url(story.feed_url),
        "{id}": str(story.id),
    }
    return [program, *(_PLACEHOLDER.sub(lambda m: values[m.group()], arg) for arg in rest)]


def story_plain_text(view: ReaderView) -> str:
    """The story as a command reads it on its input: the title, a blank line, then the
    fullest body known (the reader's), paragraphs apart by blank lines, unwrapped."""
    title = clean_line(view.story.title)
    body = strip_controls(view.article.text).strip()
    return f"{title}\n\n{body}\n" if body else f"{title}\n"


# -- running ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """How a command ended: its exit status (negative: the signal that ended it) and the
    first line of its error output, cleaned of control characters ("" when none)."""

    status: int
    error_line: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 0

    def summary(self, name: str) -> str:
        """``"Read later: done"`` or ``"Read later failed (exit 2): <first error line>"``."""
        name = clean_line(name)
        if self.ok:
            return f"{name}: done"
        how = f"exit {self.status}" if self.status > 0 else f"signal {-self.status}"
        return f"{name} failed ({how})" + (f": {self.error_line}" if self.error_line else "")


class RunningCommand:
    """A command started in the background; :meth:`wait` for how it ended."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process

    @property
    def pid(self) -> int:
        return self._process.pid

    def wait(self) -> CommandOutcome:
        """Read its error output to the end (keeping :data:`STDERR_LIMIT` bytes), then its
        exit status. Returns when the program, and whatever it left holding its error
        output, has finished."""
        kept = bytearray()
        with self._process as process:
            assert process.stderr is not None
            while chunk := process.stderr.read(16384):
                if len(kept) < STDERR_LIMIT:
                    kept += chunk[: STDERR_LIMIT - len(kept)]
            status = process.wait()
        return CommandOutcome(status, _first_line(bytes(kept)))


def start_command(argv: list[str], stdin_text: str | None = None) -> RunningCommand:
    """Start ``argv`` in the background, without a shell: ``stdin_text`` on its input
    (else nothing), its output dropped, its error output captured, in a session of its
    own. A program that cannot be started is a :class:`CommandError`."""
    with _input(stdin_text) as stdin:
        process = _popen(
            argv,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            # Its own session: the terminal's ctrl+c, ctrl+z and hang-up are the app's,
            # and quitting the app leaves a command that is still running to finish.
            start_new_session=True,
        )
    return RunningCommand(process)


def run_in_terminal(argv: list[str], stdin_text: str | None = None) -> CommandOutcome:
    """Run ``argv`` with the terminal as its own and wait for it: its output and error
    output go to the terminal, its input is ``stdin_text`` when given (a pager reads keys
    from the terminal itself), else the terminal. For the UI to call while suspended.

    While it runs, this process ignores the terminal's interrupt and quit keys (they are
    the program's), as ``system()`` does.
    """
    with _input(stdin_text) as stdin:
        process = _popen(argv, stdin=stdin)
    with process, _terminal_keys_ignored():
        status = process.wait()
    return CommandOutcome(status)


def console_browser_argv(url: str, browser: str | None) -> list[str] | None:
    """The argument list to open ``url`` in ``$BROWSER`` (``browser``) when its first entry
    is a browser that draws in the terminal (:data:`CONSOLE_BROWSERS`); None otherwise, or
    when ``url`` is not an http(s) address.

    ``$BROWSER`` is a list of commands apart by ``os.pathsep``; an entry is split on white
    space, and a ``%s`` in it stands for the address, else the address is added last.
    """
    link = openable_url(url)
    if link is None or not browser:
        return None
    parts = browser.split(os.pathsep)[0].split()
    if not parts or Path(parts[0]).name not in CONSOLE_BROWSERS:
        return None
    program, *args = parts
    if any("%s" in arg for arg in args):
        return [program, *(arg.replace("%s", link) for arg in args)]
    return [program, *args, link]


# -- helpers ----------------------------------------------------------------------------


def _named(command: Command) -> str:
    return f"The command “{clean_line(command.name)}”"


def _first_line(error: bytes) -> str:
    """The first line of error output that says something, one line of plain text."""
    for line in error.decode("utf-8", "replace").splitlines():
        cleaned = clean_line(line)
        if cleaned:
            return cleaned if len(cleaned) <= _LONGEST_LINE else cleaned[: _LONGEST_LINE - 1] + "…"
    return ""


@contextmanager
def _input(text: str | None) -> Iterator[IO[bytes] | None]:
    """``text`` in an unnamed temporary file, for a command's standard input: a file, not
    a pipe, so that no thread has to feed it and a command that never reads it cannot
    stall on a full pipe."""
    if text is None:
        yield None
        return
    with tempfile.TemporaryFile() as file:
        file.write(text.encode("utf-8", "replace"))
        file.flush()
        file.seek(0)
        yield file


def _popen(
    argv: list[str],
    *,
    stdin: IO[bytes] | int | None,
    stdout: int | None = None,
    stderr: int | None = None,
    start_new_session: bool = False,
) -> subprocess.Popen[bytes]:
    program = strip_controls(argv[0])
    try:
        return subprocess.Popen(
            argv,
            shell=False,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            close_fds=True,
            start_new_session=start_new_session,
        )
    except FileNotFoundError:
        raise CommandError(
            f"The program {program} was not found; check run in config.toml, or give its full path."
        ) from None
    except PermissionError:
        raise CommandError(
            f"The program {program} cannot be run: it is not executable by you."
        ) from None
    except (OSError, ValueError) as error:
        reason = strip_controls(getattr(error, "strerror", None) or str(error))
        raise CommandError(f"The program {program} could not be started: {reason}.") from None


@contextmanager
def _terminal_keys_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set signal handlers
        return
    keys = (signal.SIGINT, signal.SIGQUIT)
    before = [signal.signal(key, signal.SIG_IGN) for key in keys]
    try:
        yield
    finally:
        for key, handler in zip(keys, before, strict=True):
            signal.signal(key, handler)
