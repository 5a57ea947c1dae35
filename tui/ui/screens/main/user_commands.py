"""Commands of the user's own (``[[commands]]``) on the main screen.

:class:`UserCommands` binds each command's key on the main screen (the app checks the
keys first, :func:`tui.ui.keys.check_command_keys`), runs a command on the story at hand
and gives the help screen its rows; the command palette lists the commands too
(:mod:`tui.ui.commands`). The argument list is built by the core
(:func:`tui.core.command_argv`: no shell, placeholders filled in within their argument,
``{link}`` only when http(s)).

A background command is prepared (the story read, its text if it wants it) and started
in a thread worker; its end is waited for in a daemon thread of its own, so that
quitting never waits on a program the user started (a video player, say), which goes
on in its own session. An interactive one, and a browser that draws in the terminal
for ``o`` (:func:`hand_terminal`), gets the terminal while the app is suspended.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from textual.app import SuspendNotSupported
from textual.binding import BindingsMap

from tui.core import (
    Command,
    CommandError,
    NewstermError,
    RunningCommand,
    clean_line,
    command_argv,
    run_in_terminal,
    start_command,
)
from tui.ui.background.threads import deliver, thread_worker
from tui.ui.dialogs.help import KeyRow
from tui.ui.screens.main.parts import MainParts

#: The help's "id" column for a command: where it comes from, as it cannot be remapped
#: under [keys].
COMMANDS_ID = "[[commands]]"


class UserCommands:
    """The user's commands: their keys on the main screen, and running them."""

    def __init__(
        self, node: MainParts, target: Callable[[], int | None], bindings: BindingsMap
    ) -> None:
        self.node = node
        self._target = target  # the story an action is about, as the story actions see it
        self._bindings = bindings  # the main screen's own
        #: Command index → the key it is bound to (commands without one are left out).
        self.keys: dict[int, str] = {}

    @property
    def commands(self) -> tuple[Command, ...]:
        return self.node.session.settings.commands

    def bind(self, keys: Mapping[int, str]) -> None:
        """Bind each command's key (as checked by the app) on the main screen."""
        for index, key in keys.items():
            # Textual has no public call that adds a binding to one screen; its binding
            # map is where the screen's BINDINGS live, and Textual reads it on each key.
            self._bindings.bind(
                key, f"run_command({index})", clean_line(self.commands[index].name), show=False
            )
        self.keys.update(keys)

    def help_rows(self, display: Callable[[str], str]) -> list[KeyRow]:
        """One row of the help's table per command (``ctrl+p`` for one without a key)."""
        return [
            KeyRow(
                display(self.keys[index]) if index in self.keys else "ctrl+p",
                COMMANDS_ID,
                clean_line(command.name),
                "main screen",
            )
            for index, command in enumerate(self.commands)
        ]

    # -- running one ---------------------------------------------------------------------

    def run(self, index: int) -> None:
        """Run command ``index`` of ``[[commands]]`` on the story at hand."""
        if not 0 <= index < len(self.commands):
            return
        story_id = self._target()
        if story_id is None:
            self.node.notify(
                "No story is selected: a command runs on the story under the cursor.",
                severity="warning",
                markup=False,
            )
            return
        self._prepare(self.commands[index], story_id)

    @thread_worker(group="user-commands")
    def _prepare(self, command: Command, story_id: int) -> None:
        library = self.node.session.library
        name = clean_line(command.name)
        try:
            argv = command_argv(command, library.story(story_id))
            text = library.story_text(story_id) if command.stdin == "text" else None
            if command.interactive:
                deliver(self.node, hand_terminal, self.node, name, argv, text)
                return
        except NewstermError as error:
            deliver(self.node, self.node.problem, str(error))
            return
        start_in_background(self.node, name, argv, text)


def start_in_background(
    node: MainParts, name: str, argv: list[str], stdin_text: str | None = None, started: str = ""
) -> None:
    """Start ``argv`` in the background and say how it ended (``started``: what to say
    once it runs). Blocking (it forks): for a thread worker. The end is waited for in a
    daemon thread of its own, as long as the program runs: not in a worker, whose thread
    the app would wait for when quitting."""
    try:
        running = start_command(argv, stdin_text)
    except NewstermError as error:
        deliver(node, node.problem, str(error))
        return
    if started:
        deliver(node, node.notify, started, markup=False)

    def wait(running: RunningCommand = running) -> None:
        outcome = running.wait()
        if outcome.ok:
            deliver(node, node.notify, outcome.summary(name), markup=False)
        else:
            deliver(node, node.problem, outcome.summary(name))

    threading.Thread(target=wait, name=f"command {running.pid}", daemon=True).start()


def hand_terminal(node: MainParts, name: str, argv: list[str], stdin_text: str | None) -> None:
    """Suspend the app, run ``argv`` with the terminal as its own, and resume after it; a
    sentence when the session has no terminal to hand over (a test, a web session) or
    the program fails. On the event loop: nothing else can draw while it runs anyway."""
    problem = ""
    try:
        with node.app.suspend():
            # Textual resumes the app only when this block ends normally: nothing may be
            # raised out of it.
            try:
                outcome = run_in_terminal(argv, stdin_text)
            except CommandError as error:
                problem = str(error)
            else:
                problem = "" if outcome.ok else outcome.summary(name)
    except SuspendNotSupported:
        node.notify(
            f"{name} needs the terminal, and this session cannot hand it over.",
            severity="warning",
            markup=False,
        )
        return
    if problem:
        node.problem(problem)
