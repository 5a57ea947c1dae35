"""Unit tests: one module's functions on values built in code, or on files in ``tmp_path``.

No server, no library, no other process; laid out as ``tui/core`` is where a package has
several test files.
"""
