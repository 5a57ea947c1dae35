"""Commands on the library as a whole: ``refresh`` (with ``--pages`` and the day's backup)
and ``restore``; and :func:`refresh` itself, which ``add`` also uses."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from tui.cli.arguments import feed_ref
from tui.cli.commands import library_path, open_library
from tui.cli.output import ProgressBar, echo
from tui.core import NewstermError, RefreshReport


class _Loading:
    """The garbage collector off while a refresh loads its code, and back on once the
    first feed is done.

    The library, httpx and the rest are ~70 ms of imports whose objects live as long as
    the process: the collector's passes over them as they were made found nothing to
    free and cost a refresh answered with 304s 10 ms. Back on, it no longer sees them
    (:func:`gc.freeze`), and collects what the refresh itself leaves.
    """

    def __init__(self) -> None:
        self._paused = False

    def __enter__(self) -> _Loading:
        if gc.isenabled():
            gc.disable()
            self._paused = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.done()

    def done(self) -> None:
        if self._paused:
            self._paused = False
            gc.freeze()
            gc.enable()


def refresh(
    library: Any, feeds: Sequence[str] | None, loading: _Loading | None = None
) -> RefreshReport:
    """Fetch ``feeds`` (None: all of them), with a progress bar on a terminal."""
    bar = ProgressBar()

    def progress(done: int, total: int, result: object) -> None:
        if loading is not None:
            loading.done()  # a feed is done: everything the refresh needs is loaded
        bar(done, total, result)

    try:
        report: RefreshReport = asyncio.run(library.refresh(feeds, progress=progress))
    finally:
        bar.clear()
    return report


def _echo_report(report: RefreshReport, named: bool = False) -> None:
    waiting = [f for f in report.feeds if f.outcome.value == "skipped"]
    # Feeds left for later by their interval, or paused, are counted, never listed: a
    # cron job's output would otherwise be mostly them.
    later = [
        f"{count} {what}"
        for count, what in (
            (report.not_due, "feed not due yet" if report.not_due == 1 else "feeds not due yet"),
            (report.paused, "paused"),
        )
        if count
    ]
    echo(
        f"{report.ok} feeds ok, {len(report.failed)} failed"
        + (f", {len(waiting)} skipped" if waiting else "")
        + f", {report.new_stories} new stories in {report.seconds:.1f} s"
        + (f"; {', '.join(later)}" if later else "")
    )
    if named:  # the user asked for these feeds: say why any was left alone
        for feed in report.feeds:
            if feed.outcome.value in ("skipped", "paused") and feed.error:
                echo(f"  - {feed.title}: {feed.error}")
    for problem in (*report.problems, *report.notes):  # no feed's doing: a full disk, a
        echo(f"  ! {problem}")  # lost worker
    for failed in report.failed:
        echo(f"  ✗ {failed.title}: {failed.error}")
    for feed in report.feeds:
        for warning in feed.warnings[:1]:
            echo(f"  ! {feed.title}: {warning}")


def cmd_refresh(args: argparse.Namespace) -> int:
    with _Loading() as loading, open_library(args) as library:
        accounts = library.accounts()
        if not accounts and not library.has_feeds():
            echo("No feeds to refresh: `newsterm add URL` or `newsterm import FILE` first.")
            return 0
        from tui.cli.commands.rules import apply_pending

        apply_pending(library)  # new stories are stored under the config's rules
        feeds = [feed_ref(feed) for feed in args.feed or ()] or None
        report = refresh(library, feeds, loading)
        loading.done()  # if no feed was fetched: what follows (a sync) gets the collector
        _echo_report(report, named=bool(args.feed))
        if report.problems:  # the library itself failed (a full disk): cron should hear it
            return 1
        if accounts and not args.feed:
            # One cron job does both: the accounts sync after the feeds are fetched.
            from tui.cli.commands.sync import sync_all

            sync_all(library)
        if args.pages:
            _fetch_short_pages(library)
        _daily_backup(library)
    return 0


def _fetch_short_pages(library: Any) -> None:
    """Reader mode ahead of time: the pages of unread stories whose feed text is short."""
    unread = [story.id for story in library.stories(unread=True)]
    wanted = library.wants_page(unread)
    if not wanted:
        echo("No unread story needs its page fetched.")
        return
    bar = ProgressBar("fetching pages", "stories")
    try:
        outcomes = asyncio.run(library.fetch_pages(wanted, progress=bar))
    finally:
        bar.clear()
    read = sum(1 for o in outcomes if o.ok)
    offline = sum(1 for o in outcomes if o.network_error)
    echo(
        f"{read} pages read in full, {len(outcomes) - read} could not be"
        + (f" ({offline} unreachable: tried again next time)" if offline else "")
        + "."
    )


# -- backups -----------------------------------------------------------------------------


def _daily_backup(library: Any) -> None:
    """After a refresh, the day's backup if it is due (seconds on a big library, once a
    day; the app makes its own in the background). Only damage is an error here."""
    from tui.core import LibraryDamagedError, LibraryError

    try:
        library.back_up_if_due()
    except LibraryDamagedError:
        raise
    except LibraryError as error:
        echo(f"newsterm: note: {error}", sys.stderr)


def cmd_restore(args: argparse.Namespace) -> int:
    from tui.core import backup_story_count, list_backups, restore_backup

    db = library_path(args)
    backups = list_backups(db)
    if args.list:
        if not backups:
            echo(f"No backups of {db} yet: newsterm makes one a day, after a refresh.")
            return 0
        echo(f"Backups of {db}, newest first:")
        for number, backup in enumerate(backups, 1):
            count = backup_story_count(backup.path)
            stories = "unreadable" if count is None else f"{count} stories"
            echo(
                f"  {number}. {backup.taken:%Y-%m-%d %H:%M} UTC · {stories} · "
                f"{backup.size / 1_000_000:.1f} MB  {backup.path.name}"
            )
        return 0
    chosen = None
    if args.backup:
        wanted = args.backup.strip()
        if wanted.isascii() and wanted.isdigit() and 1 <= int(wanted) <= len(backups):
            chosen = backups[int(wanted) - 1]
        else:
            chosen = next((b for b in backups if b.path.name == Path(wanted).name), None)
        if chosen is None:
            raise NewstermError(
                f"{args.backup!r} is not one of the backups of {db}; "
                "`newsterm restore --list` lists them."
            )
    restored = restore_backup(db, chosen)
    echo(
        f"Restored {db} from its backup of {restored.backup.taken:%Y-%m-%d %H:%M} UTC "
        f"({restored.backup.path.name})."
    )
    if restored.moved_aside is not None:
        echo(f"The file that was there was moved aside, unchanged, to {restored.moved_aside}.")
    return 0
