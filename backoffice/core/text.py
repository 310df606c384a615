"""Text normalization for search, duplicate checks and numeric input.

Owns: digit folding (Arabic-Indic and Persian digits to ASCII) and the search
key that makes Arabic/Persian spelling variants compare equal (SPEC C11, L2).
Does not own: display formatting (backoffice.core.i18n) or money parsing (backoffice.core.money).
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬",
    "01234567890123456789.,",
)
# Letters folded for search: Persian/Arabic yeh and kaf variants, alef with hamza/madda, alef maqsura.
_LETTERS = str.maketrans(
    {
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
)
_MARKS = re.compile(r"[\u064B-\u065F\u0670]")  # harakat and superscript alef
_FINAL_TEH_MARBUTA = re.compile(r"ة(?=\s|$)")
_SPACES = re.compile(r"\s+")


def normalize_digits(text: str) -> str:
    """Arabic-Indic and Persian digits (and the Arabic decimal/thousands marks) to ASCII."""
    return text.translate(_DIGITS)


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


def clean_header_value(text: str) -> str:
    """Strip CR, LF and NUL from a value that will go into a mail header or file name."""
    return re.sub(r"[\r\n\x00]", " ", text).strip()
