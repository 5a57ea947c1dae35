"""Snapshot tests: SVG screenshots that pin the look (pytest-textual-snapshot)."""
