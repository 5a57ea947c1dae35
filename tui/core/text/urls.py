"""URL rules, in one place: which addresses newsterm subscribes to, opens and compares.

* :func:`normalise_feed_url` checks and tidies an address the user typed or a file held:
  http, https and file only (``example.com/feed`` means https).
* :func:`openable_url` is the gate before every browser launch, clipboard copy and page
  fetch: absolute http(s) with a host, nothing else (no ``javascript:``, ``file:``, ``data:``).
* :func:`registrable_domain` and :func:`same_site` say which site a URL belongs to, by the
  public suffix list (``feeds.bbc.co.uk`` and ``www.bbc.co.uk`` are both ``bbc.co.uk``).
"""

from __future__ import annotations

import contextlib
import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from tui.core.errors import InvalidFeedURLError
from tui.core.text.hygiene import clean_url

__all__ = [
    "FEED_SCHEMES",
    "OPENABLE_SCHEMES",
    "is_web_url",
    "link_leaves_site",
    "normalise_feed_url",
    "openable_url",
    "registrable_domain",
    "same_site",
]

#: What newsterm subscribes to.
FEED_SCHEMES = frozenset({"http", "https", "file"})
#: What newsterm opens in a browser, copies or fetches as a page.
OPENABLE_SCHEMES = frozenset({"http", "https"})


def normalise_feed_url(url: str) -> str:
    """Check and tidy a URL the user wants to subscribe to."""
    cleaned = clean_url(url)
    if "://" not in cleaned and not cleaned.startswith("file:"):
        if cleaned.startswith("/") or cleaned.startswith("."):
            cleaned = Path(cleaned).resolve().as_uri()
        elif cleaned and "." in cleaned.split("/")[0]:
            cleaned = "https://" + cleaned  # "example.com/feed.xml" means https
    parts = urlsplit(cleaned)
    if parts.scheme.lower() not in FEED_SCHEMES:
        raise InvalidFeedURLError(
            f"{url!r} is not a feed URL newsterm can subscribe to: use an http://, https:// "
            "or file:// address."
        )
    if parts.scheme.lower() != "file" and not parts.hostname:
        raise InvalidFeedURLError(f"{url!r} has no host name.")
    return cleaned


def is_web_url(url: str) -> bool:
    """True when ``url``, tidied as a feed address, is http(s) (a site to look for feeds
    on), not a file."""
    try:
        return urlsplit(normalise_feed_url(url)).scheme.lower() in OPENABLE_SCHEMES
    except (InvalidFeedURLError, ValueError):
        return False


def openable_url(url: str | None) -> str | None:
    """Return ``url`` if it is an absolute http(s) URL with a host, else ``None``.

    This is the gate in front of every browser launch, clipboard copy and page fetch:
    ``javascript:``, ``file:``, ``data:`` and scheme-less links never pass it.
    """
    cleaned = clean_url(url)
    if not cleaned:
        return None
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in OPENABLE_SCHEMES or not parts.hostname:
        return None
    return cleaned


# -- which site a URL belongs to ------------------------------------------------------


def registrable_domain(url: str) -> str:
    """``"https://feeds.bbc.co.uk/x"`` → ``"bbc.co.uk"``; ``""`` when the URL has no host.

    IP addresses and ``localhost`` are their own site; so is a host under no known public
    suffix (an intranet name), which is the best that can be said about it.
    """
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:  # a malformed port or IPv6 literal
        return ""
    host = host.rstrip(".")
    if not host:
        return ""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    # bücher.de and xn--bcher-kva.de are one site; a name IDNA refuses is compared as it is.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    if host == "localhost" or host.endswith(".localhost"):
        return host
    from tld import get_fld  # the public suffix list: loaded when first needed, not at start

    return get_fld(f"http://{host}/", fail_silently=True) or host


def same_site(a_url: str, b_url: str) -> bool:
    """True when both URLs have a host and share its registrable domain."""
    domain = registrable_domain(a_url)
    return bool(domain) and domain == registrable_domain(b_url)


def link_leaves_site(feed_url: str, link: str) -> bool:
    """True when a story's link points off its feed's site (known before any fetch).

    False when either has no host to compare (a ``file://`` feed, a relative link): that
    cannot be told, and the verdict after fetching will say so.
    """
    feed_domain = registrable_domain(feed_url)
    link_domain = registrable_domain(link)
    return bool(feed_domain) and bool(link_domain) and feed_domain != link_domain
