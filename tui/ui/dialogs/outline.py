"""The outline of the open story: its sections, to jump to one."""

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


class OutlineScreen(ModalScreen[int | None]):
    """Lists "(top)" and every section heading; dismisses with the chosen index (-1 = top)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,t", "close", "Close", id="outline_close"),
    ]

    def __init__(self, headings: Sequence[str], current: int = -1) -> None:
        super().__init__()
        self.headings = list(headings)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog outline"):
            yield Static("Sections — Enter jumps, Esc closes", classes="dialog-title", markup=False)
            options = [Option(Content("(top of the story)"), id="-1")]
            options += [
                Option(Content(heading), id=str(index))
                for index, heading in enumerate(self.headings)
            ]
            yield OptionList(*options, id="sections", markup=False)

    def on_mount(self) -> None:
        sections = self.query_one("#sections", OptionList)
        sections.highlighted = self.current + 1
        sections.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or "-1"))

    def action_close(self) -> None:
        self.dismiss(None)
