"""The ledger's statements (SPEC R6: trial balance, profit and loss, balance sheet) and receivables aging (R5),
as reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.books import ledger, receivables
from backoffice.core.context import Context
from backoffice.db.queries import reports as q
from backoffice.reports.registry import (
    Column,
    Report,
    _currency,
    _ints,
    _span,
)


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
