"""A feed's refresh interval as people write it: ``30m``, ``6h``, ``2d``, ``1w``; and back.

The command line (``newsterm feed FEED --every 6h``) and the feed manager read the same
words through :func:`parse_interval`, and show intervals through :func:`interval_label`.
"""

from __future__ import annotations

import re

from tui.core.errors import NewstermError

#: The longest interval a user may set: a feed polled less than once a month is better
#: paused.
MAX_EVERY_MINUTES = 30 * 24 * 60

_UNITS = {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}
_INTERVAL = re.compile(r"([0-9]{1,9})\s*([mhdw])", re.IGNORECASE)
#: The words that clear the user's interval (the feed's own hint, else every refresh).
CLEAR_WORDS = frozenset({"0", "off", "default"})


def parse_interval(text: str) -> int | None:
    """Minutes, from ``30m``, ``6h``, ``2d`` or ``1w``; None for ``0`` (in any unit), ``off``
    or ``default`` (no interval of the user's). Anything else raises :class:`NewstermError`
    with one sentence."""
    written = text.strip()
    if written.lower() in CLEAR_WORDS:
        return None
    found = _INTERVAL.fullmatch(written) if written.isascii() else None
    if found is None:
        shown = written[:40] + ("…" if len(written) > 40 else "")
        raise NewstermError(
            f"{shown!r} is not an interval: write a number and a unit, like 30m, 6h, 2d or "
            "1w (0, off or default go back to the feed's own pace)."
        )
    minutes = int(found.group(1)) * _UNITS[found.group(2).lower()]
    if minutes == 0:  # "0h" means what "0" means
        return None
    if minutes > MAX_EVERY_MINUTES:
        raise NewstermError(
            f"{written} is longer than 30 days; to stop fetching the feed, pause it instead."
        )
    return minutes


def interval_label(minutes: int) -> str:
    """``360`` → ``"6h"``, ``90`` → ``"90m"``, ``10080`` → ``"1w"``: the largest unit that
    divides it exactly, as :func:`parse_interval` reads it."""
    for unit in ("w", "d", "h"):
        size = _UNITS[unit]
        if minutes >= size and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"
