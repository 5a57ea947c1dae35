"""The widgets of the main screen: the story list, the reader pane, the status bar.

They do no I/O: the screen hands them what worker threads read ("attributes down") and
they post messages when the user acts ("messages up"). Feed text reaches the terminal
only as plain text (``Segment``, ``Content``), never as markup.
"""
