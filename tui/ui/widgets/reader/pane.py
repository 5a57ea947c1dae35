"""The reader pane: one story laid out as docs/design.md ("The reader's layout") describes.

Top to bottom: the breadcrumb (its parts are clickable), the meta line (``verified=`` and
the sentiment dot in colour) and, for a story other feeds carried too, "also from …"; the
title, the dek, the read time and date, and a note on where the text comes from (reader
mode's full text, or why the page could not be read); the body as a lead and sections
(headings marked ``#``), then "more in #topic" with the topic's newest other stories,
which can be opened.

The pane is handed a ready :class:`~tui.core.article.view.ReaderView` (built in a worker thread
from the library); it does no I/O. Every piece of story text is shown through
``Content``/``markup=False``, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core import Block, MetaLine, ReaderView, Story, dek, relative_age, source_domain
from tui.ui.widgets.reader.body import numbering, render_block, section_heading
from tui.ui.widgets.reader.picture import PictureBlock


class Breadcrumb(Static):
    """``cd /news/<topic>/<slug> · home  topics  <topic>  article``; the parts are links.

    The click actions are fixed strings attached by style span; the topic slug beside
    them is plain text, so nothing from a feed ever becomes an action.
    """

    def __init__(self, view: ReaderView) -> None:
        parts: list[Content | tuple[str, str] | str] = [
            (f"{view.breadcrumb} · ", "$foreground-muted")
        ]
        for label, target in zip(view.path, ("home", "topics", "topic", "article"), strict=True):
            parts += [(label, f"$accent @click=navigate('{target}')"), "  "]
        super().__init__(Content.assemble(*parts), classes="breadcrumb", markup=False)

    def action_navigate(self, target: str) -> None:
        self.post_message(ReaderPane.Navigate(target))


#: ``verified=`` values and how they look: confirmed at the source, contradicted; ``?``
#: keeps the meta line's muted colour.
VERIFIED_STYLES = {"true": "$text-success", "false": "$text-error"}
#: The sentiment dot's colour per label (neutral keeps the muted colour).
SENTIMENT_STYLES = {"positive": "$text-success", "negative": "$text-error"}


def meta_content(meta: MetaLine) -> Content:
    """The meta line with ``verified=``'s value and the sentiment dot coloured.

    The core hands the line in parts, so the values are styled by what they are, never by
    where they sit in the text. (Muted parts get no span: ``$foreground-muted`` is ``auto
    60%``, which only CSS resolves; in a span it comes out white.)
    """
    verified: Content | str = meta.verified
    if style := VERIFIED_STYLES.get(meta.verified):
        verified = Content.styled(meta.verified, style)
    sentiment: list[Content | str] = ["?"]
    if meta.sentiment:
        dot = SENTIMENT_STYLES.get(meta.sentiment)
        sentiment = [Content.styled("·", f"bold {dot}" if dot else "bold"), f" {meta.sentiment}"]
    return Content.assemble(meta.head, " verified=", verified, " sentiment=", *sentiment)


#: The tallest an episode's artwork is drawn, in rows: a cover, not a photo.
ARTWORK_ROWS = 10


class ReaderPane(VerticalScroll, can_focus=True):
    """Shows one story; ``[``/``]`` move between its sections."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Scroll down", show=False, id="reader_down"),
        Binding("k,up", "scroll_up", "Scroll up", show=False, id="reader_up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="reader_top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="reader_bottom"),
        Binding("pageup", "page_up", "Page up", show=False, id="reader_page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="reader_page_down"),
    ]

    class Navigate(Message):
        """A breadcrumb part was clicked: ``home``, ``topics``, ``topic`` or ``article``."""

        def __init__(self, target: str) -> None:
            super().__init__()
            self.target = target

    class RelatedSelected(Message):
        """A story under "more in #topic" was chosen."""

        def __init__(self, story_id: int) -> None:
            super().__init__()
            self.story_id = story_id

    def __init__(self, *, now: Callable[[], datetime] | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: ReaderView | None = None
        self._now = now
        self._headings: list[Widget] = []
        #: Whether the open story's images stand as :class:`PictureBlock` (to be drawn
        #: once loaded) or as their text placeholders.
        self.pictures = False

    def compose(self) -> ComposeResult:
        yield Static(
            "Choose a story in the list and press Enter to read it here.",
            classes="reader-empty",
            markup=False,
        )

    # -- showing a story -----------------------------------------------------------------

    async def show(
        self, view: ReaderView, *, keep_scroll: bool = False, pictures: bool = False
    ) -> None:
        """Lay out ``view``, scrolled to the top; ``keep_scroll``: where it was instead, if
        it had been scrolled (the same story shown again, now in full). ``pictures``:
        images stand as blocks the picture loader fills in."""
        scrolled_to = round(self.scroll_y) if keep_scroll else 0
        had_focus = self.app.focused is not None and self.app.focused in self.walk_children()
        self.view = view
        self.pictures = pictures
        widgets = list(self._build(view))
        with self.app.batch_update():
            await self.remove_children()
            await self.mount_all(widgets)
        self.scroll_home(animate=False, immediate=True)
        if scrolled_to:
            # After the next layout: the new widgets have no size yet.
            self.call_after_refresh(self.scroll_to, y=scrolled_to, animate=False, immediate=True)
        if had_focus and self.app.focused is None:
            self.focus()  # the focused part (the related list) was rebuilt

    def set_note(self, note: str) -> None:
        """Change the note under the read line (e.g. "Fetching the full article…")."""
        for widget in self.query(".note").results(Static):
            widget.update(Content(note))
            widget.display = bool(note)

    async def clear(self) -> None:
        self.view = None
        self._headings = []
        await self.remove_children()
        await self.mount(Static("No story open.", classes="reader-empty", markup=False))

    def _build(self, view: ReaderView) -> list[Widget]:
        story = view.story
        widgets: list[Widget] = [
            Breadcrumb(view),
            Static(meta_content(view.meta_line), classes="meta", markup=False),
        ]
        if view.also:
            widgets.append(Static(Content(view.also), classes="also", markup=False))
        widgets.append(Static(Content(story.title), classes="title", markup=False))
        summary = dek(story, view.article)
        if summary:
            widgets.append(Static(Content(summary), classes="dek", markup=False))
        read = Content(view.read_line)
        if story.link:
            read = read + Content.styled(f"\n{story.link}", "$foreground-muted")
        widgets.append(Static(read, classes="read-line", markup=False))
        if view.enclosures:
            # What the story carries (podcast episodes, videos), under the read line.
            files = Content("\n".join(view.enclosures))
            widgets.append(Static(files, classes="enclosures", markup=False))
        artwork = next((i for i in view.enclosure_items if i.rel == "artwork"), None)
        if self.pictures and artwork is not None:
            # The episode's own picture, small, before the show notes.
            placeholder = Content.styled("[artwork]", "italic")
            widgets.append(PictureBlock(placeholder, artwork.url, "", max_rows=ARTWORK_ROWS))
        note = Static(Content(view.note), classes="note", markup=False)
        note.display = bool(view.note)
        widgets.append(note)
        numbers = numbering()
        for block in view.article.lead:
            widgets.append(self._block(block, numbers, ""))
        self._headings = []
        for section in view.article.sections:
            heading = Static(
                section_heading(section.heading), classes="section-heading", markup=False
            )
            self._headings.append(heading)
            widgets.append(heading)
            for position, block in enumerate(section.blocks):
                # A section's first text sits right under its heading: the heading introduces it.
                widgets.append(
                    self._block(block, numbers, "under-heading" if position == 0 else "")
                )
        if view.related:
            widgets.append(
                Static(
                    Content(
                        f"── more in #{story.topic.slug} · {len(view.related)} stories"
                        " · sorted by recency"
                    ),
                    classes="more-heading",
                    markup=False,
                )
            )
            options = [
                Option(self._related_prompt(other), id=str(other.id)) for other in view.related
            ]
            widgets.append(OptionList(*options, id="related", markup=False))
        return widgets

    def _block(self, block: Block, numbers: Iterator[int], classes: str) -> Widget:
        rendered = render_block(block, numbers)
        if self.pictures and block.kind == "image" and block.links:
            alt, url = block.links[0]
            return PictureBlock(rendered.content, url, alt, classes=classes)
        return Static(rendered.content, classes=f"block {rendered.kind} {classes}", markup=False)

    def picture_blocks(self) -> list[PictureBlock]:
        """The open story's pictures, top to bottom."""
        return list(self.query(PictureBlock).results(PictureBlock))

    def _related_prompt(self, other: Story) -> Content:
        now = self._now() if self._now else None
        source = source_domain(other.link) or other.feed_title
        where = f"{source} · {relative_age(other.sort_date, now)}"
        return Content.assemble(other.title, ("\n  " + where, "$foreground-muted"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.RelatedSelected(int(event.option.id)))

    # -- sections ------------------------------------------------------------------------

    @property
    def section_titles(self) -> list[str]:
        if self.view is None:
            return []
        return [section.heading for section in self.view.article.sections]

    def _heading_tops(self) -> list[int]:
        return [heading.virtual_region.y for heading in self._headings]

    def current_section(self) -> int:
        """Index of the section at the top of the pane; -1 in the lead."""
        top = round(self.scroll_y)
        current = -1
        for index, y in enumerate(self._heading_tops()):
            if y <= top:
                current = index
        return current

    def jump_to_section(self, index: int) -> None:
        """Scroll so that section ``index`` starts at the top; -1 is the top of the story."""
        if index < 0:
            self.scroll_home(animate=False, immediate=True)
        elif index < len(self._headings):
            self.scroll_to(y=self._heading_tops()[index], animate=False, immediate=True)

    def next_section(self) -> bool:
        top = round(self.scroll_y)
        if top >= self.max_scroll_y:
            return False  # at the end already: every later heading is on screen
        for index, y in enumerate(self._heading_tops()):
            if y > top:
                self.jump_to_section(index)
                return True
        return False

    def previous_section(self) -> bool:
        top = round(self.scroll_y)
        tops = self._heading_tops()
        for index in range(len(tops) - 1, -1, -1):
            if tops[index] < top:
                self.jump_to_section(index)
                return True
        if top > 0:
            self.jump_to_section(-1)
            return True
        return False
