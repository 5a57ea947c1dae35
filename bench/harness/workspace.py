"""A benchmark's surroundings: its temporary folder and log, how the programs it measures are
started (command line, environment, byte-code cache), a clean exit on SIGTERM, and the
option types the entry points share."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

_PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def log(text: str) -> None:
    sys.stderr.write(f"[bench] {text}\n")
    sys.stderr.flush()


@contextlib.contextmanager
def workdir(keep: bool, prefix: str) -> Iterator[Path]:
    """A fresh temporary folder, removed afterwards unless ``keep``."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if keep:
            print(f"[bench] kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that clean up


def stop_on_sigterm() -> None:
    """SIGTERM ends the benchmark as Ctrl-C does: every server, app and folder is cleaned up."""
    signal.signal(signal.SIGTERM, _sigterm)


# -- the programs measured -------------------------------------------------------------------


def child_env(pycache: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment for the measured programs.

    Proxy variables go: they would send loopback requests elsewhere. Byte-code caching is
    turned back on (this sandbox sets PYTHONDONTWRITEBYTECODE, which would make every
    newsterm start-up compile its own modules from source, as no installed newsterm does),
    with the cache under the benchmark's temporary folder so the source tree stays clean.
    """
    env = {k: v for k, v in os.environ.items() if k.lower() not in _PROXY_VARS}
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.update(extra)
    return env


def newsterm_command() -> list[str]:
    """``newsterm`` as installed next to this interpreter, else ``python -m tui``."""
    script = Path(sys.executable).parent / "newsterm"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def compile_modules(modules: Sequence[str], env: Mapping[str, str]) -> None:
    """Import ``modules`` once in a child with ``env``: their byte-code is then cached, as an
    installed newsterm has it, and no measured run pays for compiling them."""
    subprocess.run(
        [sys.executable, "-c", f"import {', '.join(modules)}"],
        env=dict(env),
        check=True,
        timeout=120,
    )


def py_spy() -> str:
    """The ``py-spy`` program, for the ``--profile`` launches."""
    return shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")


# -- option types ----------------------------------------------------------------------------


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def terminal_size(text: str) -> tuple[int, int]:
    """``COLSxLINES``, e.g. ``160x50``."""
    columns, _, lines = text.lower().partition("x")
    size = int(columns), int(lines)
    if size[0] < 100 or size[1] < 20:
        raise argparse.ArgumentTypeError("at least 100x20 (both panes, a list to scroll)")
    return size
