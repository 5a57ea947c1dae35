"""The tasks a refresh hands its worker processes, as the main process sees them.

Only the request and result types and a trampoline live here, so that the main process
(the UI, the command line) never imports the parsers: the workers import them, once.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoreRequest:
    """A fetched body to parse and store: everything a worker needs, and picklable."""

    library: str
    feed_id: int
    body: bytes
    url: str
    headers: dict[str, str]
    etag: str | None
    last_modified: str | None
    body_hash: str
    permanent_url: str | None


@dataclass(frozen=True, slots=True)
class Stored:
    new_stories: int
    warnings: tuple[str, ...]


def parse_and_store(request: StoreRequest) -> Stored | str:
    """Run in a worker: parse the body and store its stories, or say why not."""
    from tui.core.parse_worker import store_request  # heavy; imported in workers only

    return store_request(request)


def lower_priority() -> None:
    """Worker start-up: yield the CPU to the process people are looking at.

    Parsing is batch work; on a two-core machine two busy workers would otherwise take the
    cores from the terminal UI while a refresh runs, and key presses would wait.
    """
    with contextlib.suppress(AttributeError, OSError):  # no nice() on Windows
        os.nice(10)
