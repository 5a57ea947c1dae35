"""The "add a feed" dialog: a URL and an optional topic.

It only collects the answer; the app's :class:`~tui.ui.add_feed_flow.AddFeedFlow`
subscribes (``Library.add_feed``) and fetches the feed in its workers, and says so in a
notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


@dataclass(frozen=True, slots=True)
class NewFeed:
    url: str
    topic: str = ""


class AddFeedScreen(ModalScreen[NewFeed | None]):
    """Dismisses with a :class:`NewFeed`, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="add_feed_cancel")
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog add-feed"):
            yield Static("Add a feed", classes="dialog-title", markup=False)
            yield Input(placeholder="https://example.org/feed.xml", id="url")
            yield Input(placeholder="topic (optional: from the feed when empty)", id="topic")
            yield Static("", id="add-feed-problem", classes="problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Add", variant="primary", id="add")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#url", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "url":
            self.query_one("#topic", Input).focus()
        else:
            self._add()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add":
            self._add()
        else:
            self.dismiss(None)

    def _add(self) -> None:
        url = self.query_one("#url", Input).value.strip()
        if not url:
            self.query_one("#add-feed-problem", Static).update("Type the feed's address first.")
            self.query_one("#url", Input).focus()
            return
        self.dismiss(NewFeed(url, self.query_one("#topic", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
