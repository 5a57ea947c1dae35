"""The main screen's list, read from the library: a view's order, rows, unread stories.

The list widget does no I/O. :class:`ListLoader` reads for it in thread workers: a view's
order (with the rows around the cursor, so the first frame is whole), the rows that come
on screen, and, for ``n`` and ``p``, rows chunk by chunk until an unread story turns up.
"""

from __future__ import annotations

from textual.worker import get_current_worker

from tui.core import NewstermError, StoryIndex, StoryRow
from tui.ui.background.threads import deliver, thread_worker
from tui.ui.screens.main.list_filter import ListFilter, empty_message
from tui.ui.screens.main.parts import MainParts
from tui.ui.widgets.story_list.model import Marks

PREFETCH_ROWS = 100  # rows read with a view's order, each side of the cursor's story


class ListLoader:
    """Fills the main screen's story list from the library."""

    def __init__(self, node: MainParts) -> None:
        self.node = node
        self.fold_on_load = False  # "topics" in the breadcrumb: fold all once loaded

    def reload(self, *, keep_story: int | None = None) -> None:
        """Read the list again for the current view; the cursor stays on its story."""
        stories = self.node.stories
        keep = keep_story if keep_story is not None else stories.current_id
        self.load_order(self.node.filter, keep, stories.marks_generation, follow=keep_story is None)

    @thread_worker(group="order", exclusive=True)
    def load_order(
        self,
        view: ListFilter,
        keep: int | None,
        since: int,
        *,
        top: bool = False,
        follow: bool = True,
    ) -> None:
        """The view's order, with the rows around the kept story, so the first frame is whole.

        ``follow``: keep the story the cursor is on when the order arrives (the user may
        have moved on while it was read), not the one it was on when it was asked for.
        """
        node = self.node
        library = node.session.library
        try:
            order = view.order(library)
            try:
                position = order.ids.index(keep) if keep is not None else 0
            except ValueError:
                position = 0
            window = order.ids[max(0, position - PREFETCH_ROWS) : position + PREFETCH_ROWS]
            rows = library.rows_for(window)
            if get_current_worker().is_cancelled:
                return
            deliver(node, self._order_loaded, view, order, rows, keep, top, since, follow)
            deliver(node, node.show_counts, library.counts())  # after: the list comes first
        except NewstermError as error:
            deliver(node, node.problem, str(error))

    def _order_loaded(
        self,
        view: ListFilter,
        order: StoryIndex,
        rows: dict[int, StoryRow],
        keep: int | None,
        top: bool,
        since: int,
        follow: bool,
    ) -> None:
        node = self.node
        if view != node.filter:
            return  # the view changed while this was being read
        stories = node.stories
        if follow and stories.current_id is not None:
            keep = stories.current_id
        stories.empty_message = empty_message(view)
        stories.set_order(order, rows, keep_story=keep, top=top, since=since)
        node.schedule_prefetch()
        if self.fold_on_load:
            self.fold_on_load = False
            stories.fold_all(True)
        if node.open_view is None:
            node.status.path = f"news/{node.filter.label}"

    # -- rows coming on screen -----------------------------------------------------------

    @thread_worker(group="row-fetch")
    def fetch_rows(self, story_ids: list[int], since: int) -> None:
        """Read the rows the list asked for (``StoryList.RowsWanted``)."""
        try:
            rows = self.node.session.library.rows_for(story_ids)
        except NewstermError as error:
            # The ids stay "asked for", so a broken library is not asked again every frame.
            deliver(self.node, self.node.problem, str(error))
            return
        deliver(self.node, self._rows_arrived, rows, story_ids, since)

    def _rows_arrived(self, rows: dict[int, StoryRow], asked: list[int], since: int) -> None:
        self.node.stories.add_rows(rows, asked, since)
        self.node.schedule_prefetch()

    # -- the next unread story -----------------------------------------------------------

    def open_unread(self, *, forward: bool) -> None:
        """Open the next (or previous) unread story after the cursor, or say there is none."""
        node = self.node
        if node.open_view is not None:
            node.stories.move_to_story(node.open_view.story.id)
        plan = node.stories.seek_plan(forward=forward)
        if not plan:
            node.notify("No more unread stories this way.", markup=False)
            return
        self._seek_unread(plan, node.stories.index.marks, node.stories.marks_generation)

    @thread_worker(group="seek", exclusive=True)
    def _seek_unread(self, plan: list[list[int]], marks: Marks, since: int) -> None:
        """Read rows chunk by chunk until one is unread: the list holds only ids."""
        for chunk in plan:
            try:
                rows = self.node.session.library.rows_for(chunk)
            except NewstermError as error:
                deliver(self.node, self.node.problem, str(error))
                return
            if get_current_worker().is_cancelled:
                return
            for story_id in chunk:
                row = rows.get(story_id)
                if row is not None and not marks.apply(row).read:
                    deliver(self.node, self._unread_found, story_id, rows, since)
                    return
        deliver(self.node, self.node.notify, "No more unread stories this way.", markup=False)

    def _unread_found(self, story_id: int, rows: dict[int, StoryRow], since: int) -> None:
        stories = self.node.stories
        stories.add_rows(rows, since=since)
        if stories.move_to_story(story_id):
            self.node.open_story(story_id)
