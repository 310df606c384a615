"""The values that name a state or a kind, once each: what the database stores, the services compare, the web offers
and the command line accepts (click.Choice). Each is a StrEnum: a member is the very string stored (`==`, JSON,
f-strings and SQL parameters see the text), so a row read back compares equal to its member."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's role in an organization (what it may do: backoffice.core.context.PERMISSIONS)."""

    ADMIN = "admin"
    ACCOUNTANT = "accountant"
    SALES = "sales"
    VIEWER = "viewer"


class OrderStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    FULFILLED = "fulfilled"
    INVOICED = "invoiced"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class DocumentKind(StrEnum):
    """What the invoices table holds: invoices and the credit notes that correct them."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class PaymentKind(StrEnum):
    """Money in (a payment, a deposit), money back (a refund), money kept (a cancellation fee)."""

    PAYMENT = "payment"
    DEPOSIT = "deposit"
    REFUND = "refund"
    FEE = "fee"


class PaymentStatus(StrEnum):
    AUTHORIZED = "authorized"  # a card amount held, not yet taken
    CAPTURED = "captured"
    VOIDED = "voided"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SHARED = "shared"  # a share link made instead of a mail


class ImportStatus(StrEnum):
    """An import's last status; while its batches are written it reads 'batch 3 of 9' (ImportStatus.batch)."""

    RUNNING = "running"
    DONE = "done"
    DRY_RUN = "dry run"
    INTERRUPTED = "interrupted"

    @staticmethod
    def batch(done: int, of: int) -> str:
        return f"batch {done} of {of}"
