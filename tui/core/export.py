"""Stories and feeds as plain data for other programs: JSON records, Markdown, and the
Netscape bookmark file that browsers import.

The JSON shapes here are the stable ``--json`` output documented in the README: add keys,
never rename or remove them.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from tui.core.models import Account, Enclosure, Feed, SearchResult, Story, SyncReport
from tui.core.text.dates import to_iso
from tui.core.text.urls import openable_url


def story_record(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "feed_id": story.feed_id,
        "feed_title": story.feed_title,
        "topic": story.topic.name,
        "topic_slug": story.topic.slug,
        "title": story.title,
        "link": story.link,
        "summary": story.summary,
        "author": story.author,
        "published": to_iso(story.published),
        "first_seen": to_iso(story.first_seen),
        "read": story.read,
        "read_at": to_iso(story.read_at),
        "bookmarked": story.bookmarked,
        "bookmarked_at": to_iso(story.bookmarked_at),
        "verified": story.verified,
        "sentiment": story.sentiment,
        "enclosures": [enclosure_record(item) for item in story.enclosures],
    }


def enclosure_record(item: Enclosure) -> dict[str, Any]:
    """A file the story carries; an episode's extra (transcript, chapters, artwork) has
    two more keys, ``rel`` and ``language``, which a file's record does not (it is as it
    was before there were extras)."""
    record: dict[str, Any] = {
        "url": item.url,
        "type": item.type,
        "length": item.length,
        "duration": item.duration,
        "title": item.title,
    }
    if item.rel:
        record["rel"] = item.rel
        record["language"] = item.language
    return record


def search_record(result: SearchResult) -> dict[str, Any]:
    return {**story_record(result.story), "snippet": result.snippet}


def feed_record(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "title": feed.title,
        "url": feed.url,
        "site_url": feed.site_url,
        "topic": feed.topic.name,
        "topic_slug": feed.topic.slug,
        "tags": list(feed.tags),
        "unread": feed.unread,
        "total": feed.total,
        "status": feed.status.value,
        "last_error": feed.last_error or None,
        "next_retry": to_iso(feed.next_retry),
        "last_fetched": to_iso(feed.last_fetched),
        "account": feed.account,
        "every": feed.every_minutes,
        "hint": feed.hint_minutes,
        "full_text": feed.full_text.value,
        "paused": feed.paused,
        "next_due": to_iso(feed.next_due),
    }


def account_record(account: Account) -> dict[str, Any]:
    """An account for ``--json``: never its secret (which is not in :class:`Account`)."""
    return {
        "name": account.name,
        "api": account.api,
        "url": account.url,
        "user": account.user,
        "feeds": account.feeds,
        "queued": account.queued,
        "last_sync": to_iso(account.last_sync),
        "last_error": account.last_error or None,
    }


def sync_record(report: SyncReport) -> dict[str, Any]:
    return {
        "account": report.account,
        "ok": report.ok,
        "new": report.new,
        "pulled": report.pulled,
        "pushed": report.pushed,
        "queued": report.queued,
        "seconds": round(report.seconds, 3),
        "requests": report.requests,
        "error": report.error or None,
        "notes": list(report.notes),
    }


def _md_escape(text: str) -> str:
    for char in "\\[]()*_`<>#":
        text = text.replace(char, "\\" + char)
    return text


def bookmarks_markdown(stories: Iterable[Story]) -> str:
    lines = ["# Bookmarks", ""]
    for story in stories:
        link = openable_url(story.link)
        title = _md_escape(story.title)
        item = f"[{title}](<{link}>)" if link else title
        when = f", {story.published:%Y-%m-%d}" if story.published else ""
        lines.append(f"- {item} — {_md_escape(story.feed_title)} · {story.topic.name}{when}")
    return "\n".join(lines) + "\n"


def bookmarks_netscape_html(stories: Iterable[Story]) -> str:
    """The Netscape bookmark file format every browser imports, one folder per topic."""
    by_topic: dict[str, list[Story]] = {}
    for story in stories:
        by_topic.setdefault(story.topic.name, []).append(story)
    out = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        "<TITLE>Bookmarks</TITLE>",
        "<H1>Bookmarks</H1>",
        "<DL><p>",
        "    <DT><H3>newsterm</H3>",
        "    <DL><p>",
    ]
    for topic, items in sorted(by_topic.items()):
        out.append(f"        <DT><H3>{html.escape(topic)}</H3>")
        out.append("        <DL><p>")
        for story in items:
            link = openable_url(story.link)
            if not link:
                continue  # a bookmark file entry without an http(s) target is useless
            added = int((story.bookmarked_at or story.first_seen).timestamp())
            out.append(
                f'            <DT><A HREF="{html.escape(link, quote=True)}" ADD_DATE="{added}">'
                f"{html.escape(story.title)}</A>"
            )
            if story.summary:
                out.append(f"            <DD>{html.escape(story.summary[:300])}")
        out.append("        </DL><p>")
    out += ["    </DL><p>", "</DL><p>"]
    return "\n".join(out) + "\n"
