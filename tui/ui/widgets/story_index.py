"""The list pane's data: a list view's order, its topic headings, and the rows on screen.

Pure Python, no Textual: built from what worker threads read, and tested on its own.

Memory stays small whatever the library holds. The order of a view comes from
:meth:`tui.core.library.Library.story_index`: an array of story ids (8 bytes a story) and
one group per topic. Full :class:`~tui.core.models.StoryRow` details are held only for rows
that have been on screen (:meth:`ListModel.store_rows`, bounded by ``ROW_CACHE``). The "flat
index of visible lines" is arithmetic over the groups, not a list with an entry per line:
a line number maps to a heading or a row with one binary search, and folding a topic is
O(topics).

Marks the user made that may not be saved yet are kept as *overrides* on top of whatever
the library returns, so a row never flickers back to its old state while a save or a
reload is in flight.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tui.core.models import StoryRow
from tui.core.models import TopicGroup as CoreGroup

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
            Group(g.topic.slug, g.topic.name, g.start, g.count, g.unread) for g in groups
        ]
        self._group_starts = [group.start for group in self.groups]
        self.folded: set[str] = set(folded)
        self.rows: dict[int, StoryRow] = {}  # as read from the library
        self.fresh: set[int] = set()  # ids whose row was read since this order was
        self.overrides: dict[int, tuple[bool | None, bool | None]] = {}
        self.read_topics: set[str] = set()
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

    def store_rows(self, rows: Mapping[int, StoryRow]) -> None:
        """Keep rows read from the library; the cache never grows past ``ROW_CACHE``."""
        if len(self.rows) + len(rows) > ROW_CACHE:
            self.rows.clear()  # what is on screen is in ``rows``: nothing visible is lost
            self.fresh.clear()
        self.rows.update(rows)
        self.fresh.update(rows)

    def find(self, story_id: int) -> int | None:
        """The position of a story in this view (``array.index`` scans in C)."""
        try:
            return self.ids.index(story_id)
        except ValueError:
            return None

    def unread_total(self) -> int:
        return sum(group.unread for group in self.groups)

    # -- changes -------------------------------------------------------------------------

    def toggle_fold(self, group: int) -> None:
        self.folded.symmetric_difference_update({self.groups[group].slug})
        self.relayout()

    def set_all_folded(self, folded: bool) -> None:
        self.folded = {group.slug for group in self.groups} if folded else set()
        self.relayout()

    def mark(
        self, story_id: int, *, read: bool | None = None, bookmarked: bool | None = None
    ) -> bool:
        """Change a story's marks now (before the save); True when something changed."""
        before = self.row(story_id)
        old_read, old_bookmarked = self.overrides.get(story_id, (None, None))
        self.overrides[story_id] = (
            old_read if read is None else read,
            old_bookmarked if bookmarked is None else bookmarked,
        )
        after = self.row(story_id)
        if before is not None and after is not None and bool(before.read) != bool(after.read):
            index = self.find(story_id)
            group = None if index is None else self.group_of(index)
            if group is not None:
                self.groups[group].unread += -1 if after.read else 1
        return before != after

    def saved(self, story_ids: Iterable[int]) -> None:
        """The marks on these stories are in the library now: fold them into the cache."""
        for story_id in story_ids:
            row = self.row(story_id)
            if row is not None:
                self.rows[story_id] = row
            self.overrides.pop(story_id, None)

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

    def seek_plan(self, start: int, *, forward: bool) -> list[list[int]]:
        """Ids to look through for the next (or previous) unread story, from position
        ``start`` on, in chunks, skipping topics that have nothing unread."""
        chunks: list[list[int]] = []
        for group in self.groups if forward else reversed(self.groups):
            if group.unread <= 0:
                continue
            if forward:
                first = max(start, group.start)
                positions = range(first, group.end)
            else:
                last = min(start, group.end - 1)
                positions = range(last, group.start - 1, -1)
            ids = [self.ids[i] for i in positions]
            chunks += [ids[i : i + SEEK_CHUNK] for i in range(0, len(ids), SEEK_CHUNK)]
        return chunks
