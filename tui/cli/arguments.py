"""Checks on the arguments a user (or a script) passes: ids, numbers, file names.

Arguments are hostile until checked: a 5,000-digit "id", a NUL in a path, "²" that
``isdigit`` accepts. :func:`limit`, :func:`interval` and :func:`file_name` are argparse
types (bad usage, exit 2); :func:`story_ids` and :func:`feed_ref` run inside a command and raise
:class:`~tui.core.NewstermError` (exit 1), as a missing story or feed does.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from tui.core import NewstermError

# SQLite's largest integer: no row has a larger id, and a larger number does not fit in
# a query (OverflowError). 19 digits are checked before int(), which refuses 4,300.
_MAX_ROW_ID = 2**63 - 1


def _whole_number(text: str) -> int | None:
    """``text`` as a whole number, in any script's decimal digits ("²" is no digit to
    int()); None if it is not one, or too long to be any id."""
    text = text.strip()
    if not text.isdecimal() or len(text) > 19 or int(text) > _MAX_ROW_ID:
        return None
    return int(text)


def story_ids(values: Sequence[str]) -> list[int]:
    """Story ids as ``newsterm list`` shows them (``art-`` as the reader view shows them)."""
    ids = []
    for value in values:
        number = _whole_number(value.strip().removeprefix("art-"))
        if number is None:
            raise NewstermError(f"{value!r} is not a story id; `newsterm list` shows ids.")
        ids.append(number)
    return ids


def feed_ref(value: str) -> str:
    """A feed id or URL as given, once it is clear that digits are an id a feed can have."""
    if value.strip().isdigit() and _whole_number(value) is None:
        raise NewstermError(
            f"No subscribed feed matches {value!r}; `newsterm feeds` lists ids and URLs."
        )
    return value


def limit(text: str) -> int:
    """``--limit N``: from 1 up; a number past any library's size means all of them."""
    digits = text.strip()
    if not digits.isdecimal():
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 up, not {text!r}")
    number = int(digits) if len(digits) <= 19 else _MAX_ROW_ID
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return min(number, _MAX_ROW_ID)


def interval(text: str) -> int | None:
    """``--every DURATION``: minutes (``30m``, ``6h``, ``2d``, ``1w``), or None for ``0``,
    ``off`` or ``default``; anything else is bad usage, in one sentence."""
    from tui.core import parse_interval

    try:
        return parse_interval(text)
    except NewstermError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def file_name(text: str) -> str:
    """A path argument the system can at least be asked about."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a file name, not an empty string")
    if "\x00" in text:
        raise argparse.ArgumentTypeError("a file name cannot contain a NUL character")
    return text
