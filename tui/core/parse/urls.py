"""URLs joined as feedparser joins them, without ``urljoin`` when it would change nothing.

feedparser makes every URI in a feed absolute with ``_urljoin`` and every base and every
URI inside HTML with ``make_safe_absolute_uri``; most URLs in real feeds are already
absolute http(s) URLs that both would give back unchanged, and those skip the work.

Part of the fast reader (:mod:`tui.core.parse.fast.reader`); the equivalence tests compare both
joins with feedparser's on generated URLs. Pure: no I/O, and it never imports textual or
rich.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, uses_relative

from feedparser.urls import _urljoin, make_safe_absolute_uri

__all__ = [
    "LINK_TEXT",
    "PLAIN_ABSOLUTE",
    "WEB_URL",
    "base_is_valid",
    "end_text_link",
    "join_uri",
    "safe_absolute_uri",
]

#: A URL a browser opens: http(s). A link with another scheme (``at://``, ``urn:``) gives way
#: to an http(s) one written right beside it.
WEB_URL = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://\S+")
#: The element-stack frame that keeps the text of ``<link uri="at://…">http://…</link>``,
#: which feedparser drops; the space keeps it apart from every element name.
LINK_TEXT = "link text"


def end_text_link(parser: Any, held: tuple[Any, Any, bool] | None) -> None:
    """At ``</link>``: an http(s) URL written as the link's text wins over the ``href``
    (or ``uri``) the start tag held. Shared by feedparser's path and the fast reader, which
    must agree; ``held`` is ``(context, link dict, is the page link)`` from the start tag."""
    stack = parser.elementstack
    if held is None or not stack or stack[-1][0] != LINK_TEXT:
        return
    text = (parser.pop(LINK_TEXT) or "").replace("&amp;", "&")
    if WEB_URL.fullmatch(text):
        context, link, alternate = held
        if link is not None:
            link["href"] = text
        if alternate:
            context["link"] = text


# An absolute http(s) URL that ``urlsplit``/``urlunsplit`` give back unchanged: a lower-case
# scheme, a plain host, no ``;`` params, no empty ``?`` or ``#``, no spaces or controls.
PLAIN_ABSOLUTE = re.compile(
    r"https?://[A-Za-z0-9.\-]+(?::[0-9]+)?"
    r"(?:/[A-Za-z0-9\-._~!$&'()*+,=:@%/]*)?"
    r"(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]+)?"
    r"(?:#[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#]+)?"
)


# A scheme as urlsplit finds one, not followed by "//" (no authority: urlsplit cannot fail).
_OTHER_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+\-.]*):(?!//)")


@lru_cache(maxsize=64)
def base_is_valid(base: str) -> bool:
    try:
        urlsplit(base)
    except ValueError:
        return False
    return True


def join_uri(base: str, uri: str) -> str:
    """feedparser's ``_urljoin(base, uri)``."""
    if not base or base_is_valid(base):
        if PLAIN_ABSOLUTE.fullmatch(uri):
            return uri
        # urljoin returns a URI whose scheme is not hierarchical as it is ("urn:", "tag:")
        other = _OTHER_SCHEME.match(uri)
        if other is not None and other.group(1).lower() not in uses_relative:
            return uri
    result: str = _urljoin(base, uri)
    return result


def safe_absolute_uri(base: str, uri: str) -> str:
    """feedparser's ``make_safe_absolute_uri(base, uri)``."""
    if PLAIN_ABSOLUTE.fullmatch(uri) and (not base or base_is_valid(base)):
        return uri
    result: str = make_safe_absolute_uri(base, uri)
    return result
