"""The pictures' disk cache: a folder of files, one per picture URL, capped in size.

A story read once shows its pictures offline: the loader keeps each picture's original
bytes here (decoding again is cheap next to fetching, and the reader's width changes).
Refusals are kept too, as small markers with their reason and an expiry, so that an SVG
or a decompression bomb is not fetched again every time its story is opened.

* **Names are ours.** A file is named by a hash of its URL; nothing the feed says reaches
  a path. Each file starts with a header holding its URL, its length and a CRC: a file
  cut short, damaged, or not ours reads as a miss (and is removed), never as a picture.
* **Writes are atomic**: a temporary file in the same folder, renamed over the old one.
  Two newsterm processes may share the folder: a reader sees the old file or the new,
  and a file the other process removed meanwhile is a miss.
* **The cap**: the folder is scanned once, then a running total is kept; only when a put
  takes it past the cap is the folder scanned again (other processes write too) and the
  oldest files removed until it is under :data:`LOW_WATER` of the cap, so that the next
  puts do not scan again at once. "Oldest" is the modification time, which :meth:`get`
  freshens: last read, not first fetched, decides.

Blocking file I/O: call it from a thread (the loader does), not from an event loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import struct
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

#: A trim leaves the folder at this share of the cap.
LOW_WATER = 0.9
#: A temporary file this old (seconds) was left by a process that died mid-write.
STALE_TEMP = 3600.0
_SUFFIX = ".img"
_TEMP_PREFIX = ".tmp-"
_NAME = re.compile(r"[0-9a-f]{40}\.img")
# magic, format version, kind (b"P" picture bytes, b"R" refusal), URL length, payload
# length, CRC-32 of URL and payload.
_HEADER = struct.Struct(">4sBcIQI")
_MAGIC = b"NTIC"
_VERSION = 1
_PICTURE = b"P"
_REFUSAL = b"R"


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: bytes
    payload: bytes


class ImageCache:
    """Pictures' bytes and refusals by URL, in ``directory``, under ``cap_bytes`` in all."""

    def __init__(self, directory: Path, cap_bytes: int) -> None:
        self.directory = directory
        self.cap_bytes = cap_bytes
        self._lock = threading.Lock()
        # name → (size, mtime) as last seen; None until the first put or size() scans.
        self._index: dict[str, tuple[int, float]] | None = None
        self._total = 0

    # -- reading -----------------------------------------------------------------------

    def get(self, url: str) -> bytes | None:
        """The picture stored for ``url``, or None; a hit counts as recent use."""
        entry = self._read(url)
        if entry is None or entry.kind != _PICTURE:
            return None
        self._freshen(_name(url))
        return entry.payload

    def refused(self, url: str) -> str | None:
        """The reason remembered for not showing ``url``, unless it has expired."""
        entry = self._read(url)
        if entry is None or entry.kind != _REFUSAL:
            return None
        expires, _, reason = entry.payload.decode("utf-8", "replace").partition("\n")
        try:
            if float(expires) < time.time():
                return None
        except ValueError:
            return None
        return reason or None

    def _read(self, url: str) -> _Entry | None:
        path = self.directory / _name(url)
        try:
            with path.open("rb") as handle:
                blob = handle.read()
        except OSError:  # absent, removed by another process, unreadable: a miss
            return None
        entry = _unpack(blob, url)
        if entry is None:
            self._forget(path.name)  # damaged or not ours: make room for a good one
        return entry

    # -- writing -----------------------------------------------------------------------

    def put(self, url: str, data: bytes) -> None:
        """Keep ``data`` as ``url``'s picture (replacing a refusal); trims to the cap."""
        self._write(url, _PICTURE, data)

    def refuse(self, url: str, reason: str, *, for_seconds: float) -> None:
        """Remember for ``for_seconds`` that ``url`` is not shown, and why."""
        expires = time.time() + for_seconds
        self._write(url, _REFUSAL, f"{expires:.0f}\n{reason}".encode())

    def _write(self, url: str, kind: bytes, payload: bytes) -> None:
        blob = _pack(url, kind, payload)
        if len(blob) > self.cap_bytes * LOW_WATER:
            return  # it would push out everything else, and itself at the next trim
        name = _name(url)
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.directory)
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(blob)
                Path(temporary).replace(self.directory / name)
            except BaseException:
                with contextlib.suppress(OSError):
                    Path(temporary).unlink()
                raise
            stat = (self.directory / name).stat()
        except OSError:
            return  # a full or read-only disk costs the offline copy, nothing else
        with self._lock:
            index = self._scanned()
            old = index.get(name, (0, 0.0))[0]
            index[name] = (stat.st_size, stat.st_mtime)
            self._total += stat.st_size - old
            if self._total > self.cap_bytes:
                self._trim(keep=name)

    def _trim(self, keep: str) -> None:
        """Rescan (other processes write too) and remove the least recently used files
        until the folder is under the low-water mark. Holding the lock."""
        index = self._scan()
        goal = self.cap_bytes * LOW_WATER
        for name, (size, _mtime) in sorted(index.items(), key=lambda item: item[1][1]):
            if self._total <= goal:
                break
            if name == keep:
                continue
            with contextlib.suppress(OSError):  # gone already: another process trimmed
                (self.directory / name).unlink()
            del index[name]
            self._total -= size

    # -- the whole folder --------------------------------------------------------------

    def size(self) -> int:
        """Bytes the cache holds now (the folder is scanned: other processes write)."""
        with self._lock:
            self._scan()
            return self._total

    def clear(self) -> tuple[int, int]:
        """Remove every picture and refusal (and leftover temporary files); returns how
        many files and bytes went. Files not named as ours are left alone."""
        files = removed = 0
        with self._lock:
            for entry in _entries(self.directory):
                if not (_NAME.fullmatch(entry.name) or entry.name.startswith(_TEMP_PREFIX)):
                    continue
                try:
                    size = entry.stat().st_size
                    Path(entry.path).unlink()
                except OSError:
                    continue
                files += 1
                removed += size
            self._index, self._total = {}, 0
        return files, removed

    def _scanned(self) -> dict[str, tuple[int, float]]:
        return self._index if self._index is not None else self._scan()

    def _scan(self) -> dict[str, tuple[int, float]]:
        """Read the folder into the index and the total; holding the lock."""
        index: dict[str, tuple[int, float]] = {}
        stale = time.time() - STALE_TEMP
        for entry in _entries(self.directory):
            try:
                stat = entry.stat()
            except OSError:
                continue
            if _NAME.fullmatch(entry.name):
                index[entry.name] = (stat.st_size, stat.st_mtime)
            elif entry.name.startswith(_TEMP_PREFIX) and stat.st_mtime < stale:
                with contextlib.suppress(OSError):
                    Path(entry.path).unlink()
        self._index, self._total = index, sum(size for size, _ in index.values())
        return index

    def _freshen(self, name: str) -> None:
        path = self.directory / name
        try:
            os.utime(path)
            mtime = path.stat().st_mtime
        except OSError:
            return
        with self._lock:
            if self._index is not None and name in self._index:
                self._index[name] = (self._index[name][0], mtime)

    def _forget(self, name: str) -> None:
        with contextlib.suppress(OSError):
            (self.directory / name).unlink()
        with self._lock:
            if self._index is not None and name in self._index:
                self._total -= self._index.pop(name)[0]


def _name(url: str) -> str:
    digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:40] + _SUFFIX


def _pack(url: str, kind: bytes, payload: bytes) -> bytes:
    address = url.encode("utf-8", "surrogatepass")
    check = zlib.crc32(payload, zlib.crc32(address))
    header = _HEADER.pack(_MAGIC, _VERSION, kind, len(address), len(payload), check)
    return header + address + payload


def _unpack(blob: bytes, url: str) -> _Entry | None:
    """The entry in ``blob`` if it is whole, ours, and for ``url``; else None."""
    if len(blob) < _HEADER.size:
        return None
    magic, version, kind, url_length, length, check = _HEADER.unpack_from(blob)
    address = url.encode("utf-8", "surrogatepass")
    start = _HEADER.size + url_length
    if (
        magic != _MAGIC
        or version != _VERSION
        or kind not in (_PICTURE, _REFUSAL)
        or len(blob) != start + length
        or blob[_HEADER.size : start] != address
    ):
        return None
    payload = blob[start:]
    if zlib.crc32(payload, zlib.crc32(address)) != check:
        return None
    return _Entry(kind, payload)


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as found:
            return [entry for entry in found if entry.is_file(follow_symlinks=False)]
    except OSError:
        return []
