"""Reader mode on the main screen: loading a story, its full text, prefetching pages.

Opening a story reads :meth:`~tui.core.library.Library.reader` in a thread worker. When
the feed gave only a few lines (``articles.min_words``) and the page was never fetched,
the feed's text shows at once, noted "Fetching the full article…", and the page is
fetched ahead of everything else; when it arrives the story is shown again if it is still
the one open. F fetches the open story's page again, whatever its length. With
``articles.prefetch`` on, the unread stories on screen have their pages fetched in the
background (:class:`~tui.ui.background.pages.PageFetcher`).

The demo library's links lead nowhere (``.example`` never resolves), so it fetches pages
only when F asks.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

from textual.timer import Timer
from textual.worker import get_current_worker

from tui.core import NewstermError, ReaderView, story_slug
from tui.ui.background.pages import PageDone, PageFetcher
from tui.ui.background.threads import deliver, thread_worker
from tui.ui.screens.main.parts import MainParts

RELATED_STORIES = 5
FETCHING_NOTE = "Fetching the full article…"
OFFLINE_NOTE = "Offline: showing the feed's text"
WARM_UP_DELAY = 2.0  # seconds after start-up: the first frames come first
PREFETCH_DELAY = 0.3  # seconds the list must rest before its screen is prefetched


class ReaderMode:
    """The main screen's story loading, page fetching and prefetching."""

    def __init__(self, node: MainParts) -> None:
        self.node = node
        self.pages = PageFetcher(
            lambda: node.session.library,
            self._page_fetched_in_thread,
            concurrency=node.session.settings.articles.prefetch_concurrency,
        )
        self._warmed = False
        self._prefetch_timer: Timer | None = None

    @property
    def auto_pages(self) -> bool:
        """Pages are fetched without being asked (for short stories, and for feeds set to
        full text always: which stories want one is the library's to say, per feed)."""
        return not self.node.session.demo

    @property
    def _eager(self) -> bool:
        """Pages are likely wanted (short stories are read from their pages): start the
        page workers before the first one is, so it comes quicker."""
        return self.auto_pages and self.node.session.settings.articles.min_words > 0

    @property
    def prefetching(self) -> bool:
        return self.auto_pages and self.node.session.settings.articles.prefetch

    def start(self) -> None:
        """Once the screen is up: start the page workers soon if pages will be fetched
        without being asked (local work only: nothing is fetched by warming up)."""
        if self._eager:
            self.node.set_timer(WARM_UP_DELAY, self._warm_up)
        self.node.watch(self.node.stories, "scroll_y", self._list_scrolled, init=False)

    def _warm_up(self) -> None:
        if not self._warmed:
            self._warmed = True
            self._warm_up_pages()

    @thread_worker(group="warm-up")
    def _warm_up_pages(self) -> None:
        # A pool that cannot start says so when a page is fetched.
        with contextlib.suppress(Exception):
            self.node.session.library.warm_up_pages()

    # -- loading a story -----------------------------------------------------------------

    @thread_worker(group="story", exclusive=True)
    def load_story(self, story_id: int, *, fetched: bool = False) -> None:
        """Read the story; ``fetched``: again, after its page was fetched (or failed)."""
        library = self.node.session.library
        try:
            view = library.reader(story_id, related=RELATED_STORIES)
            fetch = not fetched and self.auto_pages and bool(library.wants_page([story_id]))
        except NewstermError as error:
            deliver(self.node, self.node.problem, str(error))
            return
        if not get_current_worker().is_cancelled:
            deliver(self.node, self._story_loaded, view, fetch, fetched)

    async def _story_loaded(self, view: ReaderView, fetch: bool, again: bool) -> None:
        node = self.node
        story = view.story
        if node.stories.open_story_id != story.id:
            return  # another story was opened meanwhile
        if fetch:
            view = replace(view, note=FETCHING_NOTE)
        # Shown again in full: stay where the reader was, if they had scrolled.
        same = node.open_view is not None and node.open_view.story.id == story.id
        await node.reader.show(
            view, keep_scroll=again and same, pictures=node.pictures.wanted(view)
        )
        # Once laid out: which pictures are near the screen depends on where they stand.
        node.reader.call_after_refresh(node.pictures.load_visible)
        node.status.path = f"news/{story.topic.slug}/{story_slug(story)}"
        node.status.reading = f"read:{view.read_minutes}min {story.sort_date:%Y-%m-%d}"
        if fetch:
            self.pages.want(story.id, "open")
        if self._eager or fetch:
            self._warm_up()

    # -- full text -----------------------------------------------------------------------

    def fetch_full_text(self) -> None:
        """Fetch the open story's page again, even when it is long or was fetched."""
        view = self.node.open_view
        if view is None:
            self.node.notify("Open a story first: F fetches its full text.", markup=False)
            return
        self.node.reader.set_note(FETCHING_NOTE)
        self.pages.resume()  # the user says the network is worth trying again
        self.pages.want(view.story.id, "manual", force=True)

    def _page_fetched_in_thread(self, done: PageDone) -> None:
        deliver(self.node, self._page_fetched, done)

    def _page_fetched(self, done: PageDone) -> None:
        notify = self.node.notify
        outcome = done.outcome
        is_open = self.node.stories.open_story_id == outcome.story_id
        if "manual" in done.reasons:
            if outcome.ok:
                notify(f"Full text fetched: {outcome.words} words.", markup=False)
            elif outcome.network_error:
                notify(
                    "Offline: the full article could not be fetched.",
                    severity="warning",
                    markup=False,
                )
            else:
                notify(
                    f"Full article unavailable: {outcome.note}", severity="warning", markup=False
                )
        elif "open" in done.reasons and is_open and outcome.network_error:
            notify(OFFLINE_NOTE, severity="warning", markup=False)
        asked = bool(done.reasons - {"prefetch"})
        if is_open and (asked or (outcome.ok and not outcome.skipped)):
            self.load_story(outcome.story_id, fetched=True)

    # -- prefetching ---------------------------------------------------------------------

    def _list_scrolled(self) -> None:
        self.schedule_prefetch()

    def schedule_prefetch(self) -> None:
        """Prefetch the screen's pages once the list has rested for a moment."""
        if not self.prefetching:
            return
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
        self._prefetch_timer = self.node.set_timer(PREFETCH_DELAY, self._prefetch_on_screen)

    def _prefetch_on_screen(self) -> None:
        self._prefetch_timer = None
        stories = self.node.stories
        on_screen = stories.ids_on_screen()
        unread = []
        for story_id in on_screen:
            row = stories.row_of(story_id)
            if row is not None and not row.read:
                unread.append(story_id)
        if unread:
            self.pages.prefetch(unread, on_screen)
