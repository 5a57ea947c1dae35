"""Fixtures shared by the whole suite: a loopback feed server and throwaway libraries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# The helpers assert (hygiene's checks above all): let pytest explain their failures as it
# does in the tests. Registered before the first import of any of them.
pytest.register_assert_rewrite("tests.support")

from tests.support.feedserver import FeedServer  # noqa: E402
from tests.support.paths import CORPUS  # noqa: E402
from tui.core.library import Library  # noqa: E402
from tui.core.settings import Settings  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``corpus`` skip, and say why, where ``../shared/corpus`` is absent."""
    if CORPUS.is_dir():
        return
    # First among the item's marks, so that its reason is the one shown, not pytest's
    # "got empty parameter set" for a parametrization over the missing files.
    absent = pytest.mark.skip(reason=f"the shared corpus is not here ({CORPUS})")
    for item in items:
        if item.get_closest_marker("corpus") is not None:
            item.add_marker(absent, append=False)


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
