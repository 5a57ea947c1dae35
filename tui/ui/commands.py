"""The command palette (ctrl+p): every action of the app, the user's own commands
(``[[commands]]``), plus "View topic: <name>".

Topic names come from feeds, so their hits are built as plain ``Content`` (Textual's
``Matcher.highlight`` and a ``str`` prompt would read them as markup) and run through a
closure, never through an action string that would parse them. The user's commands are
shown the same way (their names are the user's text), and run by their place in the
config: the action string holds only a number.

The palette needs two things of the app, which :class:`PaletteHost` names; it does not
import the app (which lists this provider in its ``COMMANDS``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import PurePath
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tui.core import Command, NewstermError, TopicCount, clean_line
from tui.ui.session import Session


class PaletteHost(Protocol):
    """What the palette needs of the app: the library, and a way to show one topic."""

    @property
    def session(self) -> Session: ...

    def show_topic(self, slug: str, name: str) -> None: ...


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    """A palette entry: its title, a line of help, and the action (``screen.x``/``app.x``)."""

    title: str
    help: str
    action: str


PALETTE: tuple[PaletteCommand, ...] = (
    PaletteCommand("Open story", "Open the highlighted story in the reader", "screen.open_current"),
    PaletteCommand("Back", "Back to the list (or to all stories)", "screen.back"),
    PaletteCommand("Next unread story", "Open the next unread story", "screen.next_unread"),
    PaletteCommand(
        "Previous unread story", "Open the previous unread story", "screen.previous_unread"
    ),
    PaletteCommand("Toggle read", "Mark the story read or unread", "screen.toggle_read"),
    PaletteCommand(
        "Mark topic read",
        "Mark every story of the topic read (asks first)",
        "screen.mark_topic_read",
    ),
    PaletteCommand(
        "Toggle bookmark", "Bookmark the story, or remove its bookmark", "screen.toggle_bookmark"
    ),
    PaletteCommand("View all stories", "Every story, grouped by topic", "screen.view_all"),
    PaletteCommand("View unread stories", "Only unread stories", "screen.view_unread"),
    PaletteCommand("View bookmarks", "Only bookmarked stories", "screen.view_bookmarks"),
    PaletteCommand("View this topic", "Only the highlighted story's topic", "screen.view_topic"),
    PaletteCommand("Fold or unfold topic", "Fold the topic under the cursor", "screen.fold"),
    PaletteCommand("Next section", "Jump to the next section of the story", "screen.next_section"),
    PaletteCommand("Previous section", "Jump to the previous section", "screen.previous_section"),
    PaletteCommand("Outline", "List the story's sections to jump to one", "screen.outline"),
    PaletteCommand("Open in browser", "Open the story's web page", "screen.open_browser"),
    PaletteCommand(
        "Full text", "Fetch the open story's web page again (reader mode)", "screen.fetch_full_text"
    ),
    PaletteCommand(
        "Mute this feed, stories like this, or highlight this author",
        "Make a rule from the story (it is added to config.toml)",
        "screen.make_rule",
    ),
    PaletteCommand(
        "Show hidden stories",
        "List the stories rules hide too, dimmed (again: leave them out)",
        "screen.toggle_hidden",
    ),
    PaletteCommand(
        "Sentiment filter",
        "Show positive, then neutral, then negative stories, then all",
        "screen.sentiment_filter",
    ),
    PaletteCommand("Copy link", "Copy the story's web address", "screen.copy_link"),
    PaletteCommand(
        "Pictures on or off", "Show or hide the open story's pictures", "screen.toggle_pictures"
    ),
    PaletteCommand(
        "Play episode",
        "Play the story's podcast episode or video with [media] player",
        "screen.play",
    ),
    PaletteCommand(
        "Download episode",
        "Save the story's podcast episode or video, in the background",
        "screen.download",
    ),
    PaletteCommand("Downloads", "Past and running downloads; cancel or resume", "screen.downloads"),
    PaletteCommand(
        "Transcript or chapters", "Read the episode's transcript or chapters", "screen.transcript"
    ),
    PaletteCommand("Refresh this feed", "Fetch the story's feed now", "screen.refresh_feed"),
    PaletteCommand("Refresh all feeds", "Fetch every feed that is due", "app.refresh_all"),
    PaletteCommand("Search", "Full-text search over every story", "app.search"),
    PaletteCommand("Add a feed", "Subscribe to a feed by its address", "app.add_feed"),
    PaletteCommand(
        "Connect a sync account",
        "Miniflux, FreshRSS or another Google Reader, Miniflux or Fever server",
        "app.connect_account",
    ),
    PaletteCommand(
        "Sync now", "Push marks made here and pull what is new on the sync server", "app.sync"
    ),
    PaletteCommand(
        "Manage feeds", "Feeds, their state and errors; remove or move them", "app.manage_feeds"
    ),
    PaletteCommand("Help", "Every key, and how to remap it", "app.help"),
    PaletteCommand("Switch pane", "Move between the list and the reader", "screen.switch_pane"),
)


class NewstermCommands(Provider):
    """Every newsterm action, and one "View topic" entry per topic in the library."""

    async def startup(self) -> None:
        self.topics: list[TopicCount] = []
        library = self._host.session.library
        with contextlib.suppress(NewstermError):  # the palette works without topic entries
            self.topics = await asyncio.to_thread(library.topics)

    @property
    def _host(self) -> PaletteHost:
        return cast(PaletteHost, self.app)  # the app checks that it is one (tui.ui.app)

    def _run(self, action: str) -> Callable[[], object]:
        return partial(self.app.run_action, action)

    def _topic(self, slug: str, name: str) -> Callable[[], object]:
        return partial(self._host.show_topic, slug, name)

    def _user_commands(self) -> list[tuple[str, str, str]]:
        """(title, help, action) of each of the user's ``[[commands]]``."""
        return [
            (clean_line(command.name), _user_help(command), f"screen.run_command({index})")
            for index, command in enumerate(self._host.session.settings.commands)
        ]

    async def discover(self) -> Hits:
        for command in PALETTE:
            yield DiscoveryHit(
                Content(command.title),
                self._run(command.action),
                text=command.title,
                help=command.help,
            )
        for title, help_text, action in self._user_commands():
            yield DiscoveryHit(Content(title), self._run(action), text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in PALETTE:
            score = matcher.match(command.title)
            if score > 0:
                # The titles are ours (no feed text), so highlighting them is safe.
                yield Hit(
                    score,
                    matcher.highlight(command.title),
                    self._run(command.action),
                    text=command.title,
                    help=command.help,
                )
        for title, help_text, action in self._user_commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, Content(title), self._run(action), text=title, help=help_text)
        for topic in self.topics:
            title = f"View topic: {topic.topic.name}"
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    Content(title),
                    self._topic(topic.topic.slug, topic.topic.name),
                    text=title,
                    help=f"{topic.unread} unread of {topic.total}",
                )


def _user_help(command: Command) -> str:
    """``Your command (config.toml): runs mpv on the story in the terminal``: the
    program's file name, not its whole path."""
    program = clean_line(PurePath(command.run[0]).name)
    where = " in the terminal" if command.interactive else ""
    return f"Your command (config.toml): runs {program} on the story{where}"
