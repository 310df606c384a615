"""Sales (SPEC R2): by period, product, category, customer, customer category, store/channel or payment method;
the document facts and totals the profit report shares, and the margin."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from backoffice.core.context import Context
from backoffice.core.money import Currency
from backoffice.db.queries import reports as q
from backoffice.reports.registry import (
    BY_TITLES,
    PERIODS,
    SPECIAL_LABELS,
    Column,
    Report,
    _check_by,
    _currency,
    _ints,
    _span,
)


def margin(profit_minor: int, revenue_minor: int) -> Decimal | None:
    """Gross margin in percent with two decimals (a ratio, not money); None without revenue."""
    if not revenue_minor:
        return None
    return (Decimal(profit_minor) * 100 / Decimal(revenue_minor)).quantize(Decimal("0.01"), ROUND_HALF_UP)


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
