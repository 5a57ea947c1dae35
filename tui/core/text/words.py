"""How much there is to read in a text, and how long it takes: one rule for every script.

Counting words by spaces fails Chinese and Japanese, which put none between words: a
2,000-character Japanese article came out as 18 "words", fell under reader mode's minimum
and always read in 1 minute. Readers of CJK text read characters, at about 500 a minute
(Han, Hiragana, Katakana, Hangul, Bopomofo; Korean puts spaces between words too, but
its readers are measured in syllables as well); other text at about 230 words a minute.

:func:`word_count` gives one number for both: the words of the spaced text plus each CJK
character as 230/500 of a word, so a minute of reading is :data:`WORDS_PER_MINUTE` in
any script. It is what ``read N min`` shows, what ``[articles] min_words`` compares and
what reader mode's extractor asks of a page. A "word" must hold a letter or a digit:
a lone dash, bullet or CJK punctuation mark is not one.
"""

from __future__ import annotations

import math
import re

__all__ = ["CJK_CHARS_PER_MINUTE", "WORDS_PER_MINUTE", "read_minutes", "word_count"]

#: Words a minute in scripts that space their words.
WORDS_PER_MINUTE = 230
#: Characters a minute in Chinese, Japanese and Korean.
CJK_CHARS_PER_MINUTE = 500

# Letters and syllables only: CJK punctuation (U+3000-U+303F, fullwidth forms) is not read.
_CJK_RANGES = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi radicals
    "\u3005-\u3007"  # iteration mark, closing mark, ideographic zero
    "\u3021-\u3029\u3038-\u303b"  # Hangzhou numerals
    "\u3041-\u309f"  # Hiragana
    "\u30a1-\u30fa\u30fc-\u30ff"  # Katakana (less the middle dot)
    "\u3105-\u312f\u31a0-\u31bf"  # Bopomofo
    "\u3131-\u318e"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f\uac00-\ud7ff"  # Hangul Jamo extended, syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # halfwidth Katakana
    "\uffa0-\uffdc"  # halfwidth Hangul
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
_CJK = re.compile(f"[{_CJK_RANGES}]")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def word_count(text: str) -> int:
    """Words in ``text``, each CJK character counted as 230/500 of a word (see above)."""
    spaced, cjk = (text, 0) if text.isascii() else _CJK.subn(" ", text)
    words = sum(1 for token in spaced.split() if _LETTER_OR_DIGIT.search(token))
    return words + round(cjk * WORDS_PER_MINUTE / CJK_CHARS_PER_MINUTE)


def read_minutes(words: int) -> int:
    """Minutes to read ``words`` (a :func:`word_count`), at least 1: a short story still
    takes a minute to open and read."""
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
