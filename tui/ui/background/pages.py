"""Reader mode's page fetching for the UI: one thread, its own event loop, a queue.

Stories are fetched for three reasons: the story just opened wants its page (``open``),
the user pressed F (``manual``, fetched again even when stored), or the story is unread
and on screen (``prefetch``). The first two go at once, ahead of any queue; prefetches
wait in a short queue (:class:`PrefetchQueue`), newest first, and run a few at a time
(``articles.prefetch_concurrency``). A story is never fetched twice at once: asking for
one already on its way joins that fetch.

Like a refresh (see :mod:`tui.ui.background.refresh`), the fetching runs on
its own asyncio loop in a thread, not on the app's, so that the HTTP exchanges never
delay a frame. It is a plain daemon thread rather than a Textual worker because it lives
as long as the app: a Textual worker that never ends would keep
``App.workers.wait_for_complete`` waiting. :meth:`PageFetcher.stop` (called when the app
quits) cancels whatever is in flight, so quitting is quick even when a page server never
answers.

A network error (offline, DNS, refused, a timeout) pauses prefetching until
:meth:`PageFetcher.resume` (a successful refresh, or F) or until a page the user asked
for arrives; fetches already under way finish. A story whose prefetch met a network
error is not prefetched again while the app runs (opening it still fetches it), so one
dead site on screen cannot stall prefetching at every resume.

Every public method is safe to call from the app's event loop; outcomes go to
``on_done`` in the fetcher's thread (the caller passes them on with
:func:`tui.ui.background.threads.deliver`).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable, Collection, Coroutine, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from tui.core import ArticleOutcome, Library

Reason = Literal["open", "manual", "prefetch"]

#: Past this many queued prefetches, the ones no longer on screen are dropped.
MAX_QUEUED = 40
#: Prefetches handed to the library at once, as a multiple of the concurrency: one page
#: client (and its TLS set-up) serves the batch, and a batch is small enough that what
#: scrolls away meanwhile is mostly still in the queue, where it can be dropped.
BATCH_PER_SLOT = 3


@dataclass(frozen=True, slots=True)
class PageDone:
    """One story's page fetch finished: its outcome and every reason it was asked for."""

    outcome: ArticleOutcome
    reasons: frozenset[Reason]


class PrefetchQueue:
    """Stories waiting for a prefetch: newest request first, at most ``limit`` unless all
    of them are still on screen."""

    def __init__(self, limit: int = MAX_QUEUED) -> None:
        self.limit = limit
        self._ids: deque[int] = deque()

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[int]:
        return iter(list(self._ids))

    def push(self, story_ids: Sequence[int], on_screen: Collection[int]) -> None:
        """Put ``story_ids`` first (in their order); past the limit, drop what scrolled away."""
        for story_id in reversed(story_ids):
            self.discard(story_id)
            self._ids.appendleft(story_id)
        if len(self._ids) > self.limit:
            self._ids = deque(i for i in self._ids if i in on_screen)

    def discard(self, story_id: int) -> None:
        with contextlib.suppress(ValueError):
            self._ids.remove(story_id)

    def take(self, count: int, busy: Collection[int] = ()) -> list[int]:
        """The next ``count`` stories, skipping (and dropping) ones in ``busy``."""
        taken: list[int] = []
        while self._ids and len(taken) < count:
            story_id = self._ids.popleft()
            if story_id not in busy:
                taken.append(story_id)
        return taken


class PageFetcher:
    """Fetches stories' pages in the background; see the module's docstring."""

    def __init__(
        self,
        library: Callable[[], Library],
        on_done: Callable[[PageDone], None],
        *,
        concurrency: int = 2,
        max_queued: int = MAX_QUEUED,
    ) -> None:
        self._library = library  # a getter: the welcome screen can swap in the demo library
        self._on_done = on_done
        self._concurrency = max(1, concurrency)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._idle = threading.Event()
        self._idle.set()
        self._lock = threading.Lock()
        self._calls = 0  # calls made and not yet run by the fetcher's loop
        # Everything below belongs to the fetcher's loop: only touched in its thread.
        self._queue = PrefetchQueue(max_queued)
        self._asked: dict[int, set[Reason]] = {}  # in flight → why it was asked for
        self._forced: set[int] = set()  # in flight and forced
        self._again: dict[int, set[Reason]] = {}  # forced while an unforced fetch ran
        self._unreachable: set[int] = set()  # met a network error: not prefetched again
        self._tasks: set[asyncio.Task[None]] = set()
        self._batch: asyncio.Task[None] | None = None
        self._paused = False
        self._wake: asyncio.Event | None = None
        self._stopping = False

    # -- the app's side ------------------------------------------------------------------

    def want(self, story_id: int, reason: Reason, *, force: bool = False) -> None:
        """Fetch this story's page now, ahead of the prefetch queue (``force``: even when
        it is stored)."""
        self._call(self._want, story_id, reason, force)

    def prefetch(self, story_ids: Sequence[int], on_screen: Iterable[int]) -> None:
        """Queue these stories (unread, on screen) if their pages are wanted; ``on_screen``
        is every story on screen now, so the queue can drop what scrolled away."""
        self._call(self._admit, list(story_ids), set(on_screen))

    def resume(self) -> None:
        """Prefetch again after a network error paused it."""
        self._call(self._resume)

    def stop(self, timeout: float = 1.0) -> None:
        """Cancel everything and end the thread (the app is quitting)."""
        self._closed = True
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop has already finished
            loop.call_soon_threadsafe(self._stop)
        thread.join(timeout)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is in flight and nothing queued can run (for tests)."""
        return self._idle.wait(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _call(self, method: Callable[..., object], *args: object) -> None:
        if self._closed:
            return
        if self._loop is None:
            self._start()
        assert self._loop is not None
        with self._lock:
            self._calls += 1  # counted here, so that wait_idle sees the work at once
            self._idle.clear()

        def run() -> None:
            with self._lock:
                self._calls -= 1
            method(*args)
            self._poke()

        with contextlib.suppress(RuntimeError):  # the loop has finished: the app is closing
            self._loop.call_soon_threadsafe(run)

    def _start(self) -> None:
        loop = self._loop = asyncio.new_event_loop()

        def run() -> None:
            with asyncio.Runner(loop_factory=lambda: loop) as runner:
                runner.run(self._serve())
            self._idle.set()

        self._thread = threading.Thread(target=run, name="newsterm-pages", daemon=True)
        self._thread.start()

    # -- the fetcher's loop --------------------------------------------------------------

    async def _serve(self) -> None:
        self._wake = asyncio.Event()
        self._wake.set()
        try:
            while not self._stopping:
                await self._wake.wait()
                self._wake.clear()
                self._start_batch()
                self._check_idle()
        finally:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _stop(self) -> None:
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        self._poke()

    def _check_idle(self) -> None:
        with self._lock:
            if not (self._calls or self._tasks or (self._queue and not self._paused)):
                self._idle.set()

    def _resume(self) -> None:
        self._paused = False

    def _want(self, story_id: int, reason: Reason, force: bool) -> None:
        self._queue.discard(story_id)
        if story_id in self._asked:  # on its way: join it, or go again once it is done
            if force and story_id not in self._forced:
                self._again.setdefault(story_id, set()).add(reason)
            else:
                self._asked[story_id].add(reason)
            return
        self._launch(self._fetch_one(story_id, force), {story_id: reason}, force=force)

    def _launch(
        self,
        work: Coroutine[None, None, None],
        asked: dict[int, Reason] | None = None,
        *,
        force: bool = False,
    ) -> asyncio.Task[None]:
        for story_id, reason in (asked or {}).items():
            self._asked[story_id] = {reason}
            if force:
                self._forced.add(story_id)
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._poke()

    def _admit(self, story_ids: list[int], on_screen: set[int]) -> None:
        self._launch(self._queue_wanted(story_ids, on_screen))

    async def _queue_wanted(self, story_ids: list[int], on_screen: set[int]) -> None:
        try:
            wanted = await asyncio.to_thread(self._library().wants_page, story_ids)
        except Exception:  # a library problem shows where the user acts, not here
            wanted = []
        self._queue.push(
            [i for i in wanted if i not in self._asked and i not in self._unreachable],
            on_screen,
        )

    def _start_batch(self) -> None:
        if self._paused or self._batch is not None or self._stopping:
            return
        batch = self._queue.take(self._concurrency * BATCH_PER_SLOT, busy=self._asked)
        if batch:
            self._batch = self._launch(self._fetch_batch(batch), dict.fromkeys(batch, "prefetch"))

    async def _fetch_one(self, story_id: int, force: bool) -> None:
        try:
            (outcome,) = await self._library().fetch_pages([story_id], force=force, concurrency=1)
        except asyncio.CancelledError:
            self._forget([story_id])
            raise
        except Exception as error:  # the fetch must never take the thread down
            outcome = ArticleOutcome(story_id, False, f"The page could not be read: {error}.")
        self._finished(outcome)

    async def _fetch_batch(self, story_ids: list[int]) -> None:
        def progress(_done: int, _total: int, outcome: ArticleOutcome) -> None:
            self._finished(outcome)

        try:
            await self._library().fetch_pages(
                story_ids, concurrency=self._concurrency, progress=progress
            )
        except asyncio.CancelledError:  # the app is quitting
            self._forget(story_ids)
            raise
        except Exception as error:
            for story_id in [i for i in story_ids if i in self._asked]:
                self._finished(
                    ArticleOutcome(story_id, False, f"The page could not be read: {error}.")
                )
        finally:
            self._batch = None

    def _forget(self, story_ids: Iterable[int]) -> None:
        for story_id in story_ids:
            self._asked.pop(story_id, None)
            self._forced.discard(story_id)

    def _finished(self, outcome: ArticleOutcome) -> None:
        story_id = outcome.story_id
        reasons = frozenset(self._asked.pop(story_id, {"prefetch"}))
        self._forced.discard(story_id)
        again = self._again.pop(story_id, None)
        if outcome.network_error:
            self._paused = True
            self._unreachable.add(story_id)
        elif outcome.ok and reasons - {"prefetch"}:
            self._paused = False  # a page the user asked for arrived: the network is back
        self._on_done(PageDone(outcome, reasons))
        if again and not self._stopping:
            first, *others = sorted(again)
            self._want(story_id, first, True)
            self._asked[story_id].update(others)
        self._poke()
