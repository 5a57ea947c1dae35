"""What travels to the worker processes and back: picklable requests and results.

Types only, no worker code: the main process imports this, and the jobs themselves
(:mod:`tui.core.workers.jobs`, :mod:`tui.core.pages.fetch`, :mod:`tui.core.pages.labels`)
load the parsers and the extractor in the workers alone.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

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
    #: The refresh's clock (None: the worker's own), so that a refresh run at a given
    #: time stores that time.
    now: datetime | None = None


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
