"""Dates on documents: Gregorian always, Hijri (Umm al-Qura) or Jalali beside it, digits per language (SPEC L2).

Owns the calendar conversion (hijridate, jdatetime), the month names and native digits; not money.
"""

from __future__ import annotations

from datetime import date

from backoffice.core.text import NATIVE_DIGITS, to_native_digits

HIJRI_MONTHS = {
    "ar": (
        "محرم",
        "صفر",
        "ربيع الأول",
        "ربيع الآخر",
        "جمادى الأولى",
        "جمادى الآخرة",
        "رجب",
        "شعبان",
        "رمضان",
        "شوال",
        "ذو القعدة",
        "ذو الحجة",
    ),
    "fa": (
        "محرم",
        "صفر",
        "ربیع‌الاول",
        "ربیع‌الثانی",
        "جمادی‌الاول",
        "جمادی‌الثانی",
        "رجب",
        "شعبان",
        "رمضان",
        "شوال",
        "ذی‌القعده",
        "ذی‌الحجه",
    ),
    "en": (
        "Muharram",
        "Safar",
        "Rabi al-Awwal",
        "Rabi al-Thani",
        "Jumada al-Ula",
        "Jumada al-Akhirah",
        "Rajab",
        "Shaban",
        "Ramadan",
        "Shawwal",
        "Dhu al-Qadah",
        "Dhu al-Hijjah",
    ),
}
JALALI_MONTHS = {
    "fa": (
        "فروردین",
        "اردیبهشت",
        "خرداد",
        "تیر",
        "مرداد",
        "شهریور",
        "مهر",
        "آبان",
        "آذر",
        "دی",
        "بهمن",
        "اسفند",
    ),
    "ar": (
        "فروردين",
        "أرديبهشت",
        "خرداد",
        "تير",
        "مرداد",
        "شهريور",
        "مهر",
        "آبان",
        "آذر",
        "دي",
        "بهمن",
        "إسفند",
    ),
    "en": (
        "Farvardin",
        "Ordibehesht",
        "Khordad",
        "Tir",
        "Mordad",
        "Shahrivar",
        "Mehr",
        "Aban",
        "Azar",
        "Dey",
        "Bahman",
        "Esfand",
    ),
}
_ERA = {"hijri": {"ar": "هـ", "fa": "ق", "en": "AH"}, "jalali": {"ar": "هـ.ش", "fa": "", "en": "SH"}}


def digits(text: str, language: str, native: bool) -> str:
    """Arabic-Indic digits for Arabic, Persian digits for Persian, when the organization asks for them."""
    return to_native_digits(text, language) if native and language in NATIVE_DIGITS else text


def gregorian(on: date, language: str, native: bool = False) -> str:
    """ISO 8601 (2026-11-22): unambiguous in every language; native digits when asked."""
    return digits(on.isoformat(), language, native)


def hijri(on: date, language: str, native: bool = False) -> str | None:
    """«12 جمادى الآخرة 1448 هـ»; None outside the Umm al-Qura table (1924–2077)."""
    from hijridate import Gregorian

    try:
        found = Gregorian(on.year, on.month, on.day).to_hijri()
    except OverflowError:
        return None
    month = HIJRI_MONTHS[language][found.month - 1]
    return digits(f"{found.day} {month} {found.year} {_ERA['hijri'][language]}", language, native)


def jalali(on: date, language: str, native: bool = False) -> str:
    """«1 آذر 1405» (Solar Hijri)."""
    import jdatetime

    found = jdatetime.date.fromgregorian(date=on)
    month = JALALI_MONTHS[language][found.month - 1]
    return digits(f"{found.day} {month} {found.year} {_ERA['jalali'][language]}".strip(), language, native)


def beside(on: date, calendar: str, language: str, native: bool = False) -> str | None:
    """The organization's second calendar for a date, or None for Gregorian only."""
    if calendar == "hijri":
        return hijri(on, language, native)
    if calendar == "jalali":
        return jalali(on, language, native)
    return None
