"""The library's enclosure downloads: starting, resuming, cancelling and listing them.

One :class:`Downloads` lives as long as its library. Each download is an asyncio task on
the loop that started it (the app's, or ``asyncio.run``'s for the command line) running
:func:`tui.core.media.download.download`; its row in the library (schema 9) is written off
the loop, when it starts and ends and about once a second between, so that a process
killed mid-download leaves a row that the next :class:`Downloads` to open turns from
``running`` into ``interrupted``: resumable, from the partial file kept on disk.

Quitting (:meth:`Downloads.close`) or Ctrl-C in :meth:`Downloads.download_now` interrupts
a download and keeps its partial file; :meth:`Downloads.cancel` gives it up and removes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from tui.core.errors import LibraryError
from tui.core.media import partfile
from tui.core.media.download import (
    DownloadError,
    ProgressCallback,
    Target,
    Validators,
    download,
)
from tui.core.media.names import file_name
from tui.core.models import Enclosure
from tui.core.settings import Settings
from tui.core.store import downloads as queries
from tui.core.store.database import Database
from tui.core.store.downloads import DownloadRecord, DownloadState
from tui.core.text.dates import utcnow
from tui.core.text.hygiene import clean_line
from tui.core.text.urls import openable_url

__all__ = ["DownloadError", "DownloadRecord", "DownloadState", "Downloads"]

#: How often a running download's progress is written to the library, in seconds: what
#: a kill -9 can lose of the count (the partial file itself is measured on resume).
SAVE_EVERY = 1.0
#: How often :attr:`Downloads.on_change` hears of progress, in seconds.
TELL_EVERY = 0.2
_GONE = "newsterm stopped before the download ended; resume it to continue."

# The downloads running in this process, by library: a second manager opened on the same
# library (the command line inside the app's process, a test) must not take them for
# orphans of a killed process.
_running_here: set[tuple[str, int]] = set()


@dataclass(eq=False)
class _Live:
    """A running download: its task, and its progress as it stands in memory."""

    record: DownloadRecord
    progress: ProgressCallback | None = None
    task: asyncio.Task[DownloadRecord] | None = None
    keep: bool = False  # when cancelled: keep the partial file (interrupted, not cancelled)
    finishing: bool = False
    received: int = 0
    total: int | None = None
    told_at: float = float("-inf")
    saved_at: float = float("-inf")
    saving: asyncio.Future[None] | None = None

    def snapshot(self) -> DownloadRecord:
        return replace(self.record, received=self.received, total=self.total)


class Downloads:
    """Enclosure downloads into ``directory`` (``[media] downloads`` resolved by the caller),
    recorded in the library ``db``.

    The coroutines run on the caller's event loop and keep SQLite off it; :meth:`listing`
    reads the library and, like the Library's other reads, is for a thread worker.
    ``on_change`` (set it to listen) hears of every start, end and, a few times a second,
    progress, on the loop's thread; it must not raise.
    """

    def __init__(self, db: Database, settings: Settings, directory: Path) -> None:
        self._db = db
        self._settings = settings
        self.directory = directory.expanduser().absolute()
        self.on_change: Callable[[DownloadRecord], None] | None = None
        self._live: dict[int, _Live] = {}
        self._key = str(db.path)
        self._interrupt_orphans()

    # -- starting and stopping --------------------------------------------------------

    async def start(
        self,
        story_id: int | None,
        enclosure: Enclosure,
        title: str,
        *,
        folder: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> int:
        """Start downloading ``enclosure`` (into ``folder``, else the downloads folder) as
        a task on the running loop; returns the download's id at once. The file is named
        after ``title`` (the story's), else the enclosure's own title."""
        url = openable_url(enclosure.url)
        if url is None:
            raise DownloadError("newsterm downloads only http and https addresses.")
        shown = clean_line(title) or clean_line(enclosure.title)
        name = file_name(shown, url, enclosure.type)
        where = folder.expanduser().absolute() if folder is not None else self.directory
        record = await asyncio.to_thread(
            self._db.write,
            queries.add_download,
            story_id=story_id,
            url=url,
            title=shown,
            path=where / name,
            part_for=lambda download_id: where / f".{name}.{download_id}.part",
            pid=os.getpid(),
            now=utcnow(),
        )
        self._launch(record, None, progress)
        return record.id

    async def resume(self, download_id: int, *, progress: ProgressCallback | None = None) -> None:
        """Continue an interrupted download from its partial file (from the start when
        that is gone or the file changed on the server), or start a failed or cancelled
        one again. Nothing happens to one running or done."""
        if download_id in self._live:
            return
        # One left running by a process that died since this manager opened, too.
        await asyncio.to_thread(self._interrupt_orphans)
        record = await asyncio.to_thread(
            self._db.write, queries.restart_download, download_id, os.getpid(), utcnow()
        )
        if record is None:
            found = await asyncio.to_thread(self._db.read, queries.get_download, download_id)
            if found is None:
                raise DownloadError(f"There is no download {download_id}.")
            return
        self._launch(record, Validators(record.etag, record.last_modified), progress)

    def cancel(self, download_id: int) -> bool:
        """Give up a running download: its partial file is removed, its row says
        cancelled. False when it is not running here (or is just ending)."""
        live = self._live.get(download_id)
        if live is None or live.task is None or live.finishing:
            return False
        live.keep = False
        live.task.cancel()
        return True

    async def discard(self, download_id: int) -> bool:
        """Give up an interrupted download that is not running: its partial file is
        removed and it is listed as cancelled. False when there was nothing to give up."""
        if download_id in self._live:
            return self.cancel(download_id)
        record = await asyncio.to_thread(self._db.read, queries.get_download, download_id)
        if record is None or record.state is not DownloadState.INTERRUPTED:
            return False
        await asyncio.to_thread(partfile.remove, record.part)
        await asyncio.to_thread(
            self._db.write,
            queries.finish_download,
            download_id,
            DownloadState.CANCELLED,
            path=None,
            received=record.received,
            total=record.total,
            error="",
            now=utcnow(),
        )
        return True

    async def close(self) -> None:
        """Interrupt every running download, keeping its partial file for a resume; for
        the app's quit, before the library closes."""
        lives = list(self._live.values())
        for live in lives:
            live.keep = True
            if live.task is not None and not live.finishing:
                live.task.cancel()
        tasks = [live.task for live in lives if live.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- waiting and listing ----------------------------------------------------------

    async def wait(self, download_id: int) -> DownloadRecord:
        """The download's record once it is no longer running."""
        live = self._live.get(download_id)
        if live is not None and live.task is not None:
            return await asyncio.shield(live.task)
        found = await asyncio.to_thread(self._db.read, queries.get_download, download_id)
        if found is None:
            raise DownloadError(f"There is no download {download_id}.")
        return found

    async def download_now(
        self,
        story_id: int | None,
        enclosure: Enclosure,
        title: str,
        *,
        folder: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> DownloadRecord:
        """Download and wait: for the command line (``asyncio.run``). Cancelled (Ctrl-C),
        the download is interrupted, its partial file kept for a resume."""
        download_id = await self.start(story_id, enclosure, title, folder=folder, progress=progress)
        try:
            return await self.wait(download_id)
        except asyncio.CancelledError:
            live = self._live.get(download_id)
            if live is not None and live.task is not None and not live.finishing:
                live.keep = True
                live.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await live.task
            raise

    def listing(self, limit: int = 200) -> list[DownloadRecord]:
        """Past and running downloads, newest first; running ones as they stand now."""
        records = self._db.read(queries.list_downloads, limit)
        return [
            self._live[record.id].snapshot() if record.id in self._live else record
            for record in records
        ]

    def running(self) -> int:
        return len(self._live)

    # -- the task ---------------------------------------------------------------------

    def _launch(
        self, record: DownloadRecord, resume: Validators | None, progress: ProgressCallback | None
    ) -> None:
        live = _Live(record, progress, received=record.received, total=record.total)
        self._live[record.id] = live
        _running_here.add((self._key, record.id))
        live.task = asyncio.get_running_loop().create_task(
            self._run(live, resume), name=f"download {record.id}"
        )
        self._tell(live.snapshot())

    async def _run(self, live: _Live, resume: Validators | None) -> DownloadRecord:
        record = live.record
        target = Target(record.part.parent, record.path.name, record.part.name)
        path: Path | None = None
        error = ""
        try:
            path = await download(
                record.url,
                target,
                fetch=self._settings.fetch,
                max_bytes=self._settings.media.max_download_bytes,
                resume=resume,
                progress=functools.partial(self._progress, live),
                on_response=functools.partial(self._validators, live),
                keep_on_cancel=lambda: live.keep,
            )
            state = DownloadState.DONE
        except DownloadError as failure:
            state = DownloadState.INTERRUPTED if failure.resumable else DownloadState.FAILED
            error = str(failure)
        except asyncio.CancelledError:
            # The end of this task, not of its caller: the row says how it ended.
            state = DownloadState.INTERRUPTED if live.keep else DownloadState.CANCELLED
            error = _GONE if live.keep else ""
        except Exception as failure:  # a bug: the user still gets a sentence, the row an end
            state = DownloadState.FAILED
            error = f"The download failed unexpectedly ({type(failure).__name__})."
        return await self._finish(live, state, path, error)

    async def _finish(
        self, live: _Live, state: DownloadState, path: Path | None, error: str
    ) -> DownloadRecord:
        live.finishing = True
        if live.saving is not None:
            with contextlib.suppress(Exception):
                await live.saving
        record = replace(live.snapshot(), state=state, path=path or live.record.path, error=error)
        record = replace(record, finished=utcnow())
        try:
            await asyncio.to_thread(
                self._db.write,
                queries.finish_download,
                record.id,
                state,
                path=path,
                received=record.received,
                total=record.total,
                error=error,
                now=record.finished or utcnow(),
            )
        except LibraryError:
            pass  # the row still says running: the next manager makes it interrupted
        finally:
            del self._live[record.id]
            _running_here.discard((self._key, record.id))
        self._tell(record)
        return record

    def _progress(self, live: _Live, received: int, total: int | None) -> None:
        live.received, live.total = received, total
        if live.progress is not None:
            live.progress(received, total)
        now = asyncio.get_running_loop().time()
        if now - live.told_at >= TELL_EVERY:
            live.told_at = now
            self._tell(live.snapshot())
        if now - live.saved_at >= SAVE_EVERY and (live.saving is None or live.saving.done()):
            live.saved_at = now
            live.saving = asyncio.ensure_future(
                self._save_progress(live.record.id, received, total)
            )

    async def _save_progress(self, download_id: int, received: int, total: int | None) -> None:
        # Relaxed: a progress count lost to a power cut costs nothing (a resume measures
        # the partial file); a failed write only leaves the older count.
        with contextlib.suppress(LibraryError):
            await asyncio.to_thread(
                self._db.write_relaxed, queries.set_progress, download_id, received, total
            )

    async def _validators(self, live: _Live, found: Validators, total: int | None) -> None:
        live.record = replace(
            live.record, etag=found.etag, last_modified=found.last_modified, total=total
        )
        live.total = total
        await asyncio.to_thread(
            self._db.write,
            queries.set_validators,
            live.record.id,
            found.etag,
            found.last_modified,
            total,
        )

    def _tell(self, record: DownloadRecord) -> None:
        if self.on_change is not None:
            self.on_change(record)

    # -- after a crash ----------------------------------------------------------------

    def _interrupt_orphans(self) -> None:
        """Rows left ``running`` by a process that is gone become ``interrupted``."""
        if not self._db.writable:
            return
        running = self._db.read(queries.running_downloads)
        gone = [
            download_id
            for download_id, pid in running
            if (self._key, download_id) not in _running_here
            and (pid is None or pid == os.getpid() or not _process_alive(pid))
        ]
        if gone:
            self._db.write(queries.interrupt_downloads, gone, _GONE, utcnow())


def _process_alive(pid: int) -> bool:
    if os.name != "posix":
        # No safe check: os.kill(pid, 0) on Windows would end the process. Taken as gone;
        # the worst is a download another newsterm is still running listed as interrupted
        # until it ends.
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    return True
