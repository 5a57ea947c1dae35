"""Run a command with a time limit: its wall clock, and the memory and CPU of its tree.

Peak memory is read from ``/proc/<pid>/status`` (``VmHWM``, the kernel's own high-water
mark of resident memory, so it is exact however seldom we look, as long as we look once
more before the process ends) for the process and for every descendant seen while it runs
— for newsterm that is the forkserver, the resource tracker and the parse workers.
Resident sizes count pages shared with a parent (copy-on-write after fork) in both, so a
sum over processes overstates; the proportional set size (``Pss`` in ``smaps_rollup``)
shares them out and does add up, but has no high-water mark, so it is sampled and its
peak is a lower bound.

CPU time of the command itself is exact (from ``wait4``); its
descendants' is read from ``/proc/<pid>/stat`` on each poll (a worker's last ~50 ms may be
missed). The whole machine's busy time over the run (``/proc/stat``) minus ours tells how
much *other* processes ran meanwhile: on a shared machine that is the noise in the wall
clock. Linux only.

The start-up and reader-mode benchmarks look at a running app's tree the same way:
:func:`read_memory`, :func:`descendants`, :func:`roles`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_POLL_SECONDS = 0.05
_PSS_EVERY = 4  # smaps_rollup walks page tables: sample it on every 4th poll only
_TICK = os.sysconf("SC_CLK_TCK")
_OWN_COMMAND = (
    Path("/proc/self/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
)


@dataclass
class ProcPeak:
    pid: int
    parent: int
    command: str
    hwm_kb: int = 0  # VmHWM: exact peak resident set
    pss_kb: int = 0  # largest sampled Pss
    cpu: float = 0.0  # user + system seconds, as last seen

    @property
    def role(self) -> str:
        """What a Python multiprocessing helper is, from its command line."""
        if "resource_tracker" in self.command:
            return "resource tracker"
        if "forkserver" in self.command:
            # Workers are forked from the forkserver and inherit its command line.
            return "worker" if self.parent_is_forkserver else "forkserver"
        return "child"

    parent_is_forkserver: bool = False


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
    #: CPU seconds every other process (and the kernel) used meanwhile, this benchmark's
    #: own process excepted: the feed server's share is in here too.
    others_cpu: float = 0.0

    @property
    def tree_cpu(self) -> float:
        return self.root.cpu + sum(p.cpu for p in self.descendants)


def _status(pid: int) -> dict[str, int]:
    """VmHWM, VmRSS (kB) and PPid from ``/proc/<pid>/status``; the ones present."""
    values: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return values
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmHWM", "VmRSS", "PPid"):
            values[name] = int(rest.split()[0])
    return values


def _read_status(pid: int) -> tuple[int, int] | None:
    """(VmHWM kB, PPid), or None for a process gone or a zombie."""
    status = _status(pid)
    if "VmHWM" not in status or "PPid" not in status:
        return None
    return status["VmHWM"], status["PPid"]


def read_memory(pid: int) -> dict[str, int]:
    """VmHWM (peak resident) and VmRSS of a process, in kB (empty once it has gone)."""
    return {name: kb for name, kb in _status(pid).items() if name != "PPid"}


def read_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process so far, or None once it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def machine_busy() -> float:
    """CPU seconds all processors have spent busy since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICK


def settle(idle_below: float = 0.3, window: float = 0.2, limit: float = 5.0) -> float:
    """Wait (at most ``limit`` seconds) until the machine is about idle; returns the load seen.

    Before each measured run, so that what the previous one left behind (write-back of a
    SQLite file, a worker still exiting) and short bursts from other programs are not
    billed to the next. Load is CPUs busy over ``window`` seconds.
    """
    deadline = time.monotonic() + limit
    load = 0.0
    while True:  # bounded by ``limit``
        before = machine_busy()
        time.sleep(window)
        load = (machine_busy() - before) / window
        if load < idle_below or time.monotonic() >= deadline:
            return load


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


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (a snapshot)."""
    found: list[int] = []
    todo = [pid]
    while todo and len(found) < 10_000:  # a tree: every pid is visited once
        for child in _children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def roles(pid: int) -> list[str]:
    """The roles of the processes under ``pid``: resource tracker, forkserver, worker, child."""
    pids = descendants(pid)
    commands = {child: command_line(child) for child in pids}
    workers = {w for child in pids if "forkserver" in commands[child] for w in descendants(child)}
    return [
        "worker" if child in workers else ProcPeak(child, pid, commands[child]).role
        for child in pids
    ]


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
        if self.root not in self.peaks and command_line(self.root) == _OWN_COMMAND:
            return  # forked but not yet exec'd: that memory is ours, not the command's
        pending = [(self.root, 0)]
        pss_sum = 0
        seen = 0
        while pending and seen < 1000:  # a tree, but never trust /proc to stay still
            pid, parent = pending.pop()
            seen += 1
            # The command line first: should an exec fall between the two reads, the new
            # program's figures are filed under the old name and reset on the next poll,
            # never the other way round.
            command = command_line(pid)
            status = _read_status(pid)
            if status is None:
                continue
            peak = self.peaks.get(pid)
            if peak is None or peak.command != command:
                # New, or it has exec'd since: before exec a child spawned with fork+exec
                # shows its parent's memory and command line, which are not its own.
                peak = self.peaks[pid] = ProcPeak(pid, parent, command)
                parent_peak = self.peaks.get(parent)
                peak.parent_is_forkserver = parent_peak is not None and (
                    parent_peak.role == "forkserver"
                )
            peak.hwm_kb = max(peak.hwm_kb, status[0])
            peak.cpu = read_cpu(pid) or peak.cpu
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
        for pid in alive:  # their final CPU time, while /proc still has it
            cpu = read_cpu(pid)
            if cpu is not None and _read_status(pid) is not None:
                peaks[pid].cpu = cpu
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
) -> RunResult:
    """Run ``command`` to the end (killing its whole process group past ``timeout``).

    The clock stops when the command itself exits (``wait4``), as a shell sees it, not
    when its helpers have gone; output goes to files, so no helper holding a pipe open
    can keep us waiting.
    """
    settle()
    busy_before = machine_busy()
    own_before = time.process_time()  # the watcher's polling is ours, not "others"
    killed = threading.Event()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        # Its own session: on timeout the whole group (forkserver, workers) goes with it.
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )

        def kill_group() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        watcher = _Watcher(proc.pid)
        watcher.start()
        timer = threading.Timer(timeout, kill_group)
        timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - started
        except BaseException:  # Ctrl-C, SIGTERM: the child is in its own session, end it too
            kill_group()
            proc.wait()
            raise
        finally:
            timer.cancel()
            watcher.done.set()
            watcher.join(timeout=5)
        proc.returncode = os.waitstatus_to_exitcode(status)
        _reap_leftovers(proc.pid, watcher.peaks)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    if killed.is_set():
        stderr += f"\n[bench] killed after {timeout:g} s"
    busy = machine_busy() - busy_before
    root = watcher.peaks.pop(proc.pid, ProcPeak(proc.pid, 0, " ".join(command)))
    # Exact CPU time from the kernel. Not ru_maxrss: exec carries the forking process's
    # high-water mark over into it, and that would be this benchmark's own.
    root.cpu = usage.ru_utime + usage.ru_stime
    result = RunResult(
        command=command,
        returncode=proc.returncode,
        wall=wall,
        stdout=stdout,
        stderr=stderr,
        root=root,
        descendants=sorted(watcher.peaks.values(), key=lambda p: p.pid),
        peak_pss_sum_kb=watcher.peak_pss_sum,
    )
    own = time.process_time() - own_before
    result.others_cpu = max(0.0, busy - result.tree_cpu - own)
    return result
