"""Text normalization for search, duplicate checks and numeric input.

Owns: digit folding (Arabic-Indic and Persian digits to ASCII) and the search
key that makes Arabic/Persian spelling variants compare equal (SPEC C11, L2).
Does not own: display formatting (backoffice.core.i18n) or money parsing (backoffice.core.money).
"""

from __future__ import annotations

import re
import unicodedata

ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
# The languages that write digits of their own, and which (documents and amounts "with native digits").
NATIVE_DIGITS = {"ar": ARABIC_INDIC_DIGITS, "fa": PERSIAN_DIGITS}
# The one digit table: Arabic-Indic and Persian digits, and the Arabic decimal and thousands marks, to ASCII. The
# SQL that folds digits (backoffice.db.queries.staging) is built from these two strings, never copied by hand.
DIGITS_FROM = ARABIC_INDIC_DIGITS + PERSIAN_DIGITS + "٫٬"
DIGITS_TO = "0123456789" * 2 + ".,"
_DIGITS = str.maketrans(DIGITS_FROM, DIGITS_TO)
# Letters folded for search: Persian/Arabic yeh and kaf variants, alef with hamza/madda, alef maqsura.
LETTER_FOLDS: dict[str, str | None] = {
    "ي": "ی",
    "ى": "ی",
    "ئ": "ی",
    "ك": "ک",
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ؤ": "و",
    "ـ": None,  # tatweel
    "\u200c": " ",  # zero-width non-joiner (Persian half-space)
    "\u200f": None,
    "\u200e": None,
}
_LETTERS = str.maketrans(LETTER_FOLDS)
_MARKS = re.compile(r"[\u064B-\u065F\u0670]")  # harakat and superscript alef
_FINAL_TEH_MARBUTA = re.compile(r"ة(?=\s|$)")
_SPACES = re.compile(r"\s+")


def normalize_digits(text: str) -> str:
    """Arabic-Indic and Persian digits (and the Arabic decimal/thousands marks) to ASCII."""
    return text.translate(_DIGITS)


def to_native_digits(text: str, locale: str) -> str:
    """ASCII digits as the locale's language writes them (NATIVE_DIGITS): Arabic-Indic for Arabic, Persian for
    Persian; unchanged in any other language."""
    native = NATIVE_DIGITS.get(locale[:2])
    return text.translate(str.maketrans("0123456789", native)) if native else text


def search_key(text: str | None) -> str:
    """The form stored beside names and compared in search and duplicate checks."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).translate(_LETTERS)
    folded = _MARKS.sub("", folded)
    folded = _FINAL_TEH_MARBUTA.sub("ه", folded)
    folded = normalize_digits(folded).casefold()
    return _SPACES.sub(" ", folded).strip()


def digits_only(text: str | None) -> str:
    return re.sub(r"\D", "", normalize_digits(text or ""))


_UNSAFE = re.compile(r"[\r\n\x00]+")


def clean_header_value(text: str | None) -> str:
    """A mail header value or file name without CR, LF or NUL (encoded-newline injection, CVE-2024-6923): each run
    of them becomes one space."""
    return _UNSAFE.sub(" ", text or "").strip()
