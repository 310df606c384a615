"""Money: integer minor units per currency, Decimal only at the edges.

Owns: currencies and their exponents, parsing (any digit set), exact conversion
between major and minor units with an explicit rounding mode, rate arithmetic,
allocation that never loses a unit, and formatting. Never a float.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from backoffice.core.errors import ValidationError
from backoffice.core.text import normalize_digits, to_native_digits

# ISO 4217 exponents for the currencies our merchants use; IRR is kept in whole rials (no subunit in use).
EXPONENTS: dict[str, int] = {
    "SAR": 2, "AED": 2, "QAR": 2, "EGP": 2, "MAD": 2, "ILS": 2, "TRY": 2, "USD": 2, "EUR": 2,
    "GBP": 2, "BRL": 2, "INR": 2, "PKR": 2, "AFN": 2, "LBP": 2, "SYP": 2, "DZD": 2,
    "JOD": 3, "KWD": 3, "BHD": 3, "OMR": 3, "IQD": 3, "TND": 3, "LYD": 3,
    "IRR": 0, "JPY": 0, "YER": 0,
}  # fmt: skip


class Rounding(StrEnum):
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"

    @property
    def decimal_mode(self) -> str:
        return {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}[self.value]


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.exponent)


def currency(code: str) -> Currency:
    code = (code or "").strip().upper()
    if code not in EXPONENTS:
        raise ValidationError(
            f"Unknown currency '{code}'. Known: {', '.join(sorted(EXPONENTS))}.", "currency"
        )
    return Currency(code, EXPONENTS[code])


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def parse_decimal(value: str | int | Decimal, field: str = "amount") -> Decimal:
    """Parse a number typed by a person or read from a file, in any digit set."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # pragma: no cover - guarded by the type, kept for callers that slip
        raise ValidationError("a binary float cannot be an exact amount", field)
    text = normalize_digits(str(value)).strip().replace(" ", "").replace("\u00a0", "")
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise ValidationError(f"'{value}' is not a number", field)
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid numbers
        raise ValidationError(f"'{value}' is not a number", field) from exc


def round_to(value: Decimal, exponent: int, rounding: Rounding = Rounding.HALF_UP) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-exponent), rounding=rounding.decimal_mode)


def to_minor(
    value: str | int | Decimal, cur: Currency, rounding: Rounding | None = None, field: str = "amount"
) -> int:
    """Major units to integer minor units. Extra decimals are an error unless a rounding is given."""
    amount = parse_decimal(value, field)
    scaled = amount.scaleb(cur.exponent)
    if scaled != scaled.to_integral_value():
        if rounding is None:
            raise ValidationError(
                f"{amount} has more than {cur.exponent} decimal places, the most {cur.code} allows", field
            )
        scaled = scaled.quantize(Decimal(1), rounding=rounding.decimal_mode)
    return int(scaled)


def from_minor(minor: int, cur: Currency) -> Decimal:
    return (Decimal(minor).scaleb(-cur.exponent)).quantize(cur.quantum)


def to_json(minor: int, cur: Currency) -> str:
    """The decimal string in major units used in `--json` output ("149.50")."""
    return str(from_minor(minor, cur))


def rate_from_percent(value: str | int | Decimal, field: str = "vat") -> int:
    """A percentage ('15', '۱۵', '7.5') as basis points (hundredths of a percent): 15% -> 1500."""
    pct = parse_decimal(value, field)
    bp = pct * 100
    if bp != bp.to_integral_value() or not (0 <= bp <= 10000):
        raise ValidationError(
            f"'{value}' is not a percentage between 0 and 100 with at most 2 decimals", field
        )
    return int(bp)


def percent_text(rate_bp: int) -> str:
    return format((Decimal(rate_bp) / 100).normalize(), "f") if rate_bp else "0"


def apply_rate(minor: int, rate_bp: int, rounding: Rounding = Rounding.HALF_UP) -> int:
    """minor × rate, rounded to a whole minor unit: VAT on a net amount, a fee on a deposit."""
    exact = Decimal(minor) * Decimal(rate_bp) / Decimal(10000)
    return int(exact.quantize(Decimal(1), rounding=rounding.decimal_mode))


def split_inclusive(gross_minor: int, rate_bp: int, rounding: Rounding = Rounding.HALF_UP) -> tuple[int, int]:
    """Split a tax-inclusive amount into (net, tax) so that net + tax == gross exactly."""
    tax = int(
        (Decimal(gross_minor) * rate_bp / (10000 + rate_bp)).quantize(
            Decimal(1), rounding=rounding.decimal_mode
        )
    )
    return gross_minor - tax, tax


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` minor units in proportion to `weights`; the parts always sum to `total`.

    Largest-remainder method; ties go to the earlier weight. Works for negative totals.
    """
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("allocate needs non-negative weights with a positive sum")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    whole = sum(weights)
    parts = [magnitude * w // whole for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(magnitude * weights[i] % whole), i))
    for i in remainders[: magnitude - sum(parts)]:
        parts[i] += 1
    return [sign * p for p in parts]


def format_money(minor: int, cur: Currency, locale: str = "en", native_digits: bool = False) -> str:
    """'1,234.50 SAR' in the user's locale; Arabic-Indic or Persian digits when asked."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * cur.exponent if cur.exponent else "")
    text = format_decimal(from_minor(minor, cur), format=pattern, locale=_babel_locale(locale))
    if native_digits:
        text = to_native_digits(text, locale)
    return f"{text} {cur.code}"


def _babel_locale(locale: str) -> str:
    return {"ar": "ar_SA", "fa": "fa_IR"}.get(locale[:2], "en")
