"""feedparser's handlers for namespaced elements, as the fast reader runs them.

This module owns the Dublin Core, iTunes and Media RSS elements that feedparser handles
(``namespaces/dc.py``, ``itunes.py``, ``mediarss.py``) and its comma-separated ``tags``
(``mixin.py``), written as feedparser writes them on top of the core handlers in
:mod:`tui.core.parse.fast.handlers`, and feedparser's table of handler aliases for both;
and newsterm's handlers for Podcasting 2.0's transcripts and chapters, which the driver
adds to feedparser's classes (:mod:`tui.core.parse.driver`). Pure: no I/O, and it never
imports textual or rich.
"""

from __future__ import annotations

from tui.core.parse.enclosures import keep_record
from tui.core.parse.fast.handlers import FeedHandlers
from tui.core.parse.fast.state import FeedDict, UnsupportedError

__all__ = ["END_ALIASES", "START_ALIASES", "NamespaceHandlers"]


class NamespaceHandlers(FeedHandlers):
    """feedparser's handlers from ``namespaces/dc.py``, ``itunes.py``, ``mediarss.py``, and tags."""

    def _start_dc_contributor(self, attrs_d: FeedDict) -> None:
        self.incontributor = 1
        self._get_context().setdefault("contributors", []).append({})
        self.push("name", 0)

    def _end_dc_contributor(self) -> None:
        self._end_name()
        self.incontributor = 0

    def _start_itunes_owner(self, attrs_d: FeedDict) -> None:
        self.inpublisher = 1
        self.push("publisher", 0)

    def _end_itunes_owner(self) -> None:
        self.pop("publisher")
        self.inpublisher = 0
        self._sync_author_detail("publisher")

    def _start_itunes_image(self, attrs_d: FeedDict) -> None:
        self.push("itunes_image", 0)
        if attrs_d.get("href"):
            self._get_context()["image"] = {"href": attrs_d.get("href")}
        elif attrs_d.get("url"):
            self._get_context()["image"] = {"href": attrs_d.get("url")}

    def _end_itunes_block(self) -> None:
        self.pop("itunes_block", 0)

    def _end_itunes_explicit(self) -> None:
        self.pop("itunes_explicit", 0)

    def _start_itunes_category(self, attrs_d: FeedDict) -> None:
        self._add_tag(attrs_d.get("text"), "http://www.itunes.com/", None)
        self.push("category", 1)

    def _end_itunes_keywords(self) -> None:
        value = self.pop("itunes_keywords")
        if value is None:
            raise UnsupportedError("feedparser swallows this AttributeError")
        for term in value.split(","):
            if term.strip():
                self._add_tag(term.strip(), "http://www.itunes.com/", None)

    def _start_media_category(self, attrs_d: FeedDict) -> None:
        attrs_d.setdefault("scheme", "http://search.yahoo.com/mrss/category_schema")
        self._start_category(attrs_d)

    def _end_media_keywords(self) -> None:
        value = self.pop("media_keywords")
        if value is None:
            raise UnsupportedError("feedparser swallows this AttributeError")
        for term in value.split(","):
            if term.strip():
                self._add_tag(term.strip(), None, None)

    def _end_media_title(self) -> None:
        title_depth = self.title_depth
        self._end_title()
        self.title_depth = title_depth

    def _start_media_group(self, attrs_d: FeedDict) -> None:
        pass  # feedparser: don't do anything, but don't break the enclosed tags either

    def _start_media_content(self, attrs_d: FeedDict) -> None:
        self._get_context().setdefault("media_content", []).append(attrs_d)

    def _start_media_thumbnail(self, attrs_d: FeedDict) -> None:
        context = self._get_context()
        context.setdefault("media_thumbnail", [])
        self.push("url", 1)
        context["media_thumbnail"].append(attrs_d)

    def _end_media_thumbnail(self) -> None:
        url = self.pop("url")
        context = self._get_context()
        if url is not None and url.strip() and "url" not in context["media_thumbnail"][-1]:
            context["media_thumbnail"][-1]["url"] = url

    def _start_media_credit(self, attrs_d: FeedDict) -> None:
        context = self._get_context()
        context.setdefault("media_credit", []).append(attrs_d)
        self.push("credit", 1)

    def _end_media_credit(self) -> None:
        credit = self.pop("credit")
        if credit is not None and credit.strip():
            self._get_context()["media_credit"][-1]["content"] = credit

    def _start_media_rating(self, attrs_d: FeedDict) -> None:
        self._get_context().setdefault("media_rating", attrs_d)
        self.push("rating", 1)

    def _end_media_rating(self) -> None:
        rating = self.pop("rating")
        if rating is not None and rating.strip():
            self._get_context()["media_rating"]["content"] = rating

    def _start_media_license(self, attrs_d: FeedDict) -> None:
        self._get_context().setdefault("media_license", attrs_d)
        self.push("license", 1)

    def _end_media_license(self) -> None:
        license_ = self.pop("license")
        if license_ is not None and license_.strip():
            self._get_context()["media_license"]["content"] = license_

    def _start_media_restriction(self, attrs_d: FeedDict) -> None:
        self._get_context().setdefault("media_restriction", attrs_d)
        self.push("restriction", 1)

    def _end_media_restriction(self) -> None:
        restriction = self.pop("restriction")
        if restriction is not None and restriction.strip():
            self._get_context()["media_restriction"]["content"] = restriction.split(" ")

    def _start_media_player(self, attrs_d: FeedDict) -> None:
        self.push("media_player", 0)
        self._get_context()["media_player"] = dict(attrs_d)

    def _end_media_player(self) -> None:
        value = self.pop("media_player")
        self._get_context()["media_player"]["content"] = value

    def _start_tags(self, attrs_d: FeedDict) -> None:
        self.push("tags", 1)

    def _end_tags(self) -> None:
        value = self.pop("tags")
        if value is None:
            raise UnsupportedError("feedparser swallows this AttributeError")
        for term in value.split(","):
            self._add_tag(term.strip(), None, None)

    # Not feedparser's: newsterm's, as the driver's _keep_records adds them to feedparser's
    # classes. Every element's attributes are kept in order, not only the last one's.
    def _start_podcast_transcript(self, attrs_d: FeedDict) -> None:
        _start_record(self, "podcast_transcript", attrs_d)

    def _end_podcast_transcript(self) -> None:
        self.pop("podcast_transcript")

    def _start_podcast_chapters(self, attrs_d: FeedDict) -> None:
        _start_record(self, "podcast_chapters", attrs_d)

    def _end_podcast_chapters(self) -> None:
        self.pop("podcast_chapters")


def _start_record(reader: FeedHandlers, key: str, attrs_d: FeedDict) -> None:
    """An element in :data:`~tui.core.parse.enclosures.RECORD_KEYS` opens: its attributes
    are filed after those of the ones before, its text is gathered apart and dropped."""
    if attrs_d:
        keep_record(reader._get_context(), key, attrs_d)
    reader.push(key, 0)


# feedparser's aliases (``_start_managingeditor = _start_author``, dc.py's wrappers...): an
# element key and the handler (here or in .handlers) that feedparser runs for it,
# at both tags.
_ALIASES = {
    "entry": "item",
    "managingeditor": "author",
    "dc_author": "author",
    "dc_creator": "author",
    "itunes_author": "author",
    "itunes_name": "name",
    "homepage": "url",
    "uri": "url",
    "itunes_email": "email",
    "tagline": "subtitle",
    "itunes_subtitle": "subtitle",
    "copyright": "rights",
    "dc_rights": "rights",
    "dc_language": "language",
    "dc_publisher": "webmaster",
    "issued": "published",
    "pubdate": "published",
    "dcterms_issued": "published",
    "modified": "updated",
    "lastbuilddate": "updated",
    "dc_date": "updated",
    "dcterms_modified": "updated",
    "dcterms_created": "created",
    "keywords": "category",
    "dc_subject": "category",
    "id": "guid",
    "dc_title": "title",
    "dc_description": "description",
    "media_description": "description",
    "feedburner_browserfriendly": "info",
    "itunes_summary": "summary",
}
START_ALIASES = _ALIASES | {
    "media_title": "title",
    "fullitem": "content_encoded",
    "itunes_link": "itunes_image",
}
END_ALIASES = _ALIASES | {
    "feed": "channel",
    "media_category": "category",
    "itunes_category": "category",
    "abstract": "description",
    "content_encoded": "content",
    "fullitem": "content",
}
