"""Loading a story's pictures for the reader: the cache first, else the network, then a
worker process to decode and scale.

:class:`ImageLoader` is what the UI calls, once per picture it is about to draw:

1. Addresses that are not http(s), known beacons (:func:`is_tracker`) and ``.svg`` files
   are refused before anything is fetched.
2. The cache (:class:`~tui.core.images.cache.ImageCache`) answers with the bytes kept
   from an earlier read, or with a refusal it remembers.
3. Otherwise the picture is fetched with the feeds' etiquette (no cookies, timeouts,
   http(s) redirects only) under the picture size cap and the reader's deadline. The
   Content-Type must be ``image/*`` and not SVG, and the magic bytes must agree that it
   is a picture of a kind we decode (:mod:`.sniff`); the original bytes are then kept.
4. A worker decodes and scales it (:func:`tui.core.images.decode.decode`).

A few pictures are fetched at a time, and one slow server holds up only its own. Two
asks for the same URL at once fetch it once. Nothing here raises for what a server or a
file does: the answer is a :class:`Picture` or a :class:`NoPicture` with a short reason.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from tui.core.errors import WorkerLostError
from tui.core.fetch.http import Fetcher, FetchKind, FetchResult
from tui.core.images import picture as reasons
from tui.core.images.cache import ImageCache
from tui.core.images.picture import NoPicture, Picture
from tui.core.images.sniff import DECODABLE, UNSUPPORTED, sniff
from tui.core.settings import Settings
from tui.core.text.urls import openable_url
from tui.core.workers.pool import WorkerPool

__all__ = ["IMAGE_ACCEPT", "ImageLoader", "NoPicture", "Picture", "is_tracker"]

#: Pictures fetched at once: enough to fill a screen quickly, few enough that a story
#: with sixty pictures does not open sixty connections.
FETCH_CONCURRENCY = 4
IMAGE_ACCEPT = ", ".join(DECODABLE.values()) + ";q=0.8"
#: How long a refusal is remembered. Lasting: what the bytes themselves are. Brief: what
#: may change (a captive portal answers every URL with HTML, a file comes back after a
#: 404, the size cap is a setting).
LASTING = 30 * 24 * 3600.0
BRIEF = 24 * 3600.0
_BRIEF_REASONS = frozenset({reasons.NOT_AN_IMAGE, reasons.TOO_LARGE})
_REMEMBERED_STATUS = frozenset({401, 403, 404, 410})

# -- tracking pixels --------------------------------------------------------------------

# Hosts that serve nothing but beacons, by exact name.
_TRACKER_HOSTS = frozenset(
    {
        "pixel.wp.com",
        "stats.wp.com",
        "stats.wordpress.com",
        "www.google-analytics.com",
        "ssl.google-analytics.com",
        "google-analytics.com",
        "b.scorecardresearch.com",
        "sb.scorecardresearch.com",
        "pixel.quantserve.com",
        "pixel.mathtag.com",
        "bat.bing.com",
        "analytics.twitter.com",
        "px.ads.linkedin.com",
        "ct.pinterest.com",
        "mc.yandex.ru",
        "counter.yadro.ru",
        "eotrx.substackcdn.com",  # Substack's open tracking
        "ir-na.amazon-adsystem.com",  # affiliate impression pixels
    }
)
# Domains whose every host serves beacons or ads.
_TRACKER_DOMAINS = ("doubleclick.net", "2o7.net", "omtrdc.net", "moatads.com")
# Beacons on hosts that also serve real content: host → path prefixes.
_TRACKER_PATHS: dict[str, tuple[str, ...]] = {
    "feeds.feedburner.com": ("/~r/", "/~ff/"),  # click beacons, FeedFlare buttons
    "feeds.feedblitz.com": ("/~/i/",),
    "www.facebook.com": ("/tr",),
    "facebook.com": ("/tr",),
    "medium.com": ("/_/stat",),
    "feeds.wordpress.com": ("/1.0/",),  # share and comment-count buttons
}
# File names that are a pixel wherever they are served from.
_TRACKER_FILES = frozenset(
    {"1x1.gif", "1x1.png", "pixel.gif", "pixel.png", "spacer.gif", "blank.gif", "clear.gif"}
)


def is_tracker(url: str) -> bool:
    """True when ``url`` is a known beacon: a host or path that counts readers rather than
    showing them anything. (Pixels sized 1×1 in the HTML are dropped by the article
    parser; ones decoded at 1×1 or 2×2 by :func:`tui.core.images.decode.decode`.)"""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if host in _TRACKER_HOSTS or any(
        host == domain or host.endswith("." + domain) for domain in _TRACKER_DOMAINS
    ):
        return True
    path = parts.path
    if path.startswith(_TRACKER_PATHS.get(host, ())):
        return True
    return path.rpartition("/")[2].lower() in _TRACKER_FILES


def _is_svg_address(url: str) -> bool:
    return urlsplit(url).path.lower().endswith((".svg", ".svgz"))


# -- the loader ------------------------------------------------------------------------


class _Busy:
    """A URL being loaded: its lock, and how many loads hold or wait for it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class ImageLoader:
    """Pictures by URL for one event loop; see the module's docstring. Close with
    :meth:`aclose` (its connections)."""

    def __init__(
        self,
        settings: Settings,
        cache: ImageCache,
        pool: WorkerPool,
        *,
        concurrency: int = FETCH_CONCURRENCY,
    ) -> None:
        self._cache = cache
        self._pool = pool
        # The feeds' etiquette under the pictures' limits: the size cap is [ui]
        # max_image_mb, and a picture may take as long as the page it is on.
        self._fetch_settings = dataclasses.replace(
            settings.fetch,
            max_body_mb=settings.ui.max_image_mb,
            deadline=settings.articles.deadline,
            max_connections=concurrency,
        )
        self._fetch_slots = asyncio.Semaphore(concurrency)
        # Decodes waiting in the main process hold their bytes (up to the size cap each):
        # no more wait than there are workers to take them.
        self._decode_slots = asyncio.Semaphore(max(1, pool.workers))
        self._fetcher: Fetcher | None = None
        self._busy: dict[str, _Busy] = {}
        self._closed = False

    async def load(self, url: str, max_width: int, max_height: int) -> Picture | NoPicture:
        """``url``'s picture scaled to fit ``max_width`` × ``max_height`` pixels, or why
        there is none."""
        address = openable_url(url)
        if address is None:
            return NoPicture(reasons.NOT_WEB)
        if is_tracker(address):
            return NoPicture(reasons.TRACKER)
        if _is_svg_address(address):
            return NoPicture(reasons.SVG)
        async with self._only_one(address):
            found = await self._original(address)
        if isinstance(found, NoPicture):
            return found
        data, kind = found
        return await self._decode(address, data, kind, max_width, max_height)

    async def aclose(self) -> None:
        """Close the connections; loads after this answer "not loaded"."""
        self._closed = True
        fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            await fetcher.__aexit__(None, None, None)

    # -- steps -------------------------------------------------------------------------

    @asynccontextmanager
    async def _only_one(self, url: str) -> AsyncIterator[None]:
        """One load of ``url`` at a time: the second finds the first's bytes cached."""
        busy = self._busy.setdefault(url, _Busy())
        busy.users += 1
        try:
            async with busy.lock:
                yield
        finally:
            busy.users -= 1
            if not busy.users:
                del self._busy[url]

    async def _original(self, url: str) -> tuple[bytes, str] | NoPicture:
        """The picture's original bytes and kind, from the cache or the network."""
        if self._closed:
            return NoPicture(reasons.CLOSED)
        kept, refused = await asyncio.to_thread(_look_up, self._cache, url)
        if refused is not None:
            return NoPicture(refused)
        if kept is not None and (kind := sniff(kept)) in DECODABLE:
            return kept, kind
        async with self._fetch_slots:
            if self._closed:
                return NoPicture(reasons.CLOSED)
            result = await self._open_fetcher().fetch(url, accept=IMAGE_ACCEPT)
        if result.kind is not FetchKind.OK:
            failure = _fetch_failure(result)
            if result.status_code in _REMEMBERED_STATUS or failure.reason == reasons.TOO_LARGE:
                await self._remember(url, failure)
            return failure
        checked = _kind(result)
        if isinstance(checked, NoPicture):
            await self._remember(url, checked)
            return checked
        await asyncio.to_thread(self._cache.put, url, result.body)
        return result.body, checked

    async def _decode(
        self, url: str, data: bytes, kind: str, max_width: int, max_height: int
    ) -> Picture | NoPicture:
        # Imported here, not at the top: the UI imports this module at start, and pickle
        # names the function by its module (which imports no Pillow either).
        from tui.core.images.decode import decode

        async with self._decode_slots:
            try:
                # From a thread: submitting blocks while the pool starts a worker.
                task = await asyncio.to_thread(
                    self._pool.submit, decode, data, kind, max_width, max_height
                )
                outcome = await asyncio.wrap_future(task)
            except WorkerLostError:  # killed twice, or the pool closed: not the picture's fault
                return NoPicture(reasons.WORKER_LOST)
        if isinstance(outcome, NoPicture):
            await self._remember(url, outcome)  # replaces the kept bytes: no use for them
        return outcome

    async def _remember(self, url: str, refusal: NoPicture) -> None:
        lasting = refusal.reason not in _BRIEF_REASONS and not refusal.reason.startswith("HTTP")
        await asyncio.to_thread(
            self._cache.refuse, url, refusal.reason, for_seconds=LASTING if lasting else BRIEF
        )

    def _open_fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher(self._fetch_settings, noun="picture")
        return self._fetcher


def _look_up(cache: ImageCache, url: str) -> tuple[bytes | None, str | None]:
    kept = cache.get(url)
    return kept, (cache.refused(url) if kept is None else None)


def _kind(result: FetchResult) -> str | NoPicture:
    """The sniffed kind of a fetched body, or why it is not shown. The Content-Type must
    say image (not SVG), and the bytes must agree; the bytes choose the decoder."""
    mime = result.headers.get("content-type", "").partition(";")[0].strip().lower()
    kind = sniff(result.body)
    if kind == "svg" or mime.startswith("image/svg"):
        return NoPicture(reasons.SVG)
    if not mime.startswith("image/"):
        return NoPicture(reasons.NOT_AN_IMAGE)
    if kind in DECODABLE:
        return kind
    return NoPicture(reasons.UNSUPPORTED if kind in UNSUPPORTED else reasons.NOT_AN_IMAGE)


def _fetch_failure(result: FetchResult) -> NoPicture:
    """A failed fetch as a placeholder's reason. The fetcher's sentences are written for
    feeds; only what kind of failure it was is kept."""
    if result.status_code is not None:
        return NoPicture(f"HTTP {result.status_code}")
    error = result.error.lower()
    if result.network_error:
        timed_out = any(sign in error for sign in ("took longer", "timed out", "timeout"))
        return NoPicture(reasons.TIMED_OUT if timed_out else reasons.OFFLINE)
    if "too large" in error:
        return NoPicture(reasons.TOO_LARGE)
    return NoPicture(reasons.NOT_FETCHED)
