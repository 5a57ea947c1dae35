"""The sentiment= label: VADER's mean compound score over a story's opening."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tui.core.pages.sentiment import MAX_WORDS, NEGATIVE_FROM, POSITIVE_FROM, Sentiment, analyse

BLAND = (
    "The council published the timetable for its spring meetings on Monday. The meetings "
    "will be held on Tuesdays at the town hall, starting at seven in the evening. Agendas "
    "are posted on the council's website a week before each meeting."
)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Local team wins championship in stunning victory",
            "Fans celebrated late into the night. The coach praised the players for a "
            "wonderful season and thanked the town for its support.",
        ),
        (
            "Scientists celebrate breakthrough that could save millions of lives",
            "The new treatment was safe and highly effective in trials, researchers said, "
            "and doctors are hopeful it will be approved this year.",
        ),
        ("Volunteers restore beloved park, delighting neighbours", ""),
    ],
)
def test_clearly_positive_stories(title: str, text: str) -> None:
    label, score = analyse(title, text)
    assert label is Sentiment.POSITIVE
    assert score >= POSITIVE_FROM


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Earthquake kills hundreds, thousands left homeless",
            "Rescue teams are searching collapsed buildings. Officials fear the death toll "
            "will rise as the injured overwhelm hospitals.",
        ),
        (
            "Police arrest man after deadly shooting at school",
            "Terrified pupils hid in classrooms. Two teachers were killed and four children "
            "were seriously wounded in the attack.",
        ),
        ("Factory fire destroys jobs, leaving workers devastated", ""),
    ],
)
def test_clearly_negative_stories(title: str, text: str) -> None:
    label, score = analyse(title, text)
    assert label is Sentiment.NEGATIVE
    assert score <= NEGATIVE_FROM


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Council publishes meeting schedule for spring", BLAND),
        ("Riverside tram line opens after six years of work", ""),
        (
            "Railway timetable changes from Sunday",
            "Trains on the coast line will leave four minutes earlier. The last train "
            "from the city now departs at 23:40. Tickets are unchanged.",
        ),
    ],
)
def test_bland_factual_stories_are_neutral(title: str, text: str) -> None:
    label, score = analyse(title, text)
    assert label is Sentiment.NEUTRAL
    assert NEGATIVE_FROM < score < POSITIVE_FROM


def test_the_label_is_deterministic() -> None:
    story = ("Volunteers restore beloved park, delighting neighbours", BLAND)
    first = analyse(*story)
    assert all(analyse(*story) == first for _ in range(5))


def test_the_label_is_the_same_in_a_fresh_process() -> None:
    story = ("Earthquake kills hundreds, thousands left homeless", BLAND)
    probe = (
        "import sys; from tui.core.pages.sentiment import analyse; "
        "print(repr(analyse(sys.argv[1], sys.argv[2])))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *story], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == repr(analyse(*story))


def test_an_empty_text_leaves_the_title_to_decide() -> None:
    title = "Factory fire destroys jobs, leaving workers devastated"
    assert analyse(title, "") == analyse(title, "  \n\n ")
    assert analyse(title, "")[0] is Sentiment.NEGATIVE
    # The title alone: its own compound score, not diluted by an empty sentence.
    assert analyse(title, "") == analyse("", title)


def test_nothing_to_read_is_neutral() -> None:
    assert analyse("", "") == (Sentiment.NEUTRAL, 0.0)
    assert analyse("   ", "\n") == (Sentiment.NEUTRAL, 0.0)


def test_the_score_is_the_mean_over_title_and_sentences() -> None:
    title = "Volunteers restore beloved park, delighting neighbours"
    alone = analyse(title, "")[1]
    # One neutral sentence after the title halves its score.
    assert analyse(title, "The park is on Mill Lane.")[1] == pytest.approx(alone / 2, abs=1e-4)


def test_only_the_opening_is_read() -> None:
    # 240 bland words, then a flood of misery: past MAX_WORDS, none of it counts.
    opening = " ".join([BLAND] * 6)
    assert len(opening.split()) > MAX_WORDS
    misery = " Everything was terrible, horrible and tragic, a deadly disaster." * 200
    assert analyse("Council timetable", opening + misery) == analyse("Council timetable", opening)
    assert analyse("Council timetable", misery)[0] is Sentiment.NEGATIVE  # the control


def test_a_text_without_punctuation_is_cut_too() -> None:
    run_on = "word " * 5000 + "terrible " * 50
    assert analyse("Notes", run_on)[0] is Sentiment.NEUTRAL


def test_labels_are_the_words_the_filter_uses() -> None:
    assert [label.value for label in Sentiment] == ["positive", "neutral", "negative"]
    assert Sentiment("negative") is Sentiment.NEGATIVE
