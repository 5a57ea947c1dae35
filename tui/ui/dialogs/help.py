"""Help: every key binding (with its id, for ``[keys]`` in config.toml), the mouse, the
search's query language, and what the reader's ``verified=`` and ``sentiment=`` mean.

The rows come from :func:`tui.ui.keys.key_rows`, which knows every binding and the
``[keys]`` remaps; this dialog only shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

MOUSE_HELP = (
    "Mouse: click a story to select it, click it again (or double-click) to open it; "
    "click a topic heading to fold it; click breadcrumb parts (home, topics, the topic) "
    "to change the view; the wheel scrolls. ctrl+p opens the command palette with every action."
)

VERIFIED_HELP = (
    "verified= on the reader's meta line: true when the story's page was fetched from the "
    "same site as its feed (the same registrable domain, and https if the feed is https) "
    "and its title matches the feed's; false when the link leads to another site or the "
    "page contradicts the feed; ? when not checked yet (pages are checked when read in "
    "full: F, or opening a short story)."
)
SENTIMENT_HELP = (
    "sentiment= is the story's tone, positive, neutral or negative, worked out offline by "
    "a lexicon model (VADER) over the title and the text; computed once and stored. "
    "s filters the list by it: positive, neutral, negative, then all again."
)

SEARCH_HELP = (
    '/ searches with words and filters: rust "async io" pref* a OR b NOT c title:word; '
    'feed:lwn feed:"Hacker News" topic:science site:example.org author:ada '
    "is:unread|read|bookmarked|hidden tone:positive|neutral|negative verified:true|false "
    "age:<7d age:>1y (h d w m y); a leading - negates a filter. "
    "Example: rust -is:read feed:lwn age:<1w. ctrl+s in the search saves it as a view; "
    "X on a story makes a rule (mute, highlight)."
)


@dataclass(frozen=True, slots=True)
class KeyRow:
    """One line of the help's table: a binding's keys as shown, its id, what it does, where."""

    keys: str
    binding_id: str
    description: str
    where: str


class HelpScreen(ModalScreen[None]):
    """A table of keys; Esc, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help_close")
    ]

    def __init__(self, rows: list[KeyRow]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static(
                "newsterm keys — remap any of them by id under [keys] in config.toml",
                classes="dialog-title",
                markup=False,
            )
            table: DataTable[Text] = DataTable(id="keys", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static(MOUSE_HELP, classes="help-mouse", markup=False)
            yield Static(SEARCH_HELP, classes="help-mouse", markup=False)
            yield Static(VERIFIED_HELP, classes="help-mouse", markup=False)
            yield Static(SENTIMENT_HELP, classes="help-mouse", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#keys", DataTable)
        table.add_columns("key", "action", "id", "where")
        for row in self.rows:
            table.add_row(
                Text(row.keys), Text(row.description), Text(row.binding_id), Text(row.where)
            )
        table.focus()
