"""Sync with the servers people already run: their APIs spoken as clients.

:mod:`.greader` is the Google Reader API (Miniflux, FreshRSS, Inoreader, The Old Reader,
BazQux), :mod:`.fever` the Fever API and :mod:`.miniflux` Miniflux's own REST API, all
three over :class:`.server.ServerClient` (the address check, the size cap and the sentences
for a failing server, written once). Each client turns a server's answers into plain
values, cleaned as any feed text is, and its failures into
:class:`~tui.core.errors.SyncError` sentences that never carry a password or token.
:mod:`.credentials` keeps each account's token or key (never its password) in a file only
its owner can read.
"""
