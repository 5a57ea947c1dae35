"""``newsterm rules``, ``rules test``, ``rules apply``, ``refresh`` applying changed rules
first, and ``list --view``: the real program, with ``--db`` and ``--config`` in
``tmp_path``, on a library built through the facade."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.feeds import Item, rss
from tests.support.feedserver import FeedServer, feed_reply
from tui.core.configure import save_view
from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed

NEWSTERM = Path(sys.executable).parent / "newsterm"
NOW = datetime.now(UTC)

#: title -> (feed, topic, author, age in days)
STORIES = {
    "Rust async runtimes compared": ("LWN", "Programming", "ada", 1),
    "Kernel scheduler notes": ("LWN", "Programming", "linus", 2),
    "Sponsored: a faster VPN": ("Wire", "World", "ads", 3),
    "Glacier melt speeds up": ("Hacker News", "Science", "mei", 4),
    "Comet seen at dawn": ("Hacker News", "Science", "ada", 6),
}
RUST, KERNEL, SPONSORED, GLACIER, COMET = STORIES

RULES = """\
# Mute the ads.
[[rules]]
query = "vpn"
action = "hide"

[[rules]]
query = "author:ada"   # her posts stand out
action = "highlight"
colour = "green"

[[rules]]
query = "title:comet"
topic = "Sky"

[[rules]]
query = "feed:lwn"
action = "read"
"""
APPLIED = re.compile(
    r"^Applied (\d+) rules?: (\d+) stor(?:y|ies) hidden, (\d+) marked read, (\d+) bookmarked,"
    r" in \d+\.\d s\.$"
)
PENDING = "The library does not hold these rules yet"


class Newsterm:
    """The real program on one library, with the config written by the test."""

    def __init__(self, tmp_path: Path) -> None:
        self.db = tmp_path / "library.db"
        self.config = tmp_path / "config.toml"

    def __call__(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(NEWSTERM), "--db", str(self.db), "--config", str(self.config), *argv],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=120,  # only to catch a hang
            check=False,
            encoding="utf-8",
        )

    def ok(self, *argv: str) -> subprocess.CompletedProcess[str]:
        done = self(*argv)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        return done

    def json(self, *argv: str) -> Any:
        return json.loads(self.ok(*argv, "--json").stdout)

    def titles(self, *argv: str) -> list[str]:
        return [story["title"] for story in self.json("list", *argv)]


def sentence(done: subprocess.CompletedProcess[str]) -> str:
    """The one ``newsterm: …`` line a refusal prints, exit 1, nothing on stdout."""
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("newsterm: "), done.stderr
    assert done.stdout == ""
    return lines[0]


@pytest.fixture
def newsterm(tmp_path: Path) -> Newsterm:
    """Five stories in three feeds, stored before any rule; the config holds :data:`RULES`."""
    run = Newsterm(tmp_path)
    with Library(run.db) as library:
        for feed in ("LWN", "Wire", "Hacker News"):
            entries = []
            topic = ""
            for title, (of, topic_name, author, days) in STORIES.items():
                if of != feed:
                    continue
                topic = topic_name
                link = f"https://stories.test/{title.split()[0].lower().rstrip(':')}"
                entries.append(
                    ParsedEntry(
                        key=link,
                        title=title,
                        link=link,
                        author=author,
                        summary=title.lower(),
                        published=NOW - timedelta(days=days),
                    )
                )
            added = library.add_feed(
                f"https://{feed[:3].lower()}.test/feed", title=feed, topic=topic
            )
            library.ingest(added.id, ParsedFeed(title=feed, entries=tuple(entries)), now=NOW)
    run.config.write_text(RULES, encoding="utf-8")
    return run


# -- rules ---------------------------------------------------------------------------------


def test_rules_lists_each_rule_with_its_matches_and_says_when_they_wait(
    newsterm: Newsterm,
) -> None:
    expected = [
        "  1  hide             vpn  (1 story)",
        "  2  highlight green  author:ada  (2 stories)",
        "  3  file under Sky   title:comet  (1 story)",
        "  4  mark read        feed:lwn  (2 stories)",
    ]
    waiting = newsterm.ok("rules")
    assert waiting.stdout.splitlines() == expected
    assert PENDING in waiting.stderr

    newsterm.ok("rules", "apply")

    applied = newsterm.ok("rules")
    assert applied.stdout.splitlines() == expected  # the hidden story still counted
    assert applied.stderr == ""


def test_rules_json_has_each_rules_fields_and_matches(newsterm: Newsterm) -> None:
    assert newsterm.json("rules") == [
        {"number": 1, "query": "vpn", "action": "hide", "matches": 1},
        {
            "number": 2,
            "query": "author:ada",
            "action": "highlight",
            "colour": "green",
            "matches": 2,
        },
        {"number": 3, "query": "title:comet", "action": "topic", "topic": "Sky", "matches": 1},
        {"number": 4, "query": "feed:lwn", "action": "read", "matches": 2},
    ]


def test_rules_without_any_says_how_to_write_one(newsterm: Newsterm) -> None:
    newsterm.config.write_text("# nothing yet\n", encoding="utf-8")
    none = newsterm.ok("rules")
    assert "[[rules]]" in none.stdout and none.stderr == ""
    assert newsterm.json("rules") == []


def test_rules_all_taken_out_say_what_they_hid_stays_hidden_until_applied(
    newsterm: Newsterm,
) -> None:
    newsterm.ok("rules", "apply")
    newsterm.config.write_text("# no more rules\n", encoding="utf-8")

    waiting = newsterm.ok("rules")

    assert "No rules yet" in waiting.stdout
    assert "still holds the rules taken out" in waiting.stderr
    assert SPONSORED not in newsterm.titles()
    newsterm.ok("rules", "apply")
    assert SPONSORED in newsterm.titles()
    assert newsterm.ok("rules").stderr == ""


# -- rules test ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "first", "titles"),
    [
        (["vpn"], "'vpn' matches 1 story:", [SPONSORED]),
        (["author:ada"], "'author:ada' matches 2 stories:", [RUST, COMET]),
        (["age:<1y", "--limit", "2"], "'age:<1y' matches 5 stories; the newest 2:", [RUST, KERNEL]),
        (["zebra"], "'zebra' matches 0 stories.", []),
        (["is:hidden"], "'is:hidden' matches 1 story:", [SPONSORED]),
    ],
)
def test_rules_test_counts_what_a_rule_would_match_hidden_stories_included(
    newsterm: Newsterm, argv: list[str], first: str, titles: list[str]
) -> None:
    newsterm.ok("rules", "apply")  # the VPN story is hidden from here on

    lines = newsterm.ok("rules", "test", *argv).stdout.splitlines()

    assert lines[0] == first
    assert len(lines) == 1 + len(titles)
    for line, title in zip(lines[1:], titles, strict=True):
        assert title in line


def test_rules_test_json_has_the_count_and_the_stories(newsterm: Newsterm) -> None:
    newsterm.ok("rules", "apply")

    found = newsterm.json("rules", "test", "author:ada", "--limit", "1")

    assert (found["query"], found["matches"]) == ("author:ada", 2)
    assert [story["title"] for story in found["stories"]] == [RUST]
    hidden = newsterm.json("rules", "test", "vpn")
    assert hidden["matches"] == 1 and hidden["stories"][0]["title"] == SPONSORED
    assert newsterm.titles("--query", "vpn") == []  # where a search leaves it out


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("tone:happy", "tone: takes positive, neutral or negative"),
        ('"unclosed', "close every double quote"),
        ("AND", "Cannot understand the search 'AND'"),
        ("title:self-hosted", "Cannot understand the search"),
    ],
)
def test_rules_test_of_a_query_that_cannot_be_read_is_the_searchs_sentence(
    newsterm: Newsterm, query: str, says: str
) -> None:
    line = sentence(newsterm("rules", "test", query))
    assert says in line
    assert "Rule 1" not in line  # a query being tried is not a rule yet


# -- rules apply, and refresh applying them first -------------------------------------------


def test_rules_apply_says_what_it_did_and_the_lists_follow(newsterm: Newsterm) -> None:
    first = APPLIED.match(newsterm.ok("rules", "apply").stdout.strip())
    assert first is not None
    assert first.groups() == ("4", "1", "2", "0")

    stories = {story["title"]: story for story in newsterm.json("list")}
    assert set(stories) == set(STORIES) - {SPONSORED}
    assert {t for t, s in stories.items() if s["read"]} == {RUST, KERNEL}
    assert stories[COMET]["topic"] == "Sky"
    assert newsterm.titles("--topic", "sky") == [COMET]

    again = APPLIED.match(newsterm.ok("rules", "apply").stdout.strip())
    assert again is not None
    assert again.groups() == ("4", "1", "0", "0")  # the marks are made once


def _item(title: str, hours: int) -> Item:
    slug = title.lower().replace(" ", "-").replace(":", "")
    return Item(
        title=title,
        guid=f"urn:cli-rules:{slug}",
        link=f"https://news.test/{slug}",
        description=f"<p>{title}.</p>",
        published=NOW - timedelta(hours=hours),
    )


def test_refresh_applies_changed_rules_before_it_stores_anything(
    server: FeedServer, tmp_path: Path
) -> None:
    newsterm = Newsterm(tmp_path)
    newsterm.config.write_text("# no rules yet\n", encoding="utf-8")
    documents = [rss([_item("Sponsored: a deal", 1), _item("News one", 2)], title="Daily")]
    server.route("/feed", lambda _request: feed_reply(documents[-1]))
    newsterm.ok("add", "--no-fetch", server.url("/feed"))
    plain = newsterm.ok("refresh", "--feed", server.url("/feed"))
    assert not any(line.startswith("Applied") for line in plain.stdout.splitlines())
    assert set(newsterm.titles()) == {"Sponsored: a deal", "News one"}

    newsterm.config.write_text(
        '[[rules]]\nquery = "title:sponsored"\naction = "hide"\n\n'
        '[[rules]]\nquery = "title:news"\naction = "read"\n',
        encoding="utf-8",
    )
    documents.append(
        rss(
            [
                _item("Sponsored: another", 0),
                _item("News two", 0),
                _item("Sponsored: a deal", 1),
                _item("News one", 2),
            ],
            title="Daily",
        )
    )

    refreshed = newsterm.ok("refresh", "--feed", server.url("/feed")).stdout.splitlines()

    applied = APPLIED.match(refreshed[0])
    assert applied is not None, refreshed
    assert applied.groups() == ("2", "1", "1", "0")  # the stories stored before
    assert re.match(r"^1 feeds ok, 0 failed, 2 new stories in ", refreshed[1]), refreshed
    stories = newsterm.json("list")
    assert {(s["title"], s["read"]) for s in stories} == {("News one", True), ("News two", True)}
    assert newsterm.json("rules", "test", "title:sponsored")["matches"] == 2
    assert newsterm.ok("rules").stderr == ""  # nothing left waiting
    again = newsterm.ok("refresh", "--feed", server.url("/feed")).stdout
    assert not any(line.startswith("Applied") for line in again.splitlines())


# -- list --view ---------------------------------------------------------------------------


def test_list_view_lists_a_view_saved_into_the_config(newsterm: Newsterm) -> None:
    newsterm.ok("rules", "apply")
    assert save_view(newsterm.config, "Ada", "author:ada") is True
    assert save_view(newsterm.config, "Muted", "is:hidden") is True

    assert newsterm.titles("--view", "ada") == [RUST, COMET]
    assert newsterm.titles("--view", "MUTED") == [SPONSORED]
    assert newsterm.titles("--view", "Ada", "--unread") == [COMET]
    assert save_view(newsterm.config, "ada", "author:ada -is:read") is False
    assert newsterm.titles("--view", "Ada") == [COMET]
    # The rules written by hand are still there, comments and all.
    assert newsterm.config.read_text(encoding="utf-8").startswith(RULES)
    assert len(newsterm.json("rules")) == 4


# -- configs that cannot be used -----------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "says"),
    [
        pytest.param(
            '[[rules]]\nquery = "vpn"\naction = "explode"\n',
            "Rule 1 in {config} needs an action: hide, read, bookmark, highlight, topic; "
            'got "explode".',
            id="unknown-action",
        ),
        pytest.param(
            '[[rules]]\naction = "hide"\n',
            "Rule 1 in {config} needs a query in quotes",
            id="no-query",
        ),
        pytest.param(
            '[[rules]]\nquery = "vpn"\naction = "highlight"\ncolour = "ultraviolet"\n',
            "Rule 1 in {config} highlights in a colour",
            id="unknown-colour",
        ),
        pytest.param(
            '[[rules]]\nquery = "vpn"\naction = "topic"\n',
            "Rule 1 in {config} files stories",
            id="topic-without-a-topic",
        ),
        pytest.param(
            'rules = "hide the ads"\n',
            "rules in {config} are [[rules]] tables",
            id="not-tables",
        ),
    ],
)
def test_a_rule_the_config_cannot_hold_is_one_sentence_like_any_config_error(
    newsterm: Newsterm, table: str, says: str
) -> None:
    newsterm.config.write_text("[fetch]\nper_host = 0\n", encoding="utf-8")
    other = newsterm("rules")
    sentence(other)
    newsterm.config.write_text(f"# mine\n{table}", encoding="utf-8")

    for command in (["rules"], ["list"], ["refresh"]):
        refused = newsterm(*command)
        assert says.format(config=newsterm.config) in sentence(refused), command
        assert refused.returncode == other.returncode


@pytest.mark.parametrize("bad", ["AND", "tone:happy", "title:self-hosted"])
def test_a_rule_whose_query_cannot_be_read_is_named_and_nothing_changes(
    newsterm: Newsterm, bad: str
) -> None:
    newsterm.config.write_text(
        f'[[rules]]\nquery = "vpn"\naction = "hide"\n\n[[rules]]\nquery = {json.dumps(bad)}\n'
        'action = "read"\n',
        encoding="utf-8",
    )
    before = newsterm.json("list")

    for command in (["rules"], ["rules", "--json"], ["rules", "apply"], ["refresh"]):
        line = sentence(newsterm(*command))
        assert line.startswith(f"newsterm: Rule 2 ({bad!r})"), line

    assert newsterm.json("list") == before  # the VPN story not hidden, nothing read


def test_config_names_the_views_rules_and_commands_the_file_holds(newsterm: Newsterm) -> None:
    save_view(newsterm.config, "Ada's", "author:ada")
    with newsterm.config.open("a", encoding="utf-8") as file:
        file.write('\n[[commands]]\nname = "Read later"\nkey = "W"\nrun = ["save", "{link}"]\n')
    rules = len(re.findall(r"^\[\[rules\]\]", RULES, re.M))
    last = newsterm.ok("config").stdout.strip().splitlines()[-1]
    assert last == (
        f"# In {newsterm.config}: 1 view (Ada's); {rules} rules (`newsterm rules` lists "
        "them); 1 command (Read later on W)."
    )
