"""The story list: a Line API widget over a view's ids, which scales to any library.

:class:`StoryList` (:mod:`~tui.ui.widgets.story_list.widget`) scrolls, keeps the cursor
and draws only the lines on screen; :mod:`~tui.ui.widgets.story_list.model` holds the
view's order, its topic groups, the rows read so far and the marks not saved yet (pure
Python, no Textual); :mod:`~tui.ui.widgets.story_list.rows` paints one line as Segments.
"""

from tui.ui.widgets.story_list.widget import StoryList as StoryList
