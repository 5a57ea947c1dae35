"""Where a sync account's secret is kept: one file, mode 0600, beside the library.

What is kept is what the API lets us keep instead of the password: the Google Reader API's
``Auth`` token, Fever's ``api_key``, Miniflux's API key. The file is written whole to a new
file created with mode 0600 (whatever the umask), flushed, and renamed over the old one, so
a crash leaves the old or the new, never half of either. A file that others can read is
made private again when it is read. Secrets never appear in a ``repr``, a log or a message.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tui.core.errors import SyncError
from tui.core.text.hygiene import clean_line

FILE_NAME = "accounts.secret"
_PRIVATE = 0o600


@dataclass(frozen=True, slots=True)
class Credential:
    account: str  # the account's name in newsterm
    api: str  # greader | miniflux | fever
    url: str
    user: str
    secret: str = field(repr=False)  # a token or key, never the password


class CredentialStore:
    """The secrets file of one data directory."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME

    def load(self) -> dict[str, Credential]:
        try:
            with self.path.open("rb") as handle:
                mode = os.fstat(handle.fileno()).st_mode
                if mode & (stat.S_IRWXG | stat.S_IRWXO):
                    os.fchmod(handle.fileno(), _PRIVATE)  # someone loosened it: tighten
                raw = handle.read(1 << 20)
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise SyncError(
                f"Could not read the sync accounts' file {self.path}: {error.strerror or error}."
            ) from None
        try:
            entries = json.loads(raw)
            found = {
                str(e["account"]): Credential(
                    account=clean_line(str(e["account"])),
                    api=clean_line(str(e["api"])),
                    url=clean_line(str(e["url"])),
                    user=clean_line(str(e["user"])),
                    secret=str(e["secret"]),
                )
                for e in entries["accounts"]
            }
        except (ValueError, KeyError, TypeError):
            raise SyncError(
                f"The sync accounts' file {self.path} is damaged; it was left as it is. "
                "Move it aside and add the accounts again with `newsterm account add`."
            ) from None
        return found

    def save(self, credential: Credential) -> None:
        every = self.load()
        every[credential.account] = credential
        self._write(every)

    def remove(self, account: str) -> bool:
        every = self.load()
        if every.pop(account, None) is None:
            return False
        self._write(every)
        return True

    def _write(self, every: dict[str, Credential]) -> None:
        data = json.dumps({"accounts": [asdict(c) for c in every.values()]}, indent=1)
        partial = self.path.with_name(f".{FILE_NAME}.partial")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()  # left by a crash: ours, and never read
            # O_EXCL with the mode given here: the secret is never in a file others may read,
            # not even for the moment between creating it and a chmod.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                os.fchmod(handle.fileno(), _PRIVATE)  # a umask cannot widen it, only narrow
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            partial.replace(self.path)
        except OSError as error:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise SyncError(
                f"Could not save the sync account in {self.path.parent}: "
                f"{error.strerror or error}; nothing was changed."
            ) from None
