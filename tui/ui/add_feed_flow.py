"""Adding a feed from the app: the add-feed dialog and what follows it.

:class:`AddFeedFlow` is a small controller the app owns (``a``, the palette's "Add a
feed", the welcome screen's third choice). It asks for an address, finds a site's feed
(asking which one when there are several), subscribes and has the app fetch it. Library
calls and discovery run in thread workers of the app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual.app import App

from tui.core import NewstermError, is_web_url, normalise_feed_url
from tui.ui.background.threads import deliver, thread_worker
from tui.ui.dialogs.add_feed import AddFeedScreen, NewFeed
from tui.ui.dialogs.choose_feed import ChooseFeedScreen
from tui.ui.session import Session

if TYPE_CHECKING:
    # Only for annotations: discovery imports httpx, which the app loads lazily.
    from tui.core import FeedLink


class AddFeedFlow:
    """Subscribes to a feed the user names; ``refresh`` fetches the new feed's stories."""

    def __init__(
        self, node: App[None], session: Session, refresh: Callable[[list[int]], None]
    ) -> None:
        self.node = node
        self.session = session
        self._refresh = refresh

    def start(self) -> None:
        """Ask for the feed's address (and a topic), then add it."""

        def chosen(new: NewFeed | None) -> None:
            if new is not None:
                self._add_feed(new)

        self.node.push_screen(AddFeedScreen(), chosen)

    @thread_worker(group="subscribe")
    def _add_feed(self, new: NewFeed) -> None:
        library = self.session.library
        url = new.url
        try:
            # A site's address leads to its feed (discovery fetches it: this is a worker,
            # with its own event loop, as for a refresh).
            if is_web_url(url) and not library.is_subscribed(url):
                site = normalise_feed_url(url)
                links = asyncio.run(library.discover_feeds(site))
                if len(links) > 1:
                    deliver(self.node, self._choose_feed, new, site, links)
                    return
                url = links[0].url
        except NewstermError as error:
            deliver(
                self.node, self.node.notify, str(error), severity="error", markup=False, timeout=8
            )
            return
        except Exception as error:  # adding a feed must never take the app down
            message = f"Could not look for feeds at {url}: {error}."
            deliver(self.node, self.node.notify, message, severity="error", markup=False, timeout=8)
            return
        self._subscribe(NewFeed(url, new.topic))

    def _choose_feed(self, new: NewFeed, site: str, links: Sequence[FeedLink]) -> None:
        def chosen(url: str | None) -> None:
            if url is not None:
                self._subscribe_chosen(NewFeed(url, new.topic))

        self.node.push_screen(ChooseFeedScreen(site, links), chosen)

    @thread_worker(group="subscribe")
    def _subscribe_chosen(self, new: NewFeed) -> None:
        self._subscribe(new)

    def _subscribe(self, new: NewFeed) -> None:
        """Subscribe and fetch; runs in a thread worker."""
        library = self.session.library
        try:
            known = library.is_subscribed(new.url)
            feed = library.add_feed(new.url, topic=new.topic or None)
        except NewstermError as error:
            deliver(
                self.node, self.node.notify, str(error), severity="error", markup=False, timeout=8
            )
            return
        notify = self.node.notify
        if known:
            deliver(
                self.node, notify, f"Already subscribed: {feed.title or feed.url}", markup=False
            )
            return
        deliver(self.node, notify, f"Added {feed.url}; fetching it now.", markup=False)
        deliver(self.node, self._refresh, [feed.id])
