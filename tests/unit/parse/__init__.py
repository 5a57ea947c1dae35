"""``tui.core.parse``: feed bytes → ParsedFeed, the fast reader, hostile feeds, the corpus."""
