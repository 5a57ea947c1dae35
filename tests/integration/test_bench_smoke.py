"""The benchmarks keep running: each entry point, at tiny sizes, prints its whole report.

Each runs as ``python -m bench.<name>`` from the project root, as ``bench/README.md`` says,
in a subprocess (the start-up and reader-mode benchmarks drive the real app in a pty).
Timings are not checked: on a shared machine a tiny run may miss a speed target, which a
benchmark reports with a ``FAIL`` row and exit status 1. What is checked is that it ran to
the end (no traceback, the table with its targets printed), that its exit status agrees
with its table, and that the rows which say the work was done right (every feed stored,
every page extracted, no page fetched early) pass.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.slow


def run_bench(name: str, *options: str) -> dict[str, tuple[str, str, str]]:
    """Run ``bench.<name>`` with ``options``; its table's rows, measure → (value, target,
    verdict), once the run and its exit status have been checked."""
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *options],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,  # a bound on a stuck run, not a timing
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    heading = next((i for i, line in enumerate(lines) if line.startswith("measure ")), None)
    assert heading is not None, f"no report table:\n{done.stdout}\n{done.stderr[-2000:]}"
    columns = lines[heading]
    value_at, target_at, verdict_at = (columns.index(n) for n in ("value", "target", "verdict"))
    assert set(lines[heading + 1]) == {"-"}
    rows = {}
    for line in lines[heading + 2 :]:
        rows[line[:value_at].rstrip()] = (
            line[value_at:target_at].strip(),
            line[target_at:verdict_at].strip(),
            line[verdict_at:].strip(),
        )
    assert any(target for _value, target, _verdict in rows.values()), "no row with a target"
    missed = [measure for measure, (_v, _t, verdict) in rows.items() if verdict == "FAIL"]
    assert done.returncode == (1 if missed else 0), (done.returncode, missed, done.stderr[-2000:])
    return rows


def passes(rows: dict[str, tuple[str, str, str]], measure: str) -> None:
    assert measure in rows, f"no row {measure!r} in {sorted(rows)}"
    assert rows[measure][2] == "PASS", (measure, rows[measure])


def test_the_refresh_benchmark_runs() -> None:
    rows = run_bench("refresh", "--feeds", "4", "--items", "5", "--repeat", "1", "--skip-newsboat")
    assert "304 refresh: newsterm wall s" in rows
    assert rows["peak RSS newsterm main process MB"][1] == "< 150"
    passes(rows, "newsterm runs with every feed ok")
    passes(rows, "newsterm stories stored (empty library)")
    passes(rows, "newsterm new stories (1 new item/feed)")
    passes(rows, "304s served to newsterm (304 refresh)")


def test_the_startup_benchmark_runs() -> None:
    rows = run_bench(
        "startup",
        "--feeds", "4", "--items", "30", "--runs", "1", "--presses", "10",
        "--refresh-feeds", "4", "--refresh-items", "5", "--refresh-rounds", "1",
    )  # fmt: skip
    assert rows["launch → painted list, median"][1] == "< 1 s"
    assert rows["peak RSS after first paint (VmHWM, max)"][1] == "< 100 MB"
    assert rows["key → painted list, idle, scrolling, p95"][1] == "< 50 ms"
    assert "key → painted list, during refresh, p95" in rows
    # Rows that appear only when the work went wrong, whatever the machine's speed.
    assert "  no refresh during start-up" not in rows
    assert "  presses measured, idle, scrolling" not in rows


def test_the_extract_benchmark_runs() -> None:
    rows = run_bench(
        "extract",
        "--pages", "3", "--stories", "4", "--feeds", "1", "--hosts", "1",
        "--repeat", "1", "--opens", "2",
    )  # fmt: skip
    assert rows["extraction alone, one core, articles/s"][1] == ">= 100 /s"
    assert rows["Enter → full article on screen, median"][1] == "< 300 ms"
    passes(rows, "pages extracted and stored, every run")
    passes(rows, "  pages fetched before Enter / opens that fetched one")
    assert "  articles extracted whole, without clutter" not in rows
    assert "  stories opened" not in rows


def test_the_sync_benchmark_runs() -> None:
    from tests.support.miniflux import unavailable

    reason = unavailable()
    if reason is not None:
        pytest.skip(f"no Miniflux here: {reason}")
    rows = run_bench(
        "sync",
        "--feeds", "4", "--items", "5", "--folders", "2", "--marks", "10", "--repeat", "1",
        "--skip-newsboat",
    )  # fmt: skip
    for api in ("greader", "miniflux", "fever"):
        assert rows[f"{api}: first sync, wall"][1] == "< 5 s"
        passes(rows, f"  {api}: stories stored by the first sync")
        passes(rows, f"  {api}: marks made / pushed / left queued")
        passes(rows, f"  {api}: read on the server afterwards (REST)")
        passes(rows, f"  {api}: sync with nothing new, changes")


def test_the_query_benchmark_runs() -> None:
    from bench.query import QUERIES, RULES, VIEWS

    rows = run_bench(
        "query",
        "--stories", "2000", "--repeat", "3", "--ingest-feeds", "10", "--ingest-items", "5",
    )  # fmt: skip
    timed = [f"query {query}" for _what, query in QUERIES]
    timed += [f"view {view.query}, first window" for view in VIEWS]
    timed += ["every query, Library.find, p95", "every query, Library.search, p95"]
    timed += [f"{len(VIEWS)} views at start (what they add to the list's index), p95"]
    for measure in timed:
        assert measure in rows, f"no row {measure!r} in {sorted(rows)}"
        assert rows[measure][1:] in (("< 50 ms", "PASS"), ("< 50 ms", "FAIL")), rows[measure]
    for measure in (f"apply {len(RULES)} rules to", "apply again, one rule changed, wall"):
        found = [m for m in rows if m.startswith(measure)]
        assert found, f"no row {measure!r} in {sorted(rows)}"
        assert rows[found[0]][1:] in (("< 5 s", "PASS"), ("< 5 s", "FAIL")), rows[found[0]]
    passes(rows, "  stories hidden afterwards = the report's count")
    assert "  every view's query read" not in rows
    assert "  list rows read during it (every 20 ms, same library)" in rows
    assert "  what the rules add to a feed's transaction" in rows
