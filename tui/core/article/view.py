"""What the reader shows for one story, as plain data, and the same as plain text.

The terminal UI's reader pane and ``newsterm show`` both start from :func:`reader_view`, so
they always agree on the breadcrumb, the meta line, the read time and the sections (the
reader's layout is described in docs/design.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from tui.core.article.render import render_text
from tui.core.article.sections import Article, parse_article
from tui.core.models import Enclosure, StoredArticle, Story, slugify
from tui.core.text.dates import relative_age
from tui.core.text.html import html_to_text
from tui.core.text.hygiene import clean_line
from tui.core.text.urls import link_leaves_site


def source_domain(url: str) -> str:
    """``https://www.example.org/a`` → ``example.org``; empty for a URL without a host."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


@dataclass(frozen=True, slots=True)
class MetaLine:
    """``[ARTICLE · art-N] src=… topic=… verified=… sentiment=…``, in parts, so that a client
    can style the values without reading them back out of the text."""

    head: str  # "[ARTICLE · art-N] src=… topic=…"
    verified: str  # "true", "false" or "?"
    sentiment: str  # "positive", "neutral", "negative", or "" until labelled

    @property
    def text(self) -> str:
        sentiment = f"· {self.sentiment}" if self.sentiment else "?"
        return f"{self.head} verified={self.verified} sentiment={sentiment}"


@dataclass(frozen=True, slots=True)
class ReaderView:
    story: Story
    article: Article
    breadcrumb: str
    path: tuple[str, ...]
    meta_line: MetaLine
    read_line: str
    related: tuple[Story, ...]
    #: Where the body comes from when it is not the feed's own, or why the page could
    #: not be read ("" when there is nothing to say).
    note: str = ""
    #: True when the body is the story's web page as reader mode extracted it.
    full_text: bool = False
    #: "also from Feed B, Feed C" when other feeds carried the same story.
    also: str = ""
    #: One line for each file the story carries, then for each of an episode's extras
    #: (transcripts, chapters, artwork): :func:`enclosure_line`.
    enclosures: tuple[str, ...] = ()
    #: What those lines are of, in their order.
    enclosure_items: tuple[Enclosure, ...] = ()

    @property
    def meta(self) -> str:
        return self.meta_line.text

    @property
    def read_minutes(self) -> int:
        return self.article.read_minutes


def story_slug(story: Story, limit: int = 28) -> str:
    """The title as a path segment, cut at a word boundary so the breadcrumb fits a line."""
    slug = slugify(story.title)
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1].rsplit("-", 1)[0]
    return cut if len(cut) >= limit // 2 else slug[:limit].rstrip("-")


def verified_label(story: Story) -> str:
    """``true``/``false`` once the page was checked; before, ``false`` for a link to another
    site than the feed's, else ``?``."""
    if story.verified is not None:
        return "true" if story.verified else "false"
    if story.feed_url and story.link and link_leaves_site(story.feed_url, story.link):
        return "false"
    return "?"


def meta_line(story: Story) -> MetaLine:
    return MetaLine(
        head=f"[ARTICLE · art-{story.id}] src={source_domain(story.link) or '-'}"
        f" topic={story.topic.slug}",
        verified=verified_label(story),
        sentiment=story.sentiment or "",
    )


def reader_view(
    story: Story,
    related: Sequence[Story] = (),
    article: StoredArticle | None = None,
    *,
    prefer_page: bool = False,
) -> ReaderView:
    """What the reader shows: the fullest body known (the stored page, else the feed's).
    ``prefer_page`` (a feed set to full text ``always``): the page whenever it has text."""
    body_html = story.content_html or story.summary
    body = parse_article(body_html, base_url=story.link)
    if body.word_count == 0 and story.summary:
        body = parse_article(story.summary, base_url=story.link)
    note, full_text = "", False
    if article is not None and article.ok:
        page = parse_article(article.html, base_url=article.url)
        if page.word_count > body.word_count or (prefer_page and page.word_count > 0):
            body, full_text = page, True
            when = f" · fetched {article.fetched_at:%b %-d, %Y}" if article.fetched_at else ""
            note = f"Full text from {source_domain(article.url) or 'the story page'}{when}"
        else:
            note = (
                f"The story's page ({page.word_count} words) has no more text than the feed; "
                "showing the feed's text."
            )
    elif article is not None:
        # Cleaned again: an older newsterm stored URLs a server sent in some notes, as sent.
        note = f"Full article unavailable: {clean_line(article.note)} Showing the feed's text."
    items = files_then_extras(story.enclosures)
    return ReaderView(
        story=story,
        article=body,
        breadcrumb=f"cd /news/{story.topic.slug}/{story_slug(story)}",
        path=("home", "topics", story.topic.slug, "article"),
        meta_line=meta_line(story),
        read_line=_read_line(story, body),
        related=tuple(related),
        note=note,
        full_text=full_text,
        also=f"also from {', '.join(story.sources)}" if story.sources else "",
        enclosures=tuple(enclosure_line(item) for item in items),
        enclosure_items=items,
    )


def _read_line(story: Story, body: Article) -> str:
    published = story.published or story.first_seen
    return f"read {body.read_minutes} min · published {published:%b %-d, %Y}"


def transcript_view(view: ReaderView, transcript: Article, item: Enclosure) -> ReaderView:
    """``view`` with an episode's transcript (``item``, read into ``transcript``) as its
    body, the way a story's web page replaces the feed's text: the note says what it is."""
    return dataclasses.replace(
        view,
        article=transcript,
        read_line=_read_line(view.story, transcript),
        note=f"The episode's {'chapters' if item.rel == 'chapters' else 'transcript'}: "
        "open the story again for its own text.",
        full_text=False,
    )


def files_then_extras(items: Sequence[Enclosure]) -> tuple[Enclosure, ...]:
    """The story's files in the feed's order, then its extras (stored after them already;
    a damaged or hand-edited list is put right)."""
    return tuple(sorted(items, key=lambda item: bool(item.rel)))


_KIND_MARKS = {"audio": "♪", "video": "▶", "image": "▣", "file": "⇩"}


def enclosure_line(item: Enclosure) -> str:
    """``♪ audio · 43 MB · 1:02:03 · Episode 12 · cdn.example.org``: what the file is, as
    far as the feed says, and where it is; an extra's line is :func:`extra_line`'s."""
    if item.rel:
        return extra_line(item)
    parts = [f"{_KIND_MARKS[item.kind]} {item.type or item.kind}"]
    if item.length:
        parts.append(file_size(item.length))
    if item.duration:
        parts.append(clock_duration(item.duration))
    if item.title:
        parts.append(item.title)
    parts.append(source_domain(item.url) or item.url)
    return " · ".join(parts)


_EXTRA_NAMES = {"transcript": "Transcript", "chapters": "Chapters", "artwork": "Artwork"}
# What a transcript's format is called, by its media type (Podcasting 2.0 lists these).
_FORMAT_NAMES = {
    "text/vtt": "WebVTT",
    "application/x-subrip": "SRT",
    "application/srt": "SRT",
    "application/x-srt": "SRT",
    "text/srt": "SRT",
    "text/x-srt": "SRT",
    "application/json": "JSON",
    "text/html": "HTML",
    "text/plain": "text",
}


def extra_line(item: Enclosure) -> str:
    """``Transcript · WebVTT · en · cdn.example.org``, ``Chapters · cdn.example.org``,
    ``Artwork · cdn.example.org``: an episode's extra, as far as the feed says. (How many
    chapters there are is known only once their file is fetched.)"""
    parts = [_EXTRA_NAMES.get(item.rel, item.rel.capitalize())]
    if item.rel == "transcript":
        if item.type:
            parts.append(_FORMAT_NAMES.get(item.type, item.type))
        if item.language:
            parts.append(item.language)
    parts.append(source_domain(item.url) or item.url)
    return " · ".join(parts)


def file_size(length: int) -> str:
    """``512 B``, ``34 KB``, ``43 MB``, ``1.2 GB`` (powers of 1000, as players show them)."""
    size = float(length)
    for unit in ("B", "KB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def clock_duration(seconds: int) -> str:
    """``4:05``, ``1:02:03``."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def dek(story: Story, article: Article) -> str:
    """The one- or two-sentence summary under the headline, unless the body repeats it."""
    summary = html_to_text(story.summary) if "<" in story.summary else story.summary
    if not summary:
        return ""
    first = article.text[: len(summary) + 20]
    if summary[:120] and summary[:120] in first:
        return ""
    return summary if len(summary) <= 320 else summary[:319].rstrip() + "…"


def story_as_text(view: ReaderView, *, width: int = 80) -> list[str]:
    """The reader pane as lines of plain text, for ``newsterm show``."""
    story = view.story
    lines = [f"{view.breadcrumb} · {'  '.join(view.path)}", view.meta]
    if view.also:
        lines.append(view.also)
    lines += ["", story.title]
    summary = dek(story, view.article)
    if summary:
        lines.append(summary)
    lines += ["", view.read_line]
    if story.link:
        lines.append(story.link)
    for line, item in zip(view.enclosures, view.enclosure_items, strict=True):
        lines += [line, f"  {item.url}"]
    if view.note:
        lines.append(view.note)
    lines.append("")
    lines += render_text(view.article, width=width)
    if view.related:
        lines += [
            "",
            f"── more in #{story.topic.slug} · {len(view.related)} stories · sorted by recency",
        ]
        for other in view.related:
            where = (
                f"{source_domain(other.link) or other.feed_title} · {relative_age(other.sort_date)}"
            )
            room = max(10, width - len(where) - 6)
            title = other.title if len(other.title) <= room else other.title[: room - 1] + "…"
            lines.append(f"  {title:<{room}}  {where}  (art-{other.id})")
    return lines
