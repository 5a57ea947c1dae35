"""Reader mode on the main screen: loading a story, its full text, and the tone filter.

Opening a story reads :meth:`~tui.core.library.Library.reader` in a thread worker. When
the feed gave only a few lines (``articles.min_words``) and the page was never fetched,
the feed's text shows at once, noted "Fetching the full article…", and the page is
fetched ahead of everything else; when it arrives the story is shown again if it is still
the one open. F fetches the open story's page again, whatever its length. With
``articles.prefetch`` on, the unread stories on screen have their pages fetched in the
background (:class:`~tui.ui.page_fetcher.PageFetcher`).

The demo library's links lead nowhere (``.example`` never resolves), so it fetches pages
only when F asks.

``s`` cycles the list through the tones (all, positive, neutral, negative). Stories get
their label in the worker pool; before the first tone filter, and quietly after each
refresh, the ones without a label are labelled, a few hundred at a time so that quitting
never waits long.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace

from textual import work
from textual.timer import Timer
from textual.worker import get_current_worker

from tui.core import Library, NewstermError, ReaderView, story_slug
from tui.ui.page_fetcher import PageDone, PageFetcher
from tui.ui.screens.story_actions import StoryActionsScreen
from tui.ui.session import ListFilter, Session, next_tone
from tui.ui.threads import deliver

RELATED_STORIES = 5
FETCHING_NOTE = "Fetching the full article…"
OFFLINE_NOTE = "Offline: showing the feed's text"
WARM_UP_DELAY = 2.0  # seconds after start-up: the first frames come first
PREFETCH_DELAY = 0.3  # seconds the list must rest before its screen is prefetched
LABEL_CHUNK = 250  # stories labelled per call: about 0.1 s, the longest quitting waits


def label_all(library: Library, cancelled: Callable[[], bool]) -> int:
    """Label every story that has no tone yet, a chunk at a time; call from a thread."""
    done = 0
    while not cancelled():
        labelled = library.label_pending(limit=LABEL_CHUNK)
        done += labelled
        if labelled < LABEL_CHUNK:
            break
    return done


class ReaderModeScreen(StoryActionsScreen):
    """The main screen's story loading, page fetching and tone filter."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.filter = ListFilter()
        articles = session.settings.articles
        self.pages = PageFetcher(
            lambda: self.session.library,
            self._page_fetched_in_thread,
            concurrency=articles.prefetch_concurrency,
        )
        self._warmed = False
        self._prefetch_timer: Timer | None = None
        self._tone_wanted: str | None = None  # the tone to show once labelling is done
        self._labelling = False

    def set_filter(self, view: ListFilter) -> None:
        raise NotImplementedError  # the main screen's

    @property
    def auto_pages(self) -> bool:
        """Pages are fetched without being asked (for short stories)."""
        return self.session.settings.articles.min_words > 0 and not self.session.demo

    @property
    def prefetching(self) -> bool:
        return self.auto_pages and self.session.settings.articles.prefetch

    def start_reader_mode(self) -> None:
        """Once the screen is up: start the page workers soon if pages will be fetched
        without being asked (local work only: nothing is fetched by warming up)."""
        if self.auto_pages:
            self.set_timer(WARM_UP_DELAY, self._warm_up)
        self.watch(self.stories, "scroll_y", self._list_scrolled, init=False)

    def _warm_up(self) -> None:
        if not self._warmed:
            self._warmed = True
            self._warm_up_pages()

    @work(thread=True, group="warm-up")
    def _warm_up_pages(self) -> None:
        # A pool that cannot start says so when a page is fetched.
        with contextlib.suppress(Exception):
            self.session.library.warm_up_pages()

    # -- loading a story -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="story")
    def _load_story(self, story_id: int, *, fetched: bool = False) -> None:
        """Read the story; ``fetched``: again, after its page was fetched (or failed)."""
        library = self.session.library
        try:
            view = library.reader(story_id, related=RELATED_STORIES)
            fetch = not fetched and self.auto_pages and bool(library.wants_page([story_id]))
        except NewstermError as error:
            deliver(self, self._problem, str(error))
            return
        if not get_current_worker().is_cancelled:
            deliver(self, self._story_loaded, view, fetch, fetched)

    async def _story_loaded(self, view: ReaderView, fetch: bool, again: bool) -> None:
        story = view.story
        if self.stories.open_story_id != story.id:
            return  # another story was opened meanwhile
        if fetch:
            view = replace(view, note=FETCHING_NOTE)
        # Shown again in full: stay where the reader was, if they had scrolled.
        same = self.open_view is not None and self.open_view.story.id == story.id
        await self.reader.show(view, keep_scroll=again and same)
        self.status.path = f"news/{story.topic.slug}/{story_slug(story)}"
        self.status.reading = f"read:{view.read_minutes}min {story.sort_date:%Y-%m-%d}"
        if fetch:
            self.pages.want(story.id, "open")
        if self.auto_pages:
            self._warm_up()

    # -- full text -----------------------------------------------------------------------

    def action_fetch_full_text(self) -> None:
        """Fetch the open story's page again, even when it is long or was fetched."""
        view = self.open_view
        if view is None:
            self.notify("Open a story first: F fetches its full text.", markup=False)
            return
        self.reader.set_note(FETCHING_NOTE)
        self.pages.resume()  # the user says the network is worth trying again
        self.pages.want(view.story.id, "manual", force=True)

    def _page_fetched_in_thread(self, done: PageDone) -> None:
        deliver(self, self._page_fetched, done)

    def _page_fetched(self, done: PageDone) -> None:
        outcome = done.outcome
        is_open = self.stories.open_story_id == outcome.story_id
        if "manual" in done.reasons:
            if outcome.ok:
                self.notify(f"Full text fetched: {outcome.words} words.", markup=False)
            elif outcome.network_error:
                self.notify(
                    "Offline: the full article could not be fetched.",
                    severity="warning",
                    markup=False,
                )
            else:
                self.notify(
                    f"Full article unavailable: {outcome.note}", severity="warning", markup=False
                )
        elif "open" in done.reasons and is_open and outcome.network_error:
            self.notify(OFFLINE_NOTE, severity="warning", markup=False)
        asked = bool(done.reasons - {"prefetch"})
        if is_open and (asked or (outcome.ok and not outcome.skipped)):
            self._load_story(outcome.story_id, fetched=True)

    # -- prefetching ---------------------------------------------------------------------

    def _list_scrolled(self) -> None:
        self.schedule_prefetch()

    def schedule_prefetch(self) -> None:
        """Prefetch the screen's pages once the list has rested for a moment."""
        if not self.prefetching:
            return
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
        self._prefetch_timer = self.set_timer(PREFETCH_DELAY, self._prefetch_on_screen)

    def _prefetch_on_screen(self) -> None:
        self._prefetch_timer = None
        on_screen = self.stories.ids_on_screen()
        unread = []
        for story_id in on_screen:
            row = self.stories.row_of(story_id)
            if row is not None and not row.read:
                unread.append(story_id)
        if unread:
            self.pages.prefetch(unread, on_screen)

    # -- tone ----------------------------------------------------------------------------

    def action_sentiment_filter(self) -> None:
        """Show the next tone: all → positive → neutral → negative → all."""
        current = self._tone_wanted if self._tone_wanted is not None else self.filter.sentiment
        self._tone_wanted = next_tone(current)
        self.status.tone = self._tone_wanted
        if self._labelling:
            return  # the labelling under way shows the tone asked for last
        if self._tone_wanted:
            self._labelling = True
            self._label_then_filter()
        else:
            self._tone_ready()  # every tone: no labels needed

    @work(thread=True, group="tone")
    def _label_then_filter(self) -> None:
        library = self.session.library
        worker = get_current_worker()
        try:
            pending = library.unlabelled()
            if pending:
                noun = "story" if pending == 1 else "stories"
                message = f"Working out the tone of {pending} {noun}…"
                deliver(self, self.notify, message, markup=False)
                label_all(library, lambda: worker.is_cancelled)
        except Exception as error:  # the pool too: a broken one must not stop the filter
            deliver(self, self._problem, f"Could not work out every story's tone: {error}")
        if not worker.is_cancelled:
            deliver(self, self._tone_ready)

    def _tone_ready(self) -> None:
        self._labelling = False
        tone, self._tone_wanted = self._tone_wanted or "", None
        self.set_filter(replace(self.filter, sentiment=tone))

    @work(thread=True, group="tone-background")
    def label_new_stories(self) -> None:
        """After a refresh: label the new stories quietly; a tone view then shows them."""
        worker = get_current_worker()
        try:
            labelled = label_all(self.session.library, lambda: worker.is_cancelled)
        except Exception:  # quiet: the tone filter labels (and reports) when it is used
            return
        if labelled and self.filter.sentiment and not worker.is_cancelled:
            deliver(self, self.reload)
