"""The tasks a refresh hands its worker processes, as the main process sees them.

Only the request and result types and a trampoline live here, so that the main process
(the UI, the command line) never imports the parsers: the workers import them, once.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from tui.core import errors


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


@dataclass(frozen=True, slots=True)
class LibraryFault:
    """A worker could not write the library (a full disk, a read-only or damaged file).

    That is the library's problem, not the task's: it travels back as this value rather
    than as the task's error string (which would be held against the feed), and rather
    than as the exception itself, whose class may not unpickle (an exception that fails
    to unpickle breaks the whole pool).
    """

    kind: str  # the name of the LibraryError class in tui.core.errors
    message: str

    @classmethod
    def of(cls, error: errors.LibraryError) -> LibraryFault:
        return cls(type(error).__name__, str(error))

    def error(self) -> errors.LibraryError:
        """The error again, to raise in the main process."""
        kind = getattr(errors, self.kind, None)
        if isinstance(kind, type) and issubclass(kind, errors.LibraryError):
            with contextlib.suppress(TypeError):  # a class that wants other arguments
                return kind(self.message)
        return errors.LibraryError(self.message)


def parse_and_store(request: StoreRequest) -> Stored | str | LibraryFault:
    """Run in a worker: parse the body and store its stories, or say why not."""
    from tui.core.parse_worker import store_request  # heavy; imported in workers only

    return store_request(request)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A fetched web page to extract, judge and store beside its story (reader mode)."""

    library: str
    story_id: int
    body: bytes
    final_url: str
    headers: dict[str, str]
    feed_url: str
    story_title: str


def extract_and_store(request: PageRequest) -> tuple[bool, str, int]:
    """Run in a worker: read the page's article and store it; ``(ok, note, words)``."""
    from tui.core.article_worker import store_page  # heavy (trafilatura); workers only

    return store_page(request)


def analyse_pending(library: str, limit: int, part: int = 0, parts: int = 1) -> int | LibraryFault:
    """Run in a worker: label up to ``limit`` stories' sentiment (those whose id leaves
    ``part`` when divided by ``parts``); how many were labelled."""
    from tui.core.article_worker import label_pending

    try:
        return label_pending(library, limit, part, parts)
    except errors.LibraryError as error:
        return LibraryFault.of(error)


def warm_up() -> None:
    """Run in a worker: import the reader-mode libraries ahead of the first page (the
    extractor imports trafilatura lazily, which costs its first page about 0.1 s)."""
    from tui.core.article_worker import load_extractor

    load_extractor()
