"""Bulk send (SPEC M5): the documents a selection covers, its preview, and the all-or-nothing send."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from backoffice.core.context import Context
from backoffice.core.enums import DocumentKind
from backoffice.core.errors import ConflictError, ValidationError
from backoffice.core.text import normalize_digits, search_key
from backoffice.db.queries import messaging as q
from backoffice.db.queries import payments as payments_q
from backoffice.messaging.compose import _document, _document_draft, _org, parse_addresses
from backoffice.messaging.outbox import Progress, _send
from backoffice.messaging.settings import get_credits


def _number_range(numbers: str) -> tuple[str | None, int, int]:
    """'INV-000001..INV-000050' or '1..50' → (series or None, 1, 50)."""
    parts = normalize_digits(numbers).split("..")
    bounds = [re.fullmatch(r"\s*(?:([A-Za-z]+)-?)?0*(\d+)\s*", p) for p in parts]
    first, last = (bounds[0], bounds[1]) if len(bounds) == 2 else (None, None)
    if first is None or last is None:
        raise ValidationError("a number range is FROM..TO, e.g. INV-000001..INV-000050 or 1..50", "numbers")
    series = {s.upper() for s in (first[1], last[1]) if s}
    if len(series) > 1:
        raise ValidationError("both ends of the range belong to the same series", "numbers")
    low, high = int(first[2]), int(last[2])
    if low > high:
        raise ValidationError("the range starts after it ends", "numbers")
    return (series.pop() if series else None), low, high


@dataclass(frozen=True)
class BulkSelection:
    """Which documents a bulk send covers (SPEC M5): a number range (FROM..TO) and/or a date range, optionally
    only customers of one category, only unpaid ones; invoices or credit notes."""

    numbers: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    category: str | None = None
    unpaid_only: bool = False
    kind: str = DocumentKind.INVOICE


def _bulk_documents(ctx: Context, chosen: BulkSelection) -> list[dict[str, Any]]:
    numbers, date_from, date_to, kind = chosen.numbers, chosen.date_from, chosen.date_to, chosen.kind
    category, unpaid_only = chosen.category, chosen.unpaid_only
    if kind not in tuple(DocumentKind):
        raise ValidationError("bulk send covers invoices or credit notes", "kind")
    if not numbers and date_from is None and date_to is None:
        raise ValidationError("choose a number range or a date range", "numbers")
    if date_from and date_to and date_from > date_to:
        raise ValidationError("the period's start is after its end", "from")
    series, low, high = _number_range(numbers) if numbers else (None, None, None)
    with ctx.read() as conn:
        found = q.documents(
            conn, ctx.org_id, kind, series, low, high, date_from, date_to, search_key(category) or None
        )
        if unpaid_only:
            open_ids = {
                r["invoice_id"]
                for r in payments_q.open_invoices(conn, ctx.org_id, None, date.max)
                if r["open_minor"] > 0
            }
            found = [d for d in found if d["invoice_id"] in open_ids]
    return found


def preview_bulk(ctx: Context, selection: BulkSelection) -> dict[str, Any]:
    """What a bulk send would do (SPEC M5): messages, credits, recipients, contacts without an address, documents."""
    ctx.require("customers.read")
    found = _bulk_documents(ctx, selection)
    documents, missing, recipients = [], [], []
    for d in found:
        to = parse_addresses(d["emails"]) if d["emails"] else []
        item = {
            "number": d["number_text"],
            "customer_id": d["customer_id"],
            "customer_name": d["customer_name"],
        }
        if not to:
            missing.append(item)
            continue
        documents.append(item | {"to": to})
        recipients += [a for a in to if a not in recipients]
    return {
        "messages": len(documents),
        "credits": sum(len(d["to"]) for d in documents),
        "recipients": recipients,
        "missing_address": missing,
        "documents": documents,
        "balance": get_credits(ctx),
    }


def send_bulk(
    ctx: Context,
    selection: BulkSelection,
    note: str | None = None,
    progress: Progress | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """Queue every chosen document (all or none: the credits must cover them all), then send them on one connection."""
    ctx.require("customers.write")
    plan = preview_bulk(ctx, selection)
    if plan["credits"] > plan["balance"]:
        raise ConflictError(
            f"Not enough message credits: {plan['credits']} needed, {plan['balance']} left. "
            "Ask an admin to add credits; nothing was sent."
        )
    org, drafts = _org(ctx), []
    for n, item in enumerate(plan["documents"], 1):
        doc = _document(ctx, selection.kind, item["number"])
        drafts.append(_document_draft(ctx, doc, org, item["to"], None, note, None))
        if progress is not None:
            progress(n, len(plan["documents"]), "render")
    ids, result = _send(ctx, drafts, request_id or uuid.uuid4().hex, progress)
    return {"messages": len(ids), "credits": plan["credits"], "sent": result["sent"], "failed": result["failed"],
            "missing_address": plan["missing_address"], "message_ids": ids}  # fmt: skip
