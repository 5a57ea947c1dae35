"""Story commands: ``list``, ``search``, ``show``, the marks (``read``, ``unread``,
``bookmark``, ``unbookmark``) and ``bookmarks`` (the bookmarked stories as a file)."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from typing import Any

from tui.cli.arguments import story_ids
from tui.cli.commands import Handler, open_library
from tui.cli.output import echo, echo_json, echo_markup
from tui.core import NewstermError, relative_age, strip_controls


def story_line(story: Any, width: int) -> str:
    marks = ("●" if not story.read else " ") + ("★" if story.bookmarked else " ")
    age = relative_age(story.published or story.first_seen)
    tail = f"  {story.feed_title} · {story.topic.name} · {age}"
    head = f"{story.id:>6} {marks} "
    room = max(20, width - len(head) - len(tail))
    title = story.title if len(story.title) <= room else story.title[: room - 1] + "…"
    return f"{head}{title}{tail}"


def cmd_list(args: argparse.Namespace) -> int:
    from tui.core import story_record

    with open_library(args) as library:
        _rules_note(library)
        if args.sentiment:
            _label_pending(library)
        if args.view:
            args.query = " ".join(filter(None, [_view_query(library, args.view), args.query]))
        if args.query:
            # The other options are filters too: joined to the query as the language has them.
            parts = [args.query]
            parts += [f'topic:"{args.topic}"'] if args.topic else []
            parts += ["is:unread"] if args.unread else []
            parts += ["is:bookmarked"] if args.bookmarked else []
            parts += [f"tone:{args.sentiment}"] if args.sentiment else []
            stories = library.find(" ".join(parts), limit=args.limit)
        else:
            stories = library.stories(
                topic=args.topic,
                unread=args.unread,
                bookmarked=args.bookmarked,
                sentiment=args.sentiment,
                limit=args.limit,
            )
    if args.json:
        echo_json([story_record(s) for s in stories])
        return 0
    if not stories:
        echo("No stories match.")
    width = shutil.get_terminal_size().columns
    for story in stories:
        echo(story_line(story, width))
    return 0


def _view_query(library: Any, name: str) -> str:
    """The query of the view named ``name`` in the config (names compared case aside)."""
    views = library.settings.views
    for view in views:
        if view.name.casefold() == name.strip().casefold():
            return str(view.query)
    if not views:
        raise NewstermError(
            f"There is no view named {name!r}: the config has none yet; add one as "
            '[[views]] name = "…" query = "…" (`newsterm config` shows where the file is).'
        )
    names = ", ".join(repr(view.name) for view in views)
    raise NewstermError(f"There is no view named {name!r}; the config has {names}.")


def cmd_search(args: argparse.Namespace) -> int:
    from tui.core import search_record

    with open_library(args) as library:
        _rules_note(library)
        results = library.search(args.query, limit=args.limit)
    if args.json:
        echo_json([search_record(r) for r in results])
        return 0
    if not results:
        echo(f"Nothing found for {args.query!r}.")
    width = shutil.get_terminal_size().columns
    for result in results:
        echo(story_line(result.story, width))
        if result.snippet and result.snippet != result.story.title:
            echo(f"{'':9}{result.snippet}")
    return 0


def _rules_note(library: Any) -> None:
    """Stories are listed as the rules last applied left them: say when that is stale."""
    if library.rules_pending():
        echo(
            "newsterm: note: the config's rules changed since they were last applied; "
            "`newsterm rules apply` works them out (the app and refresh do it on their own).",
            sys.stderr,
        )


def _label_pending(library: Any) -> None:
    """Sentiment labels are computed once per story; a filter on them needs them all."""
    pending = library.unlabelled()
    if pending and sys.stderr.isatty():
        echo(f"Working out the sentiment of {pending} stories (once)…", sys.stderr)
    if pending:
        library.label_pending()


def cmd_show(args: argparse.Namespace) -> int:
    from tui.core import story_as_text

    (story_id,) = story_ids([args.story])
    with open_library(args) as library:
        library.story(story_id)  # StoryNotFoundError before any fetch
        stored = library.article(story_id)
        if args.full and (stored is None or not stored.ok):
            wanted = [story_id]
        else:
            wanted = [] if args.no_fetch else library.wants_page([story_id])
        if wanted:
            (outcome,) = asyncio.run(library.fetch_pages(wanted, force=args.full))
            if not outcome.ok and not outcome.skipped:
                echo(f"newsterm: the full article could not be read: {outcome.note}", sys.stderr)
        view = library.reader(story_id)
    width = min(100, shutil.get_terminal_size().columns)
    for line in story_as_text(view, width=width):
        echo(line)
    return 0


def mark(what: str) -> Handler:
    """The command for one mark: ``read``, ``unread``, ``bookmark`` or ``unbookmark``."""

    def handler(args: argparse.Namespace) -> int:
        ids = story_ids(args.stories)
        with open_library(args) as library:
            if what in ("read", "unread"):
                changed = library.set_read(ids, what == "read")
            else:
                changed = library.set_bookmarked(ids, what == "bookmark")
        word = {
            "read": "marked read",
            "unread": "marked unread",
            "bookmark": "bookmarked",
            "unbookmark": "unbookmarked",
        }[what]
        echo(f"{changed} of {len(ids)} stories {word}.")
        return 0

    return handler


def cmd_bookmarks(args: argparse.Namespace) -> int:
    from tui.core import bookmarks_markdown, bookmarks_netscape_html, story_record

    with open_library(args) as library:
        stories = library.stories(bookmarked=True)
    if args.format == "json":
        echo_json([story_record(s) for s in stories])
    elif args.format == "html":
        echo_markup(strip_controls(bookmarks_netscape_html(stories)))
    else:
        sys.stdout.write(strip_controls(bookmarks_markdown(stories)))
    return 0
