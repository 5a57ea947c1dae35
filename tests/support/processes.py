"""Processes as Linux's /proc shows them, for tests about what newsterm leaves running.

A process killed with -9 leaves its children to init, which may never reap them in a
container: zombies hold nothing open and count as gone here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class Process:
    pid: int
    ppid: int
    group: int
    state: str
    command: str


def _read(pid: int) -> Process | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        command = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
    fields = stat[stat.rindex(")") + 2 :].split()
    return Process(pid, int(fields[1]), int(fields[2]), fields[0], command.strip())


def living() -> list[Process]:
    """Every process on the machine that is not a zombie."""
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            process = _read(int(entry.name))
            if process is not None and process.state not in ("Z", "X"):
                found.append(process)
    return found


def in_group(group: int) -> list[Process]:
    return [p for p in living() if p.group == group]


def children(pid: int) -> list[Process]:
    return [p for p in living() if p.ppid == pid]


def forkservers(pid: int | None = None) -> list[Process]:
    """multiprocessing's fork servers started by ``pid`` (this process by default)."""
    parent = os.getpid() if pid is None else pid
    return [p for p in children(parent) if "multiprocessing.forkserver" in p.command]


def workers(pid: int | None = None) -> list[Process]:
    """The worker processes of ``pid``'s pools: its fork server's children."""
    return [w for server in forkservers(pid) for w in children(server.pid)]


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until true; a test failure naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def describe(processes: list[Process]) -> str:
    return "; ".join(f"{p.pid} [{p.state}] {p.command[:100]}" for p in processes)
