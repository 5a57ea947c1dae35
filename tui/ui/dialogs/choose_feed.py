"""The "which feed?" dialog, shown when a site's address leads to several feeds.

It only asks; the add-feed flow (:mod:`tui.ui.add_feed_flow`) subscribes to the answer in
a worker. Titles and addresses come from a web page, so they are shown as plain text
(:class:`~textual.content.Content`), never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from tui.core import FeedLink


class ChooseFeedScreen(ModalScreen[str | None]):
    """Dismisses with the chosen feed's URL, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="choose_feed_cancel")
    ]

    def __init__(self, site: str, links: Sequence[FeedLink]) -> None:
        super().__init__()
        self.site = site
        self.links = list(links)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog choose-feed"):
            yield Static("Which feed?", classes="dialog-title", markup=False)
            yield Static(
                Content(f"{self.site} offers {len(self.links)} feeds."),
                classes="hint",
                markup=False,
            )
            yield OptionList(
                *(Option(Content(link.label), id=str(n)) for n, link in enumerate(self.links)),
                id="feed-choices",
            )

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.highlighted = 0
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.links[event.option_index].url)

    def action_cancel(self) -> None:
        self.dismiss(None)
