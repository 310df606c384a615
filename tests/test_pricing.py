"""Totals from lines: exclusive and inclusive prices, per-line and per-group rounding, the three sums agree."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backoffice.core.errors import ValidationError
from backoffice.core.money import apply_rate
from backoffice.sales.pricing import LineAmounts, LineInput, compute, explain, net_inside


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


# Issue 19: each line keeps its own basis; totals do not depend on the order of the lines; group rounding is
# EN 16931 BR-CO-17 (a rate's VAT is its taxable amount × rate, rounded once).
mixed_lines = st.builds(
    LineInput,
    quantity=st.integers(1, 20),
    unit_price_minor=st.integers(0, 10**6),
    discount_minor=st.just(0),
    rate_bp=st.sampled_from([0, 500, 1000, 1500, 1600]),
    exempt=st.booleans(),
    includes_vat=st.sampled_from([True, False, None]),
)


@given(
    st.lists(mixed_lines, min_size=1, max_size=12),
    st.booleans(),
    st.sampled_from(["line", "group"]),
    st.randoms(),
)
def test_each_line_keeps_its_basis_in_any_order(lines, basis, rule, random) -> None:
    totals = compute(lines, basis, rule)
    for line, amounts in zip(lines, totals.lines, strict=True):
        if line.inclusive(basis):
            assert amounts.gross_minor == line.amount_minor  # what the customer pays for it
        else:
            assert amounts.net_minor == line.amount_minor and amounts.vat_minor >= 0  # VAT on top
    shuffled = random.sample(range(len(lines)), len(lines))
    again = compute([lines[i] for i in shuffled], basis, rule)
    assert (again.net_minor, again.vat_minor) == (totals.net_minor, totals.vat_minor)
    assert not explain(
        lines, totals.lines, totals.net_minor, totals.vat_minor, totals.total_minor, basis, rule
    )


@given(st.lists(mixed_lines, min_size=1, max_size=12), st.booleans())
def test_group_vat_is_the_taxable_amount_times_the_rate_rounded_once(lines, basis) -> None:
    totals = compute(lines, basis, "group")
    for rate in {x.effective_rate for x in lines}:
        group = [(x, a) for x, a in zip(lines, totals.lines, strict=True) if x.effective_rate == rate]
        taxable = sum(a.net_minor for _, a in group)
        vat = sum(a.vat_minor for _, a in group)
        gross_in = sum(x.amount_minor for x, _ in group if x.inclusive(basis))
        if all(not x.inclusive(basis) for x, _ in group) or net_inside(gross_in, rate)[1]:
            assert vat == apply_rate(taxable, rate)  # BR-CO-17 exactly
        else:  # no net reaches the inclusive lines' gross exactly: the shelf prices are kept, VAT within a unit
            assert abs(vat - apply_rate(taxable, rate)) <= 1


@pytest.mark.parametrize(
    ("lines", "net", "vat"),
    [
        ([LineInput(1, 3, 0, 1500, includes_vat=False)] * 10, 30, 5),  # 10 × 0.03 SAR: round(0.045) = 0.05
        ([LineInput(1, 152970, 0, 1500), LineInput(1, 152990, 0, 1500)], 305960, 45894),  # not 458.95
        ([LineInput(7, 999, 0, 1500, includes_vat=True)], 6081, 912),  # 69.93: 60.81 × 15 % = 9.1215
        ([LineInput(1, 4, 0, 1500, includes_vat=True)], 3, 1),  # 0.04: no net gives it; the shelf price kept
    ],
)
def test_group_rounding_by_hand(lines: list[LineInput], net: int, vat: int) -> None:
    totals = compute(lines, False, "group")
    assert (totals.net_minor, totals.vat_minor) == (net, vat)
