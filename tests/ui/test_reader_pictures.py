"""Pictures in the reader, in the real app with a real server on 127.0.0.1: the story's
text shows before any picture; a picture takes its image's place, drawn in half blocks,
with its caption under it; a refused one keeps its placeholder and says why; pictures
are asked for as they come near the screen; ``i`` turns them off and on; with prefetch
off (a metered connection) they wait for ``i``; a picture seen once shows offline."""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta
from pathlib import Path

from PIL import Image
from textual.pilot import Pilot
from textual.widgets import Static

from tests.support.feedserver import FeedServer, Reply
from tests.support.pilot import NOW, quiet_settings, settle, until
from tui.core.library import Library
from tui.core.models import ParsedEntry, ParsedFeed
from tui.core.settings import ArticleSettings, Settings
from tui.ui.app import NewstermApp
from tui.ui.widgets.reader.picture import HalfBlocks, PictureBlock

RED, BLUE = (255, 0, 0), (0, 0, 255)


def _png(size: tuple[int, int] = (400, 200)) -> bytes:
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0], size[1] // 2))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _png_reply(body: bytes | None = None) -> Reply:
    return Reply(200, body or _png(), {"Content-Type": "image/png"})


def _library(tmp_path: Path, body: str) -> Library:
    library = Library(tmp_path / "library.db", cache_dir=tmp_path / "cache")
    feed = library.add_feed("https://harbour.test/feed.xml", title="Harbour", topic="Port")
    entry = ParsedEntry(
        key="https://harbour.test/cranes",
        title="The new cranes",
        link="https://harbour.test/cranes",
        content_html=body,
        published=NOW - timedelta(hours=1),
    )
    library.ingest(feed.id, ParsedFeed(title="Harbour", entries=(entry,)), now=NOW)
    return library


def _app(library: Library, settings: Settings | None = None) -> NewstermApp:
    settings = settings or dataclasses.replace(
        quiet_settings(), articles=ArticleSettings(min_words=0, prefetch=True)
    )
    return NewstermApp(library, settings, now=lambda: NOW, pictures="blocks")


async def _open(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("j", "enter")
    await pilot.pause()


def _blocks(app: NewstermApp) -> list[PictureBlock]:
    return app.main.reader.picture_blocks()


def _first_shown(app: NewstermApp) -> bool:
    blocks = _blocks(app)
    return bool(blocks) and blocks[0].state == "shown"


def _caption(block: PictureBlock) -> str:
    return str(block.query_one(".caption", Static).render())


async def test_text_first_then_the_picture_with_its_caption(tmp_path: Path) -> None:
    with FeedServer() as server:
        # The picture drips in over about a second: the text must not wait for it.
        png = _png()
        chunks = [png[i : i + 512] for i in range(0, len(png), 512)]
        server.route("/crane.png", Reply(200, chunks, {"Content-Type": "image/png"}, 0.1))
        body = (
            "<p>The first paragraph, before the picture.</p>"
            f'<img src="{server.url("/crane.png")}" alt="A crane at dusk">'
            "<p>After the picture.</p>"
        )
        with _library(tmp_path, body) as library:
            app = _app(library)
            async with app.run_test(size=(140, 40)) as pilot:
                await _open(pilot)
                reader = app.main.reader
                texts = [str(w.render()) for w in reader.query(".block").results(Static)]
                assert "The first paragraph, before the picture." in texts
                assert "After the picture." in texts
                (block,) = _blocks(app)
                assert block.state == "loading"  # asked for, not there yet
                assert not block.query(HalfBlocks)
                await until(pilot, lambda: block.state == "shown", "the picture shows")
                await pilot.pause()
                (picture,) = block.query(HalfBlocks)
                # 400×200 scaled to the pane's width; a cell is one pixel wide and two
                # high, so the 2:1 picture takes a quarter as many rows as columns.
                assert picture.size.width > 20
                assert abs(picture.size.width - 4 * picture.size.height) <= 4
                top = picture.render_line(0)
                bottom = picture.render_line(picture.size.height - 1)
                assert {s.style.color.triplet for s in top if s.style and s.style.color} == {RED}
                assert {s.style.bgcolor.triplet for s in bottom if s.style and s.style.bgcolor} == {
                    BLUE
                }
                caption = _caption(block)
                assert caption.startswith("A crane at dusk")
                assert server.url("/crane.png") in caption  # its address stays to be copied


async def test_refused_pictures_keep_their_placeholder_and_say_why(tmp_path: Path) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with FeedServer() as server:
        server.route("/chart.svg", Reply(200, svg, {"Content-Type": "image/svg+xml"}))
        server.route("/fake.png", Reply(200, b"<html>login</html>", {"Content-Type": "image/png"}))
        server.route("/dot.png", _png_reply(_png((1, 1))))
        body = "".join(
            f'<p>Paragraph {n}.</p><img src="{server.url(path)}" alt="{alt}">'
            for n, (path, alt) in enumerate(
                [("/chart.svg", "Chart"), ("/fake.png", "Fake"), ("/dot.png", "Dot")]
            )
        )
        with _library(tmp_path, body) as library:
            app = _app(library)
            async with app.run_test(size=(140, 60)) as pilot:
                await _open(pilot)
                blocks = _blocks(app)
                await until(pilot, lambda: all(b.state == "refused" for b in blocks), "all refused")
                captions = [_caption(block) for block in blocks]
    assert captions[0].startswith("[image: Chart] · SVG not shown")
    assert captions[1].startswith("[image: Fake] · not an image")
    assert captions[2].startswith("[image: Dot] · tracking pixel")


async def test_pictures_far_below_wait_until_the_reader_comes_near(tmp_path: Path) -> None:
    long_text = "<p>" + "Words about the harbour. " * 200 + "</p>"
    with FeedServer() as server:
        for n in range(6):
            server.route(f"/p{n}.png", _png_reply())
        # The first picture near the top, the others a long way down, far apart.
        body = "<p>Short lead.</p>" + long_text.join(
            f'<img src="{server.url(f"/p{n}.png")}" alt="Picture {n}">' for n in range(6)
        )
        with _library(tmp_path, body) as library:
            app = _app(library)
            async with app.run_test(size=(140, 40)) as pilot:
                await _open(pilot)
                await settle(pilot)
                await until(pilot, lambda: server.hits("/p0.png"), "the first picture asked for")
                await settle(pilot)
                asked = [n for n in range(6) if server.hits(f"/p{n}.png")]
                assert asked == [0], asked
                reader = app.main.reader
                reader.scroll_end(animate=False, immediate=True)
                await until(pilot, lambda: server.hits("/p5.png"), "the last picture asked for")
                await settle(pilot)
                # Jumped over, never near the screen: never fetched.
                assert not server.hits("/p1.png") and not server.hits("/p2.png")


async def test_i_turns_pictures_off_and_on_for_the_open_story(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.route("/crane.png", _png_reply())
        body = f'<p>Before.</p><img src="{server.url("/crane.png")}" alt="A crane">'
        with _library(tmp_path, body) as library:
            app = _app(library)
            async with app.run_test(size=(140, 40)) as pilot:
                await _open(pilot)
                await until(pilot, lambda: _first_shown(app), "shown")
                await pilot.press("tab", "i")
                await settle(pilot)
                reader = app.main.reader
                assert not _blocks(app)
                placeholders = [str(w.render()) for w in reader.query(".image").results(Static)]
                assert placeholders and placeholders[0].startswith("[image: A crane]")
                await pilot.press("i")
                await until(pilot, lambda: _first_shown(app), "on")


async def test_with_prefetch_off_pictures_wait_for_i(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.route("/crane.png", _png_reply())
        body = f'<p>Before.</p><img src="{server.url("/crane.png")}" alt="A crane">'
        with _library(tmp_path, body) as library:
            app = _app(library, quiet_settings())  # prefetch = false: metered
            async with app.run_test(size=(140, 40)) as pilot:
                await _open(pilot)
                await settle(pilot)
                assert not _blocks(app)
                assert not server.hits("/crane.png")
                said = [n.message for n in app._notifications]
                hint = (
                    "Pictures wait for i while [articles] prefetch is off (a metered connection)."
                )
                assert said.count(hint) == 1
                await pilot.press("tab", "i")
                await until(pilot, lambda: _first_shown(app), "on")


async def test_a_picture_seen_once_shows_with_the_server_gone(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.route("/crane.png", _png_reply())
        url = server.url("/crane.png")
        body = f'<p>Before.</p><img src="{url}" alt="A crane">'
        with _library(tmp_path, body) as library:
            app = _app(library)
            async with app.run_test(size=(140, 40)) as pilot:
                await _open(pilot)
                await until(pilot, lambda: _first_shown(app), "shown")
    # The server is gone; a new app on the same library and cache.
    with Library(tmp_path / "library.db", cache_dir=tmp_path / "cache") as library:
        app = _app(library)
        async with app.run_test(size=(140, 40)) as pilot:
            await _open(pilot)
            await until(pilot, lambda: _blocks(app) and _blocks(app)[0].state != "loading", "done")
            assert _blocks(app)[0].state == "shown"
            assert _blocks(app)[0].query(HalfBlocks)


async def test_an_episodes_artwork_shows_small_above_the_show_notes(tmp_path: Path) -> None:
    from tui.core.models import Enclosure

    with FeedServer() as server:
        server.route("/cover.png", _png_reply(_png((600, 600))))
        library = Library(tmp_path / "library.db", cache_dir=tmp_path / "cache")
        feed = library.add_feed("https://pod.test/feed.xml", title="Pod", topic="Audio")
        entry = ParsedEntry(
            key="https://pod.test/12",
            title="Episode 12",
            link="https://pod.test/12",
            content_html="<p>Show notes.</p>",
            published=NOW - timedelta(hours=1),
            enclosures=(
                Enclosure("https://cdn.pod.test/12.mp3", "audio/mpeg"),
                Enclosure(server.url("/cover.png"), "image/png", rel="artwork"),
            ),
        )
        library.ingest(feed.id, ParsedFeed(title="Pod", entries=(entry,)), now=NOW)
        with library:
            app = _app(library)
            async with app.run_test(size=(140, 40)) as pilot:
                await _open(pilot)
                (block,) = _blocks(app)
                await until(pilot, lambda: block.state == "shown", "the artwork shows")
                await settle(pilot)
                (picture,) = block.query(HalfBlocks)
                notes = next(w for w in app.main.reader.query(".block").results(Static))
                assert picture.size.height == 10  # a square cover, kept to ten rows
                assert picture.size.width == 20  # square: two pixels a cell down, one across
                assert block.region.y < notes.region.y


async def test_a_narrower_reader_draws_its_pictures_again_to_fit(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.route("/crane.png", _png_reply())
        body = f'<p>Before.</p><img src="{server.url("/crane.png")}" alt="A crane">'
        with _library(tmp_path, body) as library:
            app = _app(library)
            async with app.run_test(size=(160, 40)) as pilot:
                await _open(pilot)
                await until(pilot, lambda: _first_shown(app), "shown")
                await pilot.pause()
                (block,) = _blocks(app)
                wide = block.query_one(HalfBlocks).size.width
                await pilot.resize_terminal(130, 40)
                await until(
                    pilot,
                    lambda: (
                        _first_shown(app)
                        and _blocks(app)[0].query(HalfBlocks)
                        and _blocks(app)[0].query_one(HalfBlocks).size.width not in (0, wide)
                    ),
                    "drawn again narrower",
                )
                narrow = _blocks(app)[0].query_one(HalfBlocks).size.width
                reader_width = app.main.reader.scrollable_content_region.width
                assert narrow < wide and narrow <= reader_width
        assert len(server.hits("/crane.png")) == 1  # the second time from the cache


async def test_graphics_far_from_the_screen_are_let_go_and_come_back(tmp_path: Path) -> None:
    """Drawn as sixel, a picture three screens away is let go (its place kept, so the
    text does not move) and drawn again, from the cache, when the reader comes back."""
    from textual_image.widget import SixelImage

    long_text = "<p>" + "Words about the harbour. " * 1500 + "</p>"
    with FeedServer() as server:
        server.route("/a.png", _png_reply())
        body = f'<p>Lead.</p><img src="{server.url("/a.png")}" alt="First">{long_text}<p>End.</p>'
        with _library(tmp_path, body) as library:
            settings = dataclasses.replace(
                quiet_settings(), articles=ArticleSettings(min_words=0, prefetch=True)
            )
            app = NewstermApp(library, settings, now=lambda: NOW, pictures="sixel")
            async with app.run_test(size=(140, 40)) as pilot:
                await _open(pilot)
                await until(pilot, lambda: _first_shown(app), "shown")
                await pilot.pause()
                (block,) = _blocks(app)
                assert block.query(SixelImage)
                height = block.outer_size.height
                reader = app.main.reader
                end = reader.query(".block").results(Static)
                last = list(end)[-1]
                y_before = last.virtual_region.y
                reader.scroll_end(animate=False, immediate=True)
                await until(pilot, lambda: block.state == "waiting", "let go")
                await pilot.pause()
                assert not block.query(SixelImage)
                assert block.outer_size.height == height  # its place kept
                assert last.virtual_region.y == y_before  # nothing below it moved
                reader.scroll_home(animate=False, immediate=True)
                await until(pilot, lambda: block.state == "shown", "drawn again")
                await pilot.pause()
                assert block.query(SixelImage)
        assert len(server.hits("/a.png")) == 1  # the second time from the cache
