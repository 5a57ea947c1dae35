"""Rules: what the user's ``[[rules]]`` make of the stories their queries match.

A rule is a query in the search's language (:mod:`.query`) and an action:

- ``hide``, ``highlight`` and ``topic`` are *effects*: columns on the story (``hidden``,
  ``highlight``, ``rule_topic_*``) worked out from the rules alone. When the rules change
  they are worked out again for every story, so a rule taken away takes its effect with it.
  Where two rules give a story a colour or a topic, the first in the file wins.
- ``read`` and ``bookmark`` are *marks*, made once and kept like the user's own. They are
  never made on a story whose mark a person set (``by_hand``, see
  :mod:`tui.core.store.stories`): a rule never undoes a hand-set mark. Marks on synced
  stories go to the server like any other.

A rule never deletes anything.

Rules apply in two places. At ingest (:func:`apply_at_ingest`), inside the transaction that
stores a feed's stories, from the rules *the library holds*: the workers read them there,
so a refresh, a sync and the command line all apply the same rules without passing them
around. And to the whole library (:func:`apply_to_library`) when the rules in the config
differ from those the library holds: matching runs on reads, then the effects are written
in short transactions of a few thousand ids, so a refresh is never held up for long. The
library remembers that an apply is under way until it ends, so one cut short by a crash or
kill -9 runs again at the next start.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from tui.core.errors import SearchQueryError
from tui.core.models import Topic
from tui.core.settings import Rule
from tui.core.store.accounts import queue_marks
from tui.core.store.database import Database
from tui.core.store.query import Compiled, compile_query, is_query_error
from tui.core.store.state import get_state, set_state
from tui.core.text.dates import to_iso

#: ``app_state`` keys: the rules the library holds (JSON), and "1" while an apply runs.
RULES_KEY = "rules"
APPLYING_KEY = "rules_applying"
# Ids written per transaction when the whole library is worked over.
_CHUNK = 5000

Progress = Callable[[int, int], None]  # (done, of)


def rules_json(rules: Iterable[Rule]) -> str:
    return json.dumps([[rule.query, rule.action, rule.value] for rule in rules])


_parsed: dict[str, tuple[Rule, ...]] = {}


def held_rules(conn: sqlite3.Connection) -> tuple[Rule, ...]:
    """The rules the library holds (the last ones applied)."""
    text = get_state(conn, RULES_KEY) or "[]"
    rules = _parsed.get(text)
    if rules is None:
        try:
            rules = tuple(Rule(str(q), str(a), str(v)) for q, a, v in json.loads(text))
        except (ValueError, TypeError):
            rules = ()  # a damaged entry: as if there were no rules, until the next apply
        _parsed.clear()  # one set of rules at a time; no growth over a long session
        _parsed[text] = rules
    return rules


def needs_apply(conn: sqlite3.Connection, rules: Sequence[Rule]) -> bool:
    """Whether ``rules`` differ from those the library holds, or an apply was cut short."""
    held = get_state(conn, RULES_KEY) or "[]"
    return held != rules_json(rules) or bool(get_state(conn, APPLYING_KEY))


class RuleError(SearchQueryError):
    """A rule whose query cannot be read; the sentence names the rule."""


def compile_rule(rule: Rule, number: int, now: datetime, *, per_row: bool = False) -> Compiled:
    """``rule``'s query as SQL, over every story (hidden ones too); ``per_row`` for a few
    stories already chosen (see :func:`~tui.core.store.query.compile_query`)."""
    try:
        return compile_query(rule.query, now=now, with_hidden=True, per_row=per_row)
    except SearchQueryError as error:
        raise RuleError(f"Rule {number} ({rule.query!r}): {error}") from None


def _matching(
    compiled: Compiled,
    scope: str,
    scope_params: Sequence[object],
    ids: tuple[int, int] | None = None,
) -> tuple[str, list[object]]:
    """SELECT of the ids ``compiled`` matches among those ``scope`` (over ``s``) allows;
    ``ids``: the lowest and highest id in scope, which bounds the full-text match."""
    sql = f"SELECT s.id FROM stories s LEFT JOIN feeds f ON f.id = s.feed_id WHERE {scope}"
    params: list[object] = list(scope_params)
    if compiled.fts is not None:
        sql += " AND s.id IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?"
        params.append(compiled.fts)
        if ids is not None:  # FTS5 skips the rest of each word's list (2.2 ms → 0.15 ms)
            sql += " AND rowid BETWEEN ? AND ?"
            params.extend(ids)
        sql += ")"
    sql += f" AND ({compiled.where})"
    params.extend(compiled.params)
    return sql, params


@dataclass(slots=True)
class _Effects:
    """What the rules make of a set of stories, worked out before anything is written."""

    hidden: set[int] = field(default_factory=set)
    highlight: dict[int, str] = field(default_factory=dict)
    topic: dict[int, Topic] = field(default_factory=dict)
    read: set[int] = field(default_factory=set)
    bookmark: set[int] = field(default_factory=set)
    matched: list[int] = field(default_factory=list)  # per rule

    def add(self, rule: Rule, ids: Iterable[int]) -> None:
        ids = list(ids)
        self.matched.append(len(ids))
        if rule.action == "hide":
            self.hidden.update(ids)
        elif rule.action == "highlight":
            for story_id in ids:
                self.highlight.setdefault(story_id, rule.value)
        elif rule.action == "topic":
            topic = Topic.from_name(rule.value)
            for story_id in ids:
                self.topic.setdefault(story_id, topic)
        elif rule.action == "read":
            self.read.update(ids)
        elif rule.action == "bookmark":
            self.bookmark.update(ids)


@contextmanager
def _searching(rule: Rule, number: int) -> Iterator[None]:
    """FTS5's refusal of the rule's words, as a :class:`RuleError`: the query language
    passes words to FTS5 as written, and only FTS5 can tell they do not parse."""
    try:
        yield
    except sqlite3.OperationalError as error:
        # As the search tells them: FTS5's words for a bad query include "no such column"
        # (title:self-hosted reads as a column "hosted"), not only "syntax error".
        if is_query_error(error):
            raise RuleError(
                f"Rule {number} ({rule.query!r}) cannot be searched for ({error}); put "
                "its words in double quotes."
            ) from None
        raise


def _check(conn: sqlite3.Connection, rules: Sequence[Rule], now: datetime) -> None:
    """Every rule's query compiles and its words parse, or a :class:`RuleError`."""
    for number, rule in enumerate(rules, 1):
        fts = compile_rule(rule, number, now).fts
        if fts is not None:
            # FTS5 parses the words as the search starts, whatever the index holds; one
            # row is enough for that.
            with _searching(rule, number):
                conn.execute(
                    "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? LIMIT 1", (fts,)
                ).fetchall()


def _match_all(
    conn: sqlite3.Connection,
    rules: Sequence[Rule],
    now: datetime,
    scope: str,
    scope_params: Sequence[object],
    progress: Progress | None = None,
) -> _Effects:
    effects = _Effects()
    for number, rule in enumerate(rules, 1):
        sql, params = _matching(compile_rule(rule, number, now), scope, scope_params)
        with _searching(rule, number):
            effects.add(rule, [int(row[0]) for row in conn.execute(sql, params)])
        if progress is not None:
            progress(number, len(rules))
    return effects


def _write(
    conn: sqlite3.Connection, effects: _Effects, ids: Sequence[int], now: datetime
) -> tuple[int, int]:
    """Set the effects on ``ids`` (clearing old ones) and make the marks; (read, bookmarked)."""
    chunk = json.dumps(list(ids))
    in_chunk = "id IN (SELECT value FROM json_each(?))"
    conn.execute(
        "UPDATE stories SET hidden = 0, highlight = NULL, rule_topic_name = NULL,"
        f" rule_topic_slug = NULL WHERE {in_chunk} AND (hidden = 1 OR highlight IS NOT NULL"
        " OR rule_topic_slug IS NOT NULL)",
        (chunk,),
    )
    members = set(ids)
    hidden = [i for i in ids if i in effects.hidden]
    if hidden:
        conn.execute(
            "UPDATE stories SET hidden = 1 WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(hidden),),
        )
    conn.executemany(
        "UPDATE stories SET highlight = ? WHERE id = ?",
        [(colour, i) for i, colour in effects.highlight.items() if i in members],
    )
    conn.executemany(
        "UPDATE stories SET rule_topic_name = ?, rule_topic_slug = ? WHERE id = ?",
        [(topic.name, topic.slug, i) for i, topic in effects.topic.items() if i in members],
    )
    return (
        _mark(conn, "read", [i for i in ids if i in effects.read], now),
        _mark(conn, "bookmarked", [i for i in ids if i in effects.bookmark], now),
    )


def _mark(conn: sqlite3.Connection, kind: str, ids: list[int], now: datetime) -> int:
    """A rule's read or bookmark mark, on the stories without one a person set."""
    if not ids:
        return 0
    bit = 1 if kind == "read" else 2
    marked = [
        int(row[0])
        for row in conn.execute(
            f"SELECT id FROM stories WHERE id IN (SELECT value FROM json_each(?))"
            f" AND {kind} = 0 AND by_hand & {bit} = 0",
            (json.dumps(ids),),
        )
    ]
    if not marked:
        return 0
    conn.execute(
        f"UPDATE stories SET {kind} = 1, {kind}_at = ? WHERE id IN"
        " (SELECT value FROM json_each(?))",
        (to_iso(now), json.dumps(marked)),
    )
    queue_marks(conn, kind, marked, True, now)  # synced stories: to the server too
    return len(marked)


def apply_at_ingest(conn: sqlite3.Connection, story_ids: Sequence[int], now: datetime) -> None:
    """Apply the library's rules to stories just stored or changed (inside the storing
    transaction). A rule that cannot be read is skipped here: the config check and
    `newsterm rules` say which, and storing the feed must not fail for it."""
    rules = held_rules(conn)
    if not rules or not story_ids:
        return
    scope = "s.id IN (SELECT value FROM json_each(?))"
    bounds = (min(story_ids), max(story_ids))
    effects = _Effects()
    for number, rule in enumerate(rules, 1):
        try:
            compiled = compile_rule(rule, number, now, per_row=True)
            sql, params = _matching(compiled, scope, [json.dumps(story_ids)], bounds)
            effects.add(rule, (row[0] for row in conn.execute(sql, params)))
        except (RuleError, sqlite3.OperationalError):
            effects.matched.append(0)
    _write(conn, effects, story_ids, now)


@dataclass(frozen=True, slots=True)
class RulesReport:
    """What an apply did: each rule's matches, the marks made, and how long it took."""

    matched: tuple[int, ...]
    hidden: int
    read: int
    bookmarked: int
    seconds: float


def apply_to_library(
    db: Database, rules: Sequence[Rule], now: datetime, progress: Progress | None = None
) -> RulesReport:
    """Make the library hold ``rules`` and work them out again over every story.

    ``progress(done, of)`` is called as rules are matched and chunks written (from this
    thread). A rule that cannot be read raises :class:`RuleError` before anything changes.
    """
    started = time.monotonic()
    # All of them checked before the library holds them: a rule FTS5 refuses found only
    # while matching would leave the new rules held (and applied to new stories) with
    # the old effects on the rest.
    db.read(_check, rules, now)

    def hold(conn: sqlite3.Connection) -> int:
        # New stories are stored under the new rules from here on; those stored before
        # are worked over below (ids up to this one).
        set_state(conn, RULES_KEY, rules_json(rules))
        set_state(conn, APPLYING_KEY, "1")
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM stories").fetchone()[0])

    last_id = db.write(hold)
    steps = len(rules) + last_id // _CHUNK + 1

    def matched(done: int, _of: int) -> None:
        if progress is not None:
            progress(done, steps)

    effects = db.read(_match_all, rules, now, "s.id <= ?", [last_id], matched)
    # Only stories the rules touch now or touched before need writing.
    touched = db.read(
        lambda conn: [
            int(row[0])
            for row in conn.execute(
                "SELECT id FROM stories WHERE id <= ? AND (hidden = 1 OR highlight IS NOT NULL"
                " OR rule_topic_slug IS NOT NULL)",
                (last_id,),
            )
        ]
    )
    ids = sorted(
        set(touched)
        | effects.hidden
        | effects.highlight.keys()
        | effects.topic.keys()
        | effects.read
        | effects.bookmark
    )
    read = bookmarked = 0
    chunks = [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]
    for number, chunk in enumerate(chunks, 1):
        counts = db.write(_write, effects, chunk, now)
        read, bookmarked = read + counts[0], bookmarked + counts[1]
        if progress is not None:
            progress(len(rules) + number * (steps - len(rules)) // max(len(chunks), 1), steps)
    db.write(lambda conn: set_state(conn, APPLYING_KEY, ""))
    if progress is not None:
        progress(steps, steps)
    return RulesReport(
        tuple(effects.matched),
        len(effects.hidden),
        read,
        bookmarked,
        time.monotonic() - started,
    )


def count_matches(conn: sqlite3.Connection, rules: Sequence[Rule], now: datetime) -> list[int]:
    """How many stories each rule's query matches now (copies of another feed's story
    left out, as lists leave them out)."""
    counts = []
    for number, rule in enumerate(rules, 1):
        sql, params = _matching(compile_rule(rule, number, now), "s.dup_of IS NULL", [])
        with _searching(rule, number):
            row = conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
        counts.append(int(row[0]))
    return counts
