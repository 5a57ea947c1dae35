"""A library of news as a heavy reader's looks after a year: the one the query benchmark
searches, lists views of and applies rules to.

:func:`build` stores ``stories`` stories in ``feeds`` feeds through newsterm's own store
(:func:`tui.core.store.ingest.store_entries`, one transaction a feed, as a refresh does),
so every index, the full-text index, link keys and duplicate links are what newsterm
makes of them. What makes it a fair test of queries:

* **words**: titles, summaries and bodies are drawn from a vocabulary of ~20,000 words
  with Zipf frequencies (a few words in every story, most in very few), mixed with each
  topic's own words and phrases, so that a typical search word matches a few hundred to a
  few thousand stories out of 100k, as in a real library, not all of them or none;
* **feeds**: a dozen topics; feed sizes from a few dozen stories to a few thousand; a fifth
  carry full texts (bodies of a few KB), the rest summaries; a few are aggregators whose
  links point at many sites, some at stories another feed already brought (duplicates);
* **people and places**: authors from a pool of names (a fifth of the feeds give none),
  links on each feed's site (``www.`` and sub-domains mixed), a "Press Office" and
  sponsored posts for the rules to find;
* **state**: dates over the last year; older stories mostly read, recent ones less
  (marks made by hand); half a percent bookmarked; three quarters labelled with a tone.

Everything is seeded: the same sizes and seed give the same library. Feed URLs are
``https://feeds.example/N.xml`` and are never fetched.
"""

from __future__ import annotations

import random
import re
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from tui.core.library import Library
from tui.core.models import ParsedEntry
from tui.core.store import feeds as feed_queries
from tui.core.store.ingest import store_entries
from tui.core.text.dates import to_iso

# Each topic's own words (the first ones its stories use most) and phrases, and the first
# words of its feeds' names.
TOPIC_WORDS: dict[str, str] = {
    "Science": "research study scientists cells protein genome experiment physics chemistry "
    "molecule evolution species fossil laboratory particle neuron brain bacteria enzyme "
    "microscope hypothesis journal samples mutation theory isotope crystal mitochondria",
    "Technology": "ai chip smartphone startup software cloud battery device platform app data "
    "model robot semiconductor processor display wireless network browser privacy update "
    "gadget laptop sensor drone headset silicon firmware",
    "Climate": "climate emissions carbon warming glacier drought wildfire renewable solar wind "
    "flood heatwave methane ocean ice temperature coal adaptation biodiversity forest sea "
    "rainfall permafrost hurricane pollution grid hydrogen reef coastline",
    "Space": "orbit launch rocket satellite telescope galaxy mars moon asteroid astronaut "
    "mission spacecraft planet star nebula comet lunar probe exoplanet cosmic gravity capsule "
    "booster observatory eclipse meteor supernova rover payload",
    "Programming": "rust python compiler kernel release library function async memory bug "
    "database api framework language code commit linux debugger syntax typescript golang "
    "performance refactor testing container git runtime",
    "World": "election government minister president parliament protest war ceasefire talks "
    "border refugees sanctions treaty vote court coalition diplomat summit troops opposition "
    "reform referendum embassy crisis alliance constitution regime negotiations",
    "Culture": "film album festival museum novel artist exhibition theatre director music book "
    "concert gallery poetry painting award premiere series actor opera dance critic sculpture "
    "orchestra documentary memoir streaming comedy fashion",
    "Health": "vaccine patients hospital virus disease cancer trial doctors drug treatment "
    "infection outbreak diet sleep therapy surgery mental obesity diabetes nurses antibiotics "
    "symptoms immune clinic pandemic dementia heart exercise nutrition",
    "Economy": "market inflation rates bank stocks economy growth jobs prices trade investors "
    "earnings tariffs recession debt currency oil profits shares wages housing exports "
    "unemployment bonds tax merger revenue consumer deficit",
    "Sports": "match season league goal coach team championship final player cup tournament "
    "victory injury transfer striker marathon olympic medal stadium referee defeat penalty "
    "squad race cricket tennis football basketball",
    "Design": "design typography interface layout font colour architecture building furniture "
    "sketch prototype branding logo minimal studio chair lamp poster usability accessibility "
    "illustration palette icon wireframe pattern texture concrete facade interior",
    "Security": "vulnerability breach malware ransomware attack hackers exploit patch password "
    "phishing encryption cipher leak botnet firewall backdoor spyware authentication "
    "credentials disclosure advisory threat incident forensics trojan surveillance sandbox "
    "certificate audit",
}
TOPICS = list(TOPIC_WORDS)
TOPIC_PHRASES: dict[str, tuple[str, ...]] = {
    "Science": ("peer review", "black hole", "gene editing"),
    "Technology": ("machine learning", "neural network", "large language model"),
    "Climate": ("climate change", "carbon capture", "sea level"),
    "Space": ("black hole", "launch window", "space station"),
    "Programming": ("open source", "memory safety", "pull request"),
    "World": ("peace talks", "prime minister", "human rights"),
    "Culture": ("box office", "short story", "film festival"),
    "Health": ("public health", "clinical trial", "mental health"),
    "Economy": ("interest rates", "central bank", "supply chain"),
    "Sports": ("world cup", "transfer window", "grand slam"),
    "Design": ("user interface", "design system", "type foundry"),
    "Security": ("data breach", "zero day", "supply chain"),
}
FEED_PREFIXES: dict[str, tuple[str, ...]] = {
    "Science": ("Lab Notes", "Cell", "Particle", "Fossil", "Enzyme"),
    "Technology": ("Gadget", "Silicon", "Chip", "Cloud", "Device"),
    "Climate": ("Carbon", "Glacier", "Heat", "Ocean", "Grid"),
    "Space": ("Orbit", "Launch", "Comet", "Lunar", "Nebula"),
    "Programming": ("Kernel", "Compiler", "Commit", "Runtime", "Syntax"),
    "World": ("Capital", "Border", "Summit", "Embassy", "Treaty"),
    "Culture": ("Gallery", "Stage", "Screen", "Verse", "Encore"),
    "Health": ("Clinic", "Pulse", "Ward", "Vital", "Remedy"),
    "Economy": ("Market", "Ledger", "Bourse", "Dividend", "Tariff"),
    "Sports": ("Touchline", "Podium", "Matchday", "Final Whistle", "Paddock"),
    "Design": ("Grid", "Serif", "Studio", "Blueprint", "Palette"),
    "Security": ("Cipher", "Breach", "Firewall", "Patch", "Sentinel"),
}
FEED_SUFFIXES = ("Weekly", "Daily", "Review", "Journal", "Desk")
# The most common words, in order, then news words; after them come made-up words (names,
# rare terms), down to a rank where a word is in a handful of stories.
_COMMON = (
    "the of and to a in is that for on with as was it by at from be this are an has have not "
    "but or its were will their more after about which who been they one up new than over "
    "into out also some would can could when there said"
)
_NEWS = (
    "year people time first last world week report day two three million percent company "
    "state city country according group officials public plan part home family years months "
    "number case change system program life work school water money power support level "
    "control issue question point local national international early major small large high "
    "low best next long short old young important several another different recent latest "
    "future community industry president chief executive service project team police news "
    "law health end since under while during between through both each much many most "
    "including announced expected released told called found made make take took get "
    "according statement warned agreed decided reported led based known set hit rise fall "
    "record deal price cost cut increase decline share data study review analysis interview "
    "opinion feature explainer live update guide video photo story inside behind why how what "
    "where first second third weekend monday tuesday wednesday thursday friday saturday sunday "
    "january february march april may june july august september october november december "
    "north south east west central european american asian african global regional rural "
    "urban private federal"
)
_SYLLABLES = [
    "ka", "lo", "ri", "ven", "tor", "mi", "sa", "dun", "bel", "qua", "zer", "ni", "po", "tas",
    "lem", "vor", "ki", "ru", "fen", "gal", "sol", "ma", "te", "bri", "dor", "nel", "pa", "vi",
    "cro", "sul", "ta", "mer", "go", "lin", "ar", "ves", "ko", "rin", "del", "us",
]  # fmt: skip
FIRST_NAMES = [
    "Ada", "Ben", "Chiara", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemi",
    "Lars", "Maya", "Noor", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Vera",
    "Wen", "Ximena", "Yusuf", "Zoe", "Aiko", "Bruno", "Carmen", "Dmitri",
]  # fmt: skip
LAST_NAMES = [
    "Moreno", "Okafor", "Lindqvist", "Tanaka", "Haddad", "Novak", "Fischer", "Castillo",
    "Mensah", "Kowalski", "Ibrahim", "Sato", "Varga", "Duarte", "Nakamura", "Petrov", "Achebe",
    "Jensen", "Rossi", "Kaur", "Oliveira", "Brennan", "Yilmaz", "Dubois", "Hashemi", "Silva",
    "Wright", "Chen", "Mbeki", "Larsen",
]  # fmt: skip
PRESS_OFFICE = "Press Office"
VOCABULARY_SIZE = 20_000
# Shares of a text's words drawn from its topic's own words (the rest from everything).
_TOPIC_SHARE_TITLE = 0.4
_TOPIC_SHARE_TEXT = 0.2


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _made_up_words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    words: list[str] = []
    while len(words) < count:  # bounded: 40 syllables give far more than count
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


class Words:
    """The vocabulary and its samplers: every word of the library is drawn here."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        ordered = list(dict.fromkeys(_COMMON.split() + _NEWS.split()))
        taken = set(ordered)
        for words in TOPIC_WORDS.values():
            taken.update(words.split())
        ordered += _made_up_words(rng, VOCABULARY_SIZE - len(ordered), taken)
        self.words = ordered
        self.cum = list(accumulate(1.0 / rank for rank in range(1, len(ordered) + 1)))
        self.topic: dict[str, tuple[list[str], list[float]]] = {}
        for topic, text in TOPIC_WORDS.items():
            own = text.split()
            # Within a topic too, a few words are in most of its stories, the rest fewer.
            weights = accumulate(1.0 / rank for rank in range(1, len(own) + 1))
            self.topic[topic] = (own, list(weights))

    def draw(self, topic: str, count: int, topic_share: float) -> list[str]:
        """``count`` words, about ``topic_share`` of them the topic's own (evenly spread)."""
        rng = self.rng
        words = rng.choices(self.words, cum_weights=self.cum, k=count)
        step = max(1, round(1 / topic_share))
        slots = range(rng.randrange(step), count, step)
        own, cum = self.topic[topic]
        words[slots.start :: step] = rng.choices(own, cum_weights=cum, k=len(slots))
        return words


@dataclass(frozen=True, slots=True)
class FeedPlan:
    number: int
    topic: str
    title: str
    hosts: tuple[str, ...]  # where its links point (an aggregator's: many sites)
    stories: int
    full_text: bool  # bodies of a few KB rather than a summary's few hundred bytes
    aggregator: bool
    authors: tuple[str, ...]  # empty: the feed names no author
    sponsored: float  # share of its titles that are sponsored posts


def feed_title(number: int) -> str:
    """Feed ``number``'s name: ``Kernel Weekly``, ``Orbit Daily``, ... (then numbered)."""
    topic = TOPICS[number % len(TOPICS)]
    prefixes = FEED_PREFIXES[topic]
    turn = number // len(TOPICS)
    prefix = prefixes[turn % len(prefixes)]
    suffix = FEED_SUFFIXES[(turn // len(prefixes)) % len(FEED_SUFFIXES)]
    rounds = turn // (len(prefixes) * len(FEED_SUFFIXES))
    return f"{prefix} {suffix}" + (f" {rounds + 1}" if rounds else "")


def domain_of(title: str) -> str:
    return f"{_slug(title)}.example"


def plan_feeds(feeds: int, stories: int, rng: random.Random) -> list[FeedPlan]:
    """Who publishes what: sizes from a few dozen to a few thousand (a long tail)."""
    weights = [1.0 / (rank + 8) ** 0.9 for rank in range(feeds)]
    rng.shuffle(weights)  # big feeds in every topic
    total = sum(weights)
    sizes = [max(1, int(stories * w / total)) for w in weights]
    for n in range(stories - sum(sizes)):  # what rounding left: one more each, in turn
        sizes[n % feeds] += 1
    while sum(sizes) > stories:  # fewer stories than feeds: trim the largest
        sizes[sizes.index(max(sizes))] -= 1
    domains = [domain_of(feed_title(n)) for n in range(feeds)]
    elsewhere = [f"{w}.example" for w in _made_up_words(rng, 200, set())]
    plans = []
    for n in range(feeds):
        title = feed_title(n)
        aggregator = n % 20 == 19
        if aggregator:
            hosts = tuple(domains + elsewhere)
        else:
            style = rng.choice(("www.", "www.", "", "blog.", "news."))
            hosts = (style + domains[n],)
        authors: tuple[str, ...] = ()
        if rng.random() < 0.8:
            authors = tuple(
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                for _ in range(rng.randint(1, 8))
            )
        plans.append(
            FeedPlan(
                number=n,
                topic=TOPICS[n % len(TOPICS)],
                title=title,
                hosts=hosts,
                stories=sizes[n],
                full_text=rng.random() < 0.2,
                aggregator=aggregator,
                authors=authors,
                sponsored=0.08 if n % 10 == 3 else 0.0,
            )
        )
    return plans


class Writer:
    """Stories' text: titles, summaries and HTML bodies with their plain words."""

    def __init__(self, words: Words) -> None:
        self.words = words
        self.rng = words.rng

    def _sentences(self, words: list[str]) -> list[str]:
        rng = self.rng
        out = []
        start = 0
        while start < len(words):
            end = start + rng.randint(8, 18)
            out.append(" ".join(words[start:end]).capitalize() + ".")
            start = end
        return out

    def _with_phrase(self, words: list[str], topic: str) -> list[str]:
        words[self.rng.randrange(len(words))] = self.rng.choice(TOPIC_PHRASES[topic])
        return words

    def title(self, topic: str) -> str:
        words = self.words.draw(topic, self.rng.randint(6, 12), _TOPIC_SHARE_TITLE)
        if self.rng.random() < 0.15:
            self._with_phrase(words, topic)
        return " ".join(words).capitalize()

    def summary(self, topic: str) -> str:
        words = self.words.draw(topic, self.rng.randint(20, 40), _TOPIC_SHARE_TEXT)
        return " ".join(self._sentences(words))

    def body(self, topic: str, full_text: bool) -> str:
        """A story's HTML body."""
        rng = self.rng
        count = rng.randint(400, 900) if full_text else rng.randint(80, 250)
        words = self.words.draw(topic, count, _TOPIC_SHARE_TEXT)
        html: list[str] = []
        start = 0
        while start < count:
            end = start + rng.randint(40, 90)
            paragraph = words[start:end]
            if rng.random() < 0.3:
                self._with_phrase(paragraph, topic)
            if html and rng.random() < 0.2:
                heading = " ".join(self.words.draw(topic, 3, 0.5)).capitalize()
                html.append(f"<h2>{heading}</h2>")
            sentences = " ".join(self._sentences(paragraph))
            html.append(f"<p>{sentences}</p>")
            start = end
        return "".join(html)


def _entries(
    plan: FeedPlan, writer: Writer, now: datetime, links: list[str], rng: random.Random
) -> list[ParsedEntry]:
    entries = []
    year = timedelta(days=365).total_seconds()
    for i in range(plan.stories):
        published = now - timedelta(seconds=rng.uniform(60, year))
        title = writer.title(plan.topic)
        if plan.sponsored and rng.random() < plan.sponsored:
            title = f"Sponsored: {title}"
        summary = writer.summary(plan.topic)
        author = rng.choice(plan.authors) if plan.authors else ""
        if plan.authors and rng.random() < 0.02:
            author = PRESS_OFFICE
            summary = f"Press release: {summary}"
        html = writer.body(plan.topic, plan.full_text)
        if plan.aggregator and links and rng.random() < 0.3:
            link = rng.choice(links)  # a story another feed brought: listed once
        else:
            host = rng.choice(plan.hosts)
            words = "-".join(title.lower().split()[:5]).replace(":", "")
            link = f"https://{host}/{published:%Y/%m}/{words}-{plan.number}-{i}"
            links.append(link)
        entries.append(
            ParsedEntry(
                key=f"urn:news:{plan.number}:{i}",
                guid=f"urn:news:{plan.number}:{i}",
                title=title,
                link=link,
                summary=summary,
                content_html=html,
                author=author,
                published=published,
            )
        )
    return entries


def fresh_entries(
    plans: Sequence[FeedPlan], count: int, seed: int, now: datetime
) -> dict[int, list[ParsedEntry]]:
    """``count`` new stories for each feed, published in the last hour (a refresh's worth),
    by feed number; their keys and links are new to the library."""
    rng = random.Random(f"{seed}:fresh")
    writer = Writer(Words(rng))
    hour = timedelta(hours=1).total_seconds()
    fresh: dict[int, list[ParsedEntry]] = {}
    for plan in plans:
        entries = _entries(replace(plan, stories=count, aggregator=False), writer, now, [], rng)
        fresh[plan.number] = [
            replace(
                entry,
                key=f"{entry.key}:fresh",
                guid=f"{entry.guid}:fresh",
                link=f"{entry.link}-fresh",
                published=now - timedelta(seconds=rng.uniform(60, hour)),
            )
            for entry in entries
        ]
    return fresh


def feed_url(plan: FeedPlan) -> str:
    return f"https://feeds.example/{plan.number}.xml"


def build(path: Path, stories: int, feeds: int, seed: int = 7) -> list[FeedPlan]:
    """Build the library at ``path`` (which must not exist); the feeds' plans."""
    rng = random.Random(seed)
    words = Words(rng)
    writer = Writer(words)
    plans = plan_feeds(feeds, stories, rng)
    now = datetime.now(UTC).replace(microsecond=0)
    links: list[str] = []
    # Aggregators last: the links they share are then other feeds' stories already stored.
    ordered = sorted(plans, key=lambda p: p.aggregator)
    with Library(path) as library:
        for plan in ordered:
            feed = library.add_feed(feed_url(plan), topic=plan.topic, title=plan.title)
            entries = _entries(plan, writer, now, links, rng)
            site = f"https://{plan.hosts[0]}/"

            def write(
                conn: sqlite3.Connection,
                feed_id: int = feed.id,
                title: str = plan.title,
                entries: list[ParsedEntry] = entries,
                site: str = site,
            ) -> None:
                store_entries(conn, feed_id, title, entries, now)
                feed_queries.record_success(
                    conn, feed_id, title=title, site_url=site, etag=None,
                    last_modified=None, body_hash=None, now=now,
                )  # fmt: skip

            library._db.write_relaxed(write)
        library._db.write(_marks_and_tones, now)
    return plans


def _marks_and_tones(conn: sqlite3.Connection, now: datetime) -> None:
    """Read marks (most old stories, fewer recent ones), bookmarks and tones, as a year of
    reading leaves them; the marks count as made by hand (a rule never undoes them)."""
    recent = to_iso(now - timedelta(days=14))
    # A multiplicative hash of the id: spread evenly, the same every build.
    mixed = "((s.id * 2654435761) % 1000)"
    conn.execute(
        f"UPDATE stories AS s SET read = 1, read_at = sort_date, by_hand = by_hand | 1"
        f" WHERE {mixed} < CASE WHEN sort_date < ? THEN 900 ELSE 400 END",
        (recent,),
    )
    conn.execute(
        f"UPDATE stories AS s SET bookmarked = 1, bookmarked_at = sort_date,"
        f" by_hand = by_hand | 2 WHERE ({mixed} * 7) % 1000 < 5"
    )
    conn.execute(
        f"UPDATE stories AS s SET sentiment = CASE WHEN {mixed} % 20 < 5 THEN 'negative'"
        f" WHEN {mixed} % 20 < 12 THEN 'neutral' ELSE 'positive' END,"
        f" sentiment_score = ({mixed} % 20 - 9) / 10.0 WHERE ({mixed} * 3) % 100 < 75"
    )


def build_news_library(path: Path, stories: int, feeds: int, seed: int = 7) -> float:
    """Build the library at ``path``; the seconds it took."""
    started = time.perf_counter()
    build(path, stories, feeds, seed)
    return time.perf_counter() - started


def feed_plans(stories: int, feeds: int, seed: int = 7) -> list[FeedPlan]:
    """The plans :func:`build` followed, without building (for a library built before)."""
    rng = random.Random(seed)
    Words(rng)  # the same draws, in the same order, as build's
    return plan_feeds(feeds, stories, rng)
