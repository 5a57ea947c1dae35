"""The snapshots open the demo library the Pilot tests open, at the same fixed clock."""

from __future__ import annotations

from tests.ui.conftest import demo_db, demo_library, settings

__all__ = ["demo_db", "demo_library", "settings"]
