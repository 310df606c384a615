"""Search keys fold Arabic/Persian spelling variants and digit sets (SPEC C11, L2)."""

import pytest

from backoffice.core.text import clean_header_value, normalize_digits, search_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("علي", "علی"),  # Arabic yeh / Persian yeh
        ("كريم", "کریم"),  # Arabic kaf / Persian kaf
        ("أحمد", "احمد"),
        ("إيمان", "ايمان"),
        ("آمنة", "امنه"),  # alef madda, teh marbuta at word end
        ("فاطمة الزهراء", "فاطمه الزهراء"),
        ("مُحَمَّد", "محمد"),  # harakat
        ("Olivia SMITH", "olivia smith"),
        ("٠٥٠١٢٣", "050123"),
        ("۰۹۱۲", "0912"),
    ],
)
def test_variants_have_the_same_key(a: str, b: str) -> None:
    assert search_key(a) == search_key(b)


def test_teh_marbuta_inside_a_word_is_kept() -> None:
    assert "ة" not in search_key("مدرسة")
    assert search_key("ةا") != search_key("ها")


def test_digits() -> None:
    assert normalize_digits("٣٠٠١٢٫٥") == "30012.5"


def test_header_values_lose_line_breaks() -> None:
    assert clean_header_value("invoice\r\nBcc: x@y.z") == "invoice  Bcc: x@y.z"
