"""One enclosure's transfer to disk: streamed, resumable, capped, and never overwriting.

The bytes go into a hidden partial file in the target folder (a name we make, opened
without following a symbolic link), and only a finished file is published under its real
name, with a hard link that fails rather than replace anything (``Name (2).mp3`` then).
A resume asks for the rest (``Range``) only if the file is still the one begun
(``If-Range`` with the first answer's ETag or Last-Modified); a server that ignores that
sends it whole and the partial file starts over.

What happens to the partial file when something goes wrong:

* the network or the server fails mid-way: kept, with its validators, for a resume
  (:class:`DownloadError` with ``resumable``);
* a refusal (too large, not enough room, a redirect to ``file:``), a full disk, or a
  cancel (asyncio task cancellation): removed, unless the canceller asks to keep it
  (``keep_on_cancel``: quitting the app is not giving up on the download).

Disk writes run in a thread, in megabyte batches: a slow disk never stalls the event loop
the terminal UI draws from. Every failure is one sentence; no server text is repeated
except a cleaned URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import os
import re
import shutil
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

from tui.core.errors import NewstermError
from tui.core.fetch.http import USER_AGENT, httpx
from tui.core.media import partfile
from tui.core.settings import FetchSettings
from tui.core.text.hygiene import clean_line
from tui.core.text.urls import OPENABLE_SCHEMES

__all__ = [
    "FREE_SPACE_MARGIN",
    "MAX_REDIRECTS",
    "DownloadError",
    "ProgressCallback",
    "ResponseCallback",
    "Target",
    "Validators",
    "download",
]

MAX_REDIRECTS = 5
#: Room left over on the disk beyond the file itself: a download that would fill the disk
#: to the last byte is refused before it starts, not when the disk is full.
FREE_SPACE_MARGIN = 1024 * 1024
_WRITE_BATCH = 1024 * 1024
_CONTENT_RANGE = re.compile(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*", re.IGNORECASE)
_UNSATISFIED_RANGE = re.compile(r"\s*bytes\s+\*/(\d+)\s*", re.IGNORECASE)
_FULL = (errno.ENOSPC, errno.EDQUOT)

ProgressCallback = Callable[[int, int | None], None]
"""``(bytes in the file so far, whole size or None)``, after each piece received."""


class DownloadError(NewstermError):
    """A download that did not finish; ``str()`` is the sentence for the user.
    ``resumable``: the partial file was kept and a resume continues from it."""

    def __init__(self, message: str, *, resumable: bool = False) -> None:
        super().__init__(message)
        self.resumable = resumable


@dataclass(frozen=True, slots=True)
class Validators:
    """What identifies the file on the server, from its first answer."""

    etag: str | None = None
    last_modified: str | None = None

    @property
    def if_range(self) -> str | None:
        # A weak ETag may not stand in If-Range (RFC 9110 13.1.5): the date then.
        if self.etag and not self.etag.startswith("W/"):
            return self.etag
        return self.last_modified or None


ResponseCallback = Callable[[Validators, int | None], Awaitable[None]]
"""Awaited once the server's answer is accepted, before any byte is written: its
validators and the whole size, to be saved for a resume."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where a download goes: the folder, the file's name there (from
    :func:`tui.core.media.names.file_name`) and the partial file's (hidden, ours)."""

    folder: Path
    name: str
    part: str

    @property
    def part_path(self) -> Path:
        return self.folder / self.part


async def download(
    url: str,
    target: Target,
    *,
    fetch: FetchSettings,
    max_bytes: int,
    resume: Validators | None = None,
    progress: ProgressCallback | None = None,
    on_response: ResponseCallback | None = None,
    keep_on_cancel: Callable[[], bool] = lambda: False,
) -> Path:
    """Download ``url`` into ``target.folder``; returns the file's path (its name or a
    numbered one). ``resume``: continue the partial file, if the server still has the
    same file. Raises :class:`DownloadError`; cancelling removes the partial file."""
    if urlsplit(url).scheme.lower() not in OPENABLE_SCHEMES:
        raise DownloadError(f"newsterm downloads only http and https addresses, not {_shown(url)}.")
    run = _Run(url, target, fetch, max_bytes, progress, on_response, keep_on_cancel)
    try:
        return await run.go(resume)
    except asyncio.CancelledError:
        run.keep = keep_on_cancel()
        raise
    except DownloadError as error:
        run.keep = error.resumable
        raise
    except httpx.HTTPError as error:
        run.keep = True
        raise DownloadError(_network_sentence(url, error, run.received), resumable=True) from None
    except httpx.InvalidURL:
        raise DownloadError(f"Cannot download {_shown(url)}: the address is not valid.") from None
    except OSError as error:
        raise DownloadError(_disk_sentence(target.folder, error, run.received)) from None
    finally:
        await run.close()


T = TypeVar("T")


async def _off_loop(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in a thread. Cancelled, it still waits for the thread to be
    done with the file (a thread cannot be stopped), so that what the caller does next
    (close it, remove it) does not race a write."""
    future = asyncio.ensure_future(asyncio.to_thread(function, *args))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await future
        raise


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


class _Run:
    """One attempt at a download, and what it holds (connection, partial file)."""

    def __init__(
        self,
        url: str,
        target: Target,
        fetch: FetchSettings,
        max_bytes: int,
        progress: ProgressCallback | None,
        on_response: ResponseCallback | None,
        keep_on_cancel: Callable[[], bool],
    ) -> None:
        self.url = url
        self.keep_on_cancel = keep_on_cancel
        self.target = target
        self.max_bytes = max_bytes
        self.progress = progress
        self.on_response = on_response
        self.received = 0  # bytes in the partial file, counting what a resume kept
        self.keep = False  # keep the partial file when this run ends without the file
        self.done = False
        self._fd: int | None = None
        # httpx's own transport, not a client: no cookie jar, no proxy from the
        # environment, redirects followed here so that each hop is checked.
        self._transport = httpx.AsyncHTTPTransport(verify=_tls())
        self._response: httpx.Response | None = None
        timeout = httpx.Timeout(fetch.read_timeout, connect=fetch.connect_timeout, pool=None)
        self._extensions = {"timeout": timeout.as_dict()}

    async def go(self, resume: Validators | None) -> Path:
        await _off_loop(partfile.make_folder, self.target.folder)
        offset = 0
        if resume is not None and resume.if_range is not None:
            offset = await _off_loop(partfile.resumable_size, self.target.part_path)
        start, total = await self._answer(offset, resume)
        if start > 0 and start == total:  # the partial file was the whole file already
            self.received = start
            return await self._publish()
        await self._check_room(start, total)
        if self.on_response is not None:
            await self.on_response(self._validators(start, resume), total)
        self._fd = await _off_loop(partfile.open_part, self.target.part_path, start)
        self.received = start
        if self.progress is not None:
            self.progress(start, total)
        await self._stream(total)
        return await self._publish()

    def _validators(self, start: int, resume: Validators | None) -> Validators:
        """The answer's validators; a piece (206) without them is still the file that
        ``resume``'s identified."""
        assert self._response is not None
        headers = self._response.headers
        found = Validators(headers.get("etag"), headers.get("last-modified"))
        if start > 0 and resume is not None:
            return Validators(
                found.etag or resume.etag, found.last_modified or resume.last_modified
            )
        return found

    async def _answer(self, offset: int, resume: Validators | None) -> tuple[int, int | None]:
        """Ask for the file (the rest of it when ``offset``); ``(where the body starts,
        whole size or None)``, with ``self._response`` open on the body."""
        ranged = offset > 0 and resume is not None
        response = await self._get(offset if ranged else 0, resume if ranged else None)
        code = response.status_code
        if ranged and code == 206:
            found = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
            if found is not None and int(found[1]) == offset:
                return offset, None if found[3] == "*" else int(found[3])
        elif ranged and code == 416:
            whole = _UNSATISFIED_RANGE.fullmatch(response.headers.get("content-range", ""))
            if whole is not None and int(whole[1]) == offset:
                return offset, offset
        elif code == 200:
            return 0, _content_length(response)
        if not ranged or code not in (206, 416):
            raise DownloadError(_status_sentence(self.url, code), resumable=code >= 500)
        # A piece other than the one asked for, or a range the file no longer has: the
        # whole file again, from the start.
        response = await self._get(0, None)
        if response.status_code != 200:
            code = response.status_code
            raise DownloadError(_status_sentence(self.url, code), resumable=code >= 500)
        return 0, _content_length(response)

    async def _get(self, offset: int, resume: Validators | None) -> httpx.Response:
        """GET with redirects followed (http(s) only, at most :data:`MAX_REDIRECTS`);
        the answer that is not a redirect, its body unread."""
        await self._close_response()
        headers = [
            ("User-Agent", USER_AGENT),
            ("Accept", "*/*"),
            ("Accept-Encoding", "identity"),  # the file's own bytes, which a range counts
        ]
        if resume is not None and resume.if_range is not None:
            headers += [("Range", f"bytes={offset}-"), ("If-Range", resume.if_range)]
        current = self.url
        for _hop in range(MAX_REDIRECTS + 1):
            request = httpx.Request("GET", current, headers=headers, extensions=self._extensions)
            response = self._response = await self._transport.handle_async_request(request)
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            location = response.headers.get("location", "")
            await self._close_response()
            if not location:
                raise DownloadError(
                    f"The server redirected the download of {_shown(self.url)} nowhere."
                )
            target = urljoin(current, location)
            if urlsplit(target).scheme.lower() not in OPENABLE_SCHEMES:
                raise DownloadError(
                    f"The server redirected the download to {_shown(target)}, which is not "
                    "an http or https address; it was not followed."
                )
            current = target
        raise DownloadError(
            f"The download of {_shown(self.url)} was redirected more than {MAX_REDIRECTS} "
            "times; it was given up."
        )

    async def _check_room(self, start: int, total: int | None) -> None:
        assert self._response is not None
        if total is not None and total > self.max_bytes:
            raise DownloadError(
                f"The file is {_size(total)}, over the {_size(self.max_bytes)} that newsterm "
                "downloads ([media] max_download_mb); it was not downloaded."
            )
        encoding = self._response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise DownloadError(
                f"The server sent the file compressed ({clean_line(encoding)[:40]}), "
                "which newsterm does not download."
            )
        needed = (total - start if total is not None else 0) + FREE_SPACE_MARGIN
        free = (await _off_loop(shutil.disk_usage, self.target.folder)).free
        if free < needed:
            # Whatever a resume has kept stays: more room, and it continues.
            raise DownloadError(
                f"Not enough room in {self.target.folder}: the download needs "
                f"{_size(needed - FREE_SPACE_MARGIN)} and {_size(free)} is free.",
                resumable=start > 0,
            )

    async def _stream(self, total: int | None) -> None:
        assert self._response is not None and self._fd is not None
        batch = bytearray()
        try:
            # As they arrive, not in fixed sizes: httpx holds back a short piece until the
            # next, and loses it when the connection breaks, where a resume wants it.
            async for chunk in self._response.aiter_raw():
                self.received += len(chunk)
                if self.received > self.max_bytes:
                    raise DownloadError(
                        f"The file is larger than the {_size(self.max_bytes)} that newsterm "
                        "downloads ([media] max_download_mb); it was stopped and removed."
                    )
                batch += chunk
                if len(batch) >= _WRITE_BATCH:
                    await _off_loop(partfile.write_all, self._fd, bytes(batch))
                    batch.clear()
                if self.progress is not None:
                    self.progress(self.received, total)
        except (httpx.HTTPError, asyncio.CancelledError) as stopped:
            # What arrived is kept for a resume: onto the disk with it first.
            if batch and (isinstance(stopped, httpx.HTTPError) or self.keep_on_cancel()):
                await _off_loop(partfile.write_all, self._fd, bytes(batch))
            raise
        if batch:
            await _off_loop(partfile.write_all, self._fd, bytes(batch))
        if total is not None and self.received < total:
            raise DownloadError(
                f"The server stopped sending after {_size(self.received)} of "
                f"{_size(total)}; resume the download to get the rest.",
                resumable=True,
            )

    async def _publish(self) -> Path:
        await self._close_response()
        fd, self._fd = self._fd, None
        if fd is not None:
            await _off_loop(partfile.sync_and_close, fd)
        path = await _off_loop(
            partfile.publish, self.target.folder, self.target.name, self.target.part_path
        )
        self.done = True
        return path

    async def _close_response(self) -> None:
        response, self._response = self._response, None
        if response is not None:
            await response.aclose()

    async def close(self) -> None:
        """Let go of the connection and the partial file; remove that file unless the
        run is done or it is to be kept."""
        with contextlib.suppress(httpx.HTTPError):
            await self._close_response()
        with contextlib.suppress(httpx.HTTPError):
            await self._transport.aclose()
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
        if not (self.done or self.keep):
            await _off_loop(partfile.remove, self.target.part_path)


# -- the file system, run in a thread -------------------------------------------------

# -- sentences ------------------------------------------------------------------------


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def _shown(url: str) -> str:
    """A URL from a feed or a server, fit to be shown: one line, and not a page long."""
    text = clean_line(url)
    return text if len(text) <= 100 else text[:99] + "…"


def _size(count: int) -> str:
    if count < 1024 * 1024:
        return f"{max(count, 0) / 1024:.0f} KB"
    if count < 1024 * 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{count / (1024 * 1024 * 1024):.2f} GB"


def _host(url: str) -> str:
    return clean_line(urlsplit(url).hostname or "") or "the server"


def _status_sentence(url: str, code: int) -> str:
    host = _host(url)
    if code in (404, 410):
        return f"The file is no longer at its address on {host} (HTTP {code})."
    if code in (401, 403):
        return f"{host} refuses access to the file (HTTP {code})."
    if code == 429:
        return f"{host} asks newsterm to slow down (HTTP 429); try again later."
    if code >= 500:
        return f"{host} failed (HTTP {code}); try the download again later."
    return f"{host} answered HTTP {code} instead of sending the file."


def _network_sentence(url: str, error: httpx.HTTPError, received: int) -> str:
    host = _host(url)
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        return f"Could not connect to {host}; try the download again later."
    got = f" after {_size(received)}" if received else ""
    if isinstance(error, httpx.TimeoutException):
        return f"{host} stopped sending{got}; resume the download to continue."
    return f"The connection to {host} broke{got}; resume the download to continue."


def _disk_sentence(folder: Path, error: OSError, received: int) -> str:
    if error.errno in _FULL:
        return (
            f"The disk holding {folder} is full ({_size(received)} received); the partial "
            "file was removed. Free some space and download again."
        )
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"Cannot write in {folder}; choose another folder with [media] downloads."
    if error.errno == errno.ELOOP:
        return f"The partial file in {folder} is a symbolic link; it was not followed."
    reason = (error.strerror or type(error).__name__).lower()
    return f"Cannot save the download in {folder} ({reason})."
