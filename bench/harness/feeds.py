"""Synthetic feeds: deterministic, with realistic sizes, written to disk for the feed server.

Most feeds are 10–40 KB; about 15 % are 50–150 KB, their items carrying long
``content:encoded`` (RSS) or ``<content type="html">`` (Atom) bodies with headings,
paragraphs, lists, quotes and links, as blogs that publish full text do. About 70 % of the
feeds are RSS 2.0 and 30 % Atom 1.0. Everything follows from one seed: the same
arguments give the same bytes, so runs compare.

Each feed is a sliding window over an endless numbered list of items: ``window(shift=0)``
holds items ``0..M-1`` and ``shift=1`` holds ``1..M`` (one new item on top, the oldest
dropped), which is how a real feed changes between two refreshes. :func:`write_corpus`
writes both windows of every feed with the manifests ``server.py`` serves.

Stdlib only (the parser's tests load this file by path to read these feeds).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

# Fixed, in the past: the bytes must not depend on the day the benchmark runs.
BASE_DATE = datetime(2026, 9, 1, tzinfo=UTC)

_WORD_TEXT = (
    "the of and to in is that for it as with was on be by at this from are or an have "
    "not they which one you were all we when there can more their if has been would will "
    "system data network server kernel release update security patch version support "
    "feature design library python rust compiler memory thread process socket protocol "
    "browser terminal editor window screen market policy election council budget report "
    "climate energy solar battery vehicle research study science space mission orbit "
    "telescope planet galaxy museum archive history language culture music film review "
    "interview season player match league coach transfer city river bridge station train "
    "airport weather storm winter summer harvest recipe kitchen garden health hospital "
    "vaccine doctor patient school student teacher university degree company startup "
    "investor funding revenue quarter profit merger bank inflation rate housing rent "
    "performance benchmark latency throughput cache database query index storage cloud "
    "container cluster deploy pipeline testing debugging refactor migration schema open "
    "source community maintainer contributor license documentation tutorial guide notes"
)
_WORDS = tuple(_WORD_TEXT.split())

TOPICS = (
    "Technology",
    "Science",
    "Politics",
    "Business",
    "Culture",
    "Sports",
    "Health",
    "Programming",
    "Space",
    "Climate",
    "Music",
    "Film",
    "Travel",
    "Food",
    "Security",
)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """What one synthetic feed looks like; the bytes come from :func:`render`."""

    index: int
    kind: str  # "rss" or "atom"
    large: bool  # one of the ~15 % with long full-text bodies
    target_bytes: int  # the size the feed is built to, give or take a few percent
    title: str
    topics: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"/feeds/{self.index:04d}.xml"

    @property
    def content_type(self) -> str:
        return "application/atom+xml" if self.kind == "atom" else "application/rss+xml"


#: The feed mixes :func:`plan` makes. ``light``: mostly 10–40 KB, ~15 % large, as a mixed
#: subscription list is. ``heavy``: every feed carries whole articles, 120–140 KB (about
#: 130 KB, 2.6 KB an item at 50 items), as a blog-heavy list is: the feeds that cost most.
PROFILES = ("light", "heavy")


def plan(count: int, seed: int, profile: str = "light") -> list[FeedSpec]:
    """The specs of ``count`` feeds; the same ``seed`` gives the same feeds."""
    rng = random.Random(f"newsterm-bench:{seed}")
    heavy = profile == "heavy"
    specs = []
    for index in range(count):
        kind = "atom" if rng.random() < 0.30 else "rss"
        large = heavy or rng.random() < 0.15
        if heavy:
            target = rng.randint(120_000, 140_000)
        else:
            target = rng.randint(50_000, 150_000) if large else rng.randint(10_000, 40_000)
        title = f"{_sentence(rng, 2, 4)} Weekly #{index}"
        topics = tuple(rng.sample(TOPICS, 3))
        specs.append(FeedSpec(index, kind, large, target, title, topics))
    return specs


def render(spec: FeedSpec, items: int, seed: int, shift: int = 0) -> bytes:
    """The feed document holding items ``shift .. shift+items-1``, newest first.

    The text of the items is sized so that the document lands within ~5 % of
    ``spec.target_bytes`` (a couple of corrective passes: escaping and markup make the
    overhead hard to guess). Feeds whose budget is under ~500 bytes an item get lean items
    (no author, categories or separate guid), as small real feeds do; a feed cannot get
    smaller than its items' fixed fields, ~11 KB for 50 lean items.
    """
    numbers = range(shift + items - 1, shift - 1, -1)
    per_item_total = spec.target_bytes // max(items, 1)
    lean = per_item_total < 500
    budget = max(0, per_item_total - (220 if lean else 420))
    document = b""
    for _attempt in range(6):  # bounded: usually 2–3 passes
        bodies = [_item(spec, n, seed, budget, lean) for n in numbers]
        document = _atom(spec, bodies) if spec.kind == "atom" else _rss(spec, bodies)
        missing = spec.target_bytes - len(document)
        if abs(missing) <= spec.target_bytes * 0.05 or (budget == 0 and missing < 0):
            break
        budget = max(0, budget + int(missing / max(items, 1) * 0.9))
    return document


@dataclass
class Corpus:
    """Feeds on disk, as served: both windows of every feed."""

    specs: list[FeedSpec]
    folders: dict[str, Path]  # "base" / "changed" → folder with manifest.json
    sizes: list[int]  # bytes of each base feed

    def describe(self) -> str:
        sizes = sorted(self.sizes)
        atom = sum(s.kind == "atom" for s in self.specs)
        return (
            f"{sum(sizes) / 1e6:.1f} MB; {sizes[0] / 1e3:.0f}-{sizes[-1] / 1e3:.0f} KB, "
            f"median {sizes[len(sizes) // 2] / 1e3:.0f} KB, "
            f"{sum(s >= 50_000 for s in sizes)} of {len(sizes)} ≥ 50 KB; "
            f"{len(sizes) - atom} RSS / {atom} Atom"
        )

    def urls(self, hosts: Sequence[str], port: int) -> list[str]:
        """Every feed's URL, feed ``i`` on ``hosts[i % len(hosts)]``."""
        return [f"http://{hosts[s.index % len(hosts)]}:{port}{s.path}" for s in self.specs]


def write_corpus(root: Path, feeds: int, items: int, seed: int, profile: str = "light") -> Corpus:
    """Both variants of every feed, and the manifests the server reads."""
    specs = plan(feeds, seed, profile)
    folders: dict[str, Path] = {}
    sizes: list[int] = []
    for variant, shift in (("base", 0), ("changed", 1)):
        folder = root / variant
        folder.mkdir(parents=True)
        modified = BASE_DATE + timedelta(hours=6 * (items + shift))
        manifest = {}
        for spec in specs:
            body = render(spec, items, seed, shift)
            name = f"{spec.index:04d}.xml"
            (folder / name).write_bytes(body)
            manifest[spec.path] = {
                "file": name,
                "type": spec.content_type,
                "last_modified": format_datetime(modified, usegmt=True),
            }
            if variant == "base":
                sizes.append(len(body))
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        folders[variant] = folder
    return Corpus(specs, folders, sizes)


@dataclass(frozen=True, slots=True)
class _Item:
    number: int
    title: str
    link: str
    author: str
    published: datetime
    categories: tuple[str, ...]
    summary_html: str
    content_html: str  # empty for the small feeds
    lean: bool


def _item(spec: FeedSpec, number: int, seed: int, budget: int, lean: bool) -> _Item:
    rng = random.Random(f"newsterm-bench:{seed}:{spec.index}:{number}")
    title = _sentence(rng, 3, 7) if lean else _sentence(rng, 4, 10)
    if lean:
        link = f"https://s{spec.index}.example.org/p/{number}"
    else:
        link = f"https://site{spec.index:04d}.example.org/{BASE_DATE.year}/posts/{number}-"
        link += "-".join(title.lower().split()[:5])
    published = BASE_DATE + timedelta(hours=6 * number, minutes=rng.randint(0, 59))
    categories = tuple(rng.sample(spec.topics, rng.randint(1, 2)))
    author = f"{_word(rng).title()} {_word(rng).title()}"
    if spec.large:
        summary = f"<p>{_sentence(rng, 20, 40)}</p>"
        content = _article(rng, max(budget - len(summary), 200), link)
    else:
        summary = _summary(rng, max(budget, 40), link)
        content = ""
    return _Item(number, title, link, author, published, categories, summary, content, lean)


def _word(rng: random.Random) -> str:
    return rng.choice(_WORDS)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(_WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize()


def _paragraph(rng: random.Random, size: int, link: str) -> str:
    """Sentences (some with a link) adding up to about ``size`` characters."""
    parts: list[str] = []
    length = 0
    while length < size:
        sentence = _sentence(rng, 8, 22) + "."
        room = size - length
        if len(sentence) > room:  # the last one: cut to fit, at a word
            head = sentence[: max(room, 12)].rsplit(" ", 1)[0]
            parts.append(head.rstrip(".") + ".")
            break
        if rng.random() < 0.15:
            anchor = " ".join(rng.choices(_WORDS, k=2))
            sentence += f' See <a href="{link}#{length}">{anchor}</a>.'
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)


def _summary(rng: random.Random, size: int, link: str) -> str:
    """Short HTML for a small feed's ``<description>``: one or two paragraphs."""
    if size < 240:
        return f"<p>{_paragraph(rng, size - 7, link)}</p>"
    half = size // 2
    return f"<p>{_paragraph(rng, half - 7, link)}</p><p>{_paragraph(rng, half - 7, link)}</p>"


def _article(rng: random.Random, size: int, link: str) -> str:
    """A full-text HTML body of about ``size`` characters."""
    out: list[str] = []
    length = 0
    while length < size:
        roll = rng.random()
        if roll < 0.12:
            block = f"<h2>{_sentence(rng, 3, 7)}</h2>"
        elif roll < 0.20:
            entries = "".join(f"<li>{_sentence(rng, 4, 10)}</li>" for _ in range(rng.randint(2, 5)))
            block = f"<ul>{entries}</ul>"
        elif roll < 0.25:
            block = f"<blockquote><p>{_sentence(rng, 10, 25)}.</p></blockquote>"
        elif roll < 0.28:
            block = f'<p><img src="{link}/figure-{length}.png" alt="{_sentence(rng, 2, 5)}"></p>'
        else:
            block = f"<p>{_paragraph(rng, rng.randint(250, 700), link)}</p>"
        out.append(block)
        length += len(block)
    return "\n".join(out)


def _rss(spec: FeedSpec, items: list[_Item]) -> bytes:
    site = f"https://site{spec.index:04d}.example.org/"
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"<title>{escape(spec.title)}</title>",
        f"<link>{site}</link>",
        f"<description>{escape(spec.title)}: news and notes.</description>",
        "<language>en</language>",
        f"<lastBuildDate>{format_datetime(items[0].published)}</lastBuildDate>" if items else "",
        "<generator>newsterm bench</generator>",
    ]
    for item in items:
        out.append("<item>")
        out.append(f"<title>{escape(item.title)}</title>")
        out.append(f"<link>{escape(item.link)}</link>")
        out.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        if not item.lean:  # a lean item is identified by its link
            out.append(f'<guid isPermaLink="false">urn:bench:{spec.index}:{item.number}</guid>')
            out.append(f"<dc:creator>{escape(item.author)}</dc:creator>")
            out.extend(f"<category>{escape(c)}</category>" for c in item.categories)
        out.append(f"<description>{escape(item.summary_html)}</description>")
        if item.content_html:
            # CDATA, as most blog engines emit it.
            out.append(f"<content:encoded><![CDATA[{item.content_html}]]></content:encoded>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "\n".join(line for line in out if line).encode("utf-8")


def _atom(spec: FeedSpec, items: list[_Item]) -> bytes:
    site = f"https://site{spec.index:04d}.example.org/"
    updated = items[0].published.isoformat() if items else BASE_DATE.isoformat()
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
        f"<title>{escape(spec.title)}</title>",
        f"<id>urn:bench:feed:{spec.index}</id>",
        f'<link rel="alternate" href={quoteattr(site)}/>',
        f"<updated>{updated}</updated>",
        "<generator>newsterm bench</generator>",
    ]
    for item in items:
        out.append("<entry>")
        out.append(f"<title>{escape(item.title)}</title>")
        out.append(f"<id>urn:bench:{spec.index}:{item.number}</id>")
        out.append(f'<link rel="alternate" href={quoteattr(item.link)}/>')
        out.append(f"<updated>{item.published.isoformat()}</updated>")
        if not item.lean:
            out.append(f"<published>{item.published.isoformat()}</published>")
            out.append(f"<author><name>{escape(item.author)}</name></author>")
            out.extend(f"<category term={quoteattr(c)}/>" for c in item.categories)
        out.append(f'<summary type="html">{escape(item.summary_html)}</summary>')
        if item.content_html:
            out.append(f'<content type="html">{escape(item.content_html)}</content>')
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out).encode("utf-8")
