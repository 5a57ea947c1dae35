"""A story's HTML body → what the reader shows: lead, sections, blocks, read time.

:mod:`.sections` (:func:`~.sections.parse_article`) is the entrance, :mod:`.parser` the HTML
parser behind it, :mod:`.render` turns blocks into plain text for the command line, and
:mod:`.view` puts together everything the reader pane and ``newsterm show`` display.
Hostile markup is handled in linear time and shown only as text.
"""
