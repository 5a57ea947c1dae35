"""The reader pane lists the files a story carries (podcast episodes, videos) under its
read line, as plain text: a title from a feed never becomes markup; the list marks the
stories that carry audio (♪) or video (▶) before their source."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Static

from tests.support.pilot import NOW, make_app, settle
from tui.core.article.view import enclosure_line
from tui.core.library import Library
from tui.core.models import Enclosure, ParsedEntry, ParsedFeed

EPISODE = Enclosure(
    "https://cdn.pod.test/12.mp3", "audio/mpeg", 45_123_456, 3723, "[b]Night[/b] crew"
)


async def test_the_reader_shows_a_storys_files_under_its_read_line(tmp_path: Path) -> None:
    with Library(tmp_path / "library.db") as library:
        feed = library.add_feed("https://pod.test/feed.xml", title="Harbour Radio", topic="Audio")
        entries = (
            ParsedEntry(
                key="https://pod.test/12",
                title="Episode 12",
                link="https://pod.test/12",
                summary="We talk to the night crew.",
                content_html="<p>We talk to the night crew about the cranes.</p>",
                published=NOW - timedelta(hours=1),
                enclosures=(EPISODE,),
            ),
        )
        library.ingest(feed.id, ParsedFeed(title="Harbour Radio", entries=entries), now=NOW)
        app = make_app(library)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press("j", "enter")
            await settle(pilot)
            reader = app.main.reader
            assert reader.view is not None and reader.view.story.title == "Episode 12"
            (files,) = reader.query(".enclosures").results(Static)
            shown = str(files.render())
            assert shown == enclosure_line(EPISODE)
            assert "[b]Night[/b] crew" in shown  # as the feed wrote it, not as markup
            # Right under the read line.
            parts = [w for w in reader.children if isinstance(w, Static)]
            read = next(i for i, w in enumerate(parts) if w.has_class("read-line"))
            assert parts[read + 1] is files


def _episode(key: str, hours: int, *files: Enclosure) -> ParsedEntry:
    return ParsedEntry(
        key=f"https://pod.test/{key}",
        title=f"Story {key}",
        link=f"https://pod.test/{key}",
        summary="words",
        published=NOW - timedelta(hours=hours),
        enclosures=files,
    )


async def test_the_list_marks_stories_with_audio_or_video(tmp_path: Path) -> None:
    video = Enclosure("https://cdn.pod.test/v.mp4", "video/mp4")
    cover = Enclosure("https://cdn.pod.test/c.jpg", "image/jpeg")
    with Library(tmp_path / "library.db") as library:
        feed = library.add_feed("https://pod.test/feed.xml", title="Harbour Radio", topic="Audio")
        entries = (
            _episode("audio", 1, EPISODE),
            _episode("video", 2, EPISODE, video),
            _episode("cover", 3, cover),
            _episode("plain", 4),
        )
        library.ingest(feed.id, ParsedFeed(title="Harbour Radio", entries=entries), now=NOW)
        app = make_app(library)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            stories = app.main.stories
            lines = [stories.render_line(y).text for y in range(1, 5)]
    # "●  Story audio ……………… ♪ pod.test · 1h"
    by_title = {
        title: next(line for line in lines if f"Story {title} " in line)
        for title in ("audio", "video", "cover", "plain")
    }
    assert "♪ pod.test ·" in by_title["audio"]
    assert "▶ pod.test ·" in by_title["video"]  # video wins over its audio
    assert "♪" not in by_title["cover"] and "▶" not in by_title["cover"]
    assert "♪" not in by_title["plain"] and "▶" not in by_title["plain"]
