"""Item ids in every form the Google Reader dialects write them are one number."""

from __future__ import annotations

import pytest

from tui.core.sync.greader import item_number, item_ref


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("tag:google.com,2005:reader/item/0000000000000003", 3),
        ("3", 3),
        (" 3 ", 3),
        ("tag:google.com,2005:reader/item/00000000000000ab", 171),
        ("171", 171),
        # FreshRSS: 16-digit microsecond timestamps, decimal.
        ("1733312345678901", 1733312345678901),
        # Inoreader and others: the same 64 bits, read as a signed number.
        ("-1", (1 << 64) - 1),
        ("tag:google.com,2005:reader/item/ffffffffffffffff", (1 << 64) - 1),
    ],
)
def test_long_short_and_signed_forms_are_one_number(written: str, number: int) -> None:
    assert item_number(written) == number
    assert item_number(item_ref(number)) == number


def test_the_long_form_is_sixteen_hex_digits() -> None:
    assert item_ref(171) == "tag:google.com,2005:reader/item/00000000000000ab"


@pytest.mark.parametrize("junk", ["", "abc", "tag:google.com,2005:reader/item/zz", "1.5"])
def test_an_id_that_is_no_number_is_refused(junk: str) -> None:
    with pytest.raises(ValueError):
        item_number(junk)
