"""Decoding and scaling one picture: runs in a worker process, never in the UI's.

:func:`decode` trusts nothing about the bytes but their sniffed kind
(:mod:`tui.core.images.sniff`): Pillow opens them as that one format only, refuses more
than :data:`MAX_PIXELS` (its decompression-bomb guard, with the warning made an error)
and is asked for the size before it decodes a single pixel. What comes back is small and
plain: the first frame of an animation, alpha flattened onto white (the web's page
colour, which pictures with transparency are drawn for), turned upright as its EXIF
orientation says, scaled down (never up) to fit the box the reader has for it.

Pillow is imported inside the functions: the main process imports this module to hand
:func:`decode` to the pool (pickle names a function by its module) and need not load
Pillow for that.
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

from tui.core.images.picture import (
    BROKEN,
    TOO_MANY_PIXELS,
    TRACKER,
    UNSUPPORTED,
    NoPicture,
    Picture,
)

if TYPE_CHECKING:
    from PIL import Image

#: More pixels than this (about 40 Mpx, 160 MB decoded as RGBA) are refused undecoded.
MAX_PIXELS = 40_000_000
#: The largest box a picture is scaled into, each way: a 4K screen's width, and the
#: Picture that crosses back to the main process stays under 50 MB.
MAX_BOX = 4096
#: Pillow's name for each kind that :mod:`.sniff` calls decodable.
PIL_FORMATS = {
    "png": "PNG",
    "jpeg": "JPEG",
    "gif": "GIF",
    "webp": "WEBP",
    "avif": "AVIF",
    "bmp": "BMP",
}
_ORIENTATION_TAG = 0x0112
# Higher bit depths (16-bit grey PNGs open as "I;16" or "I"): Pillow's convert clips
# them to 255, so they are scaled down to 8 bits first.
_WIDE_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_WHITE = (255, 255, 255)


def decode(data: bytes, kind: str, max_width: int, max_height: int) -> Picture | NoPicture:
    """``data`` (of sniffed ``kind``) decoded and scaled to fit ``max_width`` ×
    ``max_height`` pixels, or the reason it cannot be shown. Never raises for what the
    bytes hold."""
    from PIL import Image

    pil_format = PIL_FORMATS.get(kind)
    if pil_format is None:
        return NoPicture(UNSUPPORTED)
    # Process-wide, and this process is a worker: nothing else here opens images.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    box = (_clamp(max_width), _clamp(max_height))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _decode(data, pil_format, box)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError):
            return NoPicture(TOO_MANY_PIXELS)
        except Exception:
            # Pillow's decoders answer hostile or damaged input with many types (OSError,
            # SyntaxError, ValueError, EOFError, struct.error, zlib.error...): all mean
            # the same to a reader.
            return NoPicture(BROKEN)


def _clamp(side: int) -> int:
    return max(1, min(MAX_BOX, int(side)))


def _decode(data: bytes, pil_format: str, box: tuple[int, int]) -> Picture | NoPicture:
    from PIL import Image

    with Image.open(io.BytesIO(data), formats=[pil_format]) as image:
        width, height = image.size
        if width < 1 or height < 1:
            return NoPicture(BROKEN)
        if width <= 2 and height <= 2:
            return NoPicture(TRACKER)  # 1×1 and 2×2 show nothing: they count a reader
        if width * height > MAX_PIXELS:  # Pillow warned already; this says why
            return NoPicture(TOO_MANY_PIXELS)
        turn = _transposition(image)  # may load a PNG: only after the size is known
        upright = (height, width) if _swaps_sides(turn) else (width, height)
        fitted = _fit(upright, box)
        target = (fitted[1], fitted[0]) if _swaps_sides(turn) else fitted
        if target != (width, height):
            # A JPEG decodes at 1/2, 1/4 or 1/8 scale for next to nothing, to no less
            # than the target; other formats ignore this.
            image.draft("RGB", target)
        image.load()
        return _finish(image, target, turn)


def _finish(image: Image.Image, target: tuple[int, int], turn: Image.Transpose | None) -> Picture:
    """The loaded ``image`` as a :class:`Picture`: 8-bit RGB, scaled, flat, upright."""
    from PIL import Image

    frame = _eight_bit(image)
    frame = frame.convert("RGBA" if _has_alpha(frame) else "RGB")
    if frame.size != target:
        # Lanczos, with a cheap box reduction first while the image is over three times
        # the target: the same look for a fraction of the work on large pictures.
        frame = frame.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if frame.mode == "RGBA":
        flat = Image.new("RGB", frame.size, _WHITE)
        flat.paste(frame, mask=frame.getchannel("A"))
        frame = flat
    if turn is not None:
        frame = frame.transpose(turn)
    return Picture(frame.width, frame.height, frame.tobytes())


def _fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """``size`` scaled down to fit ``box``, proportions kept; never scaled up."""
    scale = min(box[0] / size[0], box[1] / size[1], 1.0)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _transposition(image: Image.Image) -> Image.Transpose | None:
    """What turns ``image`` upright by its EXIF orientation (as ImageOps.exif_transpose
    does, but applied after scaling, to the smaller image)."""
    from PIL import Image

    try:
        orientation = image.getexif().get(_ORIENTATION_TAG)
    except Exception:  # a damaged EXIF block: show the picture as it is stored
        return None
    return {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation if isinstance(orientation, int) else 0)


def _swaps_sides(turn: Image.Transpose | None) -> bool:
    from PIL import Image

    return turn in (
        Image.Transpose.TRANSPOSE,
        Image.Transpose.ROTATE_270,
        Image.Transpose.TRANSVERSE,
        Image.Transpose.ROTATE_90,
    )


def _eight_bit(image: Image.Image) -> Image.Image:
    if image.mode not in _WIDE_MODES:
        return image
    return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in _ALPHA_MODES or "transparency" in image.info
