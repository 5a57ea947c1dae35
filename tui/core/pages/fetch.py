"""Reader mode in the main process: which stories want their page, and fetching pages.

Pages are fetched with the feeds' etiquette (:class:`~tui.core.fetch.http.Fetcher`: timeouts,
a size cap, http(s) only, no cookies) under reader mode's own limits, then extracted,
judged (``verified=``) and stored by a worker process (:mod:`tui.core.pages.jobs`).
Nothing here blocks an event loop: SQLite runs in threads, extraction in the pool.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Callable, Sequence

from tui.core.errors import WorkerLostError
from tui.core.fetch.http import Fetcher, FetchKind
from tui.core.models import ArticleOutcome, FullText
from tui.core.pages.notes import page_fetch_note
from tui.core.settings import Settings
from tui.core.store import pages as article_queries
from tui.core.store.database import Database
from tui.core.text.dates import utcnow
from tui.core.text.urls import openable_url
from tui.core.text.words import word_count
from tui.core.workers.pool import WorkerPool
from tui.core.workers.tasks import PageRequest

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.3"
PAGE_WORKER_LOST = (
    "The page could not be read: the worker process reading it stopped unexpectedly twice "
    "(out of memory, or killed); try again."
)
_TAG = re.compile(r"<[^<>]*>")  # not [^>]*: "<" * 50_000 would take seconds

#: Called after each story's page: ``(done, total, outcome)``.
PageProgress = Callable[[int, int, ArticleOutcome], None]


def feed_word_count(summary: str, content_html: str) -> int:
    """About how many words the feed gave a story: a quick strip, enough to tell "short".
    CJK characters count as readers read them (:func:`tui.core.text.words.word_count`)."""
    body = content_html if len(content_html) >= len(summary) else summary
    return word_count(_TAG.sub(" ", body))


def stories_wanting_pages(db: Database, story_ids: Sequence[int], min_words: int) -> list[int]:
    """Those stories whose page is not stored and whose feed wants it: a feed set to
    ``always`` for every story, one set to ``auto`` when the story's feed text is under
    ``min_words`` (0: never), one set to ``never`` not at all."""
    if not story_ids:
        return []
    return [
        story_id
        for story_id, link, summary, body, full_text in db.read(
            article_queries.bodies_without_article, story_ids
        )
        if openable_url(link)
        and (
            full_text == FullText.ALWAYS
            or (
                full_text == FullText.AUTO
                and min_words > 0
                and feed_word_count(summary, body) < min_words
            )
        )
    ]


class PageFetch:
    """Fetch, extract and store the pages of some stories, a few at a time."""

    def __init__(self, db: Database, settings: Settings, pool: WorkerPool) -> None:
        self._db = db
        self._settings = settings
        self._pool = pool

    async def run(
        self,
        story_ids: Sequence[int],
        *,
        force: bool = False,
        concurrency: int | None = None,
        progress: PageProgress | None = None,
    ) -> list[ArticleOutcome]:
        options = self._settings.articles
        fetch_settings = dataclasses.replace(
            self._settings.fetch, max_body_mb=options.max_page_mb, deadline=options.deadline
        )
        slots = asyncio.Semaphore(max(1, concurrency or options.prefetch_concurrency))
        done = 0

        async def one(fetcher: Fetcher, story_id: int) -> ArticleOutcome:
            nonlocal done
            async with slots:
                outcome = await self._one(fetcher, story_id, force)
            done += 1
            if progress is not None:
                progress(done, len(story_ids), outcome)
            return outcome

        async with Fetcher(fetch_settings, noun="page") as fetcher:
            return list(await asyncio.gather(*(one(fetcher, i) for i in story_ids)))

    async def _one(self, fetcher: Fetcher, story_id: int, force: bool) -> ArticleOutcome:
        facts = await asyncio.to_thread(self._db.read, article_queries.page_request_facts, story_id)
        if facts is None:
            return ArticleOutcome(story_id, False, f"No story has id {story_id}.", skipped=True)
        link, title, feed_url = facts
        if not force and await asyncio.to_thread(
            self._db.read, article_queries.has_article, story_id
        ):
            return ArticleOutcome(story_id, True, skipped=True)
        url = openable_url(link)
        if url is None:
            return ArticleOutcome(
                story_id,
                False,
                "This story has no web page to read: its link is not an http(s) address.",
                skipped=True,
            )
        result = await fetcher.fetch(url, accept=PAGE_ACCEPT)
        if result.kind is not FetchKind.OK:
            note = page_fetch_note(result)  # the fetcher's HTTP sentences are a feed's
            if not result.network_error:  # offline is not the page's fault: try again later
                await asyncio.to_thread(
                    self._db.write,
                    article_queries.save_failure,
                    story_id,
                    url=url,
                    note=note,
                    now=utcnow(),
                )
            return ArticleOutcome(story_id, False, note, network_error=result.network_error)
        request = PageRequest(
            library=str(self._db.path),
            story_id=story_id,
            body=result.body,
            final_url=result.final_url or url,
            headers=dict(result.headers),
            feed_url=feed_url,
            story_title=title,
        )
        try:
            # The job itself, not a wrapper here: a worker unpickling a function imports
            # its module, and this one imports httpx, which workers never need.
            from tui.core.pages.jobs import store_page

            extracted = self._pool.submit(store_page, request)
            ok, note, words = await asyncio.wrap_future(extracted)
        except WorkerLostError:  # not the page's doing: nothing is stored against it
            return ArticleOutcome(story_id, False, PAGE_WORKER_LOST)
        return ArticleOutcome(story_id, ok, note, words=words)
