"""``tui.core.subscriptions``: OPML and urls files, feed links found in pages."""
