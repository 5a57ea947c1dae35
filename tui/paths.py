"""Where newsterm keeps its files. Nothing here touches the disk until asked to."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "newsterm"


def data_dir() -> Path:
    """The platformdirs user data dir, e.g. ``~/.local/share/newsterm``."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The platformdirs user config dir, e.g. ``~/.config/newsterm``."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "newsterm.db"


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def cache_dir() -> Path:
    """The platformdirs user cache dir, e.g. ``~/.cache/newsterm``: pictures for the reader."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def downloads_dir() -> Path:
    """Where enclosures are saved unless ``[media] downloads`` says otherwise: the user's
    Downloads folder's ``newsterm`` folder."""
    return Path(platformdirs.user_downloads_dir()) / APP_NAME
