"""Feeds nested 300,000 levels deep: bounded time and memory, no RecursionError.

Each document is parsed in a child process (a real one: the same code a refresh worker
runs) so that its peak memory can be read from the operating system without slowing the
parse down the way tracemalloc does. Both readers run: ``parse_feed_safely`` tries the
fast reader first and feedparser after it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

DEPTH = 300_000
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
