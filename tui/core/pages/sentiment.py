"""The ``sentiment=`` label: does a story read positive, neutral or negative?

VADER (vaderSentiment), a lexicon and rules tuned for short English texts, runs offline
and needs no model download. It scores one sentence at a time; a story's score is the
mean of VADER's ``compound`` score (-1 … +1) over its title and its first sentences, up
to about :data:`MAX_WORDS` words. Stopping there keeps the cost flat (VADER costs a few
microseconds a word) and reflects what VADER is good at: a long text saturates the
compound score, and a story's tone is set by its title and opening.

The label is positive at a score of :data:`POSITIVE_FROM` (0.1) or more, negative at
:data:`NEGATIVE_FROM` (-0.1) or less, neutral between. VADER's authors suggest ±0.05 for
a single sentence; news prose is mostly neutral sentences with a loaded word here and
there ("support", "killed"), and at ±0.05 one such word tips a whole story. ±0.1 on the
mean asks the story as a whole to lean one way.

The analyser is built once per process (it reads its lexicon from disk), on first use, so
importing this module costs nothing. Same input, same label: VADER is deterministic.
"""

from __future__ import annotations

import functools
import re
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.core.article.view import ReaderView
    from tui.core.store.database import Database

__all__ = ["MAX_WORDS", "NEGATIVE_FROM", "POSITIVE_FROM", "Sentiment", "analyse"]

MAX_WORDS = 200
POSITIVE_FROM = 0.1
NEGATIVE_FROM = -0.1

# A sentence ends at . ! or ? followed by space, or at a line break (headlines, list items).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


class Sentiment(StrEnum):
    """The tone of a story, as the ``sentiment=`` filter and the story list name it."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


def analyse(title: str, text: str) -> tuple[Sentiment, float]:
    """The label and score (mean compound, rounded to 4 places) of a story.

    ``text`` is the story's plain text (a summary or a body); an empty one leaves the
    title alone to decide. Nothing to read at all is neutral, 0.0.

    Measured: a title and 150 words of text take about 0.25 ms (VADER's per-word rules).
    """
    pieces = _opening(title, text)
    if not pieces:
        return Sentiment.NEUTRAL, 0.0
    analyser = _analyser()
    total = sum(float(analyser.polarity_scores(piece)["compound"]) for piece in pieces)
    score = round(total / len(pieces), 4)
    if score >= POSITIVE_FROM:
        return Sentiment.POSITIVE, score
    if score <= NEGATIVE_FROM:
        return Sentiment.NEGATIVE, score
    return Sentiment.NEUTRAL, score


def label_view(db: Database, view: ReaderView) -> ReaderView:
    """``view`` with its story's label, worked out from the text the reader shows when the
    story had none, and stored: computed once (not kept when ``db`` is read-only)."""
    from dataclasses import replace

    from tui.core.article.view import meta_line
    from tui.core.store.pages import set_sentiments

    story = view.story
    if story.sentiment is not None:
        return view
    label, score = analyse(story.title, view.article.text)
    if db.writable:
        db.write(set_sentiments, [(story.id, label.value, score)])
    story = replace(story, sentiment=label.value)
    return replace(view, story=story, meta_line=meta_line(story))


def _opening(title: str, text: str) -> list[str]:
    """The title and the sentences that follow it, up to about MAX_WORDS words in all."""
    pieces: list[str] = []
    words = 0
    for sentence in [title, *_SENTENCE_END.split(text or "")]:
        sentence = sentence.strip()
        if not sentence:
            continue
        count = len(sentence.split())
        if pieces and words + count > MAX_WORDS:
            break
        if count > MAX_WORDS:  # one run-on "sentence" (no punctuation): its start will do
            sentence = " ".join(sentence.split()[:MAX_WORDS])
            count = MAX_WORDS
        pieces.append(sentence)
        words += count
    return pieces


@functools.cache
def _analyser() -> Any:
    """VADER's analyser, imported and built on first use and kept for the process."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()
