"""What loading a picture comes to: a :class:`Picture` to draw, or a :class:`NoPicture` and
the reason, a short plain phrase for the placeholder.

Plain data, no Pillow: the worker process builds these and the main process (the UI, the
loader) reads them, and neither side should pay for importing Pillow to do that.
"""

from __future__ import annotations

from dataclasses import dataclass

# The reasons, one phrase each, for a placeholder such as "[image: alt — too large]".
SVG = "SVG not shown"
NOT_AN_IMAGE = "not an image"
UNSUPPORTED = "format not supported"
TOO_LARGE = "too large"
TOO_MANY_PIXELS = "too many pixels"
BROKEN = "broken image"
TRACKER = "tracking pixel"
TIMED_OUT = "timed out"
OFFLINE = "offline"
NOT_FETCHED = "not fetched"
NOT_WEB = "not a web address"
WORKER_LOST = "could not be decoded"
CLOSED = "not loaded"


@dataclass(frozen=True, slots=True)
class Picture:
    """A decoded picture, scaled to fit: ``rgb`` holds 3 bytes a pixel, rows top to
    bottom (what ``PIL.Image.frombytes("RGB", (width, height), rgb)`` reads)."""

    width: int
    height: int
    rgb: bytes

    def __repr__(self) -> str:  # not the pixels: a test failure should stay readable
        return f"Picture({self.width}×{self.height})"


@dataclass(frozen=True, slots=True)
class NoPicture:
    """No picture to show, and why, e.g. "SVG not shown", "HTTP 404", "offline"."""

    reason: str
