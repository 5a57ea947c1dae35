"""The sentence reader mode gives when a story's page could not be fetched.

:class:`~tui.core.fetch.http.Fetcher` words its HTTP errors for feeds ("The feed is not at this
address any more ...; check the URL"), which is wrong for a page: the feed is fine, and
there is no subscription to fix. A page's HTTP answer gets its own sentence here, naming
the status by its standard phrase (a server's own reason phrase is its to choose).
Everything without a status (timeouts, a page too large, a refused connection, a redirect
loop) keeps the fetcher's sentence, which says "page" or names no document at all.
"""

from __future__ import annotations

from http import HTTPStatus

from tui.core.fetch.http import FetchKind, FetchResult
from tui.core.text.hygiene import clean_line

__all__ = ["page_fetch_note"]

FALLBACK = "The story's page could not be fetched."


def page_fetch_note(result: FetchResult) -> str:
    """One sentence saying why ``result`` (not OK) holds no page to read."""
    code = result.status_code
    if code is None or result.kind is FetchKind.OK:
        # A redirect loop names the URLs a server sent, which may hold C1 controls (CSI).
        return clean_line(result.error) or FALLBACK
    status = _status(code)
    if code == 404:
        return (
            f"The story's page is not at its address ({status}): the link may be broken, "
            "or the story taken down."
        )
    if code == 410:
        return f"The site has taken the story's page down for good ({status})."
    if code in (401, 403):
        return (
            f"The site refuses to show the story's page ({status}); it may need a login "
            "or a subscription, so open it in a browser instead."
        )
    if code == 429:
        return f"The site asks newsterm to slow down ({status}); {_again(result)}."
    if code == 503:
        return f"The site is unavailable for now ({status}); {_again(result)}."
    if code >= 500:
        return f"The site failed to serve the story's page ({status}); try again later."
    return f"The site answered {status} instead of the story's page."


def _status(code: int) -> str:
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:  # a code with no standard phrase
        return f"HTTP {code}"


def _again(result: FetchResult) -> str:
    if result.retry_after is None:
        return "try again later"
    return f"try again after {result.retry_after:%Y-%m-%d %H:%M} UTC"
