"""Drill-down (SPEC R7): the documents behind one row of a report (invoices and credit notes, journal lines, open
invoices), its key checked to be the organization's own."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.core.context import Context
from backoffice.core.errors import NotFoundError, ValidationError
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import imports as imports_q
from backoffice.db.queries import ledger as ledger_q
from backoffice.db.queries import payments as payments_q
from backoffice.db.queries import products as products_q
from backoffice.db.queries import reports as q
from backoffice.reports.registry import (
    BY_OPTIONS,
    PERIODS,
    Column,
    Report,
    _currency,
    _ints,
    _span,
)

DRILL_LIMIT = 1000

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
