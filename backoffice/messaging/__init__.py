"""Messaging: sender (SMTP) settings, message credits, the outbox and delivery through stdlib smtplib (SPEC M1–M9, C10).

Every message is written to the outbox first (its exact MIME bytes, recipients, idempotency key; credits debited
in the same transaction), then sent, then marked sent or failed. PDFs come from `documents`; no scheduler here.

The package re-exports the public names of its modules, lowest first (no module imports one above it):

- `compose`: drafts, subjects and bodies, address parsing, a document's facts and PDF;
- `settings`: the sender (SMTP) settings with the welcome invoice, and message credits;
- `smtp`: the wire — MIME bytes and the smtplib connection;
- `outbox`: queue and credits in one transaction, delivery, retry, listing, the one-message sends, share links;
- `bulk`, `reminders`, `welcome`: what sends many messages, or sends on its own.
"""

from __future__ import annotations

from backoffice.core.text import clean_header_value as clean_header
from backoffice.messaging.bulk import BulkSelection, preview_bulk, send_bulk
from backoffice.messaging.compose import KINDS, Draft, parse_addresses
from backoffice.messaging.outbox import (
    STATUSES,
    Progress,
    draft_document,
    list_outbox,
    retry_failed,
    send_document,
    send_file,
    send_test_message,
    share_link,
    stale_sending,
)
from backoffice.messaging.reminders import overdue_by_customer, send_due_reminders, send_reminders
from backoffice.messaging.settings import (
    TLS_MODES,
    add_credits,
    get_credits,
    get_smtp_settings,
    parse_welcome_invoice,
    set_smtp_settings,
)
from backoffice.messaging.welcome import save_customer_and_welcome, send_welcome

__all__ = [
    "KINDS",
    "STATUSES",
    "TLS_MODES",
    "BulkSelection",
    "Draft",
    "Progress",
    "add_credits",
    "clean_header",
    "draft_document",
    "get_credits",
    "get_smtp_settings",
    "list_outbox",
    "overdue_by_customer",
    "parse_addresses",
    "parse_welcome_invoice",
    "preview_bulk",
    "retry_failed",
    "save_customer_and_welcome",
    "send_bulk",
    "send_document",
    "send_due_reminders",
    "send_file",
    "send_reminders",
    "send_test_message",
    "send_welcome",
    "set_smtp_settings",
    "share_link",
    "stale_sending",
]
