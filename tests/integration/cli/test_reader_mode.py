"""The command line's reader mode: ``show`` in sections from the page, ``--full``,
``list --sentiment`` and ``refresh --pages``, against a loopback server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.feeds import Item, rss
from tests.support.feedserver import FeedServer, Reply
from tests.support.pages import CLUTTER, DEFAULT_SECTIONS, DEFAULT_TITLE, article_page
from tui.cli import main

SHORT = "<p>The first trams ran on the new line this morning.</p>"
LONG = "<p>" + " ".join(["Council workers explained the timetable at length."] * 40) + "</p>"


class Cli:
    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.argv = ["--db", str(tmp_path / "lib.db"), "--config", str(tmp_path / "none.toml")]
        self.capsys = capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([*self.argv, *argv])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], server: FeedServer) -> Cli:
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.route("/tram", Reply(200, article_page(), html))
    server.route("/long", Reply(200, article_page("Budget explained at length"), html))
    entries = [
        Item(DEFAULT_TITLE, guid="tram", link=server.url("/tram"), description=SHORT),
        Item("Budget explained at length", guid="long", link=server.url("/long"), content=LONG),
    ]
    server.route("/feed.xml", Reply(200, rss(entries), {"Content-Type": "application/rss+xml"}))
    run = Cli(tmp_path, capsys)
    assert run("add", server.url("/feed.xml"))[0] == 0
    return run


def _id(cli: Cli, title: str) -> str:
    code, out, _ = cli("list", "--json")
    assert code == 0
    return str(next(s["id"] for s in json.loads(out) if s["title"] == title))


def test_show_reads_a_short_story_from_its_page_in_sections(cli: Cli, server: FeedServer) -> None:
    code, out, err = cli("show", _id(cli, DEFAULT_TITLE))
    assert code == 0, err
    lines = out.splitlines()
    assert "verified=true" in lines[1]
    for heading, _ in DEFAULT_SECTIONS:
        assert f"{heading} #" in out or heading in lines
    assert "Full text from 127.0.0.1" in out
    assert not any(word in out for word in CLUTTER)
    assert len(server.hits("/tram")) == 1

    server.routes.clear()  # offline: the stored page is shown again, nothing fetched
    code, again, _ = cli("show", _id(cli, DEFAULT_TITLE))
    assert code == 0 and again == out


def test_show_does_not_fetch_a_long_story_unless_asked_with_full(
    cli: Cli, server: FeedServer
) -> None:
    story = _id(cli, "Budget explained at length")
    code, out, _ = cli("show", story)
    assert code == 0 and "Full text from" not in out
    assert server.hits("/long") == []
    code, out, _ = cli("show", "--full", story)
    assert code == 0 and len(server.hits("/long")) == 1
    assert "verified=true" in out


def test_show_no_fetch_and_a_failed_page_say_so(cli: Cli, server: FeedServer) -> None:
    story = _id(cli, DEFAULT_TITLE)
    code, out, _ = cli("show", "--no-fetch", story)
    assert code == 0 and server.hits("/tram") == [] and "first trams" in out
    server.route("/tram", Reply(500, b"oops"))
    code, out, err = cli("show", story)
    assert code == 0
    assert "could not be read" in err and "500" in err
    assert "Full article unavailable" in out and "first trams" in out


def test_list_filters_by_sentiment(cli: Cli) -> None:
    code, out, _ = cli("list", "--sentiment", "positive", "--json")
    assert code == 0
    labelled = {s["title"]: s["sentiment"] for s in json.loads(cli("list", "--json")[1])}
    assert all(label in ("positive", "neutral", "negative") for label in labelled.values())
    assert {s["title"] for s in json.loads(out)} == {
        title for title, label in labelled.items() if label == "positive"
    }
    with pytest.raises(SystemExit) as refused:
        cli("list", "--sentiment", "angry")
    assert refused.value.code == 2


def test_refresh_pages_fetches_short_unread_stories_for_offline_reading(
    cli: Cli, server: FeedServer
) -> None:
    code, out, _ = cli("refresh", "--pages")
    assert code == 0
    assert "1 pages read in full" in out
    assert len(server.hits("/tram")) == 1 and server.hits("/long") == []
