"""Full-text search: type words, see matching stories, Enter opens one.

The query runs in a thread worker (``Library.search(query, forgiving=True)``: a stray quote
or operator is read as words rather than refused). Results are plain ``Content``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tui.core import NewstermError, SearchResult, relative_age
from tui.ui.background.threads import deliver
from tui.ui.session import Session

_DEBOUNCE_SECONDS = 0.25
_LIMIT = 100


class SearchScreen(ModalScreen[int | None]):
    """Dismisses with the chosen story's id, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="search_close"),
        Binding("down", "focus_results", "Results", show=False, id="search_focus_results"),
        Binding("ctrl+f", "focus_query", "Query", show=False, id="search_focus_query"),
        Binding("ctrl+s", "save_view", "Save as view", id="search_save_view"),
    ]

    def __init__(
        self,
        session: Session,
        query: str = "",
        save_view: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.initial_query = query
        self.save_view = save_view  # ctrl+s: the query becomes a view in config.toml
        self.results_query: str | None = None  # the query the shown results are for
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog search"):
            yield Static(
                "Search all stories — Enter opens, ↓ to the results, ctrl+s saves as a view, "
                "Esc closes",
                classes="dialog-title",
                markup=False,
            )
            yield Input(
                self.initial_query, placeholder='words, "a phrase", title:word, word*', id="query"
            )
            yield Static("", id="search-status", markup=False)
            yield OptionList(id="results", markup=False)

    def action_save_view(self) -> None:
        if self.save_view is not None:
            self.save_view(self.query_one("#query", Input).value)

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        if self.initial_query:
            self._search(self.initial_query, open_first=False)

    # -- typing --------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        query = event.value
        self._timer = self.set_timer(
            _DEBOUNCE_SECONDS, lambda: self._search(query, open_first=False)
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        query = event.value.strip()
        if not query:
            return
        results = self.query_one("#results", OptionList)
        if self.results_query == query and results.option_count:
            self._open_highlighted()
        else:
            if self._timer is not None:
                self._timer.stop()
            self._search(query, open_first=True)

    # -- searching -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="search")
    def _search(self, query: str, open_first: bool) -> None:
        query = query.strip()
        if not query:
            deliver(self, self._show, query, [], "", False)
            return
        worker = get_current_worker()
        try:
            # A newer query cancels this worker, and the search with it (it polls ``stop``).
            found = self.session.library.search(
                query, limit=_LIMIT, forgiving=True, stop=lambda: worker.is_cancelled
            )
            problem = ""
        except NewstermError as error:
            found, problem = [], str(error)
        if not worker.is_cancelled:
            deliver(self, self._show, query, found, problem, open_first)

    def _show(self, query: str, found: list[SearchResult], problem: str, open_first: bool) -> None:
        if not self.is_attached:
            return
        self.results_query = query
        results = self.query_one("#results", OptionList)
        results.clear_options()
        results.add_options(
            Option(self._prompt(result), id=str(result.story.id)) for result in found
        )
        status = self.query_one("#search-status", Static)
        if problem:
            status.update(Content(problem))
        elif query:
            status.update(
                Content(
                    (f"{len(found)} stories match" if len(found) > 1 else "1 story matches")
                    if found
                    else "Nothing matches."
                )
            )
        else:
            status.update(Content(""))
        if found:
            results.highlighted = 0
            if open_first:
                self._open_highlighted()

    def _prompt(self, result: SearchResult) -> Content:
        story = result.story
        age = relative_age(story.sort_date, self.session.now())
        parts: list[Content | tuple[str, str] | str] = [
            (story.title, "bold"),
            (f"\n  {story.feed_title} · #{story.topic.slug} · {age}", "$foreground-muted"),
        ]
        if result.snippet:
            snippet = " ".join(result.snippet.split())  # one line, whatever the body held
            parts.append((f"\n  {snippet}", "italic $foreground-muted"))
        return Content.assemble(*parts)

    def _open_highlighted(self) -> None:
        results = self.query_one("#results", OptionList)
        if results.highlighted is None:
            return
        option = results.get_option_at_index(results.highlighted)
        if option.id is not None:
            self.dismiss(int(option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    # -- keys ----------------------------------------------------------------------------

    def action_focus_results(self) -> None:
        results = self.query_one("#results", OptionList)
        if results.option_count:
            results.focus()

    def action_focus_query(self) -> None:
        self.query_one("#query", Input).focus()

    def action_close(self) -> None:
        self.dismiss(None)
