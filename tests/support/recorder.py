"""A real program for user-command tests: it records how it was run, then ends as told.

:func:`recording_program` writes an executable Python script (run by this interpreter)
that appends one JSON line per run to ``<script>.jsonl``: its arguments, its standard
input (unless that is a terminal), whether its input and output are terminals, its
session and the file descriptors it holds. Then it prints ``marker`` on its standard
output, writes ``stderr`` on its error output and exits with ``status``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

_SCRIPT = """\
#!{python}
import json, os, sys
stdin_tty = os.isatty(0)
proc = "/proc/self/fd"
record = {{
    "argv": sys.argv[1:],
    "stdin": None if stdin_tty else sys.stdin.read(),
    "stdin_tty": stdin_tty,
    "stdout_tty": os.isatty(1),
    "sid": os.getsid(0),
    "fds": sorted(int(fd) for fd in os.listdir(proc)) if os.path.isdir(proc) else [],
}}
with open({log!r}, "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\\n")
sys.stdout.write({marker!r})
sys.stdout.flush()
sys.stderr.write({stderr!r})
sys.stderr.flush()
sys.exit({status})
"""


def recording_program(
    directory: Path,
    name: str = "record",
    *,
    status: int = 0,
    stderr: str = "",
    marker: str = "",
) -> Path:
    """An executable script at ``directory/name``; see the module's docstring."""
    script = directory / name
    log = script.with_suffix(".jsonl")
    script.write_text(
        _SCRIPT.format(
            python=sys.executable, log=str(log), marker=marker, stderr=stderr, status=status
        )
    )
    script.chmod(0o755)
    return script


def recordings(script: Path) -> list[dict[str, Any]]:
    """Every run of ``script`` recorded so far, oldest first."""
    log = script.with_suffix(".jsonl")
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
