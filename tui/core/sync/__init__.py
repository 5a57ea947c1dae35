"""Sync with the servers people already run: their APIs spoken as clients.

:mod:`.greader` is the Google Reader API (Miniflux, FreshRSS, Inoreader, The Old Reader,
BazQux), :mod:`.fever` the Fever API; :mod:`.credentials` keeps each account's token or key
(never its password) in a file only its owner can read; :mod:`.miniflux` is Miniflux's own
REST API. Each client turns a server's answers into plain values, cleaned as any feed text
is, and its failures into
:class:`~tui.core.errors.SyncError` sentences that never carry a password or token.
"""
