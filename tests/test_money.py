"""Money: exact minor units, parsing in every digit set, rounding, allocation (SPEC I8, L2)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backoffice.core.errors import ValidationError
from backoffice.core.money import (
    EXPONENTS,
    Rounding,
    allocate,
    apply_rate,
    currency,
    format_money,
    from_minor,
    parse_decimal,
    rate_from_percent,
    split_inclusive,
    to_json,
    to_minor,
)

SAR, JOD, IRR = currency("SAR"), currency("JOD"), currency("IRR")


@pytest.mark.parametrize(
    ("text", "cur", "minor"),
    [
        ("149.50", SAR, 14950),
        ("١٤٩٫٥٠", SAR, 14950),  # Arabic-Indic digits and decimal separator
        ("۱۴۹٫۵", SAR, 14950),  # Persian digits
        ("1,234.5", SAR, 123450),
        ("12.345", JOD, 12345),  # three decimals
        ("1500000", IRR, 1500000),  # no subunit
        ("-3.5", SAR, -350),
    ],
)
def test_to_minor_reads_what_people_type(text: str, cur, minor: int) -> None:
    assert to_minor(text, cur) == minor


@pytest.mark.parametrize("text", ["12.3.4", "abc", "", "1,2", "1e5", "--1"])
def test_not_a_number_is_refused_with_the_value_named(text: str) -> None:
    with pytest.raises(ValidationError) as error:
        to_minor(text, SAR)
    assert error.value.errors[0].field == "amount"


def test_extra_decimals_are_an_error_unless_a_rounding_is_chosen() -> None:
    with pytest.raises(ValidationError, match="more than 2 decimal places"):
        to_minor("1.005", SAR)
    assert to_minor("1.005", SAR, Rounding.HALF_UP) == 101
    assert to_minor("1.005", SAR, Rounding.HALF_EVEN) == 100
    assert to_minor("1.5", IRR, Rounding.DOWN) == 1


def test_unknown_currency() -> None:
    with pytest.raises(ValidationError, match="Unknown currency 'XXX'"):
        currency("xxx")


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(sorted(EXPONENTS)))
def test_minor_units_round_trip_exactly(minor: int, code: str) -> None:
    cur = currency(code)
    assert to_minor(from_minor(minor, cur), cur) == minor
    assert to_minor(to_json(minor, cur), cur) == minor


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=12),
)
def test_allocation_never_loses_a_unit(total: int, weights: list[int]) -> None:
    if sum(weights) == 0:
        weights = [*weights[:-1], 1]
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(total) * weight / sum(weights)
        assert abs(Decimal(part) - exact) < 1  # each part within one unit of its exact share
        if weight == 0:
            assert part == 0


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([0, 500, 1500, 1600, 900]))
def test_inclusive_split_adds_back_to_the_gross(gross: int, rate_bp: int) -> None:
    net, tax = split_inclusive(gross, rate_bp)
    assert net + tax == gross
    assert abs(tax - apply_rate(net, rate_bp)) <= 1


def test_rates_and_vat() -> None:
    assert rate_from_percent("15") == 1500
    assert rate_from_percent("۱۶") == 1600
    assert apply_rate(10000, 1500) == 1500
    assert apply_rate(333, 1500) == 50  # 49.95 rounds half up
    with pytest.raises(ValidationError):
        rate_from_percent("101")
    with pytest.raises(ValidationError):
        rate_from_percent("7.125")


def test_parse_decimal_refuses_floats_by_design() -> None:
    assert parse_decimal("٠٫١") + parse_decimal("0.2") == Decimal("0.3")


def test_format_money_in_the_users_locale() -> None:
    assert format_money(123450, SAR, "en") == "1,234.50 SAR"
    assert format_money(12345, JOD, "en") == "12.345 JOD"
    assert format_money(1500000, IRR, "en") == "1,500,000 IRR"
    persian = format_money(123450, SAR, "fa", native_digits=True)
    assert "۱" in persian and "SAR" in persian


@pytest.mark.parametrize(
    ("rate_bp", "text"), [(1500, "15"), (1000, "10"), (750, "7.5"), (0, "0"), (10000, "100")]
)
def test_percent_text_is_plain(rate_bp: int, text: str) -> None:
    from backoffice.core.money import percent_text

    assert percent_text(rate_bp) == text
