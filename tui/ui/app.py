"""The newsterm Textual app: the library's session, refresh, the global keys and dialogs.

The app is lean on purpose. The main screen (:mod:`tui.ui.screens.main`) owns the panes
and the story actions; the app owns what outlives a screen: the open library, settings
and clock (a :class:`~tui.ui.session.Session`), the refresh worker and its timer, the
theme and the keymap, and the dialogs that are not about one story (search, the feed
manager, help). Adding feeds and the first-launch welcome are the app's too, written in
the :class:`~tui.ui.add_feed_flow.AddFeedFlow` mixin to keep this file small.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.theme import Theme

from tui.core import Feed, FeedRefresh, Library, NewstermError, RefreshReport, Settings
from tui.ui.add_feed_flow import AddFeedFlow, open_demo_library
from tui.ui.commands import NewstermCommands
from tui.ui.keys import Scope, binding_scopes, check_keymap, few, settings_problems, theme_problem
from tui.ui.screens.add_feed import AddFeedScreen
from tui.ui.screens.choose_feed import ChooseFeedScreen
from tui.ui.screens.confirm import ConfirmScreen
from tui.ui.screens.feeds import FeedsScreen
from tui.ui.screens.help import HelpScreen, key_rows
from tui.ui.screens.main import MainScreen
from tui.ui.screens.outline import OutlineScreen
from tui.ui.screens.prompt import PromptScreen
from tui.ui.screens.search import SearchScreen
from tui.ui.screens.welcome import WelcomeScreen
from tui.ui.session import ListFilter, Session
from tui.ui.threads import deliver
from tui.ui.widgets.reader_pane import ReaderPane
from tui.ui.widgets.story_list import StoryList

THEME_KEY = "ui.theme"  # app_state: the theme last chosen in the app
THEME_CONFIG_KEY = "ui.theme.config"  # app_state: settings.ui.theme when it was chosen
#: The daily backup is looked at this long after start (and after each refresh): not at
#: start-up itself, which it would slow.
BACKUP_AFTER_SECONDS = 120

_ALWAYS_ALLOWED = {"command_palette", "quit"}


class NewstermApp(AddFeedFlow, App[None]):
    """A terminal news-feed reader over one library."""

    CSS_PATH = "app.tcss"
    TITLE = "newsterm"
    COMMANDS = App.COMMANDS | {NewstermCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("R", "refresh_all", "Refresh all", id="refresh_all"),
        Binding("a", "add_feed", "Add feed", show=False, id="add_feed"),
        Binding("f", "manage_feeds", "Feeds", id="manage_feeds"),
        Binding("slash", "search", "Search", id="search"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding(
            "ctrl+p", "command_palette", "Commands", show=False, priority=True, id="command_palette"
        ),
    ]

    def __init__(
        self,
        library: Library,
        settings: Settings | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.session = Session(library, settings or library.settings, now, demo)
        self.main = MainScreen(self.session)
        self.last_report: RefreshReport | None = None
        self._refreshing = False
        self._refresh_task: tuple[asyncio.AbstractEventLoop, asyncio.Task[object] | None] | None = (
            None
        )
        self._owned: list[Library] = []  # libraries the app opened itself (the demo)
        self._temp_dirs: list[tempfile.TemporaryDirectory[str]] = []
        self._keymap: dict[str, str] = {}  # [keys] as applied: the entries not refused
        # The remembered theme is read here, before the app runs: one small read that
        # would otherwise be I/O on the event loop, or a visible theme switch after start.
        self._start_theme = self._theme_to_use()
        _start_resource_tracker()

    # -- start and stop ------------------------------------------------------------------

    async def on_mount(self) -> None:
        self._apply_theme(self._start_theme)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._apply_keymap()
        await self.push_screen(self.main)
        # Everything built so far lives as long as the app: keep it out of the garbage
        # collector's full passes, which took 20-45 ms every second or two of scrolling.
        gc.freeze()
        self._update_mode()
        minutes = self.session.settings.refresh.auto_minutes
        if minutes and not self.session.demo:
            self.set_interval(minutes * 60, self._timed_refresh, name="auto-refresh")
        if not self.session.demo:
            self.set_timer(BACKUP_AFTER_SECONDS, self._back_up, name="backup")
        self._check_library()

    def on_unmount(self) -> None:
        gc.unfreeze()
        self.main.pages.stop()  # cancels page fetches in flight: quitting never waits on one
        if self._refresh_task is not None:
            loop, task = self._refresh_task
            if task is not None:
                with contextlib.suppress(RuntimeError):  # that loop has already finished
                    loop.call_soon_threadsafe(task.cancel)
        for library in self._owned:
            library.close()
        for directory in self._temp_dirs:
            directory.cleanup()

    @work(thread=True, group="startup")
    def _check_library(self) -> None:
        """Welcome an empty library; refresh on start when feeds are due."""
        library = self.session.library
        auto = self.session.settings.refresh.auto_minutes and not self.session.demo
        note = library.read_only_note
        if note:  # said once; nothing is refreshed into a library that cannot store it
            deliver(self, self.notify, note, severity="warning", markup=False, timeout=20)
            auto = False
        try:
            stories = library.counts()[0]
            # feeds() is the slower call: only made when its answer matters.
            feeds = library.feeds() if auto or not stories else []
        except NewstermError as error:
            deliver(self, self.notify, str(error), severity="error", markup=False)
            return
        if not feeds and not stories:
            deliver(self, self._welcome)
        elif self._due(feeds):
            deliver(self, self.refresh_feeds, None)

    def _due(self, feeds: Sequence[Feed]) -> bool:
        minutes = self.session.settings.refresh.auto_minutes
        if not minutes or self.session.demo:
            return False
        stale = self.session.now() - timedelta(minutes=minutes)
        return any(feed.last_fetched is None or feed.last_fetched < stale for feed in feeds)

    # -- theme and keys ------------------------------------------------------------------

    def _theme_to_use(self) -> str:
        configured = self.session.settings.ui.theme
        try:
            chosen = self.session.library.get_state(THEME_KEY)
            chosen_under = self.session.library.get_state(THEME_CONFIG_KEY)
        except NewstermError:
            return configured
        # A theme picked in the app wins until config.toml names a different one.
        return chosen if chosen and chosen_under == configured else configured

    def _apply_theme(self, name: str) -> None:
        if name in self.available_themes:
            self.theme = name
            return
        settings = self.session.settings
        if name == settings.ui.theme:
            problem = theme_problem(name, self.available_themes, self.theme, settings.source)
        else:  # the theme last chosen in the app, gone with an older Textual
            problem = f"The theme last chosen, {name}, is gone; using {self.theme}."
        if problem:
            self.notify(problem, severity="warning", markup=False, timeout=20)

    def _theme_changed(self, theme: Theme) -> None:
        self._remember_theme(theme.name)

    @work(thread=True, group="state")
    def _remember_theme(self, name: str) -> None:
        try:
            self.session.library.set_state(THEME_KEY, name)
            self.session.library.set_state(THEME_CONFIG_KEY, self.session.settings.ui.theme)
        except NewstermError as error:
            deliver(self, self.notify, str(error), severity="warning", markup=False)

    @classmethod
    def binding_owners(cls) -> list[tuple[str, type[DOMNode]]]:
        """Where key bindings live, for the help screen and keymap checks."""
        return [
            ("everywhere", NewstermApp),
            ("main screen", MainScreen),
            ("story list", StoryList),
            ("reader", ReaderPane),
            ("search", SearchScreen),
            ("feed manager", FeedsScreen),
            ("outline", OutlineScreen),
            ("yes/no question", ConfirmScreen),
            ("add a feed", AddFeedScreen),
            ("choose a feed", ChooseFeedScreen),
            ("text question", PromptScreen),
            ("help", HelpScreen),
            ("welcome", WelcomeScreen),
        ]

    @classmethod
    def binding_scopes(cls) -> list[Scope]:
        """Bindings that act at once: a key may do one thing in each (:mod:`tui.ui.keys`)."""
        return binding_scopes(cls, cls.binding_owners())

    def _apply_keymap(self) -> None:
        # Refused entries keep their default keys: a typo in [keys] should not lock anyone
        # out of their news, and the notification says which entry and why.
        settings = self.session.settings
        check = check_keymap(type(self), self.binding_scopes(), settings.keys, settings.source)
        self._keymap = check.keymap
        for notice in few(check.problems):
            self.notify(notice, severity="warning", markup=False, timeout=20)
        self.set_keymap(check.keymap)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The app's keys act on the main screen; over a dialog they would act behind it.
        return action in _ALWAYS_ALLOWED or self.screen is self.main

    # -- refresh -------------------------------------------------------------------------

    def _update_mode(self) -> None:
        minutes = self.session.settings.refresh.auto_minutes
        mode = "LIVE" if minutes and not self.session.demo else "PAUSED"
        if self.last_report is not None and self.last_report.offline:
            mode = "OFFLINE"
        if self.session.library.read_only:
            mode = "READ-ONLY"
        self.main.status.mode = mode

    def _timed_refresh(self) -> None:
        if not self.session.library.read_only:  # it could store nothing
            self.refresh_feeds(None)

    def action_refresh_all(self) -> None:
        self.refresh_feeds(None)

    @on(MainScreen.RefreshRequested)
    def _refresh_requested(self, event: MainScreen.RefreshRequested) -> None:
        self.refresh_feeds(event.feed_ids)

    @on(FeedsScreen.RefreshRequested)
    def _feed_refresh_requested(self, event: FeedsScreen.RefreshRequested) -> None:
        self.refresh_feeds([event.feed_id])

    def refresh_feeds(self, feed_ids: Sequence[int] | None) -> None:
        """Fetch feeds (all that are due, or these) in the background; the list updates."""
        if self._refreshing:
            self.notify("A refresh is already running.", markup=False)
            return
        self._refreshing = True
        self.main.status.progress = (0, len(feed_ids) if feed_ids else 0)
        self._run_refresh(list(feed_ids) if feed_ids is not None else None)

    @work(thread=True, group="refresh")
    def _run_refresh(self, feed_ids: list[int] | None) -> None:
        # The refresh runs its own event loop in this thread, not on the app's: hundreds
        # of HTTP exchanges on the app's loop left it too busy to draw a key press in time
        # (p95 73 ms during a refresh, measured by bench/startup.py).
        last_update = 0.0

        def progress(done: int, total: int, _result: FeedRefresh) -> None:
            nonlocal last_update
            now = time.monotonic()
            # About ten updates a second are plenty to watch, and each one redraws.
            if done == total or now - last_update >= 0.1:
                last_update = now
                deliver(self, self._show_progress, (done, total))

        async def refresh() -> RefreshReport:
            # Kept so that quitting can cancel it: the app waits for its worker threads
            # on exit, and a slow feed could otherwise hold that up to its deadline.
            self._refresh_task = (asyncio.get_running_loop(), asyncio.current_task())
            return await self.session.library.refresh(feed_ids, progress=progress)

        report: RefreshReport | None = None
        problem = ""
        try:
            report = asyncio.run(refresh())
        except asyncio.CancelledError:
            return  # the app is closing
        except NewstermError as error:
            problem = str(error)
        except Exception as error:  # a refresh must never take the app down
            problem = f"The refresh failed: {error}. Stories already here are still readable."
        deliver(self, self._refresh_finished, report, problem)

    @work(thread=True, exclusive=True, group="backup")
    def _back_up(self) -> None:
        """The library's daily backup, when one is due (see ``Library.back_up_if_due``):
        after a refresh, and a while after start; quitting cancels one being made."""
        try:
            self.session.library.back_up_if_due()
        except NewstermError as error:
            deliver(self, self.notify, str(error), severity="error", markup=False, timeout=20)

    def _show_progress(self, progress: tuple[int, int] | None) -> None:
        self.main.status.progress = progress

    def _refresh_finished(self, report: RefreshReport | None, problem: str) -> None:
        self._refreshing = False
        self.main.status.progress = None
        if report is None:
            self.notify(problem, severity="error", markup=False, timeout=10)
            return
        self.last_report = report
        self._update_mode()
        self._report(report)
        if not report.offline:
            self.main.pages.resume()  # prefetching waits for this after a network error
        if report.new_stories:
            self.main.label_new_stories()
        self._back_up()
        self.main.reload()
        for screen in self.screen_stack:
            if isinstance(screen, FeedsScreen):
                screen.reload()

    def _report(self, report: RefreshReport) -> None:
        failed = report.failed
        summary = f"{report.new_stories} new stories"
        if failed:
            summary += f", {len(failed)} feeds failed (f shows why)"
        if report.offline:
            summary = "Offline: no feed could be reached. Stories already here are still readable."
        self.notify(summary, severity="warning" if failed else "information", markup=False)
        # A fault of the library's own (a full disk): no feed is to blame, so it comes first.
        for problem in report.problems:
            self.notify(problem, severity="error", markup=False, timeout=20)
        for note in report.notes:
            self.notify(note, severity="warning", markup=False, timeout=10)
        # Offline, every feed failed the same way: one notification says it all.
        for feed in () if report.offline else failed[:3]:
            self.notify(
                f"{feed.title or feed.url}: {feed.error}", severity="error", markup=False, timeout=8
            )

    # -- dialogs -------------------------------------------------------------------------

    def action_help(self) -> None:
        rows = key_rows(self.binding_owners(), self._keymap, self._key_display)
        self.push_screen(HelpScreen(rows))

    def _key_display(self, key: str) -> str:
        return self.get_key_display(Binding(key, ""))

    def action_search(self) -> None:
        def chosen(story_id: int | None) -> None:
            if story_id is not None:
                self.main.stories.move_to_story(story_id)
                self.main.open_story(story_id)

        self.push_screen(SearchScreen(self.session), chosen)

    def action_manage_feeds(self) -> None:
        self.push_screen(FeedsScreen(self.session))

    @on(FeedsScreen.Changed)
    def _feeds_changed(self) -> None:
        self.main.reload()

    def show_topic(self, slug: str, name: str) -> None:
        """Show one topic's stories (the command palette's "View topic")."""
        self.main.set_filter(ListFilter("topic", slug, name))


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker now, before Textual captures output.

    The refresh parses feeds in a process pool, whose first use starts the tracker, which
    hands its child ``sys.stderr.fileno()``. While the app runs, ``sys.stderr`` is Textual's
    capture object and its ``fileno()`` is -1, so starting the tracker then fails with
    "bad value(s) in fds_to_keep" and the first refresh with it.
    """
    if sys.platform == "win32":
        return  # no resource tracker (and no forkserver) there
    try:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    except (OSError, ValueError):
        pass  # the refresh reports its own failure if the pool cannot start


def ui_settings_problems(settings: Settings) -> list[str]:
    """What the app would refuse in ``[keys]`` and ``ui.theme``, for `newsterm config`."""
    return settings_problems(NewstermApp, NewstermApp.binding_scopes(), settings)


def run_app(library_path: Path, settings: Settings, *, demo: bool = False) -> int:
    """Open the library (or a demo copy) and run the app until the user quits."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        sys.stderr.write(
            "newsterm: the app needs a terminal; `newsterm --help` lists the commands "
            "that work in scripts and pipes.\n"
        )
        return 2
    temp_dirs: list[tempfile.TemporaryDirectory[str]] = []
    try:
        library = (
            open_demo_library(settings, temp_dirs) if demo else Library(library_path, settings)
        )
        with library:
            NewstermApp(library, settings, demo=demo).run()
    finally:
        for directory in temp_dirs:
            with contextlib.suppress(OSError):
                directory.cleanup()
    return 0
