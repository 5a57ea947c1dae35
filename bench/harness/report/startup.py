"""The start-up benchmark's rows against its targets.

Targets (a 2-core machine, 100k or a million stories, a 160x50 terminal): launch →
painted list under 1 s (median and max of the runs), the app's peak resident memory under
100 MB after the first paint and after scrolling (nothing held grows with the library), and
key → painted list under 50 ms at the 95th percentile, idle and during a refresh. The rows
without a target explain the ones with one.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from bench.harness.app import Launch
from bench.harness.report.table import Row, Spread, below, info
from bench.harness.story_list import Press

RSS_MB = 100  # the app's resident memory, whatever the library holds


def _mb(kb: float) -> float:
    return kb / 1024


def build_rows(results: dict[str, Any], args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    runs: list[Launch] = results["launches"]
    listed = [r.listed for r in runs]
    rows.append(below(
        "launch → painted list, median", statistics.median(listed), 1.0, "s",
        f"{statistics.median(listed):.3f} s (max {max(listed):.3f} s, {len(runs)} runs)",
    ))  # fmt: skip
    rows.append(below("launch → painted list, max", max(listed), 1.0, "s", f"{max(listed):.3f} s"))
    rows.append(
        info(
            "  launch → first output",
            f"{statistics.median(r.first_output for r in runs):.3f} s median",
        )
    )
    rows.append(
        info(
            "  launch → first frame (empty layout)",
            f"{statistics.median(r.first_frame for r in runs):.3f} s median",
        )
    )
    counts = [r.counts for r in runs if r.counts is not None]
    rows.append(
        info(
            "  launch → story count in status bar",
            f"{statistics.median(counts):.3f} s median" if counts else "not seen",
        )
    )
    rows.append(info("  first launch, empty byte-code cache", f"{results['cold'].listed:.3f} s"))
    if any(r.refreshing for r in runs):
        rows.append(Row("  no refresh during start-up", "a refresh ran", "none", "FAIL"))
    main_first = max(r.main_kb for r in runs)
    rows.append(
        below(
            "peak RSS after first paint (VmHWM, max)",
            _mb(main_first),
            RSS_MB,
            "MB",
            f"{_mb(main_first):.1f} MB",
        )
    )
    _scroll_launch, presses, after = results["scroll"]
    rows.append(
        below("peak RSS after scrolling (VmHWM)", _mb(after), RSS_MB, "MB", f"{_mb(after):.1f} MB")
    )
    helpers = max((sum(r.helpers_kb.values()) for r in runs), default=0)
    rows.append(
        info("  helper processes at start (resource tracker)", f"{_mb(helpers):.1f} MB VmHWM")
    )
    rows += _press_rows("idle, scrolling", presses, args.presses)
    refresh = results.get("refresh")
    if refresh is not None:
        counted = [p for p in refresh["presses"] if p.refreshing]
        rows += _press_rows("during refresh", counted, args.presses, refresh=True)
        rounds = refresh["rounds"]
        seconds = [r["seconds"] for r in rounds]
        to_bar = [r["r_to_status"] * 1e3 for r in rounds]
        rows.append(info(
            "  refreshes (R → progress in bar; R → done)",
            f"{len(rounds)} rounds of {args.refresh_feeds} feeds on {args.hosts} address(es); "
            f"bar after {statistics.median(to_bar):.0f} ms median (max {max(to_bar):.0f}); "
            f"done in {statistics.median(seconds):.1f} s median; {rounds[0]['summary']}",
        ))  # fmt: skip
        rows.append(info(
            "  peak RSS during refresh (VmHWM, max)",
            f"app {_mb(max(r['main_kb'] for r in rounds)):.0f} MB; its child processes "
            f"(parse workers, forkserver, tracker) "
            f"{_mb(max(sum(r['helpers_kb'].values()) for r in rounds)):.0f} MB together",
        ))  # fmt: skip
    boat = results.get("newsboat")
    if boat is not None:
        seconds = boat["seconds"]
        rows.append(info(
            "newsboat 2.21 launch → feed list (same stories)",
            f"{statistics.median(seconds):.2f} s median (max {max(seconds):.2f} s), "
            f"VmHWM {_mb(max(boat['vmhwm_kb'])):.0f} MB; quoted ~17 s",
        ))  # fmt: skip
    return rows


def _press_rows(label: str, presses: list[Press], wanted: int, refresh: bool = False) -> list[Row]:
    painted = [p.painted for p in presses if p.painted is not None]
    spread = Spread.of(painted)
    censored = sum(p.censored for p in presses)
    failed = [p for p in presses if p.painted is None]
    note = f"{spread.count} presses"
    if censored:
        note += f", {censored} still unpainted when the refresh ended, counted at their wait"
    rows = [
        below(
            f"key → painted list, {label}, p95",
            spread.p95 * 1e3 if painted else None,
            50,
            "ms",
            f"{spread.ms()} ({note})",
        )
    ]
    frames = Spread.of([p.frame for p in presses if p.frame is not None])
    rows.append(info(f"  key → first frame with the cursor moved, {label}", frames.ms()))
    if not refresh:
        firsts = Spread.of([p.first_byte for p in presses if p.first_byte is not None])
        rows.append(info(f"  key → first output byte, {label}", firsts.ms()))
    for key in ("j", "k", "pagedown", "pageup", "G", "g"):
        some = Spread.of([p.painted for p in presses if p.key == key and p.painted is not None])
        if some.count:
            rows.append(info(f"  painted after {key}, {label}", f"{some.ms()} ({some.count})"))
    if failed or spread.count < wanted * 0.5:
        problem = failed[0].problem[:150] if failed else "too few presses"
        rows.append(
            Row(
                f"  presses measured, {label}",
                f"{spread.count} of {wanted}: {problem}",
                f">= {wanted // 2}, none lost",
                "FAIL",
            )
        )
    return rows
