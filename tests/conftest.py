"""Fixtures shared by the whole suite: a loopback feed server and throwaway libraries."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/feedserver.py, feeds.py, hygiene.py
# hygiene's helpers assert: let pytest explain their failures as it does in the tests.
pytest.register_assert_rewrite("hygiene")

from feedserver import FeedServer  # noqa: E402

from tui.core.library import Library  # noqa: E402
from tui.core.settings import Settings  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "library.db"


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    with Library(db_path, Settings()) as opened:
        yield opened
