"""The list pane's data: a list view's order, its topic headings, and the rows on screen.

Pure Python, no Textual: built from what worker threads read, and tested on its own.

Memory stays small whatever the library holds. The order of a view comes from
:meth:`tui.core.library.Library.story_index`: an array of story ids (8 bytes a story) and
one group per topic. Full :class:`~tui.core.models.StoryRow` details are held only for rows
that have been on screen (:meth:`ListModel.store_rows`, bounded by ``ROW_CACHE``). The "flat
index of visible lines" is arithmetic over the groups, not a list with an entry per line:
a line number maps to a heading or a row with one binary search, and folding a topic is
O(topics).

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
from dataclasses import dataclass

from tui.core import MarkKind, StoryRow, TopicGroup as CoreGroup

ROW_CACHE = 4000  # rows kept in memory: many screens' worth, never the whole library
SEEK_CHUNK = 500  # ids read at a time when looking for the next unread story


@dataclass(slots=True)
class Group:
    """One topic heading and the run of ids under it (``ids[start:start + count]``)."""

    slug: str
    name: str
    start: int
    count: int
    unread: int
    view: bool = False  # a saved search's group, above the topics

    @property
    def end(self) -> int:
        return self.start + self.count


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


class ListModel:
    """A view's ids and topic groups, folding, a bounded row cache, and pending marks."""

    def __init__(
        self,
        ids: Sequence[int] = (),
        groups: Iterable[CoreGroup] = (),
        folded: Iterable[str] = (),
    ) -> None:
        self.ids: Sequence[int] = ids
        self.groups: list[Group] = [
            Group(g.topic.slug, g.topic.name, g.start, g.count, g.unread, g.view) for g in groups
        ]
        # Views come first; a story they list is under its topic too, further on.
        self.views_end = max((g.end for g in self.groups if g.view), default=0)
        self._group_starts = [group.start for group in self.groups]
        self.folded: set[str] = set(folded)
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
        if not 0 <= index < len(self.ids):
            return None
        return bisect_right(self._group_starts, index) - 1

    def ids_on_lines(self, first: int, last: int) -> list[int]:
        """Story ids shown on lines ``first`` to ``last`` (headings skipped)."""
        found = []
        for y in range(max(0, first), min(last, self._line_count)):
            line = self.line(y)
            if line is not None and line.index is not None:
                found.append(self.ids[line.index])
        return found

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
        """The position of a story in this list, under its topic rather than in a view
        when it is in both (``array.index`` scans in C)."""
        positions = self.positions(story_id)
        return positions[-1] if positions else None

    def positions(self, story_id: int) -> list[int]:
        """Every position of a story: in the views that list it, then under its topic."""
        found: list[int] = []
        start = 0
        while True:
            try:
                index = self.ids.index(story_id, start)
            except ValueError:
                return found
            found.append(index)
            if index >= self.views_end:
                return found  # a story is under one topic only
            start = index + 1

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
            for index in self.positions(story_id):  # its topic's count and its views'
                group = self.group_of(index)
                if group is not None:
                    self.groups[group].unread += -1 if after.read else 1
        return self._sequence

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

    def seek_plan_from_line(self, y: int, *, forward: bool) -> list[list[int]]:
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

    def seek_plan(self, start: int, *, forward: bool) -> list[list[int]]:
        """Ids to look through for the next (or previous) unread story, from position
        ``start`` on, in chunks, skipping topics that have nothing unread."""
        chunks: list[list[int]] = []
        for group in self.groups if forward else reversed(self.groups):
            if group.unread <= 0:
                continue
            if group.view and not group.start <= start < group.end:
                continue  # its stories are under their topics too: visited there
            if forward:
                first = max(start, group.start)
                positions = range(first, group.end)
            else:
                last = min(start, group.end - 1)
                positions = range(last, group.start - 1, -1)
            ids = [self.ids[i] for i in positions]
            chunks += [ids[i : i + SEEK_CHUNK] for i in range(0, len(ids), SEEK_CHUNK)]
        return chunks
