"""Every key binding in one place: where bindings live, the help's rows, and ``[keys]``.

Bindings are declared on the class whose actions they run (``BINDINGS`` with an ``id=``
each, so that users can remap them); :func:`binding_owners` lists those classes as the
help screen names them, :func:`key_rows` makes the help's table with ``[keys]`` applied,
:func:`check_keymap` checks ``[keys]`` in config.toml against the bindings the app
really has, and :func:`check_command_keys` the keys of the user's ``[[commands]]``.

Which binding ids exist, which key names Textual knows and which keys already act on a
screen are Textual's to say, so this lives in the UI (the core never imports textual).
Textual itself takes any keymap silently: an unknown id does nothing, ``"ctrl+"`` moves a
binding to a key no terminal sends, and a key another binding uses quietly wins or loses.
Here each such entry is refused in one sentence and its binding keeps its default key.

A *scope* is a set of bindings that act at the same time: on the main screen the app's,
the screen's and the focused pane's; on a dialog its own and the app's priority ones.
One key may do one thing in each scope.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import (
    KEY_NAME_REPLACEMENTS,
    Keys,
    _character_to_key,
    format_key,
    key_to_character,
)

from tui.core import Command, Settings, strip_controls
from tui.ui.dialogs.add_feed import AddFeedScreen
from tui.ui.dialogs.choose_feed import ChooseFeedScreen
from tui.ui.dialogs.confirm import ConfirmScreen
from tui.ui.dialogs.downloads import DownloadsScreen
from tui.ui.dialogs.feeds import FeedsScreen
from tui.ui.dialogs.help import HelpScreen, KeyRow
from tui.ui.dialogs.menu import MenuScreen
from tui.ui.dialogs.outline import OutlineScreen
from tui.ui.dialogs.prompt import PromptScreen
from tui.ui.dialogs.search import SearchScreen
from tui.ui.screens.main import MainScreen
from tui.ui.screens.welcome import WelcomeScreen
from tui.ui.widgets.reader import ReaderPane
from tui.ui.widgets.story_list import StoryList

Scope = tuple[str, Sequence[type[DOMNode]]]
Owner = tuple[str, type[DOMNode]]

MODIFIERS = frozenset({"ctrl", "alt", "shift", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(
    {key.value.rsplit("+", 1)[-1] for key in Keys if not key.value.startswith("<")}
    | set(KEY_NAME_REPLACEMENTS.values())
)
_EXAMPLES = '"x", "X", "ctrl+r", "f5" or "question_mark"'


def normal_key(text: str) -> str | None:
    """Textual's name for one key as a user may write it (``?`` is ``question_mark``,
    ``F5`` is ``f5``); None when it names no key a terminal sends."""
    # _character_to_key is private, but it is the very function set_keymap names keys
    # with: using it keeps these names and Textual's the same.
    key = text.strip()
    if len(key) == 1:
        return _character_to_key(key) if key.isprintable() and not key.isspace() else None
    *modifiers, base = key.split("+")
    modifiers = [modifier.lower() for modifier in modifiers]
    if len(set(modifiers)) != len(modifiers) or not MODIFIERS.issuperset(modifiers):
        return None
    if len(base) == 1:
        if not base.isprintable() or base.isspace():
            return None
        base = _character_to_key(base)
    else:
        base = base.lower()
        if base not in _NAMED_KEYS and key_to_character(base) is None:
            return None
    return "+".join([*modifiers, base])


@dataclass(frozen=True, slots=True)
class KeymapCheck:
    """The entries to apply (as Textual names their keys), and one sentence per refusal."""

    keymap: dict[str, str]
    problems: list[str]


def shown(text: str) -> str:
    """A value from the config, quoted, cut short and stripped of controls, for messages."""
    cut = text if len(text) <= 40 else text[:40] + "…"
    return json.dumps(strip_controls(cut), ensure_ascii=False)


def _keys_shown(keys: Iterable[str]) -> str:
    return ", ".join(format_key(key) for key in keys)


def _bindings(owner: type[DOMNode], priority_only: bool) -> Iterator[tuple[str, Binding]]:
    # Merged over base classes as Textual merges them, so its own bindings (ctrl+q, tab,
    # the scroll keys) count as taken keys too.
    for key, binding in owner._merge_bindings():
        if binding.priority or not priority_only:
            yield key, binding


def _who(owner: type[DOMNode], binding: Binding) -> str:
    return binding.id or f"{owner.__name__}.{binding.action}"


def _label(who: str) -> str:
    """A binding without an id is Textual's own: named by its action."""
    return who if "." not in who else who.split(".", 1)[1].replace("_", " ")


def _scope_owners(
    app: type[DOMNode], scope: Sequence[type[DOMNode]]
) -> list[tuple[type[DOMNode], bool]]:
    owners = [(owner, False) for owner in scope]
    if app not in scope:
        owners.append((app, True))  # priority bindings act over every screen
    return owners


def _keys_on(
    app: type[DOMNode], scope: Sequence[type[DOMNode]], keymap: Mapping[str, Sequence[str]]
) -> dict[str, set[str]]:
    """Key → the bindings on it, in one scope, with ``keymap`` applied."""
    on: dict[str, set[str]] = {}
    for owner, priority_only in _scope_owners(app, scope):
        for key, binding in _bindings(owner, priority_only):
            keys = keymap.get(binding.id, (key,)) if binding.id else (key,)
            for each in keys:
                on.setdefault(each, set()).add(_who(owner, binding))
    return on


def _defaults(app: type[DOMNode], scopes: Sequence[Scope]) -> dict[str, list[str]]:
    """Binding id → its default keys."""
    defaults: dict[str, list[str]] = {}
    for _, scope in scopes:
        for owner, priority_only in _scope_owners(app, scope):
            for key, binding in _bindings(owner, priority_only):
                if binding.id and key not in defaults.setdefault(binding.id, []):
                    defaults[binding.id].append(key)
    return defaults


def check_keymap(
    app: type[DOMNode], scopes: Sequence[Scope], keymap: Mapping[str, str], source: str
) -> KeymapCheck:
    """Which of ``keymap``'s entries to apply; each refused one is a sentence naming it."""
    defaults = _defaults(app, scopes)
    problems: list[str] = []
    wanted: dict[str, list[str]] = {}
    for binding_id, text in keymap.items():
        if binding_id not in defaults:
            near = difflib.get_close_matches(binding_id, defaults, n=1)
            hint = f"; did you mean {near[0]}?" if near else "; ? in the app lists every id."
            problems.append(f"[keys] {shown(binding_id)} in {source} names no binding{hint}")
            continue
        keys = [normal_key(part) for part in text.split(",")]
        bad = next(
            (part for part, key in zip(text.split(","), keys, strict=True) if key is None), None
        )
        if bad is not None:
            problems.append(
                f"[keys] {binding_id} = {shown(text)} in {source}: {shown(bad.strip())} is not "
                f"a key (try {_EXAMPLES}); {binding_id} stays on "
                f"{_keys_shown(defaults[binding_id])}."
            )
            continue
        wanted[binding_id] = list(dict.fromkeys(key for key in keys if key))
    problems += _refuse_clashes(app, scopes, wanted, defaults, keymap, source)
    return KeymapCheck({bid: ",".join(keys) for bid, keys in wanted.items()}, problems)


def _refuse_clashes(
    app: type[DOMNode],
    scopes: Sequence[Scope],
    wanted: dict[str, list[str]],
    defaults: Mapping[str, list[str]],
    keymap: Mapping[str, str],
    source: str,
) -> list[str]:
    """Drop from ``wanted`` every remap that puts a binding on a key another one uses in the
    same scope. Clashes the defaults already have (a dialog's q over the app's) are by
    design. Refusing one remap gives its binding back its default keys, which may clash
    with another remap in turn: hence the loop, which ends since ``wanted`` shrinks."""
    problems: list[str] = []
    before = {where: _keys_on(app, scope, {}) for where, scope in scopes}
    while True:
        clash = next(_clashes(app, scopes, wanted, before), None)
        if clash is None:
            return problems
        where, key, moved, others = clash
        for binding_id in moved:
            del wanted[binding_id]
        first, *rest = sorted(moved)
        if rest:
            names = " and ".join(sorted(moved))
            both = "both" if len(moved) == 2 else "all"
            problems.append(
                f"[keys] {names} in {source} {both} put {format_key(key)} to use in the "
                f"{where}; each stays on its default keys."
            )
        else:
            other = ", ".join(_label(who) for who in sorted(others))
            problems.append(
                f"[keys] {first} = {shown(keymap[first])} in {source} clashes with {other} "
                f"on {format_key(key)} in the {where}; {first} stays on "
                f"{_keys_shown(defaults[first])}."
            )


def _clashes(
    app: type[DOMNode],
    scopes: Sequence[Scope],
    wanted: Mapping[str, Sequence[str]],
    before: Mapping[str, Mapping[str, set[str]]],
) -> Iterator[tuple[str, str, set[str], set[str]]]:
    for where, scope in scopes:
        for key, on in _keys_on(app, scope, wanted).items():
            moved = on - before[where].get(key, set())
            if len(on) > 1 and moved:
                yield where, key, moved, on - moved


@dataclass(frozen=True, slots=True)
class CommandKeys:
    """The key each user command is bound to (by its place in ``[[commands]]``), and one
    sentence per key refused."""

    keys: dict[int, str]
    problems: list[str]


def check_command_keys(
    app: type[DOMNode],
    scopes: Sequence[Scope],
    keymap: Mapping[str, str],
    commands: Sequence[Command],
    source: str,
) -> CommandKeys:
    """Which ``[[commands]]`` keys to bind on the main screen: a key that names no key, or
    that a binding (with ``[keys]`` applied) or an earlier command already uses with
    either pane focused, is refused; the command stays in the command palette."""
    remapped = {binding_id: keys.split(",") for binding_id, keys in keymap.items()}
    taken: dict[str, set[str]] = {}
    for where, scope in scopes:
        if where in MAIN_SCOPES:
            for key, on in _keys_on(app, scope, remapped).items():
                taken.setdefault(key, set()).update(_label(who) for who in on)
    bound: dict[int, str] = {}
    problems: list[str] = []
    for index, command in enumerate(commands):
        if not command.key:
            continue
        named = f"[[commands]] {shown(command.name)} in {source}"
        wanted = normal_key(command.key)
        if wanted is None:
            problems.append(
                f"{named}: key = {shown(command.key)} is not a key (try {_EXAMPLES}); the "
                "command has no key, ctrl+p still runs it."
            )
        elif wanted in taken:
            users = ", ".join(sorted(taken[wanted]))
            problems.append(
                f"{named}: {format_key(wanted)} is taken by {users} on the main screen; the "
                "command has no key, ctrl+p still runs it."
            )
        else:
            bound[index] = wanted
            taken[wanted] = {shown(command.name)}
    return CommandKeys(bound, problems)


def binding_owners(app: type[DOMNode]) -> list[Owner]:
    """Where key bindings live (``app``'s act everywhere), named as the help screen shows
    them; the order is the help's."""
    return [
        ("everywhere", app),
        ("main screen", MainScreen),
        ("story list", StoryList),
        ("reader", ReaderPane),
        ("search", SearchScreen),
        ("feed manager", FeedsScreen),
        ("downloads", DownloadsScreen),
        ("outline", OutlineScreen),
        ("yes/no question", ConfirmScreen),
        ("add a feed", AddFeedScreen),
        ("choose a feed", ChooseFeedScreen),
        ("text question", PromptScreen),
        ("menu", MenuScreen),
        ("help", HelpScreen),
        ("welcome", WelcomeScreen),
    ]


def key_rows(
    owners: Iterable[Owner],
    keymap: Mapping[str, str],
    display: Callable[[str], str] | None = None,
) -> list[KeyRow]:
    """One row per binding with an id, keys as remapped by ``keymap``."""
    rows: list[KeyRow] = []
    seen: set[str] = set()
    for where, owner in owners:
        for item in owner.BINDINGS:
            if not isinstance(item, Binding) or item.id is None or item.id in seen:
                continue
            seen.add(item.id)
            keys = keymap.get(item.id, item.key)
            as_shown = ", ".join(
                display(key.strip()) if display else key.strip() for key in keys.split(",")
            )
            rows.append(KeyRow(as_shown, item.id, item.description or item.action, where))
    return rows


#: The scopes of :func:`binding_scopes` in which the main screen's keys act.
MAIN_SCOPES = ("story list", "reader")


def binding_scopes(app: type[DOMNode], owners: Sequence[Owner]) -> list[Scope]:
    """The main screen's bindings with either pane focused, then every other screen's on
    its own (``owners`` as the help screen lists them)."""
    main: list[type[DOMNode]] = [app, MainScreen]
    list_scope, reader_scope = MAIN_SCOPES
    scopes: list[Scope] = [(list_scope, [*main, StoryList]), (reader_scope, [*main, ReaderPane])]
    shared = {app, MainScreen, StoryList, ReaderPane}
    scopes += [(f"{where} screen", [owner]) for where, owner in owners if owner not in shared]
    return scopes


def few(problems: list[str], most: int = 3, where: str = "[keys]") -> list[str]:
    """At most ``most`` notices: a config full of mistakes should not bury the screen."""
    if len(problems) <= most:
        return problems
    more = len(problems) - most + 1
    return [*problems[: most - 1], f"…and {more} more in {where}; `newsterm config` lists them."]


def settings_problems(app: type[DOMNode], scopes: Sequence[Scope], settings: Settings) -> list[str]:
    """Every ``[keys]`` entry and ``[[commands]]`` key the app would refuse, and
    ``ui.theme`` if it names no theme."""
    from textual.theme import BUILTIN_THEMES

    check = check_keymap(app, scopes, settings.keys, settings.source)
    commands = check_command_keys(
        app, scopes, check.keymap, settings.commands, settings.source
    ).problems
    theme = theme_problem(settings.ui.theme, BUILTIN_THEMES, "textual-dark", settings.source)
    return check.problems + commands + ([theme] if theme else [])


def theme_problem(name: str, themes: Collection[str], fallback: str, source: str) -> str | None:
    """A sentence if ``ui.theme`` names no theme, else None."""
    if name in themes:
        return None
    near = difflib.get_close_matches(name, themes, n=1)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return (
        f"ui.theme = {shown(name)} in {source} is not a theme{hint}; using {fallback} "
        "(ctrl+p, theme lists them)."
    )
