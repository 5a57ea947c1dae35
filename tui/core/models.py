"""Plain data the core hands to its clients: frozen dataclasses, no behaviour that does I/O.

All datetimes are timezone-aware and in UTC. Every string field holds text that was
cleaned at ingest (see :mod:`tui.core.text.hygiene`); it is still *data*, never markup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

DEFAULT_TOPIC = "General"


def slugify(text: str) -> str:
    """``"Artificial Intelligence"`` → ``"artificial-intelligence"``; never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80] or "general"


@dataclass(frozen=True, slots=True)
class Topic:
    """The group a feed is listed under: a display name and its slug."""

    name: str
    slug: str

    @classmethod
    def from_name(cls, name: str | None) -> Topic:
        name = (name or "").strip() or DEFAULT_TOPIC
        return cls(name=name, slug=slugify(name))


class FeedStatus(StrEnum):
    """Where a feed stands after its last refresh."""

    NEW = "new"  # never fetched
    OK = "ok"
    ERROR = "error"  # failed; retried after a back-off (``next_retry``)
    WAITING = "waiting"  # the server asked us to come back later (429/503 Retry-After)
    GONE = "gone"  # 410: no longer polled, stories kept


class FullText(StrEnum):
    """When reader mode reads a feed's stories from their web pages."""

    AUTO = "auto"  # when the feed's text is short (``articles.min_words``)
    ALWAYS = "always"  # whatever the feed's text
    NEVER = "never"  # only when asked (F in the reader, ``show --full``)


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription, with its state, its settings and story counts."""

    id: int
    url: str
    title: str
    topic: Topic
    tags: tuple[str, ...] = ()
    site_url: str = ""
    status: FeedStatus = FeedStatus.NEW
    last_error: str = ""
    next_retry: datetime | None = None
    last_fetched: datetime | None = None
    unread: int = 0
    total: int = 0
    account: str | None = None  # the sync account it belongs to; None for a local feed
    #: The user's interval, in minutes (None: the feed's own hint, else every refresh).
    every_minutes: int | None = None
    #: The feed's own hint (``<ttl>``, ``sy:updatePeriod``, ``Cache-Control``), in minutes.
    hint_minutes: int | None = None
    full_text: FullText = FullText.AUTO
    paused: bool = False
    last_ok: datetime | None = None  # the last fetch that ended well

    @property
    def interval_minutes(self) -> int | None:
        """Minutes between fetches: the user's interval, else the feed's hint; None when
        every refresh fetches it."""
        return self.every_minutes or self.hint_minutes

    @property
    def next_due(self) -> datetime | None:
        """When its interval has passed since its last good fetch; None when the next
        refresh may fetch it (no interval, or never fetched well)."""
        minutes = self.interval_minutes
        if minutes is None or self.last_ok is None:
            return None
        return self.last_ok + timedelta(minutes=minutes)


@dataclass(frozen=True, slots=True)
class Account:
    """A sync account: a server that holds some of the user's subscriptions and marks.

    Its secret (token or key) is not here: it lives in the credentials file only."""

    id: int
    name: str
    api: str  # greader | miniflux | fever
    url: str
    user: str
    added_at: datetime | None = None
    last_sync: datetime | None = None
    last_error: str = ""
    feeds: int = 0
    queued: int = 0  # marks and feed changes the server has not been told of yet


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync of one account did; ``error`` is the sentence when it failed."""

    account: str
    new: int = 0  # stories that came from the server
    pulled: int = 0  # marks the server changed here
    pushed: int = 0  # marks and feed changes the server took
    queued: int = 0  # still waiting for the server
    seconds: float = 0.0
    error: str = ""
    requests: int = 0
    offline: bool = False  # the error is that the server could not be reached
    notes: tuple[str, ...] = ()  # changes the server refused for good (kept here)

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file a story carries (a podcast episode, a video), as its feed describes it; every
    field cleaned (:mod:`tui.core.parse.enclosures`).

    Podcasting 2.0's episode extras travel in the same list, after the files, each with a
    ``rel``: ``"transcript"`` (``<podcast:transcript>``, ``language`` said), ``"chapters"``
    (``<podcast:chapters>``) and ``"artwork"`` (``<itunes:image>``, or an episode's
    ``<media:thumbnail>``). Their type is never audio or video, so nothing takes one for
    an episode to play; :attr:`kind` says ``rel`` for them.
    """

    url: str  # http(s) only
    type: str = ""  # a media type, lower-case ("audio/mpeg"); "" when the feed gave none
    length: int | None = None  # bytes, as the feed claims them
    duration: int | None = None  # seconds
    title: str = ""
    rel: str = ""  # "" for a file; "transcript", "chapters" or "artwork" for an extra
    language: str = ""  # a transcript's language tag ("en", "pt-BR"), when the feed says

    @property
    def kind(self) -> str:
        """ "audio", "video", "image", or "file" for anything else; an extra's ``rel``."""
        if self.rel:
            return self.rel
        major = self.type.split("/", 1)[0]
        return major if major in ("audio", "video", "image") else "file"


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry as read from a feed document, before it is stored."""

    key: str  # identity within its feed: guid, else link, else a hash of title and date
    title: str
    link: str = ""
    guid: str = ""
    summary: str = ""  # plain text
    content_html: str = ""  # the fullest HTML body the feed carries
    author: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed document turned into plain data; ``warnings`` say what could not be read."""

    title: str
    site_url: str = ""
    version: str = ""
    entries: tuple[ParsedEntry, ...] = ()
    warnings: tuple[str, ...] = ()
    #: How often the feed asks to be fetched, in minutes (``<ttl>``, ``sy:updatePeriod``,
    #: ``Cache-Control: max-age``; see :mod:`tui.core.parse.hints`); None when it does not.
    hint_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """A story in the library. ``content_html`` is only filled when one story is asked for."""

    id: int
    feed_id: int | None  # None once its feed was removed (kept because it is bookmarked)
    feed_title: str
    topic: Topic
    title: str
    link: str
    summary: str
    published: datetime | None
    first_seen: datetime
    read: bool = False
    read_at: datetime | None = None
    bookmarked: bool = False
    bookmarked_at: datetime | None = None
    author: str = ""
    guid: str = ""
    content_html: str = ""
    feed_url: str = ""
    #: True/False once the story's page was fetched and compared with the feed (see
    #: :mod:`tui.core.pages.verify`), None until then; the note says why.
    verified: bool | None = None
    verified_note: str = ""
    #: "positive", "neutral" or "negative"; None until computed.
    sentiment: str | None = None
    #: The other feeds that carried this same story (their copies are not listed).
    sources: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()

    @property
    def sort_date(self) -> datetime:
        """The date the story sorts by: published when known and believable, else first seen."""
        return self.published or self.first_seen


class FeedOutcome(StrEnum):
    """What happened to one feed in a refresh."""

    UPDATED = "updated"  # fetched and parsed
    NOT_MODIFIED = "not-modified"  # 304
    UNCHANGED = "unchanged"  # 200 with the same body as last time: not parsed again
    FAILED = "failed"
    WAITING = "waiting"  # skipped, or told to wait by 429/503
    GONE = "gone"
    SKIPPED = "skipped"  # in back-off or gone: not fetched this time
    NOT_DUE = "not-due"  # its interval has not passed since its last good fetch
    PAUSED = "paused"  # the user paused it: never fetched until resumed


@dataclass(frozen=True, slots=True)
class FeedRefresh:
    """The result of refreshing one feed."""

    feed_id: int
    url: str
    title: str
    outcome: FeedOutcome
    new_stories: int = 0
    error: str = ""
    warnings: tuple[str, ...] = ()
    network_error: bool = False  # DNS, connection, TLS, timeout: the machine may be offline

    @property
    def failed(self) -> bool:
        return self.outcome in (FeedOutcome.FAILED, FeedOutcome.GONE, FeedOutcome.WAITING)


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """A whole refresh: one :class:`FeedRefresh` per feed considered, and the time it took."""

    feeds: tuple[FeedRefresh, ...] = ()
    seconds: float = 0.0
    #: What went wrong that was no feed's doing and left feeds unstored (a full disk, worker
    #: processes lost twice), one sentence each, for the summary.
    problems: tuple[str, ...] = ()
    #: What went wrong and was mended (a worker lost once, and its feeds stored after all).
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> int:
        return sum(1 for f in self.feeds if f.outcome in _FETCHED_WELL)

    @property
    def failed(self) -> tuple[FeedRefresh, ...]:
        return tuple(f for f in self.feeds if f.failed)

    @property
    def skipped(self) -> int:
        return sum(1 for f in self.feeds if f.outcome is FeedOutcome.SKIPPED)

    @property
    def not_due(self) -> int:
        """Feeds left alone because their interval has not passed yet."""
        return sum(1 for f in self.feeds if f.outcome is FeedOutcome.NOT_DUE)

    @property
    def paused(self) -> int:
        return sum(1 for f in self.feeds if f.outcome is FeedOutcome.PAUSED)

    @property
    def new_stories(self) -> int:
        return sum(f.new_stories for f in self.feeds)

    @property
    def offline(self) -> bool:
        """True when every fetched feed failed for network reasons."""
        fetched = [f for f in self.feeds if f.outcome not in _NOT_FETCHED]
        return bool(fetched) and all(f.network_error for f in fetched)


_FETCHED_WELL = frozenset({FeedOutcome.UPDATED, FeedOutcome.NOT_MODIFIED, FeedOutcome.UNCHANGED})
_NOT_FETCHED = frozenset({FeedOutcome.SKIPPED, FeedOutcome.NOT_DUE, FeedOutcome.PAUSED})


@dataclass(frozen=True, slots=True)
class Subscription:
    """A feed to subscribe to, as read from an OPML or urls file."""

    url: str
    title: str = ""
    topic: str = ""  # display name; empty means "decide from the feed"
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: feeds added, feeds already there, lines refused and why."""

    added: tuple[Feed, ...] = ()
    existing: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()  # one sentence each, naming the line or outline

    @property
    def summary(self) -> str:
        return (
            f"{len(self.added)} feeds added, {len(self.existing)} already subscribed, "
            f"{len(self.refused)} refused"
        )


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A story found by full-text search, with a plain-text snippet around the match."""

    story: Story
    snippet: str = ""


@dataclass(frozen=True, slots=True)
class Block:
    """One block of an article body, as plain text with its kind.

    ``kind`` is one of ``paragraph``, ``list``, ``ordered``, ``quote``, ``code``,
    ``image``, ``rule``. ``items`` holds list items; ``links`` the (text, url) pairs in it.
    """

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Section:
    """A part of an article's body: a heading (empty for the lead) and its blocks."""

    heading: str
    blocks: tuple[Block, ...] = ()
    level: int = 2


class StoryRow(NamedTuple):
    """A story as a list row: just what a row shows, cheap enough to hold 100k of.

    ``sort_date`` is the ISO text from the library (compare as text; parse only the rows
    on screen).
    """

    id: int
    topic_slug: str
    topic_name: str
    title: str
    feed_title: str
    link: str
    sort_date: str
    read: bool
    bookmarked: bool
    #: The other feeds that carried the same story, comma-separated ("" for most rows).
    also: str = ""
    #: Its feed belongs to a sync account: the row says so.
    synced: bool = False
    #: A hide rule matches it (listed only when hidden stories are shown).
    hidden: bool = False
    #: A highlight rule's colour ("" for none).
    highlight: str = ""
    #: "audio" or "video" when the story carries such a file (a podcast episode), else "".
    media: str = ""


@dataclass(frozen=True, slots=True)
class TopicGroup:
    """One group of a :class:`StoryIndex`: positions ``start`` to ``start + count - 1``."""

    topic: Topic
    start: int
    count: int
    unread: int
    #: A saved search's group (listed above the topics), not a topic's.
    view: bool = False


@dataclass(frozen=True, slots=True)
class StoryIndex:
    """The shape of a list view: its groups and how many stories each holds, without the
    stories. Counts come from kept totals, so this costs the same for a hundred stories or
    a million; the ids of a topic's stories are read a window at a time
    (``Library.story_window``), and their rows only for what is on screen.

    The views' groups come first, positions ``0`` to ``views_end - 1``; their stories are
    read in windows too (``Library.story_window`` with the view's slug), walked along the
    date index and checked against the view's query. A story a view lists is under its
    topic too, further on.
    """

    groups: tuple[TopicGroup, ...]
    views_end: int = 0

    def __len__(self) -> int:
        return self.groups[-1].start + self.groups[-1].count if self.groups else 0


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """A story's web page as reader mode read it: the extracted body, or why there is none."""

    story_id: int
    url: str  # the page, after redirects
    ok: bool
    note: str = ""  # why it failed
    html: str = ""  # the extracted body as simple HTML
    title: str = ""  # the page's own headline
    words: int = 0
    fetched_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ArticleOutcome:
    """What fetching one story's page came to."""

    story_id: int
    ok: bool
    note: str = ""  # a sentence when not ok
    words: int = 0
    #: DNS, connect, TLS or timeout: nothing was stored, a later try may work.
    network_error: bool = False
    #: Not fetched: already stored (and not forced), or the story has no web link.
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class TopicCount:
    """A topic with how many of its stories are unread, and in all."""

    topic: Topic
    unread: int
    total: int
