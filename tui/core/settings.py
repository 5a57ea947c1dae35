"""newsterm's settings: one typed object read from ``config.toml``.

The file is optional; every setting has a default, documented in :data:`DEFAULT_CONFIG_TOML`
(which ``newsterm config`` prints and the README reproduces). Unknown keys are ignored with
a warning so that an older newsterm can read a newer config. A value of the wrong type or
out of its range (:data:`SETTING_RANGES`) is a :class:`~tui.core.errors.ConfigError`: one
sentence naming the key, the file and what is allowed. Which ``[keys]`` ids, key names and
themes exist is Textual's to know, so the UI checks those (:mod:`tui.ui.keys`).
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import date, time
from pathlib import Path
from typing import Any

from tui.core.errors import ConfigError
from tui.core.text.hygiene import strip_controls

DEFAULT_CONFIG_TOML = """\
# newsterm configuration. Every setting is optional; the values shown are the defaults.
# A value out of its range stops newsterm with a sentence naming it. Bad [keys] entries
# and an unknown theme are reported when the app starts (it uses the defaults for them)
# and by `newsterm config`.

[fetch]
# Connections open at once during a refresh, over all hosts: 1 to 256.
max_connections = 48
# Connections open at once to any one host: 1 to 64.
per_host = 6
# Seconds to wait for a connection, and for each read from the server: 0.5 to 300.
connect_timeout = 10.0
read_timeout = 20.0
# Seconds one feed may take in all, 1 to 3600: a server that drips one byte a second is
# cut off here.
deadline = 45.0
# Largest feed body, in megabytes, after decompression ("feed too large" past it): 1 to 256.
max_body_mb = 16

[refresh]
# Minutes between automatic refreshes while the UI is open, 0 to 10080 (a week);
# 0 turns auto-refresh off. A feed with an interval of its own (`newsterm feed FEED
# --every 6h`) or a hint (<ttl>, Cache-Control) is fetched only once that has passed.
auto_minutes = 30
# A failing feed waits this many minutes (0 to 1440) before it is tried again, doubling
# each failure up to max_backoff_hours. `newsterm refresh --feed FEED` always tries.
backoff_minutes = 15
# The longest wait, in hours: 1 to 720 (30 days).
max_backoff_hours = 24

[articles]
# Reader mode: a story whose feed text is shorter than this many words (0 to 10000) is
# read from its web page instead (fetched once, kept for offline reading). 0 turns this
# off; F in the reader and `newsterm show --full` still fetch on request. Chinese,
# Japanese and Korean characters count as about half a word each (read 500 a minute,
# against 230 words), here and in "read N min". A feed set to `newsterm feed FEED
# --full-text always` or `never` ignores this.
min_words = 150
# Fetch those pages ahead, in the background, for the unread stories on screen (true or
# false). Turn it off on a metered connection: pages are then fetched only when a story
# is opened.
prefetch = true
# Pages fetched at once in the background: 1 to 16.
prefetch_concurrency = 2
# Largest page, in megabytes, after decompression: 1 to 64.
max_page_mb = 5
# Seconds one page may take in all: 1 to 600.
deadline = 20.0

[ui]
# Any Textual theme name, e.g. "textual-dark", "nord", "gruvbox", "tokyo-night".
theme = "textual-dark"
# Pictures in the reader: "auto" asks the terminal at start (sixel, else the kitty
# graphics protocol, else coloured half blocks; inside tmux, half blocks), "kitty",
# "sixel", "blocks", or "off" for the [image: …] placeholder. i turns them off and on
# for the open story.
images = "auto"
# Pictures are kept on disk (the user cache folder) so that a story read once shows them
# offline; past this many megabytes (10 to 10000) the oldest go first.
# `newsterm cache clear` empties it.
image_cache_mb = 200
# Largest picture, in megabytes (1 to 64): a larger one is not fetched.
max_image_mb = 8

[media]
# The program that plays a story's podcast episode or video (e in the reader or list): an
# argument list, run without a shell; the enclosure's http(s) address is added as the
# last argument, on its own.
player = ["mpv", "--no-video"]
# true hands the player the terminal until it ends (mpv's keys work); false runs it in
# the background.
interactive = true
# Where d saves enclosures; "" means the Downloads folder's newsterm folder. A leading ~
# is your home folder.
downloads = ""
# Largest enclosure d downloads, in megabytes: 1 to 102400.
max_download_mb = 4096

[keys]
# Remap a key binding by its id (? in the app lists them), e.g.:
# toggle_bookmark = "x"
# Keys are names such as "x", "X", "ctrl+r", "f5", "question_mark"; several go
# comma-separated ("x,ctrl+b"). A key another binding on the same screen uses is refused.

# Views: saved searches, each a name and a query in the search's language, e.g.:
# [[views]]
# name = "Unread Rust"
# query = "rust is:unread age:<2w"
# `newsterm list --view "Unread Rust"` lists what one finds.

# Rules: a query and what to do with the stories it matches, as they arrive and (when the
# rules change) to the stories already stored. A rule never deletes a story, and never
# undoes a read mark or a bookmark set by hand. Actions: "hide" (muted: not listed, not
# counted, found only with is:hidden), "read", "bookmark", "highlight" (with a colour:
# red, green, yellow, blue, magenta, cyan, orange, purple or "#rrggbb"), and "topic"
# (with topic = "Name": listed under that topic). E.g.:
# [[rules]]
# query = 'feed:"Example News" title:sponsored'
# action = "hide"
# [[rules]]
# query = "author:ada"
# action = "highlight"
# colour = "green"
# `newsterm rules` lists them with what each matches; `newsterm rules test 'QUERY'` tries one.

# Commands of your own, run on the story in the list or the reader, without a shell. run
# is a list of arguments; {link}, {title}, {feed_url} and {id} are filled in within the
# argument that holds them and never split it ({link} only when it is an http(s) link).
# stdin = "text" gives the command the article's text. interactive = true hands it the
# terminal until it ends; otherwise it runs in the background and its exit status is
# shown. E.g.:
# [[commands]]
# name = "Read later"
# key = "W"
# run = ["curl", "-s", "-d", "url={link}", "https://example.org/save"]
# [[commands]]
# name = "Page through"
# key = "P"
# run = ["less"]
# stdin = "text"
# interactive = true
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


#: What ``[ui] images`` may say.
IMAGE_MODES = ("auto", "kitty", "sixel", "blocks", "off")


@dataclass(frozen=True, slots=True)
class UISettings:
    theme: str = "textual-dark"
    images: str = "auto"
    image_cache_mb: int = 200
    max_image_mb: int = 8

    @property
    def image_cache_bytes(self) -> int:
        return self.image_cache_mb * 1024 * 1024

    @property
    def max_image_bytes(self) -> int:
        return self.max_image_mb * 1024 * 1024


@dataclass(frozen=True, slots=True)
class MediaSettings:
    player: tuple[str, ...] = ("mpv", "--no-video")
    interactive: bool = True
    downloads: str = ""  # "" is the user's Downloads/newsterm (tui.paths.downloads_dir)
    max_download_mb: int = 4096

    @property
    def max_download_bytes(self) -> int:
        return self.max_download_mb * 1024 * 1024


@dataclass(frozen=True, slots=True)
class View:
    """A saved search: its name, and a query in the search's language (read when used)."""

    name: str
    query: str


#: What a rule may do to the stories its query matches.
RULE_ACTIONS = ("hide", "read", "bookmark", "highlight", "topic")
#: The colours a highlight rule may name (or "#rrggbb").
COLOURS = ("red", "green", "yellow", "blue", "magenta", "cyan", "orange", "purple")
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
#: The placeholders a command's arguments may hold.
PLACEHOLDERS = ("{link}", "{title}", "{feed_url}", "{id}")
# Programs that read an argument as code: shells and interpreters run the argument after
# -c / -e (or a short-option cluster holding c or e) as a script; the rest read their
# first argument that is no option as a program (env, xargs) or a script (awk, sed). A
# placeholder there would let a hostile title spell commands; anywhere else it is data
# (`python3 save.py {link}` is fine). Version suffixes (python3.12) are dropped first.
_INTERPRETERS = frozenset(
    {"sh", "bash", "dash", "zsh", "ksh", "fish", "csh", "tcsh", "busybox"}
    | {"python", "perl", "ruby", "node", "php", "lua", "osascript", "pwsh"}
)
_FIRST_IS_CODE = frozenset({"env", "xargs", "awk", "gawk", "mawk", "sed", "nohup", "sudo"})


@dataclass(frozen=True, slots=True)
class Rule:
    """A query (read when used) and its action; ``value`` is a highlight's colour or a
    topic rule's topic name, else empty."""

    query: str
    action: str
    value: str = ""

    def describe(self) -> str:
        """The rule in a few words, as `newsterm rules` and the UI name it."""
        if self.action == "topic":
            return f"file under {self.value}"
        if self.action == "highlight":
            return f"highlight {self.value}"
        return {"hide": "hide", "read": "mark read", "bookmark": "bookmark"}[self.action]


@dataclass(frozen=True, slots=True)
class Command:
    """A program of the user's, run on a story: an argument list, never a shell line."""

    name: str
    key: str
    run: tuple[str, ...]
    interactive: bool = False
    stdin: str = ""  # "" or "text"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, with defaults; ``warnings`` lists ignored keys, ``source``
    names the file the settings came from, for messages about them."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    refresh: RefreshSettings = field(default_factory=RefreshSettings)
    articles: ArticleSettings = field(default_factory=ArticleSettings)
    ui: UISettings = field(default_factory=UISettings)
    media: MediaSettings = field(default_factory=MediaSettings)
    keys: dict[str, str] = field(default_factory=dict)
    views: tuple[View, ...] = ()
    rules: tuple[Rule, ...] = ()
    commands: tuple[Command, ...] = ()
    warnings: tuple[str, ...] = ()
    source: str = field(default="config.toml", compare=False)


#: The allowed range of every number setting, inclusive. Past these a setting is not a
#: preference but a fault: 0 connections hang a refresh, a back-off of 10**17 minutes
#: overflows a date, a deadline of nan never ends.
SETTING_RANGES: dict[str, tuple[int | float, int | float]] = {
    "fetch.max_connections": (1, 256),
    "fetch.per_host": (1, 64),
    "fetch.connect_timeout": (0.5, 300.0),
    "fetch.read_timeout": (0.5, 300.0),
    "fetch.deadline": (1.0, 3600.0),
    "fetch.max_body_mb": (1, 256),
    "refresh.auto_minutes": (0, 10080),
    "refresh.backoff_minutes": (0, 1440),
    "refresh.max_backoff_hours": (1, 720),
    "articles.min_words": (0, 10000),
    "articles.prefetch_concurrency": (1, 16),
    "articles.max_page_mb": (1, 64),
    "articles.deadline": (1.0, 600.0),
    "ui.image_cache_mb": (10, 10000),
    "ui.max_image_mb": (1, 64),
    "media.max_download_mb": (1, 102400),
}
#: Settings that name one of a few words, and the words.
SETTING_CHOICES: dict[str, tuple[str, ...]] = {"ui.images": IMAGE_MODES}

# A newsterm config is a few kilobytes. tomllib's time and memory grow with the square of
# a dotted key's length (a 100 KB key of a.a.a… took 60 s and 9 GB), so the file is
# capped and long dotted keys are refused before it is parsed.
MAX_CONFIG_BYTES = 256 * 1024
_MAX_KEY_PARTS = 16
# Possessive quantifiers and the look-behind (a match starts only where a key starts) keep
# this check linear on hostile text too.
_KEY_PART = r"""(?:[\w-]++|"[^"\n]*+"|'[^'\n]*+')"""
_LONG_DOTTED_KEY = re.compile(
    rf"""(?<![\w"'.-]){_KEY_PART}(?:[ \t]*+\.[ \t]*+{_KEY_PART}){{{_MAX_KEY_PARTS},}}"""
)
_SECTIONS = (
    "fetch",
    "refresh",
    "articles",
    "ui",
    "media",
    "keys",
    "views",
    "rules",
    "commands",
)


def _shown(value: object) -> str:
    """A config value as the user wrote it in TOML, cut short: for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        cut = value if len(value) <= 40 else value[:40] + "…"
        return json.dumps(strip_controls(cut), ensure_ascii=False)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, int):
        return str(value) if value.bit_length() < 200 else "a number of over 60 digits"
    if isinstance(value, date | time):
        return value.isoformat()
    return repr(value)


def _checked(name: str, value: Any, default: Any, source: str) -> Any:
    """``value`` if it is the setting's type and in its range, else a :class:`ConfigError`."""
    where = f"{name} in {source}"
    got = _shown(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false; got {got}.")
        return value
    if isinstance(default, tuple):
        return _argument_list(where, value, got)
    if isinstance(default, str):
        return _word(name, where, value, default, got)
    low, high = SETTING_RANGES[name]
    number = isinstance(value, int | float) and not isinstance(value, bool)
    # Compared before any conversion: float(10**400) itself overflows.
    inside = number and (isinstance(value, int) or math.isfinite(value)) and low <= value <= high
    if isinstance(default, int):
        if not (inside and isinstance(value, int)):
            raise ConfigError(
                f"{where} must be a whole number from {low:g} to {high:g}; got {got}."
            )
        return value
    if not inside:
        raise ConfigError(
            f"{where} must be a number of seconds from {low:g} to {high:g}; got {got}."
        )
    return float(value)


def _word(name: str, where: str, value: Any, default: str, got: str) -> str:
    """A string setting: one of :data:`SETTING_CHOICES`, a folder (may be empty), or a
    theme name."""
    choices = SETTING_CHOICES.get(name)
    if choices is not None:
        if value not in choices:
            allowed = ", ".join(f'"{choice}"' for choice in choices)
            raise ConfigError(f"{where} must be one of {allowed}; got {got}.")
        return str(value)
    if name == "media.downloads":
        if not isinstance(value, str) or strip_controls(value) != value or "\x00" in value:
            raise ConfigError(f'{where} must be a folder in quotes, or ""; got {got}.')
        return value
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f'{where} must be a theme name in quotes, like "{default}"; got {got}.')
    return value


def _argument_list(where: str, value: Any, got: str) -> tuple[str, ...]:
    """A program and its arguments: a non-empty list of strings, the first not empty."""
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(part, str) and "\x00" not in part for part in value)
        or not value[0].strip()
    ):
        raise ConfigError(
            f'{where} must be a list of a program and its arguments, like ["mpv", '
            f'"--no-video"]; got {got}.'
        )
    return tuple(value)


def _section(cls: type[Any], name: str, raw: Any, source: str, warnings: list[str]) -> Any:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise ConfigError(f"[{name}] in {source} must be a table of settings; got {_shown(raw)}.")
    known = {f.name for f in fields(cls)}
    defaults = cls()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            warnings.append(f"unknown setting {name}.{key} ignored")
            continue
        values[key] = _checked(f"{name}.{key}", value, getattr(defaults, key), source)
    return cls(**values)


def _keys(raw: Any, source: str) -> dict[str, str]:
    """``[keys]`` as given; which ids and key names are real is the UI's to say."""
    if raw is None:
        return {}
    example = 'like toggle_bookmark = "x"'
    if not isinstance(raw, dict):
        raise ConfigError(f"[keys] in {source} maps binding ids to keys, {example}.")
    for binding_id, keys in raw.items():
        if not isinstance(keys, str):
            raise ConfigError(
                f"[keys] in {source} maps binding ids to keys in quotes, {example}; "
                f"{_shown(binding_id)} is {_shown(keys)}."
            )
    return dict(raw)


def _views(raw: Any, source: str) -> tuple[View, ...]:
    """``[[views]]``: tables of a name and a query, names unique (case aside)."""
    if raw is None:
        return ()
    example = 'like [[views]] name = "Unread Rust" query = "rust is:unread"'
    if not isinstance(raw, list) or not all(isinstance(view, dict) for view in raw):
        raise ConfigError(f"views in {source} are [[views]] tables, {example}.")
    views: list[View] = []
    for number, view in enumerate(raw, 1):
        name, query = view.get("name"), view.get("query")
        if not isinstance(name, str) or not strip_controls(name).strip():
            raise ConfigError(f"View {number} in {source} needs a name in quotes, {example}.")
        if not isinstance(query, str) or not query.strip():
            raise ConfigError(f"The view {name!r} in {source} needs a query in quotes, {example}.")
        name = strip_controls(name).strip()
        if any(other.name.casefold() == name.casefold() for other in views):
            raise ConfigError(f"Two views in {source} are named {name!r}; give each its own.")
        views.append(View(name, strip_controls(query).strip()))
    return tuple(views)


def _tables(raw: Any, name: str, source: str, example: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(table, dict) for table in raw):
        raise ConfigError(f"{name} in {source} are [[{name}]] tables, {example}.")
    return raw


def _rules(raw: Any, source: str) -> tuple[Rule, ...]:
    """``[[rules]]``: a query and an action each; a highlight's colour and a topic rule's
    topic are checked here, the query when the rules are used."""
    example = 'like [[rules]] query = "title:sponsored" action = "hide"'
    rules: list[Rule] = []
    for number, table in enumerate(_tables(raw, "rules", source, example), 1):
        query, action = table.get("query"), table.get("action")
        topic, colour = table.get("topic"), table.get("colour", table.get("color"))
        if action is None and topic is not None:
            action = "topic"
        where = f"Rule {number} in {source}"
        if not isinstance(query, str) or not strip_controls(query).strip():
            raise ConfigError(f"{where} needs a query in quotes, {example}.")
        if action not in RULE_ACTIONS:
            raise ConfigError(
                f"{where} needs an action: {', '.join(RULE_ACTIONS)}; got {_shown(action)}."
            )
        value = ""
        if action == "topic":
            if not isinstance(topic, str) or not strip_controls(topic).strip():
                raise ConfigError(f'{where} files stories under a topic: add topic = "Name".')
            value = strip_controls(topic).strip()
        elif action == "highlight":
            colour = "yellow" if colour is None else colour
            if not isinstance(colour, str) or not (
                colour.lower() in COLOURS or _HEX_COLOUR.fullmatch(colour)
            ):
                raise ConfigError(
                    f"{where} highlights in a colour: {', '.join(COLOURS)} or "
                    f'"#rrggbb"; got {_shown(colour)}.'
                )
            value = colour.lower()
        rules.append(Rule(strip_controls(query).strip(), action, value))
    return tuple(rules)


def _commands(raw: Any, source: str) -> tuple[Command, ...]:
    """``[[commands]]``: a name, a key and an argument list each, names unique."""
    example = 'like [[commands]] name = "Read later" key = "W" run = ["save-link", "{link}"]'
    commands: list[Command] = []
    for number, table in enumerate(_tables(raw, "commands", source, example), 1):
        name, key, run = table.get("name"), table.get("key"), table.get("run")
        if not isinstance(name, str) or not strip_controls(name).strip():
            raise ConfigError(f"Command {number} in {source} needs a name in quotes, {example}.")
        name = strip_controls(name).strip()
        where = f"The command {name!r} in {source}"
        if key is not None and (not isinstance(key, str) or not key.strip()):
            raise ConfigError(f'{where} takes its key in quotes, like key = "W".')
        if (
            not isinstance(run, list)
            or not run
            or not all(isinstance(part, str) for part in run)
            or not run[0].strip()
        ):
            raise ConfigError(
                f'{where} needs run = a list of arguments, like run = ["mpv", "{{link}}"]; '
                "it runs without a shell."
            )
        if any(p in run[0] for p in PLACEHOLDERS):
            raise ConfigError(
                f"{where} names its program with a placeholder; the program is yours to name, "
                "and a story's values go in the arguments after it."
            )
        program = Path(run[0]).name.lower().rstrip("0123456789.")
        if _placeholder_runs_as_code(program, run[1:]):
            raise ConfigError(
                f"{where} puts a placeholder where {program} reads code or a program to "
                "run; give the story's values as arguments of their own (data), e.g. "
                '["python3", "save.py", "{link}"].'
            )
        interactive = table.get("interactive", False)
        if not isinstance(interactive, bool):
            raise ConfigError(f"{where}: interactive must be true or false.")
        stdin = table.get("stdin", "")
        if stdin not in ("", "text"):
            raise ConfigError(f'{where}: stdin takes "text" (the article\'s text) or nothing.')
        if any(other.name.casefold() == name.casefold() for other in commands):
            raise ConfigError(f"Two commands in {source} are named {name!r}; give each its own.")
        commands.append(Command(name, (key or "").strip(), tuple(run), interactive, stdin))
    return tuple(commands)


def _placeholder_runs_as_code(program: str, arguments: list[str]) -> bool:
    """Whether a placeholder sits where ``program`` would run it (see _INTERPRETERS)."""

    def holds(argument: str) -> bool:
        return any(p in argument for p in PLACEHOLDERS)

    if program in _INTERPRETERS:
        for number, argument in enumerate(arguments):
            short = argument.startswith("-") and not argument.startswith("--")
            if short and ("c" in argument or "e" in argument):
                script = arguments[number + 1 : number + 2]
                if holds(argument) or any(holds(part) for part in script):
                    return True
            if argument in ("--command", "--eval") and any(
                holds(part) for part in arguments[number + 1 : number + 2]
            ):
                return True
        return False
    if program in _FIRST_IS_CODE:
        # env's NAME=value settings come before the program it runs.
        first = next(
            (a for a in arguments if not a.startswith("-") and not (program == "env" and "=" in a)),
            "",
        )
        return holds(first)
    return False


def parse_settings(text: str, source: str = "config.toml") -> Settings:
    """Read settings from TOML text; ``source`` names the file in messages."""
    if _LONG_DOTTED_KEY.search(text):
        raise ConfigError(
            f"{source} has a key of more than {_MAX_KEY_PARTS} dotted parts; newsterm's "
            "settings are one [section] and one key each."
        )
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source} is not valid TOML: {error}.") from None
    except RecursionError:
        raise ConfigError(f"{source} is nested too deeply to be a newsterm config.") from None
    except ValueError:  # an integer of more than 4300 digits
        raise ConfigError(f"{source} holds a number too long to be any setting.") from None
    warnings = [f"unknown section [{name}] ignored" for name in raw if name not in _SECTIONS]
    return Settings(
        fetch=_section(FetchSettings, "fetch", raw.get("fetch"), source, warnings),
        refresh=_section(RefreshSettings, "refresh", raw.get("refresh"), source, warnings),
        articles=_section(ArticleSettings, "articles", raw.get("articles"), source, warnings),
        ui=_section(UISettings, "ui", raw.get("ui"), source, warnings),
        media=_section(MediaSettings, "media", raw.get("media"), source, warnings),
        keys=_keys(raw.get("keys"), source),
        views=_views(raw.get("views"), source),
        rules=_rules(raw.get("rules"), source),
        commands=_commands(raw.get("commands"), source),
        warnings=tuple(warnings),
        source=source,
    )


def load_settings(path: Path) -> Settings:
    """Read ``path``; a missing file means all defaults."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return Settings(source=str(path))
    except IsADirectoryError:
        raise ConfigError(f"{path} is a folder; give the path of a config file.") from None
    except OSError as error:
        raise ConfigError(
            f"Cannot read the config file {path}: {error.strerror or error}."
        ) from None
    except ValueError:  # a NUL in the path
        raise ConfigError(f"{path!r} is not a file name.") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{path} is too large to be a newsterm config (over {MAX_CONFIG_BYTES // 1024} KB); "
            "give the path of a config file."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte 0x{data[error.start]:02x} at position "
            f"{error.start}); save it as UTF-8."
        ) from None
    return parse_settings(text, source=str(path))
