"""``newsterm add`` with a site's address: one feed is subscribed, several are listed."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, Reply, feed_reply
from tui.cli import main


def _site(server: FeedServer, *feeds: tuple[str, str]) -> None:
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" title="{title}" href="{path}">'
        for path, title in feeds
    )
    page = f"<html><head><title>Site</title>{links}</head><body></body></html>".encode()
    server.route("/", Reply(200, page, {"Content-Type": "text/html"}))
    for path, title in feeds:
        server.route(path, feed_reply(rss(items(3, prefix=title), title=title)))


def _run(tmp_path: Path, *argv: str) -> int:
    return main(["--db", str(tmp_path / "lib.db"), "--config", str(tmp_path / "c.toml"), *argv])


def _feed_urls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert _run(tmp_path, "feeds", "--json") == 0
    return [feed["url"] for feed in json.loads(capsys.readouterr().out)]


def test_one_feed_is_subscribed(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    _site(server, ("/only.xml", "Only"))
    assert _run(tmp_path, "add", server.url("/")) == 0
    out = capsys.readouterr().out
    assert server.url("/only.xml") in out and "Added" in out and "3 stories" in out
    assert _feed_urls(tmp_path, capsys) == [server.url("/only.xml")]


def test_several_feeds_off_a_terminal_are_listed(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    _site(server, ("/a.xml", "Posts"), ("/b.xml", "Links"))
    assert _run(tmp_path, "add", server.url("/")) == 1
    captured = capsys.readouterr()
    assert f"1. Posts ({server.url('/a.xml')})" in captured.out
    assert f"2. Links ({server.url('/b.xml')})" in captured.out
    assert "run `newsterm add` again with one of the URLs" in captured.err
    assert _feed_urls(tmp_path, capsys) == []


def _pretend_terminal(monkeypatch: pytest.MonkeyPatch, answers: str) -> None:
    """Standard input and output look like a terminal; the user types ``answers``."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(answers))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)


def test_several_feeds_on_a_terminal_ask_which(
    tmp_path: Path,
    server: FeedServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _site(server, ("/a.xml", "Posts"), ("/b.xml", "Links"))
    _pretend_terminal(monkeypatch, "7\nzwei\n2\n")
    assert _run(tmp_path, "add", server.url("/")) == 0
    out = capsys.readouterr().out
    assert out.count("Which one? [1-2]") == 3 and "Type a number from 1 to 2" in out
    monkeypatch.undo()
    assert _feed_urls(tmp_path, capsys) == [server.url("/b.xml")]


def test_cancelling_the_choice_adds_nothing(
    tmp_path: Path,
    server: FeedServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _site(server, ("/a.xml", "Posts"), ("/b.xml", "Links"))
    _pretend_terminal(monkeypatch, "")  # EOF
    assert _run(tmp_path, "add", server.url("/")) == 1
    assert "cancelled" in capsys.readouterr().err
    monkeypatch.undo()
    assert _feed_urls(tmp_path, capsys) == []


def test_no_feed_is_a_sentence(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    _site(server)
    assert _run(tmp_path, "add", server.url("/")) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsterm: No feed found") and err.count("\n") == 1


def test_a_feed_url_is_added_as_before_and_no_discover_skips(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    _site(server, ("/a.xml", "Posts"))
    assert _run(tmp_path, "add", server.url("/a.xml")) == 0
    assert "is a web page" not in capsys.readouterr().out
    assert _run(tmp_path, "add", "--no-discover", "--no-fetch", server.url("/")) == 0
    assert sorted(_feed_urls(tmp_path, capsys)) == [server.url("/"), server.url("/a.xml")]
