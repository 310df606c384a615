"""Totals from lines: exclusive and inclusive prices, per-line and per-group rounding, the three sums agree."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backoffice.core.errors import ValidationError
from backoffice.sales.pricing import LineAmounts, LineInput, compute, explain


def test_exclusive_prices_with_discount_and_shipping() -> None:
    totals = compute([LineInput(3, 2000, 500, 1500), LineInput(1, 1500, 0, 1500, kind="shipping")], False)
    assert [(x.net_minor, x.vat_minor) for x in totals.lines] == [(5500, 825), (1500, 225)]
    assert (totals.net_minor, totals.vat_minor, totals.total_minor) == (7000, 1050, 8050)


def test_inclusive_prices_keep_the_gross_the_customer_paid() -> None:
    totals = compute([LineInput(1, 2300, 0, 1500), LineInput(1, 1000, 0, 1500)], True)
    assert [x.gross_minor for x in totals.lines] == [2300, 1000]
    assert [(x.net_minor, x.vat_minor) for x in totals.lines] == [(2000, 300), (870, 130)]
    assert totals.total_minor == 3300


def test_line_and_group_rounding_differ_and_both_add_up() -> None:
    lines = [LineInput(1, 333, 0, 1500)] * 3  # 49.95 halalas of VAT each
    per_line = compute(lines, False, "line")
    per_group = compute(lines, False, "group")
    assert per_line.vat_minor == 150 and per_group.vat_minor == 150  # 3 × 50 vs round(149.85)
    odd = [LineInput(1, 1, 0, 1500)] * 10
    assert compute(odd, False, "line").vat_minor == 0
    assert compute(odd, False, "group").vat_minor == 2  # round(10 × 0.15) = 2, shared to two lines
    assert sum(x.vat_minor for x in compute(odd, False, "group").lines) == 2


def test_exempt_and_zero_rated_lines() -> None:
    totals = compute([LineInput(2, 1000, 0, 1500, exempt=True), LineInput(1, 1000, 0, 0)], False)
    assert totals.vat_minor == 0 and totals.total_minor == 3000


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (LineInput(0, 100), "quantity must be above zero"),
        (LineInput(1, -5), "price cannot be negative"),
        (LineInput(2, 100, 201), "discount is larger"),
        (LineInput(1, 100, -1), "discount cannot be negative"),
    ],
)
def test_impossible_lines_are_refused(line: LineInput, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        compute([line], False)


line_inputs = st.builds(
    LineInput,
    quantity=st.integers(1, 50),
    unit_price_minor=st.integers(0, 10**7),
    discount_minor=st.just(0),
    rate_bp=st.sampled_from([0, 500, 1500, 1600]),
    exempt=st.booleans(),
)


@given(st.lists(line_inputs, min_size=1, max_size=15), st.booleans(), st.sampled_from(["line", "group"]))
def test_the_three_sums_always_agree(lines: list[LineInput], inclusive: bool, rule: str) -> None:
    totals = compute(lines, inclusive, rule)
    assert totals.net_minor == sum(x.net_minor for x in totals.lines)  # BR-CO-13
    assert totals.vat_minor == sum(x.vat_minor for x in totals.lines)  # BR-CO-14
    assert totals.total_minor == totals.net_minor + totals.vat_minor  # BR-CO-15
    if inclusive:
        assert [x.gross_minor for x in totals.lines] == [x.amount_minor for x in lines]
    else:
        assert [x.net_minor for x in totals.lines] == [x.amount_minor for x in lines]
    assert all(x.vat_minor >= 0 for x in totals.lines)
    assert not explain(
        lines, totals.lines, totals.net_minor, totals.vat_minor, totals.total_minor, inclusive, rule
    )


def test_explain_names_each_disagreement() -> None:
    lines = [LineInput(2, 1000, 0, 1500), LineInput(1, 500, 0, 1500)]
    stored = [LineAmounts(2000, 301), LineAmounts(500, 75)]
    found = explain(lines, stored, 2500, 376, 2877, False, "line")
    assert [(d.where, d.stored_minor, d.computed_minor) for d in found] == [
        ("line 1 VAT", 301, 300),
        ("grand total", 2877, 2875),
    ]
    assert "VAT at 15% rounded per line" in found[0].reason and "BR-CO-15" in found[1].reason
