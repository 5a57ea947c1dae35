"""html_to_text reads the plainest markup without html.parser, and must read it exactly as
html.parser does: generated markup, seeded, through both readers. A Python whose
html.parser reads simple tags another way fails here rather than drifting silently."""

from __future__ import annotations

import random

import pytest

from tui.core.text.html import _simple_text_parts, _TextCollector, defuse_html, html_to_text

_TAGS = ["p", "a", "b", "br", "img", "div", "span", "h2", "li", "ul", "em", "script", "P", "Img"]
_NAMES = ["href", "alt", "ALT", "class", "data-x", "title", "src", ":x", "_y"]
_TEXT = ["word", " ", "  ", "\n", "\t", "é", "ü", "—", "1 < 2", "a<b", "<", ">", "x=y", "'", '"']
_REFS = ["&amp;", "&lt;", "&#39;", "&#x27;", "&nbsp;", "&bogus;", "&", "&#27;", "&#0;", "&copy"]


def _value(rng: random.Random) -> str:
    text = "".join(rng.choice(_TEXT + _REFS + ["/", "="]) for _ in range(rng.randint(0, 4)))
    quote = rng.choice(['"', "'", ""])
    if not quote:
        text = "".join(c for c in text if c not in " \t\n'\"<>") or "v"
    return f"{quote}{text.replace(quote, '') if quote else text}{quote}"


def _tag(rng: random.Random) -> str:
    name = rng.choice(_TAGS)
    if rng.random() < 0.3:
        return f"</{name}{rng.choice(['', ' ', chr(10)])}>"
    attributes = ""
    for _ in range(rng.randint(0, 3)):
        gap = rng.choice([" ", "  ", "\n", "\t"])
        attribute = rng.choice(_NAMES)
        if rng.random() < 0.8:
            attribute += rng.choice(["=", " = ", "= "]) + _value(rng)
        attributes += gap + attribute
    return f"<{name}{attributes}{rng.choice(['', ' ', '/', ' /'])}>"


def _markup(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.randint(1, 12)):
        roll = rng.random()
        if roll < 0.45:
            pieces.append(_tag(rng))
        elif roll < 0.8:
            pieces.append(rng.choice(_TEXT))
        elif roll < 0.95:
            pieces.append(rng.choice(_REFS))
        else:
            pieces.append(rng.choice(["<!-- c -->", "<!x>", "<?p?>", "</>", "<3", "\x1b[31m"]))
    return "".join(pieces)


def _by_html_parser(html: str) -> list[str]:
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
    except (AssertionError, ValueError):
        pass
    return collector.parts


@pytest.mark.parametrize("seed", range(8))
def test_the_fast_reader_reads_simple_markup_as_html_parser_does(seed: int) -> None:
    rng = random.Random(f"html-fast-text:{seed}")
    read_fast = 0
    for _ in range(1500):
        html = defuse_html(_markup(rng))
        fast = _simple_text_parts(html)
        if fast is None:
            continue  # handed to html.parser: nothing to compare
        read_fast += 1
        assert "".join(fast) == "".join(_by_html_parser(html)), repr(html)
    assert read_fast > 300  # the generator exercises the fast path, not only the fallback


def test_html_to_text_still_strips_what_must_never_reach_the_terminal() -> None:
    text = html_to_text("<p>red \x1b[31mALERT\x07</p><p>&#27;[2J clear</p>")
    assert "\x1b" not in text and "\x07" not in text
    assert text.splitlines() == ["red ALERT", "[2J clear"]  # the whole sequence goes
