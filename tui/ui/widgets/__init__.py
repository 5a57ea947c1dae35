"""The widgets of the main screen: the story list, the reader pane, the status bar."""
