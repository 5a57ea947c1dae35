"""The Textual terminal UI: a thin client of :class:`tui.core.library.Library`."""
