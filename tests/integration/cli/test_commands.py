"""The ``newsterm`` command line, run in-process (``main([...])`` with capsys) and, for exit
codes and tracebacks, as a real program. Every run passes ``--db`` and ``--config`` paths
in ``tmp_path`` so nothing touches the user's own library or settings."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.feeds import Item, items, rss
from tests.support.feedserver import FeedServer, Reply, feed_reply
from tui.cli import main
from tui.core.store import schema

NEWSTERM = Path(sys.executable).parent / "newsterm"
UNSAFE = ("\x1b", "\x07", "\x9b", "\u202e")
SUMMARY = re.compile(
    r"^(\d+) feeds ok, (\d+) failed(?:, \d+ skipped)?, (\d+) new stories in [\d.]+ s$"
)
STORY_KEYS = {
    "id",
    "feed_id",
    "feed_title",
    "topic",
    "title",
    "link",
    "published",
    "read",
    "bookmarked",
}
FEED_KEYS = {"id", "title", "url", "topic", "unread", "total", "status", "last_error", "next_retry"}


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    def json(self) -> Any:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture
def newsterm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``newsterm("list", "--json")`` → exit code, stdout and stderr."""
    db = tmp_path / "library.db"
    config = tmp_path / "no-such-config.toml"

    def run(*argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(["--db", str(db), "--config", str(config), *argv])
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 1
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def _program(tmp_path: Path, *argv: str, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [
            str(NEWSTERM),
            "--db",
            str(tmp_path / "library.db"),
            "--config",
            str(tmp_path / "no-such-config.toml"),
            *argv,
        ],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("newsterm: "), err
    assert "Traceback" not in err
    return lines[0]


# -- a new user's first session ----------------------------------------------------------


def _serve_library(server: FeedServer) -> None:
    space = items(4, prefix="Orbit")
    space[0].content = "<p>The <b>zeppelin</b> docked at the orbital station.</p>"
    server.route("/space", feed_reply(rss(space, title="Orbital Notes")))
    kitchen = items(3, prefix="Kitchen")
    kitchen[1].link = "javascript:alert(document.cookie)"
    server.route("/kitchen", feed_reply(rss(kitchen, title="Kitchen Table")))
    server.route("/broken", Reply(500, b"oops"))


def _opml_file(tmp_path: Path, server: FeedServer) -> Path:
    path = tmp_path / "subscriptions.opml"
    path.write_text(
        textwrap.dedent(
            f"""\
            <?xml version="1.0" encoding="UTF-8"?>
            <opml version="2.0"><head><title>subs</title></head><body>
              <outline text="Science">
                <outline type="rss" text="Orbital Notes" xmlUrl="{server.url("/space")}"/>
                <outline type="rss" text="Broken" xmlUrl="{server.url("/broken")}"/>
              </outline>
              <outline text="Food">
                <outline type="rss" text="Kitchen Table" xmlUrl="{server.url("/kitchen")}"/>
              </outline>
            </body></opml>
            """
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def stocked(server: FeedServer, newsterm: Run, tmp_path: Path) -> Run:
    """A library set up the way a new user would: import an OPML file, then refresh."""
    _serve_library(server)
    imported = newsterm("import", str(_opml_file(tmp_path, server)))
    assert imported.code == 0, imported.err
    assert "3 feeds added" in imported.out
    refreshed = newsterm("refresh")
    assert refreshed.code == 0, refreshed.err
    match = SUMMARY.match(refreshed.lines[0])
    assert match, refreshed.out
    assert match.groups() == ("2", "1", "7")
    assert any("Broken" in line and "500" in line for line in refreshed.lines[1:])
    return newsterm


def _stories(run: Run, *extra: str) -> list[dict[str, object]]:
    result = run("list", "--json", *extra)
    assert result.code == 0, result.err
    data = result.json()
    assert isinstance(data, list)
    return data


def test_list_shows_ids_and_titles(stocked: Run) -> None:
    result = stocked("list")

    assert result.code == 0
    records = _stories(stocked)
    assert len(records) == 7 == len(result.lines)
    for record, line in zip(records, result.lines, strict=True):
        assert re.match(rf"^\s*{record['id']}\s", line), line
        assert str(record["title"]) in line


def test_list_json_has_the_documented_keys(stocked: Run) -> None:
    records = _stories(stocked)

    for record in records:
        assert set(record) >= STORY_KEYS
        assert isinstance(record["id"], int) and isinstance(record["feed_id"], int)
        assert isinstance(record["read"], bool) and isinstance(record["bookmarked"], bool)
        published = record["published"]
        assert published is None or datetime.fromisoformat(str(published)).tzinfo is not None
    by_title = {r["title"]: r for r in records}
    assert by_title["Orbit 0"]["feed_title"] == "Orbital Notes"
    assert by_title["Orbit 0"]["topic"] == "Science"
    assert by_title["Orbit 0"]["published"] == "2026-11-01T00:00:00+00:00"
    assert by_title["Kitchen 2"]["topic"] == "Food"
    assert {r["title"] for r in _stories(stocked, "--topic", "food")} == {
        "Kitchen 0",
        "Kitchen 1",
        "Kitchen 2",
    }


def test_search_in_words_and_in_json(stocked: Run) -> None:
    found = stocked("search", "zeppelin")
    assert found.code == 0
    assert "Orbit 0" in found.out
    assert "Kitchen" not in found.out

    as_json = stocked("search", "--json", "zeppelin")
    (record,) = as_json.json()
    assert record["title"] == "Orbit 0"
    assert set(record) >= STORY_KEYS

    nothing = stocked("search", "nonexistentword")
    assert nothing.code == 0 and "Nothing found" in nothing.out


def test_show_prints_title_breadcrumb_and_meta(stocked: Run) -> None:
    story = next(r for r in _stories(stocked) if r["title"] == "Orbit 0")

    result = stocked("show", str(story["id"]))

    assert result.code == 0, result.err
    assert "Orbit 0" in result.lines
    assert result.lines[0].startswith("cd /news/science/orbit-0")
    assert f"[ARTICLE · art-{story['id']}]" in result.out
    assert "zeppelin docked" in result.out
    assert stocked("show", f"art-{story['id']}").out == result.out


def test_read_unread_bookmark_unbookmark(stocked: Run) -> None:
    first, second = (r["id"] for r in _stories(stocked)[:2])

    assert stocked("read", str(first), str(second)).out.strip() == "2 of 2 stories marked read."
    assert stocked("bookmark", str(first)).out.strip() == "1 of 1 stories bookmarked."
    state = {r["id"]: r for r in _stories(stocked)}
    assert state[first]["read"] and state[second]["read"] and state[first]["bookmarked"]
    assert not state[second]["bookmarked"]
    assert [r["id"] for r in _stories(stocked, "--unread")] == [
        r for r in state if r not in (first, second)
    ]

    assert stocked("unread", str(second)).code == 0
    assert stocked("unbookmark", str(first)).code == 0
    state = {r["id"]: r for r in _stories(stocked)}
    assert not state[second]["read"] and state[first]["read"]
    assert not state[first]["bookmarked"]
    assert _stories(stocked, "--bookmarked") == []


def test_bookmarks_as_markdown_json_and_netscape_html(stocked: Run) -> None:
    records = _stories(stocked)
    ids = [str(r["id"]) for r in records if r["title"] in ("Orbit 1", "Kitchen 1")]
    assert stocked("bookmark", *ids).code == 0

    md = stocked("bookmarks", "--format", "md")
    assert md.code == 0
    assert "[Orbit 1](<https://example.org/orbit/1>)" in md.out
    assert "Kitchen 1" in md.out and "javascript:" not in md.out

    as_json = stocked("bookmarks", "--format", "json").json()
    assert isinstance(as_json, list)
    assert {r["title"] for r in as_json} == {"Orbit 1", "Kitchen 1"}

    html = stocked("bookmarks", "--format", "html").out
    assert html.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
    assert '<A HREF="https://example.org/orbit/1"' in html
    hrefs = re.findall(r'HREF="([^"]*)"', html, flags=re.IGNORECASE)
    assert hrefs == ["https://example.org/orbit/1"]
    assert "javascript" not in html.lower()
    assert stocked("bookmarks").out == md.out  # md is the default


def test_export_writes_opml_of_every_feed(stocked: Run, server: FeedServer, tmp_path: Path) -> None:
    result = stocked("export")
    assert result.code == 0
    root = ET.fromstring(result.out)
    assert root.tag == "opml"
    urls = {o.get("xmlUrl"): o.get("title") for o in root.iter("outline") if o.get("xmlUrl")}
    assert urls == {
        server.url("/space"): "Orbital Notes",
        server.url("/broken"): "Broken",
        server.url("/kitchen"): "Kitchen Table",
    }
    folders = {o.get("text") for o in root.find("body") or [] if not o.get("xmlUrl")}
    assert folders == {"Science", "Food"}

    target = tmp_path / "out.opml"
    assert stocked("export", str(target)).code == 0
    assert ET.parse(target).getroot().tag == "opml"


def test_feeds_json_has_state_and_counts(stocked: Run, server: FeedServer) -> None:
    data = stocked("feeds", "--json").json()
    assert isinstance(data, list)
    by_url = {f["url"]: f for f in data}
    for record in data:
        assert set(record) >= FEED_KEYS

    space = by_url[server.url("/space")]
    assert (space["title"], space["topic"], space["status"]) == ("Orbital Notes", "Science", "ok")
    assert (space["unread"], space["total"]) == (4, 4)
    assert space["last_error"] is None and space["next_retry"] is None
    broken = by_url[server.url("/broken")]
    assert broken["status"] == "error"
    assert "500" in broken["last_error"]
    assert datetime.fromisoformat(broken["next_retry"]) > datetime.now(UTC)

    words = stocked("feeds")
    assert "Orbital Notes" in words.out and "last error:" in words.out


def test_add_fetches_the_feed_and_names_its_topic(server: FeedServer, newsterm: Run) -> None:
    entries = items(3)
    entries[0].categories = ("Gardening",)
    server.route("/garden", feed_reply(rss(entries, title="Green Fingers")))

    result = newsterm("add", server.url("/garden"))

    assert result.code == 0, result.err
    assert "Green Fingers" in result.out and "Gardening" in result.out and "3 stories" in result.out
    again = newsterm("add", server.url("/garden"))
    assert again.code == 0 and "Already subscribed" in again.out
    assert len(_stories(newsterm)) == 3

    server.route("/shed", feed_reply(rss(entries, title="Potting Shed")))
    chosen = newsterm("add", server.url("/shed"), "--topic", "Outdoors")
    assert chosen.code == 0, chosen.err
    assert "topic Outdoors" in chosen.out  # --topic wins over the entries' category
    feeds = {f["url"]: f["topic"] for f in newsterm("feeds", "--json").json()}
    assert feeds == {server.url("/garden"): "Gardening", server.url("/shed"): "Outdoors"}


# -- mistakes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["list", "--frob"],
        ["--nope", "list"],
        ["list", "--limit", "0"],
        ["show"],
        ["bookmarks", "--format", "pdf"],
    ],
)
def test_bad_usage_exits_2(newsterm: Run, argv: list[str]) -> None:
    result = newsterm(*argv)
    assert result.code == 2
    assert "usage:" in result.err and "Traceback" not in result.err


def test_user_mistakes_exit_1_with_one_sentence(stocked: Run, tmp_path: Path) -> None:
    cases = {
        ("show", "987654"): "987654",
        ("read", "987654"): "987654",
        ("bookmark", "not-an-id"): "not-an-id",
        ("remove", "987654"): "987654",
        ("remove", "https://nowhere.example/feed"): "nowhere.example",
        ("list", "--topic", "science", "--json"): None,  # not a mistake: a control case
        ("search", '"unterminated'): "close every double quote",
        ("search", "AND"): "Cannot understand the search",
        ("import", str(tmp_path / "missing.opml")): "missing.opml",
        ("add", "javascript:alert(1)"): "javascript:alert(1)",
        ("add", "ftp://example.org/feed"): "ftp://",
        ("refresh", "--feed", "987654"): "987654",
    }
    for argv, expected in cases.items():
        result = stocked(*argv)
        if expected is None:
            assert result.code == 0
            continue
        assert result.code == 1, (argv, result)
        line = _one_error_line(result.err)
        assert expected in line, (argv, line)
        assert "sqlite" not in line.lower() and "Error:" not in line, line
    assert len(_stories(stocked)) == 7


def test_a_library_from_a_newer_version_is_a_sentence(newsterm: Run, tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = db.read_bytes()

    result = newsterm("list")

    assert result.code == 1
    line = _one_error_line(result.err)
    assert "newer newsterm" in line
    assert db.read_bytes() == before


def test_the_real_program_exit_codes_and_no_tracebacks(tmp_path: Path) -> None:
    usage = _program(tmp_path, "frobnicate")
    assert usage.returncode == 2
    assert b"Traceback" not in usage.stderr

    missing = _program(tmp_path, "show", "12345")
    assert missing.returncode == 1
    assert missing.stdout == b""
    _one_error_line(missing.stderr.decode())

    scheme = _program(tmp_path, "add", "javascript:alert(1)")
    assert scheme.returncode == 1
    _one_error_line(scheme.stderr.decode())

    (tmp_path / "garbage.db").write_bytes(b"not sqlite at all " * 100)
    garbage = subprocess.run(
        [
            str(NEWSTERM),
            "--db",
            str(tmp_path / "garbage.db"),
            "--config",
            str(tmp_path / "none.toml"),
            "list",
        ],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
        check=False,
    )
    assert garbage.returncode == 1
    assert "garbage.db" in _one_error_line(garbage.stderr.decode())

    ok = _program(tmp_path, "list")
    assert ok.returncode == 0 and b"No stories" in ok.stdout


def test_newsterm_without_a_command_and_without_a_terminal_says_so(tmp_path: Path) -> None:
    # With no command newsterm opens the terminal UI; piped (as here) it cannot, and says
    # so in one sentence instead of drawing escape codes into a pipe.
    result = _program(tmp_path)
    assert result.returncode == 2
    assert b"terminal" in result.stderr
    assert b"Traceback" not in result.stderr
    assert result.stdout == b""


# -- output hygiene ----------------------------------------------------------------------

HOSTILE_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Evil\x1b[2J Feed \u202eelif\x07",
    "home_page_url": "https://evil.example/",
    "items": [
        {
            "id": "h1",
            "url": "https://evil.example/1",
            "title": "Red \x1b[31malert\x1b[0m hostile",
            "summary": "sum \u202eesrever\u202c hostile \x9b2J",
            "content_html": "<p>body \x1b]52;c;ZXZpbA==\x07 hostile \x9b31m text</p>",
            "date_published": "2026-11-20T10:00:00Z",
            "tags": ["Sec\x1b[5murity"],
        },
        {
            "id": "h2",
            "url": "https://evil.example/2",
            "title": "Click [@click=app.quit]x[/] hostile",
            "content_html": "<p>[b]not bold[/b] hostile</p>",
            "date_published": "2026-11-19T10:00:00Z",
        },
        {
            "id": "h3",
            "url": "https://evil.example/3",
            "title": (
                "Bell\x07 C1\x9b2J OSC8 \x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\ hostile"
            ),
            "content_html": "<p>\x90DCS payload\x9c hostile</p>",
            "date_published": "2026-11-18T10:00:00Z",
        },
    ],
}

INJECTED = "Injected \x1b[31m red \x1b]52;c;ZXZpbA==\x07 \x9b2J \u202eright\u202c \x85 hostile"

COMMANDS = [
    ["list"],
    ["list", "--json"],
    ["search", "hostile"],
    ["search", "--json", "hostile"],
    ["feeds"],
    ["feeds", "--json"],
    ["bookmarks"],
    ["bookmarks", "--format", "json"],
    ["bookmarks", "--format", "html"],
    ["show", "{id}"],
]


def _hostile_library(server: FeedServer, run: Run, db: Path, *, injected: bool) -> None:
    """A library holding hostile text: fetched from a feed (cleaned at ingest), or, when
    ``injected``, written straight into the file as an older or buggy version might have."""
    server.route("/evil", feed_reply(json.dumps(HOSTILE_FEED).encode(), "application/feed+json"))
    assert run("add", server.url("/evil")).code == 0
    ids = [str(r["id"]) for r in _stories(run)]
    assert run("bookmark", *ids).code == 0
    if injected:
        conn = sqlite3.connect(db)
        conn.execute(
            "UPDATE stories SET title = ?, summary = ?, content_html = ?, author = ?",
            (INJECTED, INJECTED, f"<p>{INJECTED}</p>", INJECTED),
        )
        conn.execute(
            "UPDATE feeds SET title = ?, user_title = ?, last_error = ?, topic_name = ?",
            (INJECTED, INJECTED, INJECTED, INJECTED),
        )
        conn.commit()
        conn.close()


@pytest.mark.parametrize("injected", [False, True], ids=["from-the-feed", "already-stored"])
@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: "-".join(argv).replace("{id}", "id"))
def test_hostile_text_never_reaches_the_terminal(
    server: FeedServer, newsterm: Run, tmp_path: Path, argv: list[str], injected: bool
) -> None:
    _hostile_library(server, newsterm, tmp_path / "library.db", injected=injected)
    story_id = str(_stories(newsterm)[0]["id"])

    result = newsterm(*[a.replace("{id}", story_id) for a in argv])

    assert result.code == 0, result.err
    assert ("Injected" if injected else "hostile") in result.out or "Evil" in result.out
    for char in UNSAFE:
        assert char not in result.out, (argv, char, result.out)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", result.out)
    if "json" in argv or "--json" in argv:
        json.loads(result.out)  # still valid JSON


def test_markup_in_titles_is_printed_literally(
    server: FeedServer, newsterm: Run, tmp_path: Path
) -> None:
    _hostile_library(server, newsterm, tmp_path / "library.db", injected=False)

    listed = newsterm("list").out
    found = newsterm("search", "click").out
    story = next(r for r in _stories(newsterm) if "click" in str(r["title"]))
    shown = newsterm("show", str(story["id"])).out

    for out in (listed, found, shown):
        assert "Click [@click=app.quit]x[/] hostile" in out
    assert "[b]not bold[/b]" in shown


def test_the_real_program_writes_no_escape_bytes(server: FeedServer, tmp_path: Path) -> None:
    server.route("/evil", feed_reply(json.dumps(HOSTILE_FEED).encode(), "application/feed+json"))
    added = _program(tmp_path, "add", server.url("/evil"))
    assert added.returncode == 0, added.stderr

    for argv in (["list"], ["search", "hostile"], ["feeds"]):
        result = _program(tmp_path, *argv)
        assert result.returncode == 0, result.stderr
        for char in UNSAFE:
            assert char.encode() not in result.stdout, (argv, char)
        assert b"\x1b" not in result.stderr


def test_old_dates_and_far_future_dates_print(server: FeedServer, newsterm: Run) -> None:
    entries = [
        Item("Ancient", guid="a", published=datetime(1971, 1, 1, tzinfo=UTC)),
        Item("Future", guid="f", published=datetime(2099, 1, 1, tzinfo=UTC)),
        Item("Recent", guid="r", published=datetime.now(UTC) - timedelta(hours=2)),
    ]
    server.route("/dates", feed_reply(rss(entries)))
    assert newsterm("add", server.url("/dates")).code == 0

    titles = [r["title"] for r in _stories(newsterm)]
    assert titles[-1] == "Ancient"
    assert newsterm("list").code == 0
