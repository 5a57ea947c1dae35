"""The list pane's data: a list view's order, its topic headings, and the rows on screen.

Pure Python, no Textual: built from what worker threads read, and tested on its own.

Memory and start-up stay small whatever the library holds. The shape of a view comes from
:meth:`tui.core.library.Library.story_index`: one group per view and per topic with its
counts, nothing per story. A view's counts may come later (:func:`with_view_counts`): they
grow with what its query matches, so the first frame does without them (views are folded
until opened) and the model is rebased when they arrive (:meth:`ListModel.rebased`).
Which story sits at a position is known only for the windows that have been read
(:meth:`ListModel.fill`, a few screens around where the list has been, bounded by
``ID_CACHE``); a line whose story is not known yet is drawn as a
placeholder and its window asked for (:meth:`ListModel.windows_wanted`). Full
:class:`~tui.core.models.StoryRow` details are held only for rows that have been on screen
(:meth:`ListModel.store_rows`, bounded by ``ROW_CACHE``). The "flat index of visible lines"
is arithmetic over the groups, not a list with an entry per line: a line number maps to a
heading or a row with one binary search, and folding a topic is O(topics).

Marks the user made are kept as *overrides* on top of whatever the library returns, so a
row never flickers back to its old state while a save or a reload is in flight. Each mark
has a sequence number: a save confirms a mark only when no later one on the same story is
still on its way, and the row shows the mark as *unsaved* until then (a bookmark's ★ is
drawn only once it is on disk). A saved override is dropped when rows read after the save
arrive, so marks made elsewhere (the command line, another window) show up again.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from tui.core import MarkKind, StoryIndex, StoryRow

ROW_CACHE = 4000  # rows kept in memory: many screens' worth, never the whole library
ID_CACHE = 20_000  # positions whose story is known: far more than any screen
WINDOW = 200  # positions read at a time; windows start at multiples of it in their group
SEEK_CHUNK = 500  # positions read at a time when looking for the next unread story


@dataclass(slots=True)
class Group:
    """One topic heading and the run of ids under it (``ids[start:start + count]``)."""

    slug: str
    name: str
    start: int
    count: int
    unread: int
    view: bool = False  # a saved search's group, above the topics
    counted: bool = True  # False: a view's counts are being read (its heading says …)

    @property
    def end(self) -> int:
        return self.start + self.count


@dataclass(frozen=True, slots=True)
class Window:
    """Positions ``offset`` to ``offset + limit - 1`` of a group, to be read.

    ``after``/``before``: the story just before (after) the window, when known, so that
    the library reads from there instead of counting to ``offset``.
    """

    slug: str
    start: int  # the group's first position: where the window's ids go
    count: int  # stories in the group
    offset: int
    limit: int
    after: int | None = None
    before: int | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """What one visible line shows: a heading (``index is None``) or the story at ``index``."""

    group: int
    index: int | None


@dataclass(frozen=True, slots=True)
class Marks:
    """Marks made in the UI that win over what the library says, until saved."""

    overrides: Mapping[int, tuple[bool | None, bool | None]]  # id → (read, bookmarked)
    read_topics: frozenset[str] = frozenset()

    def apply(self, row: StoryRow) -> StoryRow:
        return _apply(row, self.overrides, self.read_topics)


def _apply(
    row: StoryRow,
    overrides: Mapping[int, tuple[bool | None, bool | None]],
    read_topics: Iterable[str],
) -> StoryRow:
    read, bookmarked = overrides.get(row.id, (None, None))
    if read_topics and row.topic_slug in read_topics:
        read = True
    if read is None and bookmarked is None:
        return row
    return row._replace(
        read=bool(row.read) if read is None else read,
        bookmarked=bool(row.bookmarked) if bookmarked is None else bookmarked,
    )


def with_view_counts(order: StoryIndex, counts: Mapping[str, tuple[int, int]]) -> StoryIndex:
    """``order`` with the (stories, unread) of some views' groups, by slug, and every
    group's start moved to suit."""
    groups = []
    start = views_end = 0
    for group in order.groups:
        count, unread = counts.get(group.topic.slug, (group.count, group.unread))
        if not group.view:
            count, unread = group.count, group.unread
        groups.append(replace(group, start=start, count=count, unread=unread))
        start += count
        if group.view:
            views_end = start
    return replace(order, groups=tuple(groups), views_end=views_end)


@dataclass(frozen=True, slots=True)
class Recheck:
    """A read mark on a story whose place in some views is not known (their windows were
    not read): which views list it is asked of the library, to move their counts."""

    story_id: int
    was_read: bool  # before the mark: the views are asked about the story as it was
    slugs: frozenset[str]  # the views whose count the mark has not moved


class ListModel:
    """A view's ids and topic groups, folding, a bounded row cache, and pending marks."""

    def __init__(
        self,
        order: StoryIndex | None = None,
        folded: Iterable[str] = (),
        uncounted: Iterable[str] = (),
    ) -> None:
        self.order = order if order is not None else StoryIndex(groups=())
        groups = self.order.groups
        pending = set(uncounted)
        self.groups: list[Group] = [
            Group(
                g.topic.slug,
                g.topic.name,
                g.start,
                g.count,
                g.unread,
                g.view,
                counted=not (g.view and g.topic.slug in pending),
            )
            for g in groups
        ]
        self.size = len(order) if order is not None else 0
        # Views come first; a story they list is under its topic too, further on.
        self.views_end = order.views_end if order is not None else 0
        self._group_starts = [group.start for group in self.groups]
        self.known: dict[int, int] = {}  # position → story id, for the windows read
        self._where: dict[int, list[int]] = {}  # story id → its known positions
        self.folded: set[str] = set(folded)
        self.rechecks: list[Recheck] = []  # marks whose views are to be asked
        self.rows: dict[int, StoryRow] = {}  # as read from the library
        self.fresh: set[int] = set()  # ids whose row was read since this order was
        self.overrides: dict[int, tuple[bool | None, bool | None]] = {}
        self.read_topics: set[str] = set()
        self.unsaved: dict[tuple[int, MarkKind], int] = {}  # (id, kind) → latest mark's number
        self.generation = 0  # counts saves: rows read before a save may predate it
        self._settled: dict[int, int] = {}  # id → generation its override was saved in
        self._sequence = 0
        self._line_starts: list[int] = []
        self._line_count = 0
        self.relayout()

    def __len__(self) -> int:
        """Positions in the list: every story of every group (views' and topics')."""
        return self.size

    # -- which story is where ------------------------------------------------------------

    def id_at(self, index: int) -> int | None:
        """The story at position ``index``, or None while its window has not been read."""
        return self.known.get(index)

    def fill(self, start: int, ids: Sequence[int]) -> None:
        """The stories read for positions ``start`` on (a window, or the views' ids)."""
        for position, story_id in enumerate(ids, start):
            old = self.known.get(position)
            if old is not None and old != story_id:
                self._forget(position, old)
            self.known[position] = story_id
            where = self._where.setdefault(story_id, [])
            if position not in where:
                where.append(position)
                where.sort()

    def _forget(self, position: int, story_id: int) -> None:
        where = self._where.get(story_id)
        if where is not None and position in where:
            where.remove(position)
            if not where:
                del self._where[story_id]

    def prune(self, around: int) -> None:
        """Forget the stories of windows far from ``around`` once more than ``ID_CACHE``
        positions are known."""
        if len(self.known) <= ID_CACHE:
            return
        keep = ID_CACHE // 4
        for position in [p for p in self.known if abs(p - around) > keep]:
            self._forget(position, self.known.pop(position))

    def first_shown(self) -> int:
        """The first position of the first group that is not folded (the views' are
        folded until opened): where the list's first rows are."""
        for group in self.groups:
            if group.slug not in self.folded and group.count:
                return group.start
        return 0

    def windows_wanted(self, first: int, last: int) -> list[Window]:
        """The windows to read so that every position from ``first`` to ``last`` in groups
        that are not folded has its story known."""
        wanted: list[Window] = []
        first, last = max(first, 0), min(last, self.size - 1)
        if first > last:
            return wanted
        group_index = self.group_of(first)
        while group_index is not None and group_index < len(self.groups):
            group = self.groups[group_index]
            if group.start > last:
                break
            if group.slug in self.folded:  # not on screen: nothing to read
                group_index += 1
                continue
            low = max(first, group.start) - group.start
            high = min(last, group.end - 1) - group.start
            offset = low - low % WINDOW
            while offset <= high:
                limit = min(WINDOW, group.count - offset)
                begin = group.start + offset
                if any(p not in self.known for p in range(begin, begin + limit)):
                    wanted.append(
                        Window(
                            group.slug,
                            group.start,
                            group.count,
                            offset,
                            limit,
                            after=self.known.get(begin - 1) if offset > 0 else None,
                            before=self.known.get(begin + limit)
                            if offset + limit < group.count
                            else None,
                        )
                    )
                offset += WINDOW
            group_index += 1
        return wanted

    # -- layout --------------------------------------------------------------------------

    def relayout(self) -> None:
        """Recompute where each heading sits (after a fold or unfold)."""
        starts: list[int] = []
        line = 0
        for group in self.groups:
            starts.append(line)
            line += 1 if group.slug in self.folded else 1 + group.count
        self._line_starts = starts
        self._line_count = line

    @property
    def line_count(self) -> int:
        return self._line_count

    def line(self, y: int) -> Line | None:
        """The heading or story shown on line ``y``, or None past the end."""
        if y < 0 or y >= self._line_count:
            return None
        group = bisect_right(self._line_starts, y) - 1
        offset = y - self._line_starts[group]
        if offset == 0:
            return Line(group, None)
        return Line(group, self.groups[group].start + offset - 1)

    def heading_line(self, group: int) -> int:
        return self._line_starts[group]

    def line_of(self, index: int) -> int | None:
        """The line the story at ``index`` is shown on, or None when its topic is folded."""
        group = self.group_of(index)
        if group is None or self.groups[group].slug in self.folded:
            return None
        return self._line_starts[group] + 1 + index - self.groups[group].start

    def group_of(self, index: int) -> int | None:
        if not 0 <= index < self.size:
            return None
        return bisect_right(self._group_starts, index) - 1

    def ids_on_lines(self, first: int, last: int) -> list[int]:
        """Known story ids shown on lines ``first`` to ``last`` (headings skipped)."""
        found = []
        for y in range(max(0, first), min(last, self._line_count)):
            line = self.line(y)
            if line is not None and line.index is not None:
                story_id = self.known.get(line.index)
                if story_id is not None:
                    found.append(story_id)
        return found

    def positions_on_lines(self, first: int, last: int) -> tuple[int, int] | None:
        """The first and last story positions shown on lines ``first`` to ``last``."""
        found = [
            line.index
            for y in range(max(0, first), min(last, self._line_count))
            if (line := self.line(y)) is not None and line.index is not None
        ]
        return (found[0], found[-1]) if found else None

    # -- rows ----------------------------------------------------------------------------

    @property
    def marks(self) -> Marks:
        """A snapshot of the pending marks, safe to hand to a worker thread."""
        return Marks(dict(self.overrides), frozenset(self.read_topics))

    def row(self, story_id: int) -> StoryRow | None:
        """The row as it should look now (pending marks applied), if it has been read."""
        row = self.rows.get(story_id)
        return None if row is None else _apply(row, self.overrides, self.read_topics)

    def store_rows(self, rows: Mapping[int, StoryRow], since: int | None = None) -> None:
        """Keep rows read from the library; the cache never grows past ``ROW_CACHE``.

        ``since``: the :attr:`generation` when the read was asked for. A saved override is
        dropped once a row read after its save arrives: the library shows the mark itself.
        """
        if len(self.rows) + len(rows) > ROW_CACHE:
            self.rows.clear()  # what is on screen is in ``rows``: nothing visible is lost
            self.fresh.clear()
        self.rows.update(rows)
        self.fresh.update(rows)
        if since is None or not self._settled:
            return
        for story_id in rows:
            saved_in = self._settled.get(story_id)
            if saved_in is not None and saved_in <= since:
                del self._settled[story_id]
                self.overrides.pop(story_id, None)

    def rebased(self, order: StoryIndex) -> ListModel:
        """This model over ``order``, the same order with other counts for some views (see
        :func:`with_view_counts`): the stories known stay known, at their groups' new
        places, and folds, rows and marks carry over."""
        model = ListModel(order, self.folded)
        by_slug = {group.slug: group for group in model.groups}
        for position, story_id in self.known.items():
            group = self.group_of(position)
            if group is None:
                continue
            old = self.groups[group]
            new = by_slug.get(old.slug)
            if new is None or (old.view and old.count != new.count):
                continue  # a view's count changed: its stories are read again
            model.fill(new.start + position - old.start, [story_id])
        model.carry_marks(self)
        model.fresh = self.fresh
        model.rechecks = self.rechecks
        return model

    def carry_marks(self, old: ListModel) -> None:
        """Take over another model's rows and marks (a new order for the same library)."""
        self.rows = old.rows  # shown until their fresh copies arrive: no flicker
        self.overrides = old.overrides
        self.read_topics = old.read_topics
        self.unsaved = old.unsaved
        self.generation = old.generation
        self._settled = old._settled
        self._sequence = old._sequence

    def is_unsaved(self, story_id: int, kind: MarkKind) -> bool:
        """True while a mark the user made on this story is not on disk yet."""
        return (story_id, kind) in self.unsaved

    def find(self, story_id: int) -> int | None:
        """The known position of a story, under its topic rather than in a view when it
        is in both; None when the windows read so far do not hold it."""
        positions = self.positions(story_id)
        return positions[-1] if positions else None

    def positions(self, story_id: int) -> list[int]:
        """Every known position of a story: in the views that list it, then its topic's."""
        return list(self._where.get(story_id, ()))

    def unread_total(self) -> int:
        return sum(group.unread for group in self.groups if not group.view)

    # -- changes -------------------------------------------------------------------------

    def toggle_fold(self, group: int) -> None:
        self.folded.symmetric_difference_update({self.groups[group].slug})
        self.relayout()

    def set_all_folded(self, folded: bool) -> None:
        self.folded = {group.slug for group in self.groups} if folded else set()
        self.relayout()

    def mark(
        self, story_id: int, *, read: bool | None = None, bookmarked: bool | None = None
    ) -> int:
        """Change a story's marks now, before the save; returns the mark's number, which
        :meth:`saved` or :meth:`failed` is given back."""
        before = self.row(story_id)
        old_read, old_bookmarked = self.overrides.get(story_id, (None, None))
        self.overrides[story_id] = (
            old_read if read is None else read,
            old_bookmarked if bookmarked is None else bookmarked,
        )
        self._settled.pop(story_id, None)
        self._sequence += 1
        if read is not None:
            self.unsaved[(story_id, "read")] = self._sequence
        if bookmarked is not None:
            self.unsaved[(story_id, "bookmarked")] = self._sequence
        after = self.row(story_id)
        if before is not None and after is not None and bool(before.read) != bool(after.read):
            moved: set[str] = set()
            for index in self.positions(story_id):  # its topic's count and its views'
                group = self.group_of(index)
                if group is not None:
                    self.groups[group].unread += -1 if after.read else 1
                    moved.add(self.groups[group].slug)
            # Views whose windows holding it (if any) were not read: asked in a worker.
            unknown = frozenset(g.slug for g in self.groups if g.view and g.slug not in moved)
            if unknown:
                self.rechecks.append(Recheck(story_id, bool(before.read), unknown))
        return self._sequence

    def rechecked(self, recheck: Recheck, listing: Iterable[str]) -> None:
        """The views (slugs) that list a story marked read or unread (``recheck``): their
        unread counts move, as those of the views that showed it did."""
        for group in self.groups:
            if group.view and group.slug in recheck.slugs and group.slug in listing:
                group.unread = max(0, group.unread + (1 if recheck.was_read else -1))

    def saved(self, story_id: int, kind: MarkKind, sequence: int) -> bool:
        """Mark number ``sequence`` is on disk. True when it is the story's latest mark of
        that kind (a later one still on its way keeps the row unsaved)."""
        if self.unsaved.get((story_id, kind)) != sequence:
            return False
        del self.unsaved[(story_id, kind)]
        self.generation += 1
        if not any((story_id, other) in self.unsaved for other in ("read", "bookmarked")):
            self._settled[story_id] = self.generation
        row = self.row(story_id)
        if row is not None:
            self.rows[story_id] = row
        return True

    def failed(self, story_id: int, kind: MarkKind, sequence: int) -> None:
        """Mark number ``sequence`` could not be saved: show the library's state again."""
        if self.unsaved.get((story_id, kind)) != sequence:
            return
        del self.unsaved[(story_id, kind)]
        read, bookmarked = self.overrides.get(story_id, (None, None))
        if kind == "read":
            read = None
        else:
            bookmarked = None
        if read is None and bookmarked is None:
            self.overrides.pop(story_id, None)
        else:
            self.overrides[story_id] = (read, bookmarked)
        self.fresh.discard(story_id)  # read it again

    def mark_topic_read(self, slug: str) -> None:
        self.read_topics.add(slug)
        for group in self.groups:
            if group.slug == slug:
                group.unread = 0

    def topic_saved(self, slug: str) -> None:
        """The whole topic is marked read in the library now."""
        for story_id, row in list(self.rows.items()):
            if row.topic_slug == slug:
                self.rows[story_id] = row._replace(read=True)
        self.read_topics.discard(slug)

    # -- looking for unread stories ------------------------------------------------------

    def seek_plan_from_line(self, y: int, *, forward: bool) -> list[Window]:
        """:meth:`seek_plan` from the story after (or before) what line ``y`` shows."""
        line = self.line(y)
        if line is None:
            return []
        group = self.groups[line.group]
        if line.index is not None:
            start = line.index + (1 if forward else -1)
        else:  # on a heading: its first story going forward, the one above going back
            start = group.start if forward else group.start - 1
        if start < 0:
            return []
        return self.seek_plan(start, forward=forward)

    def seek_plan(self, start: int, *, forward: bool) -> list[Window]:
        """The stretches of the list to look through for the next (or previous) unread
        story, from position ``start`` on, skipping groups with nothing unread: one
        :class:`Window` a group, read ``SEEK_CHUNK`` at a time by whoever follows it (a
        backward one is walked from its end). A view's group counts only when ``start``
        is in it: its stories are under their topics too."""
        plan: list[Window] = []
        for group in self.groups if forward else reversed(self.groups):
            if group.unread <= 0:
                continue
            if group.view and not group.start <= start < group.end:
                continue
            if forward:
                first = max(start, group.start)
                if first < group.end:
                    offset, limit = first - group.start, group.end - first
                    plan.append(Window(group.slug, group.start, group.count, offset, limit))
            else:
                last = min(start, group.end - 1)
                if last >= group.start:
                    limit = last - group.start + 1
                    plan.append(Window(group.slug, group.start, group.count, 0, limit))
        return plan
