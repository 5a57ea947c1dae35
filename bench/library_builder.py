"""Build a large library directly through the store (no network), for start-up benchmarks.

``python bench/library_builder.py PATH --feeds 200 --items 500`` makes 100k stories with
realistic titles, summaries and bodies across a dozen topics.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.core.library import Library
from tui.core.models import ParsedEntry
from tui.core.store import feeds as feed_queries
from tui.core.store.ingest import store_entries

TOPICS = [
    "Science", "Technology", "Climate", "Space", "Programming", "World", "Culture",
    "Health", "Economy", "Sports", "Design", "Security",
]  # fmt: skip
_WORD_TEXT = (
    "orbit survey ring signal model rust python kernel climate river policy market vaccine "
    "protein galaxy league design patch cipher network storage compiler telescope election "
    "budget harvest glacier satellite protocol battery quantum genome museum festival"
)
WORDS = _WORD_TEXT.split()


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def build(path: Path, feeds: int, items: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    with Library(path) as library:
        for f in range(feeds):
            topic = TOPICS[f % len(TOPICS)]
            feed = library.add_feed(
                f"https://feeds{f % 9}.example/{f}.xml", topic=topic, title=f"Feed {f} {topic}"
            )
            entries = []
            for i in range(items):
                body = "".join(
                    f"<h2>{_sentence(rng, 3)}</h2><p>{_sentence(rng, 60)}.</p>" for _ in range(3)
                )
                entries.append(
                    ParsedEntry(
                        key=f"urn:{f}:{i}",
                        guid=f"urn:{f}:{i}",
                        title=_sentence(rng, rng.randint(5, 11)),
                        link=f"https://site{f % 40}.example/{f}/{i}",
                        summary=_sentence(rng, 25) + ".",
                        content_html=body,
                        content_text=body,
                        published=now - timedelta(minutes=rng.randint(1, 60 * 24 * 365)),
                    )
                )

            def write(conn, feed_id=feed.id, title=feed.title, entries=entries):  # type: ignore[no-untyped-def]
                store_entries(conn, feed_id, title, entries, now)
                feed_queries.record_success(
                    conn, feed_id, title=title, site_url=None, etag=None,
                    last_modified=None, body_hash=None, now=now,
                )  # fmt: skip

            library._db.write_relaxed(write)
        # A realistic mix of states: a fifth read, a few bookmarked.
        library._db.write(lambda conn: conn.execute("UPDATE stories SET read = 1 WHERE id % 5 = 0"))
        library._db.write(
            lambda conn: conn.execute(
                "UPDATE stories SET bookmarked = 1, bookmarked_at = first_seen WHERE id % 997 = 0"
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=500)
    args = parser.parse_args()
    if args.path.exists():
        print(f"{args.path} exists; remove it first", file=sys.stderr)
        return 2
    started = time.perf_counter()
    build(args.path, args.feeds, args.items)
    size = args.path.stat().st_size / 1e6
    seconds = time.perf_counter() - started
    print(f"built {args.feeds * args.items} stories in {seconds:.1f} s, {size:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
