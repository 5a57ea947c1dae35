"""The worker processes that parse feeds, extract pages and label stories.

A process pool because feedparser and the extractor are pure Python and CPU-bound: in a
thread they would hold the GIL against the UI. Started by a fork server, not by fork: the
UI process has threads, and forking a threaded process can deadlock the child.

:class:`WorkerPool` adds what :class:`~concurrent.futures.ProcessPoolExecutor` lacks:

* **A worker that dies** (the OOM killer, a native crash, kill -9) breaks an executor for
  good. The pool starts a new one, once for all its users (a refresh and the reader's page
  thread may both hold tasks of the broken one), and sends every task that was lost with
  the old one once more. A task lost twice raises :class:`WorkerLostError`: nobody's feed
  is to blame for it.
* **Closing waits** until every worker has gone, killing one still busy after
  :data:`CLOSE_GRACE`. An executor shut down without waiting races the interpreter's exit,
  and now and then that printed a multiprocessing traceback after a successful refresh.
* **Workers die with newsterm**, even after kill -9, which lets no cleanup run: otherwise
  the fork server, its workers and the resource tracker stay, holding the library and the
  caller's stdout (``newsterm refresh | cat`` would never end). On Linux the fork server
  and each worker ask for SIGKILL when their parent goes (``PR_SET_PDEATHSIG``); on every
  system a thread in each worker watches a pipe from newsterm and exits when it closes.
  The fork server and its workers write to /dev/null, never to the caller's pipe.

This module is preloaded into the fork server, which is how the fork server's half of
the above runs there (see the end of the module).
"""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from tui.core.errors import WorkerLostError

# multiprocessing and the process executor are imported when a pool first starts: a
# refresh answered with 304s never starts one, and the command line should not pay for
# them (5 ms) on every run.
if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")

#: Workers per pool: one per core, and past four the network is the limit anyway.
WORKERS = max(1, min(4, os.cpu_count() or 1))
#: What the fork server imports once, so that every worker starts with it loaded.
PRELOAD = ["tui.core.workers.pool", "tui.core.workers.feeds", "tui.core.workers.jobs"]
#: Seconds a busy worker may take to finish its task when its pool closes.
CLOSE_GRACE = 0.5

LOST = (
    "A worker process of newsterm stopped unexpectedly twice (out of memory, or killed), "
    "so this was not done; try again."
)
CLOSED = "The worker processes have stopped because the library was closed."
CANNOT_START = "newsterm could not start its worker processes ({}); try again."


class WorkerPool:
    """The worker processes of one library; see the module's docstring."""

    def __init__(self, workers: int = WORKERS) -> None:
        self.workers = workers
        #: How many times a lost worker made the pool start again (for reports).
        self.restarts = 0
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._generation = 0  # counts executors, so that one breakage restarts once
        self._retired: list[ProcessPoolExecutor] = []  # broken ones, still winding down
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``fn(*args)`` in a worker. The future gives its result or its exception,
        :class:`WorkerLostError` when its worker died twice. Arguments and results must
        pickle. Blocks while the pool starts a worker (use :meth:`start` ahead of time
        from a thread, not from an event loop)."""
        task = _Task(self, fn, args)
        task.send()
        return task.result

    def start(self) -> None:
        """Start the fork server and a worker now: they take a moment (the fork server
        imports the parsers), better spent while the first downloads run."""
        self.submit(int).result()

    def close(self) -> None:
        """Stop the workers and wait until they have gone; later tasks raise."""
        with self._lock:
            self._closed = True
            executors = [*self._retired, *([self._executor] if self._executor else [])]
            self._executor, self._retired = None, []
        for executor in executors:
            _stop(executor)

    # -- for _Task ---------------------------------------------------------------------

    def _submit(self, fn: Callable[..., T], args: tuple[Any, ...]) -> tuple[int, Future[T]]:
        try:
            return self._submit_once_more(fn, args)
        except (OSError, ValueError) as error:  # no process could start: out of memory,
            # of processes or of file descriptors; nothing the task did either
            raise WorkerLostError(CANNOT_START.format(error)) from error

    def _submit_once_more(
        self, fn: Callable[..., T], args: tuple[Any, ...]
    ) -> tuple[int, Future[T]]:
        for _ in range(2):  # a broken executor is found at submit too, before any task
            if self._executor is None and not self._closed:
                # Outside the lock: the keeper may itself be waiting for it (a retry).
                _KEEPER.call(_start_fork_server)
            from concurrent.futures import ProcessPoolExecutor
            from concurrent.futures.process import BrokenProcessPool

            with self._lock:
                if self._closed:
                    raise WorkerLostError(CLOSED)
                if self._executor is None:
                    import multiprocessing

                    self._executor = ProcessPoolExecutor(
                        max_workers=self.workers,
                        mp_context=multiprocessing.get_context("forkserver"),
                        initializer=_start_worker,
                    )
                    self._generation += 1
                try:
                    return self._generation, self._executor.submit(fn, *args)
                except BrokenProcessPool:
                    self._retire(self._generation)
        raise WorkerLostError(LOST)

    def _broken(self, generation: int) -> None:
        """The executor of ``generation`` lost a worker: the next task starts another.
        (Its own thread has failed its tasks already, and ends its other workers.)"""
        with self._lock:
            self._retire(generation)

    def _retire(self, generation: int) -> None:
        if generation == self._generation and self._executor is not None:
            # Kept until close: its thread is still ending, and must have ended before
            # the interpreter does.
            self._retired.append(self._executor)
            self._executor = None
            self.restarts += 1


class _Task(Generic[T]):
    """One task and its one retry; ``result`` is the future its caller holds."""

    def __init__(self, pool: WorkerPool, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        self.pool = pool
        self.fn = fn
        self.args = args
        self.result: Future[T] = Future()
        self.tries = 0
        self._attempt: Future[T] | None = None
        self.result.add_done_callback(self._cancel_attempt)

    def send(self) -> None:
        self.tries += 1
        try:
            generation, attempt = self.pool._submit(self.fn, self.args)
        except BaseException as error:  # closed, lost, or no process could start
            _settle(self.result, error=error)
            return
        self._attempt = attempt
        attempt.add_done_callback(functools.partial(self._attempted, generation))

    def _attempted(self, generation: int, attempt: Future[T]) -> None:
        if attempt.cancelled():  # by its caller, or by closing the pool
            if self.pool.closed:
                _settle(self.result, error=WorkerLostError(CLOSED))
            self.result.cancel()
            return
        from concurrent.futures.process import BrokenProcessPool  # loaded: a task ran

        error = attempt.exception()
        if not isinstance(error, BrokenProcessPool):
            _settle(self.result, value=None if error else attempt.result(), error=error)
            return
        self.pool._broken(generation)
        if self.pool.closed:
            _settle(self.result, error=WorkerLostError(CLOSED))
        elif self.tries < 2 and not self.result.done():
            # Not from here: this runs in the broken executor's thread, tearing it down.
            _KEEPER.post(self.send)
        else:
            _settle(self.result, error=WorkerLostError(LOST))

    def _cancel_attempt(self, result: Future[T]) -> None:
        if result.cancelled() and self._attempt is not None:
            self._attempt.cancel()  # only stops it if no worker has taken it yet


def _settle(
    future: Future[T], *, value: T | None = None, error: BaseException | None = None
) -> None:
    with contextlib.suppress(InvalidStateError):  # its caller cancelled it meanwhile
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)  # type: ignore[arg-type]


def _stop(executor: ProcessPoolExecutor) -> None:
    """Shut ``executor`` down and return once its workers and its thread have ended."""
    from multiprocessing.connection import wait as wait_for

    # The executor keeps no public list of its processes; this one is the only list.
    processes = list((executor._processes or {}).values())
    stopping = threading.Thread(
        target=functools.partial(executor.shutdown, wait=True, cancel_futures=True),
        name="newsterm-pool-close",
        daemon=True,
    )
    stopping.start()
    stopping.join(CLOSE_GRACE)  # idle workers leave at once; a busy one finishes its task
    if stopping.is_alive():
        for process in processes:
            if process.pid is not None and not wait_for([process.sentinel], 0):
                with contextlib.suppress(OSError):
                    os.kill(process.pid, signal.SIGKILL)
        stopping.join(10)


class _Keeper:
    """One thread, as long-lived as the process, that starts the fork server and sends
    retries.

    The fork server asks to die with the *thread* that started it (that is how
    ``PR_SET_PDEATHSIG`` works), so a short-lived thread must not start it: asyncio's
    ``to_thread`` workers end with their event loop, and every worker would go with them.
    Retries are sent from here too, not from the broken executor's own thread.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], object]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def post(self, job: Callable[[], object]) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="newsterm-pool", daemon=True
                )
                self._thread.start()
        self._jobs.put(job)

    def call(self, job: Callable[[], T]) -> T:
        if threading.current_thread() is self._thread:
            return job()
        done: Future[T] = Future()

        def run() -> None:
            try:
                done.set_result(job())
            except BaseException as error:
                done.set_exception(error)

        self.post(run)
        return done.result()

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            with contextlib.suppress(Exception):  # each job reports its own failure
                job()


_KEEPER = _Keeper()


def _quiet_resource_tracker() -> None:
    """multiprocessing's resource tracker outlives a newsterm killed with -9 by a moment,
    cleans up after it, and warns about "leaked semaphore objects" on the caller's
    terminal: no news to anyone. It takes its -W options from this process's."""
    quiet = "ignore::UserWarning:multiprocessing.resource_tracker"
    if quiet not in sys.warnoptions:
        sys.warnoptions.append(quiet)


# Now, not when the first pool starts: the app starts the tracker early (see
# tui.ui.app._start_resource_tracker).
_quiet_resource_tracker()


def _start_fork_server() -> None:
    import multiprocessing
    from multiprocessing import forkserver

    _quiet_resource_tracker()
    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()


# -- in the fork server and the workers ---------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask Linux for SIGKILL when the thread that started this process ends."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _worker_forked(fork_server: int) -> None:
    """In each new worker, first thing: die with the fork server."""
    _die_with_parent()
    if os.getppid() != fork_server:  # it died before the signal was asked for
        os._exit(1)


def _prepare_fork_server() -> None:
    _die_with_parent()
    os.register_at_fork(after_in_child=functools.partial(_worker_forked, os.getpid()))
    # Off the caller's stdout and stderr: a pipe stays open while anyone holds it, and a
    # worker's traceback is no message for a user.
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _start_worker() -> None:
    """Each worker's initializer: give way to the UI, and exit when newsterm is gone."""
    # Parsing is batch work; on two cores two busy workers would otherwise take both from
    # the terminal UI while a refresh runs, and key presses would wait.
    with contextlib.suppress(AttributeError, OSError):  # no nice() on Windows
        os.nice(10)
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is not None and parent.sentinel is not None:
        watch = threading.Thread(
            target=_exit_with, args=(parent.sentinel,), name="newsterm-watchdog", daemon=True
        )
        watch.start()


def _exit_with(sentinel: int) -> None:
    """Wait for the pipe newsterm holds open to close (it exited, or was killed)."""
    from multiprocessing.connection import wait as wait_for

    wait_for([sentinel])
    os._exit(1)


def _preloaded_by_fork_server() -> bool:
    frame = sys._getframe(1)
    while frame is not None:
        if (
            frame.f_code.co_name == "main"
            and frame.f_globals.get("__name__") == "multiprocessing.forkserver"
        ):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


if _preloaded_by_fork_server():
    _prepare_fork_server()
