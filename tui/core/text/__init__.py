"""Untrusted text, and the small rules every other package applies to it.

Everything that arrives from a feed, a page or a server is hostile until it has been
through here: :mod:`.hygiene` strips control characters and terminal escape sequences,
:mod:`.html` turns HTML into plain text (and the words the search index keeps),
:mod:`.charsets` says which character encodings a document may name and decodes pages,
:mod:`.keys` makes the keys that tell two feeds' copies of a story apart, :mod:`.words`
counts words the way readers read them, and :mod:`.dates` reads and writes times.
Nothing here does I/O or imports another package of the core but ``models`` and ``errors``.
"""
