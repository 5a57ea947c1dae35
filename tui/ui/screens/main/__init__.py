"""The main screen and the behaviour it owns.

:class:`MainScreen` (:mod:`~tui.ui.screens.main.screen`) holds the panes, the layout,
the key bindings and moving around. What it does beyond that lives in plain classes it
owns, each reaching the screen through the :class:`~tui.ui.screens.main.parts.MainParts`
protocol: loading the list from the library (:mod:`~tui.ui.screens.main.loading`), the
actions on one story (:mod:`~tui.ui.screens.main.story_actions`), reader mode
(:mod:`~tui.ui.screens.main.reader_mode`) and the tone filter
(:mod:`~tui.ui.screens.main.tone`). Which stories the list shows is a
:class:`~tui.ui.screens.main.list_filter.ListFilter`.
"""

from tui.ui.screens.main.screen import MainScreen as MainScreen
