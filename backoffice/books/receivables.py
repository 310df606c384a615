"""Receivables: what each customer owes, from the journal. The customer's position (balance, held credit, open
invoices), the statement of account (the figures the PDF and the emailed statement print) and the aging report.

Every figure comes from the ledger's receivable and customer-advances lines, so they agree with the trial balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from backoffice.core.context import Context
from backoffice.core.errors import NotFoundError, ValidationError
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import documents as documents_q
from backoffice.db.queries import payments as q


def check_customer(ctx: Context, customer_id: int | None) -> None:
    """Refuse a customer id that is not one of the organization's (None: no customer, nothing to check)."""
    ctx.require("customers.read")
    with ctx.read() as conn:
        found = customer_id is None or contacts_q.contact(conn, ctx.org_id, customer_id) is not None
    if not found:
        raise NotFoundError(f"No customer #{customer_id} in this organization.")


@dataclass(frozen=True)
class StatementLine:
    """One movement on a customer's account: an invoice (debit), a payment or credit note (credit)…

    An Arabic or Persian statement prints `kind`'s name and the document number when `kind` is one it
    knows, and `description` (often an English memo) otherwise. Amounts are integer minor units, each one not negative; `balance_minor` is the running balance
    after this line (what the customer owes; negative = credit held for them).
    """

    entry_on: date
    description: str
    document: str | None
    debit_minor: int
    credit_minor: int
    balance_minor: int
    kind: str | None = None  # the journal's source type (invoice, credit_note, payment, refund …), if known


@dataclass(frozen=True)
class Statement:
    """A customer's statement of account for a period (SPEC C5, R5). `date_from` None = since the start.

    `currency` None = the organization's. closing = opening + Σ debit − Σ credit (checked when rendered).
    """

    customer_id: int
    customer_name: str
    date_from: date | None
    date_to: date
    opening_balance_minor: int
    lines: tuple[StatementLine, ...]
    closing_balance_minor: int
    currency: str | None = None


def statement_from_ledger(
    ctx: Context, customer_id: int, date_from: date | None = None, date_to: date | None = None
) -> Statement:
    """A customer's statement from the journal: receivable and advances lines, opening balance before
    `date_from`, one line per entry up to `date_to` (default today) with the running balance."""
    ctx.require("customers.read")
    date_to = date_to or date.today()
    if date_from is not None and date_from > date_to:
        raise ValidationError("the period's start is after its end", "from")
    with ctx.read() as conn:
        customer = documents_q.customer(conn, ctx.org_id, customer_id)
        if customer is None:
            raise NotFoundError(f"No customer #{customer_id} in this organization.")
        opening = documents_q.balance_before(conn, ctx.org_id, customer_id, date_from) if date_from else 0
        entries = documents_q.statement_entries(conn, ctx.org_id, customer_id, date_from, date_to)
    balance, lines = opening, []
    for e in entries:
        debit, credit = int(e["debit_minor"]), int(e["credit_minor"])
        balance += debit - credit
        lines.append(
            StatementLine(e["entry_on"], e["memo"], e["source_id"], debit, credit, balance, e["source_type"])
        )
    return Statement(customer_id, customer["name"], date_from, date_to, opening, tuple(lines), balance)


def customer_position(ctx: Context, customer_id: int) -> dict[str, Any]:
    """Balance (what they owe, less what we hold), receivable, held credit and open invoices, from the ledger."""
    ctx.require("customers.read")
    with ctx.read() as conn:
        check_customer(ctx, customer_id)
        receivable = q.ledger_balance(conn, ctx.org_id, customer_id, "ar")
        advances = q.ledger_balance(conn, ctx.org_id, customer_id, "customer_advances")
        open_items = q.open_invoices(conn, ctx.org_id, customer_id, date.max)
    return {
        "balance_minor": receivable + advances,
        "receivable_minor": receivable,
        "credit_minor": -advances,
        "open_invoices": [i for i in open_items if i["open_minor"] > 0],
    }


def statement(
    ctx: Context, customer_id: int, date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """Opening balance, every document, payment, refund and fee in the period with a running balance, closing balance.

    The figures come from statement_from_ledger, the one statement the PDF prints too.
    """
    found = statement_from_ledger(ctx, customer_id, date_from, date_to)
    lines = [
        {
            "date": x.entry_on,
            "description": x.description,
            "document": x.document,
            "kind": x.kind,
            "debit_minor": x.debit_minor,
            "credit_minor": x.credit_minor,
            "balance_minor": x.balance_minor,
        }
        for x in found.lines
    ]
    return {
        "customer_id": customer_id,
        "customer_name": found.customer_name,
        "date_from": date_from,
        "date_to": found.date_to,
        "opening_balance_minor": found.opening_balance_minor,
        "closing_balance_minor": found.closing_balance_minor,
        "lines": lines,
    }


BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")


def _bucket(days_late: int) -> str:
    if days_late <= 0:
        return "current"
    if days_late <= 30:
        return "days_1_30"
    if days_late <= 60:
        return "days_31_60"
    return "days_61_90" if days_late <= 90 else "days_over_90"


def aging(ctx: Context, as_of: date | None = None) -> dict[str, Any]:
    """Receivables by customer and days past due (due dates from payment terms). Amounts not tied to an
    invoice (opening balances, payments beyond open invoices) count as current, so the total is the ledger's."""
    ctx.require("ledger.read")
    as_of = as_of or date.today()
    with ctx.read() as conn:
        items = q.aging_items(conn, ctx.org_id, as_of)
        ledger_rows = q.receivable_by_customer(conn, ctx.org_id, as_of)
        names = {r["contact_id"]: r["name"] for r in contacts_q.export_contacts(conn, ctx.org_id, None, None)}
    by_customer: dict[Any, dict[str, Any]] = {}
    for item in items:
        row = by_customer.setdefault(
            item["customer_id"],
            {"customer_id": item["customer_id"], "customer_name": item["customer_name"]}
            | dict.fromkeys(BUCKETS, 0),
        )
        row[_bucket((as_of - item["due_on"]).days)] += int(item["open_minor"])
    for found in ledger_rows:  # what the ledger holds beyond the open invoices
        row = by_customer.setdefault(
            found["customer_id"],
            {"customer_id": found["customer_id"], "customer_name": names.get(found["customer_id"])}
            | dict.fromkeys(BUCKETS, 0),
        )
        row["current"] += int(found["balance"]) - sum(row[b] for b in BUCKETS)
    rows = [r | {"total": sum(r[b] for b in BUCKETS)} for r in by_customer.values()]
    rows = sorted((r for r in rows if any(r[b] for b in BUCKETS)), key=lambda r: r["customer_name"] or "")
    totals = {b: sum(r[b] for r in rows) for b in BUCKETS}
    return {"as_of": as_of, "rows": rows, "totals": totals | {"total": sum(totals.values())}}
