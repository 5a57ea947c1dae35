"""The first-launch screen, shown while the library has no feeds and no stories.

It offers the starter set of feeds, the demo library (offline, throwaway), adding one
feed, connecting a sync account, or quitting; the app does the work for the answer it gets back.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

WelcomeChoice = Literal["starter", "demo", "add", "sync", "quit"]

WELCOME_TEXT = """\
Welcome to newsterm.

Your library is empty. Pick a way to start:

  • the starter set: a handful of well-known feeds, grouped by topic, fetched now;
  • the demo library: made-up stories that work offline, thrown away when you quit;
  • one feed of your own, by its address;
  • a sync account (Miniflux, FreshRSS, …): its feeds, and read and starred
    marks kept in step with your other readers.

Later: `a` adds a feed, `f` manages feeds, `?` lists every key."""


class WelcomeScreen(Screen[WelcomeChoice]):
    """Dismisses with the user's choice."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "choose('starter')", "Starter set", id="welcome_starter"),
        Binding("d", "choose('demo')", "Demo library", id="welcome_demo"),
        Binding("a", "choose('add')", "Add a feed", id="welcome_add"),
        Binding("c", "choose('sync')", "Connect a sync account", id="welcome_sync"),
        Binding("q,escape", "choose('quit')", "Quit", id="welcome_quit"),
    ]

    def compose(self) -> ComposeResult:
        with Center(), Vertical(classes="dialog welcome"):
            yield Static(WELCOME_TEXT, classes="welcome-text", markup=False)
            yield Button(
                "Subscribe to the starter set (s)", variant="primary", id="starter", compact=True
            )
            yield Button("Open the demo library (d)", id="demo", compact=True)
            yield Button("Add a feed… (a)", id="add", compact=True)
            yield Button("Connect a sync account… (c)", id="sync", compact=True)
            yield Button("Quit (q)", id="quit", compact=True)
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(str(event.button.id))

    def action_choose(self, choice: str) -> None:
        if choice in ("starter", "demo", "add", "sync", "quit"):
            self.dismiss(choice)  # type: ignore[arg-type]
