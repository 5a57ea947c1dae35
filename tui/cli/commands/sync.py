"""Sync commands: ``account add|list|remove`` and ``sync``; and :func:`sync_all`, which
``refresh`` also runs so that one cron job does both.

The password is read once (from standard input with ``--password-stdin``, else from the
terminal without echo), handed to the library to sign in, and never printed or kept here.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from tui.cli.commands import open_library
from tui.cli.output import echo, echo_json
from tui.core import NewstermError, SyncReport


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise NewstermError(
                "newsterm needs the password: type it at a terminal, or pipe it in with "
                "--password-stdin."
            )
        try:
            password = getpass.getpass(f"Password for {args.user}: ")
        except (EOFError, KeyboardInterrupt):
            raise NewstermError("No password given; nothing was added.") from None
    if not password:
        raise NewstermError("The password is empty; nothing was added.")
    return password


def cmd_account(args: argparse.Namespace) -> int:
    handlers = {"add": _account_add, "list": _account_list, "remove": _account_remove}
    return handlers[args.account_command](args)


def _account_add(args: argparse.Namespace) -> int:
    password = _password(args)
    with open_library(args) as library:
        found = asyncio.run(library.add_account(args.url, args.user, password, api=args.api))
        del password
        if found.warning:
            echo(f"newsterm: {found.warning}", sys.stderr)
        echo(found.sentence())
        echo(f"Added the account {found.account.name}; syncing it now.")
        reports = sync_all(library, [found.account.name])
    return 0 if all(r.ok for r in reports) else 1


def _account_list(args: argparse.Namespace) -> int:
    from tui.core import account_record

    with open_library(args) as library:
        accounts = library.accounts()
    if args.json:
        echo_json([account_record(a) for a in accounts])
        return 0
    if not accounts:
        echo("No sync accounts: `newsterm account add URL --user NAME` adds one.")
        return 0
    for account in accounts:
        when = f"{account.last_sync:%Y-%m-%d %H:%M} UTC" if account.last_sync else "never"
        echo(
            f"{account.name}  {account.api} at {account.url} · {account.feeds} feeds · "
            f"last sync {when} · {account.queued} queued"
        )
        if account.last_error:
            echo(f"    last error: {account.last_error}")
    return 0


def _account_remove(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        kept = library.remove_account(args.name)
    echo(
        f"Removed the account {args.name} and its feeds"
        + (f"; {kept} bookmarked stories were kept as local stories." if kept else ".")
    )
    return 0


def summary_line(report: SyncReport) -> str:
    if not report.ok:
        return f"{report.account}: {report.error} ({report.queued} changes wait, kept)"
    return (
        f"{report.account}: {report.new} new stories, {report.pulled} marks pulled, "
        f"{report.pushed} pushed, {report.queued} queued, {report.seconds:.1f} s"
    )


def sync_all(
    library: Any, names: list[str] | None = None, *, full: bool = False, as_json: bool = False
) -> list[SyncReport]:
    """Sync the accounts and say how each went, one line each."""
    reports: list[SyncReport] = asyncio.run(library.sync(names, full=full))
    if as_json:
        from tui.core import sync_record

        echo_json([sync_record(r) for r in reports])
        return reports
    for report in reports:
        echo(summary_line(report), sys.stdout if report.ok else sys.stderr)
        for note in report.notes:
            echo(f"  ! {note}", sys.stderr)
    return reports


def cmd_sync(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        if not library.accounts():
            if args.json:
                echo_json([])
                return 0
            echo("No sync accounts: `newsterm account add URL --user NAME` adds one.")
            return 0
        from tui.cli.commands.rules import apply_pending

        apply_pending(library)  # stories pulled are stored under the config's rules
        reports = sync_all(library, full=args.full, as_json=args.json)
    return 0 if all(r.ok for r in reports) else 1
