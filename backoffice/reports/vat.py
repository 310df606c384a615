"""VAT (SPEC R4): output VAT on sales and credit notes, input VAT, net payable; the VAT return (the ZATCA boxes
in Saudi Arabia, otherwise per tax class and rate) or per period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from backoffice.core.context import Context
from backoffice.db.queries import reports as q
from backoffice.reports.registry import (
    BY_TITLES,
    Column,
    Report,
    _check_by,
    _currency,
    _ints,
    _span,
)

_VAT_TOTALS = [
    Column("vat_on_invoices", "VAT on invoices"),
    Column("vat_on_credit_notes", "VAT on credit notes"),
    Column("output_vat", "Output VAT"),
    Column("input_vat", "Input VAT"),
    Column("net_vat", "Net VAT payable"),
]
# The Saudi VAT return (ZATCA): box, English title, what fills it (a tax class, input VAT, or nothing yet).
SA_BOXES = [
    (1, "Standard rated sales", "standard"),
    (2, "Sales to citizens (private healthcare / private education / first home)", None),
    (3, "Zero rated domestic sales", "zero"),
    (4, "Exports", None),
    (5, "Exempt sales", "exempt"),
    (6, "Total sales", "sales"),
    (7, "Standard rated domestic purchases", "input"),
    (8, "Imports subject to VAT paid at customs", None),
    (9, "Imports subject to VAT accounted for through reverse charge", None),
    (10, "Zero rated purchases", None),
    (11, "Exempt purchases", None),
    (12, "Total purchases", "input"),
    (13, "Total VAT due for current period", "net"),
    (14, "Corrections from previous period (between SAR ±5,000)", None),
    (15, "VAT credit carried forward from previous period(s)", None),
    (16, "Net VAT due (or claimed)", "net"),
]


def vat_report(
    ctx: Context, date_from: date | None = None, date_to: date | None = None, by: str = "return"
) -> Report:
    """Output VAT on sales and credit notes, input VAT on purchases (the input VAT account), net payable.

    by "return": shaped as a VAT return — the ZATCA boxes when the organization is in Saudi Arabia (adjustments
    are the credit notes), otherwise one row per tax class and rate; by day/week/month: per period.
    """
    ctx.require("ledger.read")
    checked = _check_by("vat", by, "return") or "return"
    dfrom, dto = _span(date_from, date_to)
    rows: list[dict[str, Any]] = []
    with ctx.read() as conn:
        cur, org = _currency(ctx, conn)
        input_vat = q.role_movement(conn, ctx.org_id, "vat_input", dfrom, dto) if checked == "return" else 0
        found = (
            q.vat_by_class(conn, ctx.org_id, dfrom, dto)
            if checked == "return"
            else q.vat_by_period(conn, ctx.org_id, dfrom, dto, checked)
        )
    if checked != "return":
        for r in found:
            on_invoices, on_notes, period_input, net_sales = _ints(
                r, "sales_vat_minor", "adjustments_vat_minor", "input_vat_minor", "net_sales_minor"
            )
            output = on_invoices + on_notes
            rows.append(
                {"key": r["k"].isoformat(), "label": r["k"].isoformat(), "net_sales": net_sales}
                | {"vat_on_invoices": on_invoices, "vat_on_credit_notes": on_notes, "output_vat": output}
                | {"input_vat": period_input, "net_vat": output - period_input}
            )
        totals = {k.key: sum(r[k.key] for r in rows) for k in _VAT_TOTALS}
        columns = [
            Column("label", BY_TITLES[checked], "date"),
            Column("net_sales", "Net sales"),
            *_VAT_TOTALS,
        ]
        return Report("vat", checked, date_from, date_to, cur, columns, rows, totals, _VAT_TOTALS)
    classes: dict[str, list[int]] = {}
    per_rate = []
    for r in found:
        amounts = _ints(r, "sales_minor", "adjustments_minor", "sales_vat_minor", "adjustments_vat_minor")
        sums = classes.setdefault(r["tax_class"], [0, 0, 0, 0])
        classes[r["tax_class"]] = [a + b for a, b in zip(sums, amounts, strict=True)]
        per_rate.append((r["tax_class"], int(r["rate_bp"]), amounts))
    every = [sum(v[i] for v in classes.values()) for i in range(4)]
    output = every[2] + every[3]
    totals = {
        "vat_on_invoices": every[2],
        "vat_on_credit_notes": every[3],
        "output_vat": output,
        "input_vat": input_vat,
        "net_vat": output - input_vat,
    }

    def line(
        key: str, label: str, amounts: Sequence[int] | None, vat: int | None = None, **extra: Any
    ) -> dict[str, Any]:
        amount, adjustment, on_sales, on_notes = amounts or (0, 0, 0, 0)
        return (
            {"key": key, "label": label}
            | extra
            | {
                "amount": amount,
                "adjustment": adjustment,
                "vat": on_sales + on_notes if vat is None else vat,
            }
        )

    if (org.get("country") or "").upper() == "SA":
        for box, title, source in SA_BOXES:
            if source in ("standard", "zero", "exempt"):
                rows.append(line(source, title, classes.get(source), box=box))
            elif source == "sales":
                rows.append(line("~sales", title, every, box=box))
            elif source == "input":
                rows.append(line("~input", title, None, input_vat, box=box))
            elif source == "net":
                rows.append(line("~none", title, None, output - input_vat, box=box))
            else:
                rows.append(line("~none", title, None, box=box))
        columns = [Column("box", "Box", "number")]
        notes = ["Boxes 2, 4, 8–11, 14 and 15 are not tracked yet and show zero."]
    else:
        for tax_class, rate_bp, amounts in per_rate:
            title = {
                "standard": "Standard-rated sales",
                "zero": "Zero-rated sales",
                "exempt": "Exempt sales",
            }[tax_class]
            rows.append(
                line(
                    tax_class,
                    title,
                    amounts,
                    rate=Decimal(rate_bp) / 100 if tax_class == "standard" else None,
                )
            )
        rows.append(line("~sales", "Total sales", every))
        rows.append(line("~input", "Purchases (input VAT)", None, input_vat))
        rows.append(line("~none", "Net VAT payable", None, output - input_vat))
        columns = [Column("rate", "Rate %", "percent")]
        notes = []
    columns = [
        Column("label", "Line", "text"),
        *columns,
        Column("amount", "Amount"),
        Column("adjustment", "Adjustments (credit notes)"),
        Column("vat", "VAT"),
    ]
    return Report("vat", "return", date_from, date_to, cur, columns, rows, totals, _VAT_TOTALS, notes)
