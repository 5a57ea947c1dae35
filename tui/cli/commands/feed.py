"""``feed FEED``: one feed with its state and its settings; with options, changes them
(``--every``, ``--full-text``, ``--pause``/``--resume``, ``--title``, ``--topic``) and
says what changed."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from tui.cli.arguments import feed_ref
from tui.cli.commands import open_library
from tui.cli.output import echo, echo_json


def cmd_feed(args: argparse.Namespace) -> int:
    from tui.core import feed_record, utcnow

    changes: dict[str, Any] = {}
    if args.every is not ...:
        changes["every"] = args.every
    if args.full_text is not None:
        changes["full_text"] = args.full_text
    if args.pause or args.resume:
        changes["paused"] = bool(args.pause)
    if args.title is not None:
        changes["title"] = args.title
    if args.topic is not None:
        changes["topic"] = args.topic
    with open_library(args) as library:
        before = library.find_feed(feed_ref(args.feed))
        after = library.set_feed_settings(before.id, **changes) if changes else before
    if args.json:
        echo_json(feed_record(after))
        return 0
    if not changes:
        for label, value in _details(after, utcnow()):
            echo(f"{label:<13}{value}" if label else value)
        return 0
    said = [
        f"  {label}: {was} → {now}" for label, was, now in _settings(before, after) if was != now
    ]
    if not said:
        echo(f"[{after.id}] {after.title}: nothing to change.")
        return 0
    echo(f"[{after.id}] {after.title}:")
    for line in said:
        echo(line)
    if after.account is not None and any(k in changes for k in ("title", "topic")):
        echo(f"The account {after.account} hears of it at its next sync.")
    return 0


def _settings(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(label, before, after) for each setting."""
    return [
        ("title", before.title, after.title),
        ("topic", before.topic.name, after.topic.name),
        ("every", _every(before), _every(after)),
        ("full text", before.full_text.value, after.full_text.value),
        ("paused", _yes(before.paused), _yes(after.paused)),
    ]


def _every(feed: Any) -> str:
    """The user's interval, or what is followed instead."""
    from tui.core import interval_label

    if feed.every_minutes:
        return interval_label(feed.every_minutes)
    if feed.hint_minutes:
        return f"- (the feed's own: {interval_label(feed.hint_minutes)})"
    return "- (every refresh)"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _details(feed: Any, now: datetime) -> list[tuple[str, str]]:
    """The lines ``newsterm feed FEED`` shows: (label, value)."""
    from tui.core import interval_label

    status = feed.status.value
    if feed.next_retry and status in ("error", "waiting"):
        status += f" until {_when(feed.next_retry)}"
    lines = [
        ("", f"[{feed.id}] {feed.title}"),
        ("url", feed.url),
    ]
    if feed.site_url:
        lines.append(("site", feed.site_url))
    lines += [
        ("topic", feed.topic.name),
        ("account", feed.account or "- (a local feed)"),
        ("status", status),
    ]
    if feed.last_error:
        lines.append(("last error", feed.last_error))
    lines += [
        ("last fetched", _when(feed.last_fetched) if feed.last_fetched else "never"),
        ("next due", _next_due(feed, now)),
        ("every", _every(feed)),
        ("hint", interval_label(feed.hint_minutes) if feed.hint_minutes else "none"),
        ("full text", feed.full_text.value),
        ("paused", _yes(feed.paused)),
        ("stories", f"{feed.unread} unread of {feed.total}"),
    ]
    return lines


def _next_due(feed: Any, now: datetime) -> str:
    if feed.paused:
        return f"never while paused (`newsterm feed {feed.id} --resume`)"
    if feed.status.value == "gone":
        return "never: the feed is gone (HTTP 410)"
    if feed.account is not None:
        return f"with the sync of {feed.account}"
    moments = [m for m in (feed.next_due, _retry(feed)) if m is not None and m > now]
    return _when(max(moments)) if moments else "at the next refresh"


def _retry(feed: Any) -> datetime | None:
    return feed.next_retry if feed.status.value in ("error", "waiting") else None


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"
