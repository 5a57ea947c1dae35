"""What a refresh runs in its worker processes: parse a body and store it.

Kept apart from :mod:`tui.core.refresh` so that worker processes import the parser and the
store, not httpx. Storing happens here too, in the worker's own connection to the library:
the stories then never travel back to the main process (pickling 50 stories and their
bodies cost the main process more than writing them), and the main process is left with
just the network, which keeps a refresh's two halves busy on two cores.
"""

from __future__ import annotations

import sqlite3

from tui.core.errors import LibraryError, NewstermError
from tui.core.parse.feed import parse_feed_safely
from tui.core.store import feeds as feed_queries
from tui.core.store.database import shared_database
from tui.core.store.ingest import Prepared, Validators, fingerprints, prepare, store_parsed_feed
from tui.core.text.dates import utcnow
from tui.core.workers.tasks import LibraryFault, Stored, StoreRequest


def store_request(request: StoreRequest) -> Stored | str | LibraryFault:
    """Parse a feed body and store its stories; or a sentence saying why not (the feed's
    problem), or a :class:`LibraryFault` (the library's)."""
    parsed = parse_feed_safely(request.body, url=request.url, headers=request.headers)
    if isinstance(parsed, str):
        return parsed
    now = request.now or utcnow()
    validators = Validators(request.etag, request.last_modified, request.body_hash)

    def change(conn: sqlite3.Connection, prepared: list[Prepared]) -> int:
        if request.permanent_url:
            feed_queries.move_url(conn, request.feed_id, request.permanent_url)
        return store_parsed_feed(
            conn, request.feed_id, parsed, now=now, validators=validators, prepared=prepared
        )

    try:
        db = shared_database(request.library)
        # Compressing and reading the words of new stories needs no lock: done here, the
        # other worker writes meanwhile, and the write lock is held for SQLite's work only.
        prepared = prepare(parsed.entries, db.read(fingerprints, request.feed_id))
        new = db.write_relaxed(change, prepared)
    except LibraryError as error:  # a full disk, a read-only file: nothing the feed did
        return LibraryFault.of(error)
    except NewstermError as error:
        return str(error)
    return Stored(new_stories=new, warnings=parsed.warnings)
