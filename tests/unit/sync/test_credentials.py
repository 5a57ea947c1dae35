"""The secrets file: private from its first byte, whole after a crash, never in a repr."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tui.core.errors import SyncError
from tui.core.sync.credentials import FILE_NAME, Credential, CredentialStore

TOKEN = "auth-token-7f3a9c"


def _credential(account: str = "home") -> Credential:
    return Credential(account, "greader", "http://127.0.0.1:8080", "reader", TOKEN)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_file_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        CredentialStore(tmp_path).save(_credential())
    finally:
        os.umask(old)
    assert _mode(tmp_path / FILE_NAME) == 0o600
    assert CredentialStore(tmp_path).load() == {"home": _credential()}


def test_accounts_are_kept_side_by_side_and_removed_one_at_a_time(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.save(_credential("home"))
    store.save(_credential("work"))
    assert set(store.load()) == {"home", "work"}
    assert store.remove("home") is True
    assert store.remove("home") is False
    assert set(store.load()) == {"work"}


def test_the_secret_is_in_no_repr(tmp_path: Path) -> None:
    assert TOKEN not in repr(_credential())
    assert TOKEN not in str(_credential())


def test_a_loosened_file_is_made_private_when_read(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.save(_credential())
    (tmp_path / FILE_NAME).chmod(0o644)
    store.load()
    assert _mode(tmp_path / FILE_NAME) == 0o600


def test_a_crash_mid_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.save(_credential("home"))
    # What a crash between creating the new file and renaming it leaves behind.
    (tmp_path / f".{FILE_NAME}.partial").write_text('{"accounts": [{"acc')
    assert set(store.load()) == {"home"}
    store.save(_credential("work"))  # the leftover is ours, and replaced
    assert set(store.load()) == {"home", "work"}
    assert not (tmp_path / f".{FILE_NAME}.partial").exists()


def test_a_damaged_file_is_one_sentence_and_left_as_it_is(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text("not json at all")
    with pytest.raises(SyncError, match="damaged; it was left as it is"):
        CredentialStore(tmp_path).load()
    assert (tmp_path / FILE_NAME).read_text() == "not json at all"


def test_a_folder_that_cannot_be_used_is_a_sentence_and_changes_nothing(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # a file where the data folder should be
    with pytest.raises(SyncError, match="not-a-folder"):
        CredentialStore(blocked).save(_credential())
    assert blocked.read_text() == ""
