"""``d`` downloads a story's episode in the background, the status bar shows it going,
``D`` lists the downloads, and ``c`` there cancels a running one; a real server on
127.0.0.1 serves the episode."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.support.feedserver import FeedServer, Reply, Request, range_reply
from tests.support.pilot import NOW, make_app, quiet_settings, settle, until
from tui.core.library import Library
from tui.core.models import Enclosure, ParsedEntry, ParsedFeed
from tui.ui.dialogs.downloads import DownloadsScreen

EPISODE = bytes(range(256)) * 2048  # 512 KB


def _library(tmp_path: Path, url: str) -> Library:
    library = Library(tmp_path / "library.db", downloads_dir=tmp_path / "Downloads")
    feed = library.add_feed("https://pod.test/feed.xml", title="Harbour Radio", topic="Audio")
    entry = ParsedEntry(
        key="https://pod.test/12",
        title="Episode 12: the night crew",
        link="https://pod.test/12",
        published=NOW - timedelta(hours=1),
        enclosures=(Enclosure(url, "audio/mpeg", len(EPISODE), 3723, "Night crew"),),
    )
    library.ingest(feed.id, ParsedFeed(title="Harbour Radio", entries=(entry,)), now=NOW)
    return library


def _said(pilot: Pilot[None]) -> list[str]:
    return [n.message for n in pilot.app._notifications]


def _table(pilot: Pilot[None]) -> list[list[str]]:
    table = pilot.app.screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def test_d_downloads_in_the_background_and_D_lists_it(tmp_path: Path) -> None:
    folder = tmp_path / "Downloads"
    with FeedServer() as server:
        server.route("/12.mp3", Reply(200, EPISODE, {"Content-Type": "audio/mpeg"}))
        with _library(tmp_path, server.url("/12.mp3")) as library:
            app = make_app(library, dataclasses.replace(quiet_settings()))
            async with app.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                await pilot.press("j", "d")
                await until(
                    pilot, lambda: any(m.startswith("Downloaded:") for m in _said(pilot)), "done"
                )
                (saved,) = folder.iterdir()
                assert saved.read_bytes() == EPISODE
                assert saved.name == "Episode 12 - the night crew.mp3"  # ":" is not for file names
                assert app.main.status.downloads == ""  # nothing running any more
                await pilot.press("D")
                await settle(pilot)
                assert isinstance(app.screen, DownloadsScreen)
                ((state, progress, size, story, file),) = _table(pilot)
                assert (state, progress, story, file) == (
                    "done",
                    "done",
                    "Episode 12: the night crew",
                    saved.name,
                )
                assert size == "524 KB"
                await pilot.press("escape")


async def test_c_in_the_downloads_view_cancels_a_running_download(tmp_path: Path) -> None:
    folder = tmp_path / "Downloads"
    with FeedServer() as server:
        # 64 KB a second: long enough to be cancelled halfway.
        chunks = [EPISODE[i : i + 8192] for i in range(0, len(EPISODE), 8192)]
        headers = {"Content-Type": "audio/mpeg", "Content-Length": str(len(EPISODE))}
        server.route("/12.mp3", Reply(200, iter(chunks), headers, delay_per_chunk=0.125))
        with _library(tmp_path, server.url("/12.mp3")) as library:
            app = make_app(library, quiet_settings())
            async with app.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                await pilot.press("j", "d")
                await until(pilot, lambda: app.main.status.downloads.startswith("⇩"), "running")
                await pilot.press("D")
                await until(
                    pilot,
                    lambda: (
                        isinstance(app.screen, DownloadsScreen)
                        and _table(pilot)
                        and _table(pilot)[0][0] == "running"
                    ),
                    "listed as running",
                )
                await pilot.press("c")
                await until(pilot, lambda: _table(pilot)[0][0].startswith("cancelled"), "cancelled")
                assert app.main.status.downloads == ""
    assert not folder.exists() or list(folder.iterdir()) == []  # no partial file left


def _arrived(app: object) -> int:
    """Bytes of the running downloads so far, as the status bar was told them."""
    running = app.main.media._running.values()  # type: ignore[attr-defined]
    return sum(record.received for record in running)


def _ranged(request: Request) -> Reply:
    """The episode, slowly from the start; at once from a Range (the resume)."""
    headers = {"Content-Type": "audio/mpeg", "ETag": '"v1"', "Accept-Ranges": "bytes"}
    chunks = [EPISODE[i : i + 8192] for i in range(0, len(EPISODE), 8192)]
    whole = {**headers, "Content-Length": str(len(EPISODE))}
    return range_reply(request, EPISODE, headers) or Reply(200, iter(chunks), whole, 0.125)


async def test_quitting_interrupts_a_download_and_r_resumes_it_next_time(tmp_path: Path) -> None:
    folder = tmp_path / "Downloads"
    with FeedServer() as server:
        server.route("/12.mp3", _ranged)
        with _library(tmp_path, server.url("/12.mp3")) as library:
            app = make_app(library, quiet_settings())
            async with app.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                await pilot.press("j", "d")
                await until(pilot, lambda: _arrived(app) >= 16384, "some of it arrived")
            # Quit while it runs: what arrived stays, hidden, for a resume.
            (part,) = folder.iterdir()
            assert part.name.startswith(".") and part.name.endswith(".part")
            assert 0 < part.stat().st_size < len(EPISODE)
            app = make_app(library, quiet_settings())
            async with app.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                await pilot.press("D")
                await until(pilot, lambda: bool(_table(pilot)), "listed")
                assert _table(pilot)[0][0].startswith("interrupted")
                await pilot.press("r")
                await until(pilot, lambda: _table(pilot)[0][0] == "done", "resumed to the end")
        ranges = [r.headers.get("range") for r in server.hits("/12.mp3")]
    (saved,) = folder.iterdir()
    assert saved.read_bytes() == EPISODE
    assert ranges[0] is None and ranges[1].startswith("bytes=")


async def test_c_gives_up_an_interrupted_download_and_removes_its_part(tmp_path: Path) -> None:
    folder = tmp_path / "Downloads"
    with FeedServer() as server:
        server.route("/12.mp3", _ranged)
        with _library(tmp_path, server.url("/12.mp3")) as library:
            app = make_app(library, quiet_settings())
            async with app.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                await pilot.press("j", "d")
                await until(pilot, lambda: app.main.status.downloads.startswith("⇩"), "running")
            assert len(list(folder.iterdir())) == 1
            app = make_app(library, quiet_settings())
            async with app.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                await pilot.press("D")
                await until(pilot, lambda: bool(_table(pilot)), "listed")
                await pilot.press("c")
                await until(pilot, lambda: _table(pilot)[0][0] == "cancelled", "given up")
    assert list(folder.iterdir()) == []
