"""newsterm's settings: one typed object read from ``config.toml``.

The file is optional; every setting has a default, documented in :data:`DEFAULT_CONFIG_TOML`
(which ``newsterm config`` prints and the README reproduces). Unknown keys are ignored with
a warning so that an older newsterm can read a newer config; a value of the wrong type is a
:class:`~tui.core.errors.ConfigError` naming the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from tui.core.errors import ConfigError

DEFAULT_CONFIG_TOML = """\
# newsterm configuration. Every setting is optional; the values shown are the defaults.

[fetch]
# Connections open at once during a refresh, over all hosts.
max_connections = 48
# Connections open at once to any one host.
per_host = 6
# Seconds to wait for a connection, and for each read from the server.
connect_timeout = 10.0
read_timeout = 20.0
# Seconds one feed may take in all: a server that drips one byte a second is cut off here.
deadline = 45.0
# Largest feed body, in megabytes, after decompression ("feed too large" past it).
max_body_mb = 16

[refresh]
# Minutes between automatic refreshes while the UI is open; 0 turns auto-refresh off.
auto_minutes = 30
# A failing feed waits this many minutes before it is tried again, doubling each
# failure up to max_backoff_hours. `newsterm refresh --feed FEED` always tries.
backoff_minutes = 15
max_backoff_hours = 24

[articles]
# Reader mode: a story whose feed text is shorter than this many words is read from its
# web page instead (fetched once, kept for offline reading). 0 turns this off; F in the
# reader and `newsterm show --full` still fetch on request.
min_words = 150
# Fetch those pages ahead, in the background, for the unread stories on screen. Turn it
# off on a metered connection: pages are then fetched only when a story is opened.
prefetch = true
# Pages fetched at once in the background.
prefetch_concurrency = 2
# Largest page, in megabytes, after decompression; and seconds one page may take in all.
max_page_mb = 5
deadline = 20.0

[ui]
# Any Textual theme name, e.g. "textual-dark", "nord", "gruvbox", "tokyo-night".
theme = "textual-dark"

[keys]
# Remap a key binding by its id, e.g.:
# toggle_bookmark = "B"
"""


@dataclass(frozen=True, slots=True)
class FetchSettings:
    max_connections: int = 48
    per_host: int = 6
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 45.0
    max_body_mb: int = 16

    @property
    def max_body_bytes(self) -> int:
        return self.max_body_mb * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RefreshSettings:
    auto_minutes: int = 30
    backoff_minutes: int = 15
    max_backoff_hours: int = 24


@dataclass(frozen=True, slots=True)
class ArticleSettings:
    min_words: int = 150
    prefetch: bool = True
    prefetch_concurrency: int = 2
    max_page_mb: int = 5
    deadline: float = 20.0


@dataclass(frozen=True, slots=True)
class UISettings:
    theme: str = "textual-dark"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, with defaults; ``warnings`` lists ignored keys."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    refresh: RefreshSettings = field(default_factory=RefreshSettings)
    articles: ArticleSettings = field(default_factory=ArticleSettings)
    ui: UISettings = field(default_factory=UISettings)
    keys: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def _section(cls: type[Any], name: str, raw: Any, warnings: list[str]) -> Any:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise ConfigError(f"[{name}] in the config must be a table of settings.")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        spec = known.get(key)
        if spec is None:
            warnings.append(f"unknown setting {name}.{key} ignored")
            continue
        default = getattr(cls(), key)
        expected = type(default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool) != isinstance(default, bool):
            raise ConfigError(
                f"{name}.{key} in the config must be {expected.__name__}, like {default!r}; "
                f"got {value!r}."
            )
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise ConfigError(f"{name}.{key} in the config cannot be negative.")
        values[key] = value
    return cls(**values)


def parse_settings(text: str, source: str = "config") -> Settings:
    """Read settings from TOML text."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source} is not valid TOML: {error}.") from None
    warnings: list[str] = []
    keys = raw.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ConfigError(
            '[keys] in the config maps binding ids to keys, like toggle_bookmark = "B".'
        )
    for name in raw:
        if name not in {"fetch", "refresh", "articles", "ui", "keys"}:
            warnings.append(f"unknown section [{name}] ignored")
    return Settings(
        fetch=_section(FetchSettings, "fetch", raw.get("fetch"), warnings),
        refresh=_section(RefreshSettings, "refresh", raw.get("refresh"), warnings),
        articles=_section(ArticleSettings, "articles", raw.get("articles"), warnings),
        ui=_section(UISettings, "ui", raw.get("ui"), warnings),
        keys=dict(keys),
        warnings=tuple(warnings),
    )


def load_settings(path: Path) -> Settings:
    """Read ``path``; a missing file means all defaults."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Cannot read the config file {path}: {error}.") from None
    return parse_settings(text, source=str(path))
