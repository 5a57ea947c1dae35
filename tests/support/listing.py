"""A list view's whole order, read the way the list pane reads it: the index, then each
group's stories (views' and topics') window by window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tui.core.library import Library
from tui.core.models import StoryIndex
from tui.core.settings import View


def listed_ids(
    library: Library, *, views: Sequence[View] = (), window: int = 7, **view_filter: Any
) -> list[int]:
    """Every story id of the view in list order (views' groups first). Small windows, read
    one after another from the last id read, as scrolling reads them."""
    index = library.story_index(views=views, **view_filter)
    return ids_of(library, index, window, views=views, **view_filter)


def ids_of(
    library: Library,
    index: StoryIndex,
    window: int = 7,
    *,
    views: Sequence[View] = (),
    **view_filter: Any,
) -> list[int]:
    """``views``: those the index was read with (a view's windows are read by its query)."""
    ids: list[int] = []
    for group in index.groups:
        read: list[int] = []
        while len(read) < group.count:
            more = library.story_window(
                group.topic.slug,
                len(read),
                window,
                count=group.count,
                after=read[-1] if read else None,
                views=views,
                **view_filter,
            )
            assert more, f"{group.topic.name}: {len(read)} of {group.count} read"
            read += more
        ids += read
    return ids
