"""The work on items from a server that runs in the worker processes: turning each into an
entry as a feed's would be (clean body, summary, search text), off the UI's process.

A name that pickles and nothing heavy at import, like the refresh's jobs."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from tui.core.models import ParsedEntry
from tui.core.sync.items import ServerItem

#: The key of a story from a server within its feed: the server's item id.
KEY_PREFIX = "sync:"


def item_entries(items: Sequence[ServerItem], now: datetime) -> list[ParsedEntry]:
    """Run in a worker: the entries for some items, in their order."""
    from tui.core.parse.entries import make_entry

    entries = []
    for item in items:
        entry = make_entry(
            title=item.title,
            link=item.link,
            guid="",
            summary="",
            content_html=item.html,
            author=item.author,
            published_raw=item.published,
            updated_raw=None,
            categories=(),
            now=now,
        )
        entries.append(dataclasses.replace(entry, key=KEY_PREFIX + item.id))
    return entries
