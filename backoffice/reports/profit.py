"""Profit (SPEC R3): revenue (net sales), cost of goods sold, gross profit and margin, from the sales facts."""

from __future__ import annotations

from datetime import date

from backoffice.core.context import Context
from backoffice.reports.registry import (
    BY_TITLES,
    PERIODS,
    Column,
    Report,
    _check_by,
)
from backoffice.reports.sales import _facts, _only

_PROFIT_TOTALS = [
    Column("revenue", "Revenue"),
    Column("cogs", "Cost of goods sold"),
    Column("gross_profit", "Gross profit"),
    Column("margin", "Margin %", "percent"),
]


def profit_report(
    ctx: Context, date_from: date | None = None, date_to: date | None = None, by: str = "month"
) -> Report:
    """Revenue (net sales), cost of goods sold (invoices' less credit notes'), gross profit and margin."""
    ctx.require("ledger.read")
    checked = _check_by("profit", by, "month") or "month"
    cur, rows, raw = _facts(ctx, date_from, date_to, checked, profit=True)
    columns = [Column("label", BY_TITLES[checked], "date" if checked in PERIODS else "text")]
    if checked == "product":
        columns.append(Column("sku", "SKU", "text"))
    columns += _PROFIT_TOTALS
    return Report(
        "profit", checked, date_from, date_to, cur, columns, rows, _only(raw, _PROFIT_TOTALS), _PROFIT_TOTALS
    )
