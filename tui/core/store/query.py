"""newsterm's query language: free words for the full-text index, and filters, in one line.

``rust "async io" -is:read feed:lwn age:<7d tone:negative``

- Free words, ``"phrases"``, ``pref*``, ``AND`` / ``OR`` / ``NOT``, parentheses and
  ``title:word`` go to FTS5 as they are written (they are its syntax).
- Filters: ``feed:NAME``, ``topic:NAME``, ``site:DOMAIN``, ``author:NAME``,
  ``is:unread|read|bookmarked|hidden``, ``tone:positive|neutral|negative``,
  ``verified:true|false``, ``age:<7d`` / ``age:>1y`` (h, d, w, m, y). A value with spaces
  goes in double quotes (``feed:"Hacker News"``); a leading ``-`` negates any filter.

A query compiles to SQL with bound parameters only (:class:`Compiled`): nothing a user
types is ever spliced into a statement. Filters on a story's feed and topic go through
the feeds table and the stories' feed index; the marks use their partial indexes. A query
that cannot be read is a :class:`QueryError` whose sentence names the part at fault.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tui.core.errors import SearchQueryError
from tui.core.models import Topic
from tui.core.text.dates import to_iso

#: Columns of the full-text index a word may be limited to (``title:word``).
FTS_COLUMNS = ("title", "summary", "content", "feed_title")
FILTERS = ("feed", "topic", "site", "author", "is", "tone", "verified", "age")
# Bookmarks are few: looked up in their own index, not found by walking every story.
_IS = {
    "unread": "s.read = 0",
    "read": "s.read = 1",
    "bookmarked": "s.id IN (SELECT id FROM stories WHERE bookmarked = 1)",
    "hidden": "s.hidden = 1",
}
# Checked per row, the mark itself: stories_dated holds it, so a walk along that index
# tests it without reading a row or gathering every bookmark first.
_IS_PER_ROW = _IS | {"bookmarked": "s.bookmarked = 1"}
_TONES = ("positive", "neutral", "negative")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_UNITS |= {"m": timedelta(days=30), "y": timedelta(days=365)}
_AGE = re.compile(r"([<>])(\d{1,6})([hdwmy])")
# A token: an optional "-", a key and ":" then a quoted or bare value; a quoted phrase;
# a parenthesis; or a bare run of anything else.
_TOKEN = re.compile(
    r'\s*(?:(?P<neg>-)?(?P<key>[A-Za-z_]+):(?:"(?P<qvalue>[^"]*)"|(?P<value>[^\s()"]*))'
    r'|(?P<phrase>"[^"]*")|(?P<paren>[()])|(?P<bare>[^\s()"]+))'
)


# Messages FTS5 gives for a query it cannot read (as opposed to a library that fails).
QUERY_FAULTS = (
    "fts5:",
    "unknown special query",
    "no such column",
    "unterminated",
    "syntax error",
    "parser stack overflow",
)


def is_query_error(error: sqlite3.OperationalError) -> bool:
    """FTS5 reports a bad query as an OperationalError, like real failures: tell them apart."""
    text = str(error)
    return any(fault in text for fault in QUERY_FAULTS)


class QueryError(SearchQueryError):
    """A query newsterm cannot read; the sentence points at the part at fault."""


@dataclass(slots=True)
class Compiled:
    """A query as SQL: an FTS5 expression for ``stories_fts MATCH ?`` (None when the query
    has only filters), and a WHERE fragment over ``stories s LEFT JOIN feeds f`` with its
    parameters (``"1"`` when it has none)."""

    fts: str | None
    where: str = "1"
    params: list[object] = field(default_factory=list)
    #: The query names is:hidden (either way), so hidden stories are not left out of it.
    asks_hidden: bool = False


def compile_query(
    query: str, *, now: datetime, with_hidden: bool = False, per_row: bool = False
) -> Compiled:
    """Split ``query`` into its full-text part and its filters, and compile the filters.

    Stories a hide rule matches are left out unless the query asks for them (``is:hidden``)
    or ``with_hidden`` (the rules' own matching, which must see every story).
    ``per_row``: the query is checked on a few stories already chosen (the rules at
    ingest), so the feed and topic filters test each row rather than gather every story
    of the feed or topic first.
    """
    words: list[str] = []
    clauses: list[str] = []
    params: list[object] = []
    asks_hidden = False
    position = 0
    text = query.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(
                f"Cannot read the search near {text[position : position + 20]!r}: close "
                'every double quote, e.g. "a phrase".'
            )
        position = match.end()
        key = match.group("key")
        if key is None:
            words.append(match.group("phrase") or match.group("paren") or match.group("bare"))
            continue
        key = key.lower()
        value = match.group("qvalue") if match.group("qvalue") is not None else match.group("value")
        if not value and text.startswith('"', position):
            raise QueryError(
                f"Cannot read the search near {text[position : position + 20]!r}: close "
                'every double quote, e.g. feed:"Hacker News".'
            )
        written = match.group(0).strip()
        if key in FTS_COLUMNS and not match.group("neg"):
            # FTS5's own column filter: kept for the index, as written.
            words.append(f'{key}:"{value}"' if match.group("qvalue") is not None else written)
            continue
        clause, values = _filter(key, value or "", written, now, per_row)
        asks_hidden = asks_hidden or (key == "is" and (value or "").strip().lower() == "hidden")
        clauses.append(f"NOT coalesce(({clause}), 0)" if match.group("neg") else f"({clause})")
        params.extend(values)
    fts = " ".join(words).strip() or None
    if not (with_hidden or asks_hidden):
        clauses.insert(0, "s.hidden = 0")
    return Compiled(fts, " AND ".join(clauses) or "1", params, asks_hidden)


def _filter(
    key: str, value: str, written: str, now: datetime, per_row: bool
) -> tuple[str, list[object]]:
    if key not in FILTERS:
        known = ", ".join(f"{name}:" for name in FILTERS)
        raise QueryError(
            f"Cannot read {written!r}: newsterm knows the filters {known} (and title: for "
            "words in titles). Put the words in double quotes to search for them as written."
        )
    if not value.strip():
        raise QueryError(f"{written!r} needs a value after the colon, e.g. {key}:{_EXAMPLE[key]}.")
    value = value.strip()
    if key == "feed":
        if per_row:
            return (
                "instr(lower(coalesce(f.user_title, nullif(f.title, ''), f.url,"
                " s.orphan_feed_title, '')), lower(?)) > 0",
                [value],
            )
        # The feeds whose name holds it, then their stories by the feed index: compared
        # row by row, a feed of few stories walked every story (80 ms at 100k, measured).
        return (
            "s.id IN (SELECT id FROM stories WHERE feed_id IN (SELECT id FROM feeds WHERE"
            " instr(lower(coalesce(user_title, nullif(title, ''), url)), lower(?)) > 0)"
            " UNION ALL SELECT id FROM stories WHERE feed_id IS NULL"
            " AND instr(lower(coalesce(orphan_feed_title, '')), lower(?)) > 0)",
            [value, value],
        )
    if key == "topic" and per_row:
        slug = Topic.from_name(value).slug
        return (
            "coalesce(s.rule_topic_slug, f.topic_slug, s.orphan_topic_slug, 'general') = ?",
            [slug],
        )
    if key == "topic":
        slug = Topic.from_name(value).slug
        # A topic rule's topic wins over the feed's, and a feed with no topic is General's
        # (as in tui.core.store.stories, and as the per-row form above says).
        # One set of ids from four indexed lookups: an OR over the columns would scan.
        return (
            "s.id IN (SELECT id FROM stories WHERE rule_topic_slug = ?"
            " UNION ALL SELECT id FROM stories WHERE feed_id IN"
            " (SELECT id FROM feeds WHERE topic_slug = ?) AND rule_topic_slug IS NULL"
            " UNION ALL SELECT id FROM stories WHERE feed_id IN"
            " (SELECT id FROM feeds WHERE topic_slug IS NULL) AND rule_topic_slug IS NULL"
            " AND coalesce(orphan_topic_slug, 'general') = ?"
            " UNION ALL SELECT id FROM stories WHERE feed_id IS NULL"
            " AND coalesce(orphan_topic_slug, 'general') = ? AND rule_topic_slug IS NULL)",
            [slug, slug, slug, slug],
        )
    if key == "site":
        # Link keys are "host/path" with the host lowercased and "www." dropped.
        domain = value.lower().removeprefix("www.").strip("/")
        return (
            "s.link_key LIKE ? ESCAPE '\\' OR s.link_key LIKE ? ESCAPE '\\'",
            [f"{_like(domain)}/%", f"%.{_like(domain)}/%"],
        )
    if key == "author":
        return "instr(lower(s.author), lower(?)) > 0", [value]
    if key == "is":
        clause = (_IS_PER_ROW if per_row else _IS).get(value.lower())
        if clause is None:
            raise QueryError(
                f"Cannot read {written!r}: is: takes unread, read, bookmarked or hidden."
            )
        return clause, []
    if key == "tone":
        if value.lower() not in _TONES:
            raise QueryError(f"Cannot read {written!r}: tone: takes positive, neutral or negative.")
        return "s.sentiment = ?", [value.lower()]
    if key == "verified":
        if value.lower() not in ("true", "false"):
            raise QueryError(f"Cannot read {written!r}: verified: takes true or false.")
        return "s.verified = ?", [1 if value.lower() == "true" else 0]
    # age
    age = _AGE.fullmatch(value.lower())
    if age is None:
        raise QueryError(
            f"Cannot read {written!r}: write the age as age:<7d (newer than a week) or "
            "age:>1y (older than a year), in h, d, w, m or y."
        )
    sign, count, unit = age.groups()
    try:
        cutoff = to_iso(now - int(count) * _UNITS[unit])
    except OverflowError:
        raise QueryError(f"Cannot read {written!r}: that is further back than dates go.") from None
    return ("s.sort_date >= ?" if sign == "<" else "s.sort_date < ?"), [cutoff]


_EXAMPLE = {
    "feed": '"Hacker News"',
    "topic": "science",
    "site": "example.org",
    "author": "ada",
    "is": "unread",
    "tone": "positive",
    "verified": "true",
    "age": "<7d",
}


def _like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
