"""The argparse parser: every command, its options and help texts, and the command that
runs for each (``args.handler``).

Building it imports each command module but nothing heavy: the library, httpx and textual
are imported inside the commands, so ``--version`` and ``--help`` answer at once.
"""

from __future__ import annotations

import argparse

from tui import __version__
from tui.cli import arguments
from tui.cli.commands import Handler
from tui.cli.commands.app import cmd_config
from tui.cli.commands.feed import cmd_feed
from tui.cli.commands.library import cmd_refresh, cmd_restore
from tui.cli.commands.media import cmd_cache, cmd_download
from tui.cli.commands.rules import cmd_rules
from tui.cli.commands.stories import cmd_bookmarks, cmd_list, cmd_search, cmd_show, mark
from tui.cli.commands.subscriptions import cmd_add, cmd_export, cmd_feeds, cmd_import, cmd_remove
from tui.cli.commands.sync import cmd_account, cmd_sync


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsterm",
        description="A terminal news feed browser: RSS, Atom and JSON Feed, grouped by topic.",
    )
    parser.add_argument("--version", action="version", version=f"newsterm {__version__}")
    parser.add_argument(
        "--db",
        type=arguments.file_name,
        metavar="PATH",
        help="library file (default: newsterm.db in the user data dir)",
        default=None,
    )
    parser.add_argument(
        "--config",
        type=arguments.file_name,
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

    p.add_argument(
        "--account",
        metavar="NAME",
        help="subscribe on this sync account's server too (`newsterm account list`)",
    )

    p = command("remove", cmd_remove, "unsubscribe (bookmarked stories are kept)")
    p.add_argument("feed", help="feed id or URL")

    p = command("feeds", cmd_feeds, "list subscriptions with their state")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("feed", cmd_feed, "show one feed with its settings; with options, change them")
    p.add_argument("feed", help="feed id, URL or title")
    p.add_argument(
        "--every",
        type=arguments.interval,
        default=...,
        metavar="DURATION",
        help="fetch it at most this often: 30m, 6h, 2d, 1w (off: as the feed itself asks)",
    )
    p.add_argument(
        "--full-text",
        choices=("auto", "always", "never"),
        help="read its stories from their web pages: when the feed's text is short "
        "(auto), always, or only when asked (never)",
    )
    pausing = p.add_mutually_exclusive_group()
    pausing.add_argument("--pause", action="store_true", help="stop fetching it")
    pausing.add_argument("--resume", action="store_true", help="fetch it again")
    p.add_argument("--title", help="your name for the feed")
    p.add_argument("--topic", help="the topic to list it under")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("import", cmd_import, "import an OPML or newsboat urls file")
    p.add_argument("file", type=arguments.file_name, help="OPML or urls file")

    p = command("export", cmd_export, "export subscriptions as OPML 2.0")
    p.add_argument(
        "file", nargs="?", type=arguments.file_name, help="output file (default: standard output)"
    )

    p = command("refresh", cmd_refresh, "fetch feeds now")
    p.add_argument("--feed", action="append", metavar="FEED", help="only this feed (repeatable)")
    p.add_argument(
        "--pages",
        action="store_true",
        help="then fetch the web pages of unread stories whose feeds carry only a summary, "
        "for reading offline",
    )

    p = command(
        "account", cmd_account, "sync accounts: Miniflux, FreshRSS and others (add, list, remove)"
    )
    accounts = p.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    p = accounts.add_parser(
        "add",
        help="sign in to a sync server and sync it",
        description="Sign in to a sync server (Google Reader API, Miniflux or Fever) and sync "
        "it. Only a token or key is kept, in a file only you can read.",
    )
    p.add_argument("url", help="the server's address, e.g. https://miniflux.example.org")
    p.add_argument("--user", required=True, metavar="NAME", help="the account's user name")
    p.add_argument(
        "--api",
        choices=("greader", "miniflux", "fever"),
        help="the API to use (default: the first the server speaks, in this order)",
    )
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password (or Miniflux API key) from standard input, not the terminal",
    )
    p = accounts.add_parser("list", help="list the sync accounts")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = accounts.add_parser(
        "remove", help="forget an account (its bookmarked stories stay, as local stories)"
    )
    p.add_argument("name", help="the account's name, as `newsterm account list` shows it")

    p = command("sync", cmd_sync, "sync every account now: push marks, pull what is new")
    p.add_argument("--full", action="store_true", help="reconcile everything, not only changes")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("list", cmd_list, "list stories, newest first")
    p.add_argument(
        "--query",
        metavar="QUERY",
        help="only stories this query matches: words and filters, e.g. "
        "'rust is:unread feed:lwn age:<7d' (see `newsterm search --help`)",
    )
    p.add_argument(
        "--view", metavar="NAME", help="only what this view of the config's [[views]] finds"
    )
    p.add_argument("--topic", help="only this topic (name or slug)")
    p.add_argument("--unread", action="store_true", help="only unread stories")
    p.add_argument("--bookmarked", action="store_true", help="only bookmarked stories")
    p.add_argument(
        "--sentiment",
        choices=("positive", "neutral", "negative"),
        help="only stories of this tone (labelled once, offline)",
    )
    p.add_argument(
        "--limit", type=arguments.limit, default=50, metavar="N", help="at most N (default 50)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("search", cmd_search, "full-text search with filters")
    p.add_argument(
        "query",
        help='words, "a phrase", title:word, word*, a AND b, a OR b, NOT; filters feed:NAME '
        "topic:NAME site:DOMAIN author:NAME is:unread|read|bookmarked|hidden "
        "tone:positive|neutral|negative verified:true|false age:<7d|>1y; -filter negates",
    )
    p.add_argument(
        "--limit", type=arguments.limit, default=30, metavar="N", help="at most N (default 30)"
    )
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
        p = command(name, mark(name), help_text)
        p.add_argument("stories", nargs="+", metavar="STORY", help="story ids")

    p = command(
        "download",
        cmd_download,
        "save the podcast episodes and videos of stories (an interrupted one is resumed)",
    )
    p.add_argument("stories", nargs="+", metavar="STORY", help="story ids")
    p.add_argument(
        "--dir",
        type=arguments.file_name,
        metavar="FOLDER",
        help="save into this folder (default: [media] downloads, else Downloads/newsterm)",
    )

    p = command("cache", cmd_cache, "show how large the pictures' cache is, or empty it")
    actions = p.add_subparsers(dest="cache_command", metavar="ACTION")
    actions.add_parser(
        "clear",
        help="remove every cached picture",
        description="Remove every picture newsterm keeps for reading offline; they are "
        "fetched again when a story shows them.",
    )

    p = command("bookmarks", cmd_bookmarks, "export bookmarked stories")
    p.add_argument(
        "--format",
        choices=("md", "json", "html"),
        default="md",
        help="md (default), json, or html (Netscape bookmark file for browsers)",
    )

    p = command(
        "rules",
        cmd_rules,
        "list the config's [[rules]] with how many stories each matches; test or apply them",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    actions = p.add_subparsers(dest="rules_command", metavar="ACTION")
    p = actions.add_parser(
        "test",
        help="show what a rule's query would match, before it is saved",
        description="Show how many stories a query matches, hidden ones included, and the "
        "newest of them: what a rule with this query would act on.",
    )
    p.add_argument("query", help="a query in the search's language, e.g. 'title:sponsored'")
    p.add_argument(
        "--limit", type=arguments.limit, default=10, metavar="N", help="show at most N (default 10)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    actions.add_parser(
        "apply",
        help="work the rules out over every story now",
        description="Work the config's rules out over every story now. The app does this on "
        "its own when the rules change, and refresh and sync before they store anything.",
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
