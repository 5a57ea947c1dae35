"""``E`` reads an episode's transcript, or its chapters, in the reader like an article:
fetched from a real server on 127.0.0.1 and read in the worker processes; a transcript
that cannot be fetched says why and leaves the story as it was."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from tests.support.feedserver import FeedServer, Reply
from tests.support.pilot import NOW, make_app, quiet_settings, settle, until
from tui.core.library import Library
from tui.core.models import Enclosure, ParsedEntry, ParsedFeed
from tui.ui.dialogs.menu import MenuScreen

VTT = b"""WEBVTT

00:00:01.000 --> 00:00:04.000
<v Ann>Welcome to the harbour show.

00:00:04.000 --> 00:00:08.000
<v Ann>Tonight, the night crew.

00:00:08.000 --> 00:00:12.000
<v Ben>Thanks, Ann. The cranes never stop.
"""
CHAPTERS = json.dumps(
    {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0, "title": "Intro"},
            {"startTime": 750, "title": "The cranes", "url": "https://harbour.test/cranes"},
        ],
    }
).encode()


def _library(tmp_path: Path, *extras: Enclosure) -> Library:
    library = Library(tmp_path / "library.db")
    feed = library.add_feed("https://pod.test/feed.xml", title="Harbour Radio", topic="Audio")
    episode = Enclosure("https://cdn.pod.test/12.mp3", "audio/mpeg", 1000, 600, "Night crew")
    entry = ParsedEntry(
        key="https://pod.test/12",
        title="Episode 12",
        link="https://pod.test/12",
        summary="We talk to the night crew.",
        published=NOW - timedelta(hours=1),
        enclosures=(episode, *extras),
    )
    library.ingest(feed.id, ParsedFeed(title="Harbour Radio", entries=(entry,)), now=NOW)
    return library


def _texts(pilot: Pilot[None], selector: str) -> list[str]:
    reader = pilot.app.main.reader  # type: ignore[attr-defined]
    return [str(w.render()) for w in reader.query(selector).results(Static)]


async def test_x_reads_the_transcript_as_sections_by_speaker(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.route("/12.vtt", Reply(200, VTT, {"Content-Type": "text/vtt"}))
        transcript = Enclosure(server.url("/12.vtt"), "text/vtt", rel="transcript", language="en")
        with _library(tmp_path, transcript) as library:
            app = make_app(library, quiet_settings())
            async with app.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                await pilot.press("j", "enter", "tab", "E")
                await until(pilot, lambda: _texts(pilot, ".section-heading"), "the transcript")
                headings = _texts(pilot, ".section-heading")
                paragraphs = _texts(pilot, ".block")
                note = _texts(pilot, ".note")
    assert [h.removesuffix(" #") for h in headings] == ["00:00:01 · Ann", "00:00:08 · Ben"]
    assert paragraphs == [
        "Welcome to the harbour show. Tonight, the night crew.",
        "Thanks, Ann. The cranes never stop.",
    ]
    assert note == ["The episode's transcript: open the story again for its own text."]


async def test_with_chapters_too_x_asks_which_and_lists_the_chapters(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.route("/12.vtt", Reply(200, VTT, {"Content-Type": "text/vtt"}))
        server.route("/12.json", Reply(200, CHAPTERS, {"Content-Type": "application/json"}))
        extras = (
            Enclosure(server.url("/12.vtt"), "text/vtt", rel="transcript"),
            Enclosure(server.url("/12.json"), "application/json+chapters", rel="chapters"),
        )
        with _library(tmp_path, *extras) as library:
            app = make_app(library, quiet_settings())
            async with app.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                await pilot.press("j", "enter", "tab", "E")
                await settle(pilot)
                assert isinstance(app.screen, MenuScreen)
                await pilot.press("down", "enter")
                await until(pilot, lambda: _texts(pilot, ".list"), "the chapters")
                (chapters,) = _texts(pilot, ".list")
    assert chapters.startswith(
        "• 00:00 Intro\n• 12:30 The cranes[1]\n[1] https://harbour.test/cranes"
    )


async def test_a_transcript_that_cannot_be_fetched_says_why(tmp_path: Path) -> None:
    with FeedServer() as server:
        transcript = Enclosure(server.url("/gone.vtt"), "text/vtt", rel="transcript")
        with _library(tmp_path, transcript) as library:
            app = make_app(library, quiet_settings())
            async with app.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                await pilot.press("j", "enter", "tab", "E")
                await until(
                    pilot, lambda: any("404" in n.message for n in app._notifications), "said"
                )
                assert app.main.reader.view is not None
                assert app.main.reader.view.story.title == "Episode 12"
                assert _texts(pilot, ".note") in ([], [""])
