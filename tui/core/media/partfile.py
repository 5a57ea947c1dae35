"""The partial file of a download, on disk: made, reopened for a resume, written,
published under its name, removed.

A download writes into a hidden partial file in the target folder (a name newsterm
makes), opened without following a symbolic link and never through a second hard link,
and gives it its real name only when whole, with a hard link that fails rather than
replace a file. These run in threads (:mod:`tui.core.media.download` calls them off the
event loop): each is a blocking system call or two.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from tui.core.media.names import numbered

__all__ = [
    "MAX_NUMBERED",
    "make_folder",
    "open_part",
    "publish",
    "remove",
    "resumable_size",
    "sync_and_close",
    "write_all",
]

MAX_NUMBERED = 999  # "Name (999).mp3", then give up

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# O_NONBLOCK: a FIFO planted at the name must fail the checks below, not hang the open.
_OPEN_FLAGS = (
    os.O_WRONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
) | getattr(os, "O_BINARY", 0)


def make_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)


def resumable_size(part: Path) -> int:
    """The partial file's size, or 0 (start over) when it is not a plain file of ours."""
    try:
        status = part.lstat()
    except FileNotFoundError:
        return 0
    if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:
        return 0
    return status.st_size


def open_part(part: Path, start: int) -> int:
    """The partial file open for writing at ``start``. A fresh one replaces whatever has
    the name: it is ours to use, and neither a symbolic link nor a second hard link to
    some other file may lead our writes there."""
    if start > 0:
        fd = os.open(part, _OPEN_FLAGS)
        try:
            status = os.fstat(fd)
            if stat.S_ISREG(status.st_mode) and status.st_nlink == 1 and status.st_size >= start:
                os.ftruncate(fd, start)
                os.lseek(fd, start, os.SEEK_SET)
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        raise OSError(errno.EEXIST, "the partial file changed under the download")
    remove(part)
    return os.open(part, _OPEN_FLAGS | os.O_CREAT | os.O_EXCL, 0o644)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def sync_and_close(fd: int) -> None:
    try:
        os.fsync(fd)  # the file is whole on disk before it has its name
    finally:
        os.close(fd)


def remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def publish(folder: Path, name: str, part: Path) -> Path:
    """Give the finished partial file ``name`` in ``folder``, or the first free numbered
    one, without ever replacing a file: a hard link fails when the name is taken."""
    for n in range(1, MAX_NUMBERED + 1):
        path = folder / (name if n == 1 else numbered(name, n))
        try:
            _link(part, path)
        except FileExistsError:
            continue
        remove(part)
        return path
    raise OSError(errno.EEXIST, f"{name} and its numbered names are all taken")


def _link(part: Path, path: Path) -> None:
    try:
        if os.link in os.supports_follow_symlinks:
            os.link(part, path, follow_symlinks=False)  # the file itself, whatever it is
        else:
            os.link(part, path)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # A file system without hard links (FAT on a memory stick, some network shares):
        # claim the name with an exclusive create, then move the file onto that claim.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644))
        part.replace(path)
