"""The status bar above the footer: refresh mode, sync state, where you are, counts,
refresh progress.

``LIVE [news/science/orbit-survey-finds-fai…] tone:negative indexed:15000 unread:42 read:4min …``

The screen sets the reactive attributes; the bar only draws them. The path holds a topic
slug and a story slug, which are ASCII made by :func:`tui.core.models.slugify`, and it
is still added as plain text.
"""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

_BAR_CELLS = 12
_PATH_CELLS = 40


class StatusBar(Widget):
    """One line of state; every attribute is reactive and redraws the bar."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $text;
    }
    """

    mode: reactive[str] = reactive("PAUSED")
    """``LIVE`` (auto-refresh on), ``PAUSED`` (off), ``OFFLINE`` (the last refresh could
    not reach any feed) or ``READ-ONLY`` (the library cannot be written)."""
    path: reactive[str] = reactive("news/")
    """``news/<topic>/<story-slug>`` of the open story, or the list's view."""
    indexed: reactive[int] = reactive(0)
    """Stories in the library."""
    unread: reactive[int] = reactive(0)
    """Unread stories in the library."""
    tone: reactive[str] = reactive("")
    """The list's tone filter (``positive``, ``neutral``, ``negative``), or empty for all."""
    reading: reactive[str] = reactive("")
    """``read:4min 2025-10-08`` for the open story, else empty."""
    progress: reactive[tuple[int, int] | None] = reactive(None)
    """(feeds done, feeds in all) while a refresh runs."""
    sync: reactive[str] = reactive("")
    """The sync accounts' state: empty without accounts, ``ok``, ``offline`` (the server
    could not be reached: marks wait for it, nothing is lost) or ``failed``."""
    queued: reactive[int] = reactive(0)
    """Marks and feed changes waiting for a sync server."""
    rules: reactive[tuple[int, int] | None] = reactive(None)
    """(steps done, steps in all) while changed rules are worked out over the library."""
    downloads: reactive[str] = reactive("")
    """``⇩ 12.5 MB 41%`` while enclosures download, else empty."""

    def render(self) -> Content:
        mode_style = {
            "LIVE": "bold $text-success on $success-muted",
            "OFFLINE": "bold $text-error on $error-muted",
            "READ-ONLY": "bold $text-warning on $warning-muted",
        }.get(self.mode, "bold $foreground-muted")
        counts = f" indexed:{self.indexed} unread:{self.unread}"
        tone: list[Content | tuple[str, str] | str] = []
        if self.tone:
            tone = [" tone:", (self.tone, "$accent")]
        reading = f" {self.reading}" if self.reading else ""
        sync: list[Content | tuple[str, str] | str] = []
        if self.sync:
            label = {"offline": "SYNC OFFLINE", "failed": "SYNC FAILED"}.get(self.sync, "SYNC")
            if self.queued:
                label += f" {self.queued} queued"
            sync_style = "bold $text-success on $success-muted"
            if self.sync in ("offline", "failed"):
                sync_style = "bold $text-error on $error-muted"
            elif self.queued:
                sync_style = "bold $text-warning on $warning-muted"
            sync = [(f" {label} ", sync_style), " "]
        tail: list[Content | tuple[str, str] | str] = []
        if self.progress is not None and self.progress[1] == 0:
            tail = ["  refreshing…"]  # how many feeds are due is not known yet
        elif self.progress is not None:
            done, total = self.progress
            filled = _BAR_CELLS * done // max(total, 1)
            tail = [
                "  refreshing ",
                ("█" * filled, "$accent"),
                ("░" * (_BAR_CELLS - filled), "$foreground-muted"),
                f" {done}/{total}",
            ]
        if self.rules is not None:
            done, total = self.rules
            tail.append(f"  applying rules {100 * done // max(total, 1)}%")
        if self.downloads:
            tail.append(("  " + self.downloads, "$accent"))
        # The path gets what the other parts leave, so a narrow terminal keeps the counts.
        fixed = (
            len(self.mode)
            + 5
            + len(counts)
            + len(reading)
            + Content.assemble(*sync, *tone, *tail).cell_length
        )
        room = max(12, min(_PATH_CELLS, self.size.width - fixed))
        path = self.path if len(self.path) <= room else self.path[: room - 1] + "…"
        return Content.assemble(
            (f" {self.mode} ", mode_style),
            " ",
            *sync,
            ("[", "$foreground-muted"),
            (path, "$accent"),
            ("]", "$foreground-muted"),
            *tone,
            counts,
            reading,
            *tail,
        )
