"""The feed job as the main process hands it over: a name that pickles, nothing heavy.

The parsers load in the workers (the fork server preloads them), never in the process
people are looking at: this module imports them only when the job runs.
"""

from __future__ import annotations

from tui.core.workers.tasks import LibraryFault, Stored, StoreRequest


def parse_and_store(request: StoreRequest) -> Stored | str | LibraryFault:
    """Run in a worker: parse the body and store its stories, or say why not."""
    from tui.core.workers.feeds import store_request

    return store_request(request)
