"""What a server holds, in one shape whatever its API: feeds, items and marks.

Plain data, light to import: the worker processes unpickle items without loading the
clients (httpx) that fetched them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ServerFeed:
    id: str
    title: str
    url: str
    site_url: str
    folder: str  # "" when in none


@dataclass(frozen=True, slots=True)
class ServerItem:
    id: str
    feed_id: str
    title: str
    link: str
    author: str
    html: str
    published: datetime | None
    read: bool
    starred: bool


@dataclass(slots=True)
class ServerMarks:
    """The server's marks: for every item it has (``unread`` and ``starred`` sets: an item
    in neither is read and not starred), or for the items changed lately (``changed``, with
    when, so that the newest mark wins)."""

    unread: set[str] | None = None
    starred: set[str] | None = None
    present: set[str] | None = None  # every item the server has, when known
    changed: dict[str, tuple[bool, bool, datetime | None]] = field(default_factory=dict)
