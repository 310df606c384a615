"""Reports (SPEC R1–R7, A6): sales, profit and VAT from the documents; the ledger's statements; aging; drill-down
to documents; report files; the full-data export. Reads afresh on every call (no cache); SQL lives in
backoffice.db.queries.reports; money stays integer minor units until JSON, CSV or XLSX."""

from __future__ import annotations

import base64
import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.books import ledger, receivables
from backoffice.core import tabular
from backoffice.core.context import Context
from backoffice.core.errors import NotFoundError, ValidationError
from backoffice.core.money import Currency, currency, from_minor, to_json
from backoffice.db import audit
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import imports as imports_q
from backoffice.db.queries import ledger as ledger_q
from backoffice.db.queries import payments as payments_q
from backoffice.db.queries import products as products_q
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
FORMATS = ("json", "csv", "xlsx")  # report_json, report_csv, report_xlsx
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
DRILL_LIMIT = 1000


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


def margin(profit_minor: int, revenue_minor: int) -> Decimal | None:
    """Gross margin in percent with two decimals (a ratio, not money); None without revenue."""
    if not revenue_minor:
        return None
    return (Decimal(profit_minor) * 100 / Decimal(revenue_minor)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period of the same length that ends the day before date_from."""
    days = (date_to - date_from).days
    end = date_from - timedelta(days=1)
    return end - timedelta(days=days), end


def trend_granularity(date_from: date, date_to: date) -> str:
    """Days for a month or so, weeks up to about half a year, months beyond."""
    days = (date_to - date_from).days + 1
    return "day" if days <= 45 else "week" if days <= 200 else "month"


def this_month(today: date | None = None) -> tuple[date, date]:
    today = today or date.today()
    return today.replace(day=1), today


def _ints(row: dict[str, Any], *keys: str) -> list[int]:
    return [int(row.get(k) or 0) for k in keys]  # PostgreSQL sums bigint as numeric


# ---------------------------------------------------------------- sales and profit


def _key_label(by: str, k: Any, label: Any, line_kind: Any) -> tuple[str, str]:
    if by in PERIODS:
        return k.isoformat(), k.isoformat()
    if line_kind == "shipping":
        return "~shipping", SPECIAL_LABELS["~shipping"]
    if k is None:
        special = {"customer": "~walk-in", "channel": "~manual"}.get(by, "~none")
        return special, SPECIAL_LABELS[special]
    return str(k), str(label or f"#{k}")


def _facts(
    ctx: Context, date_from: date | None, date_to: date | None, by: str, profit: bool = False
) -> tuple[Currency, list[dict[str, Any]], dict[str, Any]]:
    dfrom, dto = _span(date_from, date_to)
    with ctx.read() as conn:
        cur, _ = _currency(ctx, conn)
        found = q.sales_facts(conn, ctx.org_id, dfrom, dto, by, "profit" if profit else "sales")
        totals = q.sales_totals(conn, ctx.org_id, dfrom, dto)
    result = []
    lines, documents = by in ("product", "category"), by not in ("product", "category")
    for k, label, line_kind, sku, quantity, gross, returns, vat, cogs, invoices, notes in found:
        key, label = _key_label(by, k, label, line_kind)
        gross, returns, vat, cogs = int(gross), int(returns), int(vat), int(cogs)
        net = gross - returns
        row: dict[str, Any] = {
            "key": key,
            "label": label,
            "gross_sales": gross,
            "returns": returns,
            "net_sales": net,
        }
        row |= {"vat": vat, "total": net + vat, "revenue": net, "cogs": cogs, "gross_profit": net - cogs}
        if profit:
            row["margin"] = margin(net - cogs, net)
        if by == "product":
            row["sku"] = sku
        if lines:
            row["quantity"] = int(quantity)
        if documents:
            row["invoices"], row["credit_notes"] = int(invoices), int(notes)
        result.append(row)
    return cur, result, totals


def _sales_totals(raw: dict[str, Any]) -> dict[str, Any]:
    gross, returns, vat, cogs, invoices, notes = _ints(
        raw, "gross_sales_minor", "returns_minor", "vat_minor", "cogs_minor", "invoices", "credit_notes"
    )
    net = gross - returns
    return {
        "gross_sales": gross,
        "returns": returns,
        "net_sales": net,
        "vat": vat,
        "total": net + vat,
        "invoices": invoices,
        "credit_notes": notes,
        "revenue": net,
        "cogs": cogs,
        "gross_profit": net - cogs,
        "margin": margin(net - cogs, net),
    }


def _only(raw: dict[str, Any], columns: list[Column]) -> dict[str, Any]:
    totals = _sales_totals(raw)
    return {c.key: totals[c.key] for c in columns}


_SALES_TOTALS = [
    Column("gross_sales", "Gross sales"),
    Column("returns", "Returns"),
    Column("net_sales", "Net sales"),
    Column("vat", "VAT"),
    Column("total", "Total incl. VAT"),
    Column("invoices", "Invoices", "number"),
    Column("credit_notes", "Credit notes", "number"),
]
_PROFIT_TOTALS = [
    Column("revenue", "Revenue"),
    Column("cogs", "Cost of goods sold"),
    Column("gross_profit", "Gross profit"),
    Column("margin", "Margin %", "percent"),
]


def sales_report(
    ctx: Context, date_from: date | None = None, date_to: date | None = None, by: str = "month"
) -> Report:
    """Sales by period, product, product category, customer, customer category, store/channel or payment method.

    Net sales exclude VAT and include shipping; credit notes count as negative on their own date. By payment
    method, each row is what the period's documents were settled with (total incl. VAT): payments and deposits
    by method, refunds by method (negative), customer credit, and what is not yet paid; the rows add up to the
    documents' total. By customer category, a customer in several categories counts in each (rows overlap).
    """
    ctx.require("ledger.read")
    checked = _check_by("sales", by, "month") or "month"
    first = Column("label", BY_TITLES[checked], "date" if checked in PERIODS else "text")
    if checked == "method":
        dfrom, dto = _span(date_from, date_to)
        with ctx.read() as conn:
            cur, _ = _currency(ctx, conn)
            found = q.sales_by_method(conn, ctx.org_id, dfrom, dto)
            raw = q.sales_totals(conn, ctx.org_id, dfrom, dto)
        amounts: dict[str, list[int]] = {}
        for r in found:
            seen = amounts.setdefault(r["k"], [0, 0])
            seen[0] += int(r["amount_minor"] or 0)
            seen[1] += int(r["documents"] or 0)
        totals = _only(raw, _SALES_TOTALS)
        amounts["~open"] = [totals["total"] - sum(a for a, _ in amounts.values()), 0]
        kept = sorted(
            ((k, a, n) for k, (a, n) in amounts.items() if a or not k.startswith("~")),
            key=lambda x: (x[0] == "~open", -x[1], x[0]),
        )
        rows = [
            {"key": k, "label": SPECIAL_LABELS.get(k, k), "amount": a, "documents": n} for k, a, n in kept
        ]
        columns = [first, Column("amount", "Amount"), Column("documents", "Documents", "number")]
        return Report("sales", checked, date_from, date_to, cur, columns, rows, totals, _SALES_TOTALS)
    cur, rows, raw = _facts(ctx, date_from, date_to, checked)
    columns = [first]
    if checked == "product":
        columns.append(Column("sku", "SKU", "text"))
    if checked in ("product", "category"):
        columns.append(Column("quantity", "Quantity", "number"))
    columns += _SALES_TOTALS[:5]
    if checked not in ("product", "category"):
        columns += _SALES_TOTALS[5:]
    return Report(
        "sales", checked, date_from, date_to, cur, columns, rows, _only(raw, _SALES_TOTALS), _SALES_TOTALS
    )


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


# ---------------------------------------------------------------- VAT

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


# ---------------------------------------------------------------- aging and the ledger's statements


def aging_report(ctx: Context, as_of: date | None = None) -> Report:
    """Receivables by days past due (receivables.aging); its total is the receivable account's balance."""
    found = receivables.aging(ctx, as_of)
    cur, _ = _currency(ctx)
    buckets = [
        Column("current", "Current"),
        Column("days_1_30", "1–30 days"),
        Column("days_31_60", "31–60 days"),
        Column("days_61_90", "61–90 days"),
        Column("days_over_90", "Over 90 days"),
        Column("total", "Total"),
    ]
    rows = [
        {
            "key": "~none" if r["customer_id"] is None else str(r["customer_id"]),
            "label": r["customer_name"] or "",
        }
        | {c.key: int(r[c.key]) for c in buckets}
        for r in found["rows"]
    ]
    columns = [Column("label", "Customer", "text"), *buckets]
    return Report("aging", None, None, found["as_of"], cur, columns, rows, dict(found["totals"]), buckets)


def _account_rows(tb: ledger.TrialBalance) -> list[dict[str, Any]]:
    return [
        {"key": r["code"], "label": r["name_en"], "code": r["code"], "kind": r["kind"]}
        | {"name_en": r["name_en"], "name_ar": r["name_ar"], "name_fa": r["name_fa"]}
        | {"debit": r["debit_minor"], "credit": r["credit_minor"]}
        for r in tb.rows
    ]


def trial_balance_report(ctx: Context, date_from: date | None = None, date_to: date | None = None) -> Report:
    """Debits and credits per account for the period (ledger.trial_balance); it always balances."""
    tb = ledger.trial_balance(ctx, date_from, date_to)
    cur, _ = _currency(ctx)
    rows = [r | {"balance": r["debit"] - r["credit"]} for r in _account_rows(tb)]
    columns = [
        Column("code", "Code", "text"),
        Column("label", "Account", "text"),
        Column("debit", "Debit"),
        Column("credit", "Credit"),
        Column("balance", "Balance"),
    ]
    totals = {"debit": tb.debit_minor, "credit": tb.credit_minor, "balance": tb.debit_minor - tb.credit_minor}
    total_columns = [Column("debit", "Debit"), Column("credit", "Credit"), Column("balance", "Balance")]
    report = Report("trial-balance", None, date_from, date_to, cur, columns, rows, totals, total_columns)
    report.totals["balanced"] = tb.balanced
    return report


_REVENUE_ROLES = frozenset({"sales", "sales_returns", "shipping_income"})
PNL_SECTIONS = {
    "revenue": "Revenue",
    "cost_of_sales": "Cost of goods sold",
    "other_income": "Other income",
    "expenses": "Expenses",
}


def _pnl_rows(conn: Connection, org_id: int, dfrom: date, dto: date) -> list[dict[str, Any]]:
    result = []
    for r in q.income_and_expense(conn, org_id, dfrom, dto):
        debit, credit = int(r["debit_minor"] or 0), int(r["credit_minor"] or 0)
        if r["kind"] == "income":
            section = "revenue" if r["role"] in _REVENUE_ROLES else "other_income"
            amount = credit - debit
        else:
            section = "cost_of_sales" if r["role"] == "cogs" else "expenses"
            amount = debit - credit
        result.append(
            {"key": r["code"], "label": r["name_en"], "code": r["code"], "kind": r["kind"]}
            | {"name_en": r["name_en"], "name_ar": r["name_ar"], "name_fa": r["name_fa"]}
            | {"debit": debit, "credit": credit, "section": section, "amount": amount}
        )
    return result


def profit_and_loss(ctx: Context, date_from: date | None = None, date_to: date | None = None) -> Report:
    """Income and expense accounts' movement in the period: revenue (sales + shipping − returns), cost of goods
    sold, gross profit, other income, expenses, net profit."""
    ctx.require("ledger.read")
    dfrom, dto = _span(date_from, date_to)
    with ctx.read() as conn:
        cur, _ = _currency(ctx, conn)
        rows = _pnl_rows(conn, ctx.org_id, dfrom, dto)
    order = list(PNL_SECTIONS)
    rows.sort(key=lambda r: (order.index(r["section"]), r["code"]))
    sums = {s: sum(r["amount"] for r in rows if r["section"] == s) for s in PNL_SECTIONS}
    gross = sums["revenue"] - sums["cost_of_sales"]
    totals = {
        "revenue": sums["revenue"],
        "cogs": sums["cost_of_sales"],
        "gross_profit": gross,
        "other_income": sums["other_income"],
        "expenses": sums["expenses"],
        "net_profit": gross + sums["other_income"] - sums["expenses"],
    }
    total_columns = [
        Column("revenue", "Revenue"),
        Column("cogs", "Cost of goods sold"),
        Column("gross_profit", "Gross profit"),
        Column("other_income", "Other income"),
        Column("expenses", "Expenses"),
        Column("net_profit", "Net profit"),
    ]
    for r in rows:
        r["section_title"] = PNL_SECTIONS[r["section"]]
    columns = [
        Column("section_title", "Section", "text"),
        Column("code", "Code", "text"),
        Column("label", "Account", "text"),
        Column("amount", "Amount"),
    ]
    return Report("pnl", None, date_from, date_to, cur, columns, rows, totals, total_columns)


def balance_sheet(ctx: Context, date_from: date | None = None, date_to: date | None = None) -> Report:
    """Balances at date_to: assets = liabilities + equity + profit before the period + profit for the period.
    Exact, since every entry balances; date_from only splits the profit into before and during the period."""
    ctx.require("ledger.read")
    dfrom, dto = _span(date_from, date_to)
    with ctx.read() as conn:
        cur, _ = _currency(ctx, conn)
        found = q.account_balances(conn, ctx.org_id, dfrom, dto)
    titles = {"asset": "Assets", "liability": "Liabilities", "equity": "Equity"}
    rows: list[dict[str, Any]] = []
    earlier = period = 0
    for r in found:
        before, during = _ints(r, "before_minor", "period_minor")
        if r["kind"] in ("income", "expense"):  # profit is credit less debit
            earlier, period = earlier - before, period - during
            continue
        amount = before + during if r["kind"] == "asset" else -(before + during)
        rows.append(
            {"key": r["code"], "label": r["name_en"], "code": r["code"], "kind": r["kind"]}
            | {"name_en": r["name_en"], "name_ar": r["name_ar"], "name_fa": r["name_fa"]}
            | {"section": r["kind"], "section_title": titles[r["kind"]], "amount": amount}
        )
    for key, label, amount in (
        ("~earlier_profit", "Profit before this period", earlier),
        ("~period_profit", "Profit for the period", period),
    ):
        if amount or key == "~period_profit":
            rows.append(
                {"key": key, "label": label, "code": "", "kind": "equity", "section": "equity"}
                | {"section_title": "Equity", "amount": amount}
            )
    order = list(titles)
    rows.sort(key=lambda r: (order.index(r["section"]), r["code"] or "~"))
    sums = {s: sum(r["amount"] for r in rows if r["section"] == s) for s in titles}
    totals = {
        "assets": sums["asset"],
        "liabilities": sums["liability"],
        "equity": sums["equity"],
        "liabilities_and_equity": sums["liability"] + sums["equity"],
        "period_profit": period,
    }
    total_columns = [
        Column("assets", "Assets"),
        Column("liabilities", "Liabilities"),
        Column("equity", "Equity"),
        Column("liabilities_and_equity", "Liabilities and equity"),
        Column("period_profit", "Profit for the period"),
    ]
    columns = [
        Column("section_title", "Section", "text"),
        Column("code", "Code", "text"),
        Column("label", "Account", "text"),
        Column("amount", "Amount"),
    ]
    report = Report("balance-sheet", None, date_from, date_to, cur, columns, rows, totals, total_columns)
    report.totals["balanced"] = totals["assets"] == totals["liabilities_and_equity"]
    return report


# ---------------------------------------------------------------- one entry point, drill-down, comparison


def run_report(
    ctx: Context, name: str, date_from: date | None = None, date_to: date | None = None, by: str | None = None
) -> Report:
    """Any report by name (REPORTS); aging is as of date_to."""
    if name not in BY_OPTIONS:
        raise ValidationError(f"no report {name!r}: choose one of {', '.join(REPORTS)}", "report")
    if name == "sales":
        return sales_report(ctx, date_from, date_to, by or "month")
    if name == "profit":
        return profit_report(ctx, date_from, date_to, by or "month")
    if name == "vat":
        return vat_report(ctx, date_from, date_to, by or "return")
    if name == "aging":
        return aging_report(ctx, date_to)
    statements: dict[str, Callable[[Context, date | None, date | None], Report]] = {
        "trial-balance": trial_balance_report,
        "pnl": profit_and_loss,
        "balance-sheet": balance_sheet,
    }
    return statements[name](ctx, date_from, date_to)


_DOCUMENT_COLUMNS = [
    Column("number_text", "Number", "text"),
    Column("kind_title", "Kind", "text"),
    Column("issued_on", "Date", "date"),
    Column("customer_name", "Customer", "text"),
    Column("net", "Net"),
    Column("vat", "VAT"),
    Column("total", "Total"),
    Column("cogs", "Cost of goods sold"),
]
_ENTRY_COLUMNS = [
    Column("entry_on", "Date", "date"),
    Column("document", "Document", "text"),
    Column("memo", "Description", "text"),
    Column("contact_name", "Customer", "text"),
    Column("debit", "Debit"),
    Column("credit", "Credit"),
]


_ID_KEYS = {"customer": "customer", "product": "product", "channel": "store", "customer-category": "category"}


def _check_drill_key(conn: Connection, org_id: int, name: str, by: str | None, key: str) -> None:
    """A row key that names a customer, product, store, category or account must be the organization's own:
    another organization's is not found here (as with any id a service is given)."""
    if key.startswith("~"):  # rows of no one entity: walk-in, manual, none, the period's profit …
        return
    if name in ("trial-balance", "pnl", "balance-sheet"):
        if key not in {a["code"] for a in ledger_q.accounts(conn, org_id)}:
            raise NotFoundError(f"No account {key} in this organization's chart.")
        return
    what = (
        "customer"
        if name == "aging"
        else _ID_KEYS.get(by or "")
        if name in ("sales", "profit", "vat")
        else None
    )
    if what is None:
        return
    found = (
        key.isdigit()
        and {
            "customer": lambda: contacts_q.contact(conn, org_id, int(key)),
            "product": lambda: products_q.product(conn, org_id, int(key)),
            "store": lambda: imports_q.store(conn, org_id, int(key)),
            "category": lambda: contacts_q.category(conn, org_id, int(key)),
        }[what]()
    )
    if not found:
        raise NotFoundError(f"No {what} #{key} in this organization.")


def report_documents(
    ctx: Context,
    name: str,
    key: str,
    date_from: date | None = None,
    date_to: date | None = None,
    by: str | None = None,
    limit: int = DRILL_LIMIT,
) -> Report:
    """The documents behind one row of a report (its "key"): invoices and credit notes (credit notes negative)
    for sales, profit and VAT; journal lines for the ledger's statements; open invoices for aging."""
    ctx.require("ledger.read")
    if name not in BY_OPTIONS:
        raise ValidationError(f"no report {name!r}", "report")
    cur, _ = _currency(ctx)
    dfrom, dto = _span(date_from, date_to)
    rows: list[dict[str, Any]]
    with ctx.read() as conn:
        _check_drill_key(conn, ctx.org_id, name, by, key)
        if name == "aging":
            customer = None if key == "~none" else int(key)
            found = payments_q.open_invoices(conn, ctx.org_id, customer, date_to or date.today())
            rows = [
                {"key": r["number_text"], "number_text": r["number_text"], "issued_on": r["issued_on"]}
                | {"due_on": r["due_on"], "total": int(r["total_minor"]), "open": int(r["open_minor"])}
                for r in found
                if customer is not None or r["customer_id"] is None
            ][:limit]
            columns = [
                Column("number_text", "Number", "text"),
                Column("issued_on", "Date", "date"),
                Column("due_on", "Due", "date"),
                Column("total", "Total"),
                Column("open", "Open"),
            ]
        elif name in ("trial-balance", "pnl", "balance-sheet") or (name == "vat" and key == "~input"):
            code = key
            if key == "~input":
                code = next(
                    (a["code"] for a in ledger_q.accounts(conn, ctx.org_id) if a["role"] == "vat_input"), ""
                )
            start = None if name == "balance-sheet" else date_from
            found = q.account_lines(conn, ctx.org_id, code, start, date_to, limit)
            rows = [
                {"key": str(r["entry_id"]), "entry_on": r["entry_on"], "document": r["source_id"] or ""}
                | {"memo": r["memo"], "contact_name": r["contact_name"] or ""}
                | {"debit": int(r["debit_minor"]), "credit": int(r["credit_minor"])}
                for r in found
            ]
            columns = _ENTRY_COLUMNS
        else:
            dim: str | None = None if by in (None, "return") else by
            if name == "vat" and key in ("standard", "zero", "exempt"):
                dim = "tax_class"
            elif name == "vat" and by not in PERIODS:
                dim = None if key == "~sales" else "~nothing"  # box rows no document fills
            docs = [] if dim == "~nothing" else q.documents(conn, ctx.org_id, dfrom, dto, dim, key, limit)
            rows = []
            for r in docs:
                sign = 1 if r["kind"] == "invoice" else -1
                net, vat, total, cogs = (
                    sign * v for v in _ints(r, "net_minor", "vat_minor", "total_minor", "cogs_minor")
                )
                rows.append(
                    {"key": r["number_text"], "number_text": r["number_text"], "kind": r["kind"]}
                    | {"kind_title": "Invoice" if sign > 0 else "Credit note", "issued_on": r["issued_on"]}
                    | {
                        "customer_name": r["customer_name"] or "",
                        "net": net,
                        "vat": vat,
                        "total": total,
                        "cogs": cogs,
                    }
                )
            columns = _DOCUMENT_COLUMNS
    totals = {c.key: sum(r[c.key] for r in rows) for c in columns if c.kind == "money"}
    notes = (
        ["Only the first documents are shown: narrow the dates to see the rest."]
        if len(rows) >= limit
        else []
    )
    total_columns = [c for c in columns if c.kind == "money"]
    return Report("documents", by, date_from, date_to, cur, columns, rows, totals, total_columns, notes)


def compare(current: Report, previous: Report) -> list[dict[str, Any]]:
    """Each total of two runs of a report side by side: change in minor units and in percent."""
    result = []
    for column in current.total_columns:
        now, before = current.totals.get(column.key), previous.totals.get(column.key)
        if column.kind not in ("money", "number", "percent"):
            continue
        change = None if now is None or before is None else now - before
        percent = None
        if column.kind != "percent" and before and change is not None:
            percent = (Decimal(change) * 100 / abs(Decimal(before))).quantize(Decimal("0.1"), ROUND_HALF_UP)
        result.append(
            {"key": column.key, "title": column.title, "kind": column.kind}
            | {"current": now, "previous": before, "change": change, "change_percent": percent}
        )
    return result


# ---------------------------------------------------------------- edges: JSON, CSV, XLSX


def _edge(value: Any, kind: str, cur: Currency, as_text: bool) -> Any:
    if value is None:
        return None
    if kind == "money":
        return to_json(int(value), cur) if as_text else from_minor(int(value), cur)
    if isinstance(value, Decimal):
        return str(value) if as_text else value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def report_json(report: Report) -> dict[str, Any]:
    """{"rows": […], "totals": {…}} with money as decimal strings in major units plus "currency" (docs/architecture.md)."""
    cur = report.currency
    kinds = {c.key: c.kind for c in report.columns}
    rows = [{"key": r["key"]} | {k: _edge(r.get(k), kinds[k], cur, True) for k in kinds} for r in report.rows]
    total_kinds = {c.key: c.kind for c in report.total_columns}
    totals = {k: _edge(v, total_kinds.get(k, "flag"), cur, True) for k, v in report.totals.items()}
    return {
        "report": report.name,
        "by": report.by,
        "from": report.date_from.isoformat() if report.date_from else None,
        "to": report.date_to.isoformat() if report.date_to else None,
        "currency": cur.code,
        "rows": rows,
        "totals": totals | {"currency": cur.code},
        "notes": report.notes,
    }


def report_table(report: Report, title: Callable[[str], str] = str) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows for a file: money as Decimal major units (numbers in XLSX), then a total row."""
    cur = report.currency
    headers = [title(c.title) for c in report.columns]
    body = [
        [
            title(r[c.key])
            if c.key == "label" and str(r.get("key", "")).startswith("~")
            else _edge(r.get(c.key), c.kind, cur, False)
            for c in report.columns
        ]
        for r in report.rows
    ]
    total_kinds = {c.key: c.kind for c in report.total_columns}
    last = [
        _edge(report.totals.get(c.key), total_kinds[c.key], cur, False) if c.key in total_kinds else None
        for c in report.columns
    ]
    if any(v is not None for v in last):
        last[0] = title("Total")
        body.append(last)
    return headers, body


def report_csv(report: Report, title: Callable[[str], str] = str) -> bytes:
    return tabular.to_csv(*report_table(report, title))


def report_xlsx(report: Report, title: Callable[[str], str] = str, rtl: bool = False) -> bytes:
    return tabular.to_xlsx(
        {title(REPORT_TITLES.get(report.name, "Documents")): report_table(report, title)}, rtl
    )


# ---------------------------------------------------------------- the full-data export (SPEC A6)

SECRET_TABLES = frozenset({"auth_tokens", "login_attempts"})
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "smtp_password"})
SHARED_TABLES = frozenset(
    {"schema_migrations"}
)  # no organization's data: the schema version, kept for migration
XLSX_MAX_ROWS = 1_048_576  # rows of one sheet, the header included
_CELL_LIMIT = 32_767


def is_secret_table(name: str) -> bool:
    """Secrets never leave: sign-in tokens and attempts, and any table of sessions or tokens other areas add."""
    return name in SECRET_TABLES or "session" in name or name.endswith("_tokens")


def is_secret_column(name: str) -> bool:
    return (
        name in SECRET_COLUMNS
        or "password" in name
        or "secret" in name
        or name.endswith(("_token", "token_hash"))
    )


@dataclass
class ExportResult:
    path: Path
    tables: dict[str, int]  # table: rows exported
    zip_path: Path | None = None
    in_zip: list[str] = field(default_factory=list)
    left_out: list[str] = field(
        default_factory=list
    )  # tables not exported: secrets, or no organization column


def _text(value: Any) -> Any:
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _write_cell(sheet: Any, r: int, c: int, value: Any, quoted: Any) -> None:
    value = _text(value)
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | Decimal):
        sheet.write_number(r, c, value)  # ids and minor units: exact up to 15 digits
    else:
        text = str(value)
        if len(text) > _CELL_LIMIT:
            text = f"({len(text)} characters: too long for a spreadsheet cell; export to .zip for the full value)"
        tabular.xlsx_text(sheet, r, c, text, quoted)


def export_all(ctx: Context, out: str | Path, xlsx_max_rows: int = XLSX_MAX_ROWS) -> ExportResult:
    """Every table of the organization to one XLSX (a sheet per table), or to a zip of CSVs when `out` ends
    in .zip. A table with more rows than a sheet holds goes to CSV in a zip beside the workbook. Only the
    organization's rows (users: its members); never password hashes, tokens, SMTP passwords or sign-in logs.
    Cells are formula-safe; binary values are base64 text."""
    ctx.require("settings.write")
    import xlsxwriter

    out = Path(out)
    as_zip = out.suffix.lower() == ".zip"
    result = ExportResult(out, {})
    with ctx.read() as conn:
        plan = []
        for table, columns in q.table_columns(conn).items():
            kept = [c for c in columns if not is_secret_column(c)]
            if is_secret_table(table) or not (
                "org_id" in columns or table == "users" or table in SHARED_TABLES
            ):
                result.left_out.append(table)
                continue
            plan.append((table, kept, q.count_table(conn, ctx.org_id, table, columns)))
        big = [p for p in plan if as_zip or p[2] + 1 > xlsx_max_rows]
        small = [p for p in plan if p not in big]
        if big:
            result.zip_path = out if as_zip else out.with_suffix(".zip")
            with zipfile.ZipFile(result.zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
                for table, columns, _ in big:
                    with (
                        archive.open(f"{table}.csv", "w") as raw,
                        io.TextIOWrapper(raw, "utf-8-sig", newline="") as text,
                    ):
                        writer = csv.writer(text)
                        writer.writerow(columns)
                        n = 0
                        for row in q.stream_table(conn, ctx.org_id, table, columns):
                            writer.writerow(["" if v is None else tabular.safe_text(_text(v)) for v in row])
                            n += 1
                    result.tables[table], result.in_zip = n, [*result.in_zip, table]
        if not as_zip:
            book = xlsxwriter.Workbook(
                str(out), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
            )
            quoted = book.add_format({"quote_prefix": True})
            index = book.add_worksheet("_export")
            for c, header in enumerate(("table", "rows", "where")):
                index.write_string(0, c, header)
            for r, (table, _, count) in enumerate(plan, 1):
                index.write_string(r, 0, table)
                index.write_number(r, 1, count)
                index.write_string(
                    r,
                    2,
                    f"{result.zip_path.name}: {table}.csv"
                    if result.zip_path and table in result.in_zip
                    else "sheet",
                )
            for table, columns, _ in small:
                sheet = book.add_worksheet(table[:31])
                for c, header in enumerate(columns):
                    sheet.write_string(0, c, header)
                n = 0
                for n, row in enumerate(q.stream_table(conn, ctx.org_id, table, columns), 1):
                    for c, value in enumerate(row):
                        _write_cell(sheet, n, c, value, quoted)
                result.tables[table] = n
            book.close()
    with ctx.write() as conn:
        audit.record(
            conn,
            ctx,
            "export",
            "organization",
            ctx.org_id,
            after={"file": out.name, "tables": len(result.tables)},
        )
    return result


def email_report(
    ctx: Context,
    name: str,
    to: str,
    date_from: date | None = None,
    date_to: date | None = None,
    by: str | None = None,
    fmt: str = "xlsx",
    cc: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Email a report as XLSX or CSV through the messaging outbox (seed 002); the outbox row comes back."""
    from backoffice import messaging

    report = run_report(ctx, name, date_from, date_to, by)
    if fmt not in ("xlsx", "csv"):
        raise ValidationError("choose xlsx or csv", "format")
    data = report_xlsx(report) if fmt == "xlsx" else report_csv(report)
    title = REPORT_TITLES.get(name, name)
    period = f"{date_from or ''}..{date_to or ''}"
    return messaging.send_file(ctx, to, f"{title} {period}", f"{name}-{period}.{fmt}", data, cc, note)
