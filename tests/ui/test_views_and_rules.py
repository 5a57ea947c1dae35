"""Views above the topics, rules made and applied from the app, and H (Pilot, real library,
a real config.toml in tmp_path)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.support.pilot import make_app, quiet_settings, settle, title_row
from tui.core.library import Library
from tui.core.settings import Rule, View, load_settings
from tui.ui.dialogs.menu import MenuScreen
from tui.ui.dialogs.prompt import PromptScreen
from tui.ui.dialogs.search import SearchScreen

COMMENTED = """\
# My newsterm config: these comments must survive.
[ui]
theme = "nord"  # the one I like

# Views I keep:
"""


def _config(tmp_path: Path, text: str = COMMENTED) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _settings(path: Path, **changes: object) -> object:
    return replace(quiet_settings(), source=str(path), **changes)


def _groups(app: object) -> list[tuple[str, int, int, bool]]:
    index = app.main.stories.index  # type: ignore[attr-defined]
    return [(g.name, g.count, g.unread, g.view) for g in index.groups]


async def test_views_head_the_list_with_their_counts_and_follow_marks(demo_db: Path) -> None:
    views = (View("Unread space", "topic:space is:unread"), View("Floods", "flood"))
    settings = replace(quiet_settings(), views=views)
    with Library(demo_db, settings) as library:
        space_unread = len(library.find("topic:space is:unread", limit=500))
        floods = library.find("flood", limit=500)
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            groups = _groups(app)
            assert groups[0] == ("Unread space", space_unread, space_unread, True)
            assert groups[1][0] == "Floods" and groups[1][1] == len(floods)
            assert not any(view for *_, view in groups[2:])
            # Folded until opened: the first lines are the two headings, then a topic's.
            stories = app.main.stories
            assert stories.index.line(1).index is None  # type: ignore[union-attr]
            # The status bar's unread count is the library's, not views plus topics.
            before = app.main.status.unread
            await pilot.press("enter")  # opens the first view
            await pilot.press("down", "m")  # the view's first story: read
            await settle(pilot)
            groups = _groups(app)
            assert groups[0][2] == space_unread - 1
            space = next(g for g in groups if g[0] == "Space" and not g[3])
            assert space[2] == space_unread - 1  # its topic's count moved too
            assert app.main.status.unread == before - 1
            # The story left the unread view once the list was read again; the cursor
            # stays in the view, on the line it was on.
            cursor = stories.cursor
            app.main.reload()
            await settle(pilot)
            assert stories.cursor == cursor
            line = stories.index.line(stories.cursor)
            assert line is not None and stories.index.groups[line.group].view
            # In a view the story stays in, the cursor stays on the story.
            floods = stories.index.heading_line(1)
            stories.fold_all(False)
            stories._move(floods + 1, force=True)
            await settle(pilot)  # a view's stories are read a window at a time, as a topic's
            row = stories.current_row
            assert row is not None
            app.main.reload()
            await settle(pilot)
            assert stories.current_row is not None and stories.current_row.id == row.id
            line = stories.index.line(stories.cursor)
            assert line is not None and stories.index.groups[line.group].name == "Floods"


async def test_ctrl_s_in_the_search_saves_a_view_and_keeps_the_configs_comments(
    demo_db: Path, tmp_path: Path
) -> None:
    path = _config(tmp_path)
    settings = _settings(path)
    with Library(demo_db, settings) as library:  # type: ignore[arg-type]
        app = make_app(library, settings)  # type: ignore[arg-type]
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"flood", "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, PromptScreen)
            await pilot.press(*"Floods", "enter")
            await settle(pilot)
            assert isinstance(app.screen, SearchScreen)  # the search stays open
            await pilot.press("escape")
            await settle(pilot)
            assert ("Floods", 2, 2, True) in _groups(app)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(COMMENTED)
    assert load_settings(path).views == (View("Floods", "flood"),)
    assert load_settings(path).ui.theme == "nord"


async def test_muting_a_feed_from_a_story_hides_it_and_h_lists_it_dimmed(
    demo_db: Path, tmp_path: Path
) -> None:
    path = _config(tmp_path)
    settings = _settings(path)
    with Library(demo_db, settings) as library:  # type: ignore[arg-type]
        target = title_row(library, "one in a hundred years")
        feed_stories = [s for s in library.stories() if s.feed_title == "Weathervane"]
        total = library.counts()[0]
        app = make_app(library, settings)  # type: ignore[arg-type]
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            app.main.stories.move_to_story(target.id)
            await pilot.press("X")
            await settle(pilot)
            assert isinstance(app.screen, MenuScreen)
            await pilot.press("enter")  # the first choice: mute this feed
            await settle(pilot)
            await settle(pilot)
            assert library.counts()[0] == total - len(feed_stories)
            listed = set(app.main.stories.index.known.values())
            assert not listed & {s.id for s in feed_stories}
            await pilot.press("H")
            await settle(pilot)
            assert {s.id for s in feed_stories} <= set(app.main.stories.index.known.values())
            row = app.main.stories.row_of(target.id)
            assert row is not None and row.hidden
            await pilot.press("H")
            await settle(pilot)
            assert not set(app.main.stories.index.known.values()) & {s.id for s in feed_stories}
    rules = load_settings(path).rules
    assert rules == (Rule('feed:"Weathervane"', "hide"),)
    assert path.read_text(encoding="utf-8").startswith(COMMENTED)


async def test_muting_stories_like_this_offers_the_titles_words(
    demo_db: Path, tmp_path: Path
) -> None:
    path = _config(tmp_path)
    settings = _settings(path)
    with Library(demo_db, settings) as library:  # type: ignore[arg-type]
        target = title_row(library, "Glacier meltwater")
        app = make_app(library, settings)  # type: ignore[arg-type]
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            app.main.stories.move_to_story(target.id)
            await pilot.press("X", "down", "enter")
            await settle(pilot)
            assert isinstance(app.screen, PromptScreen)
            offered = app.screen.value
            words = offered.split()
            assert words and all(w.startswith("title:") for w in words)
            assert "title:meltwater" in words and len(words) == 3
            await pilot.press("enter")
            await settle(pilot)
            await settle(pilot)
            assert target.id not in set(app.main.stories.index.known.values())
    (rule,) = load_settings(path).rules
    assert rule.action == "hide" and rule.query == offered


async def test_rules_changed_since_the_last_start_are_applied_in_the_background(
    demo_db: Path,
) -> None:
    rules = (Rule("title:glacier", "hide"), Rule("feed:weathervane", "highlight", "green"))
    settings = replace(quiet_settings(), rules=rules)
    with Library(demo_db, settings) as library:
        glacier = title_row(library, "Glacier meltwater")
        assert library.rules_pending()
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await settle(pilot)
            assert not library.rules_pending()
            assert glacier.id not in set(app.main.stories.index.known.values())
            heat = title_row(library, "Heat pumps")
            app.main.stories.move_to_story(heat.id)
            await settle(pilot)
            row = app.main.stories.row_of(heat.id)
            assert row is not None and row.highlight == "green"
            assert app.main.status.rules is None


async def test_a_folded_views_counts_come_after_the_list_and_follow_marks_made_elsewhere(
    demo_db: Path,
) -> None:
    views = (View("Floods", "flood"),)
    settings = replace(quiet_settings(), views=views)
    with Library(demo_db, settings) as library:
        floods = library.find("flood", limit=500)
        unread = [story for story in floods if not story.read]
        app = make_app(library, settings)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            stories = app.main.stories
            # Counted after the first frame (the list's worker), without reading its stories.
            assert _groups(app)[0] == ("Floods", len(floods), len(unread), True)
            assert stories.index.groups[0].counted
            assert "view:floods" in stories.index.folded
            assert not any(p < stories.index.views_end for p in stories.index.known)
            # A flood story read under its topic: the folded view's count moves too.
            app.main.loader.show(unread[0].id)
            await settle(pilot)
            assert stories.current_id == unread[0].id
            await pilot.press("m")
            await settle(pilot)
            assert _groups(app)[0] == ("Floods", len(floods), len(unread) - 1, True)
            await pilot.press("m")  # unread again
            await settle(pilot)
            assert _groups(app)[0] == ("Floods", len(floods), len(unread), True)
