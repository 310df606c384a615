"""What a message says: drafts, subjects and bodies in the customer's language, address parsing, and the
document (invoice, credit note, statement) a message carries as its PDF (SPEC M1, M4).

Nothing here queues or sends; the lowest of the messaging modules."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from backoffice import documents
from backoffice.books import receivables
from backoffice.core.context import Context
from backoffice.core.errors import NotFoundError, ValidationError
from backoffice.core.i18n import LANGUAGES
from backoffice.core.money import currency, format_money
from backoffice.core.text import clean_header_value as clean_header
from backoffice.core.text import normalize_digits
from backoffice.core.validation import is_email, split_emails
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import orgs as orgs_q
from backoffice.db.queries import sales as sales_q

KINDS = ("invoice", "credit_note", "statement")

_SUBJECTS: dict[str, dict[str, str]] = {
    "invoice": {"en": "Invoice {number} from {org}", "ar": "فاتورة {number} من {org}", "fa": "فاکتور {number} از {org}"},
    "credit_note": {"en": "Credit note {number} from {org}", "ar": "إشعار دائن {number} من {org}",
                    "fa": "اعلامیه بستانکار {number} از {org}"},
    "statement": {"en": "Statement of account from {org}", "ar": "كشف حساب من {org}", "fa": "صورت حساب از {org}"},
    "reminder": {"en": "Payment reminder from {org}", "ar": "تذكير بالدفع من {org}", "fa": "یادآوری پرداخت از {org}"},
    "welcome": {"en": "Welcome to {org}", "ar": "مرحباً بك في {org}", "fa": "به {org} خوش آمدید"},
    "test": {"en": "Test message from {org}", "ar": "رسالة تجريبية من {org}", "fa": "پیام آزمایشی از {org}"},
}  # fmt: skip
_BODIES: dict[str, dict[str, str]] = {
    "invoice": {"en": "Please find attached invoice {number} for {total}, due on {due}.",
                "ar": "مرفق الفاتورة {number} بمبلغ {total}، تستحق في {due}.",
                "fa": "فاکتور {number} به مبلغ {total} با سررسید {due} پیوست است."},
    "credit_note": {"en": "Please find attached credit note {number} for {total}.",
                    "ar": "مرفق الإشعار الدائن {number} بمبلغ {total}.",
                    "fa": "اعلامیه بستانکار {number} به مبلغ {total} پیوست است."},
    "statement": {"en": "Please find attached your statement of account up to {due}.",
                  "ar": "مرفق كشف حسابك حتى {due}.", "fa": "صورت حساب شما تا {due} پیوست است."},
    "reminder": {"en": "These invoices are overdue ({total} in all). Your statement is attached.",
                 "ar": "الفواتير التالية متأخرة السداد (المجموع {total}). كشف حسابك مرفق.",
                 "fa": "این فاکتورها سررسید گذشته‌اند (جمعاً {total}). صورت حساب شما پیوست است."},
    "welcome": {"en": "Welcome, {name}! We are glad to have you as a customer.",
                "ar": "أهلاً {name}! يسعدنا انضمامك إلينا.", "fa": "{name} عزیز، خوش آمدید!"},
    "welcome_invoice": {"en": "Your welcome invoice {number} for {total} is attached, due on {due}.",
                        "ar": "مرفق فاتورة الترحيب {number} بمبلغ {total}، تستحق في {due}.",
                        "fa": "فاکتور خوشامد {number} به مبلغ {total} با سررسید {due} پیوست است."},
    "test": {"en": "This test message shows the sender settings work.",
             "ar": "تؤكد هذه الرسالة أن إعدادات المرسل تعمل.", "fa": "این پیام نشان می‌دهد تنظیمات فرستنده کار می‌کند."},
}  # fmt: skip


@dataclass
class Draft:
    """One message before it is queued: who, what, and the attachment (name, bytes)."""

    purpose: str
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    note: str | None = None
    contact_id: int | None = None
    doc_kind: str | None = None
    doc_number: str | None = None
    attachment: tuple[str, bytes] | None = None
    charge: bool = True
    key_extra: str = ""

    @property
    def credits(self) -> int:
        return len(self.to) + len(self.cc) if self.charge else 0


def parse_addresses(value: str | Iterable[str] | None, field: str = "to") -> list[str]:
    """Addresses from 'a@x.com, b@y.com' (commas or semicolons) or a list; each checked, duplicates dropped."""
    found: list[str] = []
    for address in split_emails(value):
        if not is_email(address):
            raise ValidationError(f"'{address}' is not an email address", field)
        if address.lower() not in (a.lower() for a in found):
            found.append(address)
    return found


def _language(org: dict[str, Any], contact: dict[str, Any] | None) -> str:
    lang = (contact or {}).get("language") or org.get("language") or "en"
    return lang if lang in LANGUAGES else "en"


def _text(table: dict[str, dict[str, str]], key: str, lang: str, **values: Any) -> str:
    return table[key][lang].format(**values)


def _org(ctx: Context) -> dict[str, Any]:
    with ctx.read() as conn:
        org = orgs_q.org_by_id(conn, ctx.org_id)
    if org is None:
        raise NotFoundError("No such organization.")
    return org


def _contact(ctx: Context, contact_id: int) -> dict[str, Any]:
    with ctx.read() as conn:
        found = contacts_q.contact(conn, ctx.org_id, contact_id)
    if found is None:
        raise NotFoundError(f"No contact #{contact_id} in this organization.")
    return found


def _money_text(minor: int, code: str, lang: str) -> str:
    return format_money(minor, currency(code), locale=lang)


def _document(ctx: Context, kind: str, number: str) -> dict[str, Any]:
    """The document's facts for the message: its customer, totals, PDF name; statements: 'ID' or 'ID:FROM..TO'."""
    if kind not in KINDS:
        raise ValidationError(f"kind is one of {', '.join(KINDS)}", "kind")
    number = clean_header(str(number))
    if kind == "statement":
        match = re.fullmatch(
            r"(\d+)(?::(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?)?", normalize_digits(number)
        )
        if not match:
            raise ValidationError(
                "a statement is CUSTOMER_ID or CUSTOMER_ID:YYYY-MM-DD..YYYY-MM-DD", "number"
            )
        date_from = date.fromisoformat(match[2]) if match[2] else None
        date_to = date.fromisoformat(match[3]) if match[3] else date.today()
        return {"kind": kind, "number": number, "customer_id": int(match[1]), "date_from": date_from,
                "date_to": date_to, "total_minor": None, "currency": None, "due_on": date_to}  # fmt: skip
    with ctx.read() as conn:
        found = sales_q.invoice_by_number(conn, ctx.org_id, number)
    if found is None or found["kind"] != kind:
        raise NotFoundError(f"No {kind.replace('_', ' ')} {number} in this organization.")
    return {"kind": kind, "number": found["number_text"], "customer_id": found["customer_id"],
            "total_minor": int(found["total_minor"]), "currency": found["currency"], "due_on": found["due_on"]}  # fmt: skip


def _pdf(ctx: Context, doc: dict[str, Any], contact: dict[str, Any] | None) -> tuple[str, bytes]:

    if doc["kind"] == "statement":
        statement = receivables.statement_from_ledger(
            ctx, doc["customer_id"], doc["date_from"], doc["date_to"]
        )
        name = f"Statement {contact['name'] if contact else doc['customer_id']} {doc['date_to']}.pdf"
        return clean_header(name), documents.render_statement_pdf(ctx, statement)
    return f"{doc['number']}.pdf", documents.render_invoice_pdf(ctx, doc["number"], kind=doc["kind"])


def _document_draft(
    ctx: Context,
    doc: dict[str, Any],
    org: dict[str, Any],
    to: str | Sequence[str] | None,
    cc: str | Sequence[str] | None,
    note: str | None,
    subject: str | None,
    purpose: str = "document",
) -> Draft:
    contact = _contact(ctx, doc["customer_id"]) if doc["customer_id"] else None
    lang = _language(org, contact)
    recipients = parse_addresses(to, "to") if to else parse_addresses((contact or {}).get("emails"), "to")
    if not recipients:
        raise ValidationError("this contact has no email address: give one in To", "to")
    copies = [a for a in parse_addresses(cc, "cc") if a.lower() not in {r.lower() for r in recipients}]
    total = _money_text(doc["total_minor"], doc["currency"], lang) if doc["total_minor"] is not None else ""
    body = _text(_BODIES, doc["kind"], lang, number=doc["number"], total=total, due=doc["due_on"])
    return Draft(
        purpose=purpose,
        to=recipients,
        cc=copies,
        subject=clean_header(subject)
        or _text(_SUBJECTS, doc["kind"], lang, number=doc["number"], org=org["name"]),
        body=body,
        note=(note or "").strip() or None,
        contact_id=doc["customer_id"],
        doc_kind=doc["kind"],
        doc_number=doc["number"],
        attachment=_pdf(ctx, doc, contact),
    )
