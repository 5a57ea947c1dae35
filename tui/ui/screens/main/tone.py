"""The main screen's tone filter: ``s`` cycles the list through the tones.

The cycle is all, positive, neutral, negative. Stories get their label in the worker
pool; before the first tone filter, and quietly after each refresh, the ones without a
label are labelled, a few hundred at a time so that quitting never waits long.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from textual.worker import get_current_worker

from tui.core import Library
from tui.ui.background.threads import deliver, thread_worker
from tui.ui.screens.main.list_filter import next_tone
from tui.ui.screens.main.parts import MainParts

LABEL_CHUNK = 250  # stories labelled per call: about 0.1 s, the longest quitting waits


def label_all(library: Library, cancelled: Callable[[], bool]) -> int:
    """Label every story that has no tone yet, a chunk at a time; call from a thread."""
    done = 0
    while not cancelled():
        labelled = library.label_pending(limit=LABEL_CHUNK)
        done += labelled
        if labelled < LABEL_CHUNK:
            break
    return done


class ToneFilter:
    """Cycles the list's tone, labelling the stories that need it first."""

    def __init__(self, node: MainParts) -> None:
        self.node = node
        self._wanted: str | None = None  # the tone to show once labelling is done
        self._labelling = False

    def next(self) -> None:
        """Show the next tone: all → positive → neutral → negative → all."""
        current = self._wanted if self._wanted is not None else self.node.filter.sentiment
        self._wanted = next_tone(current)
        self.node.status.tone = self._wanted
        if self._labelling:
            return  # the labelling under way shows the tone asked for last
        if self._wanted:
            self._labelling = True
            self._label_then_filter()
        else:
            self._ready()  # every tone: no labels needed

    @thread_worker(group="tone")
    def _label_then_filter(self) -> None:
        library = self.node.session.library
        worker = get_current_worker()
        try:
            pending = library.unlabelled()
            if pending:
                noun = "story" if pending == 1 else "stories"
                message = f"Working out the tone of {pending} {noun}…"
                deliver(self.node, self.node.notify, message, markup=False)
                label_all(library, lambda: worker.is_cancelled)
        except Exception as error:  # the pool too: a broken one must not stop the filter
            deliver(self.node, self.node.problem, f"Could not work out every story's tone: {error}")
        if not worker.is_cancelled:
            deliver(self.node, self._ready)

    def _ready(self) -> None:
        self._labelling = False
        tone, self._wanted = self._wanted or "", None
        self.node.set_filter(replace(self.node.filter, sentiment=tone))

    @thread_worker(group="tone-background")
    def label_new_stories(self) -> None:
        """After a refresh: label the new stories quietly; a tone view then shows them."""
        worker = get_current_worker()
        try:
            labelled = label_all(self.node.session.library, lambda: worker.is_cancelled)
        except Exception:  # quiet: the tone filter labels (and reports) when it is used
            return
        if labelled and self.node.filter.sentiment and not worker.is_cancelled:
            deliver(self.node, self.node.reload)
