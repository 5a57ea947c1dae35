"""The ``newsterm`` command line: argparse subcommands over :class:`tui.core.Library`.

A thin client: every command opens the library, calls one or two facade methods and
prints. Bad usage exits 2 (argparse), failures exit 1 with one sentence on stderr, and no
user error ends in a traceback. Feed text is passed through the hygiene filter again on
its way to a terminal, whatever the library holds.

- :mod:`.parser` — the commands, their options and help texts.
- :mod:`.arguments` — checks on hostile arguments (ids, numbers, file names).
- :mod:`.commands` — what each command does, one module per area.
- :mod:`.output` — writing to the terminal, whatever its encoding.

:func:`main` here is the console entry point (``newsterm = "tui.cli:main"``).
"""

from __future__ import annotations

import atexit
import gc
import sys
from collections.abc import Sequence

from tui.cli.commands import Handler
from tui.cli.commands.app import cmd_app
from tui.cli.output import degrade_output, echo
from tui.cli.parser import build_parser
from tui.core import NewstermError


def main(argv: Sequence[str] | None = None) -> int:
    degrade_output()  # first: a usage message may need it too
    _freeze_at_exit()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        handler = cmd_app  # no command: the terminal UI
    elif args.demo:
        parser.error("--demo opens the app on the demo library; use it without a command")
    try:
        return handler(args)
    except NewstermError as error:
        echo(f"newsterm: {error}", sys.stderr)
        return 1
    except KeyboardInterrupt:
        echo("newsterm: interrupted.", sys.stderr)
        return 130
    except BrokenPipeError:  # `newsterm list | head`
        return 0
    except OSError as error:  # a path the system refuses (name too long, …) in a check's stead
        where = f" {error.filename}" if error.filename else ""
        echo(f"newsterm: cannot use{where}: {error.strerror or error}.", sys.stderr)
        return 1


def _freeze_at_exit() -> None:
    """At the interpreter's exit, after every atexit handler registered later (the
    library, its workers and files are closed by then), put every object out of the
    garbage collector's reach: its passes over everything httpx, asyncio and the rest
    allocated were most of a command's exit (20 of 27 ms after a refresh). Objects are
    still freed as the modules go; only finalizers of reference cycles still alive at
    exit are skipped, which CPython never promised to run.
    """
    atexit.unregister(gc.freeze)  # once, however often main() runs in one process
    atexit.register(gc.freeze)
