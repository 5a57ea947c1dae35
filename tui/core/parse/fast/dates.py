"""Dates as feedparser reads them: its ``_parse_date``, with the two commonest shapes read directly.

``_parse_date`` tries nine parsers in turn; for "Tue, 01 Sep 2026 06:13:00 +0000" the first
(W3DTF) always fails on the day name and the second (RFC 822) computes what ``_rfc822``
computes below; "2026-09-01T06:13:00+00:00" is read by the first, as ``_w3dtf`` reads it.
Anything else, and any date that does not exist, goes to ``_parse_date`` itself.

Part of the fast reader (:mod:`tui.core.parse.fast.reader`); the equivalence tests compare
:func:`parse_date` with feedparser's on generated dates. Pure: no I/O, and it never imports
textual or rich.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.datetimes.rfc822 import timezone_names as _RFC822_ZONES

__all__ = ["parse_date"]

_RFC822_DATE = re.compile(
    r"(?i:mon|tue|wed|thu|fri|sat|sun), ([0-9]{1,2}) ([A-Za-z]{3}) ([0-9]{4}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-][0-9]{4}|[A-Za-z]{1,4})"
)
_W3DTF_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


@lru_cache(maxsize=4096)
def parse_date(value: str | None) -> Any:
    """feedparser's ``_parse_date(value)``: a UTC ``time.struct_time`` (immutable) or None."""
    if value:
        try:
            found = _RFC822_DATE.fullmatch(value)
            if found is not None:
                return _rfc822(found)
            found = _W3DTF_DATE.fullmatch(value)
            if found is not None:
                return _w3dtf(found)
        except (ValueError, OverflowError, KeyError):
            pass
    return _parse_date(value)


def _rfc822(found: re.Match[str]) -> Any:
    day, month, year, hour, minute, second, zone = found.groups()
    stamp = datetime(
        int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second)
    )
    zone = zone.lower()
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[3:])
        if zone[0] == "-":
            hours, minutes = -hours, -minutes
    else:
        hours, minutes = _RFC822_ZONES[zone], 0  # KeyError: not a name feedparser knows
    if hours or minutes:
        stamp -= timedelta(minutes=minutes, hours=hours)
    return stamp.utctimetuple()


def _w3dtf(found: re.Match[str]) -> Any:
    year, month, day, hour, minute, second, zone = found.groups()
    if hour is None:
        return datetime(int(year), int(month), int(day)).utctimetuple()
    stamp = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    if zone not in ("Z", "z", "+00:00", "-00:00"):
        hours, minutes = int(zone[1:3]), int(zone[4:])
        if zone[0] == "-":
            hours, minutes = -hours, -minutes
        stamp -= timedelta(minutes=minutes, hours=hours)
    return stamp.utctimetuple()
