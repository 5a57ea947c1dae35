"""Subscription commands: ``add`` (a feed, or the feed a site offers), ``remove``, ``feeds``,
``import`` and ``export``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tui.cli.arguments import feed_ref
from tui.cli.commands import open_library
from tui.cli.commands.library import refresh
from tui.cli.output import echo, echo_json, echo_markup
from tui.core import NewstermError


def _choose_feed(links: Sequence[Any]) -> str | None:
    """Ask on the terminal which of several feeds to add; None when the user cancels."""
    count = len(links)
    while True:
        try:
            answer = input(f"Which one? [1-{count}] ").strip()
        except EOFError:
            answer = ""
        if not answer:
            return None
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= count:
            return str(links[int(answer) - 1].url)
        echo(f"Type a number from 1 to {count}, or nothing to cancel.")


def _discovered_feed(library: Any, url: str) -> str | None:
    """The feed to subscribe to for ``url``: itself if it is a feed, else the one its site
    offers (or the one the user picks). None (after saying why) when there is no choice."""
    links = asyncio.run(library.discover_feeds(url))
    if len(links) == 1:
        if links[0].url != url:
            echo(f"{url} is a web page; its feed is {links[0].label}.")
        return str(links[0].url)
    echo(f"{url} offers {len(links)} feeds:")
    for number, link in enumerate(links, 1):
        echo(f"  {number}. {link.label}")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        echo(
            "newsterm: the site has several feeds; run `newsterm add` again with one of the "
            "URLs listed above.",
            sys.stderr,
        )
        return None
    chosen = _choose_feed(links)
    if chosen is None:
        echo("newsterm: cancelled; nothing was added.", sys.stderr)
    return chosen


def cmd_add(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        url = args.url
        # A site's address leads to its feed. Not with --no-fetch, which promises no
        # network now, nor for an address already subscribed.
        from tui.core import is_web_url, normalise_feed_url

        if (
            not (args.no_fetch or args.no_discover)
            and is_web_url(url)
            and not library.is_subscribed(url)
        ):
            found = _discovered_feed(library, normalise_feed_url(url))
            if found is None:
                return 1
            url = found
        known = library.is_subscribed(url)
        feed = library.add_feed(url, topic=args.topic, title=args.title, account=args.account)
        if known:
            echo(f"Already subscribed: [{feed.id}] {feed.title} ({feed.url})")
            return 0
        if feed.account is not None:
            # A synced feed's stories come from its server: subscribe there, then pull.
            echo(f"Added [{feed.id}] {feed.url} to the account {feed.account}.")
            if args.no_fetch:
                return 0
            from tui.cli.commands.sync import sync_all

            return 0 if all(r.ok for r in sync_all(library, [feed.account])) else 1
        if args.no_fetch:
            echo(f"Added [{feed.id}] {feed.url}; `newsterm refresh` will fetch it.")
            return 0
        report = refresh(library, [str(feed.id)])
        feed = library.feed(feed.id)
        echo(f"Added [{feed.id}] {feed.title} · topic {feed.topic.name} · {feed.total} stories")
        for failed in report.failed:
            echo(
                f"newsterm: the feed was added but could not be fetched: {failed.error}", sys.stderr
            )
            return 1
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        feed = library.remove_feed(feed_ref(args.feed))
        echo(f"Removed [{feed.id}] {feed.title}; its bookmarked stories were kept.")
        if feed.account is not None:
            echo(f"The account {feed.account} unsubscribes from it at its next sync.")
    return 0


def cmd_feeds(args: argparse.Namespace) -> int:
    from tui.core import feed_record, interval_label

    with open_library(args) as library:
        feeds = library.feeds()
    if args.json:
        echo_json([feed_record(f) for f in feeds])
        return 0
    if not feeds:
        echo("No feeds yet: `newsterm add URL` or `newsterm import FILE`.")
        return 0
    topic = None
    for feed in feeds:
        if feed.topic.name != topic:
            topic = feed.topic.name
            echo(f"{topic}")
        state = feed.status.value
        if feed.next_retry and state in ("error", "waiting"):
            state += f" until {feed.next_retry:%Y-%m-%d %H:%M} UTC"
        if feed.account is not None:
            state += f" · synced with {feed.account}"
        if feed.every_minutes:
            state += f" · every {interval_label(feed.every_minutes)}"
        if feed.full_text.value != "auto":
            state += f" · full text {feed.full_text.value}"
        if feed.paused:
            state += " · paused"
        echo(f"  [{feed.id:>4}] {feed.title}  ({feed.unread}/{feed.total} unread) {state}")
        echo(f"         {feed.url}")
        if feed.last_error:
            echo(f"         last error: {feed.last_error}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        report = library.import_subscriptions(Path(args.file))
    for problem in report.refused:
        echo(f"  refused: {problem}", sys.stderr)
    echo(f"{args.file}: {report.summary}. `newsterm refresh` fetches them.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        text = library.export_opml()
    if args.file and args.file != "-":
        try:
            Path(args.file).write_text(text, encoding="utf-8")
        except OSError as error:
            raise NewstermError(f"Cannot write {args.file}: {error.strerror or error}.") from None
        echo(f"Wrote {args.file}.", sys.stderr)
    else:
        echo_markup(text)
    return 0
