"""Payment reminders (SPEC M7): overdue invoices by customer, one consolidated reminder each, at most once a day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from backoffice.core.context import Context
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import messaging as q
from backoffice.db.queries import payments as payments_q
from backoffice.messaging.compose import (
    _BODIES,
    _SUBJECTS,
    Draft,
    _language,
    _money_text,
    _org,
    _pdf,
    _text,
    parse_addresses,
)
from backoffice.messaging.outbox import _send


def overdue_by_customer(ctx: Context, as_of: date | None = None) -> list[dict[str, Any]]:
    """Customers with invoices past their due date and still open, each with those invoices (oldest first)."""
    ctx.require("customers.read")
    as_of = as_of or date.today()
    with ctx.read() as conn:
        items = payments_q.aging_items(conn, ctx.org_id, as_of)
        by_customer: dict[int, dict[str, Any]] = {}
        for item in items:
            if item["customer_id"] is None or item["open_minor"] <= 0 or item["due_on"] >= as_of:
                continue
            if item["customer_id"] not in by_customer:
                contact = contacts_q.contact(conn, ctx.org_id, item["customer_id"])
                by_customer[item["customer_id"]] = {
                    "customer_id": item["customer_id"],
                    "customer_name": item["customer_name"],
                    "to": parse_addresses(contact["emails"]) if contact and contact["emails"] else [],
                    "language": contact["language"] if contact else None,
                    "invoices": [],
                }
            by_customer[item["customer_id"]]["invoices"].append(
                {
                    "number": item["number_text"],
                    "issued_on": item["issued_on"],
                    "due_on": item["due_on"],
                    "open_minor": int(item["open_minor"]),
                }  # fmt: skip
            )
    return list(by_customer.values())


def send_reminders(ctx: Context, dry_run: bool = False, as_of: date | None = None) -> dict[str, Any]:
    """One consolidated reminder per customer: every overdue invoice listed, their statement attached (SPEC M7).

    Idempotent per day: a customer reminded today (same invoices, same addresses) is not reminded again, also when
    two rounds run at once (the outbox's idempotency key lets one in; the other finds its messages there).
    """
    ctx.require("customers.read" if dry_run else "customers.write")
    as_of = as_of or date.today()
    due = overdue_by_customer(ctx, as_of)
    with_address = [c for c in due if c["to"]]
    missing = [
        {"customer_id": c["customer_id"], "customer_name": c["customer_name"]} for c in due if not c["to"]
    ]
    plan: dict[str, Any] = {
        "customers": [
            {"customer_id": c["customer_id"], "customer_name": c["customer_name"], "to": c["to"],
             "invoices": [i["number"] for i in c["invoices"]]} for c in with_address
        ],
        "messages": len(with_address),
        "credits": sum(len(c["to"]) for c in with_address),
        "missing_address": missing,
    }  # fmt: skip
    if dry_run or not with_address:
        return plan | {"sent": 0, "failed": 0}
    org, drafts = _org(ctx), []
    cur = org["currency"]
    for c in with_address:
        lang = _language(org, {"language": c["language"]})
        lines = [
            f"- {i['number']}  {i['issued_on']}  → {i['due_on']}  {_money_text(i['open_minor'], cur, lang)}"
            for i in c["invoices"]
        ]
        total = _money_text(sum(i["open_minor"] for i in c["invoices"]), cur, lang)
        doc = {"kind": "statement", "number": str(c["customer_id"]), "customer_id": c["customer_id"],
               "date_from": None, "date_to": as_of}  # fmt: skip
        drafts.append(
            Draft(
                purpose="reminder",
                to=c["to"],
                cc=[],
                subject=_text(_SUBJECTS, "reminder", lang, org=org["name"]),
                body=_text(_BODIES, "reminder", lang, total=total) + "\n\n" + "\n".join(lines),
                contact_id=c["customer_id"],
                doc_kind="statement",
                doc_number=f"{c['customer_id']}:..{as_of}",
                attachment=_pdf(ctx, doc, {"name": c["customer_name"]}),
                key_extra=",".join(i["number"] for i in c["invoices"]),
            )
        )
    try:
        ids, result = _send(ctx, drafts, f"reminder:{as_of}")
    except IntegrityError:
        # Another round queued these very reminders between our look and our write (two replicas leading for a
        # moment, `backoffice remind` during the app's round): the outbox's key refused ours and nothing of this
        # transaction stayed. Once more: they are found queued, and none is queued, charged or sent twice.
        ids, result = _send(ctx, drafts, f"reminder:{as_of}")
    return plan | {"sent": result["sent"], "failed": result["failed"], "message_ids": ids}


def send_due_reminders(ctx: Context) -> dict[str, Any]:
    """For the app's scheduler: today's reminders, at most one per customer per day (a second call sends none)."""
    ctx.require("customers.write")
    with ctx.read() as conn:
        reminded = q.reminded_today(conn, ctx.org_id, datetime.combine(date.today(), datetime.min.time()))
    due = [c for c in overdue_by_customer(ctx) if c["customer_id"] not in reminded]
    if not due:
        return {"customers": [], "messages": 0, "credits": 0, "missing_address": [], "sent": 0, "failed": 0}
    return send_reminders(ctx)
