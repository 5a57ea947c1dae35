"""Decoding and scaling in a worker, called here in-process: what comes out for each kind
of picture, and what is refused, and why.

Every picture is made with Pillow in the test; colours are compared with a tolerance for
the lossy formats.
"""

from __future__ import annotations

import io
import pickle
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator

import pytest
from PIL import Image

from tests.support.paths import PROJECT_ROOT
from tui.core.images import picture as reasons
from tui.core.images.decode import MAX_PIXELS, decode
from tui.core.images.picture import NoPicture, Picture

RED = (255, 0, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)


@pytest.fixture(autouse=True)
def _pillow_limit_restored() -> Iterator[None]:
    # decode() sets Pillow's process-wide limit, as it may in a worker; not in pytest's.
    before = Image.MAX_IMAGE_PIXELS
    yield
    Image.MAX_IMAGE_PIXELS = before


def _saved(image: Image.Image, pil_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


def _halves(
    size: tuple[int, int],
    first: tuple[int, int, int],
    second: tuple[int, int, int],
    *,
    across: bool = False,
) -> Image.Image:
    """Top half ``first``, bottom half ``second`` (left and right when ``across``)."""
    image = Image.new("RGB", size, second)
    width, height = size
    image.paste(first, (0, 0, width // 2, height) if across else (0, 0, width, height // 2))
    return image


def _pixel(picture: Picture, x: int, y: int) -> tuple[int, int, int]:
    at = (y * picture.width + x) * 3
    red, green, blue = picture.rgb[at : at + 3]
    return red, green, blue


def _near(found: tuple[int, int, int], wanted: tuple[int, int, int], slack: int = 40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(found, wanted, strict=True))


def _picture(result: Picture | NoPicture) -> Picture:
    assert isinstance(result, Picture), result
    assert len(result.rgb) == result.width * result.height * 3
    return result


@pytest.mark.parametrize(
    ("pil_format", "kind"),
    [
        ("PNG", "png"),
        ("JPEG", "jpeg"),
        ("GIF", "gif"),
        ("WEBP", "webp"),
        ("AVIF", "avif"),
        ("BMP", "bmp"),
    ],
)
def test_each_kind_decodes_to_rows_top_to_bottom(pil_format: str, kind: str) -> None:
    data = _saved(_halves((300, 200), RED, BLUE), pil_format)

    picture = _picture(decode(data, kind, 150, 150))

    assert (picture.width, picture.height) == (150, 100)
    assert _near(_pixel(picture, 75, 10), RED)
    assert _near(_pixel(picture, 75, 90), BLUE)


@pytest.mark.parametrize(
    ("box", "size"),
    [
        ((100, 100), (100, 67)),  # the width limits
        ((300, 50), (75, 50)),  # the height limits
        ((1000, 1000), (300, 200)),  # never scaled up
        ((300, 200), (300, 200)),
        ((0, -5), (1, 1)),  # a nonsense box is at least a pixel
    ],
)
def test_scaled_down_to_fit_with_its_proportions(
    box: tuple[int, int], size: tuple[int, int]
) -> None:
    data = _saved(Image.new("RGB", (300, 200), RED), "PNG")
    picture = _picture(decode(data, "png", *box))
    assert (picture.width, picture.height) == size


def test_a_large_jpeg_scaled_far_down_keeps_its_exact_size() -> None:
    # JPEGs are decoded at a reduced scale first (draft): the result is still the box's.
    data = _saved(_halves((4000, 3000), RED, BLUE), "JPEG", quality=80)
    picture = _picture(decode(data, "jpeg", 100, 100))
    assert (picture.width, picture.height) == (100, 75)
    assert _near(_pixel(picture, 50, 5), RED) and _near(_pixel(picture, 50, 70), BLUE)


def test_an_animation_shows_its_first_frame() -> None:
    frames = [Image.new("RGB", (40, 30), colour) for colour in (RED, BLUE, (0, 255, 0))]
    data = _saved(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 3  # the premise
    picture = _picture(decode(data, "gif", 40, 30))
    assert _near(_pixel(picture, 20, 15), RED, slack=0)

    webp = _saved(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    assert _near(_pixel(_picture(decode(webp, "webp", 40, 30)), 20, 15), RED, slack=0)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_flattened_onto_white(mode: str) -> None:
    image = Image.new("RGBA", (60, 40), (0, 0, 0, 0))  # clear
    image.paste((0, 0, 0, 255), (0, 0, 30, 40))  # left half opaque black
    if mode == "LA":
        image = image.convert("LA")
    elif mode == "P":
        image = image.convert("P")  # a palette with a transparent index
    data = _saved(image, "PNG")

    picture = _picture(decode(data, "png", 60, 40))

    assert _near(_pixel(picture, 5, 20), (0, 0, 0), slack=0)
    assert _near(_pixel(picture, 55, 20), WHITE, slack=0)


def test_half_transparent_black_is_grey() -> None:
    data = _saved(Image.new("RGBA", (10, 10), (0, 0, 0, 128)), "PNG")
    assert _near(_pixel(_picture(decode(data, "png", 10, 10)), 5, 5), (127, 127, 127), 2)


@pytest.mark.parametrize(
    ("orientation", "size", "top", "bottom"),
    [
        (1, (50, 25), RED, BLUE),  # as stored: red on the left
        (6, (25, 50), RED, BLUE),  # turned a quarter clockwise: the left is the top
        (8, (25, 50), BLUE, RED),  # a quarter anticlockwise: the right is the top
        (3, (50, 25), BLUE, RED),  # upside down: red on the right
    ],
)
def test_exif_orientation_turns_the_picture_upright(
    orientation: int, size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> None:
    stored = _halves((200, 100), RED, BLUE, across=True)  # red left, blue right
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _saved(stored, "JPEG", exif=exif.tobytes(), quality=90)

    picture = _picture(decode(data, "jpeg", 50, 50))

    assert (picture.width, picture.height) == size
    assert _near(_pixel(picture, 2, 2), top)
    assert _near(_pixel(picture, picture.width - 3, picture.height - 3), bottom)


def test_sixteen_bit_grey_keeps_its_tones() -> None:
    grey = Image.new("I;16", (8, 8), 32768)  # mid grey in 16 bits; clipped, it is white
    picture = _picture(decode(_saved(grey, "PNG"), "png", 8, 8))
    assert _near(_pixel(picture, 4, 4), (128, 128, 128), slack=2)


def test_cmyk_jpeg_comes_out_rgb() -> None:
    data = _saved(Image.new("CMYK", (20, 20), (0, 255, 255, 0)), "JPEG")  # red in ink
    assert _near(_pixel(_picture(decode(data, "jpeg", 20, 20)), 10, 10), RED)


# -- refused ---------------------------------------------------------------------------


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` and whose pixels stop after a few
    bytes."""
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_too_many_pixels_is_told_from_the_header_before_any_pixel_is_read() -> None:
    # 48 Mpx claimed, a few bytes of pixels: had Pillow decoded it, it would be "broken".
    assert MAX_PIXELS < 8000 * 6000
    assert decode(_png_header_only(8000, 6000), "png", 800, 600) == NoPicture(
        reasons.TOO_MANY_PIXELS
    )
    # Under the limit, the same lack of pixels is a broken picture.
    assert decode(_png_header_only(800, 600), "png", 800, 600) == NoPicture(reasons.BROKEN)


def test_a_decompression_bomb_is_refused() -> None:
    # 400 Mpx, 1 bit each: a few tens of KB on the wire, 1.6 GB as RGBA.
    data = _saved(Image.new("1", (20000, 20000)), "PNG", optimize=True)
    assert len(data) < 100_000
    assert decode(data, "png", 800, 600) == NoPicture(reasons.TOO_MANY_PIXELS)


def test_past_the_limit_but_under_pillows_own_error_is_refused_too() -> None:
    # 49 Mpx: Pillow only warns between MAX_IMAGE_PIXELS and twice it; we refuse.
    data = _saved(Image.new("1", (7000, 7000)), "PNG")
    assert decode(data, "png", 800, 600) == NoPicture(reasons.TOO_MANY_PIXELS)


@pytest.mark.parametrize(
    ("pil_format", "kind"), [("PNG", "png"), ("JPEG", "jpeg"), ("GIF", "gif"), ("WEBP", "webp")]
)
def test_a_truncated_file_is_broken(pil_format: str, kind: str) -> None:
    noisy = Image.effect_noise((200, 200), 80).convert("RGB")
    data = _saved(noisy, pil_format)
    assert decode(data[: len(data) // 2], kind, 100, 100) == NoPicture(reasons.BROKEN)


def test_the_sniffed_format_is_the_only_one_tried() -> None:
    png = _saved(Image.new("RGB", (20, 20), RED), "PNG")
    assert decode(png, "jpeg", 20, 20) == NoPicture(reasons.BROKEN)
    assert decode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "png", 20, 20) == NoPicture(reasons.BROKEN)


@pytest.mark.parametrize("kind", ["svg", "html", "tiff", ""])
def test_kinds_not_decoded(kind: str) -> None:
    tiff = _saved(Image.new("RGB", (20, 20), RED), "TIFF")
    assert decode(tiff, kind, 20, 20) == NoPicture(reasons.UNSUPPORTED)


@pytest.mark.parametrize("size", [(1, 1), (2, 2), (1, 2), (2, 1)])
def test_a_tiny_picture_is_a_tracking_pixel(size: tuple[int, int]) -> None:
    data = _saved(Image.new("RGB", size, WHITE), "GIF")
    assert decode(data, "gif", 100, 100) == NoPicture(reasons.TRACKER)


def test_a_thin_rule_is_not_a_tracking_pixel() -> None:
    data = _saved(Image.new("RGB", (3, 1), RED), "PNG")
    assert (_picture(decode(data, "png", 100, 100)).width, 1) == (3, 1)


# -- what crosses between processes ----------------------------------------------------


def test_a_picture_pickles_small_and_whole() -> None:
    picture = _picture(decode(_saved(Image.new("RGB", (30, 20), RED), "PNG"), "png", 30, 20))
    copied = pickle.loads(pickle.dumps(picture))
    assert copied == picture
    assert len(pickle.dumps(picture)) < len(picture.rgb) + 200
    assert repr(picture) == "Picture(30×20)"
    assert pickle.loads(pickle.dumps(NoPicture("too large"))) == NoPicture("too large")


def test_the_main_process_does_not_load_pillow_to_use_the_loader() -> None:
    probe = (
        "import sys, tui.core.images.load, tui.core.images.decode\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'PIL'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    ).stdout
    assert out.strip() == "[]"
