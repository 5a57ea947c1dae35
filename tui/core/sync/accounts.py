"""Adding a sync account: sign in, say what is there, keep the token, remember the account.

The password is used once, to sign in, and never stored where the API gives a token or key
instead (Google Reader: the ``Auth`` token; Fever: its key; Miniflux: an API key, or the
password only when no key was made). It never reaches the library, a log or any output.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

from tui.core.errors import NewstermError, SyncError
from tui.core.models import Account
from tui.core.store import accounts as account_queries
from tui.core.store.database import Database
from tui.core.sync.credentials import Credential, CredentialStore
from tui.core.sync.remote import API_NAMES, APIS, detect, sign_in
from tui.core.text.dates import utcnow
from tui.core.text.hygiene import clean_line
from tui.core.text.urls import openable_url

LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class AccountFound:
    """What signing in found: said once, when the account is added."""

    account: Account
    api_name: str
    feeds: int
    folders: int
    unread: int
    warning: str = ""  # e.g. a password sent in the clear

    def sentence(self) -> str:
        feeds = f"{self.feeds} feed{'s' * (self.feeds != 1)}"
        folders = f"{self.folders} folder{'s' * (self.folders != 1)}"
        return f"{self.api_name} at {self.account.url}: {feeds} in {folders}, {self.unread} unread."


def account_name(url: str, user: str) -> str:
    """The account's name in newsterm: ``user@host`` (with the port when there is one)."""
    return f"{user}@{urlsplit(url).netloc.rsplit('@', 1)[-1]}"


def cleartext_warning(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "http" and (parts.hostname or "") not in LOOPBACK:
        return (
            f"Warning: {parts.netloc} is reached over plain http, so the password and every "
            "story travel unencrypted; use https if the server offers it."
        )
    return ""


async def add_account(
    db: Database,
    credentials: CredentialStore,
    url: str,
    user: str,
    password: str,
    *,
    api: str | None = None,
) -> AccountFound:
    address = openable_url(url.strip().rstrip("/"))
    if address is None:
        raise SyncError(f"{clean_line(url)!r} is not an http(s) address of a sync server.")
    if "@" in urlsplit(address).netloc:
        # A password in the address would be stored and shown with it: refused, unread.
        raise SyncError(
            "Give the server's address without a user name or password in it; the user "
            "goes in --user and the password is asked for."
        )
    user = clean_line(user)
    if not user:
        raise SyncError("Give the account's user name with --user.")
    if api is not None and api not in APIS:
        raise SyncError(
            f"newsterm does not know the sync API {api!r}; use greader, miniflux or fever."
        )
    name = account_name(address, user)
    existing = {a.name for a in await asyncio.to_thread(db.read, account_queries.list_accounts)}
    if name in existing:
        raise NewstermError(f"The account {name} is already added; `newsterm sync` syncs it.")
    if api is None:
        remote, secret = await detect(address, user, password)
    else:
        remote, secret = await sign_in(api, address, user, password)
    async with remote:
        served = await remote.feeds()
        unread = await remote.unread()
    account_id = await asyncio.to_thread(
        db.write,
        account_queries.insert_account,
        name=name,
        api=remote.api,
        url=address,
        user=user,
        now=utcnow(),
    )
    try:
        credentials.save(Credential(name, remote.api, address, user, secret))
    except SyncError:
        await asyncio.to_thread(db.write, account_queries.remove_account, account_id)
        raise
    account = await asyncio.to_thread(db.read, account_queries.get_account, account_id)
    return AccountFound(
        account=account,
        api_name=API_NAMES[remote.api],
        feeds=len(served),
        folders=len({f.folder for f in served if f.folder}),
        unread=unread,
        warning=cleartext_warning(address),
    )
