"""Small feed documents built in code, for tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass
class Item:
    title: str
    guid: str | None = None
    link: str | None = None
    description: str = ""
    content: str = ""
    published: datetime | None = None
    categories: tuple[str, ...] = ()


def items(count: int, *, prefix: str = "Story", start: datetime | None = None) -> list[Item]:
    start = start or datetime(2026, 11, 1, tzinfo=UTC)
    return [
        Item(
            title=f"{prefix} {n}",
            guid=f"urn:{prefix.lower()}:{n}",
            link=f"https://example.org/{prefix.lower()}/{n}",
            description=f"<p>Summary of {prefix.lower()} {n}.</p>",
            published=start - timedelta(hours=n),
        )
        for n in range(count)
    ]


def rss(
    entries: list[Item], *, title: str = "Test Feed", link: str = "https://example.org/"
) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{escape(title)}</title><link>{escape(link)}</link>",
        "<description>A feed for tests</description>",
    ]
    for item in entries:
        out.append("<item>")
        out.append(f"<title>{escape(item.title)}</title>")
        if item.guid:
            out.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.link:
            out.append(f"<link>{escape(item.link)}</link>")
        if item.description:
            out.append(f"<description>{escape(item.description)}</description>")
        if item.content:
            out.append(f"<content:encoded><![CDATA[{item.content}]]></content:encoded>")
        if item.published:
            out.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        for category in item.categories:
            out.append(f"<category>{escape(category)}</category>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")


def rss_document(
    items: str, channel: str = "<title>Example</title><link>https://example.com/</link>"
) -> bytes:
    """An RSS 2.0 document around raw ``<item>`` markup, for tests that need exact XML."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"<channel>{channel}\n{items}\n</channel></rss>"
    ).encode()
