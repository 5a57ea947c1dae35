"""The UI's background plumbing: work off the event loop, and its results brought back.

:mod:`~tui.ui.background.threads` runs library calls in thread workers and delivers their
results to the event loop (also for the plain classes that screens own, which Textual's
``@work`` does not serve); :mod:`~tui.ui.background.refresh` runs a refresh on an event
loop of its own in a worker thread; :mod:`~tui.ui.background.pages` fetches reader mode's
web pages on a long-lived thread of its own. Nothing here draws anything: screens and the
app decide what a result looks like.
"""
