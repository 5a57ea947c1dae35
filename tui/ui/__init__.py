"""The Textual terminal UI: a thin client of :class:`tui.core.Library`.

:mod:`~tui.ui.app` is the app (the open library, refresh, the global keys and dialogs,
the first launch); :mod:`~tui.ui.keys` every key binding, the help's key rows and the
``[keys]`` check; :mod:`~tui.ui.commands` the command palette;
:mod:`~tui.ui.add_feed_flow` adding a feed; :mod:`~tui.ui.session` what every screen
shares. Screens are in :mod:`tui.ui.screens`, modal dialogs in :mod:`tui.ui.dialogs`,
widgets in :mod:`tui.ui.widgets`, and the worker plumbing (threads, the refresh's own
event loop, page fetching) in :mod:`tui.ui.background`. The UI imports only what
:mod:`tui.core` exports.
"""
