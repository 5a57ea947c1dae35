"""The terminal UI and its settings: no command opens the app; ``config`` shows every
setting and what the app would refuse. The only commands that import :mod:`tui.ui`, and
only when they run."""

from __future__ import annotations

import argparse
import sys

from tui.cli.commands import config_path, library_path, read_settings
from tui.cli.output import echo
from tui.core import DEFAULT_CONFIG_TOML


def cmd_app(args: argparse.Namespace) -> int:
    """No command: open the terminal UI (imported only now, so commands stay quick)."""
    from tui.ui.app import run_app

    db = library_path(args)
    return run_app(db, read_settings(args), demo=args.demo)


def cmd_config(args: argparse.Namespace) -> int:
    path = config_path(args)
    settings = read_settings(args)  # validates the file, if any
    echo(f"# config file: {path}{'' if path.exists() else ' (not created yet)'}")
    echo(f"# library:     {library_path(args)}")
    sys.stdout.write(DEFAULT_CONFIG_TOML)
    # [keys] and ui.theme as the app will judge them (the app starts with the defaults for
    # what it refuses); textual is imported for this command only.
    from tui.ui.app import ui_settings_problems

    problems = ui_settings_problems(settings)
    for problem in problems:
        echo(f"newsterm: {problem}", sys.stderr)
    return 1 if problems else 0
