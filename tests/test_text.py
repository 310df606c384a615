"""Search keys fold Arabic/Persian spelling variants and digit sets (SPEC C11, L2)."""

import duckdb
import pytest

from backoffice import messaging
from backoffice.core.text import clean_header_value, normalize_digits, search_key, to_native_digits
from backoffice.db.queries import staging


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
    assert clean_header_value("invoice\r\nBcc: x@y.z") == "invoice Bcc: x@y.z"  # a run of them is one space
    assert clean_header_value(None) == "" and clean_header_value("\x00a\nb\r") == "a b"


def test_one_header_cleaner_for_mail_and_file_names() -> None:
    assert messaging.clean_header is clean_header_value


def test_one_digit_table_for_python_and_the_import_sql() -> None:
    """The store import's SQL folds digits and letters with the same table as normalize_digits and search_key."""
    con = duckdb.connect()
    con.execute(staging.FOLD)
    numbers = ["٣٠٠١٢٫٥", "۱۲۳۴۵۶۷۸۹۰", "١٬٢٣٤٫٥٠", " 42 "]
    for text in numbers:
        sql = staging.DIGITS.format(x="?")
        assert con.execute(f"SELECT {sql}", [text]).fetchone()[0] == normalize_digits(text).strip()
    names = ["علي", "كريم", "أحمد", "ٱلله", "مؤمن", "آمنة", "فاطمة الزهراء", "مُحَمَّد", "Olivia SMITH", "عـلـي",
             "می\u200cخواهم", "\u200fسارة", "٠٥٠١٢٣ ۰۹۱۲"]  # fmt: skip
    for name in names:
        assert con.execute("SELECT fold(?)", [name]).fetchone()[0] == search_key(name), name
    assert "٠١٢" not in staging.FOLD.replace(staging.FOLD_FROM, "")  # no hand-copied digits beside the table


def test_native_digits_come_from_the_same_table() -> None:
    assert to_native_digits("2026-11-22", "ar") == "٢٠٢٦-١١-٢٢"
    assert to_native_digits("2026", "fa") == "۲۰۲۶"
    assert normalize_digits(to_native_digits("0123456789", "ar")) == "0123456789"
