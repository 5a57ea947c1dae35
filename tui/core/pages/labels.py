"""Sentiment labels for many stories at once, shared out between the worker processes.

Each worker takes its own share of the stories (their ids modulo the number of workers),
so every core labels at once. The functions the workers run are module-level (so they
pickle by name) and import the labelling code only when called, in the worker.
"""

from __future__ import annotations

from tui.core.workers.pool import WorkerPool
from tui.core.workers.tasks import LibraryFault


def label_pending(
    pool: WorkerPool, library: str, *, batch: int = 500, limit: int | None = None
) -> int:
    """Label up to ``limit`` stories that have no sentiment label (all, if None), latest
    first; how many were labelled. A library that cannot be written raises its error."""
    parts = pool.workers
    active = list(range(parts))
    done = 0
    while active and (limit is None or done < limit):
        left = None if limit is None else limit - done
        step = batch if left is None else max(1, min(batch, -(-left // len(active))))
        rounds = {part: pool.submit(analyse_pending, library, step, part, parts) for part in active}
        for part, future in rounds.items():
            labelled = future.result()
            if isinstance(labelled, LibraryFault):  # the library's problem, as an error
                raise labelled.error()
            done += labelled
            if labelled < step:
                active.remove(part)  # this share is all labelled
    return done


def warm_up(pool: WorkerPool) -> None:
    """Start the workers and load the extractor in each, so that the first page a reader
    opens is not also the one that pays for it (trafilatura's import, ~0.1 s)."""
    # One task per worker: a worker busy importing leaves the next task to another.
    warm = [pool.submit(load_extractor) for _ in range(pool.workers)]
    for done in warm:
        done.result()


# -- run in the workers --------------------------------------------------------------


def analyse_pending(library: str, limit: int, part: int, parts: int) -> int | LibraryFault:
    """Label up to ``limit`` stories of share ``part`` of ``parts``; how many were."""
    from tui.core.errors import LibraryError
    from tui.core.pages.jobs import label_pending as label

    try:
        return label(library, limit, part, parts)
    except LibraryError as error:
        return LibraryFault.of(error)


def load_extractor() -> None:
    from tui.core.pages.jobs import load_extractor as load

    load()
