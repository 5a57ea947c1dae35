"""The list pane's data: story rows grouped under topic headings, and the visible lines.

Pure Python, no Textual: it is built in a worker thread and tested on its own.

Memory stays small on purpose. The rows are the :class:`~tui.core.models.StoryRow` list the
library returns (already grouped by topic and newest first within each); on top of it
there is one :class:`TopicGroup` per topic and one integer per group saying on which line
its heading sits. The "flat index of visible lines" is therefore arithmetic over groups,
not a list with an entry per line: a line number is mapped to a heading or a row with one
binary search, and folding a topic is O(topics), whatever the number of stories.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tui.core.models import StoryRow


@dataclass(slots=True)
class TopicGroup:
    """One topic heading and the slice of rows under it."""

    slug: str
    name: str
    start: int  # index of its first row in ``StoryIndex.rows``
    end: int  # one past its last row
    unread: int

    @property
    def count(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Line:
    """What one visible line shows: a heading (``row is None``) or a story row."""

    group: int
    row: int | None


class StoryIndex:
    """Rows, their topic groups, which groups are folded, and line ↔ row arithmetic."""

    def __init__(self, rows: Sequence[StoryRow] = (), folded: Iterable[str] = ()) -> None:
        self.rows: list[StoryRow] = list(rows)
        self.groups: list[TopicGroup] = _group(self.rows)
        self._group_starts = [group.start for group in self.groups]
        self.folded: set[str] = set(folded)
        self._line_starts: list[int] = []
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
        """The heading or row shown on line ``y``, or None past the end."""
        if y < 0 or y >= self._line_count:
            return None
        group = bisect_right(self._line_starts, y) - 1
        offset = y - self._line_starts[group]
        if offset == 0:
            return Line(group, None)
        return Line(group, self.groups[group].start + offset - 1)

    def heading_line(self, group: int) -> int:
        return self._line_starts[group]

    def line_of_row(self, row: int) -> int | None:
        """The line a row is shown on, or None when its topic is folded."""
        group = self.group_of_row(row)
        if group is None or self.groups[group].slug in self.folded:
            return None
        return self._line_starts[group] + 1 + row - self.groups[group].start

    def group_of_row(self, row: int) -> int | None:
        if not 0 <= row < len(self.rows):
            return None
        return bisect_right(self._group_starts, row) - 1

    # -- lookups -------------------------------------------------------------------------

    def find(self, story_id: int) -> int | None:
        """The row index of a story. A linear scan: it runs once per reload, not per frame."""
        for index, row in enumerate(self.rows):
            if row.id == story_id:
                return index
        return None

    def unread_total(self) -> int:
        return sum(group.unread for group in self.groups)

    # -- changes -------------------------------------------------------------------------

    def toggle_fold(self, group: int) -> None:
        slug = self.groups[group].slug
        self.folded.symmetric_difference_update({slug})
        self.relayout()

    def set_all_folded(self, folded: bool) -> None:
        self.folded = {group.slug for group in self.groups} if folded else set()
        self.relayout()

    def update(self, row: int, *, read: bool | None = None, bookmarked: bool | None = None) -> bool:
        """Change one row's marks in place; True when something changed."""
        old = self.rows[row]
        new = old._replace(
            read=old.read if read is None else read,
            bookmarked=old.bookmarked if bookmarked is None else bookmarked,
        )
        if new == old:
            return False
        self.rows[row] = new
        if new.read != old.read:
            group = self.group_of_row(row)
            if group is not None:
                self.groups[group].unread += -1 if new.read else 1
        return True


def _group(rows: Sequence[StoryRow]) -> list[TopicGroup]:
    """Consecutive rows with the same topic slug form a group (the library sorts by topic)."""
    groups: list[TopicGroup] = []
    slug: str | None = None
    for index, row in enumerate(rows):
        if row.topic_slug != slug:
            slug = row.topic_slug
            groups.append(TopicGroup(slug, row.topic_name, index, index, 0))
        group = groups[-1]
        group.end = index + 1
        if not row.read:
            group.unread += 1
    return groups
