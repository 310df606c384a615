"""The welcome message to a newly registered customer, with the welcome invoice when one is configured (SPEC C10)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from backoffice.contacts import customers
from backoffice.core.context import Context
from backoffice.core.errors import BackofficeError, NotFoundError
from backoffice.db import audit
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import messaging as q
from backoffice.messaging.compose import (
    _BODIES,
    _SUBJECTS,
    Draft,
    _document,
    _language,
    _money_text,
    _org,
    _pdf,
    _text,
    parse_addresses,
)
from backoffice.messaging.outbox import _messages, _send
from backoffice.sales import invoices, orders


def send_welcome(ctx: Context, customer_id: int) -> dict[str, Any] | None:
    """The welcome message to a newly registered customer (SPEC C10) when enabled and they have an address, with
    the welcome invoice when one is configured: issued and posted like any invoice, its PDF attached.

    Returns the outbox row, or None when welcome messages are off or there is no address. Once per customer: a
    second call returns the first message and issues nothing.
    """
    ctx.require("customers.write")
    with ctx.read() as conn:
        contact = contacts_q.contact(conn, ctx.org_id, customer_id)
        settings = q.smtp_settings(conn, ctx.org_id)
        already = q.welcome_message(conn, ctx.org_id, customer_id)
    if contact is None:
        raise NotFoundError(f"No contact #{customer_id} in this organization.")
    if settings is None or not settings["welcome_enabled"]:
        return None
    if already is not None:
        return _messages(ctx, [already])[0]
    to = parse_addresses(contact["emails"]) if contact["emails"] else []
    if not to:
        return None
    org = _org(ctx)
    lang = _language(org, contact)
    draft = Draft("welcome", to, [], _text(_SUBJECTS, "welcome", lang, org=org["name"]),
                  _text(_BODIES, "welcome", lang, name=contact["name"]), contact_id=customer_id)  # fmt: skip
    lines = json.loads(settings["welcome_invoice"]) if settings["welcome_invoice"] else []
    if lines:
        number = invoices.issue_direct_invoice(
            ctx, customer_id, [orders.LineRequest(line["sku"], line["quantity"]) for line in lines],
            notes=draft.subject,
        )  # fmt: skip
        doc = _document(ctx, "invoice", number)
        total = _money_text(doc["total_minor"], doc["currency"], lang)
        draft.body += "\n\n" + _text(
            _BODIES, "welcome_invoice", lang, number=number, total=total, due=doc["due_on"]
        )
        draft.doc_kind, draft.doc_number, draft.attachment = "invoice", number, _pdf(ctx, doc, contact)
    (message_id,), _ = _send(ctx, [draft], "welcome")
    return _messages(ctx, [message_id])[0]


Custom = dict[str, Any] | None  # a contact's custom field values, by field name


def save_customer_and_welcome(
    ctx: Context,
    values: dict[str, Any],
    categories: Sequence[str] = (),
    custom: Custom = None,
    allow: bool = False,
) -> int:
    """Create a contact as backoffice.contacts.customers.save_customer does (`allow`: save even when it looks
    like a duplicate); a new customer then gets the welcome message (and welcome invoice) when the organization
    turned it on (SPEC C10). A failure never undoes the save: a mail failure stays in the outbox to be retried;
    anything else (say the welcome product is out of stock) is written to the audit log as 'welcome_failed'."""
    saved = customers.save_customer(ctx, values, categories, custom, None, allow)
    if (values.get("role") or "customer") == "customer":
        try:
            send_welcome(ctx, saved)
        except BackofficeError as exc:  # the customer is saved; the reason is kept where an admin looks
            with ctx.write() as conn:
                audit.record(conn, ctx, "welcome_failed", "contact", saved, None, {"error": str(exc)})
    return saved
