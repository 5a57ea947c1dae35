"""Search never holds the library up: bounded queries, interruptible runs, its own lock.

Pasting 10 KB into ``/`` once ran for minutes (FTS5's ranking grows with the square of the
number of terms) while holding the lock every other library call needs, so stories did not
open, bookmarks were not saved and quitting waited.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tui.core.errors import LibraryError, SearchQueryError
from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.settings import Settings
from tui.core.store.search import MAX_QUERY_CHARS, MAX_TERMS

WORDS = [
    "orbit",
    "survey",
    "ring",
    "signal",
    "model",
    "rust",
    "python",
    "kernel",
    "climate",
    "river",
    "policy",
    "market",
]


@pytest.fixture
def filled(library: Library) -> Library:
    feed = library.add_feed("https://example.org/feed.xml", topic="Science")
    entries = tuple(
        ParsedEntry(
            key=f"urn:s:{n}",
            guid=f"urn:s:{n}",
            title=f"Story {n} " + " ".join(WORDS[(n + i) % len(WORDS)] for i in range(6)),
            link=f"https://example.org/{n}",
            summary=" ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(40)),
        )
        for n in range(400)
    )
    library.ingest(feed.id, ParsedFeed(title="Science feed", entries=entries))
    return library


def test_a_pasted_page_is_refused_in_a_sentence_at_once(filled: Library) -> None:
    pasted = " ".join(WORDS * 200)  # ~10 KB, 2,400 words
    with pytest.raises(SearchQueryError, match="characters long"):
        filled.search(pasted, forgiving=True)
    with pytest.raises(SearchQueryError, match=f"up to {MAX_TERMS}"):
        filled.search(" ".join(WORDS * 5)[: MAX_QUERY_CHARS - 1])
    near = "NEAR(" + " ".join(WORDS * 14) + ")"
    with pytest.raises(SearchQueryError, match="words"):
        filled.search(near)


def test_queries_within_the_bounds_still_search(filled: Library) -> None:
    assert filled.search(" ".join(WORDS[:4]))
    assert filled.search(" ".join(WORDS * 2)[:MAX_QUERY_CHARS], forgiving=True) is not None


def test_a_bad_query_blames_the_query_not_the_library(filled: Library) -> None:
    for query in ("*", "title:", '"open', "a OR", "x:y"):
        with pytest.raises(SearchQueryError) as caught:
            filled.search(query)
        assert not isinstance(caught.value, LibraryError)
        assert "library" not in str(caught.value).lower()


def test_the_command_line_says_the_query_is_wrong(filled: Library, db_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(db_path), "search", "*"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Cannot understand the search" in done.stderr
    assert "Could not read the library" not in done.stderr
    assert "Traceback" not in done.stderr


def test_a_search_stops_when_its_caller_gives_up(filled: Library) -> None:
    with pytest.raises(SearchQueryError, match="stopped"):
        filled.search("orbit OR survey OR ring", stop=lambda: True)


def test_marks_and_reading_go_on_while_a_search_runs(filled: Library) -> None:
    """A search held inside SQLite (its progress handler waits) blocks nobody else."""
    running, release = threading.Event(), threading.Event()

    def stuck() -> bool:
        running.set()
        release.wait(30)
        return False

    outcome: list[object] = []
    searching = threading.Thread(
        target=lambda: outcome.append(filled.search("orbit OR survey", stop=stuck))
    )
    searching.start()
    try:
        assert running.wait(10), "the search never started"
        story = filled.stories(limit=1)[0]
        done = threading.Thread(
            target=lambda: (
                filled.set_bookmarked([story.id]),
                filled.set_read([story.id]),
                filled.reader(story.id),
                filled.counts(),
            )
        )
        done.start()
        done.join(20)
        assert not done.is_alive(), "marks or reading waited for the search"
        assert filled.story(story.id).bookmarked
    finally:
        release.set()
        searching.join(30)
    assert outcome and isinstance(outcome[0], list)


def test_closing_the_library_ends_a_running_search(db_path: Path) -> None:
    library = Library(db_path, Settings())
    feed = library.add_feed("https://example.org/feed.xml")
    entries = tuple(
        ParsedEntry(key=f"urn:{n}", guid=f"urn:{n}", title=" ".join(WORDS), summary="x")
        for n in range(300)
    )
    library.ingest(feed.id, ParsedFeed(title="F", entries=entries))
    started = threading.Event()

    def slow() -> bool:  # a search that would take minutes
        started.set()
        time.sleep(0.01)
        return False

    errors: list[BaseException] = []

    def search() -> None:
        try:
            library.search(" OR ".join(WORDS), stop=slow)
        except SearchQueryError as error:
            errors.append(error)

    searching = threading.Thread(target=search)
    searching.start()
    assert started.wait(10)
    closing = threading.Thread(target=library.close)
    closing.start()
    closing.join(20)
    searching.join(20)
    assert not closing.is_alive(), "closing waited for the search"
    assert not searching.is_alive()
    assert errors and "stopped" in str(errors[0])
