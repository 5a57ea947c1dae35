"""Keys that tell when two feeds carry the same story: its link without tracking, its guid.

Two entries are the same story when their links agree once the parts that only say *who
sent the reader* are gone (``utm_*`` and similar parameters, the ``#fragment``, ``www.``,
http vs https, a trailing slash), or when they carry the same *global* guid. A guid counts
only when it cannot be an accident: a URL, a URN/tag URI or a long opaque id. Short guids
such as ``"42"`` or ``"post-7"`` are only unique inside their own feed.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from tui.core.text.urls import OPENABLE_SCHEMES

# Query parameters that track the click rather than name the page.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "oly_", "vero_", "_hs")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "igshid",
        "yclid",
        "twclid",
        "mkt_tok",
        "ref",
        "ref_src",
        "referrer",
        "cmpid",
        "ncid",
        "ito",
        "rss",
        "guccounter",
        "smid",
    }
)
_MIN_OPAQUE_GUID = 20
# A web link urlsplit reads without a doubt: scheme, a host of ASCII letters, digits, dots
# and hyphens (no port, no user), a path of printable ASCII, no query, maybe a fragment.
_PLAIN_WEB_LINK = re.compile(
    r"https?://([a-zA-Z0-9.-]+)(/[\x21\x22\x24-\x3e\x40-\x7e]*)?(?:#[\x21-\x7e]*)?"
)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def link_key(url: str) -> str:
    """``https://www.Example.com/a/?utm_source=x#top`` → ``example.com/a``; "" if no web link."""
    url = url.strip()
    plain = _PLAIN_WEB_LINK.fullmatch(url)
    if plain is not None:  # most links: the same key without urlsplit, three times faster
        host = plain.group(1).lower().removeprefix("www.")
        return host + (plain.group(2) or "").rstrip("/")
    scheme, colon, _ = url.partition(":")
    if not colon or (
        scheme.isalpha() and scheme.isascii() and scheme.lower() not in OPENABLE_SCHEMES
    ):
        return ""  # urlsplit would find no scheme, or this one ("urn", "tag", "mailto")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.lower() not in OPENABLE_SCHEMES or not host:
        return ""
    host = host.removeprefix("www.")
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or ""
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    key = host + path
    if query:
        key += "?" + urlencode(sorted(query))
    return key


def guid_key(guid: str) -> str:
    """A guid that names the story worldwide (its URL key, a URN/tag URI, a long id); else ""."""
    guid = guid.strip()
    if not guid:
        return ""
    as_link = link_key(guid)
    if as_link:
        return as_link
    scheme, colon, rest = guid.partition(":")
    if colon and scheme.isalpha() and len(rest) >= 8:  # urn:uuid:..., tag:example.com,2026:...
        return guid
    return guid if len(guid) >= _MIN_OPAQUE_GUID else ""
