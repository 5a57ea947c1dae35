"""The terminal UI and its settings: no command opens the app; ``config`` shows every
setting and what the app would refuse. The only commands that import :mod:`tui.ui`, and
only when they run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.cli.commands import config_path, library_path, read_settings, user_folders
from tui.cli.output import echo
from tui.core import DEFAULT_CONFIG_TOML, Settings


def cmd_app(args: argparse.Namespace) -> int:
    """No command: open the terminal UI (imported only now, so commands stay quick)."""
    from tui.ui.app import run_app

    db = library_path(args)
    return run_app(db, read_settings(args), demo=args.demo, **user_folders())


def _echo_yours(settings: Settings, path: Path) -> None:
    """The views, rules and commands the file holds, named: the defaults above show none."""
    parts = []
    if settings.views:
        names = ", ".join(view.name for view in settings.views)
        parts.append(f"{len(settings.views)} view{'s' * (len(settings.views) != 1)} ({names})")
    if settings.rules:
        count = len(settings.rules)
        parts.append(f"{count} rule{'s' * (count != 1)} (`newsterm rules` lists them)")
    if settings.commands:
        named = ", ".join(f"{c.name} on {c.key}" if c.key else c.name for c in settings.commands)
        parts.append(
            f"{len(settings.commands)} command{'s' * (len(settings.commands) != 1)} ({named})"
        )
    if parts:
        echo(f"\n# In {path}: {'; '.join(parts)}.")


def cmd_config(args: argparse.Namespace) -> int:
    path = config_path(args)
    settings = read_settings(args)  # validates the file, if any
    echo(f"# config file: {path}{'' if path.exists() else ' (not created yet)'}")
    echo(f"# library:     {library_path(args)}")
    folders = user_folders()
    echo(f"# pictures:    {folders['cache_dir'] / 'images'}")
    chosen = settings.media.downloads
    echo(f"# downloads:   {Path(chosen).expanduser() if chosen else folders['downloads_dir']}")
    sys.stdout.write(DEFAULT_CONFIG_TOML)
    _echo_yours(settings, path)
    # [keys] and ui.theme as the app will judge them (the app starts with the defaults for
    # what it refuses); textual is imported for this command only.
    from tui.ui.app import ui_settings_problems

    problems = ui_settings_problems(settings)
    for problem in problems:
        echo(f"newsterm: {problem}", sys.stderr)
    return 1 if problems else 0
