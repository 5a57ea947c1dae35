"""An episode's transcript and chapters, fetched and read as an article for the reader.

A transcript (WebVTT, SRT, JSON, HTML or text) becomes sections at each speaker and
every few minutes (:func:`~tui.core.media.transcripts.transcript_article`); chapters
become one list, a line each (``12:30 News``), with their links. Both are fetched with
the page etiquette (http(s) only, no cookies, timeouts, a size cap) and read in a worker
process: a transcript can be megabytes of cues (:func:`~tui.core.media.transcripts.
extra_article`, which the worker imports without this module's HTTP).
"""

from __future__ import annotations

import asyncio
import dataclasses

from tui.core.article.sections import Article
from tui.core.errors import NewstermError, WorkerLostError
from tui.core.fetch.http import Fetcher, FetchKind
from tui.core.media.transcripts import MAX_CHAPTERS_BYTES, MAX_TRANSCRIPT_BYTES, extra_article
from tui.core.models import Enclosure
from tui.core.settings import Settings
from tui.core.text.urls import openable_url
from tui.core.workers.pool import WorkerPool

__all__ = ["ExtraError", "read_extra"]

_ACCEPT = {
    "transcript": "text/vtt, application/x-subrip, application/json, text/html;q=0.9, "
    "text/plain;q=0.8, */*;q=0.1",
    "chapters": "application/json+chapters, application/json;q=0.9, */*;q=0.1",
}


class ExtraError(NewstermError):
    """A transcript or chapters that could not be fetched or read; one sentence."""


async def read_extra(settings: Settings, pool: WorkerPool, item: Enclosure) -> Article:
    """Fetch ``item`` (a transcript or chapters) and read it as an article. Raises
    :class:`ExtraError` with a sentence for the user."""
    what = "transcript" if item.rel == "transcript" else "chapters"
    url = openable_url(item.url)
    if url is None:
        raise ExtraError(f"The {what} is not at an http(s) address.")
    cap = MAX_CHAPTERS_BYTES if what == "chapters" else MAX_TRANSCRIPT_BYTES
    fetch_settings = dataclasses.replace(
        settings.fetch,
        max_body_mb=max(1, cap // (1024 * 1024)),
        deadline=settings.articles.deadline,
    )
    async with Fetcher(fetch_settings, noun=what) as fetcher:
        result = await fetcher.fetch(url, accept=_ACCEPT[what])
    if result.kind is not FetchKind.OK:
        raise ExtraError(result.error or f"The {what} could not be fetched.")
    media_type = result.headers.get("content-type", "") or item.type
    try:
        article = await asyncio.wrap_future(
            pool.submit(extra_article, what, result.body, media_type, url)
        )
    except WorkerLostError as error:
        raise ExtraError(str(error)) from None
    if article.word_count == 0:
        raise ExtraError(f"The {what} has nothing newsterm can read in it.")
    return article
