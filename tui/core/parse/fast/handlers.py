"""feedparser's handlers for the core RSS and Atom elements, as the fast reader runs them.

This module owns what happens at the start and end of each element that feedparser's
``namespaces/_base.py`` handles — channel and item, title, link, guid, description,
summary, content, author, category, dates, image, source... — written as feedparser
writes them (same names, same order of operations) on top of the state and storage in
:mod:`tui.core.parse.fast.state`. The handlers for namespaced elements (Dublin Core,
iTunes, Media RSS) build on these in :mod:`tui.core.parse.fast.namespaces`.

Pure: no I/O, and it never imports textual or rich.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from feedparser.mixin import _FeedParserMixin

from tui.core.parse.fast.dates import parse_date
from tui.core.parse.fast.html import HTML_TYPES
from tui.core.parse.fast.state import FeedDict, ReaderState, UnsupportedError
from tui.core.parse.urls import LINK_TEXT, WEB_URL, end_text_link

__all__ = ["FeedHandlers"]

_map_content_type: Callable[[str], str] = _FeedParserMixin.map_content_type
_enforce_href: Callable[[FeedDict], FeedDict] = _FeedParserMixin._enforce_href


class FeedHandlers(ReaderState):
    """feedparser's ``_start_*`` and ``_end_*`` handlers from ``namespaces/_base.py``."""

    def _start_rss(self, attrs_d: FeedDict) -> None:
        if not self.version or not self.version.startswith("rss"):
            attr_version = attrs_d.get("version", "")
            version = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
            if attr_version in version:
                self.version = version[attr_version]
            elif attr_version.startswith("2."):
                self.version = "rss20"
            else:
                self.version = "rss"

    def _start_channel(self, attrs_d: FeedDict) -> None:
        self.infeed = 1
        self._cdf_common(attrs_d)

    @staticmethod
    def _cdf_common(attrs_d: FeedDict) -> None:
        if "lastmod" in attrs_d or "href" in attrs_d:
            raise UnsupportedError("CDF attributes")

    def _start_feed(self, attrs_d: FeedDict) -> None:
        self.infeed = 1
        if not self.version:
            version = {"0.1": "atom01", "0.2": "atom02", "0.3": "atom03"}
            self.version = version.get(attrs_d.get("version", ""), "atom")

    def _end_channel(self) -> None:
        self.infeed = 0

    def _start_image(self, attrs_d: FeedDict) -> None:
        context = self._get_context()
        if not self.inentry:
            context.setdefault("image", {})
        self.inimage = 1
        self.title_depth = -1
        self.push("image", 0)

    def _end_image(self) -> None:
        self.pop("image")
        self.inimage = 0

    def _start_textinput(self, attrs_d: FeedDict) -> None:
        self._get_context().setdefault("textinput", {})
        self.intextinput = 1
        self.title_depth = -1
        self.push("textinput", 0)

    def _end_textinput(self) -> None:
        self.pop("textinput")
        self.intextinput = 0

    def _start_author(self, attrs_d: FeedDict) -> None:
        self.inauthor = 1
        self.push("author", 1)
        self._get_context().setdefault("authors", []).append({})

    def _end_author(self) -> None:
        self.pop("author")
        self.inauthor = 0
        self._sync_author_detail()

    def _start_contributor(self, attrs_d: FeedDict) -> None:
        self.incontributor = 1
        self._get_context().setdefault("contributors", []).append({})
        self.push("contributor", 0)

    def _end_contributor(self) -> None:
        self.pop("contributor")
        self.incontributor = 0

    def _start_name(self, attrs_d: FeedDict) -> None:
        self.push("name", 0)

    def _end_name(self) -> None:
        value = self.pop("name")
        if self.inpublisher:
            self._save_author("name", value, "publisher")
        elif self.inauthor:
            self._save_author("name", value)
        elif self.incontributor:
            self._save_contributor("name", value)
        elif self.intextinput:
            self._get_context()["name"] = value

    def _start_width(self, attrs_d: FeedDict) -> None:
        self.push("width", 0)

    def _end_width(self) -> None:
        self._save_dimension("width")

    def _start_height(self, attrs_d: FeedDict) -> None:
        self.push("height", 0)

    def _end_height(self) -> None:
        self._save_dimension("height")

    def _save_dimension(self, key: str) -> None:
        value: Any = self.pop(key)
        try:
            value = int(value)
        except ValueError:
            value = 0
        if self.inimage:
            self._get_context()[key] = value

    def _start_url(self, attrs_d: FeedDict) -> None:
        self.push("href", 1)

    def _end_url(self) -> None:
        value = self.pop("href")
        if self.inauthor:
            self._save_author("href", value)
        elif self.incontributor:
            self._save_contributor("href", value)

    def _start_email(self, attrs_d: FeedDict) -> None:
        self.push("email", 0)

    def _end_email(self) -> None:
        value = self.pop("email")
        if self.inpublisher:
            self._save_author("email", value, "publisher")
        elif self.inauthor:
            self._save_author("email", value)
        elif self.incontributor:
            self._save_contributor("email", value)

    def _start_subtitle(self, attrs_d: FeedDict) -> None:
        self.push_content("subtitle", attrs_d, "text/plain", 1)

    def _end_subtitle(self) -> None:
        self.pop_content("subtitle")

    def _start_rights(self, attrs_d: FeedDict) -> None:
        self.push_content("rights", attrs_d, "text/plain", 1)

    def _end_rights(self) -> None:
        self.pop_content("rights")

    def _start_item(self, attrs_d: FeedDict) -> None:
        self.entries.append({})
        self.entry_depths = {}
        self.push("item", 0)
        self.inentry = 1
        self.guidislink = 0
        self.title_depth = -1
        about = attrs_d.get(self._map_to_standard_prefix("rdf:about"))
        if about:
            self._get_context()["id"] = about
        self._cdf_common(attrs_d)

    def _end_item(self) -> None:
        self.pop("item")
        self.inentry = 0
        self.has_content = 0

    def _start_language(self, attrs_d: FeedDict) -> None:
        self.push("language", 1)

    def _end_language(self) -> None:
        self.pop("language")  # feedparser keeps it as xml:lang, which nobody here reads

    def _start_webmaster(self, attrs_d: FeedDict) -> None:
        self.push("publisher", 1)

    def _end_webmaster(self) -> None:
        self.pop("publisher")
        self._sync_author_detail("publisher")

    def _start_published(self, attrs_d: FeedDict) -> None:
        self.push("published", 1)

    def _end_published(self) -> None:
        value = self.pop("published")
        self._save("published_parsed", parse_date(value), overwrite=True)

    def _start_updated(self, attrs_d: FeedDict) -> None:
        self.push("updated", 1)

    def _end_updated(self) -> None:
        value = self.pop("updated")
        self._save("updated_parsed", parse_date(value), overwrite=True)

    def _start_created(self, attrs_d: FeedDict) -> None:
        self.push("created", 1)

    def _end_created(self) -> None:
        value = self.pop("created")
        self._save("created_parsed", parse_date(value), overwrite=True)

    def _start_expirationdate(self, attrs_d: FeedDict) -> None:
        self.push("expired", 1)

    def _end_expirationdate(self) -> None:
        self._save("expired_parsed", parse_date(self.pop("expired")), overwrite=True)

    def _start_category(self, attrs_d: FeedDict) -> None:
        term = attrs_d.get("term")
        scheme = attrs_d.get("scheme", attrs_d.get("domain"))
        label = attrs_d.get("label")
        self._add_tag(term, scheme, label)
        self.push("category", 1)

    def _end_category(self) -> None:
        value = self.pop("category")
        if not value:
            return
        tags = self._get_context()["tags"]
        if value and len(tags) and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            self._add_tag(value, None, None)

    def _start_cloud(self, attrs_d: FeedDict) -> None:
        self._get_context()["cloud"] = dict(attrs_d)

    def _start_link(self, attrs_d: FeedDict) -> None:
        attrs_d.setdefault("rel", "alternate")
        if attrs_d["rel"] == "self":
            attrs_d.setdefault("type", "application/atom+xml")
        else:
            attrs_d.setdefault("type", "text/html")
        context = self._get_context()
        attrs_d = _enforce_href(attrs_d)
        if "href" in attrs_d:
            attrs_d["href"] = self.resolve_uri(attrs_d["href"])
        expecting_text = self.infeed or self.inentry or self.insource
        context.setdefault("links", [])
        if not (self.inentry and self.inimage):
            context["links"].append(dict(attrs_d))
        if "href" in attrs_d:
            alternate = (
                attrs_d.get("rel") == "alternate"
                and _map_content_type(attrs_d["type"]) in HTML_TYPES
            )
            if alternate:
                context["link"] = attrs_d["href"]
            if not WEB_URL.match(attrs_d["href"]):
                # newsterm's addition to feedparser (parse_feedparser._keep_link_text): the
                # element's text is kept, in case it is the http(s) link.
                link = context["links"][-1] if not (self.inentry and self.inimage) else None
                self.text_link = (context, link, alternate)
                self.push(LINK_TEXT, 0)
        else:
            self.push("link", expecting_text)

    def _end_link(self) -> None:
        held, self.text_link = self.text_link, None
        end_text_link(self, held)
        self.pop("link")

    def _start_guid(self, attrs_d: FeedDict) -> None:
        self.guidislink = attrs_d.get("ispermalink", "true") == "true"
        self.push("id", 1)

    def _end_guid(self) -> None:
        value = self.pop("id")
        self._save("guidislink", self.guidislink and "link" not in self._get_context())
        if self.guidislink:
            # guid acts as link, but only if 'ispermalink' is not present or is 'true',
            # and only if the item doesn't already have a link element
            self._save("link", value)

    def _start_title(self, attrs_d: FeedDict) -> None:
        expecting = self.infeed or self.inentry or self.insource
        self.push_content("title", attrs_d, "text/plain", expecting)

    def _end_title(self) -> None:
        value = self.pop_content("title")
        if not value:
            return
        self.title_depth = self.depth

    def _start_description(self, attrs_d: FeedDict) -> None:
        context = self._get_context()
        if "summary" in context and not self.has_content:
            self.summary_key = "content"
            self._start_content(attrs_d)
        else:
            expecting = self.infeed or self.inentry or self.insource
            self.push_content("description", attrs_d, "text/html", expecting)

    def _start_abstract(self, attrs_d: FeedDict) -> None:
        expecting = self.infeed or self.inentry or self.insource
        self.push_content("description", attrs_d, "text/plain", expecting)

    def _end_description(self) -> None:
        if self.summary_key == "content":
            self._end_content()
        else:
            self.pop_content("description")
        self.summary_key = None

    def _start_info(self, attrs_d: FeedDict) -> None:
        self.push_content("info", attrs_d, "text/plain", 1)

    def _end_info(self) -> None:
        self.pop_content("info")

    def _start_generator(self, attrs_d: FeedDict) -> None:
        self.push("generator", 1)  # its attributes go to generator_detail, unread

    def _end_generator(self) -> None:
        self.pop("generator")

    def _start_summary(self, attrs_d: FeedDict) -> None:
        context = self._get_context()
        if "summary" in context and not self.has_content:
            self.summary_key = "content"
            self._start_content(attrs_d)
        else:
            self.summary_key = "summary"
            self.push_content(self.summary_key, attrs_d, "text/plain", 1)

    def _end_summary(self) -> None:
        if self.summary_key == "content":
            self._end_content()
        else:
            self.pop_content(self.summary_key or "summary")
        self.summary_key = None

    def _start_enclosure(self, attrs_d: FeedDict) -> None:
        attrs_d = _enforce_href(attrs_d)
        context = self._get_context()
        attrs_d["rel"] = "enclosure"
        context.setdefault("links", []).append(dict(attrs_d))

    def _start_source(self, attrs_d: FeedDict) -> None:
        if "url" in attrs_d:
            self.sourcedata["href"] = attrs_d["url"]
        self.push("source", 1)
        self.insource = 1
        self.title_depth = -1

    def _end_source(self) -> None:
        self.insource = 0
        value = self.pop("source")
        if value:
            self.sourcedata["title"] = value
        self._get_context()["source"] = dict(self.sourcedata)
        self.sourcedata.clear()

    def _start_content(self, attrs_d: FeedDict) -> None:
        self.has_content = 1
        self.push_content("content", attrs_d, "text/plain", 1)
        src = attrs_d.get("src")
        if src:
            self.contentparams["src"] = src
        # Pushed twice, as feedparser does: the outer frame stays on the stack for good.
        self.push("content", 1)

    def _start_content_encoded(self, attrs_d: FeedDict) -> None:
        self.has_content = 1
        self.push_content("content", attrs_d, "text/html", 1)

    def _end_content(self) -> None:
        content_type = self.contentparams.get("type")
        if content_type is None:  # feedparser's AttributeError, which it swallows
            raise UnsupportedError("the end of a content element that did not start")
        copy_to_summary = _map_content_type(content_type) in {"text/plain"} | HTML_TYPES
        value = self.pop_content("content")
        if copy_to_summary:
            self._save("summary", value)
