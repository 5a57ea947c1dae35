"""Every input a fuzzer ever broke something with, replayed through the same checks.

The cases live in ``tests/support/data/fuzz/<target>/`` (``<name>.bin``, and ``<name>.json``
when a Content-Type was part of it): hand-made reductions of the reproducers in
``../shared/corpus/fuzz-repro``, and whatever ``test_targets.py`` saves when it finds a new
failure. A case saved without a Content-Type is tried with each of a few.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.fuzzing import REGRESSIONS, TARGETS, regression_cases

CASES = list(regression_cases())
HANG = 120  # seconds: a hang detector, not a speed test
DEFAULT_SIDES = {
    "feed": (None, "application/xml", "text/xml; charset=utf-8", "application/feed+json"),
    "extract": ("text/html", "text/html; charset=utf-8"),
}


def case_id(case: tuple[str, Path, str | None]) -> str:
    return f"{case[0]}/{case[1].stem}"


def test_there_are_cases_for_the_fixed_crashes() -> None:
    assert len([c for c in CASES if c[0] == "feed"]) >= 10
    assert len([c for c in CASES if c[0] == "subscriptions"]) >= 5
    assert REGRESSIONS.is_dir()


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_a_saved_case_holds(case: tuple[str, Path, str | None]) -> None:
    name, path, side = case
    target = TARGETS[name]
    data = path.read_bytes()
    sides = (side,) if side is not None else DEFAULT_SIDES.get(name, target.side_inputs[:1])
    for content_type in sides:
        started = time.monotonic()
        target.run(data, content_type)
        assert time.monotonic() - started < HANG
