"""The commands, one module per area, and what they share: the settings and the library,
opened for one command.

- :mod:`.subscriptions` — add (with discovery), remove, feeds, import, export.
- :mod:`.stories` — list, search, show, read/unread, bookmark/unbookmark, bookmarks.
- :mod:`.library` — refresh (with pages and the daily backup), restore.
- :mod:`.app` — no command (the terminal UI) and ``config``: the only ones that load tui.ui.

Every command takes the parsed arguments and returns the exit code. The library, httpx and
the UI are imported inside the commands that need them, so ``--help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tui.cli.output import echo
from tui.core import Settings, load_settings

Handler = Callable[[argparse.Namespace], int]


def config_path(args: argparse.Namespace) -> Path:
    """The config file from ``--config``, or the default one."""
    if args.config:
        return Path(args.config)
    from tui import paths  # platformdirs: not loaded when the command line names the file

    return paths.default_config_path()


def read_settings(args: argparse.Namespace) -> Settings:
    """The settings from ``--config`` or the default file; what they refused is a note."""
    path = config_path(args)
    settings = load_settings(path)
    for warning in settings.warnings:
        echo(f"newsterm: note: {path}: {warning}", sys.stderr)
    return settings


def library_path(args: argparse.Namespace) -> Path:
    """The library file from ``--db``, or the default one."""
    if args.db:
        return Path(args.db)
    from tui import paths

    return paths.default_db_path()


def user_folders() -> dict[str, Path]:
    """The user's cache and downloads folders, as the library takes them."""
    from tui import paths

    return {"cache_dir": paths.cache_dir(), "downloads_dir": paths.downloads_dir()}


@contextmanager
def open_library(args: argparse.Namespace, *, folders: bool = False) -> Iterator[Any]:
    """The library, open for one command. A read-only one is said once, after the command
    (a change it refused has already said so itself). ``folders``: with the user's cache
    and downloads folders (platformdirs is loaded only for the commands that use them)."""
    from tui.core import Library

    extra = user_folders() if folders else {}
    with Library(library_path(args), read_settings(args), **extra) as library:
        yield library
        note = library.read_only_note
    if note:
        echo(f"newsterm: note: {note}", sys.stderr)
