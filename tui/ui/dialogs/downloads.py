"""The downloads view (``D``): past and running enclosure downloads, newest first.

Each row: the state, how much has arrived (a bar and a share while running), the size,
the story's title and the file. ``c`` cancels the highlighted download, running or
interrupted (its partial file is removed), ``r`` resumes an interrupted one from where it
stopped. Running downloads
move live: the download manager tells the screen of their progress a few times a second.
Titles, file names and errors are untrusted text and enter the table as
``rich.text.Text`` (a plain ``str`` cell would be read as markup by ``DataTable``).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tui.core import (
    DownloadRecord,
    Downloads,
    DownloadState,
    NewstermError,
    clean_line,
    file_size,
)
from tui.ui.background.threads import deliver
from tui.ui.session import Session

_BAR_CELLS = 10
_STATE_STYLE = {
    DownloadState.RUNNING: "cyan",
    DownloadState.DONE: "green",
    DownloadState.FAILED: "red",
    DownloadState.CANCELLED: "",
    DownloadState.INTERRUPTED: "yellow",
}
_COLUMNS = ("state", "progress", "size", "story", "file")


def size_text(count: int | None) -> str:
    """``812 KB``, ``45 MB``, ``1.2 GB`` (as the reader lists enclosures); ``?`` when
    unknown."""
    return "?" if count is None else file_size(max(count, 0))


def progress_text(record: DownloadRecord) -> str:
    """``████░░░░░░  41%`` while the size is known, else how much has arrived."""
    if record.state is DownloadState.DONE:
        return "done"
    if not record.total:
        return size_text(record.received) if record.received else ""
    share = min(1.0, record.received / record.total)
    filled = int(_BAR_CELLS * share)
    return "█" * filled + "░" * (_BAR_CELLS - filled) + f" {share:4.0%}"


def _cells(record: DownloadRecord) -> tuple[Text, ...]:
    state = record.state.value
    if record.error and record.state is not DownloadState.DONE:
        state += f": {clean_line(record.error)}"
    return (
        Text(state, style=_STATE_STYLE[record.state]),
        Text(progress_text(record)),
        Text(size_text(record.total if record.total is not None else None)),
        Text(clean_line(record.title) or "(untitled)"),
        Text(record.path.name),
    )


class DownloadsScreen(ModalScreen[None]):
    """The table of downloads, following the running ones."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,D", "close", "Close", id="downloads_close"),
        Binding("c", "cancel_download", "Cancel", id="downloads_cancel"),
        Binding("r", "resume_download", "Resume", id="downloads_resume"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.records: dict[int, DownloadRecord] = {}
        self._downloads: Downloads | None = None  # once listed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog downloads"):
            yield Static("Downloads", classes="dialog-title", markup=False)
            yield Static(
                "c cancel · r resume · Esc close", classes="hint", id="downloads-hint", markup=False
            )
            table: DataTable[Text] = DataTable(id="downloads-table", cursor_type="row")
            for column in _COLUMNS:
                table.add_column(column, key=column)
            yield table
            yield Static("", id="downloads-folder", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._load()

    @work(thread=True, group="downloads", exclusive=True)
    def _load(self) -> None:
        try:
            downloads = self.session.library.downloads
            records = downloads.listing()
        except NewstermError as error:
            deliver(self, self.notify, str(error), severity="error", markup=False)
            return
        deliver(self, self._show, downloads, records)

    def _show(self, downloads: Downloads, records: list[DownloadRecord]) -> None:
        # Made (it reads the library) in the thread above: from here on, kept at hand.
        self._downloads = downloads
        table: DataTable[Text] = self.query_one(DataTable)
        self.query_one("#downloads-folder", Static).update(f"Saved into {downloads.directory}")
        table.clear()
        self.records = {}
        for record in records:
            self.records[record.id] = record
            table.add_row(*_cells(record), key=str(record.id))
        if not records:
            self.query_one("#downloads-hint", Static).update(
                "No downloads yet: d on a story with a podcast episode or video saves it."
            )

    def changed(self, record: DownloadRecord) -> None:
        """A download started, moved or ended: its row follows."""
        table: DataTable[Text] = self.query_one(DataTable)
        known = record.id in self.records
        self.records[record.id] = record
        if not known:
            self._load()  # a new one: read the list again, newest first
            return
        for column, cell in zip(_COLUMNS, _cells(record), strict=True):
            table.update_cell(str(record.id), column, cell)

    def _highlighted(self) -> DownloadRecord | None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not self.records or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return self.records.get(int(key)) if key is not None else None

    async def action_cancel_download(self) -> None:
        """Cancel a running download, or give up an interrupted one: either way its
        partial file goes."""
        record = self._highlighted()
        downloads = self._downloads
        if downloads is None:
            return  # not listed yet: nothing highlighted either
        if record is not None and record.state is DownloadState.RUNNING:
            cancelled = downloads.cancel(record.id)
        elif record is not None and record.resumable:
            cancelled = await downloads.discard(record.id)
            if cancelled:
                self._load()  # not running: no progress will tell the row
        else:
            self.notify("Only a running or interrupted download can be cancelled.", markup=False)
            return
        if cancelled:
            self.notify(f"Cancelled: {clean_line(record.title)}", markup=False)

    async def action_resume_download(self) -> None:
        record = self._highlighted()
        if self._downloads is None:
            return  # not listed yet: nothing highlighted either
        if record is None or not record.resumable:
            self.notify("Only an interrupted download can be resumed.", markup=False)
            return
        try:
            await self._downloads.resume(record.id)
        except NewstermError as error:
            self.notify(str(error), severity="error", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
