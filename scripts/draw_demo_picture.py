"""Draw the demo library's one picture: the lander of the Orbital Notes story
("A squat four-legged lander on grey regolith, its engine bell glowing faintly").

    python scripts/draw_demo_picture.py

Drawn here rather than taken from anywhere, so the demo owes no one a picture; the
JPEG it writes is bundled in tui/data/demo/pictures and put in the demo's picture cache
when the demo library is built, so the demo shows it offline.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parents[1] / "tui/data/demo/pictures/kestrel-render.jpg"
W, H = 640, 360


def main() -> None:
    rng = random.Random(7)  # noqa: S311 - stars and craters, the same every run
    image = Image.new("RGB", (W, H), (6, 8, 18))
    draw = ImageDraw.Draw(image)
    for _ in range(160):  # stars
        x, y = rng.randrange(W), rng.randrange(int(H * 0.6))
        level = rng.randrange(90, 255)
        draw.point((x, y), (level, level, min(255, level + 20)))
    # The Earth, low over the horizon.
    draw.ellipse((470, 40, 570, 140), fill=(40, 90, 170))
    draw.chord((470, 40, 570, 140), 200, 340, fill=(70, 140, 90))
    draw.ellipse((490, 55, 530, 75), fill=(225, 230, 240))
    draw.chord((470, 40, 570, 140), 90, 270, fill=(12, 20, 40))  # its night side
    # Regolith: banded greys, lighter towards the viewer, with craters.
    horizon = int(H * 0.62)
    for y in range(horizon, H):
        shade = 70 + int(80 * (y - horizon) / (H - horizon))
        draw.line((0, y, W, y), (shade, shade, shade - 4))
    for _ in range(14):
        cx, cy = rng.randrange(W), rng.randrange(horizon + 8, H)
        r = rng.randrange(8, 40) * (cy - horizon) / (H - horizon) + 4
        draw.ellipse((cx - r, cy - r / 3, cx + r, cy + r / 3), fill=(60, 60, 58))
        draw.arc((cx - r, cy - r / 3, cx + r, cy + r / 3), 180, 360, fill=(175, 175, 170), width=2)
    # The lander: a squat gold body on four splayed legs, an engine bell under it.
    body = (250, 170, 390, 235)
    glow = Image.new("RGB", (W, H), (0, 0, 0))
    ImageDraw.Draw(glow).ellipse((285, 232, 355, 290), fill=(255, 120, 30))
    image = Image.composite(
        Image.blend(image, glow, 0.55), image, glow.convert("L").point(lambda v: 255 if v else 0)
    )
    image = Image.blend(image, image.filter(ImageFilter.GaussianBlur(6)), 0.3)
    draw = ImageDraw.Draw(image)
    for foot_x, top_x in ((200, 262), (440, 378), (236, 282), (404, 358)):
        draw.line((top_x, 228, foot_x, 262), fill=(170, 170, 175), width=5)
        draw.ellipse((foot_x - 10, 258, foot_x + 10, 266), fill=(200, 200, 205))
    draw.polygon([(300, 235), (340, 235), (350, 258), (290, 258)], fill=(90, 90, 95))
    draw.ellipse((292, 252, 348, 262), fill=(255, 170, 80))
    draw.rectangle(body, fill=(196, 156, 60))
    for x in range(body[0], body[2], 14):  # foil crinkles
        draw.line((x, body[1], x + 7, body[3]), fill=(220, 186, 90), width=2)
    draw.rectangle((270, 150, 370, 172), fill=(210, 210, 215))  # the instrument deck
    draw.rectangle((300, 120, 306, 150), fill=(190, 190, 195))  # the mast
    draw.ellipse((286, 104, 320, 124), fill=(235, 235, 240))  # the dish
    draw.rectangle((330, 136, 362, 150), fill=(40, 60, 120))  # a solar panel
    OUT.parent.mkdir(parents=True, exist_ok=True)
    image.save(OUT, "JPEG", quality=82, optimize=True)
    print(f"{OUT}: {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
