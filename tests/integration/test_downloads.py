"""Enclosure downloads against a real loopback server, a real library and real disks.

The server here serves files the way podcast hosts do (ETag, Last-Modified, byte ranges)
and misbehaves on request: it drops the connection mid-body, ignores or botches ranges,
redirects to ``file:``, stalls. The full-disk tests mount a small tmpfs (root on Linux;
they skip, and say why, elsewhere), and the kill -9 test kills a real process.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.disks import tmpfs
from tui.core.library import Library
from tui.core.media.download import DownloadError, Target, Validators, download
from tui.core.media.downloads import Downloads
from tui.core.models import Enclosure, ParsedEntry, ParsedFeed
from tui.core.settings import FetchSettings, MediaSettings, Settings
from tui.core.store import downloads as queries, schema
from tui.core.store.database import Database
from tui.core.store.downloads import DownloadRecord, DownloadState

MiB = 1024 * 1024
FETCH = FetchSettings()
ROOT = Path(__file__).resolve().parents[2]


def payload(size: int, seed: int = 1) -> bytes:
    """Bytes that differ all along, so that a piece written at the wrong offset shows."""
    out = bytearray()
    block = seed.to_bytes(4, "big")
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


# -- the server ------------------------------------------------------------------------


@dataclass
class Served:
    body: bytes
    etag: str | None = '"v1"'
    last_modified: str | None = "Tue, 01 Sep 2026 10:00:00 GMT"
    ranges: str = "yes"  # "yes", "ignore" (always 200), "wrong" (206 from byte 0)
    chunked: bool = False  # no Content-Length
    drop_after: int | None = None  # the next answer's body stops here, connection closed
    hold_after: int | None = None  # the body stalls here until the server is released
    redirect: str | None = None  # 302 to this Location
    status: int | None = None  # answer this status, empty


@dataclass
class Seen:
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class FileServer:
    def __init__(self) -> None:
        self.files: dict[str, Served] = {}
        self.seen: list[Seen] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def handle(self) -> None:
                with contextlib.suppress(ConnectionError):
                    super().handle()

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.seen.append(Seen(self.path, headers))
                served = server.files.get(self.path)
                if served is None:
                    self._answer(404, {}, b"")
                elif served.redirect is not None:
                    self._answer(302, {"Location": served.redirect}, b"")
                elif served.status is not None:
                    self._answer(served.status, {}, b"")
                else:
                    self._serve(served, headers)

            def _serve(self, served: Served, headers: dict[str, str]) -> None:
                body, size = served.body, len(served.body)
                extra = {"Content-Type": "audio/mpeg", "Accept-Ranges": "bytes"}
                if served.etag:
                    extra["ETag"] = served.etag
                if served.last_modified:
                    extra["Last-Modified"] = served.last_modified
                wanted = re.fullmatch(r"bytes=(\d+)-", headers.get("range", ""))
                validator = headers.get("if-range")
                fresh = validator is None or validator in (served.etag, served.last_modified)
                if wanted and fresh and served.ranges == "yes":
                    start = int(wanted[1])
                    if start >= size:
                        extra["Content-Range"] = f"bytes */{size}"
                        self._answer(416, extra, b"")
                        return
                    extra["Content-Range"] = f"bytes {start}-{size - 1}/{size}"
                    self._answer(206, extra, body[start:], served)
                elif wanted and served.ranges == "wrong":
                    extra["Content-Range"] = f"bytes 0-{size - 1}/{size}"
                    self._answer(206, extra, body, served)
                else:
                    self._answer(200, extra, body, served)

            def _answer(
                self, status: int, extra: dict[str, str], body: bytes, served: Served | None = None
            ) -> None:
                self.send_response(status)
                chunked = served is not None and served.chunked
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(body)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                drop = served.drop_after if served is not None else None
                hold = served.hold_after if served is not None else None
                if served is not None:
                    served.drop_after = None  # once
                sent = 0
                for at in range(0, len(body), 16 * 1024):
                    piece = body[at : at + 16 * 1024]
                    if drop is not None and sent + len(piece) > drop:
                        piece = piece[: drop - sent]
                        self._write(piece, chunked)
                        self.close_connection = True
                        return
                    if hold is not None and sent + len(piece) > hold:
                        self._write(piece[: hold - sent], chunked)
                        server.release.wait()
                        return
                    self._write(piece, chunked)
                    sent += len(piece)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")

            def _write(self, piece: bytes, chunked: bool) -> None:
                if not piece:
                    return
                if chunked:
                    piece = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
                self.wfile.write(piece)
                self.wfile.flush()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}{path}"

    def requests(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def files() -> Iterator[FileServer]:
    with FileServer() as running:
        yield running


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "Downloads" / "newsterm"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    opened = Database(tmp_path / "library.db")
    yield opened
    opened.close()


def manager(db: Database, folder: Path, *, max_mb: int = 64) -> Downloads:
    settings = Settings(media=MediaSettings(max_download_mb=max_mb))
    return Downloads(db, settings, folder)


def episode(url: str, media_type: str = "audio/mpeg") -> Enclosure:
    return Enclosure(url=url, type=media_type)


def names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def target(folder: Path, name: str = "Episode.mp3") -> Target:
    return Target(folder, name, f".{name}.part")


# -- a whole file ----------------------------------------------------------------------


async def test_a_download_is_saved_whole_under_the_story_title(
    files: FileServer, db: Database, folder: Path
) -> None:
    body = payload(3 * MiB + 123)
    files.files["/ep/42.mp3"] = Served(body)
    downloads = manager(db, folder)
    seen: list[DownloadRecord] = []
    downloads.on_change = seen.append

    record = await downloads.download_now(None, episode(files.url("/ep/42.mp3")), "Talk: one")

    assert record.state is DownloadState.DONE, record.error
    assert record.path == folder / "Talk - one.mp3"
    assert record.path.read_bytes() == body
    assert names(folder) == {"Talk - one.mp3"}  # no partial file left
    assert (record.received, record.total) == (len(body), len(body))
    assert seen[0].state is DownloadState.RUNNING and seen[-1] == record
    assert downloads.listing() == [record]
    assert downloads.running() == 0
    (request,) = files.requests("/ep/42.mp3")
    assert request.headers["user-agent"].startswith("newsterm/")
    assert "range" not in request.headers and "cookie" not in request.headers


async def test_a_hostile_title_names_a_plain_file_inside_the_folder(
    files: FileServer, db: Database, folder: Path, tmp_path: Path
) -> None:
    body = payload(40_000)
    files.files["/etc/passwd.mp3"] = Served(body)
    downloads = manager(db, folder)
    title = "../../etc/passwd\x1b]52;c;aGk=\x07\x1b[2J\u202e3pm.exe"

    record = await downloads.download_now(None, episode(files.url("/etc/passwd.mp3")), title)

    assert record.state is DownloadState.DONE, record.error
    assert record.path.parent == folder
    assert names(folder) == {"etc-passwd3pm.exe.mp3"}
    assert list(tmp_path.rglob("*passwd*")) == [folder / "etc-passwd3pm.exe.mp3"]


async def test_an_existing_file_is_never_overwritten(
    files: FileServer, db: Database, folder: Path
) -> None:
    files.files["/ep.mp3"] = Served(payload(50_000))
    folder.mkdir(parents=True)
    (folder / "Episode.mp3").write_bytes(b"mine")
    (folder / "Episode (2).mp3").write_bytes(b"mine too")
    downloads = manager(db, folder)

    record = await downloads.download_now(None, episode(files.url("/ep.mp3")), "Episode")

    assert record.path == folder / "Episode (3).mp3"
    assert record.path.read_bytes() == payload(50_000)
    assert (folder / "Episode.mp3").read_bytes() == b"mine"
    assert (folder / "Episode (2).mp3").read_bytes() == b"mine too"


# -- resuming --------------------------------------------------------------------------


async def test_a_dropped_connection_is_resumed_with_range_and_if_range(
    files: FileServer, db: Database, folder: Path
) -> None:
    body = payload(2 * MiB + 77)
    files.files["/ep.mp3"] = Served(body, drop_after=700_000)
    downloads = manager(db, folder)

    first = await downloads.download_now(None, episode(files.url("/ep.mp3")), "Episode")

    assert first.state is DownloadState.INTERRUPTED and first.resumable
    assert "resume" in first.error and "\n" not in first.error
    assert first.part.stat().st_size == 700_000  # what arrived was kept
    assert (first.etag, first.total) == ('"v1"', len(body))
    assert not first.path.exists()

    await downloads.resume(first.id)
    done = await downloads.wait(first.id)

    assert done.state is DownloadState.DONE, done.error
    assert done.path.read_bytes() == body
    assert not first.part.exists()
    again = files.requests("/ep.mp3")[-1]
    assert again.headers["range"] == "bytes=700000-"
    assert again.headers["if-range"] == '"v1"'


async def test_an_interrupted_download_can_be_given_up(
    files: FileServer, db: Database, folder: Path
) -> None:
    files.files["/ep.mp3"] = Served(payload(400_000), drop_after=150_000)
    downloads = manager(db, folder)
    first = await downloads.download_now(None, episode(files.url("/ep.mp3")), "Episode")
    assert first.state is DownloadState.INTERRUPTED and first.part.exists()

    assert await downloads.discard(first.id)

    assert not first.part.exists() and names(folder) == set()
    (record,) = downloads.listing()
    assert record.state is DownloadState.CANCELLED and not record.resumable
    assert not await downloads.discard(first.id)  # nothing left to give up


async def test_a_resume_uses_last_modified_when_the_etag_is_weak(
    files: FileServer, folder: Path
) -> None:
    body = payload(300_000)
    files.files["/ep.mp3"] = Served(body, etag='W/"weak"', drop_after=100_000)
    saved: list[Validators] = []

    async def keep(found: Validators, total: int | None) -> None:
        saved.append(found)

    url = files.url("/ep.mp3")
    with pytest.raises(DownloadError) as failed:
        await download(url, target(folder), fetch=FETCH, max_bytes=MiB, on_response=keep)
    assert failed.value.resumable
    path = await download(url, target(folder), fetch=FETCH, max_bytes=MiB, resume=saved[0])

    assert path.read_bytes() == body
    assert files.requests("/ep.mp3")[-1].headers["if-range"] == "Tue, 01 Sep 2026 10:00:00 GMT"


@pytest.mark.parametrize("ranges", ["ignore", "wrong"])
async def test_a_server_that_ignores_or_botches_the_range_starts_the_file_over(
    files: FileServer, folder: Path, ranges: str
) -> None:
    body = payload(600_000)
    files.files["/ep.mp3"] = Served(body, ranges=ranges, drop_after=250_000)
    url = files.url("/ep.mp3")
    with pytest.raises(DownloadError):
        await download(url, target(folder), fetch=FETCH, max_bytes=MiB)
    assert (folder / ".Episode.mp3.part").stat().st_size == 250_000

    path = await download(
        url, target(folder), fetch=FETCH, max_bytes=MiB, resume=Validators('"v1"')
    )

    assert path.read_bytes() == body  # not the first piece with the whole file after it
    assert names(folder) == {"Episode.mp3"}


async def test_a_file_changed_on_the_server_is_fetched_whole_again(
    files: FileServer, folder: Path
) -> None:
    old, new = payload(500_000, seed=1), payload(520_000, seed=2)
    files.files["/ep.mp3"] = Served(old, drop_after=200_000)
    url = files.url("/ep.mp3")
    with pytest.raises(DownloadError):
        await download(url, target(folder), fetch=FETCH, max_bytes=MiB)
    files.files["/ep.mp3"] = Served(new, etag='"v2"', last_modified=None)

    path = await download(
        url, target(folder), fetch=FETCH, max_bytes=MiB, resume=Validators('"v1"')
    )

    assert files.requests("/ep.mp3")[-1].headers["if-range"] == '"v1"'
    assert path.read_bytes() == new


async def test_a_partial_file_that_was_already_whole_is_published_after_a_416(
    files: FileServer, folder: Path
) -> None:
    body = payload(90_000)
    files.files["/ep.mp3"] = Served(body)
    folder.mkdir(parents=True)
    (folder / ".Episode.mp3.part").write_bytes(body)

    path = await download(
        files.url("/ep.mp3"), target(folder), fetch=FETCH, max_bytes=MiB, resume=Validators('"v1"')
    )

    assert path.read_bytes() == body
    assert len(files.requests("/ep.mp3")) == 1


async def test_a_partial_file_longer_than_the_file_starts_over_after_a_416(
    files: FileServer, folder: Path
) -> None:
    body = payload(90_000)
    files.files["/ep.mp3"] = Served(body)
    folder.mkdir(parents=True)
    (folder / ".Episode.mp3.part").write_bytes(body + b"garbage")

    path = await download(
        files.url("/ep.mp3"), target(folder), fetch=FETCH, max_bytes=MiB, resume=Validators('"v1"')
    )

    assert path.read_bytes() == body
    assert "range" not in files.requests("/ep.mp3")[-1].headers


# -- limits and refusals ---------------------------------------------------------------


async def test_a_content_length_over_the_cap_is_refused_before_a_byte_is_written(
    files: FileServer, db: Database, folder: Path
) -> None:
    files.files["/big.mp3"] = Served(payload(2 * MiB))
    downloads = manager(db, folder, max_mb=1)

    record = await downloads.download_now(None, episode(files.url("/big.mp3")), "Big")

    assert record.state is DownloadState.FAILED and not record.resumable
    assert "max_download_mb" in record.error and "2.0 MB" in record.error
    assert names(folder) == set()


async def test_a_stream_without_a_length_is_stopped_and_removed_past_the_cap(
    files: FileServer, folder: Path
) -> None:
    files.files["/big.mp3"] = Served(payload(3 * MiB), chunked=True)

    with pytest.raises(DownloadError, match="larger than") as failed:
        await download(files.url("/big.mp3"), target(folder), fetch=FETCH, max_bytes=MiB)

    assert not failed.value.resumable
    assert names(folder) == set()


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/ep.mp3"])
async def test_a_redirect_off_http_is_refused(
    files: FileServer, folder: Path, location: str
) -> None:
    files.files["/ep.mp3"] = Served(b"", redirect=location)

    with pytest.raises(DownloadError, match="not an http or https address") as failed:
        await download(files.url("/ep.mp3"), target(folder), fetch=FETCH, max_bytes=MiB)

    assert location.split(":")[0] in str(failed.value)
    assert names(folder) == set()


async def test_redirects_are_followed_up_to_five_times(files: FileServer, folder: Path) -> None:
    body = payload(10_000)
    files.files["/6"] = Served(body)
    for hop in range(6):
        files.files[f"/{hop}"] = Served(b"", redirect=f"/{hop + 1}")

    assert (
        await download(files.url("/1"), target(folder), fetch=FETCH, max_bytes=MiB)
    ).read_bytes() == body
    with pytest.raises(DownloadError, match="more than 5 times"):
        await download(files.url("/0"), target(folder), fetch=FETCH, max_bytes=MiB)
    assert names(folder) == {"Episode.mp3"}


async def test_an_http_error_is_one_sentence_and_leaves_nothing(
    files: FileServer, folder: Path
) -> None:
    with pytest.raises(DownloadError) as failed:
        await download(files.url("/missing.mp3"), target(folder), fetch=FETCH, max_bytes=MiB)
    assert str(failed.value) == "The file is no longer at its address on 127.0.0.1 (HTTP 404)."
    assert names(folder) == set()


@pytest.mark.parametrize("resume", [None, Validators('"v1"')])
async def test_a_symlink_planted_at_the_partial_file_is_not_followed(
    files: FileServer, folder: Path, tmp_path: Path, resume: Validators | None
) -> None:
    body = payload(200_000)
    files.files["/ep.mp3"] = Served(body)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    folder.mkdir(parents=True)
    (folder / ".Episode.mp3.part").symlink_to(victim)

    path = await download(
        files.url("/ep.mp3"), target(folder), fetch=FETCH, max_bytes=MiB, resume=resume
    )

    assert victim.read_bytes() == b"precious"
    assert path.read_bytes() == body
    assert names(folder) == {"Episode.mp3"}


async def test_a_hard_link_planted_at_the_partial_file_is_not_written_through(
    files: FileServer, folder: Path, tmp_path: Path
) -> None:
    body = payload(200_000)
    files.files["/ep.mp3"] = Served(body)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious" * 100)
    folder.mkdir(parents=True)
    os.link(victim, folder / ".Episode.mp3.part")

    path = await download(
        files.url("/ep.mp3"), target(folder), fetch=FETCH, max_bytes=MiB, resume=Validators('"v1"')
    )

    assert victim.read_bytes() == b"precious" * 100
    assert path.read_bytes() == body
    assert "range" not in files.requests("/ep.mp3")[-1].headers


# -- full disks ------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "disk", "3m") as where:
        yield where


async def test_a_disk_that_fills_up_gives_the_sentence_and_leaves_no_partial_file(
    files: FileServer, db: Database, small_disk: Path
) -> None:
    files.files["/big.mp3"] = Served(payload(6 * MiB), chunked=True)  # no size to check first
    downloads = manager(db, small_disk / "pods")

    record = await downloads.download_now(None, episode(files.url("/big.mp3")), "Big")

    assert record.state is DownloadState.FAILED
    assert record.error.startswith(f"The disk holding {small_disk / 'pods'} is full")
    assert "partial file was removed" in record.error
    assert names(small_disk / "pods") == set()


async def test_a_file_larger_than_the_free_space_is_refused_up_front(
    files: FileServer, db: Database, small_disk: Path
) -> None:
    files.files["/big.mp3"] = Served(payload(4 * MiB))
    downloads = manager(db, small_disk / "pods")

    record = await downloads.download_now(None, episode(files.url("/big.mp3")), "Big")

    assert record.state is DownloadState.FAILED
    assert record.error.startswith(f"Not enough room in {small_disk / 'pods'}")
    assert names(small_disk / "pods") == set()


# -- cancelling, quitting, crashing ----------------------------------------------------


async def test_cancelling_a_stalled_download_removes_its_partial_file(
    files: FileServer, db: Database, folder: Path
) -> None:
    files.files["/slow.mp3"] = Served(payload(4 * MiB), hold_after=1_500_000)
    downloads = manager(db, folder)
    arrived = asyncio.Event()

    def progress(received: int, total: int | None) -> None:
        if received >= 1_500_000:
            arrived.set()

    download_id = await downloads.start(
        None, episode(files.url("/slow.mp3")), "Slow", progress=progress
    )
    await arrived.wait()
    assert [r.state for r in downloads.listing()] == [DownloadState.RUNNING]
    assert names(folder) == {f".Slow.mp3.{download_id}.part"}

    assert downloads.cancel(download_id)
    record = await downloads.wait(download_id)

    assert record.state is DownloadState.CANCELLED
    assert names(folder) == set()
    assert downloads.running() == 0 and not downloads.cancel(download_id)
    assert db.read(queries.get_download, download_id) == record


async def test_quitting_interrupts_a_download_and_keeps_it_resumable(
    files: FileServer, db: Database, folder: Path
) -> None:
    body = payload(3 * MiB)
    served = files.files["/slow.mp3"] = Served(body, hold_after=1_200_000)
    downloads = manager(db, folder)
    arrived = asyncio.Event()

    def progress(received: int, total: int | None) -> None:
        if received >= 1_200_000:
            arrived.set()

    download_id = await downloads.start(
        None, episode(files.url("/slow.mp3")), "Slow", progress=progress
    )
    await arrived.wait()

    await downloads.close()

    record = db.read(queries.get_download, download_id)
    assert record is not None and record.state is DownloadState.INTERRUPTED
    assert record.part.stat().st_size == 1_200_000
    served.hold_after = None
    await downloads.resume(download_id)
    done = await downloads.wait(download_id)
    assert done.path.read_bytes() == body
    assert files.requests("/slow.mp3")[-1].headers["range"] == "bytes=1200000-"


CHILD = """
import asyncio, sys, time
from pathlib import Path
from tui.core.media.downloads import Downloads
from tui.core.models import Enclosure
from tui.core.settings import Settings
from tui.core.store import downloads as queries, schema
from tui.core.store.database import Database

async def main() -> None:
    db = Database(Path(sys.argv[1]))
    downloads = Downloads(db, Settings(), Path(sys.argv[2]))
    download_id = await downloads.start(None, Enclosure(sys.argv[3], "audio/mpeg"), "Slow")
    part = None
    while True:  # until the row has what a resume needs and bytes are on disk
        record = await asyncio.to_thread(db.read, queries.get_download, download_id)
        if record.etag and record.part.exists() and record.part.stat().st_size > 0:
            break
        await asyncio.sleep(0.02)
    print(download_id, flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_a_download_left_running_by_a_killed_process_is_interrupted_and_resumes(
    files: FileServer, db: Database, folder: Path
) -> None:
    body = payload(3 * MiB)
    served = files.files["/slow.mp3"] = Served(body, hold_after=1_300_000)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db.path), str(folder), files.url("/slow.mp3")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        download_id = int(child.stdout.readline())
        # While the process lives, another manager leaves its download alone.
        manager(db, folder)
        assert db.read(queries.get_download, download_id).state is DownloadState.RUNNING  # type: ignore[union-attr]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    files.release.set()
    part = db.read(queries.get_download, download_id).part  # type: ignore[union-attr]
    kept = part.stat().st_size
    assert 0 < kept <= 1_300_000

    downloads = manager(db, folder)
    (record,) = downloads.listing()
    assert record.state is DownloadState.INTERRUPTED and record.resumable
    assert record.error.startswith("newsterm stopped before the download ended")

    served.hold_after = None
    await downloads.resume(download_id)
    done = await downloads.wait(download_id)

    assert done.state is DownloadState.DONE, done.error
    assert done.path.read_bytes() == body
    last = files.requests("/slow.mp3")[-1]
    assert (last.headers["range"], last.headers["if-range"]) == (f"bytes={kept}-", '"v1"')


async def test_a_download_outlives_its_story(
    files: FileServer, tmp_path: Path, folder: Path
) -> None:
    files.files["/ep.mp3"] = Served(payload(20_000))
    with Library(tmp_path / "library.db") as library:
        feed = library.add_feed("https://example.com/feed.xml", title="Pod")
        entry = ParsedEntry(key="k", title="Pilot", link="https://example.com/1")
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=(entry,)))
        (story,) = library.stories()
        downloads = manager(library._db, folder)
        record = await downloads.download_now(story.id, episode(files.url("/ep.mp3")), story.title)
        assert record.story_id == story.id and record.path.name == "Pilot.mp3"

        library.remove_feed(feed.id)

        (kept,) = downloads.listing()
        assert kept.story_id is None and kept.state is DownloadState.DONE
        assert kept.path.exists()


def test_a_schema_8_library_opens_with_an_empty_downloads_table(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    with Library(path) as library:
        feed = library.add_feed("https://example.com/feed.xml", title="Pod")
        entry = ParsedEntry(key="k", title="Pilot", link="https://example.com/1")
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=(entry,)))
        library.set_bookmarked([story.id for story in library.stories()])
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TABLE downloads")
        conn.execute("PRAGMA user_version = 8")
        before = conn.execute("SELECT * FROM stories").fetchall()
    conn.close()

    with Library(path) as library:
        assert [story.bookmarked for story in library.stories()] == [True]
        assert manager(library._db, tmp_path / "d").listing() == []

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION == 9
        assert conn.execute("SELECT * FROM stories").fetchall() == before
        assert conn.execute("SELECT count(*) FROM downloads").fetchone()[0] == 0
    finally:
        conn.close()
