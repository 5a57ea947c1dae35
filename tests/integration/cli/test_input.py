"""Hostile command lines and absurd configs, run as the real program: every one ends in one
``newsterm: …`` sentence and exit 1 (or argparse's usage and exit 2), never a traceback,
a hang, or a crash on a terminal that cannot show every character (issue 8)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, Reply, feed_reply
from tui.cli import main
from tui.core.demo import build_demo_library

NEWSTERM = Path(sys.executable).parent / "newsterm"
HUGE = "99999999999999999999999"  # past SQLite's 64-bit integers
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-input") / "demo.db"
    build_demo_library(path, now=datetime(2025, 3, 1, 12, tzinfo=UTC))
    return path


@pytest.fixture
def newsterm(tmp_path: Path, demo_db: Path) -> Run:
    """``newsterm("list")``: the real program on a copy of the demo library, no config."""
    db = tmp_path / "library.db"
    shutil.copyfile(demo_db, db)

    def run(
        *argv: str,
        env: dict[str, str] | None = None,
        db: Path | str = db,
        config: Path | str = tmp_path / "no-config.toml",
        memory: int | None = None,
    ) -> subprocess.CompletedProcess[str]:
        def limit_memory() -> None:  # a runaway read dies quickly instead of eating the box
            if memory is not None:
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

        return subprocess.run(
            [str(NEWSTERM), "--db", str(db), "--config", str(config), *argv],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=120,  # only to catch a hang
            check=False,
            env={**os.environ, "COLUMNS": "100", **(env or {})},
            encoding="utf-8",
            errors="replace",
            preexec_fn=limit_memory,
        )

    return run


def sentence(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The one ``newsterm: …`` line a failure prints, after checking it is all there is."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == code, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("newsterm: "), result.stderr
    return lines[0]


def usage_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stderr.startswith("usage: newsterm"), result.stderr
    return result.stderr.splitlines()[-1]


# -- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [HUGE, "²", "art-²", "-1", "", " ", "1e5", "0x10", "½"])
@pytest.mark.parametrize("command", ["show", "read", "unread", "bookmark", "unbookmark"])
def test_story_ids_that_cannot_be_ids_are_one_sentence(
    newsterm: Run, command: str, value: str
) -> None:
    line = sentence(newsterm(command, value))
    assert "is not a story id" in line and "newsterm list" in line


def test_story_ids_in_other_scripts_digits_are_read_as_numbers(newsterm: Run) -> None:
    # "٣" is the Arabic-Indic 3, a decimal digit int() reads; "²" (a superscript) is not.
    assert newsterm("read", "٣").stdout == newsterm("read", "3").stdout


def test_a_story_id_past_any_story_among_good_ones_is_refused_before_anything_changes(
    newsterm: Run,
) -> None:
    import json

    def unread() -> set[int]:
        listed = json.loads(newsterm("list", "--unread", "--json", "--limit", "100000").stdout)
        return {story["id"] for story in listed}

    before = unread()
    first = min(before)
    line = sentence(newsterm("read", str(first), HUGE))
    assert HUGE in line
    assert unread() == before


@pytest.mark.parametrize("command", [["list"], ["search", "the"]])
def test_a_huge_limit_means_all_of_them(newsterm: Run, command: list[str]) -> None:
    everything = newsterm(*command, "--limit", "100000")
    result = newsterm(*command, "--limit", HUGE)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout == everything.stdout and result.stdout


@pytest.mark.parametrize("value", ["0", "-1", "²", "", "ten", "1e3"])
@pytest.mark.parametrize("command", [["list"], ["search", "the"]])
def test_limits_that_are_not_counts_are_usage_errors(
    newsterm: Run, command: list[str], value: str
) -> None:
    assert "--limit" in usage_error(newsterm(*command, "--limit", value))


@pytest.mark.parametrize("value", [HUGE, "²", "-1", "0"])
@pytest.mark.parametrize("command", [["remove"], ["refresh", "--feed"]])
def test_feed_refs_that_cannot_be_feeds_are_one_sentence(
    newsterm: Run, command: list[str], value: str
) -> None:
    line = sentence(newsterm(*command, value))
    assert "No subscribed feed matches" in line and "newsterm feeds" in line


# -- paths -------------------------------------------------------------------------------


def test_a_library_name_too_long_for_the_file_system_is_one_sentence(
    newsterm: Run, tmp_path: Path
) -> None:
    long = tmp_path / ("a" * 300 + ".db")
    for command in (["list"], ["feeds"], ["read", "1"]):
        line = sentence(newsterm(*command, db=long))
        assert "too long" in line, line


def test_a_config_name_too_long_for_the_file_system_is_one_sentence(
    newsterm: Run, tmp_path: Path
) -> None:
    line = sentence(newsterm("list", config=tmp_path / ("c" * 300 + ".toml")))
    assert "too long" in line and "[Errno" not in line


@pytest.mark.parametrize("option", ["--db", "--config"])
def test_an_empty_path_is_a_usage_error_not_the_default_file(
    newsterm: Run, option: str, tmp_path: Path
) -> None:
    # An empty --db used to open the user's real library in their home directory.
    env = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": "", "XDG_CONFIG_HOME": ""}
    kwargs = {"db": ""} if option == "--db" else {"config": ""}
    assert option in usage_error(newsterm("list", env=env, **kwargs))
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize("command", ["import", "export"])
def test_an_empty_file_name_is_a_usage_error(newsterm: Run, command: str) -> None:
    usage_error(newsterm(command, ""))


def test_folders_and_missing_files_where_files_are_expected(newsterm: Run, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    assert "folder" in sentence(newsterm("list", db=folder))
    assert "folder" in sentence(newsterm("list", config=folder))
    assert "folder" in sentence(newsterm("import", str(folder)))
    assert "folder" in sentence(newsterm("export", str(folder)))
    assert "missing.opml" in sentence(newsterm("import", str(tmp_path / "missing.opml")))
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    inside_a_file = tmp_path / "a-file" / "x.opml"
    sentence(newsterm("export", str(tmp_path / "nowhere" / "x.opml")))
    sentence(newsterm("import", str(inside_a_file)))
    sentence(newsterm("export", str(inside_a_file)))


@pytest.mark.skipif(ROOT, reason="root reads and writes files whatever their mode")
def test_unreadable_files_are_one_sentence(newsterm: Run, tmp_path: Path) -> None:
    secret = tmp_path / "secret.toml"
    secret.write_text("[fetch]\n", encoding="utf-8")
    secret.chmod(0)
    assert "secret.toml" in sentence(newsterm("list", config=secret))
    assert "secret.toml" in sentence(newsterm("import", str(secret)))


def test_nul_bytes_in_paths_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # No program can be given a NUL in its arguments; main() can, from another program.
    for argv in (
        ["--db", "a\x00b", "list"],
        ["--db", str(tmp_path / "l.db"), "--config", "c\x00.toml", "list"],
        ["--db", str(tmp_path / "l.db"), "import", "x\x00.opml"],
        ["--db", str(tmp_path / "l.db"), "export", "x\x00.opml"],
    ):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        err = capsys.readouterr().err
        assert code in (1, 2) and "Traceback" not in err, err
        assert "NUL" in err or "null" in err, err


# -- output to terminals that cannot show everything -------------------------------------


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_output_degrades_on_a_narrow_encoding_instead_of_crashing(
    newsterm: Run, encoding: str
) -> None:
    env = {"PYTHONIOENCODING": encoding}
    for command in (
        ["list"],
        ["list", "--json"],
        ["feeds"],
        ["search", "the"],
        ["show", "1", "--no-fetch"],
        ["bookmarks"],
        ["bookmarks", "--format", "html"],
        ["bookmarks", "--format", "json"],
        ["export"],
        ["config"],
    ):
        result = newsterm(*command, env=env)
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
        assert result.stdout.strip(), command
    listed = newsterm("list", env=env).stdout
    assert "..." in listed or "…" in listed  # titles cut short still say so
    if encoding == "ascii":
        assert listed.isascii()
    # A failed feed's line starts with a mark the encoding may lack.
    newsterm("add", "--no-fetch", "http://127.0.0.1:9/feed.xml")
    failed = newsterm("refresh", "--feed", "http://127.0.0.1:9/feed.xml", env=env)
    assert "Traceback" not in failed.stderr and "1 failed" in failed.stdout, failed.stderr


def test_json_on_a_narrow_encoding_keeps_every_character_as_an_escape(newsterm: Run) -> None:
    import json

    wide = json.loads(newsterm("list", "--json").stdout)
    narrow = newsterm("list", "--json", env={"PYTHONIOENCODING": "ascii"})
    assert narrow.stdout.isascii()
    assert json.loads(narrow.stdout) == wide


def test_errors_degrade_too(newsterm: Run) -> None:
    result = newsterm("show", "Ω²", env={"PYTHONIOENCODING": "ascii"})
    line = sentence(result)
    assert line.isascii()


# -- absurd settings ---------------------------------------------------------------------


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[fetch]\nper_host = 0\n", "fetch.per_host"),
        ("[fetch]\nmax_connections = 0\n", "fetch.max_connections"),
        ("[refresh]\nbackoff_minutes = 99999999999999999\n", "refresh.backoff_minutes"),
        ("[refresh]\nmax_backoff_hours = 99999999999999999\n", "refresh.max_backoff_hours"),
        ("[fetch]\ndeadline = nan\n", "fetch.deadline"),
        ("[articles]\ndeadline = inf\n", "articles.deadline"),
    ],
)
def test_absurd_settings_stop_a_refresh_at_once_with_the_key_and_its_range(
    newsterm: Run, tmp_path: Path, server: FeedServer, text: str, named: str
) -> None:
    # per_host = 0 used to hang the refresh of an http feed for ever; a huge back-off
    # crashed it with OverflowError at the first failing feed, the healthy ones unstored.
    server.route("/feed", feed_reply(rss(items(2))))
    server.route("/broken", Reply(500, b"no"))
    for path in ("/feed", "/broken"):
        assert newsterm("add", "--no-fetch", server.url(path)).returncode == 0
    config = _config(tmp_path, text)
    line = sentence(newsterm("refresh", config=config))
    assert f"{named} in {config} must be" in line and " from " in line


def test_newsterm_config_checks_the_ranges_too(newsterm: Run, tmp_path: Path) -> None:
    config = _config(tmp_path, "[refresh]\nauto_minutes = 1000000000000\n")
    line = sentence(newsterm("config", config=config))
    assert "refresh.auto_minutes" in line and "0 to 10080" in line


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_as_config_is_refused_not_read_for_ever(newsterm: Run) -> None:
    line = sentence(newsterm("list", config="/dev/zero", memory=1 << 30))
    assert "too large" in line


def test_newsterm_config_reports_every_key_and_theme_the_app_would_refuse(
    newsterm: Run, tmp_path: Path
) -> None:
    config = _config(
        tmp_path,
        '[ui]\ntheme = "nord-ish"\n'
        '[keys]\ntoggle_bookmark = "j"\nno_such = "x"\nsearch = "ctrl+"\n',
    )
    result = newsterm("config", config=config)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 4 and all(line.startswith("newsterm: ") for line in lines), lines
    assert all(str(config) in line for line in lines)
    assert "[fetch]" in result.stdout  # the settings are still shown
    # Other commands have no use for keys or themes and go on.
    assert newsterm("list", config=config).returncode == 0
    good = _config(tmp_path, '[ui]\ntheme = "nord"\n[keys]\ntoggle_bookmark = "x"\n')
    assert newsterm("config", config=good).returncode == 0
