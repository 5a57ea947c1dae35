"""One real Miniflux (over a throwaway PostgreSQL) for the sync tests of a session.

Tests that need it skip, with the reason, where neither PostgreSQL nor Miniflux can be had;
`.ci/run` makes both available so that in CI they run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.miniflux import Miniflux, running_miniflux, unavailable


@pytest.fixture(scope="session")
def miniflux() -> Iterator[Miniflux]:
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"no Miniflux here: {reason}")
    with running_miniflux() as server:
        server.enable_apis()
        yield server
