"""Views (saved searches) over a real library: their groups above the topics with exact
counts, where a story is found when it is in both, a view that cannot be read; and the
writes to ``config.toml`` that save a view or a rule, which keep the user's file as it
was written apart from the table added or changed."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.listing import ids_of
from tui.core.configure import save_rule, save_view
from tui.core.errors import ConfigError
from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed, StoryIndex, Topic, TopicGroup
from tui.core.settings import DEFAULT_CONFIG_TOML, Rule, View, load_settings

NOW = datetime.now(UTC)

#: title -> (feed, topic, author, age in days, read)
STORIES = {
    "Rust async runtimes compared": ("LWN", "Programming", "ada", 1, False),
    "Kernel scheduler notes": ("LWN", "Programming", "linus", 2, True),
    "Sponsored: a faster VPN": ("Wire", "World", "ads", 3, False),
    "Glacier melt speeds up": ("Hacker News", "Science", "mei", 4, False),
    "Comet seen at dawn": ("Hacker News", "Science", "ada", 6, True),
}
RUST, KERNEL, SPONSORED, GLACIER, COMET = STORIES


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    with Library(db_path) as opened:
        feeds: dict[str, list[ParsedEntry]] = {}
        for title, (feed, _topic, author, days, _read) in STORIES.items():
            link = f"https://stories.test/{len(feeds)}/{title.split()[0].lower()}"
            feeds.setdefault(feed, []).append(
                ParsedEntry(
                    key=link,
                    title=title,
                    link=link,
                    author=author,
                    summary=title.lower(),
                    published=NOW - timedelta(days=days),
                )
            )
        for feed, entries in feeds.items():
            topic = next(t for f, t, *_ in STORIES.values() if f == feed)
            added = opened.add_feed(
                f"https://{feed[:3].lower()}.test/feed", title=feed, topic=topic
            )
            opened.ingest(added.id, ParsedFeed(title=feed, entries=tuple(entries)), now=NOW)
        opened.set_read([_id(opened, t) for t, (*_, read) in STORIES.items() if read])
        yield opened


def _id(library: Library, title: str) -> int:
    (story,) = library.find(f'title:"{title.split()[0]}"', with_hidden=True)
    return story.id


def _groups(
    index: StoryIndex, library: Library, views: list[View], **view_filter: Any
) -> list[tuple[str, bool, int, list[str]]]:
    """(name, a view's?, unread, titles in order) of every group."""
    order = ids_of(library, index, views=views, **view_filter)
    rows = library.rows_for(order)
    return [
        (
            group.topic.name,
            group.view,
            group.unread,
            [rows[i].title for i in order[group.start : group.start + group.count]],
        )
        for group in index.groups
    ]


TOPICS = [
    ("Programming", False, 1, [RUST, KERNEL]),
    ("Science", False, 1, [GLACIER, COMET]),
    ("World", False, 1, [SPONSORED]),
]


@pytest.mark.parametrize(
    ("views", "unread", "expected"),
    [
        ([], False, TOPICS),
        (
            [
                View("Unread science", "topic:science is:unread"),
                View("Ada", "author:ada"),
                View("Nothing", "title:zebra"),
            ],
            False,
            [
                ("Unread science", True, 1, [GLACIER]),
                ("Ada", True, 1, [RUST, COMET]),
                ("Nothing", True, 0, []),
                *TOPICS,
            ],
        ),
        (
            # (ages a day or more from the cut: the dates are kept to the second)
            [View("Read", "is:read"), View("Old", "age:>36h")],
            False,
            [
                ("Read", True, 0, [KERNEL, COMET]),
                ("Old", True, 2, [KERNEL, SPONSORED, GLACIER, COMET]),
                *TOPICS,
            ],
        ),
        # Unread only: the views' groups narrow as the topics do.
        (
            [View("Ada", "author:ada"), View("Read", "is:read")],
            True,
            [
                ("Ada", True, 1, [RUST]),
                ("Read", True, 0, []),
                ("Programming", False, 1, [RUST]),
                ("Science", False, 1, [GLACIER]),
                ("World", False, 1, [SPONSORED]),
            ],
        ),
        # Free words and filters together; the same story in two views.
        (
            [View("Words", "comet OR glacier -is:read"), View("Glacier", "glacier")],
            False,
            [("Words", True, 1, [GLACIER]), ("Glacier", True, 1, [GLACIER]), *TOPICS],
        ),
    ],
)
def test_views_are_groups_above_the_topics_with_exact_counts_and_unread(
    library: Library, views: list[View], unread: bool, expected: list[object]
) -> None:
    index = library.story_index(views=views, unread=unread)

    assert _groups(index, library, views, unread=unread) == expected
    in_views = sum(group.count for group in index.groups if group.view)
    assert index.views_end == in_views
    assert all(group.view for group in index.groups[: len(views)])
    assert [g.start for g in index.groups] == [
        sum(g.count for g in index.groups[:n]) for n in range(len(index.groups))
    ]
    assert len(index) == in_views + len(library.story_index(unread=unread))
    # A view's group is known by a slug no topic can have, the same for every reload.
    assert [g.topic.slug for g in index.groups[: len(views)]] == [
        f"view:{view.name.casefold()}" for view in views
    ]


def test_a_views_counts_follow_the_marks(library: Library) -> None:
    views = [View("Unread science", "topic:science is:unread"), View("Ada", "author:ada")]
    library.set_read([_id(library, GLACIER), _id(library, RUST)])
    library.set_read([_id(library, COMET)], False)

    first, second = library.story_index(views=views).groups[:2]

    assert (first.count, first.unread) == (1, 1)  # Comet now, not Glacier
    assert (second.count, second.unread) == (2, 1)


def test_a_story_in_a_view_and_a_topic_is_found_under_its_topic(library: Library) -> None:
    views = [View("Ada", "author:ada"), View("Glacier", "glacier")]
    index = library.story_index(views=views)
    rust, glacier = _id(library, RUST), _id(library, GLACIER)

    order = ids_of(library, index, views=views)
    assert order.count(rust) == 2
    assert order.index(rust) < index.views_end  # listed in the view first
    # Under its topic, where the library says it is.
    assert library.story_position(rust) == ("programming", 0)
    topic = next(g for g in index.groups if not g.view and g.topic.slug == "programming")
    assert order[topic.start] == rust
    slug, offset = library.story_position(glacier) or ("", -1)
    topic = next(g for g in index.groups if not g.view and g.topic.slug == slug)
    assert order[topic.start + offset] == glacier
    assert library.story_position(987654) is None


def test_a_view_of_hidden_stories_lists_them_and_only_there(library: Library) -> None:
    library.apply_rules([Rule("vpn", "hide")])
    sponsored = _id(library, SPONSORED)
    views = [View("Muted", "is:hidden"), View("Vpn", "vpn")]

    index = library.story_index(views=views)

    muted, vpn = index.groups[:2]
    assert (muted.count, vpn.count) == (1, 0)  # words alone leave hidden stories out
    assert ids_of(library, index, views=views)[: index.views_end] == [sponsored]
    assert library.story_position(sponsored) is None  # under no topic, and no views asked
    # In its view only.
    assert library.story_position(sponsored, views=views) == ("view:muted", 0)
    assert "world" not in {g.topic.slug for g in index.groups}
    # Hidden stories shown (H): the words find it too, and it is under its topic again.
    shown = library.story_index(views=views, with_hidden=True)
    assert [g.count for g in shown.groups[:2]] == [1, 1]
    assert library.story_position(sponsored, with_hidden=True) == ("world", 0)


@pytest.mark.parametrize(
    "query",
    [
        "tone:happy",
        '"unclosed',
        "age:soon",
        "colour:red",
        "AND",
        "title:self-hosted",
    ],
)
def test_a_view_that_cannot_be_read_is_listed_empty_with_the_reason(
    library: Library, query: str
) -> None:
    views = [View("Broken", query), View("Ada", "author:ada")]

    index = library.story_index(views=views)

    broken, ada = index.groups[:2]
    assert broken == TopicGroup(Topic("Broken (query unreadable)", "view:broken"), 0, 0, 0, True)
    assert (ada.topic.name, ada.start, ada.count) == ("Ada", 0, 2)
    assert _groups(index, library, views)[2:] == TOPICS


# -- saving views and rules into config.toml -------------------------------------------------

COMMENTED = """\
# My newsterm config.
# Written by hand; keep it tidy.

[fetch]
per_host = 4   # be polite to small sites

# Saved searches, most used first.
[[views]]
# Rust, but only what I have not read.
name = "Unread Rust"
query = "rust is:unread"

[ui]
theme = "nord"     # dark, quiet


# Two blank lines above, on purpose.
[[rules]]
query = "title:sponsored"   # the ads
action = "hide"
# The end.
"""
WITHOUT_TABLES = """\
# Only settings here.

[ui]
# A theme.
theme = "nord"
"""
TIGHT = '[ui]\ntheme = "nord"\n# no blank line at the end'
CONFIGS = ["commented", "without-tables", "no-last-line-end", "no-file"]


def _config(tmp_path: Path, text: str | None) -> Path:
    path = tmp_path / "config.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text", [COMMENTED, WITHOUT_TABLES, TIGHT, None], ids=CONFIGS)
def test_saving_a_view_keeps_every_comment_and_blank_line_of_the_file(
    tmp_path: Path, text: str | None
) -> None:
    path = _config(tmp_path, text)
    original = DEFAULT_CONFIG_TOML if text is None else text

    assert save_view(path, "Bad news", "tone:negative -is:read") is True

    after = path.read_text(encoding="utf-8")
    table = '[[views]]\nname = "Bad news"\nquery = "tone:negative -is:read"\n'
    assert_only_added(after, table, original)
    settings = load_settings(path)
    assert settings.views[-1] == View("Bad news", "tone:negative -is:read")
    if text == COMMENTED:
        assert settings.views[0] == View("Unread Rust", "rust is:unread")
        assert settings.fetch.per_host == 4 and settings.ui.theme == "nord"


@pytest.mark.parametrize("text", [COMMENTED, WITHOUT_TABLES, TIGHT, None], ids=CONFIGS)
@pytest.mark.parametrize(
    ("rule", "table"),
    [
        (Rule("feed:wire", "hide"), '[[rules]]\nquery = "feed:wire"\naction = "hide"\n'),
        (
            Rule("author:ada", "highlight", "green"),
            '[[rules]]\nquery = "author:ada"\naction = "highlight"\ncolour = "green"\n',
        ),
        (
            Rule('title:"release notes"', "topic", "Releases"),
            '[[rules]]\nquery = "title:\\"release notes\\""\naction = "topic"\n'
            'topic = "Releases"\n',
        ),
    ],
)
def test_saving_a_rule_keeps_the_file_and_adds_the_rule_last(
    tmp_path: Path, text: str | None, rule: Rule, table: str
) -> None:
    path = _config(tmp_path, text)
    original = DEFAULT_CONFIG_TOML if text is None else text

    save_rule(path, rule)

    after = path.read_text(encoding="utf-8")
    assert_only_added(after, table, original)
    rules = load_settings(path).rules
    assert rules[-1] == rule  # after the user's own: theirs win a colour or a topic
    assert len(rules) == (2 if text == COMMENTED else 1)


def assert_only_added(after: str, table: str, original: str) -> None:
    """``after`` is ``original`` with ``table`` added once, after a blank line, and
    nothing else changed: every comment and blank line is where it was. The save may put
    line ends just before the table (a blank line, and the end of a last line that had
    none), nothing more."""
    assert after.count(table) == 1, after
    start = after.index(table)
    above, below = after[:start], after[start + len(table) :]
    assert above.endswith("\n\n"), above[-80:]
    added = min(len(above) - len(above.rstrip("\n")), 2)
    assert original in [above[: len(above) - n] + below for n in range(added + 1)], after


def test_saving_a_view_of_a_name_it_has_changes_only_that_views_query(tmp_path: Path) -> None:
    path = _config(tmp_path, COMMENTED)
    save_view(path, "Bad news", "tone:negative")
    before = path.read_text(encoding="utf-8").splitlines()

    for name in ("bad NEWS", " Bad news ", "Unread rust"):
        assert save_view(path, name, f"{name.strip().lower()} is:bookmarked") is False

    after = path.read_text(encoding="utf-8").splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed == [
        ('query = "rust is:unread"', 'query = "unread rust is:bookmarked"'),
        ('query = "tone:negative"', 'query = "bad news is:bookmarked"'),
    ]
    assert load_settings(path).views == (
        View("Unread Rust", "unread rust is:bookmarked"),
        View("Bad news", "bad news is:bookmarked"),
    )


def test_a_hostile_name_or_query_stays_one_views_text(tmp_path: Path) -> None:
    path = _config(tmp_path, COMMENTED)
    name = 'Evil" ]]\n[[rules]]\nquery = "x'
    query = "x\"\naction = 'hide'\n[[rules]]\nquery = \"y"

    save_view(path, name, query)

    settings = load_settings(path)
    assert [rule.query for rule in settings.rules] == ["title:sponsored"]
    assert len(settings.views) == 2
    assert settings.views[1].name.startswith('Evil" ]]')
    assert settings.views[1].query.startswith('x"')


Save = Callable[[Path], object]


@pytest.mark.parametrize(
    ("text", "save", "says"),
    [
        (COMMENTED, lambda path: save_view(path, "Empty", "   "), "needs a query"),
        (COMMENTED, lambda path: save_view(path, "  ", "is:unread"), "needs a name"),
        (COMMENTED, lambda path: save_rule(path, Rule("x", "explode")), "needs an action"),
        (
            COMMENTED,
            lambda path: save_rule(path, Rule("x", "highlight", "ultraviolet")),
            "colour",
        ),
        (COMMENTED, lambda path: save_rule(path, Rule("x", "topic", " ")), "topic"),
        (COMMENTED, lambda path: save_rule(path, Rule("", "hide")), "needs a query"),
        # A file newsterm would refuse already is not made worse, or "fixed", by a save.
        ("[fetch]\nper_host = 0\n", lambda path: save_view(path, "A", "b"), "fetch.per_host"),
        ('views = "x"\n', lambda path: save_view(path, "A", "b"), "fix it by hand"),
        (
            'views = [{name = "a", query = "b"}]\n',
            lambda path: save_view(path, "A", "c"),
            "fix it by hand",
        ),
        ("[[rules]\nnot toml", lambda path: save_rule(path, Rule("a", "hide")), "not valid"),
        ("[views]\nname = 'a'\n", lambda path: save_view(path, "A", "b"), "fix it by hand"),
    ],
)
def test_a_save_that_would_make_the_config_invalid_leaves_the_file_byte_identical(
    tmp_path: Path, text: str, save: Save, says: str
) -> None:
    path = _config(tmp_path, text)
    before = path.read_bytes()

    with pytest.raises(ConfigError) as refused:
        save(path)

    assert says in str(refused.value)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary left


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644])
def test_a_save_keeps_the_files_mode(tmp_path: Path, mode: int) -> None:
    path = _config(tmp_path, COMMENTED)
    path.chmod(mode)

    save_view(path, "Later", "is:bookmarked")
    save_rule(path, Rule("vpn", "hide"))

    assert path.stat().st_mode & 0o777 == mode


def test_a_new_config_is_the_commented_defaults_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "newsterm" / "config.toml"

    save_view(path, "Later", "is:bookmarked")

    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text(encoding="utf-8").startswith(DEFAULT_CONFIG_TOML)
    assert load_settings(path).views == (View("Later", "is:bookmarked"),)


def test_a_linked_config_stays_a_link_to_the_file_that_gets_the_view(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles" / "newsterm.toml"
    dotfiles.parent.mkdir()
    dotfiles.write_text(WITHOUT_TABLES, encoding="utf-8")
    link = tmp_path / "config.toml"
    link.symlink_to(os.path.relpath(dotfiles, link.parent))

    save_view(link, "Later", "is:bookmarked")

    assert link.is_symlink()
    assert load_settings(dotfiles).views == (View("Later", "is:bookmarked"),)
    assert re.fullmatch(r"newsterm\.toml", " ".join(p.name for p in dotfiles.parent.iterdir()))
