"""The library file under storage faults: a full disk, a read-only file or folder, a damaged
or foreign file. Each gets one sentence that says what happened, to which file and what to
do; a healthy read-only library is never called damaged, and a damaged one is never
written to.

Real faults only (see tests/support/disks.py): a small tmpfs filled to the last byte or
remounted read-only, ``chattr +i``, another user, bytes written over a page.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.disks import (
    digest,
    entries,
    fill,
    immutable,
    integrity,
    last_leaf_of,
    overwrite_page,
    remount_read_only,
    remount_read_write,
    require_root_linux,
    stock,
    tmpfs,
)
from tui.cli import main
from tui.core.errors import (
    LibraryDamagedError,
    LibraryError,
    LibraryFullError,
    LibraryReadOnlyError,
)
from tui.core.library import Library
from tui.core.models import ParsedFeed, Subscription
from tui.core.store.database import Database

NEWSTERM = Path(sys.executable).parent / "newsterm"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def error_line(self) -> str:
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert len(lines) == 1, self.err
        assert lines[0].startswith("newsterm: "), self.err
        assert "Traceback" not in self.err
        return lines[0]


Run = Callable[..., Result]


@pytest.fixture
def newsterm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``newsterm(db, "list")`` in-process: exit code, stdout and stderr."""

    def run(db: Path, *argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(["--db", str(db), "--config", str(tmp_path / "none.toml"), *argv])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def _assert_one_sentence(message: str) -> None:
    assert "\n" not in message and "Traceback" not in message
    assert message.rstrip().endswith("."), message


def _full_sentence(message: str, library: Path) -> None:
    _assert_one_sentence(message)
    assert "full" in message and str(library) in message
    assert "free" in message and "--db" in message  # what to do: free space, or move it
    assert "rollback" not in message and "transaction" not in message


# -- a full disk -------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "disk", "4m") as where:
        yield where


def test_a_write_on_a_full_disk_says_the_disk_is_full_and_the_library_stays_whole(
    small_disk: Path,
) -> None:
    path = small_disk / "library.db"
    ids = stock(path, 20)

    with Library(path) as library:  # open, as the app is, when the disk fills up
        feed = library.feeds()[0]
        filler = fill(small_disk)
        with pytest.raises(LibraryFullError) as caught:
            # Far bigger than anything written so far: it cannot fit in the WAL already there.
            library.ingest(feed.id, ParsedFeed(title="Example", entries=entries(300, prefix="B")))
        _full_sentence(str(caught.value), path)
        assert library.counts() == (20, 19, 1)  # still readable, nothing half-stored

    filler.unlink()
    assert integrity(path) == "ok"
    with Library(path) as library:
        assert library.counts() == (20, 19, 1)
        assert library.stories(bookmarked=True)[0].id == ids[0]
        library.set_read(ids[1:2])  # and writable again once there is room
        assert library.counts() == (20, 18, 1)


def test_sqlite_full_without_a_full_disk_is_the_same_sentence(tmp_path: Path) -> None:
    # PRAGMA max_page_count makes SQLite answer SQLITE_FULL on any disk: the same path.
    path = tmp_path / "library.db"
    stock(path, 5)
    database = Database(path)
    try:
        pages = database.read(lambda conn: int(conn.execute("PRAGMA page_count").fetchone()[0]))

        def grow(conn: sqlite3.Connection) -> None:
            conn.execute(f"PRAGMA max_page_count = {pages}")
            conn.execute("INSERT INTO app_state (key, value) VALUES ('big', ?)", ("x" * 200_000,))

        with pytest.raises(LibraryFullError) as caught:
            database.write(grow)
        _full_sentence(str(caught.value), path)
        assert database.read(
            lambda conn: conn.execute("SELECT count(*) FROM app_state WHERE key = 'big'").fetchone()
        ) == (0,)
    finally:
        database.close()


def test_opening_a_library_on_a_disk_with_no_room_left_says_the_disk_is_full(
    small_disk: Path,
) -> None:
    # Opening makes SQLite's WAL files beside the library: on a full disk they cannot be.
    path = small_disk / "library.db"
    stock(path, 5)
    before = digest(path)
    filler = fill(small_disk)
    with pytest.raises(LibraryFullError) as caught:
        Library(path)
    _full_sentence(str(caught.value), path)
    assert "damaged" not in str(caught.value)
    filler.unlink()
    assert digest(path) == before and integrity(path) == "ok"


def _subscriptions(count: int) -> list[Subscription]:
    return [
        Subscription(url=f"https://feeds{i}.example/feed.xml", title=f"Feed {i} " + "t" * 400)
        for i in range(count)
    ]


def test_an_import_on_a_full_disk_adds_all_or_nothing_and_says_the_disk_is_full(
    small_disk: Path,
) -> None:
    path = small_disk / "library.db"
    stock(path, 2)
    fill(small_disk, leave=96 * 1024)  # room for some feeds, not for 300

    with Library(path) as library:
        with pytest.raises(LibraryFullError) as caught:
            library.subscribe_all(_subscriptions(300))
        _full_sentence(str(caught.value), path)
        assert len(library.feeds()) == 1  # none of the 300 half-added
    assert integrity(path) == "ok"


def test_the_cli_says_the_disk_is_full_for_import_and_add(
    small_disk: Path, tmp_path: Path, newsterm: Run
) -> None:
    path = small_disk / "library.db"
    stock(path, 2)
    urls = tmp_path / "urls"
    urls.write_text(
        "".join(f"https://feeds{i}.example/{'x' * 300}/feed.xml\n" for i in range(300)),
        encoding="utf-8",
    )
    filler = fill(small_disk, leave=96 * 1024)

    imported = newsterm(path, "import", str(urls))
    assert imported.code == 1
    _full_sentence(imported.error_line.removeprefix("newsterm: "), path)

    fill(small_disk)  # now not a byte left, not even for one feed
    added = newsterm(path, "add", "--no-fetch", "https://one.example/feed.xml")
    assert added.code == 1
    _full_sentence(added.error_line.removeprefix("newsterm: "), path)

    filler.unlink()
    (small_disk / "filler.bin").unlink(missing_ok=True)
    feeds = newsterm(path, "feeds", "--json")
    assert feeds.code == 0, feeds.err
    assert feeds.out.count('"url"') == 1  # neither the import nor the add left a part behind


# -- read-only ---------------------------------------------------------------------------


def _read_only_sentence(message: str, library: Path) -> None:
    _assert_one_sentence(message)
    assert str(library) in message and "read-only" in message
    for wrong in ("damaged", "Move it aside", "not a newsterm library", "restore"):
        assert wrong not in message, message


def _check_read_only_library(path: Path, ids: list[int]) -> None:
    """What a read-only library must still do, and which writes it refuses."""
    before = digest(path)
    with Library(path) as library:
        assert library.read_only
        assert library.read_only_note is not None
        _read_only_sentence(library.read_only_note, path)
        assert library.counts() == (len(ids), len(ids) - 1, 1)
        assert len(library.stories(limit=5)) == 5

        # Reading a story labels its tone; read-only, the label is worked out, not stored.
        view = library.reader(ids[3])
        assert view.story.sentiment is not None
        assert library.story(ids[3]).sentiment is None

        with pytest.raises(LibraryReadOnlyError) as caught:
            library.set_read(ids[2:3])
        _read_only_sentence(str(caught.value), path)
        with pytest.raises(LibraryReadOnlyError):
            library.set_bookmarked(ids[2:3])
        # Optional writes are skipped, not errors: the theme remembered, a backup.
        library.set_state("theme", "nord")
        assert library.back_up_if_due() is None
    assert digest(path) == before


def test_a_library_on_a_read_only_file_system_opens_read_only_and_says_so(
    small_disk: Path,
) -> None:
    path = small_disk / "library.db"
    ids = stock(path, 12)
    remount_read_only(small_disk)
    try:
        _check_read_only_library(path, ids)
        assert sorted(p.name for p in small_disk.iterdir()) == ["library.db"]
    finally:
        remount_read_write(small_disk)


def test_an_immutable_library_file_opens_read_only(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    ids = stock(path, 12)
    with immutable(path):
        _check_read_only_library(path, ids)


def test_a_library_whose_folder_cannot_be_written_opens_read_only(tmp_path: Path) -> None:
    # The file is writable but SQLite's WAL cannot create its files beside it.
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "library.db"
    ids = stock(path, 12)
    with immutable(folder):
        _check_read_only_library(path, ids)
    assert sorted(p.name for p in folder.iterdir()) == ["library.db"]


_AS_NOBODY_PROBE = """
import os, sys
import tui.cli
try:
    open(sys.argv[1], "a")
except PermissionError:
    print("unprivileged")
"""


def _as_nobody(shared: Path) -> list[str]:
    """A command prefix that runs as ``nobody`` without root's powers, or skip."""
    require_root_linux("running newsterm as another user")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("no setpriv command to run newsterm as another user")
    prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    locked = shared / "probe"
    locked.write_bytes(b"")
    locked.chmod(0o444)
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", _AS_NOBODY_PROBE, str(locked)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if probe.stdout.strip() != "unprivileged":
        pytest.skip(f"newsterm cannot run as another user here: {probe.stderr.strip()[-200:]}")
    return prefix


def test_a_read_only_library_of_another_user_opens_read_only() -> None:
    # Not root: a 0444 file in a folder of its owner, as most users would meet it.
    shared = Path(tempfile.mkdtemp(prefix="newsterm-ro-"))
    try:
        shared.chmod(0o755)
        prefix = _as_nobody(shared)
        path = shared / "library.db"
        stock(path, 6)
        path.chmod(0o444)
        before = digest(path)

        def run(*argv: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*prefix, sys.executable, "-m", "tui", "--db", str(path), "--config",
                 str(shared / "no.toml"), *argv],
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=60,
                check=False,
                env={**os.environ, "HOME": str(shared)},
            )  # fmt: skip

        listed = run("list")
        assert listed.returncode == 0, listed.stderr
        assert "Story 1 " in listed.stdout
        assert "read-only" in listed.stderr and "damaged" not in listed.stderr

        marked = run("read", "3")
        assert marked.returncode == 1
        lines = [line for line in marked.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "read-only" in lines[0], marked.stderr
        assert "Traceback" not in marked.stderr
        assert digest(path) == before
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def test_the_cli_lists_a_read_only_library_with_a_note_and_refuses_marks_in_a_sentence(
    tmp_path: Path, newsterm: Run
) -> None:
    path = tmp_path / "library.db"
    ids = stock(path, 8)
    with immutable(path):
        listed = newsterm(path, "list")
        assert listed.code == 0, listed.err
        assert "Story 2 " in listed.out
        _read_only_sentence(listed.error_line.removeprefix("newsterm: note: "), path)

        shown = newsterm(path, "show", str(ids[4]), "--no-fetch")
        assert shown.code == 0, shown.err
        assert "Story 4 " in shown.out

        marked = newsterm(path, "read", str(ids[2]))
        assert marked.code == 1
        _read_only_sentence(marked.error_line.removeprefix("newsterm: "), path)


def test_an_unwritable_data_directory_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No --db: the library would be created in the user data dir, which cannot be made.
    with tmpfs(tmp_path / "home", "1m") as home:
        remount_read_only(home)
        monkeypatch.setenv("XDG_DATA_HOME", str(home / "share"))
        try:
            code = main(["--config", str(tmp_path / "none.toml"), "list"])
            err = capsys.readouterr().err
        finally:
            remount_read_write(home)
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    message = lines[0]
    _assert_one_sentence(message)
    assert str(home / "share" / "newsterm") in message
    assert "cannot be" in message and "--db" in message
    assert "Errno" not in message


def test_a_new_library_in_a_folder_that_cannot_be_written_is_a_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    with immutable(folder), pytest.raises(LibraryReadOnlyError) as caught:
        Library(folder / "library.db")
    message = str(caught.value)
    _assert_one_sentence(message)
    assert str(folder) in message and "--db" in message
    assert list(folder.iterdir()) == []


def test_a_library_path_too_long_for_the_file_system_is_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / ("x" * 300 + ".db")
    with pytest.raises(LibraryError) as caught:
        Library(path)
    _assert_one_sentence(str(caught.value))
    assert "too long" in str(caught.value)


# -- damaged -----------------------------------------------------------------------------


def _with_backup(path: Path, stories: int = 30) -> list[int]:
    ids = stock(path, stories)
    with Library(path) as library:
        made = library.back_up_if_due(now=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert made is not None
    return ids


def _damaged_sentence(message: str, library: Path, *, backup: bool = True) -> None:
    _assert_one_sentence(message)
    assert str(library) in message and "damaged" in message
    assert "untouched" in message
    if backup:
        assert "`newsterm restore`" in message and "2030-01-02 03:04" in message
    else:
        assert "no backup" in message


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: overwrite_page(p, 2), id="garbage-over-page-2"),
        pytest.param(lambda p: os.truncate(p, p.stat().st_size // 2), id="truncated"),
        pytest.param(lambda p: os.truncate(p, 60), id="truncated-in-the-header"),
        pytest.param(
            lambda p: p.write_bytes(b"Shopping list: eggs, flour.\n" * 400), id="not-sqlite"
        ),
    ],
)
def test_a_damaged_library_offers_the_backup_and_is_never_written(
    tmp_path: Path, newsterm: Run, damage: Callable[[Path], None]
) -> None:
    path = tmp_path / "library.db"
    ids = _with_backup(path)
    damage(path)
    before = digest(path)

    with pytest.raises(LibraryDamagedError) as caught, Library(path) as library:
        library.stories()
        library.set_read(ids[:5])
    _damaged_sentence(str(caught.value), path)

    for argv in (("read", str(ids[1])), ("list",), ("bookmark", str(ids[2]))):
        result = newsterm(path, *argv)
        assert result.code == 1, argv
        _damaged_sentence(result.error_line.removeprefix("newsterm: "), path)
    assert digest(path) == before


def test_a_damaged_library_without_a_backup_says_there_is_none(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    stock(path, 10)
    overwrite_page(path, 2)
    before = digest(path)
    with pytest.raises(LibraryDamagedError) as caught:
        Library(path)
    _damaged_sentence(str(caught.value), path, backup=False)
    assert digest(path) == before


def test_damage_met_while_reading_stops_every_later_write(tmp_path: Path) -> None:
    # Garbage far from any root: the library opens, and the damage shows on the way.
    path = tmp_path / "library.db"
    ids = _with_backup(path, stories=400)
    overwrite_page(path, last_leaf_of(path, "stories"))
    before = digest(path)

    with Library(path) as library:
        with pytest.raises(LibraryDamagedError) as caught:
            for story_id in ids:
                library.story(story_id)
        _damaged_sentence(str(caught.value), path)
        with pytest.raises(LibraryDamagedError):
            library.set_read(ids[:1])
        with pytest.raises(LibraryDamagedError):
            library.set_bookmarked(ids[1:2])
        library.set_state("theme", "nord")  # optional: skipped, not an error
        with pytest.raises(LibraryDamagedError):  # never a backup of a damaged library
            library.back_up_if_due(now=datetime(2030, 1, 9, tzinfo=UTC))
    assert digest(path) == before
    assert len(list(tmp_path.glob("library.db.backup-*"))) == 1
