"""The facade of the core: one :class:`Library` is one open library file.

Every client (the command line, the terminal UI, the benchmarks) goes through here. The
methods are synchronous and quick (one short query or transaction each) except
:meth:`Library.refresh`, which is a coroutine; the UI calls the synchronous ones from
thread workers so that no SQLite call runs on its event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from types import EllipsisType, TracebackType
from typing import TYPE_CHECKING

from tui.core.errors import (
    FeedNotFoundError,
    InvalidFeedURLError,
    LibraryDamagedError,
    NewstermError,
    SearchQueryError,
)
from tui.core.models import (
    Account,
    ArticleOutcome,
    Enclosure,
    Feed,
    FullText,
    ImportReport,
    ParsedFeed,
    RefreshReport,
    SearchResult,
    StoredArticle,
    Story,
    StoryIndex,
    StoryRow,
    Subscription,
    SyncReport,
    Topic,
    TopicCount,
)
from tui.core.settings import Rule, Settings, View
from tui.core.store import (
    accounts as account_queries,
    feeds as feed_queries,
    pages as page_queries,
    rules as rule_queries,
    search as search_queries,
    state as state_queries,
    stories as story_queries,
)
from tui.core.store.backup import Backup, Backups, list_backups
from tui.core.store.database import Database
from tui.core.store.ingest import Validators, store_parsed_feed
from tui.core.store.marks import MarkKind, MarkQueue, MarkResult
from tui.core.store.query import compile_query
from tui.core.store.rules import RulesReport
from tui.core.store.stories import StoryFilter
from tui.core.sync.credentials import CredentialStore
from tui.core.text.dates import utcnow
from tui.core.text.hygiene import clean_line
from tui.core.text.intervals import MAX_EVERY_MINUTES, interval_label
from tui.core.text.urls import normalise_feed_url
from tui.core.workers.pool import WorkerPool

if TYPE_CHECKING:
    from tui.core.article.sections import Article
    from tui.core.article.view import ReaderView
    from tui.core.images.cache import ImageCache
    from tui.core.images.load import ImageLoader
    from tui.core.images.picture import NoPicture, Picture
    from tui.core.media.downloads import Downloads
    from tui.core.pages.fetch import PageProgress
    from tui.core.refresh import ProgressCallback
    from tui.core.subscriptions.discover import FeedLink
    from tui.core.sync.accounts import AccountFound


class Library:
    """An open library: subscriptions, stories, read marks, bookmarks, search, refresh."""

    def __init__(
        self,
        path: Path,
        settings: Settings | None = None,
        *,
        cache_dir: Path | None = None,
        downloads_dir: Path | None = None,
    ) -> None:
        """Open the library at ``path``. ``cache_dir`` holds what can be fetched again
        (pictures), by default a ``cache`` folder beside the library; ``downloads_dir`` is
        where enclosures are saved unless ``[media] downloads`` says, by default a
        ``downloads`` folder beside it (the command line and the app pass the user's)."""
        self.path = path
        self.settings = settings or Settings()
        self.cache_dir = cache_dir if cache_dir is not None else path.parent / "cache"
        chosen = self.settings.media.downloads
        self.downloads_dir = (
            Path(chosen).expanduser()
            if chosen
            else downloads_dir
            if downloads_dir is not None
            else path.parent / "downloads"
        )
        self._downloads: Downloads | None = None
        self._image_cache: ImageCache | None = None
        self._pictures: ImageLoader | None = None  # made on the first picture's event loop
        self._db = Database(path)
        self._pool = WorkerPool()  # parsing, page extraction, labels: see tui.core.workers.pool
        # Marks have their own writer and connection: see tui.core.store.marks.
        self._marks = MarkQueue(lambda: Database(path))
        self._searcher = search_queries.Searcher(path)  # a connection of its own
        self._backups = Backups(path)
        self._credentials = CredentialStore(path.parent)  # sync secrets, beside the library
        self._sync_lock = threading.Lock()

    # -- lifetime --------------------------------------------------------------------

    def close(self) -> None:
        self._searcher.close()  # a long search must not hold up quitting
        self._marks.close()
        self._backups.cancel()  # a backup being made stops, leaving nothing behind
        self._pool.close()  # waits for the workers to go: nothing left to race the exit
        self._db.close()

    @property
    def read_only(self) -> bool:
        """The library cannot be written (file, folder or file system): it was opened
        read-only, user changes raise :class:`LibraryReadOnlyError` and optional writes
        (sentiment labels, remembered state, backups) are skipped."""
        return self._db.read_only

    @property
    def read_only_note(self) -> str | None:
        """A sentence to show once when the library was opened read-only."""
        return self._db.read_only_note

    def back_up_if_due(self, *, now: datetime | None = None) -> Backup | None:
        """Make the daily backup when the newest is a day old. Blocking (about 5 s for
        100k stories): call it after a refresh or from a thread, never at start-up.

        None when not due, read-only, or cancelled by :meth:`close`. Raises
        :class:`LibraryDamagedError` (no backup of a damaged library: the older ones are
        kept, and nothing more is written to it) or :class:`LibraryFullError` (no room).
        """
        if self._db.read_only:
            return None
        damage = self._db.damage
        if damage is not None:
            raise LibraryDamagedError(damage)
        if not self._backups.due(now or utcnow()):
            return None
        if not list_backups(self.path) and not self._db.read(story_queries.has_marks):
            # Nothing here yet that the feeds could not give back: a new library's first
            # refresh is not slowed by a copy of what it just fetched.
            return None
        try:
            return self._backups.make(now)
        except LibraryDamagedError as error:
            self._db.mark_damaged(error)
            raise

    def __enter__(self) -> Library:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- subscriptions ---------------------------------------------------------------

    def add_feed(
        self,
        url: str,
        *,
        topic: str | None = None,
        title: str | None = None,
        tags: Sequence[str] = (),
        account: str | None = None,
    ) -> Feed:
        """Subscribe to ``url``; with ``account``, on that sync account's server too (at its
        next sync). Raises :class:`InvalidFeedURLError`; returns the existing feed
        unchanged when already subscribed (check ``Feed.total``/ids to tell)."""
        feed_url = normalise_feed_url(url)
        chosen = Topic.from_name(clean_line(topic)) if topic and topic.strip() else None
        synced = self._db.read(account_queries.get_account, account) if account else None
        feed_id = self._db.write(
            account_queries.add_feed,
            feed_url,
            title=clean_line(title),
            topic=chosen,
            tags=[clean_line(t) for t in tags if clean_line(t)],
            account_id=synced.id if synced else None,
        )
        if feed_id is None:
            feed_id = self._db.read(feed_queries.find_feed_id, feed_url)
        return self._db.read(feed_queries.get_feed, feed_id)

    def is_subscribed(self, url: str) -> bool:
        try:
            self._db.read(feed_queries.find_feed_id, normalise_feed_url(url))
        except (FeedNotFoundError, InvalidFeedURLError):
            return False
        return True

    def remove_feed(self, ref: str | int) -> Feed:
        """Unsubscribe; its stories go except the bookmarked ones."""
        feed = self.feed(ref)
        if feed.account is not None:
            from tui.core.sync.remote import API_NAMES, edits_feeds

            api = self.account(feed.account).api
            if not edits_feeds(api):
                # Removed here only, the feed would come back from the server at the next
                # sync: the server's own pages have to do it.
                raise NewstermError(
                    f"{feed.title} is synced with {feed.account} over the {API_NAMES[api]}, "
                    "which cannot unsubscribe; remove it in the server's own pages, and "
                    "newsterm follows at the next sync."
                )
        self._db.write(account_queries.drop_feed, feed.id)
        return feed

    def feed(self, ref: str | int) -> Feed:
        """A feed by id or URL (:class:`FeedNotFoundError` if none)."""
        feed_id = self._db.read(feed_queries.find_feed_id, ref)
        return self._db.read(feed_queries.get_feed, feed_id)

    def feeds(self) -> list[Feed]:
        return self._db.read(feed_queries.list_feeds)

    def has_feeds(self) -> bool:
        """Whether any feed is subscribed (cheap: no counts, unlike :meth:`feeds`)."""
        return self._db.read(feed_queries.has_feeds)

    def set_feed_topic(self, ref: str | int, topic: str) -> Feed:
        feed = self.feed(ref)
        self._db.write(account_queries.refile_feed, feed.id, Topic.from_name(clean_line(topic)))
        return self.feed(feed.id)

    def set_feed_title(self, ref: str | int, title: str) -> Feed:
        feed = self.feed(ref)
        self._db.write(account_queries.rename_feed, feed.id, clean_line(title))
        return self.feed(feed.id)

    # -- per-feed settings (interval, full text, paused) ---------------------------------

    def find_feed(self, ref: str | int) -> Feed:
        """A feed by id, URL, or the title it is shown by (when only one feed has it)."""
        try:
            return self.feed(ref)
        except FeedNotFoundError:
            titled = self._db.read(feed_queries.feeds_titled, str(ref))
            if len(titled) == 1:
                return self._db.read(feed_queries.get_feed, titled[0])
            if titled:
                raise FeedNotFoundError(
                    f"{len(titled)} feeds are called {str(ref).strip()!r}: name one by its id "
                    f"({', '.join(map(str, titled[:5]))}) or URL."
                ) from None
            raise FeedNotFoundError(
                f"No subscribed feed has the id, URL or title {str(ref)[:200]!r}; "
                "`newsterm feeds` lists them."
            ) from None

    def set_feed_settings(
        self,
        ref: str | int,
        *,
        every: int | EllipsisType | None = ...,
        full_text: str | None = None,
        paused: bool | None = None,
        title: str | None = None,
        topic: str | None = None,
    ) -> Feed:
        """Change a feed's settings and return it as it is now; what is not given (``...``
        for ``every``, None for the rest) stays. ``every``: minutes between fetches, None
        to follow the feed's own hint again. ``full_text``: ``auto``, ``always`` or
        ``never``. A new title or topic of a synced feed goes to its server too.

        Raises :class:`NewstermError` with a sentence for a value it cannot take; nothing
        is changed then."""
        feed = self.find_feed(ref)
        mode = None
        if full_text is not None:
            try:
                mode = FullText(full_text.strip().lower())
            except ValueError:
                raise NewstermError(
                    f"Full text is auto, always or never, not {full_text[:40]!r}."
                ) from None
        if every is not ... and every is not None and not 1 <= every <= MAX_EVERY_MINUTES:
            raise NewstermError(
                f"An interval is a minute to 30 days ({interval_label(MAX_EVERY_MINUTES)})."
            )
        if feed.account is not None and (paused or (every is not ... and every is not None)):
            # The account's sync brings its stories, whatever newsterm would do on its own.
            raise NewstermError(
                f"{feed.title} is synced with {feed.account}, whose sync brings its stories: "
                "set how often to fetch it on the server."
            )
        new_title = clean_line(title) if title is not None else None
        new_topic = Topic.from_name(clean_line(topic)) if topic is not None else None
        if new_title == "" or (topic is not None and not clean_line(topic)):
            raise NewstermError("A feed's title and topic cannot be empty.")
        self._db.write(
            feed_queries.set_settings, feed.id, every_minutes=every, full_text=mode, paused=paused
        )
        # The existing paths, so that a synced feed's server hears of a new name or topic.
        if new_title is not None and new_title != feed.title:
            self.set_feed_title(feed.id, new_title)
        if new_topic is not None and new_topic.name != feed.topic.name:
            self.set_feed_topic(feed.id, new_topic.name)
        return self.feed(feed.id)

    def import_subscriptions(self, path: Path) -> ImportReport:
        """Import an OPML or newsboat urls file; feeds already subscribed are left as they are."""
        from tui.core.subscriptions import opml  # XML: not loaded for other commands

        parsed = opml.read_subscription_file(path)
        return self.subscribe_all(parsed.subscriptions, refused=parsed.refused)

    def subscribe_all(
        self, subscriptions: Iterable[Subscription], refused: Sequence[str] = ()
    ) -> ImportReport:
        """Subscribe to them all in one transaction: on a full disk none is added and the
        error says why, rather than the import stopping somewhere in the middle."""
        # A list: a write retried after a busy library must see every subscription again.
        return self._db.write(feed_queries.subscribe_all, list(subscriptions), refused)

    def export_opml(self) -> str:
        from tui.core.subscriptions import opml

        return opml.write_opml(self.feeds())

    # -- stories ---------------------------------------------------------------------

    def stories(
        self,
        *,
        topic: str | None = None,
        feed: str | int | None = None,
        unread: bool = False,
        bookmarked: bool = False,
        sentiment: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        by_topic: bool = False,
    ) -> list[Story]:
        """Stories newest first, optionally one topic (name or slug), feed or sentiment."""
        story_filter = StoryFilter(
            topic_slug=_slug(topic),
            feed_id=self.feed(feed).id if feed is not None else None,
            unread_only=unread,
            bookmarked_only=bookmarked,
            sentiment=sentiment,
        )
        return self._db.read(
            story_queries.list_stories, story_filter, limit=limit, offset=offset, by_topic=by_topic
        )

    def story_rows(
        self,
        *,
        topic: str | None = None,
        unread: bool = False,
        bookmarked: bool = False,
        limit: int | None = None,
    ) -> list[StoryRow]:
        """Lean rows for a list view, grouped by topic and newest first within each."""
        story_filter = StoryFilter(
            topic_slug=_slug(topic),
            unread_only=unread,
            bookmarked_only=bookmarked,
        )
        return self._db.read(story_queries.list_rows, story_filter, limit=limit)

    def story_index(
        self,
        *,
        topic: str | None = None,
        unread: bool = False,
        bookmarked: bool = False,
        sentiment: str | None = None,
        views: Sequence[View] = (),
        with_hidden: bool = False,
        count_views: bool = True,
    ) -> StoryIndex:
        """A list view's groups and their counts, without its stories: as cheap for a
        million stories as for a hundred. A group's ids are read with :meth:`story_window`.

        ``views``: saved searches listed above the topics, each a group of its own (a view
        whose query cannot be read is listed empty, with the reason in its name). Their
        counts grow with what they match: ``count_views=False`` leaves them at 0, to be
        read later with :meth:`view_counts` (the list does, after its first frame).
        ``with_hidden``: stories a hide rule matches are listed too.
        """
        story_filter = _list_filter(topic, unread, bookmarked, sentiment, with_hidden)
        compiled = _view_queries(views, with_hidden)
        return self._db.read(
            story_queries.list_index, story_filter, compiled, count_views=count_views
        )

    def view_counts(
        self,
        views: Sequence[View],
        *,
        topic: str | None = None,
        unread: bool = False,
        bookmarked: bool = False,
        sentiment: str | None = None,
        with_hidden: bool = False,
    ) -> list[tuple[int, int]]:
        """(stories, unread) of each view's group in a :meth:`story_index` read with the
        same filter. Grows with what the views match: call it from a worker."""
        story_filter = _list_filter(topic, unread, bookmarked, sentiment, with_hidden)
        compiled = _view_queries(views, with_hidden)
        return self._db.read(story_queries.view_counts, story_filter, compiled)

    def story_window(
        self,
        slug: str,
        offset: int,
        limit: int,
        *,
        count: int,
        after: int | None = None,
        before: int | None = None,
        topic: str | None = None,
        unread: bool = False,
        bookmarked: bool = False,
        sentiment: str | None = None,
        with_hidden: bool = False,
        views: Sequence[View] = (),
    ) -> list[int]:
        """The ids at ``offset`` to ``offset + limit - 1`` within the group ``slug`` (of
        ``count`` stories) of a :meth:`story_index` read with the same filter, in list
        order. ``after``/``before``: the id just before (after) the window, when known:
        then only the window is read. A view's group (its slug starts ``view:``) is read
        with its query, found by slug among ``views``."""
        story_filter = _list_filter(topic, unread, bookmarked, sentiment, with_hidden)
        if slug.startswith("view:"):
            limit = max(0, min(limit, count - offset))
            # Only the view asked for is compiled: a window is read at every scroll.
            named = [view for view in views if story_queries.view_slug(view.name) == slug]
            for view in _view_queries(named, with_hidden):
                if view.slug == slug:
                    return self._db.read(
                        story_queries.view_window,
                        story_filter,
                        view,
                        offset,
                        limit,
                        after=after,
                        before=before,
                    )
            return []
        return self._db.read(
            story_queries.list_window,
            story_filter,
            slug,
            offset,
            limit,
            count=count,
            after=after,
            before=before,
        )

    def story_position(
        self,
        story_id: int,
        *,
        topic: str | None = None,
        unread: bool = False,
        bookmarked: bool = False,
        sentiment: str | None = None,
        with_hidden: bool = False,
        views: Sequence[View] = (),
    ) -> tuple[str, int] | None:
        """(group slug, position in that group) of a story the filtered list shows, or
        None when it does not show it: under its topic, else in the first of ``views``
        that lists it (a hidden story an ``is:hidden`` view lists)."""
        story_filter = _list_filter(topic, unread, bookmarked, sentiment, with_hidden)
        found = self._db.read(story_queries.story_position, story_filter, story_id)
        if found is not None:
            return found
        for view in _view_queries(views, with_hidden):
            position = self._db.read(story_queries.view_position, story_filter, view, story_id)
            if position is not None:
                return view.slug, position
        return None

    def views_listing(
        self,
        story_id: int,
        views: Sequence[View],
        *,
        read: bool | None = None,
        topic: str | None = None,
        unread: bool = False,
        bookmarked: bool = False,
        sentiment: str | None = None,
        with_hidden: bool = False,
    ) -> list[bool]:
        """Whether each view lists a story (one lookup a view); ``read``: as if it were
        read (or unread) whatever it is now, e.g. as it was before a mark."""
        story_filter = _list_filter(topic, unread, bookmarked, sentiment, with_hidden)
        compiled = _view_queries(views, with_hidden)
        return self._db.read(
            story_queries.views_listing, story_filter, compiled, story_id, read=read
        )

    def rows_for(self, story_ids: Sequence[int]) -> dict[int, StoryRow]:
        """List rows for some story ids (the ones on screen)."""
        return self._db.read(story_queries.rows_for, story_ids)

    def story(self, story_id: int) -> Story:
        """One story with its HTML body (:class:`StoryNotFoundError` if none)."""
        return self._db.read(story_queries.get_story, story_id)

    def set_read(
        self, story_ids: Sequence[int], read: bool = True, *, now: datetime | None = None
    ) -> int:
        """Mark stories read or unread; saved durably before returning. Returns how many changed."""
        return self._mark("read", story_ids, read, now)

    def set_bookmarked(
        self, story_ids: Sequence[int], bookmarked: bool = True, *, now: datetime | None = None
    ) -> int:
        """Bookmark stories or remove their bookmarks; saved durably before returning."""
        return self._mark("bookmarked", story_ids, bookmarked, now)

    def _mark(
        self, kind: MarkKind, story_ids: Sequence[int], flag: bool, now: datetime | None
    ) -> int:
        ids = list(dict.fromkeys(int(i) for i in story_ids))
        if not ids:
            return 0
        self._db.read(story_queries.require_stories, ids)
        return self._marks.apply(kind, ids, flag, now)

    def queue_mark(
        self,
        kind: MarkKind,
        story_ids: Sequence[int],
        flag: bool,
        done: Callable[[MarkResult], None] | None = None,
    ) -> None:
        """Queue a mark without waiting (the UI): ``done`` is called, from the writer
        thread, once it is on disk or has failed. Marks are written in the order queued."""
        self._marks.put(kind, list(dict.fromkeys(int(i) for i in story_ids)), flag, done=done)

    def flush_marks(self, timeout: float | None = None) -> bool:
        """Wait until every queued mark is on disk; False if ``timeout`` ran out first."""
        return self._marks.flush(timeout)

    def ingest(
        self,
        ref: str | int,
        parsed: ParsedFeed,
        *,
        now: datetime | None = None,
        body_hash: str | None = None,
    ) -> int:
        """Store a feed parsed elsewhere (the demo library, benchmarks) exactly as a refresh
        would; returns the number of new stories."""
        feed = self.feed(ref)
        validators = Validators(body_hash=body_hash)

        return self._db.write_relaxed(
            store_parsed_feed, feed.id, parsed, now=now or utcnow(), validators=validators
        )

    def mark_topic_read(self, topic: str) -> int:
        story_filter = StoryFilter(topic_slug=_slug(topic))
        return self._db.write(story_queries.mark_filtered_read, story_filter, utcnow())

    def topics(self) -> list[TopicCount]:
        return self._db.read(story_queries.topic_counts)

    def counts(self) -> tuple[int, int, int]:
        """(stories, unread, bookmarked)."""
        return self._db.read(story_queries.library_counts)

    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        forgiving: bool = False,
        stop: Callable[[], bool] | None = None,
    ) -> list[SearchResult]:
        """Full-text search; :class:`SearchQueryError` for a query FTS5 cannot read, one
        too long, or one that ``stop`` (polled while it runs) or the time limit ended.

        Searches run on a connection of their own, so a long one never holds up opening
        stories or saving marks, and closing the library interrupts it.
        """
        return self._searcher.search(query, limit=limit, forgiving=forgiving, stop=stop)

    def find(self, query: str, *, limit: int = 50, with_hidden: bool = False) -> list[Story]:
        """The newest stories a query matches (words and filters: see
        :mod:`tui.core.store.query`); :class:`SearchQueryError` for one that cannot be read.
        ``with_hidden``: stories a hide rule matches too."""
        return self._db.read(search_queries.find, query, limit=limit, with_hidden=with_hidden)

    # -- rules -----------------------------------------------------------------------

    def rules_pending(self, rules: Sequence[Rule] | None = None) -> bool:
        """Whether the config's rules (``rules``, else the settings') are not yet worked
        out over the library: changed since, or an apply was cut short."""
        wanted = self.settings.rules if rules is None else rules
        return self._db.read(rule_queries.needs_apply, wanted)

    def apply_rules(
        self,
        rules: Sequence[Rule] | None = None,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> RulesReport:
        """Work the rules out over every story (call off the UI's thread); a rule whose
        query cannot be read is a :class:`SearchQueryError` before anything changes."""
        self._db.require_writable()
        wanted = self.settings.rules if rules is None else rules
        # On a connection of its own: matching 20 rules over 100k stories takes a second or
        # two, and the list's reads on the facade's connection must not wait for it.
        db = Database(self.path)
        try:
            return rule_queries.apply_to_library(db, wanted, utcnow(), progress)
        finally:
            db.close()

    def rule_counts(self, rules: Sequence[Rule] | None = None) -> list[int]:
        """How many stories each rule's query matches now."""
        wanted = self.settings.rules if rules is None else rules
        return self._db.read(rule_queries.count_matches, wanted, utcnow())

    def count(self, query: str) -> int:
        """How many stories a query matches, hidden ones included (what a rule would)."""
        self.find(query, limit=1, with_hidden=True)  # one that cannot be read: the search's
        return self.rule_counts([Rule(query, "hide")])[0]  # sentence, not a rule's

    # -- refresh ---------------------------------------------------------------------

    async def refresh(
        self,
        feeds: Sequence[str | int] | None = None,
        *,
        progress: ProgressCallback | None = None,
        now: datetime | None = None,
    ) -> RefreshReport:
        """Fetch, parse and store feeds: all that are due, or the ones named (whatever
        their interval; paused ones never). ``now``: the time the refresh believes it is,
        and writes (tests and benchmarks move it)."""
        # Imported here, not at the top: httpx pulls in click, pygments and rich when they
        # are installed (for its own command line), which would slow every start-up.
        from tui.core.refresh import Refresh

        self._db.require_writable()  # read-only or damaged: said before anything is fetched

        feed_ids = None
        if feeds is not None:
            feed_ids = [
                await asyncio.to_thread(self._db.read, feed_queries.find_feed_id, f) for f in feeds
            ]
        run = Refresh(self._db, self.settings, self._pool, progress, clock=_clock(now))
        return await run.run(feed_ids)

    # -- sync accounts -----------------------------------------------------------------

    def accounts(self) -> list[Account]:
        return self._db.read(account_queries.list_accounts)

    def account(self, name: str) -> Account:
        """An account by name (:class:`AccountNotFoundError` if none)."""
        return self._db.read(account_queries.get_account, name)

    async def add_account(
        self, url: str, user: str, password: str, *, api: str | None = None
    ) -> AccountFound:
        """Sign in to a sync server (over ``api``, or the first API it speaks), keep its
        token (never the password, where the API allows) and remember the account; what
        was found there. Raises :class:`SyncError` with one sentence."""
        from tui.core.sync.accounts import add_account

        self._db.require_writable()
        return await add_account(self._db, self._credentials, url, user, password, api=api)

    def attach_feed(self, ref: str | int, account: str) -> Feed:
        """Put a local feed on a sync account: subscribed on the server at its next sync,
        its stories from there after that. A feed already synced is left as it is."""
        feed = self.feed(ref)
        target = self.account(account)
        self._db.write(account_queries.attach_feed, feed.id, target.id)
        return self.feed(feed.id)

    def remove_account(self, name: str) -> int:
        """Forget an account, its secret and its feeds; its bookmarked stories stay, as
        local stories (how many is returned)."""
        account = self.account(name)
        kept = self._db.write(account_queries.remove_account, account.id)
        self._credentials.remove(account.name)
        return int(kept)

    async def sync(
        self, names: Sequence[str] | None = None, *, full: bool = False
    ) -> list[SyncReport]:
        """Sync every account (or the ones named): push what was marked here, pull what is
        new there. Never raises for what a server does: each report says how it went."""
        from tui.core.sync.engine import Sync

        every = await asyncio.to_thread(self.accounts)
        chosen = [a for a in every if names is None or a.name in names]
        if not chosen:
            return []
        self._db.require_writable()
        # One sync at a time, whichever thread asks (the app's refresh and its pushes after
        # marks): two at once would push the same queued marks twice.
        await asyncio.to_thread(self._sync_lock.acquire)
        try:
            run = Sync(self._db, self._pool, self._credentials)
            return [await run.run(account, full=full) for account in chosen]
        finally:
            self._sync_lock.release()

    def sync_queued(self) -> int:
        """Marks and feed changes waiting for a server (0 without accounts): cheap."""
        return int(self._db.read(account_queries.queued_count))

    # -- reader mode: pages, verified, sentiment ------------------------------------------

    def article(self, story_id: int) -> StoredArticle | None:
        """The story's page as reader mode stored it (or its failure), if it was fetched."""
        return self._db.read(page_queries.get_article, story_id)

    def reader(self, story_id: int, *, related: int = 5) -> ReaderView:
        """Everything the reader shows for a story, from the library alone (works offline).

        A story opened without a sentiment label gets one here, from the text the reader
        shows, and it is stored: computed once.
        """
        from tui.core.article.view import reader_view
        from tui.core.pages.sentiment import label_view

        story = self.story(story_id)
        others = self.stories(topic=story.topic.slug, limit=related + 1)
        always = story.feed_id is not None and (
            self._db.read(feed_queries.full_text_of, story.feed_id) is FullText.ALWAYS
        )
        view = reader_view(
            story,
            [o for o in others if o.id != story_id][:related],
            self.article(story_id),
            prefer_page=always,
        )
        return label_view(self._db, view)

    def story_text(self, story_id: int) -> str:
        """The story as plain text (its title, then the body the reader shows), for a
        command of the user's that reads it on its input."""
        from tui.core.commands import story_plain_text

        return story_plain_text(self.reader(story_id, related=0))

    def wants_page(self, story_ids: Sequence[int]) -> list[int]:
        """Those stories whose page has not been fetched and that reader mode fetches
        without being asked: by their feed's ``full_text`` setting, ``always``; ``auto``,
        when their feed text is short (``articles.min_words``); ``never``, none."""
        from tui.core.pages.fetch import stories_wanting_pages

        if not self._db.writable:
            return []  # a page fetched now could not be kept
        return stories_wanting_pages(self._db, story_ids, self.settings.articles.min_words)

    async def fetch_pages(
        self,
        story_ids: Sequence[int],
        *,
        force: bool = False,
        concurrency: int | None = None,
        progress: PageProgress | None = None,
    ) -> list[ArticleOutcome]:
        """Fetch, extract and store the stories' web pages (skipping stored ones unless
        ``force``); one outcome per story, never raising for what a server does."""
        from tui.core.pages.fetch import PageFetch

        self._db.require_writable()
        run = PageFetch(self._db, self.settings, self._pool)
        return await run.run(story_ids, force=force, concurrency=concurrency, progress=progress)

    def warm_up_pages(self) -> None:
        """Start the worker processes and load the extractor in them, so that the first
        page a reader opens is not also the one that pays for starting them."""
        import tui.core.pages.fetch  # noqa: F401  (httpx: ~40 ms, here rather than on Enter)
        from tui.core.pages.labels import warm_up

        warm_up(self._pool)

    def unlabelled(self) -> int:
        """How many listed stories have no sentiment label yet."""
        return self._db.read(page_queries.count_unanalysed)

    def label_pending(self, *, batch: int = 500, limit: int | None = None) -> int:
        """Give stories without a sentiment label one, latest first, in the worker pool
        (every core at once); returns how many were labelled. Stops at ``limit``."""
        from tui.core.pages.labels import label_pending

        if not self._db.writable:
            return 0  # worked out when a story is read instead, and not kept
        return label_pending(self._pool, str(self.path), batch=batch, limit=limit)

    # -- small remembered settings (for the UI) ----------------------------------------

    def get_state(self, key: str) -> str | None:
        """A value the app remembered under ``key`` (e.g. the chosen theme), or None."""
        return self._db.read(state_queries.get_state, key)

    def set_state(self, key: str, value: str) -> None:
        """Remember ``value`` under ``key``; not at all when the library is read-only or
        damaged (it is only a convenience)."""
        if self._db.writable:
            self._db.write(state_queries.set_state, key, value)

    # -- autodiscovery -----------------------------------------------------------------

    # -- downloads ---------------------------------------------------------------------

    @property
    def downloads(self) -> Downloads:
        """Enclosure downloads (:class:`~tui.core.media.downloads.Downloads`). Made on
        first use, which reads the library: from a thread, not an event loop."""
        if self._downloads is None:
            from tui.core.media.downloads import Downloads

            self._downloads = Downloads(self._db, self.settings, self.downloads_dir)
        return self._downloads

    async def close_downloads(self) -> None:
        """Stop the downloads running, keeping their partial files to resume. Whoever
        listened to them is going away: it hears nothing of this."""
        if self._downloads is not None:
            self._downloads.on_change = None
            await self._downloads.close()

    async def read_extra(self, item: Enclosure) -> Article:
        """An episode's transcript or chapters (``item``, one of a story's extras), fetched
        and read as an article (:mod:`tui.core.media.extras`); raises a
        :class:`NewstermError` with a sentence when it cannot be."""
        from tui.core.media.extras import read_extra

        return await read_extra(self.settings, self._pool, item)

    # -- pictures ----------------------------------------------------------------------

    @property
    def image_cache(self) -> ImageCache:
        if self._image_cache is None:
            from tui.core.images.cache import ImageCache

            cap = self.settings.ui.image_cache_bytes
            self._image_cache = ImageCache(self.cache_dir / "images", cap)
        return self._image_cache

    async def load_picture(self, url: str, max_width: int, max_height: int) -> Picture | NoPicture:
        """The picture at ``url`` scaled to fit ``max_width`` × ``max_height`` pixels, or
        why there is none: from the cache, else fetched with the page etiquette, checked
        and decoded in the worker processes (:mod:`tui.core.images`). On one event loop:
        the first call's."""
        if self._pictures is None:
            from tui.core.images.load import ImageLoader

            self._pictures = ImageLoader(self.settings, self.image_cache, self._pool)
        return await self._pictures.load(url, max_width, max_height)

    async def close_pictures(self) -> None:
        """Close the pictures' connections (on the event loop that loaded them)."""
        loader, self._pictures = self._pictures, None
        if loader is not None:
            await loader.aclose()

    def clear_image_cache(self) -> tuple[int, int]:
        """Empty the pictures' cache: (files, bytes) removed."""
        return self.image_cache.clear()

    def image_cache_size(self) -> int:
        """Bytes the pictures' cache holds."""
        return self.image_cache.size()

    async def discover_feeds(self, url: str) -> list[FeedLink]:
        """The feeds at a site's address (or ``[url]`` when it is a feed itself); raises
        :class:`~tui.core.errors.DiscoveryError` with a sentence when there are none."""
        # Imported here for the reason refresh gives: httpx is slow to import.
        from tui.core.fetch.http import Fetcher
        from tui.core.subscriptions.discover import discover

        async with Fetcher(self.settings.fetch) as fetcher:
            return await discover(normalise_feed_url(url), fetcher)


def _clock(now: datetime | None) -> Callable[[], datetime]:
    """A refresh's clock: the time given, else the real one."""
    if now is None:
        return utcnow
    fixed = now
    return lambda: fixed


def _list_filter(
    topic: str | None, unread: bool, bookmarked: bool, sentiment: str | None, with_hidden: bool
) -> StoryFilter:
    return StoryFilter(
        topic_slug=_slug(topic),
        unread_only=unread,
        bookmarked_only=bookmarked,
        sentiment=sentiment,
        with_hidden=with_hidden,
    )


def _view_queries(views: Sequence[View], with_hidden: bool) -> list[story_queries.ViewQuery]:
    """The views' queries compiled both ways: filters as sets (counts, rare views) and
    checked per story (walks along the list order)."""
    now = utcnow()
    compiled: list[story_queries.ViewQuery] = []
    for view in views:
        try:
            sets = compile_query(view.query, now=now, with_hidden=with_hidden)
            per_row = compile_query(view.query, now=now, with_hidden=with_hidden, per_row=True)
            compiled.append(story_queries.ViewQuery(view.name, sets, per_row=per_row))
        except SearchQueryError:
            compiled.append(story_queries.ViewQuery(view.name, None, "query unreadable"))
    return compiled


def _slug(topic: str | None) -> str | None:
    """A topic given by name or slug, as its slug."""
    return Topic.from_name(topic).slug if topic else None
