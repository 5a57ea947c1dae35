"""``newsterm download`` and ``newsterm cache`` against a real server on 127.0.0.1: an
episode is saved under a name made from the story's title (never the feed's path), a
second download never overwrites the first, an interrupted one is resumed with a Range
request; the pictures' cache is measured and emptied."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, Reply, Request, range_reply
from tui.cli import main
from tui.core.library import Library
from tui.core.models import Enclosure, ParsedEntry, ParsedFeed
from tui.core.settings import Settings

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
EPISODE = bytes(range(256)) * 4096  # 1 MB


def _library(db: Path, url: str, title: str = "Episode 12: ../../etc/passwd") -> int:
    with Library(db, Settings()) as library:
        feed = library.add_feed("https://pod.test/feed.xml", title="Pod", topic="Audio")
        entry = ParsedEntry(
            key="https://pod.test/12",
            title=title,
            link="https://pod.test/12",
            published=NOW - timedelta(hours=1),
            enclosures=(Enclosure(url, "audio/mpeg", len(EPISODE)),),
        )
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=(entry,)), now=NOW)
        (row,) = library.story_rows()
        return row.id


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(
        ["--db", str(tmp_path / "library.db"), "--config", str(tmp_path / "none.toml"), *argv]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_download_saves_under_the_titles_name_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "saved"
    with FeedServer() as server:
        server.route("/ep.mp3", Reply(200, EPISODE, {"Content-Type": "audio/mpeg"}))
        story = _library(tmp_path / "library.db", server.url("/ep.mp3"))
        code, out, err = _run(tmp_path, capsys, "download", str(story), "--dir", str(folder))
        assert (code, err) == (0, "")
        first = Path(out.strip())
        code, out, _ = _run(tmp_path, capsys, "download", str(story), "--dir", str(folder))
        second = Path(out.strip())
    assert code == 0
    assert first.parent == folder and second.parent == folder
    assert first.name.startswith("Episode 12") and first.suffix == ".mp3"
    assert "/" not in first.name and ".." not in first.stem.replace("...", "")
    assert second != first and second.name.endswith("(2).mp3")
    for path in (first, second):
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(EPISODE).digest()
    assert sorted(p.name for p in folder.iterdir()) == sorted([first.name, second.name])


def test_an_interrupted_download_is_resumed_with_a_range_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "saved"
    half = len(EPISODE) // 2

    def flaky(request: Request) -> Reply:
        headers = {"Content-Type": "audio/mpeg", "ETag": '"v1"', "Accept-Ranges": "bytes"}
        # The first time: claims the whole length, then hangs up halfway.
        whole = {**headers, "Content-Length": str(len(EPISODE))}
        return range_reply(request, EPISODE, headers) or Reply(200, iter([EPISODE[:half]]), whole)

    with FeedServer() as server:
        server.route("/ep.mp3", flaky)
        story = _library(tmp_path / "library.db", server.url("/ep.mp3"), "Night crew")
        code, _out, err = _run(tmp_path, capsys, "download", str(story), "--dir", str(folder))
        assert code == 1 and "Night crew" in err
        code, out, err = _run(tmp_path, capsys, "download", str(story), "--dir", str(folder))
        assert (code, err) == (0, "")
        ranges = [r.headers.get("range") for r in server.hits("/ep.mp3")]
    saved = Path(out.strip())
    assert saved.read_bytes() == EPISODE
    assert ranges[0] is None and ranges[-1] is not None and ranges[-1].startswith("bytes=")
    assert [p.name for p in folder.iterdir()] == [saved.name]  # no partial file left


def test_a_story_without_files_is_an_error_that_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "library.db"
    with Library(db, Settings()) as library:
        feed = library.add_feed("https://pod.test/feed.xml", title="Pod", topic="Audio")
        entry = ParsedEntry(key="k", title="Words only", published=NOW)
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=(entry,)), now=NOW)
        (row,) = library.story_rows()
    code, out, err = _run(tmp_path, capsys, "download", str(row.id))
    assert code == 1 and out == ""
    assert err.strip() == f"newsterm: story {row.id} carries no file to download."


def test_cache_reports_its_size_and_clear_empties_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "user-cache"
    monkeypatch.setattr("tui.paths.cache_dir", lambda: cache)
    with Library(tmp_path / "library.db", cache_dir=cache) as library:
        library.image_cache.put("https://pictures.test/a.png", b"\x89PNG" + bytes(300_000))
        library.image_cache.put("https://pictures.test/b.png", b"\x89PNG" + bytes(200_000))
    code, out, _ = _run(tmp_path, capsys, "cache")
    assert code == 0 and out.startswith(f"{cache / 'images'}: 0.5 MB of pictures")
    code, out, _ = _run(tmp_path, capsys, "cache", "clear")
    assert code == 0 and out.startswith("Removed 2 pictures (0.5 MB)")
    code, out, _ = _run(tmp_path, capsys, "cache")
    assert out.startswith(f"{cache / 'images'}: 0.0 MB")
