"""The ``newsterm`` command line: argparse subcommands over :class:`tui.core.library.Library`.

A thin client: every command opens the library, calls one or two facade methods and
prints. Bad usage exits 2 (argparse), failures exit 1 with one sentence on stderr, and no
user error ends in a traceback. Feed text is passed through the hygiene filter again on
its way to a terminal, whatever the library holds.
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import contextlib
import json
import re
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from tui import __version__, paths
from tui.core import (
    DEFAULT_CONFIG_TOML,
    NewstermError,
    RefreshReport,
    Settings,
    load_settings,
    relative_age,
    strip_controls,
)

Handler = Callable[[argparse.Namespace], int]


def _print(text: str = "", stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(strip_controls(text) + "\n")


# json escapes C0 controls itself but writes these as they are, and a terminal acts on them
# (C1 controls such as CSI U+009B, bidi overrides). As \uXXXX escapes the JSON means the same.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def _print_json(data: Any) -> None:
    # ensure_ascii=False keeps titles readable; the rest is escaped above. Where the output
    # cannot carry every character, all of them become escapes: the JSON means the same.
    text = json.dumps(data, ensure_ascii=not _stdout_is_utf8(), indent=2)
    text = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")


# -- output where the terminal's encoding lacks characters -------------------------------

# Look-alikes for the marks newsterm itself prints; other characters lose their accents
# (NFKD) or become "?". Never an exception: PYTHONIOENCODING=ascii crashed on "●".
_LOOK_ALIKES = str.maketrans(
    {"●": "*", "★": "*", "·": "-", "…": "...", "✗": "x", "█": "#", "░": "-", "—": "-",
     "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "•": "*", "→": "->", "←": "<-"}
)  # fmt: skip


def _degrade(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    shown = []
    for char in error.object[error.start : error.end].translate(_LOOK_ALIKES):
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
        shown.append(plain or "?")
    return "".join(shown), error.end


codecs.register_error("newsterm-degrade", _degrade)


def _degrade_output() -> None:
    for stream, errors in (
        (sys.stdout, "newsterm-degrade"),
        (sys.stderr, "newsterm-degrade"),
        (sys.stdin, "replace"),
    ):
        if hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors=errors)


def _stdout_is_utf8() -> bool:
    try:
        return codecs.lookup(sys.stdout.encoding or "utf-8").name == "utf-8"
    except LookupError:
        return False


def _write_markup(text: str) -> None:
    """OPML and HTML declare UTF-8: elsewhere they go out as ASCII with character
    references, which keeps the document valid and every character in it."""
    if not _stdout_is_utf8():
        text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    sys.stdout.write(text)


def _settings(args: argparse.Namespace) -> Settings:
    path = Path(args.config) if args.config else paths.default_config_path()
    settings = load_settings(path)
    for warning in settings.warnings:
        _print(f"newsterm: note: {path}: {warning}", sys.stderr)
    return settings


@contextmanager
def _open(args: argparse.Namespace) -> Iterator[Any]:
    """The library, open for one command. A read-only one is said once, after the command
    (a change it refused has already said so itself)."""
    from tui.core import Library

    db = Path(args.db) if args.db else paths.default_db_path()
    with Library(db, _settings(args)) as library:
        yield library
        note = library.read_only_note
    if note:
        _print(f"newsterm: note: {note}", sys.stderr)


# SQLite's largest integer: no row has a larger id, and a larger number does not fit in
# a query (OverflowError). 19 digits are checked before int(), which refuses 4,300.
_MAX_ROW_ID = 2**63 - 1


def _whole_number(text: str) -> int | None:
    """``text`` as a whole number, in any script's decimal digits ("²" is no digit to
    int()); None if it is not one, or too long to be any id."""
    text = text.strip()
    if not text.isdecimal() or len(text) > 19 or int(text) > _MAX_ROW_ID:
        return None
    return int(text)


def _story_ids(values: Sequence[str]) -> list[int]:
    ids = []
    for value in values:
        number = _whole_number(value.strip().removeprefix("art-"))
        if number is None:
            raise NewstermError(f"{value!r} is not a story id; `newsterm list` shows ids.")
        ids.append(number)
    return ids


def _feed_ref(value: str) -> str:
    """A feed id or URL as given, once it is clear that digits are an id a feed can have."""
    if value.strip().isdigit() and _whole_number(value) is None:
        raise NewstermError(
            f"No subscribed feed matches {value!r}; `newsterm feeds` lists ids and URLs."
        )
    return value


def _limit(text: str) -> int:
    """``--limit N``: from 1 up; a number past any library's size means all of them."""
    digits = text.strip()
    if not digits.isdecimal():
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 up, not {text!r}")
    number = int(digits) if len(digits) <= 19 else _MAX_ROW_ID
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return min(number, _MAX_ROW_ID)


def _file_name(text: str) -> str:
    """A path argument the system can at least be asked about."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a file name, not an empty string")
    if "\x00" in text:
        raise argparse.ArgumentTypeError("a file name cannot contain a NUL character")
    return text


# -- refresh output ----------------------------------------------------------------------


class _ProgressBar:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, doing: str = "refreshing", things: str = "feeds") -> None:
        self.enabled = sys.stderr.isatty()
        self.doing, self.things = doing, things

    def __call__(self, done: int, total: int, result: object) -> None:
        if not self.enabled:
            return
        width = max(10, min(40, shutil.get_terminal_size().columns - 30))
        filled = width * done // max(total, 1)
        bar = "█" * filled + "░" * (width - filled)
        sys.stderr.write(f"\r{self.doing} {bar} {done}/{total} {self.things}")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _print_report(report: RefreshReport) -> None:
    waiting = [f for f in report.feeds if f.outcome.value == "skipped"]
    _print(
        f"{report.ok} feeds ok, {len(report.failed)} failed"
        + (f", {len(waiting)} skipped" if waiting else "")
        + f", {report.new_stories} new stories in {report.seconds:.1f} s"
    )
    for problem in (*report.problems, *report.notes):  # no feed's doing: a full disk, a
        _print(f"  ! {problem}")  # lost worker
    for failed in report.failed:
        _print(f"  ✗ {failed.title}: {failed.error}")
    for feed in report.feeds:
        for warning in feed.warnings[:1]:
            _print(f"  ! {feed.title}: {warning}")


def _refresh(library: Any, feeds: Sequence[str] | None) -> RefreshReport:
    bar = _ProgressBar()
    try:
        report: RefreshReport = asyncio.run(library.refresh(feeds, progress=bar))
    finally:
        bar.clear()
    return report


# -- commands ----------------------------------------------------------------------------


def _choose_feed(links: Sequence[Any]) -> str | None:
    """Ask on the terminal which of several feeds to add; None when the user cancels."""
    count = len(links)
    while True:
        try:
            answer = input(f"Which one? [1-{count}] ").strip()
        except EOFError:
            answer = ""
        if not answer:
            return None
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= count:
            return str(links[int(answer) - 1].url)
        _print(f"Type a number from 1 to {count}, or nothing to cancel.")


def _discovered_feed(library: Any, url: str) -> str | None:
    """The feed to subscribe to for ``url``: itself if it is a feed, else the one its site
    offers (or the one the user picks). None (after saying why) when there is no choice."""
    links = asyncio.run(library.discover_feeds(url))
    if len(links) == 1:
        if links[0].url != url:
            _print(f"{url} is a web page; its feed is {links[0].label}.")
        return str(links[0].url)
    _print(f"{url} offers {len(links)} feeds:")
    for number, link in enumerate(links, 1):
        _print(f"  {number}. {link.label}")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _print(
            "newsterm: the site has several feeds; run `newsterm add` again with one of the "
            "URLs listed above.",
            sys.stderr,
        )
        return None
    chosen = _choose_feed(links)
    if chosen is None:
        _print("newsterm: cancelled; nothing was added.", sys.stderr)
    return chosen


def cmd_add(args: argparse.Namespace) -> int:
    with _open(args) as library:
        url = args.url
        # A site's address leads to its feed. Not with --no-fetch, which promises no
        # network now, nor for an address already subscribed.
        from tui.core import is_web_url, normalise_feed_url

        if (
            not (args.no_fetch or args.no_discover)
            and is_web_url(url)
            and not library.is_subscribed(url)
        ):
            found = _discovered_feed(library, normalise_feed_url(url))
            if found is None:
                return 1
            url = found
        known = library.is_subscribed(url)
        feed = library.add_feed(url, topic=args.topic, title=args.title)
        if known:
            _print(f"Already subscribed: [{feed.id}] {feed.title} ({feed.url})")
            return 0
        if args.no_fetch:
            _print(f"Added [{feed.id}] {feed.url}; `newsterm refresh` will fetch it.")
            return 0
        report = _refresh(library, [str(feed.id)])
        feed = library.feed(feed.id)
        _print(f"Added [{feed.id}] {feed.title} · topic {feed.topic.name} · {feed.total} stories")
        for failed in report.failed:
            _print(
                f"newsterm: the feed was added but could not be fetched: {failed.error}", sys.stderr
            )
            return 1
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with _open(args) as library:
        feed = library.remove_feed(_feed_ref(args.feed))
        _print(f"Removed [{feed.id}] {feed.title}; its bookmarked stories were kept.")
    return 0


def cmd_feeds(args: argparse.Namespace) -> int:
    from tui.core import feed_record

    with _open(args) as library:
        feeds = library.feeds()
    if args.json:
        _print_json([feed_record(f) for f in feeds])
        return 0
    if not feeds:
        _print("No feeds yet: `newsterm add URL` or `newsterm import FILE`.")
        return 0
    topic = None
    for feed in feeds:
        if feed.topic.name != topic:
            topic = feed.topic.name
            _print(f"{topic}")
        state = feed.status.value
        if feed.next_retry and state in ("error", "waiting"):
            state += f" until {feed.next_retry:%Y-%m-%d %H:%M} UTC"
        _print(f"  [{feed.id:>4}] {feed.title}  ({feed.unread}/{feed.total} unread) {state}")
        _print(f"         {feed.url}")
        if feed.last_error:
            _print(f"         last error: {feed.last_error}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with _open(args) as library:
        report = library.import_subscriptions(Path(args.file))
    for problem in report.refused:
        _print(f"  refused: {problem}", sys.stderr)
    _print(f"{args.file}: {report.summary}. `newsterm refresh` fetches them.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with _open(args) as library:
        text = library.export_opml()
    if args.file and args.file != "-":
        try:
            Path(args.file).write_text(text, encoding="utf-8")
        except OSError as error:
            raise NewstermError(f"Cannot write {args.file}: {error.strerror or error}.") from None
        _print(f"Wrote {args.file}.", sys.stderr)
    else:
        _write_markup(text)
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    with _open(args) as library:
        if not library.feeds():
            _print("No feeds to refresh: `newsterm add URL` or `newsterm import FILE` first.")
            return 0
        report = _refresh(library, [_feed_ref(feed) for feed in args.feed or ()] or None)
        _print_report(report)
        if report.problems:  # the library itself failed (a full disk): cron should hear it
            return 1
        if args.pages:
            _fetch_short_pages(library)
        _daily_backup(library)
    return 0


def _fetch_short_pages(library: Any) -> None:
    """Reader mode ahead of time: the pages of unread stories whose feed text is short."""
    unread = [story.id for story in library.stories(unread=True)]
    wanted = library.wants_page(unread)
    if not wanted:
        _print("No unread story needs its page fetched.")
        return
    bar = _ProgressBar("fetching pages", "stories")
    try:
        outcomes = asyncio.run(library.fetch_pages(wanted, progress=bar))
    finally:
        bar.clear()
    read = sum(1 for o in outcomes if o.ok)
    offline = sum(1 for o in outcomes if o.network_error)
    _print(
        f"{read} pages read in full, {len(outcomes) - read} could not be"
        + (f" ({offline} unreachable: tried again next time)" if offline else "")
        + "."
    )


def _story_line(story: Any, width: int) -> str:
    marks = ("●" if not story.read else " ") + ("★" if story.bookmarked else " ")
    age = relative_age(story.published or story.first_seen)
    tail = f"  {story.feed_title} · {story.topic.name} · {age}"
    head = f"{story.id:>6} {marks} "
    room = max(20, width - len(head) - len(tail))
    title = story.title if len(story.title) <= room else story.title[: room - 1] + "…"
    return f"{head}{title}{tail}"


def cmd_list(args: argparse.Namespace) -> int:
    from tui.core import story_record

    with _open(args) as library:
        if args.sentiment:
            _label_pending(library)
        stories = library.stories(
            topic=args.topic,
            unread=args.unread,
            bookmarked=args.bookmarked,
            sentiment=args.sentiment,
            limit=args.limit,
        )
    if args.json:
        _print_json([story_record(s) for s in stories])
        return 0
    if not stories:
        _print("No stories match.")
    width = shutil.get_terminal_size().columns
    for story in stories:
        _print(_story_line(story, width))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from tui.core import search_record

    with _open(args) as library:
        results = library.search(args.query, limit=args.limit)
    if args.json:
        _print_json([search_record(r) for r in results])
        return 0
    if not results:
        _print(f"Nothing found for {args.query!r}.")
    width = shutil.get_terminal_size().columns
    for result in results:
        _print(_story_line(result.story, width))
        if result.snippet and result.snippet != result.story.title:
            _print(f"{'':9}{result.snippet}")
    return 0


def _label_pending(library: Any) -> None:
    """Sentiment labels are computed once per story; a filter on them needs them all."""
    pending = library.unlabelled()
    if pending and sys.stderr.isatty():
        _print(f"Working out the sentiment of {pending} stories (once)…", sys.stderr)
    if pending:
        library.label_pending()


def cmd_show(args: argparse.Namespace) -> int:
    from tui.core import story_as_text

    (story_id,) = _story_ids([args.story])
    with _open(args) as library:
        library.story(story_id)  # StoryNotFoundError before any fetch
        stored = library.article(story_id)
        if args.full and (stored is None or not stored.ok):
            wanted = [story_id]
        else:
            wanted = [] if args.no_fetch else library.wants_page([story_id])
        if wanted:
            (outcome,) = asyncio.run(library.fetch_pages(wanted, force=args.full))
            if not outcome.ok and not outcome.skipped:
                _print(f"newsterm: the full article could not be read: {outcome.note}", sys.stderr)
        view = library.reader(story_id)
    width = min(100, shutil.get_terminal_size().columns)
    for line in story_as_text(view, width=width):
        _print(line)
    return 0


def _mark(what: str) -> Handler:
    def handler(args: argparse.Namespace) -> int:
        ids = _story_ids(args.stories)
        with _open(args) as library:
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
        _print(f"{changed} of {len(ids)} stories {word}.")
        return 0

    return handler


def cmd_bookmarks(args: argparse.Namespace) -> int:
    from tui.core import bookmarks_markdown, bookmarks_netscape_html, story_record

    with _open(args) as library:
        stories = library.stories(bookmarked=True)
    if args.format == "json":
        _print_json([story_record(s) for s in stories])
    elif args.format == "html":
        _write_markup(strip_controls(bookmarks_netscape_html(stories)))
    else:
        sys.stdout.write(strip_controls(bookmarks_markdown(stories)))
    return 0


# -- backups -----------------------------------------------------------------------------


def _daily_backup(library: Any) -> None:
    """After a refresh, the day's backup if it is due (seconds on a big library, once a
    day; the app makes its own in the background). Only damage is an error here."""
    from tui.core import LibraryDamagedError, LibraryError

    try:
        library.back_up_if_due()
    except LibraryDamagedError:
        raise
    except LibraryError as error:
        _print(f"newsterm: note: {error}", sys.stderr)


def cmd_restore(args: argparse.Namespace) -> int:
    from tui.core import backup_story_count, list_backups, restore_backup

    db = Path(args.db) if args.db else paths.default_db_path()
    backups = list_backups(db)
    if args.list:
        if not backups:
            _print(f"No backups of {db} yet: newsterm makes one a day, after a refresh.")
            return 0
        _print(f"Backups of {db}, newest first:")
        for number, backup in enumerate(backups, 1):
            count = backup_story_count(backup.path)
            stories = "unreadable" if count is None else f"{count} stories"
            _print(
                f"  {number}. {backup.taken:%Y-%m-%d %H:%M} UTC · {stories} · "
                f"{backup.size / 1_000_000:.1f} MB  {backup.path.name}"
            )
        return 0
    chosen = None
    if args.backup:
        wanted = args.backup.strip()
        if wanted.isascii() and wanted.isdigit() and 1 <= int(wanted) <= len(backups):
            chosen = backups[int(wanted) - 1]
        else:
            chosen = next((b for b in backups if b.path.name == Path(wanted).name), None)
        if chosen is None:
            raise NewstermError(
                f"{args.backup!r} is not one of the backups of {db}; "
                "`newsterm restore --list` lists them."
            )
    restored = restore_backup(db, chosen)
    _print(
        f"Restored {db} from its backup of {restored.backup.taken:%Y-%m-%d %H:%M} UTC "
        f"({restored.backup.path.name})."
    )
    if restored.moved_aside is not None:
        _print(f"The file that was there was moved aside, unchanged, to {restored.moved_aside}.")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    """No command: open the terminal UI (imported only now, so commands stay quick)."""
    from tui.ui.app import run_app

    db = Path(args.db) if args.db else paths.default_db_path()
    return run_app(db, _settings(args), demo=args.demo)


def cmd_config(args: argparse.Namespace) -> int:
    path = Path(args.config) if args.config else paths.default_config_path()
    settings = _settings(args)  # validates the file, if any
    _print(f"# config file: {path}{'' if path.exists() else ' (not created yet)'}")
    _print(f"# library:     {Path(args.db) if args.db else paths.default_db_path()}")
    sys.stdout.write(DEFAULT_CONFIG_TOML)
    # [keys] and ui.theme as the app will judge them (the app starts with the defaults for
    # what it refuses); textual is imported for this command only.
    from tui.ui.app import ui_settings_problems

    problems = ui_settings_problems(settings)
    for problem in problems:
        _print(f"newsterm: {problem}", sys.stderr)
    return 1 if problems else 0


# -- parser ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsterm",
        description="A terminal news feed browser: RSS, Atom and JSON Feed, grouped by topic.",
    )
    parser.add_argument("--version", action="version", version=f"newsterm {__version__}")
    parser.add_argument(
        "--db",
        type=_file_name,
        metavar="PATH",
        help="library file (default: newsterm.db in the user data dir)",
        default=None,
    )
    parser.add_argument(
        "--config",
        type=_file_name,
        metavar="PATH",
        help="config file (default: config.toml in the user config dir)",
        default=None,
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the app on a throwaway copy of the bundled demo library",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("add", cmd_add, "subscribe to a feed (or a site's feed) and fetch it")
    p.add_argument("url", help="feed or web site URL (http, https or file)")
    p.add_argument("--topic", help="topic to list it under (default: from the feed)")
    p.add_argument("--title", help="your name for the feed")
    p.add_argument("--no-fetch", action="store_true", help="add as given, without fetching now")
    p.add_argument(
        "--no-discover",
        action="store_true",
        help="subscribe to the URL as given, even if it is a web page and not a feed",
    )

    p = command("remove", cmd_remove, "unsubscribe (bookmarked stories are kept)")
    p.add_argument("feed", help="feed id or URL")

    p = command("feeds", cmd_feeds, "list subscriptions with their state")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("import", cmd_import, "import an OPML or newsboat urls file")
    p.add_argument("file", type=_file_name, help="OPML or urls file")

    p = command("export", cmd_export, "export subscriptions as OPML 2.0")
    p.add_argument(
        "file", nargs="?", type=_file_name, help="output file (default: standard output)"
    )

    p = command("refresh", cmd_refresh, "fetch feeds now")
    p.add_argument("--feed", action="append", metavar="FEED", help="only this feed (repeatable)")
    p.add_argument(
        "--pages",
        action="store_true",
        help="then fetch the web pages of unread stories whose feeds carry only a summary, "
        "for reading offline",
    )

    p = command("list", cmd_list, "list stories, newest first")
    p.add_argument("--topic", help="only this topic (name or slug)")
    p.add_argument("--unread", action="store_true", help="only unread stories")
    p.add_argument("--bookmarked", action="store_true", help="only bookmarked stories")
    p.add_argument(
        "--sentiment",
        choices=("positive", "neutral", "negative"),
        help="only stories of this tone (labelled once, offline)",
    )
    p.add_argument("--limit", type=_limit, default=50, metavar="N", help="at most N (default 50)")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("search", cmd_search, "full-text search (SQLite FTS5 syntax)")
    p.add_argument("query", help='words, "a phrase", title:word, word*, a AND b, a OR b')
    p.add_argument("--limit", type=_limit, default=30, metavar="N", help="at most N (default 30)")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("show", cmd_show, "show a story as readable text, in sections")
    p.add_argument("story", help="story id")
    p.add_argument(
        "--full",
        action="store_true",
        help="read the story's web page in full (fetched once, then kept for offline reading)",
    )
    p.add_argument(
        "--no-fetch", action="store_true", help="never fetch the page; show what is stored"
    )

    for name, help_text in (
        ("read", "mark stories read"),
        ("unread", "mark stories unread"),
        ("bookmark", "bookmark stories"),
        ("unbookmark", "remove bookmarks"),
    ):
        p = command(name, _mark(name), help_text)
        p.add_argument("stories", nargs="+", metavar="STORY", help="story ids")

    p = command("bookmarks", cmd_bookmarks, "export bookmarked stories")
    p.add_argument(
        "--format",
        choices=("md", "json", "html"),
        default="md",
        help="md (default), json, or html (Netscape bookmark file for browsers)",
    )

    command("config", cmd_config, "show the config and library paths and every setting")

    p = command(
        "restore",
        cmd_restore,
        "put back a backup of the library (newsterm keeps one a day, two in all); the "
        "current file is moved aside, never deleted",
    )
    p.add_argument("backup", nargs="?", help="number from --list, or file name (default: newest)")
    p.add_argument("--list", action="store_true", help="list the backups, restore nothing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _degrade_output()  # first: a usage message may need it too
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        handler = cmd_app  # no command: the terminal UI
    elif args.demo:
        parser.error("--demo opens the app on the demo library; use it without a command")
    try:
        return handler(args)
    except NewstermError as error:
        _print(f"newsterm: {error}", sys.stderr)
        return 1
    except KeyboardInterrupt:
        _print("newsterm: interrupted.", sys.stderr)
        return 130
    except BrokenPipeError:  # `newsterm list | head`
        return 0
    except OSError as error:  # a path the system refuses (name too long, …) in a check's stead
        where = f" {error.filename}" if error.filename else ""
        _print(f"newsterm: cannot use{where}: {error.strerror or error}.", sys.stderr)
        return 1
