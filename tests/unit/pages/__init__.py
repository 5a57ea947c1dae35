"""``tui.core.pages``: extraction, hostile pages, the verified= and sentiment= labels."""
