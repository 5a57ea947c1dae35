"""Feeds and pages nested 300,000 levels deep: bounded time and memory, no RecursionError.

Each document is read in a child process (a real one: the same code a refresh worker
runs) so that its peak memory can be read from the operating system without slowing the
parse down the way tracemalloc does. For feeds both readers run: ``parse_feed_safely``
tries the fast reader first and feedparser after it. For pages: extraction, sections and
plain text.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.paths import PROJECT_ROOT

DEPTH = 300_000

# --- feeds ---------------------------------------------------------------------------------

# Generous bounds that still catch growth faster than linear: these documents are 1-3 MB,
# a child peaked at 97-215 MB RSS (measured; 25 MB of it is the interpreter and its
# imports), and quadratic growth would need gigabytes or hours.
MEMORY_LIMIT_MB = 600
HANG = 300  # seconds, under load: a hang detector, not a speed test

_CHILD = r"""
import json, resource, sys
from tui.core.models import ParsedFeed
from tui.core.parse.feed import parse_feed_safely
body = sys.stdin.buffer.read()
outcome = parse_feed_safely(body, url="https://example.com/feed.xml")
print(json.dumps({
    "titles": [e.title for e in outcome.entries] if isinstance(outcome, ParsedFeed) else None,
    "warnings": list(outcome.warnings) if isinstance(outcome, ParsedFeed) else [],
    "error": outcome if isinstance(outcome, str) else None,
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def parse_in_child(body: bytes) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], input=body, capture_output=True, timeout=HANG, check=False
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    outcome: dict[str, object] = json.loads(done.stdout)
    assert isinstance(outcome["max_rss_mb"], float)
    assert outcome["max_rss_mb"] < MEMORY_LIMIT_MB, outcome["max_rss_mb"]
    return outcome


def channel(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Deep</title>'
        f"<item><title>Good 1</title><guid>1</guid></item>{items}</channel></rss>"
    ).encode()


NESTED = {
    "elements inside an entry": channel(
        "<item><title>Deep</title>" + "<a>" * DEPTH + "x" + "</a>" * DEPTH + "</item>"
    ),
    "elements never closed": channel("<item><title>Deep</title>" + "<a>" * DEPTH),
    "escaped HTML in a description": channel(
        "<item><title>Deep</title><description>" + "&lt;div&gt;" * DEPTH + "</description></item>"
    ),
    "HTML in CDATA": channel(
        "<item><title>Deep</title><description><![CDATA["
        + "<div>" * DEPTH
        + "]]></description></item>"
    ),
}


@pytest.mark.parametrize("body", NESTED.values(), ids=list(NESTED))
def test_xml_nested_300000_levels_deep(body: bytes) -> None:
    outcome = parse_in_child(body)
    assert outcome["error"] is None, outcome["error"]
    titles = outcome["titles"]
    assert isinstance(titles, list) and titles[0] == "Good 1"


def test_json_nested_300000_levels_deep_costs_only_that_item() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "Deep", "items": ['
        b'{"id": "1", "title": "Good 1"},'
        + b"[" * DEPTH
        + b"]" * DEPTH
        + b', {"id": "2", "title": "Good 2", "content_html": "'
        + b"<div>" * DEPTH
        + b'"}, {"id": "3", "title": "Good 3", "tags": '
        + b"[" * DEPTH
        + b"]" * DEPTH
        + b"}]}"
    )
    outcome = parse_in_child(body)
    assert outcome["titles"] == ["Good 1", "Good 2"], outcome
    assert any("skipped 2 entries" in str(w) for w in outcome["warnings"])  # type: ignore[attr-defined]


# --- pages ---------------------------------------------------------------------------------

# One element nested DEPTH deep (and closed again: "svg/"), then a real article
# (tests/support/pages.py). lxml stops at 255 levels; nothing of ours may keep a stack as
# deep as the page, or scan it at each tag. "ul" comes first: each figure is what a page
# adds to the most the process ever held.
NESTING_TAGS = ["ul", "ul/", "div", "a", "td", "blockquote", "svg", "svg/", "pre", "pre/"]
SKIPPED = {"svg"}  # never closed, so all that follows is inside it, and not text
_MEASURE = """
import json, resource, sys, time
from tests.support.pages import nested_page
from tui.core.article.render import render_text
from tui.core.article.sections import parse_article
from tui.core.pages.extract import extract_article
from tui.core.text.html import html_to_text

what, depth, tags = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
HTML = {"Content-Type": "text/html; charset=utf-8"}
URL = "https://news.example.com/a"

def page(tag):
    # "svg/" closes each element again (DEPTH end tags) before the article.
    name = tag.rstrip("/")
    nested = f"<{name}>" * depth + (f"</{name}>" * depth if tag.endswith("/") else "")
    return nested_page(1).replace(b"<div>", nested.encode())

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

if what == "extract":
    extract_article(nested_page(10), URL, HTML)  # imports, and the first call's caches
parse_article(nested_page(10).decode())
html_to_text(nested_page(10).decode())
out = {}
for tag in tags:
    body = page(tag)
    text = body.decode()
    before = rss_mb()
    started = time.process_time()
    if what == "extract":
        result = extract_article(body, URL, HTML)
        got = 0 if isinstance(result, str) else result.words
    elif what == "sections":
        article = parse_article(text, base_url=URL)
        render_text(article)
        got = article.word_count
    else:
        got = len(html_to_text(text))
    del body, text
    # The peak this page added to what the process ever held.
    seconds = time.process_time() - started
    out[tag] = {"mb": round(rss_mb() - before, 1), "s": round(seconds, 2), "got": got}
print(json.dumps(out))
"""


def _measure(what: str, tags: list[str]) -> dict[str, dict[str, float]]:
    """Run one of the parsers over 300,000-deep pages in a fresh process: time and memory."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, what, str(DEPTH), ",".join(tags)],
        cwd=PROJECT_ROOT,  # where the child finds tests.support
        capture_output=True,
        text=True,
        timeout=180,  # a hang, not a measure: each page takes about a second
        check=True,
    )
    measured: dict[str, dict[str, float]] = json.loads(done.stdout)
    return measured


def test_extraction_of_a_300k_deep_page_is_bounded() -> None:
    # Before the page was cut at MAX_TAGS tags: 209 MB and 3.4 s of CPU for <a>.
    for tag, figures in _measure("extract", ["a", "li", "td", "div", "svg"]).items():
        assert figures["mb"] < 60, (tag, figures)


@pytest.mark.slow
def test_sections_of_a_300k_deep_page_are_bounded() -> None:
    # Before: <svg> took minutes (each end tag copied the stack of open ones) and <ul> kept
    # 300,000 open lists (16 MB).
    for tag, figures in _measure("sections", NESTING_TAGS).items():
        assert figures["mb"] < 10, (tag, figures)
        if tag not in SKIPPED:
            assert figures["got"] > 250, (tag, figures)  # the article after the nesting


@pytest.mark.slow
def test_text_of_a_300k_deep_page_is_bounded() -> None:
    for tag, figures in _measure("text", NESTING_TAGS).items():
        assert figures["mb"] < 10, (tag, figures)
        if tag not in SKIPPED:
            assert figures["got"] > 1000, (tag, figures)
