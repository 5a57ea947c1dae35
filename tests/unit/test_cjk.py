"""Chinese, Japanese and Korean in reader mode: words counted as readers read them.

A CJK article used to count its words by spaces (a Japanese page was 18 "words"), so it fell
under the extractor's minimum ("no article text"), always read in 1 minute, and a long CJK
feed body still asked for its page under ``[articles] min_words``.
"""

from __future__ import annotations

import gzip
import json

import pytest

from tests.support.pages import JAPANESE, JAPANESE_TITLE, article_page
from tests.support.paths import CORPUS
from tui.core.article.sections import parse_article
from tui.core.pages.extract import MIN_WORDS, NO_TEXT, Extracted, extract_article
from tui.core.pages.fetch import feed_word_count
from tui.core.text.words import read_minutes, word_count

AEB = CORPUS / "peers" / "aeb"
URL = "https://news.example.jp/2026/11/tram"


def _cjk_characters(text: str) -> int:
    return sum(1 for char in text if "\u3040" <= char <= "\u30ff" or "\u4e00" <= char <= "\u9fff")


# --- the count -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("The council voted to fund the library.", 7),
        ("The vote — nine to seven — passed.", 6),  # a dash is not a word
        ("• 42 · 2026 | ok", 3),
        ("一二三四五六七八九十" * 50, 230),  # 500 Han characters: a minute of reading
        ("ひらがな" * 125, 230),  # 500 Hiragana
        ("カタカナ" * 125, 230),
        ("한국어" * 100 + " 문장" * 100, 230),  # 500 Hangul syllables, spaced or not
        ("。、「」！？・" * 100, 0),  # CJK punctuation is not read
        ("iPhoneを販売したとして", 1 + 4),  # a word and 8 characters (8 x 0.46)
        ("\u3000".join(["東京"] * 10), 9),  # the ideographic space parts words too
    ],
)
def test_word_count(text: str, words: int) -> None:
    assert word_count(text) == words


@pytest.mark.parametrize(
    ("characters", "minutes"), [(100, 1), (500, 1), (600, 2), (1000, 2), (2500, 5), (5000, 10)]
)
def test_cjk_reads_at_about_500_characters_a_minute(characters: int, minutes: int) -> None:
    assert read_minutes(word_count("字" * characters)) == minutes


def test_a_japanese_article_is_counted_by_its_characters() -> None:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in JAPANESE)
    article = parse_article(body)
    characters = _cjk_characters(body)
    assert characters > 400
    assert article.word_count == word_count(article.text) > characters * 0.4
    assert article.word_count > MIN_WORDS
    assert article.read_minutes == 1
    assert parse_article(body * 5).read_minutes == 5  # 2,110 characters


def test_the_feeds_word_count_counts_cjk_too() -> None:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in JAPANESE)
    assert feed_word_count("", body) == parse_article(body).word_count
    assert feed_word_count("<p>短い要約。</p>", "") == 2


# --- extraction ------------------------------------------------------------------------


def test_a_japanese_page_is_extracted() -> None:
    page = article_page(JAPANESE_TITLE, [("開業までの道のり", JAPANESE)], lead=[])
    result = extract_article(page, URL, {"Content-Type": "text/html; charset=utf-8"})
    assert isinstance(result, Extracted), result
    article = parse_article(result.html)
    assert "港通りの停留所" in article.text
    assert result.words == article.word_count > MIN_WORDS
    assert result.title == JAPANESE_TITLE


def test_a_shift_jis_page_is_extracted() -> None:
    page = article_page(
        JAPANESE_TITLE, [("開業までの道のり", JAPANESE)], charset="shift_jis", footer=False
    )
    result = extract_article(page, URL, {"Content-Type": "text/html"})
    assert isinstance(result, Extracted), result
    assert "港通りの停留所" in parse_article(result.html).text


def test_a_few_cjk_characters_are_still_too_few() -> None:
    page = article_page(JAPANESE_TITLE, [("見出し", [JAPANESE[-1]])], lead=[])
    assert extract_article(page, URL, {"Content-Type": "text/html"}) == NO_TEXT


def _aeb(page_id: str) -> tuple[bytes, str, str]:
    if not AEB.is_dir():
        pytest.skip(f"the shared corpus is not here ({AEB})")
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))[page_id]
    html = gzip.decompress((AEB / "html" / f"{page_id}.html.gz").read_bytes())
    return html, str(truth["url"]), str(truth["articleBody"])


@pytest.mark.corpus
def test_the_benchmarks_japanese_page_is_extracted_whole() -> None:
    # A patent office's blog post: 698 characters of Japanese in its ground truth.
    html, url, truth = _aeb("85439e26c41c75901820d01a13e8cea7836abb58635ea3986f71a163ab0311d3")
    result = extract_article(html, url, {"Content-Type": "text/html; charset=utf-8"})
    assert isinstance(result, Extracted), result
    article = parse_article(result.html)
    lines = [line.strip() for line in truth.splitlines() if line.strip()]
    assert len(lines) > 10
    for line in lines:
        assert line in article.text
    assert 250 < article.word_count < 450  # about 700 characters, a few Latin words
    assert article.read_minutes == 2
    assert result.title.startswith("商品の改造が商標法違反に")


@pytest.mark.corpus
def test_the_benchmarks_korean_page_is_extracted() -> None:
    # A Seoul theatre's blog: English with Korean names, ruled by the English words.
    html, url, truth = _aeb("8cad00dc22de45ba42e9540421b5f78333f7ac57b385d69acb27a53b9fd69f0c")
    result = extract_article(html, url, {"Content-Type": "text/html; charset=utf-8"})
    assert isinstance(result, Extracted), result
    article = parse_article(result.html)
    assert truth.split("\n\n")[0] in article.text
    assert 380 < article.word_count < 500
    assert article.read_minutes == 2
