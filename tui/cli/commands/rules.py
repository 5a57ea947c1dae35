"""``rules``: the config's rules with what each matches; ``rules test QUERY`` (what a rule
would match, before it is saved) and ``rules apply`` (work them out over the library now).

The app applies changed rules on its own when it starts, and ``refresh`` and ``sync``
before they store anything; ``rules apply`` is for scripts, and for the impatient.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import Any

from tui.cli.commands import open_library
from tui.cli.output import ProgressBar, echo, echo_json


def _rule_record(number: int, rule: Any, matches: int) -> dict[str, object]:
    record: dict[str, object] = {"number": number, "query": rule.query, "action": rule.action}
    if rule.action == "highlight":
        record["colour"] = rule.value
    elif rule.action == "topic":
        record["topic"] = rule.value
    record["matches"] = matches
    return record


def cmd_rules(args: argparse.Namespace) -> int:
    action = getattr(args, "rules_command", None)
    if action == "test":
        return _test(args)
    if action == "apply":
        return _apply(args)
    with open_library(args) as library:
        rules = library.settings.rules
        counts = library.rule_counts()
        pending = library.rules_pending()
    if args.json:
        echo_json(
            [_rule_record(n, r, c) for n, (r, c) in enumerate(zip(rules, counts, strict=True), 1)]
        )
        return 0
    if not rules:
        echo(
            "No rules yet. Add [[rules]] tables to the config (`newsterm config` shows where "
            'it is), e.g. query = "title:sponsored" action = "hide".'
        )
        if pending:  # all taken out: what they hid stays hidden until the next apply
            echo(
                "The library still holds the rules taken out of the config: `newsterm rules "
                "apply` (or starting the app, or a refresh) undoes their hiding, colours and "
                "topics; the read marks and bookmarks they made stay.",
                sys.stderr,
            )
        return 0
    width = max(len(rule.describe()) for rule in rules)
    for number, (rule, count) in enumerate(zip(rules, counts, strict=True), 1):
        echo(f"{number:>3}  {rule.describe():<{width}}  {rule.query}  ({_stories(count)})")
    if pending:
        echo(
            "The library does not hold these rules yet: `newsterm rules apply` (or starting "
            "the app, or a refresh) works them out.",
            sys.stderr,
        )
    return 0


def apply_pending(library: Any) -> None:
    """Work changed rules out before a command stores stories under them."""
    if library.rules_pending():
        _run_apply(library)


def _run_apply(library: Any) -> None:
    bar = ProgressBar("applying", "steps")
    try:
        report = library.apply_rules(progress=lambda done, of: bar(done, of, None))
    finally:
        bar.clear()
    rules = len(report.matched)
    echo(
        f"Applied {rules} {'rule' if rules == 1 else 'rules'}: {_stories(report.hidden)} "
        f"hidden, {report.read} marked read, {report.bookmarked} bookmarked, in "
        f"{report.seconds:.1f} s."
    )


def _stories(count: int) -> str:
    return f"{count} {'story' if count == 1 else 'stories'}"


def _apply(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        _run_apply(library)
    return 0


def _test(args: argparse.Namespace) -> int:
    from tui.cli.commands.stories import story_line
    from tui.core import story_record

    with open_library(args) as library:
        # find first: a query it cannot read is told as the search tells it, not as a rule.
        stories = library.find(args.query, limit=args.limit, with_hidden=True)
        count = library.count(args.query)
    if args.json:
        echo_json(
            {"query": args.query, "matches": count, "stories": [story_record(s) for s in stories]}
        )
        return 0
    shown = f"; the newest {len(stories)}:" if count > len(stories) else ":" if count else "."
    echo(f"{args.query!r} matches {_stories(count)}{shown}")
    width = shutil.get_terminal_size().columns
    for story in stories:
        echo(story_line(story, width))
    return 0
