"""Domain errors. Every message is a sentence a user can act on; no raw sqlite3 or httpx
exceptions cross the core's boundary."""

from __future__ import annotations


class NewstermError(Exception):
    """Base class: ``str(error)`` is shown to the user as it is."""


class LibraryError(NewstermError):
    """The library file could not be opened or written."""


class LibraryTooNewError(LibraryError):
    """The library was written by a newer newsterm; it is left untouched."""


class LibraryFullError(LibraryError):
    """The disk (or file system) holding the library is full: nothing a feed did."""


class LibraryReadOnlyError(LibraryError):
    """The library file or its folder cannot be written; it was opened read-only."""


class LibraryDamagedError(LibraryError):
    """The library file is damaged (truncated, overwritten) or not SQLite at all."""


class WorkerLostError(NewstermError):
    """A worker process died (killed, out of memory, a native crash): not a feed's fault."""


class FeedNotFoundError(NewstermError):
    """No subscribed feed matches the id or URL given."""


class StoryNotFoundError(NewstermError):
    """No story has the id given."""


class InvalidFeedURLError(NewstermError):
    """A URL newsterm will not subscribe to (not http, https or file)."""


class SearchQueryError(NewstermError):
    """A full-text query SQLite could not understand."""


class ImportFileError(NewstermError):
    """A subscription file that could not be read at all."""


class ConfigError(NewstermError):
    """The config file is not valid TOML or holds a setting of the wrong type."""


class ParseError(NewstermError):
    """A document that is not a feed at all (empty, an HTML page, unreadable)."""


class DiscoveryError(NewstermError):
    """An address that is neither a feed nor a page that leads to one, or cannot be read."""


class SyncError(NewstermError):
    """A sync server could not be used: unreachable, or its answer could not be read."""


class SyncLoginError(SyncError):
    """The sync server refused the user name and password (or token)."""


class SyncRefusedError(SyncError):
    """The sync server refused one request for good (a 4xx answer other than a login's):
    asking again would get the same answer."""


class SyncUnreachableError(SyncError):
    """The sync server did not answer at all (down, unreachable, or too slow)."""


class AccountNotFoundError(NewstermError):
    """No sync account by that name."""


class CommandError(NewstermError):
    """A command of the user's (``[[commands]]``) that cannot be run on this story, or
    whose program cannot be started."""
