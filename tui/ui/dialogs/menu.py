"""A short menu in a modal dialog: a title, a line of context, and choices to pick one of.

The context (a story's title, a feed's name) is untrusted text, shown only as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class MenuScreen(ModalScreen[str | None]):
    """Dismisses with the chosen choice's id, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="menu_cancel")
    ]

    def __init__(self, title: str, context: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.context = context
        self.choices = list(choices)  # (id, label)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog menu"):
            yield Static(Content(self.title_text), classes="dialog-title", markup=False)
            yield Static(Content(self.context), classes="hint", markup=False)
            yield OptionList(
                *(Option(Content(label), id=choice) for choice, label in self.choices),
                id="menu-choices",
            )

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.highlighted = 0
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
