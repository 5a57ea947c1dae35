"""The rolling backup of the library and ``newsterm restore``.

A backup is made at most once a day (``VACUUM INTO``, two kept, beside the library, named
by newsterm), never of a damaged or read-only library, never when the disk has no room
for it. Restoring moves the current file aside (never deletes or overwrites it) and puts
a backup in its place.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.disks import (
    checkpoint,
    digest,
    fill,
    integrity,
    last_leaf_of,
    overwrite_page,
    stock,
    tmpfs,
)
from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, feed_reply
from tui.cli import main
from tui.core.errors import LibraryDamagedError, LibraryError, LibraryFullError
from tui.core.library import Library
from tui.core.store.backup import Backups, list_backups, restore_backup

DAY1 = datetime(2030, 3, 1, 6, 0, 0, tzinfo=UTC)


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def newsterm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(
                ["--db", str(tmp_path / "library.db"), "--config", str(tmp_path / "no.toml"), *argv]
            )
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _counts(path: Path) -> tuple[int, int, int]:
    with Library(path) as library:
        counts: tuple[int, int, int] = library.counts()
    return counts


# -- making backups ----------------------------------------------------------------------


def test_a_backup_is_made_once_a_day_beside_the_library_and_two_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    stock(path, 10)
    with Library(path) as library:
        first = library.back_up_if_due(now=DAY1)
        assert first is not None
        assert first.path == tmp_path / "library.db.backup-20300301-060000"
        assert first.taken == DAY1
        # Not again the same day, nor 23 hours later.
        assert library.back_up_if_due(now=DAY1 + timedelta(hours=1)) is None
        assert library.back_up_if_due(now=DAY1 + timedelta(hours=23)) is None
        second = library.back_up_if_due(now=DAY1 + timedelta(days=1))
        third = library.back_up_if_due(now=DAY1 + timedelta(days=2, minutes=5))
        assert second is not None and third is not None
    assert _names(tmp_path) == [
        "library.db",
        "library.db.backup-20300302-060000",
        "library.db.backup-20300303-060500",
    ]
    assert [b.path for b in list_backups(path)] == [third.path, second.path]  # newest first


def test_a_backup_is_a_whole_library_with_its_marks(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    ids = stock(path, 25)
    with Library(path) as library:
        library.set_bookmarked(ids[5:8])
        made = library.back_up_if_due(now=DAY1)
        assert made is not None
        expected = library.counts()
        bookmarked = [s.id for s in library.stories(bookmarked=True)]
    assert integrity(made.path) == "ok"
    with Library(made.path) as copy:
        assert copy.counts() == expected == (25, 24, 4)
        assert [s.id for s in copy.stories(bookmarked=True)] == bookmarked
        assert copy.search("orbit")


def test_other_files_beside_the_library_are_never_taken_for_backups(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    stock(path, 3)
    others = (
        "library.db.backup-notes.txt",
        "library.db.backup-2030",
        "x.db.backup-20300301-060000",
    )
    for name in others:
        (tmp_path / name).write_text("mine", encoding="utf-8")
    with Library(path) as library:
        for day in range(4):
            assert library.back_up_if_due(now=DAY1 + timedelta(days=day)) is not None
    for name in others:
        assert (tmp_path / name).read_text(encoding="utf-8") == "mine"
    assert len(list_backups(path)) == 2


def test_a_damaged_library_is_not_backed_up_and_the_older_backups_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    ids = stock(path, 400)
    with Library(path) as library:
        assert library.back_up_if_due(now=DAY1) is not None
        assert library.back_up_if_due(now=DAY1 + timedelta(days=1)) is not None
    kept = {b.path: digest(b.path) for b in list_backups(path)}
    overwrite_page(path, last_leaf_of(path, "stories"))  # opens fine; a full check finds it
    before = digest(path)

    with Library(path) as library:
        with pytest.raises(LibraryDamagedError) as caught:
            library.back_up_if_due(now=DAY1 + timedelta(days=2))
        message = str(caught.value)
        assert "damaged" in message and "`newsterm restore`" in message
        with pytest.raises(LibraryDamagedError):  # and, known damaged, it is not written
            library.set_read(ids[:1])
    assert {b.path: digest(b.path) for b in list_backups(path)} == kept
    assert digest(path) == before
    assert _names(tmp_path) == ["library.db", *sorted(p.name for p in kept)]


def test_no_backup_when_the_disk_has_no_room_for_it(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "3m") as disk:
        path = disk / "library.db"
        stock(path, 200, body_words=400)
        fill(disk, leave=64 * 1024)
        with Library(path) as library:
            with pytest.raises(LibraryFullError) as caught:
                library.back_up_if_due(now=DAY1)
            message = str(caught.value)
            assert "backup" in message and str(disk) in message and "\n" not in message
            assert library.counts()[0] == 200
        # No backup and no half-made one (SQLite's own -wal and -shm may stay: the disk
        # is still full when the library closes).
        assert [n for n in _names(disk) if "backup" in n] == []
        assert [n for n in _names(disk) if not n.startswith("library.db-")] == [
            "filler.bin",
            "library.db",
        ]


def test_a_cancelled_backup_leaves_a_whole_backup_or_none(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    stock(path, 300, body_words=300)
    backups = Backups(path)
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(backups.make(now=DAY1)))
    worker.start()
    backups.cancel()
    worker.join(timeout=120)
    assert not worker.is_alive()
    # (SQLite's -wal and -shm may stay: the backup's read-only connection was the last.)
    names = [n for n in _names(tmp_path) if not n.startswith("library.db") or "backup" in n]
    if results == [None]:
        assert names == []
    else:
        assert names == ["library.db.backup-20300301-060000"]
        assert integrity(tmp_path / names[0]) == "ok"
    assert backups.make(now=DAY1 + timedelta(days=1)) is None  # cancelled for good


# -- restoring ---------------------------------------------------------------------------


def _two_backups(path: Path) -> list[int]:
    ids = stock(path, 20)
    with Library(path) as library:
        assert library.back_up_if_due(now=DAY1) is not None
        library.set_bookmarked(ids[1:3])  # only in the newer backup
        assert library.back_up_if_due(now=DAY1 + timedelta(days=1)) is not None
    return ids


def test_restore_puts_back_the_newest_backup_and_moves_the_damaged_file_aside(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.db"
    _two_backups(path)
    overwrite_page(path, 2)
    Path(f"{path}-wal").write_bytes(b"wal of the damaged file")
    damaged = digest(path)

    restored = restore_backup(path, now=DAY1 + timedelta(days=1, hours=2))

    assert restored.backup.taken == DAY1 + timedelta(days=1)
    assert restored.moved_aside == tmp_path / "library.db.before-restore-20300302-080000"
    assert digest(restored.moved_aside) == damaged  # moved, not changed
    assert Path(f"{restored.moved_aside}-wal").read_bytes() == b"wal of the damaged file"
    assert not Path(f"{path}-wal").exists()
    assert _counts(path) == (20, 19, 3)
    assert len(list_backups(path)) == 2  # the backup itself stays


def test_restore_a_chosen_backup_and_restore_twice_without_overwriting(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    _two_backups(path)
    older = list_backups(path)[1]
    now = DAY1 + timedelta(days=3)

    first = restore_backup(path, older, now=now)
    assert _counts(path) == (20, 19, 1)
    second = restore_backup(path, older, now=now)  # the same second: a new name
    assert first.moved_aside is not None and second.moved_aside is not None
    assert first.moved_aside != second.moved_aside
    assert first.moved_aside.exists() and second.moved_aside.exists()
    assert _counts(first.moved_aside) == (20, 19, 3)


def test_restore_without_backups_is_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    path.write_bytes(b"not sqlite" * 100)
    with pytest.raises(LibraryError) as caught:
        restore_backup(path)
    message = str(caught.value)
    assert "no backup" in message and str(path) in message and "\n" not in message
    assert path.read_bytes() == b"not sqlite" * 100


def test_restore_refuses_while_the_library_is_open_in_another_process(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    _two_backups(path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """\
                import sys
                from pathlib import Path
                from tui.core.library import Library
                with Library(Path(sys.argv[1])) as library:
                    library.counts()
                    print("open", flush=True)
                    sys.stdin.readline()
                """
            ),
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        before = digest(path)
        with pytest.raises(LibraryError) as caught:
            restore_backup(path)
        assert "open" in str(caught.value) and "\n" not in str(caught.value)
        assert digest(path) == before
        assert _names(tmp_path).count("library.db") == 1
        assert not [n for n in _names(tmp_path) if "before-restore" in n]
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)


# -- the command line --------------------------------------------------------------------


def test_refresh_makes_the_daily_backup_and_restore_lists_and_restores_it(
    server: FeedServer, newsterm: Run, tmp_path: Path
) -> None:
    server.route("/feed", feed_reply(rss(items(5, prefix="Orbit"), title="Orbital Notes")))
    assert newsterm("add", "--no-fetch", server.url("/feed")).code == 0
    refreshed = newsterm("refresh")
    assert refreshed.code == 0, refreshed.err
    # Nothing yet that the feed could not give back: no copy of what was just fetched.
    assert list_backups(tmp_path / "library.db") == []
    assert newsterm("bookmark", "1").code == 0
    refreshed = newsterm("refresh")
    assert refreshed.code == 0, refreshed.err
    (made,) = list_backups(tmp_path / "library.db")
    assert made.path.parent == tmp_path

    listed = newsterm("restore", "--list")
    assert listed.code == 0, listed.err
    assert made.path.name in listed.out and f"{made.taken:%Y-%m-%d %H:%M}" in listed.out
    assert "5 stories" in listed.out

    checkpoint(tmp_path / "library.db")
    overwrite_page(tmp_path / "library.db", 2)
    broken = newsterm("list")
    assert broken.code == 1 and "`newsterm restore`" in broken.err

    restored = newsterm("restore")
    assert restored.code == 0, restored.err
    assert "before-restore" in restored.out and made.path.name in restored.out
    listed_stories = newsterm("list")
    assert listed_stories.code == 0, listed_stories.err
    assert len(listed_stories.out.splitlines()) == 5


def test_restore_by_number_and_a_wrong_number_is_a_sentence(newsterm: Run, tmp_path: Path) -> None:
    _two_backups(tmp_path / "library.db")
    wrong = newsterm("restore", "3")
    assert wrong.code == 1
    assert wrong.err.startswith("newsterm: ") and "restore --list" in wrong.err
    chosen = newsterm("restore", "2")
    assert chosen.code == 0, chosen.err
    assert _counts(tmp_path / "library.db") == (20, 19, 1)


def test_a_backup_file_is_self_contained(tmp_path: Path) -> None:
    # One file with no WAL of its own: copying it is enough to restore it.
    path = tmp_path / "library.db"
    stock(path, 5)
    with Library(path) as library:
        made = library.back_up_if_due(now=DAY1)
    assert made is not None
    conn = sqlite3.connect(f"file:{made.path}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM stories").fetchone() == (5,)
    finally:
        conn.close()
    assert not Path(f"{made.path}-wal").exists()


def test_looking_for_marks_never_scans_the_stories_table(tmp_path: Path) -> None:
    """Asked after every refresh until the first backup: at 100k unread stories a scan of
    the rows (with their bodies) cost a refresh more than its fetching."""
    from tui.core.store.stories import has_marks

    db = tmp_path / "library.db"
    Library(db).close()
    with sqlite3.connect(db) as conn:
        assert not has_marks(conn)
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        has_marks(conn)
        conn.set_trace_callback(None)
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statements[-1]}")]
    # The kept counts (a row per feed and state) may be read whole; the stories never.
    scans = [step for step in plan if step.startswith("SCAN") and "CONSTANT ROW" not in step]
    assert all("INDEX" in step or step == "SCAN story_counts" for step in scans), plan
    assert any("story_counts" in step for step in plan), plan
