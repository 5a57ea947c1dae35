"""The "connect a sync account" dialog: the server's address, the user name, the password.

It only collects the answer; the app signs in (``Library.add_account``) in a worker and
says what it found in a notification. The password field never echoes, and the answer is
dropped as soon as the app has used it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

API_CHOICES = [
    ("Find out (Google Reader API, Miniflux, Fever)", "auto"),
    ("Google Reader API (FreshRSS, Miniflux, Inoreader…)", "greader"),
    ("Miniflux (API key or password)", "miniflux"),
    ("Fever", "fever"),
]


@dataclass(frozen=True, slots=True)
class NewAccount:
    url: str
    user: str
    password: str = field(repr=False)
    api: str | None = None


class AccountScreen(ModalScreen[NewAccount | None]):
    """Dismisses with a :class:`NewAccount`, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="account_cancel")
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog add-account"):
            yield Static("Connect a sync account", classes="dialog-title", markup=False)
            yield Input(placeholder="https://miniflux.example.org", id="url")
            yield Input(placeholder="user name", id="user")
            yield Input(placeholder="password or API key", password=True, id="password")
            yield Select(API_CHOICES, value="auto", allow_blank=False, id="api")
            yield Static("", id="account-problem", classes="problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Connect", variant="primary", id="connect")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#url", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        following = {"url": "#user", "user": "#password"}
        if event.input.id in following:
            self.query_one(following[event.input.id], Input).focus()
        else:
            self._connect()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "connect":
            self._connect()
        else:
            self.dismiss(None)

    def _connect(self) -> None:
        values = {name: self.query_one(f"#{name}", Input).value for name in ("url", "user")}
        password = self.query_one("#password", Input).value
        for name, label in (("url", "the server's address"), ("user", "the user name")):
            if not values[name].strip():
                self.query_one("#account-problem", Static).update(f"Type {label} first.")
                self.query_one(f"#{name}", Input).focus()
                return
        if not password:
            self.query_one("#account-problem", Static).update("Type the password first.")
            self.query_one("#password", Input).focus()
            return
        api = str(self.query_one("#api", Select).value)
        self.dismiss(
            NewAccount(
                values["url"].strip(),
                values["user"].strip(),
                password,
                None if api == "auto" else api,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
