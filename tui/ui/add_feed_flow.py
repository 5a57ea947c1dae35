"""Getting feeds into the library from the app: the add-feed flow and the first launch.

:class:`AddFeedFlow` is a mixin of :class:`~tui.ui.app.NewstermApp`. It owns the add-feed
dialog and what follows it (finding a site's feed, asking which one when there are
several, subscribing and fetching), and the welcome screen of an empty library with its
two other ways in: the starter set of feeds and the throwaway demo library.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from tui.core import Library, NewstermError, Settings, normalise_feed_url
from tui.ui.screens.add_feed import AddFeedScreen, NewFeed
from tui.ui.screens.choose_feed import ChooseFeedScreen
from tui.ui.screens.welcome import WelcomeChoice, WelcomeScreen
from tui.ui.threads import deliver

if TYPE_CHECKING:
    from textual.app import App

    # Only for annotations: discovery imports httpx, which the app loads lazily.
    from tui.core import FeedLink
    from tui.ui.screens.main import MainScreen
    from tui.ui.session import Session

    # The type checker sees the app this mixin is part of; at run time the mixin is a
    # plain class, so Textual does not treat it as an app (CSS type names, bindings).
    _AppBase = App[None]
else:
    _AppBase = object


class AddFeedFlow(_AppBase):
    """Adding feeds to the library: the add dialog, discovery, the welcome screen."""

    # Provided by NewstermApp.
    session: Session
    main: MainScreen
    _owned: list[Library]
    _temp_dirs: list[tempfile.TemporaryDirectory[str]]

    if TYPE_CHECKING:

        def refresh_feeds(self, feed_ids: Sequence[int] | None) -> None: ...

        def _update_mode(self) -> None: ...

    # -- add a feed ----------------------------------------------------------------------

    def action_add_feed(self) -> None:
        def chosen(new: NewFeed | None) -> None:
            if new is not None:
                self._add_feed(new)

        self.push_screen(AddFeedScreen(), chosen)

    @work(thread=True, group="subscribe")
    def _add_feed(self, new: NewFeed) -> None:
        library = self.session.library
        url = new.url
        try:
            # A site's address leads to its feed (discovery fetches it: this is a worker,
            # with its own event loop, as for a refresh).
            if not library.is_subscribed(url) and normalise_feed_url(url).startswith("http"):
                site = normalise_feed_url(url)
                links = asyncio.run(library.discover_feeds(site))
                if len(links) > 1:
                    deliver(self, self._choose_feed, new, site, links)
                    return
                url = links[0].url
        except NewstermError as error:
            deliver(self, self.notify, str(error), severity="error", markup=False, timeout=8)
            return
        except Exception as error:  # adding a feed must never take the app down
            message = f"Could not look for feeds at {url}: {error}."
            deliver(self, self.notify, message, severity="error", markup=False, timeout=8)
            return
        self._subscribe(NewFeed(url, new.topic))

    def _choose_feed(self, new: NewFeed, site: str, links: Sequence[FeedLink]) -> None:
        def chosen(url: str | None) -> None:
            if url is not None:
                self._subscribe_chosen(NewFeed(url, new.topic))

        self.push_screen(ChooseFeedScreen(site, links), chosen)

    @work(thread=True, group="subscribe")
    def _subscribe_chosen(self, new: NewFeed) -> None:
        self._subscribe(new)

    def _subscribe(self, new: NewFeed) -> None:
        """Subscribe and fetch; runs in a thread worker."""
        try:
            known = self.session.library.is_subscribed(new.url)
            feed = self.session.library.add_feed(new.url, topic=new.topic or None)
        except NewstermError as error:
            deliver(self, self.notify, str(error), severity="error", markup=False, timeout=8)
            return
        if known:
            deliver(
                self, self.notify, f"Already subscribed: {feed.title or feed.url}", markup=False
            )
            return
        deliver(self, self.notify, f"Added {feed.url}; fetching it now.", markup=False)
        deliver(self, self.refresh_feeds, [feed.id])

    # -- first launch --------------------------------------------------------------------

    def _welcome(self) -> None:
        self.push_screen(WelcomeScreen(), self._welcomed)

    def _welcomed(self, choice: WelcomeChoice | None) -> None:
        if choice == "quit" or choice is None:
            self.exit()
        elif choice == "add":
            self.action_add_feed()
        else:
            self._start_with(choice)

    @work(thread=True, group="subscribe")
    def _start_with(self, choice: str) -> None:
        from tui.core import starter_opml_path

        try:
            if choice == "demo":
                library = open_demo_library(self.session.settings, self._temp_dirs)
                deliver(self, self._switch_library, library)
                return
            report = self.session.library.import_subscriptions(starter_opml_path())
        except (NewstermError, OSError) as error:
            deliver(self, self.notify, str(error), severity="error", markup=False)
            return
        deliver(
            self, self.notify, f"Starter set: {report.summary}. Fetching them now.", markup=False
        )
        deliver(self, self.refresh_feeds, None)

    def _switch_library(self, library: Library) -> None:
        self._owned.append(library)
        self.session.library = library
        self.session.demo = True
        self._update_mode()
        self.main.reload()
        self.notify("This is the demo library: a throwaway copy, gone when you quit.", markup=False)


def open_demo_library(
    settings: Settings, temp_dirs: list[tempfile.TemporaryDirectory[str]]
) -> Library:
    """Build a throwaway copy of the bundled demo library in a new temporary directory."""
    from tui.core import build_demo_library

    directory = tempfile.TemporaryDirectory(prefix="newsterm-demo-")
    temp_dirs.append(directory)
    path = Path(directory.name) / "demo.db"
    build_demo_library(path)
    return Library(path, settings)
