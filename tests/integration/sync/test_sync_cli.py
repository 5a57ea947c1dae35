"""The command line of sync against a real Miniflux: ``account add|list|remove``, ``sync``,
``add --account``, and the whole first day of a user who syncs, as the real program.

Commands run in-process (the command-line suite's ``newsterm`` fixture) with the password on
standard input, except the first day, which runs ``newsterm`` itself. No password or key may
appear in anything they print, nor in the library file.
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.cli.test_commands import NEWSTERM, Result, newsterm  # noqa: F401
from tests.integration.sync.conftest import WideAccount
from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, feed_reply
from tests.support.miniflux import ADMIN, ADMIN_PASSWORD, Miniflux
from tui.core.library import Library
from tui.core.sync.credentials import FILE_NAME

APIS = ["greader", "miniflux", "fever"]
API_NAMES = {"greader": "Google Reader API", "miniflux": "Miniflux", "fever": "Fever API"}
SUMMARY = re.compile(
    r"^(?P<name>\S+): (?P<new>\d+) new stories, (?P<pulled>\d+) marks pulled, "
    r"(?P<pushed>\d+) pushed, (?P<queued>\d+) queued, \d+\.\d s$"
)


class Cli:
    """``cli("account", "add", URL, ..., stdin="password\\n")``: exit code and output; what
    every command printed is kept in ``printed``."""

    def __init__(self, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
        self._run = run
        self._monkeypatch = monkeypatch
        self.printed: list[str] = []

    def __call__(self, *argv: str, stdin: str = "") -> Result:
        self._monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        result = self._run(*argv)
        self.printed += [result.out, result.err]
        return result


@pytest.fixture
def cli(newsterm: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> Cli:  # noqa: F811
    return Cli(newsterm, monkeypatch)


def add_account(cli: Cli, url: str, secret: str, *options: str) -> Result:
    """``newsterm account add URL --user admin OPTIONS --password-stdin``."""
    return cli(
        "account", "add", url, "--user", ADMIN, *options, "--password-stdin", stdin=secret + "\n"
    )


def account_name(url: str) -> str:
    return f"{ADMIN}@{url.removeprefix('http://')}"


def one_error(result: Result, *secrets: str) -> str:
    """The one ``newsterm: …`` sentence of a failed command, after checking that is all."""
    assert result.code == 1, result
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("newsterm: ") and lines[0].endswith((".", "?")), lines[0]
    for secret in (ADMIN_PASSWORD, *secrets):
        assert secret not in result.out + result.err
    return lines[0]


def library_bytes(db: Path) -> bytes:
    """The library file and its journal, as they are on disk."""
    return b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))


# -- account add, list, sync ---------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
def test_account_add_says_what_it_found_and_syncs_and_nothing_shows_the_password(
    cli: Cli, wide: WideAccount, tmp_path: Path, api: str
) -> None:
    secret = wide.secret(api)
    name = account_name(wide.server.url)

    added = add_account(cli, wide.server.url, secret, "--api", api)
    assert added.code == 0, added
    unread = len(wide.entries())
    assert added.lines[0] == (
        f"{API_NAMES[api]} at {wide.server.url}: 20 feeds in 3 folders, {unread} unread."
    )
    assert added.lines[1] == f"Added the account {name}; syncing it now."
    summary = SUMMARY.match(added.lines[2])
    assert summary is not None, added.lines
    assert summary["name"] == name and int(summary["queued"]) == 0
    listed = cli("list", "--json", "--limit", "1000")
    assert int(summary["new"]) == len(listed.json()) > 0

    feeds = cli("feeds", "--json").json()
    assert len(feeds) == 20 and {f["account"] for f in feeds} == {name}

    plain = cli("account", "list")
    assert plain.lines[0].startswith(f"{name}  {api} at {wide.server.url} · 20 feeds")
    record = cli("account", "list", "--json")
    (account,) = record.json()
    assert account["name"] == name and account["api"] == api and account["user"] == ADMIN
    assert account["feeds"] == 20 and account["queued"] == 0 and account["last_error"] is None
    assert "secret" not in account and "password" not in account

    story = listed.json()[0]
    marked = cli("bookmark", str(story["id"]))
    assert marked.code == 0
    synced = cli("sync")
    assert synced.code == 0, synced
    again = SUMMARY.match(synced.out.strip())
    assert again is not None, synced.out
    assert (again["new"], again["pushed"], again["queued"]) == ("0", "1", "0")
    as_json = cli("sync", "--json")
    (report,) = as_json.json()
    assert report["account"] == name and report["ok"] is True and report["error"] is None
    assert report["new"] == 0 and report["queued"] == 0
    full = cli("sync", "--full")
    assert full.code == 0, full
    again = SUMMARY.match(full.out.strip())
    assert again is not None and (again["new"], again["queued"]) == ("0", "0"), full.out

    for text in cli.printed:
        assert ADMIN_PASSWORD not in text and secret not in text
    secret_file = tmp_path / FILE_NAME
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    kept = json.loads(secret_file.read_text())["accounts"][0]["secret"]
    if api != "miniflux":  # a token or a key, never the password
        assert ADMIN_PASSWORD not in secret_file.read_text()
    on_disk = library_bytes(tmp_path / "library.db")
    assert ADMIN_PASSWORD.encode() not in on_disk and kept.encode() not in on_disk
    assert secret.encode() not in on_disk


@pytest.mark.parametrize("api", APIS)
def test_account_add_with_a_bad_password_exits_1_with_one_sentence(
    cli: Cli, miniflux: Miniflux, api: str
) -> None:
    wrong = "not-the-password-3318"
    result = add_account(cli, miniflux.url, wrong, "--api", api)
    assert "refused" in one_error(result, wrong)
    assert cli("account", "list", "--json").json() == []


def test_account_add_of_an_unreachable_server_exits_1_with_one_sentence(cli: Cli) -> None:
    with FeedServer() as gone:
        address = gone.base
    result = add_account(cli, address, ADMIN_PASSWORD)
    assert "Could not reach" in one_error(result)
    assert cli("account", "list", "--json").json() == []


@pytest.mark.parametrize("api", [None, *APIS])
def test_account_add_of_a_server_that_is_not_a_sync_server_exits_1(
    cli: Cli, server: FeedServer, tmp_path: Path, api: str | None
) -> None:
    server.route("/", feed_reply(b"<html><body>My blog</body></html>", "text/html"))
    chosen = ["--api", api] if api else []
    result = add_account(cli, server.url("/"), ADMIN_PASSWORD, *chosen)
    said = one_error(result)
    if api is None:
        assert "does not speak the Google Reader, Miniflux or Fever API" in said
    assert cli("account", "list", "--json").json() == []
    assert not (tmp_path / FILE_NAME).exists()


# -- feeds of an account -------------------------------------------------------------------


def test_add_with_an_account_subscribes_on_the_server_and_remove_unsubscribes(
    cli: Cli, wide: WideAccount
) -> None:
    name = account_name(wide.server.url)
    added = add_account(cli, wide.server.url, ADMIN_PASSWORD)
    assert added.code == 0, added
    url = wide.feeds.url("/cli-extra.xml")
    wide.feeds.route("/cli-extra.xml", feed_reply(rss(items(2, prefix="Cliextra"), title="X")))

    subscribed = cli("add", url, "--account", name, "--topic", "World")
    assert subscribed.code == 0, subscribed
    assert subscribed.lines[0].endswith(f"{url} to the account {name}.")
    assert SUMMARY.match(subscribed.lines[1]) is not None, subscribed.lines
    with wide.rest() as rest:
        served = {f["feed_url"]: f for f in rest.get("/feeds").json()}
    assert served[url]["category"]["title"] == "World"
    (extra,) = [f for f in cli("feeds", "--json").json() if f["url"] == url]
    assert extra["account"] == name

    removed = cli("remove", url)
    assert removed.code == 0 and f"The account {name} unsubscribes" in removed.out
    assert cli("sync").code == 0
    with wide.rest() as rest:
        assert url not in {f["feed_url"] for f in rest.get("/feeds").json()}


def test_account_remove_keeps_bookmarked_stories_as_local_stories(
    cli: Cli, wide: WideAccount
) -> None:
    name = account_name(wide.server.url)
    assert add_account(cli, wide.server.url, ADMIN_PASSWORD).code == 0
    stories = cli("list", "--json", "--limit", "1000").json()
    kept = sorted(s["title"] for s in stories[:2])
    assert cli("bookmark", str(stories[0]["id"]), str(stories[1]["id"])).code == 0

    removed = cli("account", "remove", name)

    assert removed.code == 0, removed
    assert removed.out.strip() == (
        f"Removed the account {name} and its feeds; 2 bookmarked stories were kept as local "
        "stories."
    )
    assert cli("account", "list", "--json").json() == []
    assert cli("feeds", "--json").json() == []
    bookmarks = cli("bookmarks", "--format", "json").json()
    assert sorted(b["title"] for b in bookmarks) == kept
    assert cli("sync").out.startswith("No sync accounts")
    assert wide.marks()[kept[0]] == (False, False)  # gone before a sync: nothing was pushed


def test_refresh_syncs_the_accounts_too(cli: Cli, wide: WideAccount) -> None:
    assert add_account(cli, wide.server.url, wide.secret("miniflux"), "--api", "miniflux").code == 0
    title = wide.add_item("feed03")

    refreshed = cli("refresh")

    assert refreshed.code == 0, refreshed
    summary = [m for line in refreshed.lines if (m := SUMMARY.match(line))]
    assert len(summary) == 1 and summary[0]["new"] == "1", refreshed.out
    assert title in {s["title"] for s in cli("list", "--json", "--limit", "1000").json()}


# -- the first day of a user who syncs, as the real program -------------------------------


def _program(tmp_path: Path, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(NEWSTERM), "--db", str(tmp_path / "library.db"),
            "--config", str(tmp_path / "no-config.toml"), *argv,
        ],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,  # only to catch a hang
        check=False,
        env={**os.environ, "COLUMNS": "100"},
    )  # fmt: skip


def test_a_first_day_of_sync_keeps_every_mark_made_here_and_there(
    cli: Cli, tmp_path: Path, wide: WideAccount
) -> None:
    url = wide.server.url
    added = _program(
        tmp_path, "account", "add", url, "--user", ADMIN, "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(f"Google Reader API at {url}: 20 feeds in 3 folders,")
    assert ADMIN_PASSWORD not in added.stdout + added.stderr

    # Marks as the app makes them, with the server up, then with it down.
    with Library(tmp_path / "library.db") as library:
        every = sorted(library.stories(), key=lambda s: s.title)
        assert len(every) == len(wide.entries())
        library.set_read([every[0].id, every[1].id, every[2].id], True)
        library.set_bookmarked([every[1].id, every[30].id], True)
        library.mark_topic_read("Science")
        online = library.sync_queued()
        assert online > 0
        wide.server.stop()
        try:
            library.set_read([every[1].id], False)
            library.set_read([every[40].id], True)
            library.set_bookmarked([every[30].id], False)
            library.set_bookmarked([every[41].id], True)
            assert library.sync_queued() > online
            offline = cli("sync")
            assert offline.code == 1 and "Could not reach" in offline.err
            assert offline.err.strip().endswith("changes wait, kept)"), offline.err
        finally:
            wide.server.start()
        here = {s.title: (s.read, s.bookmarked) for s in library.stories()}

    synced = _program(tmp_path, "sync")

    assert synced.returncode == 0, synced.stderr
    summary = SUMMARY.match(synced.stdout.strip())
    assert summary is not None and summary["queued"] == "0", synced.stdout
    assert wide.marks() == here

    # A mark made in Miniflux's own pages is here after the next sync.
    other = every[10].title
    assert here[other] == (False, False)
    wide.set_read([other], True)
    wide.set_starred([other], True)
    assert _program(tmp_path, "sync").returncode == 0
    with Library(tmp_path / "library.db") as library:
        story = library.story(every[10].id)
        assert (story.read, story.bookmarked) == (True, True)
        assert {s.title: (s.read, s.bookmarked) for s in library.stories()} == wide.marks()
