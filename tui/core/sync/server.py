"""What every sync client shares: one http(s) server, its failures as sentences, and the
reading of its JSON as hostile input.

A subclass names its API (``API_NAME``) and adds its own authentication; the address check,
the connection, the size cap, and the sentences for a server that is unreachable, slow,
failing or not speaking the API are written here once.
"""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from typing import Any

from tui.core.errors import SyncError, SyncRefusedError, SyncUnreachableError
from tui.core.fetch.http import httpx  # httpx without its command-line client (see there)
from tui.core.text.hygiene import clean_line
from tui.core.text.urls import openable_url

#: The largest answer read; a batch of bodies is a few megabytes.
MAX_ANSWER = 64 * 1024 * 1024


class ServerClient:
    """One server at ``base_url``. Use as ``async with``."""

    API_NAME = "the API"

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        url = openable_url(base_url.strip().rstrip("/"))
        if url is None:
            raise SyncError(f"{clean_line(base_url)!r} is not an http(s) address of a server.")
        self.base_url = url
        self.requests = 0  # how many requests this client sent (the sync benchmark counts)
        self.server_time: int | None = None  # the server's clock at its last answer
        self.first_server_time: int | None = None  # …and at its first
        self._http = httpx.AsyncClient(
            timeout=timeout, follow_redirects=True, headers={"User-Agent": "newsterm"}
        )

    async def __aenter__(self) -> ServerClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The server's answer to ``path``, whatever its status; raises only when there is
        no answer to read."""
        self.requests += 1
        try:
            response = await self._http.request(method, f"{self.base_url}{path}", **kwargs)
        except httpx.TimeoutException:
            raise SyncUnreachableError(
                f"The sync server at {self.base_url} did not answer in time."
            ) from None
        except httpx.HTTPError:
            raise SyncUnreachableError(
                f"Could not reach the sync server at {self.base_url}."
            ) from None
        self._note_clock(response.headers.get("date"))
        if len(response.content) > MAX_ANSWER:
            raise SyncError(f"The sync server at {self.base_url} sent an answer too large to read.")
        return response

    def _note_clock(self, date: str | None) -> None:
        """The server's own time (its ``Date`` header), for cursors kept by its clock."""
        try:
            moment = parsedate_to_datetime(date) if date else None
        except (TypeError, ValueError, IndexError):
            moment = None
        if moment is not None and moment.tzinfo is not None:
            self.server_time = int(moment.timestamp())
            if self.first_server_time is None:
                self.first_server_time = self.server_time

    def _failed(self, response: httpx.Response, what: str) -> None:
        """Raise for a status that says the request failed (not one about the login)."""
        if response.status_code == 404:
            raise SyncRefusedError(
                f"The sync server at {self.base_url} has no {self.API_NAME} at this address "
                f"(404 while {what}); check the address, and that the API is switched on "
                "in the server's settings."
            )
        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
            raise SyncRefusedError(
                f"The sync server at {self.base_url} refused {what} ({response.status_code})."
            )
        if response.status_code >= 400:
            raise SyncError(
                f"The sync server at {self.base_url} answered {response.status_code} while "
                f"{what}; nothing was lost, and it will be tried again."
            )

    def _json(self, response: httpx.Response, what: str) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise self._not_the_api(what) from None

    def _not_the_api(self, what: str) -> SyncError:
        return SyncError(
            f"The sync server at {self.base_url} did not answer {what} in {self.API_NAME}'s "
            "JSON; is this the right address?"
        )


def text(value: object) -> str:
    """A string from a server, or "" for anything else."""
    return value if isinstance(value, str) else ""


def number(value: object) -> int:
    """An integer from a server (JSON number or digits), or 0 for anything else."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return 0


def objects(value: object) -> list[dict[str, Any]]:
    """The JSON objects of a list from a server; anything else is dropped."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
