"""The library on disk: stdlib sqlite3, one file, WAL.

``schema`` holds the whole schema and its migrations; ``db`` opens connections and maps
sqlite3 errors to domain errors; ``feeds``, ``stories`` and ``search`` are the queries.
Callers outside ``tui.core`` go through :class:`tui.core.library.Library`, never here.
"""
