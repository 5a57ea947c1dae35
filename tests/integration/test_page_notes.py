"""What reader mode says when a story's page cannot be fetched: a sentence about the page.

A page answering 404 used to say "The feed is not at this address any more (HTTP 404 Not
Found); check the URL": the feed's sentence, for a feed the user never touched. Each case is
served by a loopback server and fetched through the library, as reader mode does.
"""

from __future__ import annotations

import dataclasses
import re
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.feeds import Item, rss
from tests.support.feedserver import FeedServer, Reply
from tests.support.hygiene import BAD_CHARS
from tests.support.pages import pdf_bytes
from tui.core.library import Library
from tui.core.models import ArticleOutcome
from tui.core.settings import ArticleSettings, Settings

SHORT = "<p>The first trams ran on the new line this morning.</p>"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def page_library(db_path: Path) -> Iterator[Library]:
    settings = dataclasses.replace(Settings(), articles=ArticleSettings(max_page_mb=1, deadline=2))
    with Library(db_path, settings) as opened:
        yield opened


async def _outcome(
    server: FeedServer, library: Library, page: Reply | None, link: str = ""
) -> tuple[ArticleOutcome, str]:
    """Serve ``page`` as a story's page; fetch it; the outcome and the reader's note."""
    if page is not None:
        server.route("/story", page)
    entry = Item("Trams", guid="t", link=link or server.url("/story"), description=SHORT)
    server.route("/feed.xml", Reply(200, rss([entry]), {"Content-Type": "application/rss+xml"}))
    feed = library.add_feed(server.url("/feed.xml"))
    report = await library.refresh([str(feed.id)])
    assert not report.failed, report
    (story,) = library.stories(feed=feed.id)
    (outcome,) = await library.fetch_pages([story.id])
    assert not outcome.ok
    return outcome, library.reader(story.id).note


def _assert_a_page_sentence(note: str) -> None:
    assert "feed" not in note.lower(), note  # the feed is fine: its page is not
    assert "check the url" not in note.lower(), note
    assert note.endswith("."), note
    assert "\n" not in note and not BAD_CHARS.search(note), note


STATUSES = [
    (404, "Not Found", r"^The story's page is not at its address \(HTTP 404 Not Found\):"),
    (410, "Gone", r"^The site has taken the story's page down for good \(HTTP 410 Gone\)"),
    (403, "Forbidden", r"^The site refuses to show the story's page \(HTTP 403 Forbidden\)"),
    (401, "Unauthorized", r"^The site refuses to show the story's page \(HTTP 401 Unauth"),
    (500, "Internal Server Error", r"^The site failed to serve the story's page \(HTTP 500 "),
    (502, "Bad Gateway", r"^The site failed to serve the story's page \(HTTP 502 Bad Gateway"),
    (503, "Service Unavailable", r"^The site is unavailable for now \(HTTP 503 Service Unava"),
    (429, "Too Many Requests", r"^The site asks newsterm to slow down \(HTTP 429 Too Many R"),
    (418, "I'm a Teapot", r"^The site answered HTTP 418 I'm a Teapot instead of the story's"),
    (451, "x", r"^The site answered HTTP 451 Unavailable For Legal Reasons instead of"),
    (599, "x", r"^The site failed to serve the story's page \(HTTP 599\)"),
    (304, "Not Modified", r"^The site answered HTTP 304 Not Modified instead of the story's"),
]


@pytest.mark.parametrize(("status", "reason", "expected"), STATUSES, ids=lambda v: str(v))
async def test_an_http_error_gets_a_sentence_about_the_page(
    server: FeedServer, page_library: Library, status: int, reason: str, expected: str
) -> None:
    outcome, note = await _outcome(server, page_library, Reply(status, b"<p>no</p>"))
    assert re.match(expected, outcome.note), outcome.note
    _assert_a_page_sentence(outcome.note)
    assert note == f"Full article unavailable: {outcome.note} Showing the feed's text."


async def test_a_busy_site_says_when_to_try_again(
    server: FeedServer, page_library: Library
) -> None:
    busy = Reply(429, b"", {"Retry-After": "3600"})
    outcome, _note = await _outcome(server, page_library, busy)
    assert re.search(r"; try again after [-0-9]{10} \d\d:\d\d UTC\.$", outcome.note), outcome.note
    _assert_a_page_sentence(outcome.note)


async def test_a_missing_page_hints_at_a_broken_link(
    server: FeedServer, page_library: Library
) -> None:
    outcome, _note = await _outcome(server, page_library, Reply(404, b"gone"))
    assert outcome.note == (
        "The story's page is not at its address (HTTP 404 Not Found): the link may be broken, "
        "or the story taken down."
    )


async def test_a_page_too_large_names_the_setting(
    server: FeedServer, page_library: Library
) -> None:
    huge = Reply(200, b"<p>words</p>" * 200_000, {"Content-Type": "text/html"})
    outcome, _note = await _outcome(server, page_library, huge)
    assert outcome.note == "Page too large: over 1 MB once decompressed ([articles] max_page_mb)."


async def test_a_page_too_slow_is_cut_off_with_a_sentence(
    server: FeedServer, page_library: Library
) -> None:
    def drip(_request: object) -> Reply:
        chunks = (b"<p>more words</p>" for _ in range(10_000))
        return Reply(200, chunks, {"Content-Type": "text/html"}, delay_per_chunk=0.05)

    server.route("/story", drip)
    outcome, _note = await _outcome(server, page_library, None)
    assert outcome.network_error  # not stored: a later try may work
    assert outcome.note == "The page took longer than 2 s to download and was cut off."
    _assert_a_page_sentence(outcome.note)


async def test_a_refused_connection_is_a_network_error(
    server: FeedServer, page_library: Library
) -> None:
    link = f"http://127.0.0.1:{_closed_port()}/story"
    outcome, note = await _outcome(server, page_library, None, link=link)
    assert outcome.network_error
    assert outcome.note.startswith("Could not connect to 127.0.0.1"), outcome.note
    _assert_a_page_sentence(outcome.note)
    assert note == ""  # nothing stored: the reader does not blame the page


async def test_a_file_that_is_not_a_page_gets_its_sentence(
    server: FeedServer, page_library: Library
) -> None:
    pdf = Reply(200, pdf_bytes(), {"Content-Type": "application/pdf"})
    outcome, _note = await _outcome(server, page_library, pdf)
    assert outcome.note == (
        "The story's link is a PDF file, not a web page; newsterm cannot read it in the terminal."
    )


async def test_a_redirect_loop_is_a_sentence(server: FeedServer, page_library: Library) -> None:
    server.route("/a", Reply(302, b"", {"Location": "/story"}))
    outcome, _note = await _outcome(server, page_library, Reply(302, b"", {"Location": "/a"}))
    assert outcome.note.startswith("Redirect loop:"), outcome.note
    _assert_a_page_sentence(outcome.note)


async def test_urls_a_server_sent_reach_the_note_without_controls(
    server: FeedServer, page_library: Library
) -> None:
    # "\x9b" is CSI in the 8-bit spelling: a header may carry it, and httpx keeps it.
    loop = Reply(302, b"", {"Location": "/story?\x9b31mred"})
    outcome, note = await _outcome(server, page_library, loop)
    assert outcome.note.startswith("Redirect loop:"), outcome.note
    assert "/story?red " in outcome.note  # the whole escape sequence is gone
    _assert_a_page_sentence(outcome.note)
    assert not BAD_CHARS.search(note), note


async def test_a_note_stored_by_an_older_newsterm_is_shown_clean(
    server: FeedServer, page_library: Library, db_path: Path
) -> None:
    outcome, _note = await _outcome(server, page_library, Reply(404, b""))
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE articles SET note = ? WHERE story_id = ?",
            ("Redirect loop: http://x.example/\x9b2J\x1b]52;c;Y2xpcA==\x07 sends us back.", 1),
        )
    conn.close()
    note = page_library.reader(outcome.story_id).note
    assert note.startswith("Full article unavailable: Redirect loop: http://x.example/ sends")
    assert not BAD_CHARS.search(note), note
