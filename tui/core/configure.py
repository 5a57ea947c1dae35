"""Changes the app makes to ``config.toml``: a view saved from the search, a rule made
from a story.

The file is the user's: it is edited with tomlkit, which keeps every comment, blank line
and key order as written, and only the table added or changed is new. The result is read
back with the settings' own checks before it replaces the file, so a change never leaves a
config newsterm would refuse; the file is replaced whole (written beside it, flushed to
disk, renamed over it), so a crash leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from tui.core.errors import ConfigError
from tui.core.settings import DEFAULT_CONFIG_TOML, MAX_CONFIG_BYTES, Rule, parse_settings


def _document(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = DEFAULT_CONFIG_TOML  # a new file starts with the commented defaults
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Cannot read the config file {path}: {error}.") from None
    try:
        return tomlkit.parse(text)
    except TOMLKitError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}.") from None


def _tables(document: Any, name: str) -> Any:
    """The file's ``[[name]]`` tables (none yet: an empty list, not yet in the file)."""
    tables = document.get(name)
    if tables is None:
        return tomlkit.aot()
    if not isinstance(tables, tomlkit.items.AoT):
        raise ConfigError(f"{name} in the config file are [[{name}]] tables; fix it by hand.")
    return tables


def _add_table(document: Any, name: str, tables: Any) -> Any:
    """A new ``[[name]]`` table after the others (the first, at the end of the file)."""
    if name in document:
        before = tables[-1].as_string() if len(tables) else ""
    else:
        before = tomlkit.dumps(document)
        document.append(name, tables)
    table = tomlkit.table()
    if before.strip() and not before.endswith("\n\n"):
        # A blank line first, so the comment or the table above does not read as its own.
        table.trivia.indent = "\n"
    tables.append(table)
    return table


def _save(path: Path, document: Any) -> None:
    text = tomlkit.dumps(document)
    if len(text.encode()) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path} would grow too large; the change was not written.")
    parse_settings(text, source=str(path))  # a ConfigError leaves the file as it was
    # A config kept in a dotfiles folder and linked into place stays linked: the file the
    # link names is replaced, not the link.
    target = path.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o600
    with contextlib.suppress(FileNotFoundError):
        mode = target.stat().st_mode & 0o777
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".config-", suffix=".toml")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(mode)
        temporary.replace(target)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise ConfigError(f"Cannot write the config file {path}: {error.strerror}.") from None


def save_view(path: Path, name: str, query: str) -> bool:
    """Add a view, or give the view of that name (case aside) this query; True if it
    was new."""
    document = _document(path)
    views = _tables(document, "views")
    # Compared as the settings compare them (surrounding spaces aside): "Later " is the
    # view "Later", not a second one the settings would refuse as a duplicate.
    name = name.strip()
    for table in views:
        if str(table.get("name", "")).strip().casefold() == name.casefold():
            table["query"] = query
            _save(path, document)
            return False
    table = _add_table(document, "views", views)
    table["name"] = name
    table["query"] = query
    _save(path, document)
    return True


def save_rule(path: Path, rule: Rule) -> None:
    """Add a rule at the end of the file's rules (the first rule that matches wins a
    colour or a topic, so one added later never takes over from the user's own)."""
    document = _document(path)
    table = _add_table(document, "rules", _tables(document, "rules"))
    table["query"] = rule.query
    table["action"] = rule.action
    if rule.action == "highlight":
        table["colour"] = rule.value
    elif rule.action == "topic":
        table["topic"] = rule.value
    _save(path, document)
