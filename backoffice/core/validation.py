"""Field validators shared by the services: email, phone, tax ID per country, colour, language.

Each returns the normalized value or raises nothing: they return (value, problem)
so a form can collect every field's problem at once (beancount's habit).
"""

from __future__ import annotations

import re

import phonenumbers

from backoffice.core.text import digits_only, normalize_digits

LANGUAGES = ("en", "ar", "fa")
DOCUMENT_LANGUAGES = ("en", "ar", "fa", "ar-en", "fa-en")
_EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]{2,}$")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def check_emails(text: str | None) -> tuple[list[str], str | None]:
    """Comma- or semicolon-separated addresses, each valid; lower-cased, duplicates removed."""
    found: list[str] = []
    for part in re.split(r"[,;]", text or ""):
        address = part.strip()
        if not address:
            continue
        if not _EMAIL.match(address):
            return [], f"'{address}' is not a valid email address"
        if address.lower() not in found:
            found.append(address.lower())
    return found, None


def check_phone(text: str | None, country: str | None) -> tuple[str | None, str | None]:
    """A phone number in E.164 (+9665…); local numbers are read in the contact's or organization's country."""
    raw = normalize_digits((text or "").strip())
    if not raw:
        return None, None
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None, f"'{text}' is not a phone number (use the international form, e.g. +966 50 123 4567)"
    if not phonenumbers.is_valid_number(number):
        return None, f"'{text}' is not a valid phone number"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def check_tax_id(text: str | None, country: str | None) -> tuple[str | None, str | None]:
    """A VAT/tax number, checked by the rules of the countries where we know them."""
    raw = normalize_digits((text or "").strip()).replace(" ", "").upper()
    if not raw:
        return None, None
    country = (country or "").upper()
    if country == "SA":
        if not re.fullmatch(r"3\d{13}3", raw):
            return None, "a Saudi VAT number has 15 digits and begins and ends with 3"
    elif country == "AE":
        if not re.fullmatch(r"\d{15}", raw):
            return None, "a UAE tax registration number (TRN) has 15 digits"
    elif country == "IR":
        if not re.fullmatch(r"\d{10,14}", raw):
            return None, "an Iranian economic code (شماره اقتصادی) has 10 to 14 digits"
    elif not re.fullmatch(r"[A-Z0-9\-./]{4,20}", raw):
        return None, "a tax ID is 4 to 20 letters and digits"
    return raw, None


def tax_id_key(text: str | None) -> str | None:
    key = digits_only(text) if text and not re.search(r"[A-Za-z]", text) else (text or "").upper()
    return key or None


def check_country(text: str | None) -> tuple[str | None, str | None]:
    code = (text or "").strip().upper()
    if not code:
        return None, None
    if not _COUNTRY.match(code):
        return None, "use the two-letter country code (SA, AE, JO, IR, GB …)"
    return code, None


def check_color(text: str | None) -> tuple[str | None, str | None]:
    value = (text or "").strip()
    if not _HEX.match(value):
        return None, "a colour is written #RRGGBB, e.g. #0f766e"
    return value.lower(), None
