"""The headless core of newsterm: feeds, fetching, parsing and the local library.

Nothing under ``tui.core`` imports textual, rich or the UI; the command line and the
terminal UI are both thin clients of :class:`tui.core.library.Library`.
"""
