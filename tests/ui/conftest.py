"""Fixtures for the UI tests: a demo library built in tmp_path with a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pilot import NOW, quiet_settings
from tui.core.demo import build_demo_library
from tui.core.library import Library
from tui.core.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return quiet_settings()


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    build_demo_library(path, now=NOW)
    return path


@pytest.fixture
def demo_library(demo_db: Path, settings: Settings) -> Iterator[Library]:
    with Library(demo_db, settings) as library:
        yield library
