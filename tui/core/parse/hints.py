"""A feed's own word on how often to fetch it, as minutes: RSS ``<ttl>``, the syndication
module's ``sy:updatePeriod``/``sy:updateFrequency`` and HTTP ``Cache-Control: max-age``.

Both XML paths file ``<ttl>`` and the ``sy:`` elements in the feed's dict under the keys
in :data:`HINT_KEYS` (feedparser keeps elements it has no handler for that way; the fast
reader copies it for these), and :func:`document_hint` reads them from there;
:func:`parse_feed <tui.core.parse.feed.parse_feed>` adds the response's ``Cache-Control``.
A refresh then leaves a feed alone until its hint has passed (:mod:`tui.core.refresh`),
unless the user set an interval of their own.

Hints are untrusted like everything else in a feed: a value that is not a whole number,
or under a minute, is no hint; a hint longer than :data:`MAX_HINT_MINUTES` counts as that.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["HINT_KEYS", "MAX_HINT_MINUTES", "document_hint", "max_age_hint", "strongest"]

#: The longest a hint may hold a feed back: a ttl of a year must not stall a feed that a
#: user still reads, and a day is what the slowest real feeds ask for.
MAX_HINT_MINUTES = 24 * 60
#: Where the feed's dict keeps the hint elements (feedparser's names for them).
HINT_KEYS = frozenset({"ttl", "sy_updateperiod", "sy_updatefrequency"})

_PERIODS = {
    "hourly": 60,
    "daily": 24 * 60,
    "weekly": 7 * 24 * 60,
    "monthly": 30 * 24 * 60,
    "yearly": 365 * 24 * 60,
}
# Longer numbers are no interval anyone means (and int() of thousands of digits is slow).
_MAX_DIGITS = 12


def _whole(value: object) -> int | None:
    """A positive whole number written as text (or a JSON number), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None  # feedparser files an element with attributes as a dict
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_DIGITS:
        return None
    number = int(text)
    return number if number > 0 else None


def _ttl(feed: Mapping[str, object]) -> int | None:
    """RSS 2.0 ``<ttl>``: minutes the channel may be cached."""
    return _whole(feed.get("ttl"))


def _syndication(feed: Mapping[str, object]) -> int | None:
    """``sy:updatePeriod`` divided by ``sy:updateFrequency`` (the module's defaults are
    daily and 1); None when either is there but cannot be read."""
    period_text = feed.get("sy_updateperiod")
    frequency_text = feed.get("sy_updatefrequency")
    if period_text is None and frequency_text is None:
        return None
    if period_text is None:
        period: int | None = _PERIODS["daily"]
    else:
        word = period_text.strip().lower() if isinstance(period_text, str) else ""
        period = _PERIODS.get(word)
    frequency = 1 if frequency_text is None else _whole(frequency_text)
    if period is None or frequency is None:
        return None
    return period // frequency


def document_hint(feed: Mapping[str, object]) -> int | None:
    """The hint a feed document gives in its feed-level dict, in minutes, or None."""
    return strongest(_ttl(feed), _syndication(feed))


def max_age_hint(headers: Mapping[str, str]) -> int | None:
    """``Cache-Control: max-age`` (seconds) as whole minutes; None without one, or when
    the response may not be kept at all (``no-store``, ``no-cache``)."""
    value = next((v for k, v in headers.items() if k.lower() == "cache-control"), None)
    if not value:
        return None
    seconds = None
    for directive in value.split(","):
        name, _, argument = directive.partition("=")
        name = name.strip().lower()
        if name in ("no-store", "no-cache"):
            return None
        if name == "max-age" and seconds is None:
            seconds = _whole(argument.strip().strip('"'))
    return strongest(seconds // 60 if seconds is not None else None)


def strongest(*hints: int | None) -> int | None:
    """The hint to follow among several, in minutes: the largest, at most a day.

    Each hint is its publisher asking not to be fetched sooner. Following the largest
    honours every one of them; following the smallest would poll sooner than the others
    ask, and servers that send several mean the longest (a ttl of 60 beside the
    max-age=300 of a cache in front of it). The clamp keeps any of them from stalling a
    feed. Hints under a minute are no hint.
    """
    given = [hint for hint in hints if hint is not None and hint >= 1]
    return min(max(given), MAX_HINT_MINUTES) if given else None
