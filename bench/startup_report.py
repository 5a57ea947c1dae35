"""The start-up benchmark's figures as a table (measure, value, target, verdict) or JSON."""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from startup_keys import Press, Spread


@dataclass
class Row:
    measure: str
    value: str
    target: str = ""
    verdict: str = ""  # PASS, FAIL, or "" for a figure given for information
    number: float | None = None  # the figure the verdict is on (seconds, MB)


def check(measure: str, number: float | None, limit: float, unit: str, value: str = "") -> Row:
    """A row with a target: ``number`` must be below ``limit``; None or NaN fails."""
    ok = number is not None and math.isfinite(number) and number < limit
    shown = value or (f"{number:.3g} {unit}" if number is not None else "not measured")
    return Row(measure, shown, f"< {limit:g} {unit}", "PASS" if ok else "FAIL", number)


def info(measure: str, value: str) -> Row:
    return Row(measure, value)


def print_table(rows: Sequence[Row], header: str, footer: Sequence[str] = ()) -> None:
    width = max(len(r.measure) for r in rows)
    value_width = max(len(r.value) for r in rows)
    target_width = max(len(r.target) for r in rows)
    print(header)
    print(f"{'measure':<{width}}  {'value':<{value_width}}  {'target':<{target_width}}  verdict")
    print("-" * (width + value_width + target_width + 13))
    for r in rows:
        cells = f"{r.measure:<{width}}  {r.value:<{value_width}}  {r.target:<{target_width}}"
        print(f"{cells}  {r.verdict}".rstrip())
    for line in footer:
        print(line)


@dataclass
class Launch:
    """One launch up to the painted list (seconds from the start of the process)."""

    first_output: float
    first_frame: float
    listed: float
    counts: float | None  # the status bar's story count shown
    main_kb: int  # VmHWM right after the list was painted
    helpers_kb: dict[int, int] = field(default_factory=dict)  # pid → VmHWM of its children
    refreshing: bool = False  # the status bar showed a refresh (it must not)


def _mb(kb: float) -> float:
    return kb / 1024


def build_rows(results: dict[str, Any], args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    runs: list[Launch] = results["launches"]
    listed = [r.listed for r in runs]
    rows.append(check(
        "launch → painted list, median", statistics.median(listed), 1.0, "s",
        f"{statistics.median(listed):.3f} s (max {max(listed):.3f} s, {len(runs)} runs)",
    ))  # fmt: skip
    rows.append(check("launch → painted list, max", max(listed), 1.0, "s", f"{max(listed):.3f} s"))
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
        check(
            "peak RSS after first paint (VmHWM, max)",
            _mb(main_first),
            150,
            "MB",
            f"{_mb(main_first):.1f} MB",
        )
    )
    _scroll_launch, presses, after = results["scroll"]
    rows.append(
        check("peak RSS after scrolling (VmHWM)", _mb(after), 150, "MB", f"{_mb(after):.1f} MB")
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
        check(
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
