"""A story's media, for the main screen: ``e`` plays an enclosure, ``d`` downloads one,
``D`` shows the downloads, ``E`` opens the episode's transcript or its chapters in the
reader (fetched and read by the library's workers; the story's own text comes back when
the story is opened again).

The player is ``[media] player`` with the enclosure's address as one more argument
(:func:`tui.core.player_argv`: no shell, http(s) only); with ``interactive = true`` it
gets the terminal while the app is suspended, as an interactive command does. A story
with several enclosures asks which one first. Downloads run in the library's download
manager on the event loop (network only: its SQLite writes go to threads); the
downloads dialog follows them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from tui.core import (
    DownloadRecord,
    DownloadState,
    Enclosure,
    NewstermError,
    ReaderView,
    Story,
    clean_line,
    playable,
    player_argv,
    preferred_transcript,
    transcript_view,
)
from tui.ui.background.threads import deliver, thread_worker
from tui.ui.dialogs.downloads import DownloadsScreen, size_text
from tui.ui.dialogs.menu import MenuScreen
from tui.ui.screens.main.parts import MainParts
from tui.ui.screens.main.user_commands import hand_terminal, start_in_background


def describe(enclosure: Enclosure) -> str:
    """One line for a menu: its title (else the file's name) and its kind."""
    name = clean_line(enclosure.title) or clean_line(enclosure.url.rsplit("/", 1)[-1]) or "file"
    return f"{name} ({enclosure.kind})"


class MediaActions:
    """Playing and downloading the enclosures of the story at hand."""

    def __init__(self, node: MainParts, target: Callable[[], int | None]) -> None:
        self.node = node
        self._target = target  # the story an action is about, as the story actions see it
        self._running: dict[int, DownloadRecord] = {}  # downloads running, for the status bar

    # -- choosing ------------------------------------------------------------------------

    def _with_enclosure(self, verb: str, then: Callable[[Story, Enclosure], None]) -> None:
        story_id = self._target()
        if story_id is None:
            self.node.notify("No story is selected.", severity="warning", markup=False)
            return
        self._load(story_id, verb, then)

    @thread_worker(group="media")
    def _load(self, story_id: int, verb: str, then: Callable[[Story, Enclosure], None]) -> None:
        try:
            story = self.node.session.library.story(story_id)
        except NewstermError as error:
            deliver(self.node, self.node.problem, str(error))
            return
        deliver(self.node, self._choose, story, verb, then)

    def _choose(self, story: Story, verb: str, then: Callable[[Story, Enclosure], None]) -> None:
        files = [enclosure for enclosure in story.enclosures if not enclosure.rel]
        choices = playable(files) if verb == "Play" else files
        if not choices:
            self.node.notify(
                "This story carries no podcast episode or video."
                if verb == "Play"
                else "This story carries no file to download.",
                severity="warning",
                markup=False,
            )
            return
        if len(choices) == 1:
            then(story, choices[0])
            return

        def chosen(choice: str | None) -> None:
            if choice is not None:
                then(story, choices[int(choice)])

        menu = [(str(index), describe(enclosure)) for index, enclosure in enumerate(choices)]
        self.node.app.push_screen(MenuScreen(f"{verb} which file?", story.title, menu), chosen)

    # -- playing -------------------------------------------------------------------------

    def play(self) -> None:
        self._with_enclosure("Play", self._play)

    def _play(self, story: Story, enclosure: Enclosure) -> None:
        settings = self.node.session.settings.media
        try:
            argv = player_argv(settings, enclosure)
        except NewstermError as error:
            self.node.problem(str(error))
            return
        name = clean_line(argv[0].rsplit("/", 1)[-1])
        if settings.interactive:
            hand_terminal(self.node, name, argv, None)
            return
        self._start_player(name, argv, f"Playing with {name}: {describe(enclosure)}")

    @thread_worker(group="media")
    def _start_player(self, name: str, argv: list[str], started: str) -> None:
        start_in_background(self.node, name, argv, started=started)

    # -- downloading ---------------------------------------------------------------------

    def download(self) -> None:
        self._with_enclosure("Download", self._download)

    def _download(self, story: Story, enclosure: Enclosure) -> None:
        # A partial of a coroutine function: Textual awaits it as an async worker.
        self.node.run_worker(partial(self._start_download, story, enclosure), group="downloads")

    async def _start_download(self, story: Story, enclosure: Enclosure) -> None:
        library = self.node.session.library
        try:
            # The first use reads the library (downloads a crash left behind): a thread.
            downloads = await asyncio.to_thread(lambda: library.downloads)
            self._listen()
            await downloads.start(story.id, enclosure, story.title)
        except NewstermError as error:
            self.node.problem(str(error))
            return
        self.node.notify(
            f"Downloading {describe(enclosure)} into {downloads.directory} (D shows downloads).",
            markup=False,
        )

    def _listen(self) -> None:
        """Hear of every download's start, progress and end (the manager made already)."""
        downloads = self.node.session.library.downloads
        if downloads.on_change is None:
            downloads.on_change = self._changed

    def _changed(self, record: DownloadRecord) -> None:
        """A download started, moved or ended (on the event loop's thread)."""
        if record.state is DownloadState.RUNNING:
            self._running[record.id] = record
        else:
            self._running.pop(record.id, None)
            if record.state is DownloadState.DONE:
                self.node.notify(f"Downloaded: {record.path}", markup=False)
            elif record.state in (DownloadState.FAILED, DownloadState.INTERRUPTED):
                title = clean_line(record.title) or record.path.name
                self.node.problem(f"Download of “{title}” stopped: {clean_line(record.error)}")
        self._show_progress()
        screen = self.node.app.screen
        if isinstance(screen, DownloadsScreen):
            screen.changed(record)

    def _show_progress(self) -> None:
        running = list(self._running.values())
        if not running:
            self.node.status.downloads = ""
            return
        received = sum(record.received for record in running)
        total = sum(record.total or 0 for record in running)
        known = all(record.total for record in running)
        share = f" {min(100, 100 * received // total)}%" if known and total else ""
        count = f"{len(running)} " if len(running) > 1 else ""
        self.node.status.downloads = f"⇩ {count}{size_text(received)}{share}"

    def show_downloads(self) -> None:
        self.node.app.push_screen(DownloadsScreen(self.node.session))
        self._listen_soon()  # a download resumed there reports through _changed

    @thread_worker(group="downloads-listen")
    def _listen_soon(self) -> None:
        try:
            self.node.session.library.downloads  # noqa: B018 - made here: it reads the library
        except NewstermError:
            return  # the downloads view says what went wrong
        deliver(self.node, self._listen)

    # -- transcript and chapters ---------------------------------------------------------

    def transcript(self) -> None:
        node = self.node
        view = node.open_view
        if view is None:
            node.notify("Open a story first: E reads its episode's transcript.", markup=False)
            return
        extras = [
            item
            for item in (
                preferred_transcript(view.enclosure_items),
                next((i for i in view.enclosure_items if i.rel == "chapters"), None),
            )
            if item is not None
        ]
        if not extras:
            node.notify(
                "This story's feed gives no transcript or chapters.",
                severity="warning",
                markup=False,
            )
            return
        if len(extras) == 1:
            self._read_extra(view, extras[0])
            return

        def chosen(choice: str | None) -> None:
            if choice is not None:
                self._read_extra(view, extras[int(choice)])

        menu = [("0", "The transcript"), ("1", "The chapters")]
        node.app.push_screen(MenuScreen("Read which?", view.story.title, menu), chosen)

    def _read_extra(self, view: ReaderView, item: Enclosure) -> None:
        what = "transcript" if item.rel == "transcript" else "chapters"
        self.node.reader.set_note(f"Fetching the {what}…")
        self.node.run_worker(partial(self._show_extra, view, item), group="extras", exclusive=True)

    async def _show_extra(self, view: ReaderView, item: Enclosure) -> None:
        node = self.node
        try:
            article = await node.session.library.read_extra(item)
        except NewstermError as error:
            if node.open_view is view:
                node.reader.set_note(view.note)
            node.problem(str(error))
            return
        if node.open_view is not view:
            return  # another story was opened meanwhile
        await node.reader.show(transcript_view(view, article, item), pictures=False)
