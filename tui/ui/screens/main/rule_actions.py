"""Rules and views from the main screen: applying changed rules in the background, rules
made from a story (mute its feed, mute stories like it, highlight its author), views saved
from the search, and H, which lists the stories rules hide.

Rules and views live in ``config.toml``; writing them goes through the core
(:func:`tui.core.save_rule`, :func:`tui.core.save_view`), which keeps the user's comments.
The settings are then read again from the file, so what the app shows is what the file
says. Every file and library call runs in a thread worker.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from tui.core import (
    ConfigError,
    NewstermError,
    Rule,
    RulesReport,
    Settings,
    Story,
    load_settings,
    save_rule,
    save_view,
)
from tui.ui.background.threads import deliver, thread_worker
from tui.ui.dialogs.menu import MenuScreen
from tui.ui.dialogs.prompt import PromptScreen
from tui.ui.screens.main.parts import MainParts

_WORD = re.compile(r"\w{4,}")
# Words too common in titles to say what a story is about.
_COMMON = frozenset(
    (
        "this",
        "that",
        "with",
        "from",
        "what",
        "when",
        "where",
        "which",
        "will",
        "your",
        "have",
        "their",
        "about",
        "after",
        "into",
        "more",
        "most",
        "over",
        "than",
        "they",
        "them",
        "then",
        "these",
        "those",
        "were",
        "while",
        "would",
        "could",
        "should",
        "being",
        "just",
        "like",
        "make",
        "made",
        "says",
        "said",
        "news",
    )
)


def telling_words(title: str, most: int = 3) -> list[str]:
    """The longest uncommon words of a title, in the title's order: what "stories like
    this" offers to mute."""
    words = [w for w in dict.fromkeys(_WORD.findall(title.lower())) if w not in _COMMON]
    chosen = set(sorted(words, key=len, reverse=True)[:most])
    return [word for word in words if word in chosen]


def _quoted(text: str) -> str:
    """``text`` as one value of a filter: in double quotes, which it may not hold."""
    return '"' + text.replace('"', " ").strip() + '"'


class RuleActions:
    """Applies the rules when they change; makes rules and views from the UI."""

    def __init__(self, node: MainParts) -> None:
        self.node = node

    # -- applying ------------------------------------------------------------------------

    @thread_worker(group="rules", exclusive=True)
    def apply_if_changed(self, *, say: bool = False) -> None:
        """Work the config's rules out over the library when they changed since the last
        time (or an apply was cut short); the list is read again afterwards."""
        library = self.node.session.library
        try:
            if not library.rules_pending():
                return
            report = library.apply_rules(
                progress=lambda done, of: deliver(self.node, self._progress, (done, of))
            )
        except NewstermError as error:
            deliver(self.node, self._progress, None)
            deliver(self.node, self.node.problem, f"The rules were not applied: {error}")
            return
        deliver(self.node, self._applied, report, say)

    def _progress(self, progress: tuple[int, int] | None) -> None:
        self.node.status.rules = progress

    def _applied(self, report: RulesReport, say: bool) -> None:
        self.node.status.rules = None
        if say:
            hidden = report.hidden
            self.node.notify(
                f"Rules applied: {hidden} {'story' if hidden == 1 else 'stories'} hidden, "
                f"{report.read} marked read, {report.bookmarked} bookmarked.",
                markup=False,
            )
        self.node.reload()

    # -- the config ----------------------------------------------------------------------

    def _config_path(self) -> Path | None:
        source = Path(self.node.session.settings.source)
        return source if source.is_absolute() else None

    def _use(self, settings: Settings) -> None:
        """Settings read again after a change to the file: the list shows them."""
        self.node.session.settings = settings
        self.node.session.library.settings = settings

    # -- views ---------------------------------------------------------------------------

    def save_view(self, query: str) -> None:
        """Ask for a name and save ``query`` as a view (a name in use gets this query)."""
        query = query.strip()
        if not query:
            self.node.notify("Type a search first; ctrl+s saves it as a view.", markup=False)
            return

        def named(name: str | None) -> None:
            if name:
                self._write_view(name, query)

        self.node.app.push_screen(
            PromptScreen(
                "Save this search as a view, listed above the topics. Its name:",
                placeholder="e.g. Unread AI news",
            ),
            named,
        )

    @thread_worker(group="config")
    def _write_view(self, name: str, query: str) -> None:
        path = self._config_path()
        if path is None:
            deliver(self.node, self.node.problem, "There is no config file to save views in.")
            return
        try:
            new = save_view(path, name, query)
            settings = load_settings(path)
        except ConfigError as error:
            deliver(self.node, self.node.problem, f"The view was not saved: {error}")
            return
        deliver(self.node, self._view_saved, settings, name, new)

    def _view_saved(self, settings: Settings, name: str, new: bool) -> None:
        self._use(settings)
        said = "saved" if new else "updated"
        self.node.notify(f"View “{name}” {said}: it heads the list.", markup=False)
        self.node.reload()

    # -- rules from a story --------------------------------------------------------------

    @thread_worker(group="rules-menu", exclusive=True)
    def offer(self, story_id: int) -> None:
        """The rule menu for a story (read first, off the loop)."""
        try:
            story = self.node.session.library.story(story_id)
        except NewstermError as error:
            deliver(self.node, self.node.problem, str(error))
            return
        deliver(self.node, self._menu, story)

    def _menu(self, story: Story) -> None:
        choices = [
            ("feed", f"Mute this feed: hide every story from {story.feed_title}"),
            ("like", "Mute stories like this… (choose the words)"),
        ]
        if story.author:
            choices.append(("author", f"Highlight this author: {story.author}"))

        def chosen(choice: str | None) -> None:
            if choice == "feed":
                self._write_rule(Rule(f"feed:{_quoted(story.feed_title)}", "hide"))
            elif choice == "author":
                self._write_rule(Rule(f"author:{_quoted(story.author)}", "highlight", "yellow"))
            elif choice == "like":
                self._ask_words(story)

        self.node.app.push_screen(MenuScreen("Make a rule", story.title, choices), chosen)

    def _ask_words(self, story: Story) -> None:
        words = " ".join(f"title:{word}" for word in telling_words(story.title))

        def answered(query: str | None) -> None:
            if query:
                self._write_rule(Rule(query, "hide"))

        self.node.app.push_screen(
            PromptScreen(
                "Hide stories this query matches (title words, or any search):",
                value=words,
            ),
            answered,
        )

    @thread_worker(group="config")
    def _write_rule(self, rule: Rule) -> None:
        path = self._config_path()
        if path is None:
            deliver(self.node, self.node.problem, "There is no config file to save rules in.")
            return
        library = self.node.session.library
        try:
            matches = library.count(rule.query)  # a query it cannot read is said here
            save_rule(path, rule)
            settings = load_settings(path)
        except NewstermError as error:
            deliver(self.node, self.node.problem, f"The rule was not saved: {error}")
            return
        deliver(self.node, self._rule_saved, settings, rule, matches)

    def _rule_saved(self, settings: Settings, rule: Rule, matches: int) -> None:
        self._use(settings)
        noun = "story" if matches == 1 else "stories"
        hint = " H lists hidden stories." if rule.action == "hide" else ""
        self.node.notify(
            f"Rule saved ({rule.describe()}: {rule.query}); it matches {matches} {noun}.{hint}",
            markup=False,
        )
        self.apply_if_changed()

    # -- H -------------------------------------------------------------------------------

    def toggle_hidden(self) -> None:
        node = self.node
        shown = not node.filter.with_hidden
        node.set_filter(replace(node.filter, with_hidden=shown))
        node.notify(
            "Hidden stories shown, dimmed." if shown else "Hidden stories left out again.",
            markup=False,
        )
