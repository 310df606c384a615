"""Document totals from lines: quantity × price − discount, VAT per line or per rate group, prices
entered with or without VAT (SPEC I2). Pure functions, no database.

Each line keeps its own basis (issue 19): a VAT-inclusive price is what the customer pays for that line, an
exclusive one gets VAT on top, whatever the other lines are and in any line order. The three sums a tax invoice
states always agree to the smallest unit (ZATCA BR-CO-14/15, EN 16931): Σ line net = invoice net; Σ line VAT =
VAT total; net + VAT = grand total. With the 'group' rule the VAT of each rate is its taxable amount × rate,
rounded once (BR-CO-17), then shared back to the lines.
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
    includes_vat: bool | None = None  # this line's price is VAT-inclusive; None: the document's basis

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
            row.get("price_includes_vat"),
        )

    @property
    def amount_minor(self) -> int:
        return self.quantity * self.unit_price_minor - self.discount_minor

    @property
    def effective_rate(self) -> int:
        return 0 if self.exempt else self.rate_bp

    def inclusive(self, document_basis: bool) -> bool:
        return document_basis if self.includes_vat is None else self.includes_vat


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
    """Net and VAT of each line and of the document; raises ValidationError for impossible lines.

    `prices_include_vat` is the basis of the lines that name none (LineInput.includes_vat None)."""
    if problems := check_lines(lines):
        raise ValidationError(problems)
    if rule not in RULES:
        raise ValidationError(f"choose one of {', '.join(RULES)}", "rounding_rule")
    if rule == "line":
        amounts = [_line(line, prices_include_vat, rounding) for line in lines]
    else:
        amounts = _by_group(lines, prices_include_vat, rounding)
    return Totals(amounts, sum(a.net_minor for a in amounts), sum(a.vat_minor for a in amounts))


def _line(line: LineInput, basis: bool, rounding: Rounding) -> LineAmounts:
    if line.inclusive(basis):
        net, vat = split_inclusive(line.amount_minor, line.effective_rate, rounding)
        return LineAmounts(net, vat)
    return LineAmounts(line.amount_minor, apply_rate(line.amount_minor, line.effective_rate, rounding))


def net_inside(gross_minor: int, rate_bp: int, rounding: Rounding = Rounding.HALF_UP) -> tuple[int, bool]:
    """The net inside VAT-inclusive amounts that add up to `gross_minor`: the net N, nearest gross ÷ (1 + rate),
    with N + round(N × rate) = gross, so that the VAT is the taxable amount × rate rounded once (BR-CO-17) and the
    customer still pays the shelf prices; (N, True). Some grosses are reached by no net (at 15 %, 0.04 SAR: a net
    of 0.03 gives 0.03, one of 0.04 gives 0.05); then (gross − round(gross × rate ÷ (1 + rate)), False): the
    shelf price is kept and the VAT is within one minor unit of taxable amount × rate."""
    first, _ = split_inclusive(gross_minor, rate_bp, rounding)
    for net in sorted(
        (first, first - 1, first + 1), key=lambda n: abs(n * (10000 + rate_bp) - gross_minor * 10000)
    ):
        if 0 <= net <= gross_minor and net + apply_rate(net, rate_bp, rounding) == gross_minor:
            return net, True
    return first, False


def _by_group(lines: Sequence[LineInput], basis: bool, rounding: Rounding) -> list[LineAmounts]:
    """EN 16931: VAT rounded once per rate, then shared back to the lines so they still add up.

    In a rate group, the inclusive lines keep their gross (their VAT is gross − net, the net from `net_inside`);
    the group's VAT is round((exclusive amounts + that net) × rate), and what it holds beyond the inclusive lines'
    VAT is the exclusive lines' VAT, shared by their amounts (never below zero). A group of inclusive lines alone
    has exactly their VAT."""
    result: list[LineAmounts | None] = [None] * len(lines)
    groups: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        groups.setdefault(line.effective_rate, []).append(i)
    for rate, members in groups.items():
        inclusive = [i for i in members if lines[i].inclusive(basis)]
        exclusive = [i for i in members if not lines[i].inclusive(basis)]
        gross = sum(lines[i].amount_minor for i in inclusive)
        taxable = sum(lines[i].amount_minor for i in exclusive)
        net = net_inside(gross, rate, rounding)[0] if inclusive else 0
        vat_on_top = 0
        if taxable > 0:
            vat_on_top = apply_rate(taxable + net, rate, rounding) - (gross - net)
            while (
                vat_on_top < 0
            ):  # only when no net reaches the gross exactly: take one unit more into the net
                net += 1
                vat_on_top = apply_rate(taxable + net, rate, rounding) - (gross - net)
        for part, total, inside in ((inclusive, gross - net, True), (exclusive, vat_on_top, False)):
            amounts = [lines[i].amount_minor for i in part]
            shares = allocate(total, amounts) if sum(amounts) > 0 else [0] * len(part)
            for i, amount, share in zip(part, amounts, shares, strict=True):
                result[i] = LineAmounts(amount - share, share) if inside else LineAmounts(amount, share)
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
