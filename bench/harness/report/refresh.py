"""The refresh benchmark's rows against its targets.

Targets (a 2-core machine, 300 feeds × 50 items): an empty-library refresh in at most half
newsboat's time and half its CPU (every process of each); a library on disk no bigger than
newsboat's cache of the same stories; a refresh answered with 304s under 0.3 s; the main
process under 150 MB.
Rows without a target are there to explain the ones with one. Times are medians over the
repeated runs, with the range when there was more than one.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from bench.harness.clients import Measure
from bench.harness.report.table import Row, verdict

Runs = dict[str, list[Measure]]  # phase → one Measure per repeat


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if math.isfinite(seconds) and seconds > 0 else "n/a"


def _seconds(runs: Sequence[Measure], inner: bool = False) -> tuple[float, str]:
    runs = [m for m in runs if m.ok]  # a killed or failed run has no time worth showing
    values = [m.inner for m in runs if m.inner is not None] if inner else [m.wall for m in runs]
    if not values:
        return float("nan"), "n/a"
    mid = _median(values)
    text = f"{mid:.2f}"
    if len(values) > 1:
        text += f" ({min(values):.2f}–{max(values):.2f})"
    return mid, text


def build_rows(
    feeds: int, items: int, nt: Runs, nb: Runs, server_check: dict[str, float], startup: float
) -> list[Row]:
    expected = feeds * items
    rows: list[Row] = []
    add = rows.append
    all_nt = [m for ms in nt.values() for m in ms]
    empty, empty_text = _seconds(nt["empty"])
    inner, inner_text = _seconds(nt["empty"], inner=True)

    # -- the empty library
    if nb:
        nb_empty, nb_text = _seconds(nb["empty"])
        add(
            Row(
                "empty library: newsterm / newsboat wall",
                f"{empty / nb_empty:.2f}",
                "≤ 0.50",
                verdict(empty / nb_empty <= 0.5),
            )
        )
        # Load from other programs only ever adds time: the best runs are the least noisy.
        best = min((m.wall for m in nt["empty"] if m.ok), default=math.nan)
        nb_best = min((m.wall for m in nb["empty"] if m.ok), default=math.nan)
        add(Row("empty library: newsterm / newsboat wall, best runs", f"{best / nb_best:.2f}"))
        add(Row("empty library: newsterm wall s", empty_text, f"≤ {0.5 * nb_empty:.2f}"))
        add(Row("empty library: newsboat wall s", nb_text))
    else:
        add(Row("empty library: newsterm wall s", empty_text))
    if nb:
        cpu = _median([m.cpu for m in nt["empty"] if m.ok])
        nb_cpu = _median([m.cpu for m in nb["empty"] if m.ok])
        add(
            Row(
                "empty library: newsterm / newsboat CPU, every process",
                f"{cpu / nb_cpu:.2f} ({cpu:.1f} / {nb_cpu:.1f} s)",
                "≤ 0.50",
                verdict(cpu / nb_cpu <= 0.5),
            )
        )
    if "into" in nt:
        into, into_text = _seconds(nt["into"])
        add(
            Row(
                "refresh into a big library / into an empty one, wall",
                f"{into / empty:.2f}",
                "≤ 1.20",
                verdict(into / empty <= 1.2),
            )
        )
        add(Row("refresh into a big library: newsterm wall s", into_text))
        stored = [m.stored for m in nt["into"]]
        add(
            Row(
                "stories stored into the big library",
                f"{min(stored)}",
                f"= {expected}",
                verdict(all(s == expected for s in stored)),
            )
        )
    add(Row("empty library: newsterm in-process s (printed)", inner_text))
    add(Row("empty library: stories/s, wall", _rate(expected, empty)))
    add(Row("empty library: stories/s, in-process", _rate(expected, inner)))
    first = nt["empty"]
    add(
        Row(
            "empty library: newsterm CPU s, main / parse processes",
            f"{_median([m.main_cpu for m in first]):.1f} / "
            f"{_median([m.workers_cpu for m in first]):.1f}",
        )
    )

    # -- later refreshes
    labels = (
        ("not-modified", "304 refresh"),
        ("same-bodies", "200, same bodies"),
        ("changed", "200, 1 new item/feed"),
    )
    for phase, label in labels:
        wall, text = _seconds(nt[phase])
        target, result = ("< 0.30", verdict(wall < 0.3)) if phase == "not-modified" else ("", "")
        add(Row(f"{label}: newsterm wall s", text, target, result))
        add(Row(f"{label}: newsterm in-process s", _seconds(nt[phase], inner=True)[1]))
        if nb:
            nb_wall, nb_text = _seconds(nb[phase])
            add(Row(f"{label}: newsboat wall s", nb_text))
            add(Row(f"{label}: newsterm / newsboat", f"{wall / nb_wall:.2f}"))
    if nb:
        add(
            Row(
                "newsboat 2nd reload (it stores validators late: all 200) wall s",
                _seconds(nb["second-reload"])[1],
            )
        )

    # -- the library on disk, once the empty library holds every story
    size = _median([m.library_bytes for m in nt["empty"] if m.ok])
    per_story = f"{size / 1e6:.1f} MB, {size / expected:,.0f} bytes a story"
    if nb:
        nb_size = _median([m.library_bytes for m in nb["empty"] if m.ok])
        add(
            Row(
                "library on disk: newsterm / newsboat (empty-library refresh)",
                f"{size / nb_size:.2f}",
                "≤ 1.00",
                verdict(size / nb_size <= 1.0),
            )
        )
        add(Row("library on disk: newsterm", per_story))
        add(
            Row(
                "library on disk: newsboat",
                f"{nb_size / 1e6:.1f} MB, {nb_size / expected:,.0f} bytes a story",
            )
        )
    else:
        add(Row("library on disk: newsterm", per_story))

    # -- memory
    main_peak = max(m.main_mb for m in all_nt)
    add(
        Row(
            "peak RSS newsterm main process MB",
            f"{main_peak:.0f}",
            "< 150",
            verdict(main_peak < 150),
        )
    )
    with_workers = [m for m in all_nt if m.workers_mb]
    if with_workers:
        biggest = max(max(m.workers_mb) for m in with_workers)
        count = max(len(m.workers_mb) for m in with_workers)
        summed = max(sum(m.workers_mb) for m in with_workers)
        helpers = max(sum(m.helpers_mb) for m in with_workers)
        add(
            Row(
                f"peak RSS parse workers MB ({count} workers)",
                f"largest {biggest:.0f}, sum {summed:.0f}",
            )
        )
        add(Row("peak RSS forkserver + resource tracker MB", f"{helpers:.0f}"))
        total = max(m.main_mb + sum(m.workers_mb) + sum(m.helpers_mb) for m in all_nt)
        add(
            Row(
                "peak RSS sum, all newsterm processes MB (shared pages counted twice)",
                f"{total:.0f}",
            )
        )
    add(
        Row(
            "peak PSS sum, all newsterm processes MB (sampled)",
            f"{max(m.pss_total_mb for m in all_nt):.0f}",
        )
    )
    if nb:
        add(Row("peak RSS newsboat MB", f"{max(m.main_mb for ms in nb.values() for m in ms):.0f}"))

    # -- did it do the work?
    clean = sum(m.ok for m in all_nt)
    add(
        Row(
            "newsterm runs with every feed ok",
            f"{clean}/{len(all_nt)}",
            "all",
            verdict(clean == len(all_nt)),
        )
    )
    stored = [m.stored for m in nt["empty"]]
    add(
        Row(
            "newsterm stories stored (empty library)",
            f"{min(stored)}",
            f"= {expected}",
            verdict(all(s == expected for s in stored)),
        )
    )
    new = [m.new_stories for m in nt["changed"]]
    add(
        Row(
            "newsterm new stories (1 new item/feed)",
            f"{new[0]}",
            f"= {feeds}",
            verdict(all(n == feeds for n in new)),
        )
    )
    answered = [m.server.get("not_modified", 0) for m in nt["not-modified"]]
    add(
        Row(
            "304s served to newsterm (304 refresh)",
            f"{min(answered)}",
            f"= {feeds}",
            verdict(all(a == feeds for a in answered)),
        )
    )
    if nb:
        items_ok = [m.stored for m in nb["empty"]]
        add(
            Row(
                "newsboat items in its cache (empty)",
                f"{min(items_ok)}",
                f"= {expected}",
                verdict(all(s == expected for s in items_ok)),
            )
        )
        answered = [m.server.get("not_modified", 0) for m in nb["not-modified"]]
        add(
            Row(
                "304s served to newsboat (its 3rd reload)",
                f"{min(answered)}",
                f"= {feeds}",
                verdict(all(a == feeds for a in answered)),
            )
        )

    # -- is the measurement sound?
    cpu = _median([m.server_cpu for m in first])
    add(
        Row(
            "feed server CPU s during the empty-library refresh",
            f"{cpu:.2f}",
            f"< {0.05 * empty:.2f} (5 %)",
            verdict(cpu < 0.05 * empty),
        )
    )
    add(
        Row(
            "feed server alone: every feed to a raw client",
            f"{server_check['seconds']:.3f} s, {server_check['requests_per_s']:,.0f} req/s, "
            f"{server_check['mb_per_s']:,.0f} MB/s",
        )
    )
    # Not a target: a warning that the wall clocks above carry other programs' noise. Only
    # newsterm's runs: during newsboat's, the kernel's journal threads doing its fsyncs
    # (SQLite with synchronous=FULL) show up as "other" load although it caused them.
    others = max(m.others_cpu / max(m.wall, 1e-9) for m in all_nt)
    add(
        Row(
            "other load during newsterm's runs, CPUs busy (worst run)",
            f"{others:.2f}",
            "< 0.25",
            "ok" if others < 0.25 else "NOISY",
        )
    )
    add(Row("newsterm start-up floor (`newsterm --version`) s", f"{startup:.2f}"))
    return rows
