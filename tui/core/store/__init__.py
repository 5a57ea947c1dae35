"""The library on disk: stdlib sqlite3, one file, WAL.

``schema`` holds the whole schema and its migrations; ``database`` opens connections and
runs reads and writes (``faults`` maps sqlite3 errors to sentences); ``ingest`` stores a
parsed feed's stories; ``feeds``, ``stories``, ``search``, ``pages`` (reader mode's fetched
pages) and ``state`` are the queries; ``marks`` is the one ordered writer of read marks and
bookmarks; ``backup`` makes and restores the daily copies.
Callers outside ``tui.core`` go through :class:`tui.core.library.Library`, never here.
"""
