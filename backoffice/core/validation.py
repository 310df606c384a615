"""Field validators shared by the services: email, phone, tax ID per country, colour, language.

Each returns the normalized value or raises nothing: they return (value, problem)
so a form can collect every field's problem at once (beancount's habit).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

# The language lists live in backoffice.core.i18n; named here too for callers that import them from validation.
from backoffice.core.text import clean_header_value, digits_only, normalize_digits

# The one email rule (customer cards, users, message recipients, the sender address, contact imports): a pragmatic
# subset of RFC 5322's addr-spec, as mail providers accept it.
#   local part: a dot-atom of 1-64 characters: no space, control character or invisible direction mark, none of ( ) < > [ ] : ; @ \ , " and
#     no dot at either end or two in a row (quoted local parts such as "a b"@x.com are refused);
#     letters of any script are accepted (RFC 6531).
#   domain: two labels or more, dot-separated; a label is 1-63 letters (any script: IDN domains such as
#     مثال.السعودية are accepted as typed), digits or inner hyphens; the last label is 2 letters or more, or an
#     A-label (xn--…). No IP-address literals, no trailing dot.
#   the whole address: at most 254 characters (RFC 5321's path limit).
_EMAIL_ATOM = r"[^\s\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff()<>\[\]:;@\\,\".]+"
_EMAIL_LOCAL = re.compile(rf"{_EMAIL_ATOM}(?:\.{_EMAIL_ATOM})*")
_EMAIL_LABEL = re.compile(r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?")
_EMAIL_TLD = re.compile(r"[^\W\d_]{2,63}|[xX][nN]--[a-zA-Z0-9-]{1,59}")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def is_email(address: str) -> bool:
    """Whether one address follows the email rule above."""
    if len(address) > 254 or address.count("@") != 1:
        return False
    local, domain = address.split("@")
    labels = domain.split(".")
    return (
        len(local) <= 64
        and _EMAIL_LOCAL.fullmatch(local) is not None
        and len(labels) >= 2
        and all(_EMAIL_LABEL.fullmatch(label) for label in labels)
        and _EMAIL_TLD.fullmatch(labels[-1]) is not None
    )


def split_emails(value: str | Iterable[str] | None) -> list[str]:
    """The addresses in 'a@x.com, b@y.com' (commas or semicolons) or a list, as written: each trimmed, without CR,
    LF or NUL and without the angle brackets of '<a@x.com>'; empty ones dropped. Not checked: see is_email."""
    parts = re.split(r"[,;]", value) if isinstance(value, str) else list(value or [])
    found = [clean_header_value(str(part)).strip("<>").strip() for part in parts]
    return [address for address in found if address]


def check_emails(text: str | Iterable[str] | None) -> tuple[list[str], str | None]:
    """Comma- or semicolon-separated addresses, each valid; lower-cased, duplicates removed."""
    found: list[str] = []
    for address in split_emails(text):
        if not is_email(address):
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
