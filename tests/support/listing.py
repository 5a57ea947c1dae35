"""A list view's whole order, read the way the list pane reads it: the index, then each
topic's stories window by window."""

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
    return ids_of(library, library.story_index(views=views, **view_filter), window, **view_filter)


def ids_of(library: Library, index: StoryIndex, window: int = 7, **view_filter: Any) -> list[int]:
    ids = list(index.view_ids)
    for group in index.groups:
        if group.view:
            continue
        read: list[int] = []
        while len(read) < group.count:
            read += library.story_window(
                group.topic.slug,
                len(read),
                window,
                count=group.count,
                after=read[-1] if read else None,
                **view_filter,
            )
        ids += read
    return ids
