"""The function a refresh runs in its process pool: parse a body, extract text for search.

Kept apart from :mod:`tui.core.refresh` so that worker processes import only the parser,
not httpx or the store. HTML → text for the search index is done here too, because it is
the other CPU-heavy step of ingest and the main process should stay free for the UI.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from tui.core.htmltext import html_to_text
from tui.core.models import ParsedFeed
from tui.core.parse import parse_feed_safely


def parse_for_library(body: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed | str:
    """A :class:`ParsedFeed` ready to store, or a sentence saying why there is none."""
    parsed = parse_feed_safely(body, url=url, headers=headers)
    if isinstance(parsed, str):
        return parsed
    entries = tuple(
        dataclasses.replace(entry, content_text=html_to_text(entry.content_html))
        if entry.content_html
        else entry
        for entry in parsed.entries
    )
    return dataclasses.replace(parsed, entries=entries)
