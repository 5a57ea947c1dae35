"""Bytes from a server → a :class:`~tui.core.models.ParsedFeed`: RSS, Atom, RDF, JSON Feed.

:func:`.feed.parse_feed` is the one entrance. Well-formed UTF-8 XML goes to the fast expat
reader fenced in :mod:`.fast`, which gives exactly what the feedparser path gives or says
it is not sure; everything else goes through feedparser, driven step by step by
:mod:`.driver` so that a failing element costs only its entry. :mod:`.xml_safety` defuses
hostile XML first, :mod:`.jsonfeed` reads JSON Feed, :mod:`.fields` reads feedparser-shaped
dicts, :mod:`.entries` makes every entry the same way, and :mod:`.urls` holds the link rules
both XML paths share. Pure: no I/O, so it runs in worker processes.
"""
