"""``e`` plays a story's episode with ``[media] player``: a real program records how it
was run. The enclosure's address is one argument of its own, last, whatever it holds;
only http(s) gets there; a story with several files asks which one."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.support.pilot import NOW, make_app, quiet_settings, settle, until
from tests.support.recorder import recording_program, recordings
from tui.core import CommandError, playable, player_argv
from tui.core.library import Library
from tui.core.models import Enclosure, ParsedEntry, ParsedFeed
from tui.core.settings import MediaSettings
from tui.ui.app import NewstermApp
from tui.ui.dialogs.menu import MenuScreen

# A hostile address as a cleaned enclosure may still hold it: spaces made %20, but
# quotes, semicolons, $() and a would-be option all inside the one URL.
ODD = "https://cdn.pod.test/ep%2012;rm%20-rf%20~/$(id)'\"--config=x.mp3?a=1&b=--no-video"
EPISODE = Enclosure(ODD, "audio/mpeg", 1000, 60, "Episode twelve")
VIDEO = Enclosure("https://cdn.pod.test/v.mp4", "video/mp4", title="The video")
COVER = Enclosure("https://cdn.pod.test/c.jpg", "image/jpeg")


def test_the_address_is_one_argument_after_the_players_own() -> None:
    media = MediaSettings(player=("mpv", "--no-video", "--title=x {link}"))
    assert player_argv(media, EPISODE) == ["mpv", "--no-video", "--title=x {link}", ODD]


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "javascript:alert(1)", "-oProxyCommand=x", "/tmp/x.mp3", ""],
)
def test_only_http_addresses_reach_the_player(url: str) -> None:
    with pytest.raises(CommandError, match="only http"):
        player_argv(MediaSettings(), Enclosure(url, "audio/mpeg"))


def test_pictures_are_not_played_and_other_files_only_without_audio_or_video() -> None:
    other = Enclosure("https://cdn.pod.test/e.bin", "application/octet-stream")
    assert playable((COVER, EPISODE, VIDEO)) == [EPISODE, VIDEO]
    assert playable((COVER, other)) == [other]
    assert playable((COVER,)) == []


def _library(tmp_path: Path, *files: Enclosure) -> Library:
    library = Library(tmp_path / "library.db")
    feed = library.add_feed("https://pod.test/feed.xml", title="Harbour Radio", topic="Audio")
    entry = ParsedEntry(
        key="https://pod.test/12",
        title="Episode 12",
        link="https://pod.test/12",
        summary="We talk to the night crew.",
        published=NOW - timedelta(hours=1),
        enclosures=files,
    )
    library.ingest(feed.id, ParsedFeed(title="Harbour Radio", entries=(entry,)), now=NOW)
    return library


def _app(library: Library, program: Path) -> NewstermApp:
    media = MediaSettings(player=(str(program), "--no-video"), interactive=False)
    return make_app(library, dataclasses.replace(quiet_settings(), media=media))


async def _until_recorded(pilot: Pilot[None], program: Path) -> list[dict[str, object]]:
    """The player's runs, once it has run (in its own process: Pilot cannot wait for it)."""
    await until(pilot, lambda: recordings(program), "the player ran")
    return recordings(program)


async def test_e_runs_the_player_with_exactly_one_argument_for_the_address(
    tmp_path: Path,
) -> None:
    program = recording_program(tmp_path, "player")
    with _library(tmp_path, COVER, EPISODE) as library:
        app = _app(library, program)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press("j", "e")  # from the list: the story under the cursor
            await settle(pilot)
            (run,) = await _until_recorded(pilot, program)
    assert run["argv"] == ["--no-video", ODD]


async def test_with_several_files_e_asks_which_and_plays_the_one_chosen(tmp_path: Path) -> None:
    program = recording_program(tmp_path, "player")
    with _library(tmp_path, EPISODE, VIDEO) as library:
        app = _app(library, program)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press("j", "enter", "e")
            await settle(pilot)
            assert isinstance(app.screen, MenuScreen)
            await pilot.press("down", "enter")
            await settle(pilot)
            (run,) = await _until_recorded(pilot, program)
    assert run["argv"] == ["--no-video", VIDEO.url]


async def test_a_story_without_media_says_so_and_runs_nothing(tmp_path: Path) -> None:
    program = recording_program(tmp_path, "player")
    with _library(tmp_path, COVER) as library:
        app = _app(library, program)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press("j", "e")
            await settle(pilot)
            said = [n.message for n in app._notifications]
    assert "This story carries no podcast episode or video." in said
    assert recordings(program) == []
