"""Run a command with a time limit, timing its wall clock and the peak memory of its tree.

Peak memory is read from ``/proc/<pid>/status`` (``VmHWM``, the kernel's own high-water
mark of resident memory, so it is exact however seldom we look) for the process and for
every descendant seen while it runs — for newsterm that is the forkserver and the parse
workers. Resident sizes count pages shared with a parent (copy-on-write after fork) in
both, so a sum over processes overstates; the proportional set size (``Pss`` in
``smaps_rollup``) shares them out and does add up, but has no high-water mark, so it is
sampled and its peak is a lower bound. Linux only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_POLL_SECONDS = 0.05
_PSS_EVERY = 4  # smaps_rollup walks page tables: sample it on every 4th poll only


@dataclass
class ProcPeak:
    pid: int
    parent: int
    command: str
    hwm_kb: int = 0  # VmHWM: exact peak resident set
    pss_kb: int = 0  # largest sampled Pss


@dataclass
class RunResult:
    command: Sequence[str]
    returncode: int
    wall: float
    stdout: str
    stderr: str
    root: ProcPeak
    descendants: list[ProcPeak] = field(default_factory=list)
    peak_pss_sum_kb: int = 0  # largest sampled sum of Pss over the whole tree

    @property
    def descendants_hwm_kb(self) -> int:
        return sum(p.hwm_kb for p in self.descendants)


def _read_status(pid: int) -> tuple[int, int] | None:
    """(VmHWM kB, PPid), or None for a process gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    hwm = ppid = None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
        elif line.startswith("PPid:"):
            ppid = int(line.split()[1])
    if hwm is None or ppid is None:
        return None
    return hwm, ppid


def _read_pss(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
        except OSError:
            continue
        found.extend(int(c) for c in text.split())
    return found


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


class _Watcher(threading.Thread):
    """Polls the process tree of ``root`` until told to stop."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peaks: dict[int, ProcPeak] = {}
        self.peak_pss_sum = 0
        self.done = threading.Event()

    def run(self) -> None:
        turn = 0
        while not self.done.is_set():  # bounded: the caller stops us when the run ends
            self.sample(with_pss=turn % _PSS_EVERY == 0)
            turn += 1
            self.done.wait(_POLL_SECONDS)

    def sample(self, with_pss: bool) -> None:
        pending = [(self.root, 0)]
        pss_sum = 0
        seen = 0
        while pending and seen < 1000:  # a tree, but never trust /proc to stay still
            pid, parent = pending.pop()
            seen += 1
            status = _read_status(pid)
            if status is None:
                continue
            hwm, _ppid = status
            peak = self.peaks.get(pid)
            if peak is None:
                peak = self.peaks[pid] = ProcPeak(pid, parent, _command(pid))
            peak.hwm_kb = max(peak.hwm_kb, hwm)
            if with_pss:
                pss = _read_pss(pid)
                peak.pss_kb = max(peak.pss_kb, pss)
                pss_sum += pss
            pending.extend((child, pid) for child in _children(pid))
        self.peak_pss_sum = max(self.peak_pss_sum, pss_sum)


def _reap_leftovers(group: int, peaks: Mapping[int, ProcPeak]) -> None:
    """Wait (bounded) for descendants still running, then end the stragglers.

    A parse worker that outlives its parent would eat CPU during the next measurement.
    Only processes seen in this run's tree and still in its process group are touched.
    """
    deadline = time.monotonic() + 5.0
    alive = [pid for pid in peaks if pid != group]
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if _read_status(pid) is not None]
        if alive:
            time.sleep(0.02)
    for pid in alive:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if os.getpgid(pid) == group:
                os.kill(pid, signal.SIGKILL)


def run(
    command: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    watch: bool = True,
) -> RunResult:
    """Run ``command`` to the end (killing its whole process group past ``timeout``)."""
    started = time.perf_counter()
    # Its own session: on timeout the whole group (forkserver, workers) goes with it.
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        start_new_session=True,
        text=True,
    )
    watcher = _Watcher(proc.pid)
    if watch:
        watcher.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        wall = time.perf_counter() - started
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - started
        stderr += f"\n[bench] killed after {timeout:g} s"
        proc.returncode = -signal.SIGKILL
    finally:
        watcher.done.set()
        if watch:
            watcher.join(timeout=5)
    _reap_leftovers(proc.pid, watcher.peaks)
    root = watcher.peaks.pop(proc.pid, ProcPeak(proc.pid, 0, " ".join(command)))
    return RunResult(
        command=command,
        returncode=proc.returncode,
        wall=wall,
        stdout=stdout,
        stderr=stderr,
        root=root,
        descendants=sorted(watcher.peaks.values(), key=lambda p: p.pid),
        peak_pss_sum_kb=watcher.peak_pss_sum,
    )
