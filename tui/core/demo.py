"""The bundled demo library and the starter feed set.

This module owns ``tui/data``: six small feeds written for newsterm (``tui/data/demo``,
RSS 2.0, Atom and JSON Feed on six topics) and ``tui/data/starter.opml``, a set of real,
public feeds offered on first launch.

:func:`build_demo_library` turns the demo feeds into a library without the network: each
file is parsed in-process with the same function a refresh runs in its process pool, its
dates are moved so that the newest story is always 40 minutes old (list rows then read
"40m", "3h", "2d" whenever the demo is opened), and the stories are stored with the same
queries the refresh pipeline uses. A few stories are marked read and bookmarked so that
every state a row can be in is on screen. The same ``now`` gives the same library: the
same stories, ids, dates and marks.

The demo's one picture (``tui/data/demo/pictures``, drawn by
``scripts/draw_demo_picture.py``) is put in the picture cache beside the library under
the address its story gives it, so the demo shows a story with a picture offline.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.core.errors import LibraryError
from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.parse.feed import parse_feed_safely
from tui.core.text.dates import utcnow

# Path(__file__) rather than importlib.resources: the feeds are subscribed by file:// URL,
# so they must be real files on disk, which a wheel installed the usual way gives us.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEMO_DIR = DATA_DIR / "demo"
STARTER_OPML = DATA_DIR / "starter.opml"

#: The demo stories' pictures: their address in the story, and the bundled file.
DEMO_PICTURES: dict[str, str] = {
    "https://orbital-notes.example/img/kestrel-render.jpg": "kestrel-render.jpg",
}

#: How old the newest demo story is whenever the demo is built.
NEWEST_AGE = timedelta(minutes=40)


@dataclass(frozen=True, slots=True)
class DemoFeed:
    """One bundled feed file and how the demo subscribes to it."""

    filename: str
    title: str
    topic: str


#: Subscribed in this order, which fixes the feed and story ids.
DEMO_FEEDS: tuple[DemoFeed, ...] = (
    DemoFeed("orbital-notes.xml", "Orbital Notes", "Space"),
    DemoFeed("stack-and-heap.xml", "Stack & Heap", "Programming"),
    DemoFeed("field-and-bench.xml", "Field & Bench", "Science"),
    DemoFeed("circuit-ledger.xml", "Circuit Ledger", "Technology"),
    DemoFeed("weathervane.atom", "Weathervane", "Climate"),
    DemoFeed("the-long-table.json", "The Long Table", "Culture"),
)

# Stories marked by the last part of their link, with how long before ``now`` the mark
# was made (fixed offsets, so the same ``now`` gives the same read_at/bookmarked_at).
_READ: tuple[tuple[str, timedelta], ...] = (
    ("deorbit-on-purpose", timedelta(hours=20)),
    ("gentle-introduction-to-error-bars", timedelta(hours=26)),
    ("charging-overnight", timedelta(hours=5)),
    ("conditional-get-polite-polling", timedelta(days=2)),
)
_BOOKMARKED: tuple[tuple[str, timedelta], ...] = (
    ("conditional-get-polite-polling", timedelta(days=2)),  # read and bookmarked
    ("heat-pumps-long-winter", timedelta(hours=3)),  # bookmarked, still unread
)


def _cache_pictures(library: Library) -> None:
    """Put the bundled pictures in the demo's cache, as if fetched once already."""
    for url, filename in DEMO_PICTURES.items():
        try:
            data = (DEMO_DIR / "pictures" / filename).read_bytes()
        except OSError as error:
            raise LibraryError(f"The demo picture {filename} cannot be read: {error}.") from None
        library.image_cache.put(url, data)


def starter_opml_path() -> Path:
    """The starter feed set: real, public feeds in topic folders, offered on first launch."""
    return STARTER_OPML


def build_demo_library(path: Path, *, now: datetime | None = None) -> None:
    """Create a new library at ``path`` holding the demo feeds, offline, in well under a second.

    ``now`` (default: the current time) decides every date in the library: the newest
    story is published ``NEWEST_AGE`` before it. Raises :class:`LibraryError` when
    ``path`` already exists (the demo is never written into someone's library) or when a
    bundled file cannot be read.
    """
    if path.exists():
        raise LibraryError(
            f"{path} already exists; the demo library is only built into a new file. "
            "Remove it or choose another path."
        )
    moment = _normalise(now)
    parsed = [_parse(demo) for demo in DEMO_FEEDS]
    shift = _shift(parsed, moment)
    try:
        with Library(path) as library:
            for demo, (body_hash, feed) in zip(DEMO_FEEDS, parsed, strict=True):
                subscribed = library.add_feed(
                    (DEMO_DIR / demo.filename).as_uri(), topic=demo.topic, title=demo.title
                )
                library.ingest(
                    subscribed.id, _rebased(feed, shift), now=moment, body_hash=body_hash
                )
            _mark(library, moment)
            _cache_pictures(library)
    except BaseException:
        _remove_library_files(path)
        raise


# -- building blocks ---------------------------------------------------------------------


def _normalise(now: datetime | None) -> datetime:
    moment = now or utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # The library stores whole seconds; a fractional now would make "40 minutes" inexact.
    return moment.astimezone(UTC).replace(microsecond=0)


def _parse(demo: DemoFeed) -> tuple[str, ParsedFeed]:
    """The file's body hash and its parsed feed."""
    file = DEMO_DIR / demo.filename
    try:
        body = file.read_bytes()
    except OSError as error:
        raise LibraryError(
            f"The demo feed {file} could not be read ({error.strerror or error}); "
            "reinstalling newsterm restores it."
        ) from None
    parsed = parse_feed_safely(body, url=file.as_uri(), headers={})
    if isinstance(parsed, str):
        raise LibraryError(f"The demo feed {file} could not be parsed: {parsed}")
    return hashlib.sha256(body).hexdigest(), parsed


def _shift(parsed: Sequence[tuple[str, ParsedFeed]], now: datetime) -> timedelta:
    """How far to move every date so that the newest story is ``NEWEST_AGE`` old."""
    dates = [
        date
        for _, feed in parsed
        for entry in feed.entries
        for date in (entry.published, entry.updated)
        if date is not None
    ]
    if not dates:
        return timedelta()
    return (now - NEWEST_AGE) - max(dates)


def _rebased(feed: ParsedFeed, shift: timedelta) -> ParsedFeed:
    def move(entry: ParsedEntry) -> ParsedEntry:
        return dataclasses.replace(
            entry,
            published=entry.published + shift if entry.published else None,
            updated=entry.updated + shift if entry.updated else None,
        )

    return dataclasses.replace(feed, entries=tuple(move(e) for e in feed.entries))


def _mark(library: Library, now: datetime) -> None:
    """Mark the chosen stories read and bookmarked, at fixed times before ``now``."""
    by_slug = {story.link.rstrip("/").rsplit("/", 1)[-1]: story.id for story in library.stories()}
    for slug, ago in _READ:
        library.set_read([by_slug[slug]], True, now=now - ago)
    for slug, ago in _BOOKMARKED:
        library.set_bookmarked([by_slug[slug]], True, now=now - ago)


def _remove_library_files(path: Path) -> None:
    """Remove what a failed build left, so that a retry starts from nothing."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
