"""Synthetic pages: the reader-mode benchmark's web, story pages and feeds that carry one
line of each.

Pages are built by ``tests/support/pages.py`` (:func:`article_page`: a navigation bar, an ad, the
article, comments, a footer), varied per story: a title of its own, three to six ``<h2>``
sections with headings of their own (``"… 12.2"``: story 12, section 2, so a heading on
screen says which page it came from), and paragraphs drawn in a seeded order from that
module's prose (lists and quotes included). Each is then padded, as
:func:`pages.typical_page` pads its page, with what makes real news pages ~60 KB although
their article is 5: a related-stories rail and inline scripts holding the page's state.

Feeds (``tests/support/feeds.py``'s RSS) give each story one sentence, far under ``[articles]
min_words``: reader mode wants every page. A feed's stories link to pages on a loopback
address of their own (several sites, so per-host limits act as with real ones).

:func:`write_site` writes it all with the manifest ``server.py`` serves.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

# The test suite's own feeds and pages: the benchmark reads what the tests check.
from tests.support.feeds import Item, rss
from tests.support.pages import CLUTTER, DEFAULT_LEAD, DEFAULT_SECTIONS, article_page

__all__ = ["CLUTTER", "Site", "SiteFeed", "Story", "corpus", "page", "story", "write_site"]

_MODIFIED = format_datetime(datetime(2026, 9, 1, tzinfo=UTC), usegmt=True)
_PUBLISHED = datetime(2026, 11, 1, tzinfo=UTC)
_PROSE = [*DEFAULT_LEAD, *(p for _heading, paragraphs in DEFAULT_SECTIONS for p in paragraphs)]
_HEADINGS = [
    "A long road to the first service",
    "What changes for passengers",
    "Reactions along the route",
    "How the money was found",
    "The view from the council",
    "Questions that remain",
    "What the timetable says",
    "Lessons for the next line",
]
_SUBJECTS = ["Tram", "Harbour", "Council", "Library", "Bridge", "Market", "Ferry", "School"]
_VERBS = ["opens", "closes", "reopens", "expands", "delays", "approves", "rebuilds"]
_OBJECTS = ["after six years", "on schedule", "over budget", "for the winter", "at last"]


@dataclass(frozen=True, slots=True)
class Story:
    """One story: its page on the server, and what the bench looks for on screen."""

    number: int
    title: str
    summary: str  # the feed's one sentence, with a token of its own
    headings: tuple[str, ...]
    path: str  # the page's path on the server

    @property
    def token(self) -> str:
        """Text only the feed version of the story shows."""
        return f"Feed note {self.number}:"


def story(number: int, seed: int) -> Story:
    """The story numbered ``number`` (the same ``seed``, the same story)."""
    rng = random.Random(f"newsterm-extract:{seed}:{number}")
    title = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} ({number})"
    count = rng.randint(3, 6)
    headings = tuple(
        f"{heading} {number}.{i + 1}" for i, heading in enumerate(rng.sample(_HEADINGS, count))
    )
    summary = f"Feed note {number}: {title.split(' (')[0].lower()}, in one line."
    return Story(number, title, summary, headings, f"/pages/{number:05d}.html")


def page(item: Story, seed: int, kb: int = 60, compact: bool = False) -> bytes:
    """The story's web page, about ``kb`` kilobytes; ``compact``: a one-paragraph lead and
    first section, so that the second heading is on the first screen of the reader."""
    rng = random.Random(f"newsterm-extract-page:{seed}:{item.number}")
    sections = []
    for position, heading in enumerate(item.headings):
        size = 1 if compact and position == 0 else rng.randint(2, 4)
        sections.append((heading, rng.choices(_PROSE, k=size)))
    lead = DEFAULT_LEAD[:1] if compact else rng.sample(DEFAULT_LEAD, 2)
    body = article_page(item.title, sections, lead=lead)
    return body.replace(b"</body>", _furniture(rng, item.number, kb * 1000 - len(body)))


def _furniture(rng: random.Random, number: int, room: int) -> bytes:
    """A related-stories rail and an inline state script, together about ``room`` bytes."""
    links = "".join(
        f'<li><a href="/story/{rng.randrange(10**6)}">{rng.choice(_SUBJECTS)} '
        f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}</a></li>"
        for _ in range(rng.randint(20, 50))
    )
    rail = f'<aside class="related"><h3>More stories</h3><ul>{links}</ul></aside>'
    slots: list[str] = []
    room -= len(rail) + 60
    while room > 0:  # bounded: every turn takes ~70 bytes off
        slot = json.dumps({"id": f"slot-{len(slots)}", "size": [300, 250], "w": rng.random()})
        slots.append(slot)
        room -= len(slot) + 2
    state = f'{{"story": {number}, "ads": [{", ".join(slots)}]}}'
    script = f"<script>window.__STATE__ = {state};</script>"
    return (rail + script + "</body>").encode()


@dataclass(frozen=True, slots=True)
class SiteFeed:
    """A feed as the bench subscribes to it."""

    name: str
    path: str
    stories: tuple[Story, ...]


@dataclass
class Site:
    folder: Path  # with manifest.json, for server.py
    feeds: dict[str, SiteFeed]
    page_bytes: int

    def url(self, host: str, port: int, feed: str) -> str:
        return f"http://{host}:{port}{self.feeds[feed].path}"


def write_site(
    folder: Path,
    plan: dict[str, tuple[int, bool]],
    hosts: list[str],
    port: int,
    seed: int,
    kb: int = 60,
) -> Site:
    """Write feeds and pages into ``folder``: ``plan`` maps a feed's name to its number
    of stories and whether their pages are compact. Feed ``i`` links to ``hosts[i % n]``."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict[str, str]] = {}
    feeds: dict[str, SiteFeed] = {}
    number = 0
    total = 0
    for index, (name, (count, compact)) in enumerate(plan.items()):
        host = hosts[index % len(hosts)]
        stories = []
        for _ in range(count):
            item = story(number, seed)
            body = page(item, seed, kb, compact)
            total += len(body)
            file = f"page-{number:05d}.html"
            (folder / file).write_bytes(body)
            manifest[item.path] = {"file": file, "type": "text/html", "last_modified": _MODIFIED}
            stories.append(item)
            number += 1
        entries = [
            Item(
                s.title,
                guid=f"urn:extract:{s.number}",
                link=f"http://{host}:{port}{s.path}",
                description=s.summary,
                published=_PUBLISHED - timedelta(minutes=s.number),
            )
            for s in stories
        ]
        path = f"/feeds/{name}.xml"
        file = f"feed-{name}.xml"
        (folder / file).write_bytes(rss(entries, title=f"{name.title()} News"))
        manifest[path] = {"file": file, "type": "application/rss+xml", "last_modified": _MODIFIED}
        feeds[name] = SiteFeed(name, path, tuple(stories))
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return Site(folder, feeds, total)


def corpus(count: int, seed: int, kb: int = 60) -> list[tuple[str, bytes, tuple[str, ...]]]:
    """``count`` varied pages for extraction alone: ``(url, body, section headings)``."""
    out = []
    for number in range(count):
        item = story(number, seed)
        url = f"https://news{number % 7}.example.org{item.path}"
        out.append((url, page(item, seed, kb), item.headings))
    return out
