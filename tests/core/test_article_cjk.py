"""Chinese, Japanese and Korean in reader mode: words counted as readers read them.

A CJK article used to count its words by spaces (a Japanese page was 18 "words"), so it fell
under the extractor's minimum ("no article text"), always read in 1 minute, and a long CJK
feed body still asked for its page under ``[articles] min_words``.
"""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import CORPUS
from feeds import Item, rss
from feedserver import FeedServer, Reply
from pages import article_page

from tui.core.article.sections import parse_article
from tui.core.library import Library
from tui.core.pages.extract import MIN_WORDS, NO_TEXT, Extracted, extract_article
from tui.core.pages.fetch import feed_word_count
from tui.core.text.words import read_minutes, word_count

AEB = CORPUS / "peers" / "aeb"
URL = "https://news.example.jp/2026/11/tram"

# A short news story, written for these tests: 6 paragraphs, 422 CJK characters.
JAPANESE = [
    "川沿いの新しい路面電車が月曜日の朝、ついに営業運転を始めた。市議会が計画を承認してから"
    "六年、予定より二年遅れての開業となった。",
    "始発の電車は午前五時十分に車庫を出発し、港通りの停留所から大学のキャンパスまでを十九分で"
    "結んだ。夜明け前から多くの通勤客が列を作り、記念の切符を買い求める人の姿も見られた。",
    "工事が始まった直後、地図に載っていない古いガス管が大通りの地下から見つかり、その移設に"
    "十一か月を要した。市の監査報告によると、このために予算は大きく膨らんだという。",
    "運行会社によると、電車は朝夕の混雑時には六分おき、夜間は十二分おきに走る。最終便は深夜"
    "零時過ぎにキャンパスを出る。市バスの乗車券はそのまま路面電車でも使える。",
    "工事のため一年近く通行止めが続いた水車通りの商店主たちは、失った客が電車とともに戻って"
    "くることを期待していると話した。ある店主は「この日のために持ちこたえてきた」と語った。",
    "市は来年の春から、路線をさらに東へ延ばすための調査を始める予定だ。住民説明会は来月、"
    "市役所で開かれる。",
]
JAPANESE_TITLE = "川沿いの路面電車、六年越しの開業"


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


def test_the_benchmarks_korean_page_is_extracted() -> None:
    # A Seoul theatre's blog: English with Korean names, ruled by the English words.
    html, url, truth = _aeb("8cad00dc22de45ba42e9540421b5f78333f7ac57b385d69acb27a53b9fd69f0c")
    result = extract_article(html, url, {"Content-Type": "text/html; charset=utf-8"})
    assert isinstance(result, Extracted), result
    article = parse_article(result.html)
    assert truth.split("\n\n")[0] in article.text
    assert 380 < article.word_count < 500
    assert article.read_minutes == 2


# --- min_words and the read time in the library ------------------------------------------


async def test_min_words_and_the_read_time_count_cjk_characters(
    server: FeedServer, library: Library
) -> None:
    long_body = "".join(f"<p>{paragraph}</p>" for paragraph in JAPANESE * 3)  # 1,266 chars
    short_body = f"<p>{JAPANESE[-1]}</p>"  # 43 characters: a summary
    entries = [
        Item("長い記事", guid="long", link=server.url("/long"), content=long_body),
        Item("短い記事", guid="short", link=server.url("/short"), description=short_body),
    ]
    feed = rss(entries, link=server.base)
    server.route("/feed.xml", Reply(200, feed, {"Content-Type": "application/rss+xml"}))
    added = library.add_feed(server.url("/feed.xml"))
    report = await library.refresh([str(added.id)])
    assert not report.failed, report
    ids = {story.title: story.id for story in library.stories(feed=added.id)}

    assert library.settings.articles.min_words == 150
    assert library.wants_page(list(ids.values())) == [ids["短い記事"]]
    view = library.reader(ids["長い記事"])
    assert view.read_line.startswith("read 3 min ")  # 1,266 characters at 500 a minute
