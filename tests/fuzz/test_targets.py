"""Fuzzing every entry point that takes outside bytes; the rules: :mod:`tests.support.fuzzing`.

Two budgets. The short one runs in every test run (about a minute in all on a 2-core
machine): small seeds, a fixed number of examples, derandomized and without an example
database, so that a CI run is the same every time and never flaky. The long one runs with
``pytest -m fuzz`` (minutes per target; ``NEWSTERM_FUZZ_EXAMPLES`` sets how many inputs):
seeds up to 100 KB, random, and remembering what failed in the user's cache folder
(``NEWSTERM_FUZZ_DATABASE`` to put it elsewhere). A failing input
is saved to ``tests/support/data/fuzz/<target>/`` whichever run finds it, and
``test_regressions.py`` replays it from then on.
"""

from __future__ import annotations

import os
from datetime import timedelta

import platformdirs
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.support.fuzzing import (
    MAX_INPUT,
    TARGETS,
    Target,
    mutated,
    peak_memory,
    save_crash,
    seeds,
)

DEADLINE = timedelta(seconds=2)  # every input under 100 KB finishes in under 2 s
_QUIET = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.filter_too_much,
]
# The short run: inputs per target, sized so that the targets take about a minute in
# all (54 s measured on the 2-core development machine, under other load: feeds 21 s,
# subscription files 9, story bodies 7, pages 6, the memory checks 10; pictures and
# transcripts 4 s together, drawn seeds only).
SHORT_EXAMPLES = {
    "feed": 4000,
    "subscriptions": 1500,
    "article": 2000,
    "extract": 350,
    "picture": 600,
    "transcript": 1500,
}
SHORT_MEMORY_EXAMPLES = {
    "feed": 200,
    "subscriptions": 100,
    "article": 100,
    "extract": 30,
    "picture": 40,
    "transcript": 100,
}
# Seeds for the short run: small feeds (most of the corpus is), whole subscription files,
# pages big enough to hold an article (trafilatura finds nothing in 16 KB of <head>).
SHORT_SEEDS = {
    "feed": {"size": 16 * 1024, "count": 200},
    "subscriptions": {"size": 64 * 1024, "count": 20},
    "article": {"size": 32 * 1024, "count": 100},
    "extract": {"size": 64 * 1024, "count": 30},
    "picture": {"size": 64 * 1024, "count": 0},  # drawn in the test: no corpus
    "transcript": {"size": 64 * 1024, "count": 0},
}
SHORT_INPUT = 64 * 1024
# Feeds take the longest of the short runs (about 20 s, the others 4-6 s): marked slow.
SHORT_TARGETS = [
    pytest.param(name, marks=pytest.mark.slow) if name == "feed" else name
    for name in sorted(TARGETS)
]
LONG_SEEDS = {"size": MAX_INPUT, "count": 5000}
# The long run: about 1-3 minutes per target on a 2-core machine (measured: feeds ~150
# inputs a second, subscription files and story bodies ~250, pages ~40), memory a quarter
# as many (tracemalloc triples the time). NEWSTERM_FUZZ_EXAMPLES sets one count for all.
LONG_EXAMPLES = {
    "feed": 20_000,
    "subscriptions": 20_000,
    "article": 20_000,
    "extract": 4_000,
    "picture": 10_000,
    "transcript": 20_000,
}
# What the long run found and shrank, replayed first next time; outside the project tree.
LONG_DATABASE = os.environ.get(
    "NEWSTERM_FUZZ_DATABASE", str(platformdirs.user_cache_path("newsterm") / "fuzz-examples")
)


def needs_fuzz_option(config: pytest.Config) -> None:
    """The long run is opt-in. Skipped, not deselected, so that running this file alone
    still collects and runs the short budget."""
    expression = str(config.getoption("markexpr") or "")
    if "fuzz" not in expression or "not fuzz" in expression:
        pytest.skip("the long fuzz run: pytest -m fuzz (see CONTRIBUTING.md)")


def short(examples: int, *, deadline: timedelta | None = DEADLINE) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,  # the same inputs every run: CI is deterministic
        database=None,
        deadline=deadline,
        suppress_health_check=_QUIET,
        print_blob=True,
    )


def long(name: str, *, share: int = 1, deadline: timedelta | None = DEADLINE) -> settings:
    examples = int(os.environ.get("NEWSTERM_FUZZ_EXAMPLES", LONG_EXAMPLES[name] // share))
    return settings(
        max_examples=examples,
        database=DirectoryBasedExampleDatabase(LONG_DATABASE),
        deadline=deadline,
        suppress_health_check=_QUIET,
        print_blob=True,  # failures print a @reproduce_failure line
    )


def check_holds(target: Target, pool: tuple[bytes, ...], size: int, budget: settings) -> None:
    """Only newsterm's errors, clean strings, within the deadline; a failure is saved."""
    current: list[tuple[bytes, str | None]] = []

    @budget
    @given(data=mutated(pool, size), side=st.sampled_from(target.side_inputs))
    def holds(data: bytes, side: str | None) -> None:
        current[:] = [(data, side)]
        target.run(data, side)

    try:
        holds()
    except BaseException:
        if current:  # hypothesis runs the smallest failing input last
            path = save_crash(target.name, *current[0])
            print(f"\nthe failing input is saved as a regression case: {path}")
        raise


def check_bounded(target: Target, pool: tuple[bytes, ...], size: int, budget: settings) -> None:
    """tracemalloc's peak for one input stays under the target's limit."""

    @budget
    @given(data=mutated(pool, size), side=st.sampled_from(target.side_inputs))
    def bounded(data: bytes, side: str | None) -> None:
        peak = peak_memory(target, data, side)
        assert peak < target.memory_limit, f"{peak / 2**20:.0f} MB for {len(data)} bytes"

    bounded()


@pytest.mark.parametrize("name", SHORT_TARGETS)
def test_short_fuzz_holds(name: str) -> None:
    pool = seeds(name, **SHORT_SEEDS[name])
    check_holds(TARGETS[name], pool, SHORT_INPUT, short(SHORT_EXAMPLES[name]))


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_short_fuzz_memory_is_bounded(name: str) -> None:
    pool = seeds(name, **SHORT_SEEDS[name])
    budget = short(SHORT_MEMORY_EXAMPLES[name], deadline=None)  # tracemalloc triples the time
    check_bounded(TARGETS[name], pool, SHORT_INPUT, budget)


@pytest.mark.fuzz
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_long_fuzz_holds(name: str, pytestconfig: pytest.Config) -> None:
    needs_fuzz_option(pytestconfig)
    check_holds(TARGETS[name], seeds(name, **LONG_SEEDS), MAX_INPUT, long(name))


@pytest.mark.fuzz
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_long_fuzz_memory_is_bounded(name: str, pytestconfig: pytest.Config) -> None:
    needs_fuzz_option(pytestconfig)
    pool = seeds(name, **LONG_SEEDS)
    check_bounded(TARGETS[name], pool, MAX_INPUT, long(name, share=4, deadline=None))


def test_the_targets_run_without_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh clone has no ../shared/corpus: the built-in seeds still drive every target."""
    from tests.support import fuzzing

    monkeypatch.setattr(fuzzing, "CORPUS", fuzzing.CORPUS / "no-such-folder")
    for name, target in TARGETS.items():
        pool = fuzzing.seeds.__wrapped__(name, size=1024 * 1024, count=10)
        assert pool, name
        for data in pool:
            target.run(data, target.side_inputs[0])
