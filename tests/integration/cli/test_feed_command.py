"""``newsterm feed FEED`` (show one feed, and change its settings), ``feeds --json`` with
the settings, and what ``refresh`` says of feeds left for later: run in-process against a
loopback server, a library and a config path in ``tmp_path``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, feed_reply
from tui.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture
def newsterm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(
                ["--db", str(tmp_path / "library.db"), "--config", str(tmp_path / "none"), *argv]
            )
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 1
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def _orbital(server: FeedServer, **headers: str) -> str:
    body = rss(items(2), title="Orbital Notes").replace(b"<channel>", b"<channel><ttl>60</ttl>")
    server.route("/orbital", feed_reply(body, **headers))
    return server.url("/orbital")


@pytest.fixture
def orbital(server: FeedServer, newsterm: Run) -> str:
    """A subscribed, fetched feed (id 1) that asks for an hour between fetches."""
    url = _orbital(server)
    assert newsterm("add", url, "--topic", "Space").code == 0
    return url


def _fields(out: str) -> dict[str, str]:
    """``label   value`` lines as a dict (the first line, the title, under "")."""
    lines = out.splitlines()
    fields = {"": lines[0]}
    for line in lines[1:]:
        label, value = line[:13].strip(), line[13:]
        fields[label] = value
    return fields


def test_feed_shows_one_feed_found_by_id_url_or_title(newsterm: Run, orbital: str) -> None:
    by_id = newsterm("feed", "1")

    assert by_id.code == 0, by_id.err
    fields = _fields(by_id.out)
    assert fields[""] == "[1] Orbital Notes"
    assert fields["url"] == orbital
    assert fields["topic"] == "Space"
    assert fields["account"] == "- (a local feed)"
    assert fields["status"] == "ok"
    assert fields["last fetched"].endswith(" UTC")
    assert fields["next due"].endswith(" UTC")  # an hour after the fetch, as the feed asks
    assert fields["every"] == "- (the feed's own: 1h)"
    assert fields["hint"] == "1h"
    assert (fields["full text"], fields["paused"]) == ("auto", "no")
    assert fields["stories"] == "2 unread of 2"
    assert newsterm("feed", orbital).out == by_id.out
    assert newsterm("feed", "orbital NOTES").out == by_id.out


def test_feed_with_options_changes_the_settings_and_says_what_changed(
    newsterm: Run, orbital: str
) -> None:
    changed = newsterm(
        "feed", "1", "--every", "6h", "--full-text", "always", "--pause", "--title", "Orbit"
    )

    assert changed.code == 0, changed.err
    assert changed.out.splitlines() == [
        "[1] Orbit:",
        "  title: Orbital Notes → Orbit",
        "  every: - (the feed's own: 1h) → 6h",
        "  full text: auto → always",
        "  paused: no → yes",
    ]
    record = newsterm("feed", "1", "--json").json()
    assert (record["every"], record["hint"], record["full_text"], record["paused"]) == (
        360,
        60,
        "always",
        True,
    )
    assert record["title"] == "Orbit"
    assert newsterm("feed", "1", "--every", "360m").out == "[1] Orbit: nothing to change.\n"

    resumed = newsterm("feed", "Orbit", "--resume", "--every", "off", "--topic", "Astronomy")
    assert resumed.out.splitlines() == [
        "[1] Orbit:",
        "  topic: Space → Astronomy",
        "  every: 6h → - (the feed's own: 1h)",
        "  paused: yes → no",
    ]


@pytest.mark.parametrize(
    "duration", ["6", "1.5h", "-1h", "6 hours", "soon", "", "1y", "45d", "99999999999h", "６h"]
)
def test_a_duration_that_means_nothing_is_bad_usage_in_one_sentence(
    newsterm: Run, orbital: str, duration: str
) -> None:
    result = newsterm("feed", "1", f"--every={duration}", "--pause")

    assert result.code == 2
    assert "Traceback" not in result.err
    (error,) = [line for line in result.err.splitlines() if "error:" in line]
    assert "argument --every:" in error
    assert "30m" in error or "30 days" in error
    record = newsterm("feed", "1", "--json").json()
    assert (record["every"], record["paused"]) == (None, False)


def test_pause_and_resume_together_and_an_unknown_full_text_are_bad_usage(
    newsterm: Run, orbital: str
) -> None:
    assert newsterm("feed", "1", "--pause", "--resume").code == 2
    assert newsterm("feed", "1", "--full-text", "sometimes").code == 2


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("feed", "Nowhere Weekly"), "No subscribed feed has the id, URL or title"),
        (("feed", "Twins"), "2 feeds are called 'Twins'"),
        (("feed", "1", "--title", ""), "cannot be empty"),
    ],
)
def test_a_feed_that_cannot_be_found_or_changed_is_one_sentence(
    newsterm: Run, server: FeedServer, argv: tuple[str, ...], words: str
) -> None:
    for name in ("a", "b"):
        server.route(f"/{name}", feed_reply(rss(items(1), title="Twins")))
        assert newsterm("add", server.url(f"/{name}")).code == 0

    result = newsterm(*argv)

    assert result.code == 1
    (line,) = result.err.splitlines()
    assert line.startswith("newsterm: ") and words in line


def test_feeds_json_carries_every_hint_full_text_and_paused(newsterm: Run, orbital: str) -> None:
    before = newsterm("feeds", "--json").json()
    newsterm("feed", "1", "--every", "2d", "--full-text", "never", "--pause")
    after = newsterm("feeds", "--json").json()
    listed = newsterm("feeds")

    assert (before[0]["every"], before[0]["hint"]) == (None, 60)
    assert (before[0]["full_text"], before[0]["paused"]) == ("auto", False)
    assert (after[0]["every"], after[0]["full_text"], after[0]["paused"]) == (2880, "never", True)
    assert "every 2d · full text never · paused" in listed.out


def test_refresh_counts_feeds_not_due_and_paused_and_says_why_of_one_asked_for(
    newsterm: Run, server: FeedServer, orbital: str
) -> None:
    server.route("/quiet", feed_reply(rss(items(1, prefix="Quiet"), title="Quiet Weekly")))
    assert newsterm("add", server.url("/quiet")).code == 0
    newsterm("feed", "2", "--pause")
    asked = {path: len(server.hits(path)) for path in ("/quiet", "/orbital")}

    everything = newsterm("refresh")
    named = newsterm("refresh", "--feed", "2")

    assert everything.code == 0 and named.code == 0
    (summary,) = everything.out.splitlines()  # counted, never listed
    assert re.fullmatch(
        r"0 feeds ok, 0 failed, 0 new stories in [\d.]+ s; 1 feed not due yet, 1 paused", summary
    )
    assert named.out.splitlines()[1:] == [
        "  - Quiet Weekly: paused; `newsterm feed 2 --resume` fetches it again"
    ]
    assert {path: len(server.hits(path)) for path in asked} == asked
