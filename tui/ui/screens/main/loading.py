"""The main screen's list, read from the library: a view's order, rows, unread stories.

The list widget does no I/O. :class:`ListLoader` reads for it in thread workers: a view's
shape (with the stories and rows around the cursor, so the first frame is whole), the
windows of stories and the rows that come on screen, where a story is (to put the cursor on
one opened from a search), and, for ``n`` and ``p``, stories chunk by chunk until an unread
one turns up.

The saved searches' counts grow with what their queries match, so the first frame does
without those of the folded ones (a folded view's count moves no line): they are counted
after it, in the same worker, and the list takes them in place (``set_view_counts``). Until
then a view shows the counts it had (a reload), or "…".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from textual.worker import get_current_worker

from tui.core import Library, NewstermError, StoryIndex, StoryRow
from tui.ui.background.threads import deliver, thread_worker
from tui.ui.screens.main.list_filter import ListFilter, empty_message
from tui.ui.screens.main.parts import MainParts
from tui.ui.widgets.story_list.model import (
    SEEK_CHUNK,
    ListModel,
    Marks,
    Recheck,
    Window,
    with_view_counts,
)

PREFETCH_ROWS = 100  # rows read with a view's order, each side of the cursor's story

Windows = list[tuple[Window, list[int]]]  # windows read, each with its stories' ids


def read_around(
    view: ListFilter,
    library: Library,
    order: StoryIndex,
    position: int | None,
    folded: Iterable[str] = (),
) -> tuple[Windows, dict[int, StoryRow]]:
    """The stories and rows ``PREFETCH_ROWS`` each side of ``position`` (else the top) in
    the groups not ``folded``."""
    model = ListModel(order, folded)  # this thread's own, to work out the windows
    if position is None:
        position = model.first_shown()
    first, last = position - PREFETCH_ROWS, position + PREFETCH_ROWS
    windows = [
        (window, view.window(library, window)) for window in model.windows_wanted(first, last)
    ]
    for window, ids in windows:
        model.fill(window.start + window.offset, ids)
    near = [model.known[p] for p in range(max(0, first), last + 1) if p in model.known]
    return windows, library.rows_for(near)


def position_in(view: ListFilter, library: Library, order: StoryIndex, story_id: int) -> int | None:
    """Where a story is in ``order``: under its topic, else in the first view listing it."""
    found = view.position(library, story_id)
    if found is not None:
        slug, offset = found
        for group in order.groups:
            if group.topic.slug == slug and offset < group.count:
                return group.start + offset
    return None


class ListLoader:
    """Fills the main screen's story list from the library."""

    def __init__(self, node: MainParts) -> None:
        self.node = node
        self.fold_on_load = False  # "topics" in the breadcrumb: fold all once loaded
        self._shown: ListFilter | None = None  # the filter of the order on screen

    def reload(self, *, keep_story: int | None = None) -> None:
        """Read the list again for the current view; the cursor stays on its story."""
        stories = self.node.stories
        keep = keep_story if keep_story is not None else stories.current_id
        self.load_order(self.node.filter, keep, stories.marks_generation, follow=keep_story is None)

    def load_order(
        self,
        view: ListFilter,
        keep: int | None,
        since: int,
        *,
        top: bool = False,
        follow: bool = True,
    ) -> None:
        """Read the view's order, with the rows around the kept story, so the first frame
        is whole; then the counts of its folded saved searches.

        ``follow``: keep the story the cursor is on when the order arrives (the user may
        have moved on while it was read), not the one it was on when it was asked for.
        """
        model = self.node.stories.index
        views = [group for group in model.groups if group.view]
        # Views already listed keep their fold; a new one is folded (see set_order).
        folded = {g.slug for g in views if g.slug in model.folded}
        # The counts they showed stand in until theirs are read: a folded view's count
        # moves no line, so the list does not jump when they change.
        shown = {g.slug: (g.count, g.unread) for g in views if g.counted and g.slug in folded}
        if view != self._shown:
            shown = {}  # another filter: other counts
        listed = {g.slug for g in views}
        self._load_order(view, keep, since, top, follow, listed, folded, shown)

    @thread_worker(group="order", exclusive=True)
    def _load_order(
        self,
        view: ListFilter,
        keep: int | None,
        since: int,
        top: bool,
        follow: bool,
        listed: set[str],
        was_folded: set[str],
        shown: dict[str, tuple[int, int]],
    ) -> None:
        node = self.node
        library = node.session.library
        try:
            order = view.order(library, count_views=False)
            slugs = [group.topic.slug for group in order.groups if group.view]
            named = dict(zip(slugs, view.views(library), strict=True))
            # Folded: as they were, and new ones (set_order folds them). Open views are
            # counted now: their stories are on screen.
            folded = {slug for slug in named if slug in was_folded or slug not in listed}
            opened = [(slug, v) for slug, v in named.items() if slug not in folded]
            counts = view.view_counts(library, [v for _, v in opened]) if opened else []
            now = {slug: c for (slug, _), c in zip(opened, counts, strict=True)}
            order = with_view_counts(order, {**shown, **now})
            uncounted = {slug for slug in folded if slug not in shown}
            position = None if keep is None else position_in(view, library, order, keep)
            windows, rows = read_around(view, library, order, position, folded)
            if get_current_worker().is_cancelled:
                return
            deliver(
                node,
                self._order_loaded,
                view,
                order,
                windows,
                rows,
                keep,
                top,
                since,
                follow,
                uncounted,
            )
            deliver(node, node.show_counts, library.counts())  # after: the list comes first
            later = [(slug, v) for slug, v in named.items() if slug in folded]
            if later:
                counted = view.view_counts(library, [v for _, v in later])
                if get_current_worker().is_cancelled:
                    return
                found = {slug: c for (slug, _), c in zip(later, counted, strict=True)}
                deliver(node, self._views_counted, view, order, found)
        except NewstermError as error:
            deliver(node, node.problem, str(error))

    def _order_loaded(
        self,
        view: ListFilter,
        order: StoryIndex,
        windows: Windows,
        rows: dict[int, StoryRow],
        keep: int | None,
        top: bool,
        since: int,
        follow: bool,
        uncounted: set[str],
    ) -> None:
        node = self.node
        if view != node.filter:
            return  # the view changed while this was being read
        stories = node.stories
        if follow and stories.current_id is not None:
            keep = stories.current_id
        stories.empty_message = empty_message(view)
        stories.set_order(
            order,
            rows,
            windows=windows,
            keep_story=keep,
            top=top,
            since=since,
            uncounted=uncounted,
        )
        self._shown = view
        node.schedule_prefetch()
        if self.fold_on_load:
            self.fold_on_load = False
            stories.fold_all(True)
        if node.open_view is None:
            node.status.path = f"news/{node.filter.label}"

    def _views_counted(
        self, view: ListFilter, order: StoryIndex, counts: dict[str, tuple[int, int]]
    ) -> None:
        stories = self.node.stories
        if view != self.node.filter or stories.index.order is not order:
            return  # read again meanwhile: that read counts them
        stories.set_view_counts(with_view_counts(order, counts))

    # -- rows coming on screen -----------------------------------------------------------

    def fetch_rows(self, story_ids: list[int], windows: list[Window], since: int) -> None:
        """Read what the list asked for (``StoryList.RowsWanted``)."""
        model = self.node.stories.index
        rechecks, model.rechecks = model.rechecks, []
        self._fetch_rows(self.node.filter, model, story_ids, windows, since, rechecks)

    @thread_worker(group="row-fetch")
    def _fetch_rows(
        self,
        view: ListFilter,
        model: ListModel,
        story_ids: list[int],
        windows: list[Window],
        since: int,
        rechecks: list[Recheck],
    ) -> None:
        library = self.node.session.library
        try:
            read = [(window, view.window(library, window)) for window in windows]
            asked = story_ids + [story_id for _, ids in read for story_id in ids]
            rows = library.rows_for(asked) if asked else {}
            slugs = [group.slug for group in model.groups if group.view]
            listing = [
                (recheck, view.views_listing(library, recheck.story_id, recheck.was_read))
                for recheck in rechecks
            ]
        except NewstermError as error:
            # The ids stay "asked for", so a broken library is not asked again every frame.
            deliver(self.node, self.node.problem, str(error))
            return
        found = [
            (recheck, {slug for slug, yes in zip(slugs, listed, strict=False) if yes})
            for recheck, listed in listing
        ]
        deliver(self.node, self._rows_arrived, model, rows, asked, since, read, found)

    def _rows_arrived(
        self,
        model: ListModel,
        rows: dict[int, StoryRow],
        asked: list[int],
        since: int,
        windows: Windows,
        rechecked: list[tuple[Recheck, set[str]]],
    ) -> None:
        stories = self.node.stories
        # Windows read for an order since replaced would put stories at wrong positions.
        fresh = windows if stories.index is model else []
        if stories.index is model:  # (a new order's counts are the library's own)
            for recheck, listing in rechecked:
                model.rechecked(recheck, listing)
        stories.add_rows(rows, asked, since, fresh)
        self.node.schedule_prefetch()

    # -- a story opened from elsewhere (a search, a related story) ------------------------

    def show(self, story_id: int) -> None:
        """Put the list's cursor on a story, reading where it is if the list does not know."""
        if not self.node.stories.move_to_story(story_id):
            self._locate(self.node.filter, self.node.stories.index, story_id)

    @thread_worker(group="locate", exclusive=True)
    def _locate(self, view: ListFilter, model: ListModel, story_id: int) -> None:
        library = self.node.session.library
        order = model.order
        try:
            position = position_in(view, library, order, story_id)
            if position is None:
                return  # not in this view: the reader shows it all the same
            group = model.group_of(position)
            opens = {model.groups[group].slug} if group is not None else set()
            windows, rows = read_around(view, library, order, position, model.folded - opens)
        except NewstermError as error:
            deliver(self.node, self.node.problem, str(error))
            return
        deliver(self.node, self._located, model, windows, rows, position)

    def _located(
        self, model: ListModel, windows: Windows, rows: dict[int, StoryRow], position: int
    ) -> None:
        stories = self.node.stories
        if stories.index is not model:
            return
        stories.add_rows(rows, windows=windows)
        stories.move_to_position(position)

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
        model = node.stories.index
        self._seek_unread(
            node.filter, model, plan, model.marks, node.stories.marks_generation, forward
        )

    @thread_worker(group="seek", exclusive=True)
    def _seek_unread(
        self,
        view: ListFilter,
        model: ListModel,
        plan: list[Window],
        marks: Marks,
        since: int,
        forward: bool,
    ) -> None:
        """Read stories and rows chunk by chunk until one is unread: the list knows only
        the windows around where it has been."""
        library = self.node.session.library
        for stretch in plan:
            edge: int | None = None  # the last story looked at: the next chunk goes on from it
            for chunk in _chunks(stretch, forward):
                if edge is not None:
                    chunk = replace(chunk, after=edge) if forward else replace(chunk, before=edge)
                try:
                    ids = view.window(library, chunk)
                    rows = library.rows_for(ids)
                except NewstermError as error:
                    deliver(self.node, self.node.problem, str(error))
                    return
                if get_current_worker().is_cancelled or not ids:
                    return
                edge = ids[-1] if forward else ids[0]
                order = range(len(ids)) if forward else range(len(ids) - 1, -1, -1)
                for i in order:
                    row = rows.get(ids[i])
                    if row is not None and not marks.apply(row).read:
                        position = chunk.start + chunk.offset + i
                        deliver(
                            self.node, self._unread_found, model, chunk, ids, rows, position, since
                        )
                        return
        deliver(self.node, self.node.notify, "No more unread stories this way.", markup=False)

    def _unread_found(
        self,
        model: ListModel,
        chunk: Window,
        ids: list[int],
        rows: dict[int, StoryRow],
        position: int,
        since: int,
    ) -> None:
        stories = self.node.stories
        if stories.index is not model:
            return  # the list was read again meanwhile
        stories.add_rows(rows, since=since, windows=[(chunk, ids)])
        if stories.move_to_position(position) and stories.current_id is not None:
            self.node.open_story(stories.current_id)


def _chunks(stretch: Window, forward: bool) -> list[Window]:
    """A stretch of a group in ``SEEK_CHUNK`` windows, in the order they are looked at."""
    offsets = range(stretch.offset, stretch.offset + stretch.limit, SEEK_CHUNK)
    chunks = [
        Window(
            stretch.slug,
            stretch.start,
            stretch.count,
            offset,
            min(SEEK_CHUNK, stretch.offset + stretch.limit - offset),
        )
        for offset in offsets
    ]
    return chunks if forward else chunks[::-1]
