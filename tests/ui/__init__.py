"""UI tests: the real Textual app under Pilot (and, for a few, in a real pty)."""
