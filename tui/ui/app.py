"""The newsterm Textual app: the library's session, refresh, the global keys and dialogs.

The app is lean on purpose. The main screen (:mod:`tui.ui.screens.main`) owns the panes
and the story actions; the app owns what outlives a screen: the open library, settings
and clock (a :class:`~tui.ui.session.Session`), refreshing and its timer (run by a
:class:`~tui.ui.background.refresh.Refresher`), the theme and the keymap (checked in
:mod:`tui.ui.keys`), the first-launch welcome, and the dialogs that are not about one
story (search, the feed manager, help, and adding a feed, which an
:class:`~tui.ui.add_feed_flow.AddFeedFlow` follows through).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.theme import Theme

from tui.core import Feed, Library, NewstermError, RefreshReport, Settings
from tui.ui import keys
from tui.ui.add_feed_flow import AddFeedFlow
from tui.ui.background.refresh import Refresher
from tui.ui.background.threads import deliver
from tui.ui.commands import NewstermCommands
from tui.ui.dialogs.feeds import FeedsScreen
from tui.ui.dialogs.help import HelpScreen
from tui.ui.dialogs.search import SearchScreen
from tui.ui.pictures import picture_mode
from tui.ui.screens.main import MainScreen
from tui.ui.screens.main.list_filter import ListFilter
from tui.ui.screens.welcome import WelcomeChoice, WelcomeScreen
from tui.ui.session import Session
from tui.ui.sync_flow import SyncFlow

if TYPE_CHECKING:
    from tui.ui.commands import PaletteHost

THEME_KEY = "ui.theme"  # app_state: the theme last chosen in the app
THEME_CONFIG_KEY = "ui.theme.config"  # app_state: settings.ui.theme when it was chosen
#: The daily backup is looked at this long after start (and after each refresh): not at
#: start-up itself, which it would slow.
BACKUP_AFTER_SECONDS = 120

_ALWAYS_ALLOWED = {"command_palette", "quit"}


class NewstermApp(App[None]):
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
        pictures: str = "off",
    ) -> None:
        super().__init__()
        self.session = Session(library, settings or library.settings, now, demo, pictures)
        self.main = MainScreen(self.session)
        self.add_feed_flow = AddFeedFlow(self, self.session, self.refresh_feeds)
        self.sync_flow = SyncFlow(
            self, self.session, status=lambda: self.main.status, reload=self._synced
        )
        self.refresher = Refresher(
            self,
            self.session,
            on_progress=self._show_progress,
            on_finished=self._refresh_finished,
            on_synced=self.sync_flow.finished,
        )
        self.last_report: RefreshReport | None = None
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

    async def on_unmount(self) -> None:
        gc.unfreeze()
        self.main.pages.stop()  # cancels page fetches in flight: quitting never waits on one
        # The pictures' connections live on this loop; a server that will not say goodbye
        # does not hold up quitting.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1):
                await self.session.library.close_pictures()
        # Downloads still running stop as interrupted, their partial files kept to resume.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2):
                await self.session.library.close_downloads()
        self.refresher.cancel()
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
            accounts = [] if self.session.demo else library.accounts()
            queued = library.sync_queued() if accounts else 0
        except NewstermError as error:
            deliver(self, self.notify, str(error), severity="error", markup=False)
            return
        deliver(self, self.sync_flow.show, len(accounts), queued)
        if not feeds and not stories and not accounts:
            deliver(self, self._welcome)
        elif self._due(feeds):
            deliver(self, self.refresh_feeds, None)  # the accounts sync after it
        elif accounts and not library.read_only:
            # Marks made elsewhere since the last run, and marks queued here offline.
            deliver(self, self.sync_flow.start)

    def _due(self, feeds: Sequence[Feed]) -> bool:
        minutes = self.session.settings.refresh.auto_minutes
        if not minutes or self.session.demo:
            return False
        stale = self.session.now() - timedelta(minutes=minutes)
        # A paused feed's last fetch never moves: it must not make every start refresh.
        return any(
            not feed.paused and (feed.last_fetched is None or feed.last_fetched < stale)
            for feed in feeds
        )

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
            problem = keys.theme_problem(name, self.available_themes, self.theme, settings.source)
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
    def binding_owners(cls) -> list[keys.Owner]:
        """Where key bindings live, for the help screen and keymap checks."""
        return keys.binding_owners(cls)

    @classmethod
    def binding_scopes(cls) -> list[keys.Scope]:
        """Bindings that act at once: a key may do one thing in each (:mod:`tui.ui.keys`)."""
        return keys.binding_scopes(cls, cls.binding_owners())

    def _apply_keymap(self) -> None:
        # Refused entries keep their default keys: a typo in [keys] should not lock anyone
        # out of their news, and the notification says which entry and why.
        settings = self.session.settings
        check = keys.check_keymap(type(self), self.binding_scopes(), settings.keys, settings.source)
        self._keymap = check.keymap
        for notice in keys.few(check.problems):
            self.notify(notice, severity="warning", markup=False, timeout=20)
        self.set_keymap(check.keymap)
        commands = keys.check_command_keys(
            type(self), self.binding_scopes(), check.keymap, settings.commands, settings.source
        )
        for notice in keys.few(commands.problems, where="[[commands]]"):
            self.notify(notice, severity="warning", markup=False, timeout=20)
        self.main.user_commands.bind(commands.keys)

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

    def _synced(self) -> None:
        """A sync brought stories or marks: the list again, and labels for the new."""
        self.main.reload()
        self.main.label_new_stories()

    @on(MainScreen.SyncWanted)
    def _sync_wanted(self) -> None:
        if not self.session.demo and not self.session.library.read_only:
            self.sync_flow.soon()

    @on(FeedsScreen.RefreshRequested)
    def _feed_refresh_requested(self, event: FeedsScreen.RefreshRequested) -> None:
        self.refresh_feeds([event.feed_id])

    def refresh_feeds(self, feed_ids: Sequence[int] | None) -> None:
        """Fetch feeds (all that are due, or these) in the background; the list updates."""
        if not self.refresher.start(list(feed_ids) if feed_ids is not None else None):
            self.notify("A refresh is already running.", markup=False)
            return
        # Progress comes back through the event loop, so it can only follow this.
        self.main.status.progress = (0, len(feed_ids) if feed_ids else 0)

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
        rows = keys.key_rows(self.binding_owners(), self._keymap, self._key_display)
        rows += self.main.user_commands.help_rows(self._key_display)
        self.push_screen(HelpScreen(rows))

    def _key_display(self, key: str) -> str:
        return self.get_key_display(Binding(key, ""))

    def action_search(self) -> None:
        def chosen(story_id: int | None) -> None:
            if story_id is not None:
                self.main.loader.show(story_id)
                self.main.open_story(story_id)

        self.push_screen(
            SearchScreen(self.session, save_view=self.main.rule_actions.save_view), chosen
        )

    def action_manage_feeds(self) -> None:
        self.push_screen(FeedsScreen(self.session))

    @on(FeedsScreen.Changed)
    def _feeds_changed(self) -> None:
        self.main.reload()
        self._sync_wanted()  # a synced feed's change goes to its server

    def action_add_feed(self) -> None:
        self.add_feed_flow.start()

    def action_connect_account(self) -> None:
        self.sync_flow.connect()

    def action_sync(self) -> None:
        if self.session.demo:
            self.notify("The demo library has no sync account.", markup=False)
            return
        self.sync_flow.start()

    def show_topic(self, slug: str, name: str) -> None:
        """Show one topic's stories (the command palette's "View topic")."""
        self.main.set_filter(ListFilter("topic", slug, name))

    # -- first launch --------------------------------------------------------------------

    def _welcome(self) -> None:
        self.push_screen(WelcomeScreen(), self._welcomed)

    def _welcomed(self, choice: WelcomeChoice | None) -> None:
        if choice == "quit" or choice is None:
            self.exit()
        elif choice == "add":
            self.action_add_feed()
        elif choice == "sync":
            self.sync_flow.connect()
        else:
            self._start_with(choice)

    @work(thread=True, group="subscribe")
    def _start_with(self, choice: str) -> None:
        from tui.core import starter_opml_path

        try:
            if choice == "demo":
                library = open_demo_library(self.session.settings, self._temp_dirs)
                deliver(self, self._switch_library, library)
                return
            report = self.session.library.import_subscriptions(starter_opml_path())
        except (NewstermError, OSError) as error:
            deliver(self, self.notify, str(error), severity="error", markup=False)
            return
        deliver(
            self, self.notify, f"Starter set: {report.summary}. Fetching them now.", markup=False
        )
        deliver(self, self.refresh_feeds, None)

    def _switch_library(self, library: Library) -> None:
        self._owned.append(library)
        self.session.library = library
        self.session.demo = True
        self._update_mode()
        self.main.reload()
        self.notify("This is the demo library: a throwaway copy, gone when you quit.", markup=False)


if TYPE_CHECKING:
    _palette_host: type[PaletteHost] = NewstermApp  # the app is what the palette expects


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
    return keys.settings_problems(NewstermApp, NewstermApp.binding_scopes(), settings)


def open_demo_library(
    settings: Settings,
    temp_dirs: list[tempfile.TemporaryDirectory[str]],
    downloads_dir: Path | None = None,
) -> Library:
    """Build a throwaway copy of the bundled demo library in a new temporary directory."""
    from tui.core import build_demo_library

    directory = tempfile.TemporaryDirectory(prefix="newsterm-demo-")
    temp_dirs.append(directory)
    path = Path(directory.name) / "demo.db"
    build_demo_library(path)
    return Library(path, settings, downloads_dir=downloads_dir)


def run_app(
    library_path: Path,
    settings: Settings,
    *,
    demo: bool = False,
    cache_dir: Path | None = None,
    downloads_dir: Path | None = None,
) -> int:
    """Open the library (or a demo copy) and run the app until the user quits. The demo
    keeps its cache beside it (the pictures it comes with); downloads go to the user's
    folder either way."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        sys.stderr.write(
            "newsterm: the app needs a terminal; `newsterm --help` lists the commands "
            "that work in scripts and pipes.\n"
        )
        return 2
    temp_dirs: list[tempfile.TemporaryDirectory[str]] = []
    # Asked before the app starts: once Textual runs, it reads the terminal's answers.
    pictures = picture_mode(settings.ui.images)
    try:
        library = (
            open_demo_library(settings, temp_dirs, downloads_dir)
            if demo
            else Library(library_path, settings, cache_dir=cache_dir, downloads_dir=downloads_dir)
        )
        with library:
            NewstermApp(library, settings, demo=demo, pictures=pictures).run()
    finally:
        for directory in temp_dirs:
            with contextlib.suppress(OSError):
                directory.cleanup()
    return 0
