"""Hygiene checks shared by the tests: what must never reach a terminal, and where to look."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator

from tui.core.models import ParsedFeed

# What must never reach a terminal: C0/C1 controls other than \n and \t, DEL, bidi overrides.
BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Stricter, for articles: C0/C1 controls but newline (tabs are expanded too),
# DEL, bidi embeddings, overrides and isolates.
BAD_CHARS_OR_TAB = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strings(value: object) -> Iterator[str]:
    """Every string inside a dataclass tree (a feed, an article), however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from strings(getattr(value, field.name))


def assert_feed_clean(result: ParsedFeed) -> None:
    """No string of a parsed feed holds a BAD_CHARS character, nor does its decoded HTML."""
    for text in strings(result):
        assert not BAD_CHARS.search(text), repr(text)
    for entry in result.entries:  # HTML is decoded later: its character references count too
        assert not BAD_CHARS.search(html.unescape(entry.content_html)), entry.content_html
