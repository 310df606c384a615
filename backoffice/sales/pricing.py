"""Document totals from lines: quantity × price − discount, VAT per line or per rate group, prices
entered with or without VAT (SPEC I2). Pure functions, no database.

The three sums a tax invoice states always agree to the smallest unit (ZATCA BR-CO-14/15,
EN 16931): Σ line net = invoice net; Σ line VAT = VAT total; net + VAT = grand total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backoffice.core.errors import FieldError, ValidationError
from backoffice.core.money import Rounding, allocate, apply_rate, percent_text, split_inclusive

RULES = ("line", "group")


@dataclass(frozen=True)
class LineInput:
    quantity: int
    unit_price_minor: int
    discount_minor: int = 0
    rate_bp: int = 0
    exempt: bool = False
    kind: str = "goods"  # or "shipping"

    @classmethod
    def of(cls, row: dict[str, Any]) -> LineInput:
        """A line as the database holds it (an order's or an invoice's line row)."""
        return cls(
            row["quantity"],
            row["unit_price_minor"],
            row["discount_minor"],
            row["vat_rate_bp"],
            row["vat_exempt"],
            row["kind"],
        )

    @property
    def amount_minor(self) -> int:
        return self.quantity * self.unit_price_minor - self.discount_minor

    @property
    def effective_rate(self) -> int:
        return 0 if self.exempt else self.rate_bp


@dataclass(frozen=True)
class LineAmounts:
    net_minor: int
    vat_minor: int

    @property
    def gross_minor(self) -> int:
        return self.net_minor + self.vat_minor


@dataclass(frozen=True)
class Totals:
    lines: list[LineAmounts]
    net_minor: int
    vat_minor: int

    @property
    def total_minor(self) -> int:
        return self.net_minor + self.vat_minor


def check_lines(lines: Sequence[LineInput]) -> list[FieldError]:
    """Every problem with the lines at once (quantity, price, discount)."""
    problems = []
    for n, line in enumerate(lines, 1):
        if line.quantity <= 0:
            problems.append(FieldError(f"line {n}", "the quantity must be above zero"))
        if line.unit_price_minor < 0:
            problems.append(FieldError(f"line {n}", "the price cannot be negative"))
        if line.discount_minor < 0:
            problems.append(FieldError(f"line {n}", "the discount cannot be negative"))
        elif line.quantity > 0 and line.discount_minor > line.quantity * line.unit_price_minor:
            problems.append(FieldError(f"line {n}", "the discount is larger than the line's amount"))
        if not 0 <= line.rate_bp <= 10000:
            problems.append(FieldError(f"line {n}", "the VAT rate must be between 0 and 100 %"))
    return problems


def compute(
    lines: Sequence[LineInput],
    prices_include_vat: bool,
    rule: str = "line",
    rounding: Rounding = Rounding.HALF_UP,
) -> Totals:
    """Net and VAT of each line and of the document; raises ValidationError for impossible lines."""
    if problems := check_lines(lines):
        raise ValidationError(problems)
    if rule not in RULES:
        raise ValidationError(f"choose one of {', '.join(RULES)}", "rounding_rule")
    if rule == "line":
        amounts = [_line(line, prices_include_vat, rounding) for line in lines]
    else:
        amounts = _by_group(lines, prices_include_vat, rounding)
    return Totals(amounts, sum(a.net_minor for a in amounts), sum(a.vat_minor for a in amounts))


def _line(line: LineInput, inclusive: bool, rounding: Rounding) -> LineAmounts:
    if inclusive:
        net, vat = split_inclusive(line.amount_minor, line.effective_rate, rounding)
        return LineAmounts(net, vat)
    return LineAmounts(line.amount_minor, apply_rate(line.amount_minor, line.effective_rate, rounding))


def _by_group(lines: Sequence[LineInput], inclusive: bool, rounding: Rounding) -> list[LineAmounts]:
    """EN 16931: VAT rounded once per rate, then shared back to the lines so they still add up."""
    result: list[LineAmounts | None] = [None] * len(lines)
    groups: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        groups.setdefault(line.effective_rate, []).append(i)
    for rate, members in groups.items():
        amounts = [lines[i].amount_minor for i in members]
        whole = sum(amounts)
        if inclusive:
            _, group_vat = split_inclusive(whole, rate, rounding)
        else:
            group_vat = apply_rate(whole, rate, rounding)
        shares = allocate(group_vat, amounts) if whole > 0 else [0] * len(members)
        for i, amount, share in zip(members, amounts, shares, strict=True):
            result[i] = LineAmounts(amount - share, share) if inclusive else LineAmounts(amount, share)
    return [r for r in result if r is not None]


@dataclass(frozen=True)
class Difference:
    where: str
    stored_minor: int
    computed_minor: int
    reason: str


def explain(
    lines: Sequence[LineInput],
    stored_lines: Sequence[LineAmounts],
    stored_net: int,
    stored_vat: int,
    stored_total: int,
    prices_include_vat: bool,
    rule: str,
    rounding: Rounding = Rounding.HALF_UP,
) -> list[Difference]:
    """Each stored figure that disagrees with what its lines give, and why (the "recalculate" check)."""
    totals = compute(lines, prices_include_vat, rule, rounding)
    found = []
    for n, (stored, computed) in enumerate(zip(stored_lines, totals.lines, strict=True), 1):
        if stored.net_minor != computed.net_minor:
            found.append(
                Difference(
                    f"line {n} net",
                    stored.net_minor,
                    computed.net_minor,
                    "quantity × price − discount gives another net amount",
                )
            )
        if stored.vat_minor != computed.vat_minor:
            found.append(
                Difference(
                    f"line {n} VAT",
                    stored.vat_minor,
                    computed.vat_minor,
                    f"VAT at {percent_text(lines[n - 1].effective_rate)}% rounded per {rule} gives another amount",
                )
            )
    if stored_net != sum(x.net_minor for x in stored_lines):
        found.append(
            Difference(
                "net total",
                stored_net,
                totals.net_minor,
                "the net total is not the sum of the lines' nets (BR-CO-13)",
            )
        )
    if stored_vat != sum(x.vat_minor for x in stored_lines):
        found.append(
            Difference(
                "VAT total",
                stored_vat,
                totals.vat_minor,
                "the VAT total is not the sum of the lines' VAT (BR-CO-14)",
            )
        )
    if stored_total != stored_net + stored_vat:
        found.append(
            Difference(
                "grand total", stored_total, totals.total_minor, "the total is not net + VAT (BR-CO-15)"
            )
        )
    return found


def explain_document(header: dict[str, Any], lines: Sequence[dict[str, Any]], rule: str) -> list[Difference]:
    """`explain` for a stored order or invoice: its header totals and line rows as the database holds them."""
    return explain(
        [LineInput.of(x) for x in lines],
        [LineAmounts(x["net_minor"], x["vat_minor"]) for x in lines],
        header["net_minor"],
        header["vat_minor"],
        header["total_minor"],
        header["prices_include_vat"],
        rule,
    )
