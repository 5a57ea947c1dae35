"""Playing an enclosure: the argument list for ``[media] player``, and which enclosures
can be played.

The player is the user's program, written in config.toml as an argument list; the
enclosure's address is added as one more argument, on its own, at the end. It is never
joined to another argument, never split, never read by a shell, and only an http(s)
address gets there: a feed cannot name the program, add an option, or point the player
at a local file. (An address starts with ``http``, so a player cannot take it for an
option either.)
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.core.errors import CommandError
from tui.core.models import Enclosure
from tui.core.settings import MediaSettings
from tui.core.text.hygiene import strip_controls
from tui.core.text.urls import openable_url

__all__ = ["PLAYABLE", "playable", "player_argv"]

#: The kinds of enclosure a player is given: a picture or a PDF is opened elsewhere.
PLAYABLE = frozenset({"audio", "video"})


def playable(enclosures: Sequence[Enclosure]) -> list[Enclosure]:
    """The story's audio and video, in the feed's order; when it has none, its other
    files (a podcast may give its episode as application/octet-stream), pictures left
    out."""
    media = [enclosure for enclosure in enclosures if enclosure.kind in PLAYABLE]
    if media:
        return media
    return [enclosure for enclosure in enclosures if enclosure.kind == "file"]


def player_argv(settings: MediaSettings, enclosure: Enclosure) -> list[str]:
    """``[media] player`` with the enclosure's address as its last argument.

    Raises :class:`CommandError` when the address is not http(s) (an enclosure read
    before newsterm cleaned them, or a damaged library) or no player is set.
    """
    url = openable_url(enclosure.url)
    if url is None:
        shown = strip_controls(enclosure.url)[:80]
        raise CommandError(f"newsterm plays only http(s) addresses, not {shown!r}.")
    if not settings.player or not settings.player[0].strip():
        raise CommandError("No player is set: give [media] player in config.toml.")
    return [*settings.player, url]
