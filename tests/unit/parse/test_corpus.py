"""Conformance over the shared feed corpus: every document ingests, and ingests clean.

The corpus lives next to the project (``../shared/corpus``), not in it; a fresh clone has no
such folder and these tests skip. ``feedparser/`` is feedparser's own test suite (~2,100
small, often hostile or broken feeds); ``real-world/`` holds feeds saved from the wild.
"""

from __future__ import annotations

import html
import json
import pickle
import re
from pathlib import Path

import pytest

from tests.support.hygiene import BAD_CHARS, strings
from tests.support.paths import CORPUS
from tui.core.models import ParsedFeed
from tui.core.parse.feed import parse_feed_safely

FEED_SUFFIXES = {".rss", ".atom", ".xml", ".rdf", ".json"}  # .html and .opml: other tests

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no feed corpus at {CORPUS}"),
]


def corpus_files(folder: str, pattern: str) -> list[Path]:
    root = CORPUS / folder
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob(pattern) if p.is_file() and p.suffix in FEED_SUFFIXES)


FEEDPARSER_FILES = corpus_files("feedparser", "**/*")
REAL_WORLD_FILES = corpus_files("real-world", "*")
REAL_WORLD_JSON = [p for p in REAL_WORLD_FILES if p.suffix == ".json"]

# feedparser's test files say in their opening comment which HTTP headers they were served
# with ("Header: Content-type: text/xml; charset=..."): give them the same.
HEADER_LINE = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)
ITEM_LINK = re.compile(rb"<(?:item|entry)\b(?:(?!</(?:item|entry)>).)*?<link\b", re.DOTALL)
ITEM_DATE = re.compile(
    rb"<(?:item|entry)\b(?:(?!</(?:item|entry)>).)*?<(?:pubDate|published|updated|dc:date|issued)\b",
    re.DOTALL,
)
INTERNAL_FAILURE = "newsterm could not read this feed:"


def file_id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


def served_headers(body: bytes) -> dict[str, str]:
    return {
        name.decode("ascii", "replace"): value.decode("latin-1")
        for name, value in HEADER_LINE.findall(body[:2000])
    }


def ingest(path: Path) -> ParsedFeed | str:
    body = path.read_bytes()
    url = f"https://example.com/{path.name}"
    result = parse_feed_safely(body, url=url, headers=served_headers(body))
    if isinstance(result, str):
        # A ParseError's sentence is fine (not every test file is a feed); an exception
        # that escaped the parser and was caught by the safety net is a bug.
        assert not result.startswith(INTERNAL_FAILURE), result
        assert not BAD_CHARS.search(result), repr(result)
        return result
    for text in strings(result):
        assert not BAD_CHARS.search(text), repr(text[:200])
    for entry in result.entries:
        assert not BAD_CHARS.search(html.unescape(entry.content_html)), entry.content_html[:200]
    assert pickle.loads(pickle.dumps(result)) == result
    return result


@pytest.mark.parametrize("path", FEEDPARSER_FILES, ids=file_id)
def test_feedparser_corpus_ingests_clean(path: Path) -> None:
    ingest(path)


@pytest.mark.parametrize("path", REAL_WORLD_FILES, ids=file_id)
def test_real_world_feeds_yield_entries(path: Path) -> None:
    result = ingest(path)
    assert isinstance(result, ParsedFeed), result
    assert result.entries
    assert all(entry.title for entry in result.entries)
    body = path.read_bytes()
    if path.suffix == ".json":
        items = json_items(body)
        has_links = any(isinstance(i, dict) and (i.get("url") or i.get("link")) for i in items)
        has_dates = any(
            isinstance(i, dict) and (i.get("date_published") or i.get("pubDate")) for i in items
        )
    else:
        has_links = bool(ITEM_LINK.search(body))
        has_dates = bool(ITEM_DATE.search(body))
    if has_links:
        assert all(entry.link.startswith(("http://", "https://")) for entry in result.entries)
    if has_dates:
        assert all(entry.published for entry in result.entries)


def json_items(body: bytes) -> list[object]:
    """The items of a JSON Feed or RSS-in-JSON source, or of a cut-off one, for comparison."""
    try:
        document = json.loads(body)
    except ValueError:
        return [{"url": "x", "date_published": "x"}]  # the cut-off sample: both, as far as it goes
    if "rss" in document:
        items = document["rss"]["channel"].get("item", [])
        return items if isinstance(items, list) else [items]
    return list(document.get("items", []))


def test_the_real_world_json_feeds_are_all_there() -> None:
    assert len(REAL_WORLD_JSON) == 11


@pytest.mark.parametrize("path", REAL_WORLD_JSON, ids=file_id)
def test_real_world_json_feeds_parse_as_json(path: Path) -> None:
    result = ingest(path)
    assert isinstance(result, ParsedFeed), result
    assert result.version in {"json10", "json11", "json", "rss-in-json"}
    assert result.entries
