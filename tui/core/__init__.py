"""The core of newsterm: everything but the screen. The command line and the terminal UI
import only what this module exports; :class:`Library` is the way in.

The core never imports textual, rich, :mod:`tui.ui` or :mod:`tui.cli` (import-linter checks
it, and that nothing outside reaches past this surface). Its packages, from the top:

- :mod:`.library` — the facade: one open library file; every client call starts there.
- :mod:`.refresh`, :mod:`.pages` (reader mode), :mod:`.subscriptions` (OPML, discovery),
  :mod:`.sync` (sync servers' APIs).
- :mod:`.workers` — the process pool and the jobs it runs.
- :mod:`.fetch` (HTTP), :mod:`.parse` (feeds), :mod:`.article` (a body → sections),
  :mod:`.store` (SQLite).
- :mod:`.text` — untrusted text: hygiene, HTML, charsets, URL rules.
- :mod:`.models`, :mod:`.errors`, :mod:`.settings`.

Names are loaded on first use (PEP 562), so ``import tui.core`` costs nothing: the command
line answers ``--version`` without loading the library, and worker processes, which import
their jobs through this package, do not load the facade.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.core.article.view import (
        MetaLine as MetaLine,
        ReaderView as ReaderView,
        dek as dek,
        file_size as file_size,
        source_domain as source_domain,
        story_as_text as story_as_text,
        story_slug as story_slug,
        transcript_view as transcript_view,
    )
    from tui.core.commands import (
        CommandOutcome as CommandOutcome,
        RunningCommand as RunningCommand,
        command_argv as command_argv,
        console_browser_argv as console_browser_argv,
        run_in_terminal as run_in_terminal,
        start_command as start_command,
    )
    from tui.core.configure import (
        save_rule as save_rule,
        save_view as save_view,
    )
    from tui.core.demo import (
        build_demo_library as build_demo_library,
        starter_opml_path as starter_opml_path,
    )
    from tui.core.errors import (
        AccountNotFoundError as AccountNotFoundError,
        CommandError as CommandError,
        ConfigError as ConfigError,
        LibraryDamagedError as LibraryDamagedError,
        LibraryError as LibraryError,
        LibraryFullError as LibraryFullError,
        LibraryReadOnlyError as LibraryReadOnlyError,
        NewstermError as NewstermError,
        SearchQueryError as SearchQueryError,
        SyncError as SyncError,
    )
    from tui.core.export import (
        account_record as account_record,
        bookmarks_markdown as bookmarks_markdown,
        bookmarks_netscape_html as bookmarks_netscape_html,
        feed_record as feed_record,
        search_record as search_record,
        story_record as story_record,
        sync_record as sync_record,
    )
    from tui.core.images.picture import (
        NoPicture as NoPicture,
        Picture as Picture,
    )
    from tui.core.library import (
        Library as Library,
    )
    from tui.core.media.download import (
        DownloadError as DownloadError,
    )
    from tui.core.media.downloads import (
        Downloads as Downloads,
    )
    from tui.core.media.player import (
        playable as playable,
        player_argv as player_argv,
    )
    from tui.core.media.transcripts import (
        preferred_transcript as preferred_transcript,
    )
    from tui.core.models import (
        Account as Account,
        ArticleOutcome as ArticleOutcome,
        Block as Block,
        Enclosure as Enclosure,
        Feed as Feed,
        FeedRefresh as FeedRefresh,
        FeedStatus as FeedStatus,
        FullText as FullText,
        RefreshReport as RefreshReport,
        SearchResult as SearchResult,
        Story as Story,
        StoryIndex as StoryIndex,
        StoryRow as StoryRow,
        SyncReport as SyncReport,
        TopicCount as TopicCount,
        TopicGroup as TopicGroup,
    )
    from tui.core.settings import (
        COLOURS as COLOURS,
        DEFAULT_CONFIG_TOML as DEFAULT_CONFIG_TOML,
        Command as Command,
        Rule as Rule,
        Settings as Settings,
        View as View,
        load_settings as load_settings,
    )
    from tui.core.store.backup import (
        backup_story_count as backup_story_count,
        list_backups as list_backups,
        restore_backup as restore_backup,
    )
    from tui.core.store.downloads import (
        DownloadRecord as DownloadRecord,
        DownloadState as DownloadState,
    )
    from tui.core.store.marks import (
        MarkKind as MarkKind,
        MarkResult as MarkResult,
    )
    from tui.core.store.rules import (
        RulesReport as RulesReport,
    )
    from tui.core.subscriptions.discover import (
        FeedLink as FeedLink,
    )
    from tui.core.text.dates import (
        from_iso as from_iso,
        relative_age as relative_age,
        utcnow as utcnow,
    )
    from tui.core.text.hygiene import (
        clean_line as clean_line,
        strip_controls as strip_controls,
    )
    from tui.core.text.intervals import (
        interval_label as interval_label,
        parse_interval as parse_interval,
    )
    from tui.core.text.urls import (
        is_web_url as is_web_url,
        normalise_feed_url as normalise_feed_url,
        openable_url as openable_url,
    )

# Every public name, and the module it lives in.
_WHERE: dict[str, str] = {
    **dict.fromkeys(
        [
            "MetaLine",
            "ReaderView",
            "dek",
            "file_size",
            "source_domain",
            "story_as_text",
            "story_slug",
            "transcript_view",
        ],
        "tui.core.article.view",
    ),
    **dict.fromkeys(["build_demo_library", "starter_opml_path"], "tui.core.demo"),
    **dict.fromkeys(
        [
            "AccountNotFoundError",
            "CommandError",
            "ConfigError",
            "LibraryDamagedError",
            "LibraryError",
            "LibraryFullError",
            "LibraryReadOnlyError",
            "NewstermError",
            "SearchQueryError",
            "SyncError",
        ],
        "tui.core.errors",
    ),
    **dict.fromkeys(
        [
            "account_record",
            "bookmarks_markdown",
            "bookmarks_netscape_html",
            "feed_record",
            "search_record",
            "story_record",
            "sync_record",
        ],
        "tui.core.export",
    ),
    "Library": "tui.core.library",
    **dict.fromkeys(["NoPicture", "Picture"], "tui.core.images.picture"),
    **dict.fromkeys(["playable", "player_argv"], "tui.core.media.player"),
    "preferred_transcript": "tui.core.media.transcripts",
    "DownloadError": "tui.core.media.download",
    "Downloads": "tui.core.media.downloads",
    **dict.fromkeys(["DownloadRecord", "DownloadState"], "tui.core.store.downloads"),
    **dict.fromkeys(
        [
            "Account",
            "ArticleOutcome",
            "Block",
            "Enclosure",
            "Feed",
            "FeedRefresh",
            "FeedStatus",
            "FullText",
            "RefreshReport",
            "SearchResult",
            "Story",
            "StoryIndex",
            "StoryRow",
            "SyncReport",
            "TopicCount",
            "TopicGroup",
        ],
        "tui.core.models",
    ),
    **dict.fromkeys(
        [
            "CommandOutcome",
            "RunningCommand",
            "command_argv",
            "console_browser_argv",
            "run_in_terminal",
            "start_command",
        ],
        "tui.core.commands",
    ),
    **dict.fromkeys(["save_rule", "save_view"], "tui.core.configure"),
    **dict.fromkeys(
        ["COLOURS", "DEFAULT_CONFIG_TOML", "Command", "Rule", "Settings", "View", "load_settings"],
        "tui.core.settings",
    ),
    "RulesReport": "tui.core.store.rules",
    **dict.fromkeys(
        ["backup_story_count", "list_backups", "restore_backup"], "tui.core.store.backup"
    ),
    **dict.fromkeys(["MarkKind", "MarkResult"], "tui.core.store.marks"),
    "FeedLink": "tui.core.subscriptions.discover",
    **dict.fromkeys(["from_iso", "relative_age", "utcnow"], "tui.core.text.dates"),
    **dict.fromkeys(["clean_line", "strip_controls"], "tui.core.text.hygiene"),
    **dict.fromkeys(["interval_label", "parse_interval"], "tui.core.text.intervals"),
    **dict.fromkeys(["is_web_url", "normalise_feed_url", "openable_url"], "tui.core.text.urls"),
}

__all__ = [
    "COLOURS",
    "DEFAULT_CONFIG_TOML",
    "Account",
    "AccountNotFoundError",
    "ArticleOutcome",
    "Block",
    "Command",
    "CommandError",
    "CommandOutcome",
    "ConfigError",
    "DownloadError",
    "DownloadRecord",
    "DownloadState",
    "Downloads",
    "Enclosure",
    "Feed",
    "FeedLink",
    "FeedRefresh",
    "FeedStatus",
    "FullText",
    "Library",
    "LibraryDamagedError",
    "LibraryError",
    "LibraryFullError",
    "LibraryReadOnlyError",
    "MarkKind",
    "MarkResult",
    "MetaLine",
    "NewstermError",
    "NoPicture",
    "Picture",
    "ReaderView",
    "RefreshReport",
    "Rule",
    "RulesReport",
    "RunningCommand",
    "SearchQueryError",
    "SearchResult",
    "Settings",
    "Story",
    "StoryIndex",
    "StoryRow",
    "SyncError",
    "SyncReport",
    "TopicCount",
    "TopicGroup",
    "View",
    "account_record",
    "backup_story_count",
    "bookmarks_markdown",
    "bookmarks_netscape_html",
    "build_demo_library",
    "clean_line",
    "command_argv",
    "console_browser_argv",
    "dek",
    "feed_record",
    "file_size",
    "from_iso",
    "interval_label",
    "is_web_url",
    "list_backups",
    "load_settings",
    "normalise_feed_url",
    "openable_url",
    "parse_interval",
    "playable",
    "player_argv",
    "preferred_transcript",
    "relative_age",
    "restore_backup",
    "run_in_terminal",
    "save_rule",
    "save_view",
    "search_record",
    "source_domain",
    "start_command",
    "starter_opml_path",
    "story_as_text",
    "story_record",
    "story_slug",
    "strip_controls",
    "sync_record",
    "transcript_view",
    "utcnow",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'tui.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found once, then an ordinary attribute
    return value


def __dir__() -> list[str]:
    return __all__
