"""The feed manager: every subscription with its state, its settings and last error.

``d`` removes the highlighted feed (after asking), ``t`` moves it to another topic, ``n``
renames it, ``e`` sets how often it is fetched, ``F`` cycles reader mode's full text
(auto, always, never), ``p`` pauses or resumes it, ``r`` refreshes it now. Library calls
run in thread workers; feed titles and errors are untrusted text and go into the table as
``rich.text.Text`` (a plain ``str`` cell would be read as markup by ``DataTable``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tui.core import Feed, FeedStatus, FullText, NewstermError, interval_label, parse_interval
from tui.ui.background.threads import deliver
from tui.ui.dialogs.confirm import ConfirmScreen
from tui.ui.dialogs.prompt import PromptScreen
from tui.ui.session import Session

_STATUS_STYLE = {
    FeedStatus.OK: "green",
    FeedStatus.ERROR: "red",
    FeedStatus.WAITING: "yellow",
    FeedStatus.GONE: "red",
    FeedStatus.NEW: "",
}


def status_text(feed: Feed) -> str:
    """``ok``, ``error until 2026-11-25 23:20``, ..."""
    state = feed.status.value
    if feed.next_retry and feed.status in (FeedStatus.ERROR, FeedStatus.WAITING):
        state += f" until {feed.next_retry:%Y-%m-%d %H:%M}"
    if feed.account is not None:
        state += f" · synced ({feed.account})"
    return state


def settings_text(feed: Feed) -> str:
    """``every 6h · full text always · paused``: the settings that are not the defaults."""
    parts = []
    if feed.every_minutes:
        parts.append(f"every {interval_label(feed.every_minutes)}")
    if feed.full_text is not FullText.AUTO:
        parts.append(f"full text {feed.full_text.value}")
    if feed.paused:
        parts.append("paused")
    return " · ".join(parts)


#: ``F`` goes round these.
_NEXT_FULL_TEXT = {
    FullText.AUTO: FullText.ALWAYS,
    FullText.ALWAYS: FullText.NEVER,
    FullText.NEVER: FullText.AUTO,
}
_FULL_TEXT_SAID = {
    FullText.AUTO: "its stories are read from their web pages when the feed's text is short",
    FullText.ALWAYS: "its stories are always read from their web pages",
    FullText.NEVER: "its stories' web pages are fetched only when you press F",
}


class FeedsScreen(ModalScreen[None]):
    """The table of feeds; posts messages up when subscriptions change."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f", "close", "Close", id="feeds_close"),
        Binding("d,delete", "remove", "Remove", id="feeds_remove"),
        Binding("t", "retopic", "Topic", id="feeds_topic"),
        Binding("n", "rename", "Rename", id="feeds_rename"),
        Binding("e", "every", "Every", id="feeds_every"),
        Binding("F", "full_text", "Full text", id="feeds_full_text"),
        Binding("p", "pause", "Pause/resume", id="feeds_pause"),
        Binding("r", "refresh", "Refresh", id="feeds_refresh"),
        Binding("s", "attach", "Sync on account", id="feeds_attach"),
    ]

    class Changed(Message):
        """Feeds were removed or moved: the story list needs reloading."""

    class RefreshRequested(Message):
        """Refresh this feed now."""

        def __init__(self, feed_id: int) -> None:
            super().__init__()
            self.feed_id = feed_id

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.feeds: list[Feed] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog feeds"):
            yield Static(
                "Feeds — d remove · t topic · n rename · e every · F full text · p pause · "
                "r refresh · Esc close",
                classes="dialog-title",
                markup=False,
            )
            table: DataTable[Text] = DataTable(id="feed-table", cursor_type="row")
            yield table
            yield Static("", id="feed-error", classes="problem", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#feed-table", DataTable)
        table.add_columns("id", "feed", "topic", "status", "settings", "unread", "last error")
        table.focus()
        self.reload()

    # -- loading -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="feeds")
    def reload(self) -> None:
        """Read the feeds again (after a refresh, a removal, a new topic)."""
        try:
            feeds = self.session.library.feeds()
        except NewstermError as error:
            deliver(self, self._problem, str(error))
            return
        deliver(self, self._show, feeds)

    def _show(self, feeds: list[Feed]) -> None:
        if not self.is_attached:
            return
        current = self.current
        table = self.query_one("#feed-table", DataTable)
        row = table.cursor_row
        if current is not None:  # stay on the same feed, wherever its new topic sorts it
            row = next((i for i, feed in enumerate(feeds) if feed.id == current.id), row)
        self.feeds = feeds
        table.clear()
        for feed in feeds:
            table.add_row(
                Text(str(feed.id)),
                Text(feed.title or feed.url),
                Text(feed.topic.name),
                Text(status_text(feed), style=_STATUS_STYLE.get(feed.status, "")),
                Text(settings_text(feed), style="yellow" if feed.paused else ""),
                Text(f"{feed.unread}/{feed.total}"),
                Text(feed.last_error, style="red"),
                key=str(feed.id),
            )
        if feeds:
            table.move_cursor(row=min(row, len(feeds) - 1))
        self._show_error()

    def _problem(self, message: str) -> None:
        if self.is_attached:
            self.notify(message, severity="error", markup=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_error()

    def _show_error(self) -> None:
        """The highlighted feed's URL and last error in full (the table cell is cut short)."""
        feed = self.current
        where = self.query_one("#feed-error", Static)
        if feed is None:
            where.update(Text("No feeds yet: press a to add one."))
            return
        detail = Text(feed.url)
        if feed.last_error:
            detail.append(f"\nlast error: {feed.last_error}", style="red")
        if feed.last_fetched:
            detail.append(f"\nlast fetched: {_when(feed.last_fetched)}", style="dim")
        detail.append(f"\n{_pace(feed, self.session.now())}", style="dim")
        where.update(detail)

    @property
    def current(self) -> Feed | None:
        table = self.query_one("#feed-table", DataTable)
        if not self.feeds or table.cursor_row < 0 or table.cursor_row >= len(self.feeds):
            return None
        return self.feeds[table.cursor_row]

    # -- actions -------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_remove(self) -> None:
        feed = self.current
        if feed is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(feed.id)

        question = f"Unsubscribe from “{feed.title or feed.url}”? Its bookmarked stories are kept."
        if feed.account is not None:
            question += f" The account {feed.account} unsubscribes too."
        self.app.push_screen(ConfirmScreen(question, yes="Remove"), answered)

    @work(thread=True, group="feeds-change")
    def _remove(self, feed_id: int) -> None:
        try:
            removed = self.session.library.remove_feed(feed_id)
        except NewstermError as error:
            deliver(self, self._problem, str(error))
            return
        deliver(self, self._changed, f"Removed {removed.title or removed.url}.")

    def action_retopic(self) -> None:
        feed = self.current
        if feed is None:
            return

        def answered(topic: str | None) -> None:
            if topic:
                self._retopic(feed.id, topic)

        self.app.push_screen(
            PromptScreen(f"Topic for “{feed.title or feed.url}”:", feed.topic.name), answered
        )

    @work(thread=True, group="feeds-change")
    def _retopic(self, feed_id: int, topic: str) -> None:
        try:
            feed = self.session.library.set_feed_topic(feed_id, topic)
        except NewstermError as error:
            deliver(self, self._problem, str(error))
            return
        where = f" (on {feed.account} too)" if feed.account is not None else ""
        deliver(
            self, self._changed, f"{feed.title or feed.url} is now under {feed.topic.name}{where}."
        )

    def action_rename(self) -> None:
        feed = self.current
        if feed is None:
            return

        def answered(title: str | None) -> None:
            if title:
                self._set(feed.id, lambda f: f"Renamed to {f.title}.", title=title)

        self.app.push_screen(PromptScreen(f"Name for “{feed.title}”:", feed.title), answered)

    def action_every(self) -> None:
        """Ask how often to fetch the feed: 30m, 6h, 2d, 1w, or off."""
        feed = self.current
        if feed is None:
            return

        def answered(text: str | None) -> None:
            if text is None:
                return
            try:
                minutes = parse_interval(text)
            except NewstermError as error:
                self._problem(str(error))
                return
            self._set(
                feed.id, lambda f: f"{f.title}: {_pace(f, self.session.now())}.", every=minutes
            )

        current = interval_label(feed.every_minutes) if feed.every_minutes else ""
        self.app.push_screen(
            PromptScreen(
                f"Fetch “{feed.title}” at most every (30m, 6h, 2d, 1w; off: as the feed asks):",
                current,
                placeholder="off",
            ),
            answered,
        )

    def action_full_text(self) -> None:
        feed = self.current
        if feed is not None:
            mode = _NEXT_FULL_TEXT[feed.full_text]
            self._set(
                feed.id,
                lambda f: f"{f.title}: full text {mode.value}; {_FULL_TEXT_SAID[mode]}.",
                full_text=mode.value,
            )

    def action_pause(self) -> None:
        feed = self.current
        if feed is None:
            return
        if feed.paused:
            self._set(feed.id, lambda f: f"{f.title} is fetched again.", paused=False)
        else:
            self._set(feed.id, lambda f: f"{f.title} is paused: p resumes it.", paused=True)

    @work(thread=True, group="feeds-change")
    def _set(self, feed_id: int, said: Callable[[Feed], str], **changes: Any) -> None:
        """Change the feed's settings; ``said`` makes the notification from the feed after."""
        try:
            feed = self.session.library.set_feed_settings(feed_id, **changes)
        except NewstermError as error:
            deliver(self, self._problem, str(error))
            return
        deliver(self, self._changed, said(feed))

    def _changed(self, message: str) -> None:
        self.notify(message, markup=False)
        self.post_message(self.Changed())
        self.reload()

    def action_attach(self) -> None:
        """Put the feed on a sync account (the first, or the one named)."""
        feed = self.current
        if feed is None:
            return
        if feed.account is not None:
            self.notify(f"{feed.title or feed.url} is synced with {feed.account}.", markup=False)
            return
        self._put_on_account(feed.id, None)

    @work(thread=True, group="feeds-change")
    def _put_on_account(self, feed_id: int, account: str | None) -> None:
        library = self.session.library
        try:
            accounts = library.accounts()
            if not accounts:
                deliver(
                    self,
                    self._problem,
                    "There is no sync account yet: the command palette's “Connect a sync "
                    "account” adds one.",
                )
                return
            if account is None and len(accounts) > 1:
                deliver(self, self._ask_account, feed_id, [a.name for a in accounts])
                return
            feed = library.attach_feed(feed_id, account or accounts[0].name)
        except NewstermError as error:
            deliver(self, self._problem, str(error))
            return
        deliver(
            self,
            self._changed,
            f"{feed.title or feed.url} goes to {feed.account} at the next sync.",
        )

    def _ask_account(self, feed_id: int, names: list[str]) -> None:
        def answered(name: str | None) -> None:
            if name:
                self._put_on_account(feed_id, name.strip())

        self.app.push_screen(
            PromptScreen(f"Which account ({', '.join(names)})?", names[0]), answered
        )

    def action_refresh(self) -> None:
        feed = self.current
        if feed is not None:
            self.post_message(self.RefreshRequested(feed.id))


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _pace(feed: Feed, now: datetime) -> str:
    """How often the feed is fetched, and why."""
    if feed.paused:
        return "paused: not fetched until resumed (p)"
    if feed.account is not None:
        return f"fetched with the sync of {feed.account}"
    if feed.every_minutes:
        pace = f"fetched at most every {interval_label(feed.every_minutes)}"
    elif feed.hint_minutes:
        pace = f"fetched at most every {interval_label(feed.hint_minutes)}, as the feed asks"
    else:
        pace = "fetched at every refresh"
    due = feed.next_due
    return pace + (f"; next due {_when(due)}" if due is not None and due > now else "")
