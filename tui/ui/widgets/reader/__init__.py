"""The reader pane: one story laid out as an article page.

:class:`ReaderPane` (:mod:`~tui.ui.widgets.reader.pane`) lays out the breadcrumb, the meta
line, the title, the body and the related stories, and moves between sections;
:mod:`~tui.ui.widgets.reader.body` turns the article's blocks into styled ``Content``.
"""

from tui.ui.widgets.reader.pane import ReaderPane as ReaderPane
