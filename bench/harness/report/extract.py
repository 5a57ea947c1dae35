"""The reader-mode benchmark's rows against its targets.

Targets (a 2-core machine, loopback server): extraction alone on one core at least 100
articles/s; ``Library.fetch_pages`` end to end at the default concurrency at least 100
pages/s, every page extracted and stored; Enter → full article on screen under 300 ms
(median and p95) for a page never fetched, and no page fetched before its Enter.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from bench.harness.extraction import Alone, PagesRun
from bench.harness.reader import Open
from bench.harness.report.table import Row, Spread, at_least, below, info, verdict

#: Extraction alone, one core: a 60 KB page in under 10 ms, a small part of Enter's budget.
ALONE_PER_S = 100.0
#: Through the library on loopback, at the default concurrency (two pages at a time):
#: fetching, storing and the pool cost less than a second worker gives back, so pages come
#: at least as fast as extraction alone on one core. On a real network latency adds to it.
PAGES_PER_S = 100.0
#: Enter → the full article painted, for a page never fetched (loopback server).
ENTER_MS = 300.0


def ms(seconds: float | None) -> str:
    return "not seen" if seconds is None else f"{seconds * 1e3:.0f} ms"


def alone_rows(alone: Alone) -> list[Row]:
    rows = [
        at_least(
            "extraction alone, one core, articles/s",
            alone.per_second,
            ALONE_PER_S,
            "/s",
            f"{alone.per_second:.0f}/s ({alone.pages} pages, {alone.megabytes:.1f} MB, "
            f"{alone.seconds:.2f} s)",
        ),
        info("  per page", alone.per_page.ms()),
        info(
            "  MB/s; CPU / wall",
            f"{alone.megabytes / alone.seconds:.1f} MB/s; {alone.cpu / alone.seconds:.2f}",
        ),
        info(
            "  words per article",
            f"median {alone.words.p50:.0f}, max {alone.words.max:.0f}",
        ),
        info("  first call (imports trafilatura), untimed", f"{alone.first_call * 1e3:.0f} ms"),
    ]
    if alone.problems:
        rows.append(
            Row(
                "  articles extracted whole, without clutter",
                f"{alone.pages - len(alone.problems)} of {alone.pages}: {alone.problems[0][:120]}",
                "all",
                "FAIL",
            )
        )
    return rows


def pages_rows(runs: Sequence[PagesRun], default: int) -> list[Row]:
    rows: list[Row] = []
    for concurrency in dict.fromkeys(r.concurrency for r in runs):
        some = [r for r in runs if r.concurrency == concurrency]
        rates = [r.per_second for r in some]
        rate = statistics.median(rates)
        seconds = statistics.median(r.seconds for r in some)
        label = f"concurrency {concurrency}" + (" (default)" if concurrency == default else "")
        spread = f", {min(rates):.0f}–{max(rates):.0f}" if len(rates) > 1 else ""
        value = (
            f"{rate:.0f}/s ({some[0].pages} pages in {seconds:.2f} s, "
            f"median of {len(some)}{spread})"
        )
        measure = f"fetch_pages end to end, {label}, pages/s"
        if concurrency == default:
            rows.append(at_least(measure, rate, PAGES_PER_S, "/s", value))
        else:
            rows.append(info(measure, value))
        rows.append(
            info(
                "  CPU s: main / workers / server; other load",
                f"{statistics.median(r.main_cpu for r in some):.2f} / "
                f"{statistics.median(r.workers_cpu for r in some):.2f} / "
                f"{statistics.median(r.server_cpu for r in some):.2f}; "
                f"{max(r.others_busy for r in some):.2f} CPUs (worst run)",
            )
        )
    stored = [r.stored for r in runs]
    pages = runs[0].pages
    problems = [p for r in runs for p in r.problems]
    rows.append(
        Row(
            "pages extracted and stored, every run",
            f"{min(stored)}" + (f": {problems[0][:100]}" if problems else ""),
            f"= {pages}",
            verdict(all(s == pages for s in stored) and not problems),
        )
    )
    warm = statistics.median(r.warm_up for r in runs)
    rows.append(
        info(
            "  pool start + first 8 pages (untimed warm-up)",
            f"{warm:.2f} s median ({runs[0].workers} pool processes: workers, forkserver, tracker)",
        )
    )
    return rows


def app_rows(app: dict[str, Any], wanted: int) -> list[Row]:
    opens: list[Open] = app["opens"]
    full = [o.full for o in opens if o.full is not None]
    spread = Spread.of(full)
    note = f"{spread.count} stories, each fetched on Enter"
    rows = [
        below(
            "Enter → full article on screen, median",
            spread.p50 * 1e3 if full else None,
            ENTER_MS,
            "ms",
            f"{spread.p50 * 1e3:.0f} ms ({note})" if full else "not measured",
        ),
        below(
            "Enter → full article on screen, p95 (nearest rank)",
            spread.p95 * 1e3 if full else None,
            ENTER_MS,
            "ms",
            f"{spread.ms()}" if full else "not measured",
        ),
    ]
    if opens:
        first = opens[0]
        later = Spread.of([o.full for o in opens[1:] if o.full is not None])
        rows.append(
            info(
                "  first open after launch: story / full article",
                f"{ms(first.story)} / {ms(first.full)}",
            )
        )
        rows.append(
            info(
                "  the app's child processes before it",
                ", ".join(sorted(app["helpers"])) or "none",
            )
        )
        rows.append(info("  later opens: full article", later.ms()))
    shown = Spread.of([o.story for o in opens if o.story is not None])
    rows.append(info("  Enter → story on screen (feed text, or the page if first)", shown.ms()))
    rest = Spread.of(
        [o.full - o.story for o in opens if o.full is not None and o.story is not None]
    )
    rows.append(info("  story on screen → full article (fetch, extract, show)", rest.ms()))
    notes = [o.note for o in opens if o.note is not None]
    text = f"in {len(notes)} of {len(opens)} opens"
    if any(o.note != o.story for o in opens if o.note is not None):
        text += f": {Spread.of(notes).ms()}"
    elif notes:
        text += ", with the story's feed text"
    if len(notes) < len(opens):
        text += f"; in the other {len(opens) - len(notes)} the page came first"
    rows.append(info("  'Fetching the full article…' painted", text))
    launched = app["launch"]
    rows.append(
        info(
            "  launch → painted list",
            f"{launched:.2f} s" if math.isfinite(launched) else "not painted",
        )
    )
    if app["problem"]:
        rows.append(Row("  the app launched", app["problem"].split("\n")[0][:150], "yes", "FAIL"))
    early = sum(o.before for o in opens)
    once = sum(o.after == 1 for o in opens)
    rows.append(
        Row(
            "  pages fetched before Enter / opens that fetched one",
            f"{early} / {once} of {len(opens)}",
            f"0 / {len(opens)}",
            verdict(early == 0 and once == len(opens)),
        )
    )
    failed = [o for o in opens if o.problem]
    if failed or len(full) < wanted:
        problem = failed[0].problem.split("\n")[0][:120] if failed else "too few opens"
        rows.append(
            Row("  stories opened", f"{len(full)} of {wanted}: {problem}", f"= {wanted}", "FAIL")
        )
    return rows
