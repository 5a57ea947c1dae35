"""The one report every benchmark prints: measure / value / target / verdict, or strict JSON.

A row with a target has a verdict, ``PASS`` or ``FAIL`` (a benchmark exits 1 when a row
fails); a row without one gives a figure that explains the others. :class:`Spread` is how
a set of timings is summed up (nearest-rank percentiles).
"""

from __future__ import annotations

import argparse
import json
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Row:
    measure: str
    value: str
    target: str = ""
    verdict: str = ""  # PASS, FAIL, or "" for a figure given for information
    number: float | None = None  # the figure the verdict is on (seconds, MB), when one is


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def below(measure: str, number: float | None, limit: float, unit: str, value: str = "") -> Row:
    """A row with a target: ``number`` must be below ``limit``; None or NaN fails."""
    ok = number is not None and math.isfinite(number) and number < limit
    shown = value or (f"{number:.3g} {unit}" if number is not None else "not measured")
    return Row(measure, shown, f"< {limit:g} {unit}", verdict(ok), number)


def at_least(measure: str, number: float, limit: float, unit: str, value: str) -> Row:
    """A row with a target: ``number`` must be ``limit`` or more; NaN fails."""
    ok = math.isfinite(number) and number >= limit
    return Row(measure, value, f">= {limit:g} {unit}", verdict(ok), number)


def info(measure: str, value: str) -> Row:
    return Row(measure, value)


def failed(rows: Sequence[Row]) -> bool:
    return any(r.verdict == "FAIL" for r in rows)


def print_table(rows: Sequence[Row], header: str) -> None:
    width = max(len(r.measure) for r in rows)
    value_width = max(len(r.value) for r in rows)
    target_width = max(len(r.target) for r in rows)
    print(header)
    print(f"{'measure':<{width}}  {'value':<{value_width}}  {'target':<{target_width}}  verdict")
    print("-" * (width + value_width + target_width + 13))
    for r in rows:
        cells = f"{r.measure:<{width}}  {r.value:<{value_width}}  {r.target:<{target_width}}"
        print(f"{cells}  {r.verdict}".rstrip())


def strict_json(data: Any) -> str:
    """Strict JSON: NaN and infinities (a figure that could not be measured) become null."""

    def tidy(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: tidy(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [tidy(v) for v in value]
        if hasattr(value, "__dataclass_fields__"):
            return tidy(asdict(value))
        return value

    return json.dumps(tidy(data), indent=2, allow_nan=False)


def run_context(
    args: argparse.Namespace,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    busy: float,
) -> dict[str, Any]:
    """The ``config`` and ``machine`` parts every benchmark's JSON starts with."""
    return {
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_after": load_after,
            "cpus_busy": busy,
        },
    }


def load_text(load: tuple[float, float, float]) -> str:
    """A load average as the headers show it: ``1-min/5-min/15-min``."""
    return "/".join(f"{value:.2f}" for value in load)


@dataclass(frozen=True)
class Spread:
    count: int
    p50: float
    p95: float
    max: float

    @staticmethod
    def of(values: list[float]) -> Spread:
        if not values:
            return Spread(0, math.nan, math.nan, math.nan)
        ordered = sorted(values)

        def rank(q: float) -> float:  # nearest rank
            return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

        return Spread(len(ordered), rank(0.5), rank(0.95), ordered[-1])

    def ms(self) -> str:
        if not self.count:
            return "no samples"
        return f"p50 {self.p50 * 1e3:.1f} / p95 {self.p95 * 1e3:.1f} / max {self.max * 1e3:.1f} ms"
