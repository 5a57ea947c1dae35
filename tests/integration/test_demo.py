"""The bundled demo library and the starter feed set: content rules, dates, determinism."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tui.core.demo import (
    DEMO_DIR,
    DEMO_FEEDS,
    DEMO_PICTURES,
    NEWEST_AGE,
    DemoFeed,
    build_demo_library,
    starter_opml_path,
)
from tui.core.errors import LibraryError
from tui.core.export import story_record
from tui.core.library import Library
from tui.core.models import FeedOutcome, ParsedFeed
from tui.core.parse.feed import parse_feed_safely
from tui.core.subscriptions.opml import parse_opml

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOSTILE_TITLE = "Parsing [@click=app.quit]markup[/] safely — why brackets are just text"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo_library(path, now=NOW)
    return path


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Library]:
    with Library(demo_path) as library:
        yield library


def _parsed(filename: str) -> ParsedFeed:
    file = DEMO_DIR / filename
    parsed = parse_feed_safely(file.read_bytes(), url=file.as_uri(), headers={})
    assert not isinstance(parsed, str), parsed
    return parsed


# --- the files --------------------------------------------------------------------------


def test_every_file_in_the_demo_folder_is_a_demo_feed_or_its_picture() -> None:
    feeds = sorted(p.name for p in DEMO_DIR.iterdir() if p.is_file())
    assert feeds == sorted(d.filename for d in DEMO_FEEDS)
    pictures = sorted(p.name for p in (DEMO_DIR / "pictures").iterdir())
    assert pictures == sorted(DEMO_PICTURES.values())


async def test_the_demo_shows_its_picture_offline(tmp_path: Path) -> None:
    """The picture is in the demo's cache under its story's address: it loads, decoded
    by the worker pool, without any network (the address's host does not exist)."""
    from tui.core.images.picture import Picture

    build_demo_library(tmp_path / "demo.db", now=NOW)
    ((url, _file),) = DEMO_PICTURES.items()
    with Library(tmp_path / "demo.db") as library:
        (story,) = [s for s in library.stories() if "lander" in s.title]
        assert url in library.story(story.id).content_html
        picture = await library.load_picture(url, 80, 60)
        await library.close_pictures()
    assert isinstance(picture, Picture) and (picture.width, picture.height) == (80, 45)


@pytest.mark.parametrize("demo_feed", DEMO_FEEDS, ids=lambda d: d.filename)
def test_demo_files_parse_without_warnings(demo_feed: DemoFeed) -> None:
    parsed = _parsed(demo_feed.filename)
    assert parsed.warnings == ()
    assert parsed.title == demo_feed.title
    assert 6 <= len(parsed.entries) <= 10
    for entry in parsed.entries:
        assert entry.title and entry.summary and entry.categories and entry.guid
        assert entry.published is not None and entry.published.year == 2025
        # Made-up sources live under the reserved .example top-level domain, nowhere real.
        assert urlsplit(entry.link).scheme == "https"
        assert (urlsplit(entry.link).hostname or "").endswith(".example")


def test_demo_files_cover_the_formats_and_the_story_shapes() -> None:
    versions = {_parsed(d.filename).version for d in DEMO_FEEDS}
    assert {"rss20", "atom10", "json11"} <= versions
    entries = [e for d in DEMO_FEEDS for e in _parsed(d.filename).entries]
    bodies = [e.content_html for e in entries]
    with_sections = [b for b in bodies if b.count("<h2>") >= 2]
    assert len(with_sections) >= 0.8 * len(bodies)
    assert sum(1 for b in bodies if "<h2>" not in b and len(b.split()) > 200) >= 2  # one section
    assert any(len(b.split()) < 60 for b in bodies)  # a summary-only story
    for tag in ("<ul>", "<ol>", "<blockquote>", "<pre><code", "<img ", "<a href="):
        assert any(tag in b for b in bodies), tag
    long_bodies = [len(re.sub(r"<[^>]+>", " ", b).split()) for b in bodies if len(b.split()) > 60]
    assert min(long_bodies) >= 250 and max(long_bodies) <= 900


def test_demo_files_stay_small() -> None:
    assert sum(p.stat().st_size for p in DEMO_DIR.iterdir()) < 400_000


# --- the library ------------------------------------------------------------------------


def test_demo_has_topics_and_full_feeds(demo: Library) -> None:
    assert len(demo.topics()) >= 5
    feeds = demo.feeds()
    assert len(feeds) == len(DEMO_FEEDS)
    for feed in feeds:
        assert feed.total >= 6, feed.title
        assert feed.url.startswith("file://")
        assert feed.status.value == "ok"


def test_newest_story_is_forty_minutes_old_and_spacing_is_kept(demo: Library) -> None:
    stories = demo.stories()
    assert stories[0].published == NOW - NEWEST_AGE == NOW - timedelta(minutes=40)
    gaps = {s.title: NOW - s.published for s in stories if s.published}
    assert len(gaps) == len(stories)
    # The files' own spacing: the hostile story is 2h20m after the newest one.
    assert gaps[HOSTILE_TITLE] == NEWEST_AGE + timedelta(hours=2, minutes=20)
    assert max(gaps.values()) > timedelta(days=14)  # ages from "40m" to weeks


def test_most_bodies_have_sections(demo: Library) -> None:
    bodies = [demo.story(s.id).content_html for s in demo.stories()]
    assert sum(1 for b in bodies if b.count("<h2>") >= 2) >= 0.8 * len(bodies)


def test_hostile_title_is_stored_literally(demo: Library) -> None:
    [story] = [s for s in demo.stories() if "[@click" in s.title]
    assert story.title == HOSTILE_TITLE
    assert "[b]always[/b]" in story.summary


def test_demo_shows_read_and_bookmarked_stories(demo: Library) -> None:
    stories = demo.stories()
    read = [s for s in stories if s.read]
    bookmarked = [s for s in stories if s.bookmarked]
    assert 3 <= len(read) <= 4
    assert len(bookmarked) == 2
    assert any(s.read for s in bookmarked) and any(not s.read for s in bookmarked)
    for story in read:
        assert story.read_at is not None and story.read_at < NOW


def test_building_twice_gives_the_same_library(tmp_path: Path) -> None:
    records = []
    for name in ("one.db", "two.db"):
        build_demo_library(tmp_path / name, now=NOW)
        with Library(tmp_path / name) as library:
            records.append([story_record(s) for s in library.stories()])
    assert records[0] == records[1]
    assert len(records[0]) >= 6 * len(DEMO_FEEDS)


def test_refuses_to_overwrite_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.db"
    path.write_bytes(b"someone's data")
    with pytest.raises(LibraryError, match="already exists"):
        build_demo_library(path, now=NOW)
    assert path.read_bytes() == b"someone's data"


def test_default_now_is_the_current_time(tmp_path: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    build_demo_library(tmp_path / "demo.db")
    with Library(tmp_path / "demo.db") as library:
        newest = library.stories()[0].published
    assert newest is not None
    assert before - NEWEST_AGE <= newest <= datetime.now(UTC) - NEWEST_AGE


async def test_a_refresh_keeps_the_rebased_dates(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    build_demo_library(path, now=NOW)
    with Library(path) as library:
        before = [story_record(s) for s in library.stories()]
        report = await library.refresh()
        assert {f.outcome for f in report.feeds} == {FeedOutcome.UNCHANGED}
        assert [story_record(s) for s in library.stories()] == before


# --- the starter set --------------------------------------------------------------------


def test_starter_opml_has_topics_of_https_feeds() -> None:
    result = parse_opml(starter_opml_path().read_bytes(), source="starter.opml")
    assert result.refused == ()
    topics: dict[str, int] = {}
    for sub in result.subscriptions:
        assert urlsplit(sub.url).scheme == "https", sub.url
        assert sub.title and sub.topic
        topics[sub.topic] = topics.get(sub.topic, 0) + 1
    assert len(topics) >= 5
    assert all(3 <= count <= 5 for count in topics.values()), topics
    assert len({s.url for s in result.subscriptions}) == len(result.subscriptions)


def test_starter_opml_imports_into_a_library(library: Library) -> None:
    report = library.import_subscriptions(starter_opml_path())
    assert report.refused == ()
    assert len(report.added) == len(library.feeds()) >= 15
