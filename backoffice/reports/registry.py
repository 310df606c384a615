"""What the reports are (SPEC R1–R7): their names, the ways each groups its rows (BY_OPTIONS), titles, the
labels of special rows, the Column and Report types; and the helpers every report shares (the period, its
currency, the grouping checked)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.core.context import Context
from backoffice.core.errors import NotFoundError, ValidationError
from backoffice.core.money import Currency, currency
from backoffice.db.queries import reports as q

# Definitions, held exact by tests (tests/test_reports.py):
# - documents count on their own date (invoices.issued_on); credit notes are negative sales;
# - net sales = invoices' net − credit notes' net, excluding VAT and including shipping
#   = P&L revenue = movement of the sales, shipping income and sales returns accounts;
# - output VAT = invoices' VAT − credit notes' VAT = movement of VAT payable; input VAT = movement of input VAT;
# - COGS = invoices' cost of goods − credit notes' = movement of the COGS account; gross profit = net sales − COGS.
PERIODS = ("day", "week", "month")
BY_OPTIONS: dict[str, tuple[str, ...]] = {
    "sales": (
        "month",
        "week",
        "day",
        "product",
        "category",
        "customer",
        "customer-category",
        "channel",
        "method",
    ),
    "profit": ("month", "week", "day", "product", "category", "customer", "customer-category", "channel"),
    "vat": ("return", "month", "week", "day"),
    "aging": (),
    "trial-balance": (),
    "pnl": (),
    "balance-sheet": (),
}
REPORTS = tuple(BY_OPTIONS)
REPORT_TITLES = {
    "sales": "Sales",
    "profit": "Profit",
    "vat": "VAT",
    "aging": "Receivables aging",
    "trial-balance": "Trial balance",
    "pnl": "Profit and loss",
    "balance-sheet": "Balance sheet",
}
BY_TITLES = {
    "day": "Day",
    "week": "Week",
    "month": "Month",
    "product": "Product",
    "category": "Product category",
    "customer": "Customer",
    "customer-category": "Customer category",
    "channel": "Store / channel",
    "method": "Payment method",
    "return": "VAT return",
}
# Rows that stand for "no such thing" carry a key starting with '~' and an English label a screen translates.
SPECIAL_LABELS = {
    "~walk-in": "Walk-in customer",
    "~manual": "manual",
    "~none": "None",
    "~shipping": "Shipping",
    "~credit": "Customer credit",
    "~open": "Not yet paid",
}
_EARLIEST, _LATEST = date(1900, 1, 1), date(9999, 12, 31)


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # English; screens translate it
    kind: str = "money"  # money (int minor units) | text | date | number | percent (Decimal) | flag


@dataclass
class Report:
    """A report's rows and totals. Each row has a "key" (for its drill-down) and "label"; money in minor units."""

    name: str
    by: str | None
    date_from: date | None
    date_to: date | None
    currency: Currency
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    total_columns: list[Column]
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- helpers


def _span(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    if date_from and date_to and date_from > date_to:
        raise ValidationError("the start date is after the end date", "from")
    return date_from or _EARLIEST, date_to or _LATEST


def _check_by(name: str, by: str | None, default: str | None) -> str | None:
    by = by or default
    if BY_OPTIONS[name] and by not in BY_OPTIONS[name]:
        raise ValidationError(f"report {name} by {by}: choose one of {', '.join(BY_OPTIONS[name])}", "by")
    return by


def _currency(ctx: Context, conn: Connection | None = None) -> tuple[Currency, dict[str, Any]]:
    if conn is None:
        with ctx.read() as conn:
            return _currency(ctx, conn)
    org = q.org_basics(conn, ctx.org_id)
    if org is None:
        raise NotFoundError("No such organization.")
    return currency(org["currency"]), org


def _ints(row: dict[str, Any], *keys: str) -> list[int]:
    return [int(row.get(k) or 0) for k in keys]  # PostgreSQL sums bigint as numeric
