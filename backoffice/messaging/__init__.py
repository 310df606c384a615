"""Messaging: sender (SMTP) settings, message credits, the outbox and delivery through stdlib smtplib (SPEC M1–M9, C10).

Every message is written to the outbox first (its exact MIME bytes, recipients, idempotency key; credits debited
in the same transaction), then sent, then marked sent or failed. PDFs come from `documents`; no scheduler here.
"""

from __future__ import annotations

import hashlib
import json
import re
import smtplib
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any
from urllib.parse import quote

from backoffice import documents
from backoffice.books import receivables
from backoffice.contacts import customers
from backoffice.core.context import Context
from backoffice.core.enums import DocumentKind, OutboxStatus
from backoffice.core.errors import BackofficeError, ConflictError, FieldError, NotFoundError, ValidationError
from backoffice.core.i18n import LANGUAGES
from backoffice.core.money import currency, format_money
from backoffice.core.text import clean_header_value as clean_header
from backoffice.core.text import digits_only, normalize_digits, search_key
from backoffice.core.validation import is_email, split_emails
from backoffice.db import audit, now
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import messaging as q
from backoffice.db.queries import orgs as orgs_q
from backoffice.db.queries import payments as payments_q
from backoffice.db.queries import products as products_q
from backoffice.db.queries import sales as sales_q
from backoffice.sales import invoices, orders

KINDS = ("invoice", "credit_note", "statement")
TLS_MODES = ("none", "starttls", "ssl")
STATUSES = tuple(OutboxStatus)
_WIRE = compat32.clone(linesep="\r\n")  # SMTP line endings, headers folded at 78
Progress = Callable[[int, int, str], None]

_FLUSH_EVERY, _FLUSH_SECONDS, _CHUNK = 200, 2.0, 100

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


# ---------------------------------------------------------------- small helpers


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


def _idem_key(draft: Draft, request_id: str) -> str:
    parts = [
        draft.purpose,
        draft.doc_kind or "",
        draft.doc_number or "",
        str(draft.contact_id or ""),
        draft.key_extra,
    ]
    parts += [
        ",".join(sorted(a.lower() for a in draft.to)),
        ",".join(sorted(a.lower() for a in draft.cc)),
        request_id,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# ---------------------------------------------------------------- sender settings and credits


def get_smtp_settings(ctx: Context) -> dict[str, Any] | None:
    """The organization's sender settings; the password never comes back, only `has_password`."""
    ctx.require("settings.read")
    with ctx.read() as conn:
        found = q.smtp_settings(conn, ctx.org_id)
    if found is None:
        return None
    return {
        "host": found["host"],
        "port": int(found["port"]),
        "tls": found["tls"],
        "user": found["username"],
        "has_password": bool(found["smtp_password"]),
        "sender_name": found["sender_name"],
        "sender_address": found["sender_address"],
        "welcome_enabled": bool(found["welcome_enabled"]),
        "welcome_invoice": json.loads(found["welcome_invoice"]) if found["welcome_invoice"] else [],
    }


def parse_welcome_invoice(value: str | Sequence[tuple[str, int | str]] | None) -> list[dict[str, Any]]:
    """Welcome-invoice lines from 'SKU' or 'SKU:QTY' items (commas or new lines) or (sku, quantity) pairs."""
    if value is None:
        return []
    if isinstance(value, str):
        items = [i.strip() for i in re.split(r"[,\n;،]", value) if i.strip()]
        pairs: list[tuple[str, int | str]] = []
        for item in items:
            sku, _, quantity = item.partition(":") if ":" in item else item.partition("×")
            pairs.append((sku.strip(), quantity.strip() or "1"))
    else:
        pairs = list(value)
    lines = []
    for n, (sku, quantity) in enumerate(pairs, 1):
        text = normalize_digits(str(quantity)).strip()
        if not sku:
            raise ValidationError(f"welcome invoice line {n}: give a product SKU", "welcome_invoice")
        if not text.isdigit() or int(text) < 1:
            raise ValidationError(
                f"welcome invoice line {n} ({sku}): the quantity is a whole number of at least 1, not {quantity!r}",
                "welcome_invoice",
            )
        lines.append({"sku": sku, "quantity": int(text)})
    return lines


def set_smtp_settings(
    ctx: Context,
    host: str,
    port: int | str,
    sender_address: str,
    sender_name: str | None = None,
    tls: str = "starttls",
    user: str | None = None,
    password: str | None = None,
    welcome_enabled: bool | None = None,
    clear_password: bool = False,
    welcome_invoice: str | Sequence[tuple[str, int | str]] | None = None,
) -> dict[str, Any]:
    """Save the sender settings (SPEC M3). `password` None keeps the stored one (forms never prefill it).

    `welcome_invoice` (SPEC C10): the products invoiced to each newly registered customer with the welcome message,
    as 'SKU:QTY, SKU' or pairs; None keeps the saved lines, '' or [] removes them."""
    ctx.require("settings.write")
    problems = []
    host = clean_header(host)
    if not host or " " in host:
        problems.append(("host", "give the SMTP server's host name"))
    try:
        port_number = int(str(port).strip())
        if not 0 < port_number < 65536:
            raise ValueError
    except ValueError:
        port_number = 0
        problems.append(("port", "a port is a whole number from 1 to 65535"))
    if tls not in TLS_MODES:
        problems.append(("tls", f"one of {', '.join(TLS_MODES)}"))
    try:
        senders = parse_addresses(sender_address, "sender_address")
    except ValidationError as exc:
        senders, problems = [], [*problems, ("sender_address", exc.errors[0].message)]
    if len(senders) != 1 and not any(f == "sender_address" for f, _ in problems):
        problems.append(("sender_address", "give one sender address"))
    welcome_lines = None
    try:
        welcome_lines = None if welcome_invoice is None else parse_welcome_invoice(welcome_invoice)
    except ValidationError as exc:
        problems.append(("welcome_invoice", exc.errors[0].message))
    if problems:
        raise ValidationError([FieldError(f, m) for f, m in problems])
    with ctx.write() as conn:
        before = q.smtp_settings(conn, ctx.org_id)
        unknown = [
            line["sku"]
            for line in welcome_lines or []
            if products_q.product_by_sku(conn, ctx.org_id, line["sku"]) is None
        ]
        if unknown:
            raise ValidationError(
                f"welcome invoice: no product with SKU {', '.join(unknown)}", "welcome_invoice"
            )
        if welcome_lines is None:
            stored_lines = (before or {}).get("welcome_invoice")
        else:
            stored_lines = json.dumps(welcome_lines, ensure_ascii=False) if welcome_lines else None
        stored = None if clear_password else (password if password else (before or {}).get("smtp_password"))
        values = {
            "host": host,
            "port": port_number,
            "tls": tls,
            "username": clean_header(user) or None,
            "smtp_password": stored or None,
            "sender_name": clean_header(sender_name) or None,
            "sender_address": senders[0],
            "welcome_enabled": bool(
                (before or {}).get("welcome_enabled", False) if welcome_enabled is None else welcome_enabled
            ),
            "welcome_invoice": stored_lines,
            "updated_at": now(),
        }
        q.save_smtp_settings(conn, ctx.org_id, values)
        audit.record(conn, ctx, "update", "smtp_settings", ctx.org_id, _audited(before), _audited(values))
    result = get_smtp_settings(ctx)
    if result is None:
        raise NotFoundError("The sender settings were not saved.")
    return result


def _audited(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: v for k, v in values.items() if k not in ("updated_at", "org_id")}


def get_credits(ctx: Context) -> int:
    """The message credits left (SPEC M4)."""
    ctx.require("customers.read")
    with ctx.read() as conn:
        return q.credit_balance(conn, ctx.org_id)


def add_credits(ctx: Context, amount: int | str) -> int:
    """An admin adds message credits; returns the new balance."""
    ctx.require("settings.write")
    try:
        n = int(normalize_digits(str(amount)).strip())
    except ValueError:
        n = 0
    if n <= 0:
        raise ValidationError("add a whole number of credits above zero", "credits")
    with ctx.write() as conn:
        before = q.credit_balance(conn, ctx.org_id)
        balance = q.add_credits(conn, ctx.org_id, n, now())
        audit.record(
            conn,
            ctx,
            "add",
            "message_credits",
            ctx.org_id,
            {"balance": before},
            {"balance": balance, "added": n},
        )
    return balance


# ---------------------------------------------------------------- queue: outbox first, credits in the same transaction


def _sender(ctx: Context) -> dict[str, Any]:
    with ctx.read() as conn:
        found = q.smtp_settings(conn, ctx.org_id)
    if found is None:
        raise ValidationError("Set the sender (SMTP) settings first: host, port and sender address.", "smtp")
    return found


def _mime(sender: dict[str, Any], draft: Draft, message_id: str) -> bytes:
    """The message's bytes, built with the stdlib's `email.mime` classes under the compat32 policy: the same RFC 2047
    / 2231 encodings as `EmailMessage`, without parsing each header back into a structured object (a third of the
    time of a bulk send went there)."""
    text = (draft.body if not draft.note else f"{draft.note.strip()}\n\n{draft.body}") + "\n"
    body = MIMEText(text, "plain", "us-ascii" if text.isascii() else "utf-8")  # 7bit, or base64 of UTF-8
    msg: MIMEText | MIMEMultipart = body
    if draft.attachment is not None:
        name, content = draft.attachment
        part = MIMEApplication(content, "pdf")
        part.add_header(
            "Content-Disposition", "attachment", filename=_filename(clean_header(name) or "document.pdf")
        )
        msg = MIMEMultipart(_subparts=[body, part])
    msg["From"] = formataddr((clean_header(sender["sender_name"]), sender["sender_address"]), "utf-8")
    msg["To"] = ", ".join(draft.to)
    if draft.cc:
        msg["Cc"] = ", ".join(draft.cc)
    msg["Subject"] = clean_header(draft.subject)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = message_id
    return msg.as_bytes(policy=_WIRE)


def _filename(name: str) -> str | tuple[str, str, str]:
    """A plain filename, or RFC 2231's (charset, language, value) for one with Arabic or Persian letters."""
    return name if name.isascii() else ("utf-8", "", name)


def _queue(
    ctx: Context, drafts: Sequence[Draft], request_id: str, keep: dict[int, bytes] | None = None
) -> list[int]:
    """Write the drafts to the outbox and debit their credits in one transaction; returns their message ids.

    A draft whose idempotency key is already in the outbox is not queued again (nor charged): its id comes back.
    `keep`, when given, receives the new rows' MIME bytes by message id, so delivery need not read them back.
    """
    if not drafts:
        return []
    sender = _sender(ctx)
    domain = sender["sender_address"].rsplit("@", 1)[-1]
    keys = [_idem_key(d, request_id) for d in drafts]
    at = now()
    prepared = []
    for draft, key in zip(drafts, keys, strict=True):
        message_id = make_msgid(idstring=key[:16], domain=domain)
        prepared.append(
            {
                "org_id": ctx.org_id,
                "channel": "email",
                "purpose": draft.purpose,
                "contact_id": draft.contact_id,
                "doc_kind": draft.doc_kind,
                "doc_number": draft.doc_number,
                "to_addrs": ", ".join(draft.to),
                "cc_addrs": ", ".join(draft.cc) or None,
                "subject": clean_header(draft.subject),
                "note": draft.note,
                "sender_address": sender["sender_address"],
                "smtp_message_id": message_id,
                "attachment_name": clean_header(draft.attachment[0]) if draft.attachment else None,
                "mime": _mime(sender, draft, message_id),
                "share_url": None,
                "idem_key": key,
                "credits": draft.credits,
                "status": "queued",
                "created_by": ctx.user.user_id,
                "created_by_name": ctx.user.actor,
                "created_at": at,
                "sent_at": None,
            }
        )
    with ctx.write() as conn:
        existing = q.existing_keys(conn, ctx.org_id, keys)
        fresh, seen = [], set(existing)
        for row in prepared:
            if row["idem_key"] not in seen:
                seen.add(row["idem_key"])
                fresh.append(row)
        cost = sum(r["credits"] for r in fresh)
        balance = q.credit_balance(conn, ctx.org_id)
        if cost and q.debit_credits(conn, ctx.org_id, cost, at) is None:
            raise ConflictError(
                f"Not enough message credits: {cost} needed, {balance} left. Ask an admin to add credits; "
                "nothing was sent."
            )
        new_ids = q.insert_messages(conn, fresh)
        if fresh:
            audit.record(
                conn,
                ctx,
                "queue",
                "outbox",
                new_ids[0],
                {"credits": balance},
                {"messages": len(fresh), "first_id": new_ids[0], "last_id": new_ids[-1],
                 "credits_used": cost, "credits": balance - cost},
            )  # fmt: skip
    by_key = existing | {r["idem_key"]: i for r, i in zip(fresh, new_ids, strict=True)}
    if keep is not None:
        keep.update((i, r["mime"]) for r, i in zip(fresh, new_ids, strict=True))
    return [by_key[k] for k in keys]


def _send(
    ctx: Context,
    drafts: Sequence[Draft],
    request_id: str,
    progress: Progress | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> tuple[list[int], dict[str, Any]]:
    """Queue the drafts, then deliver them; returns their message ids and the delivery's result."""
    prepared: dict[int, bytes] = {}
    ids = _queue(ctx, drafts, request_id, prepared)
    return ids, _deliver(ctx, ids, progress, ssl_context, prepared)


# ---------------------------------------------------------------- delivery


def _connect(sender: dict[str, Any], ssl_context: ssl.SSLContext | None) -> smtplib.SMTP:
    host, port, tls = sender["host"], int(sender["port"]), sender["tls"]
    context = ssl_context or ssl.create_default_context()
    smtp: smtplib.SMTP
    if tls == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=30, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=30)
    if smtp.sock is not None:  # Nagle's algorithm stalls TLS writes (NOTES: 20 → 140 msg/s)
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if tls == "starttls":
        smtp.starttls(context=context)
    if sender["username"]:
        smtp.login(sender["username"], sender["smtp_password"] or "")
    return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _reply(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}".strip()


def _deliver(
    ctx: Context,
    message_ids: Sequence[int],
    progress: Progress | None = None,
    ssl_context: ssl.SSLContext | None = None,
    prepared: dict[int, bytes] | None = None,
) -> dict[str, Any]:
    """Send queued or failed outbox rows over one reused connection; mark each sent or failed with the server's error.

    Rows are claimed ('sending') first, so two senders never send the same row; sent rows are never claimed.
    Marks of sent rows are written in small batches (≤ 200 rows, ≤ 2 s old); a crash in between leaves rows 'sending',
    which no retry picks up on its own (they may have gone out).
    """
    with ctx.write() as conn:
        claimed = q.claim(conn, ctx.org_id, message_ids)
    result: dict[str, Any] = {"sent": 0, "failed": 0, "errors": {}}
    if not claimed:
        return result
    sender = _sender(ctx)
    done_ids: set[int] = set()
    sent_buffer: list[int] = []
    flushed_at = time.monotonic()

    def flush() -> None:
        nonlocal flushed_at
        if sent_buffer:
            with ctx.write() as conn:
                q.mark_sent(conn, ctx.org_id, sent_buffer, now())
            sent_buffer.clear()
        flushed_at = time.monotonic()

    def fail(message_id: int, error: str, pending: list[str] | None) -> None:
        with ctx.write() as conn:
            q.mark_failed(conn, ctx.org_id, message_id, error[:1000], ", ".join(pending) if pending else None)
        result["failed"] += 1
        result["errors"][message_id] = error
        done_ids.add(message_id)

    smtp: smtplib.SMTP | None = None
    unreachable: str | None = None
    try:
        for start in range(0, len(claimed), _CHUNK):
            with ctx.read() as conn:
                batch = q.to_send(conn, ctx.org_id, claimed[start : start + _CHUNK], known=prepared)
            for row in batch:
                try:
                    message_id = int(row["message_id"])
                    pending = parse_addresses(row["pending_addrs"]) if row["pending_addrs"] else None
                    recipients = pending or parse_addresses(row["to_addrs"]) + parse_addresses(
                        row["cc_addrs"]
                    )
                    if unreachable is not None:
                        fail(message_id, unreachable, pending)
                        continue
                    try:
                        if smtp is None:
                            try:
                                smtp = _connect(sender, ssl_context)
                            except smtplib.SMTPAuthenticationError as exc:  # reached, but the sign-in failed
                                unreachable = (
                                    "The mail server refused the user name or password "
                                    f"({sender['host']}:{sender['port']} answered "
                                    f"{_reply(exc.smtp_code, exc.smtp_error)}): check the sender settings"
                                )
                                fail(message_id, unreachable, pending)
                                continue
                            except smtplib.SMTPNotSupportedError:  # reached, but it offers no sign-in
                                unreachable = (
                                    f"The mail server {sender['host']}:{sender['port']} does not accept a user name "
                                    "and password (no AUTH): remove them from the sender settings or use TLS"
                                )
                                fail(message_id, unreachable, pending)
                                continue
                            except (smtplib.SMTPException, OSError) as exc:
                                unreachable = f"Could not reach the mail server {sender['host']}:{sender['port']}: {exc}"
                                fail(message_id, unreachable, pending)
                                continue
                        refused = smtp.sendmail(row["sender_address"], recipients, bytes(row["mime"]))
                    except smtplib.SMTPRecipientsRefused as exc:
                        fail(
                            message_id,
                            "; ".join(f"{a}: {_reply(*r)}" for a, r in exc.recipients.items()),
                            recipients,
                        )
                    except smtplib.SMTPResponseException as exc:
                        fail(message_id, _reply(exc.smtp_code, exc.smtp_error), pending)
                        if exc.smtp_code == 421:
                            _close(smtp)
                            smtp = None
                    except (
                        smtplib.SMTPException,
                        OSError,
                    ) as exc:  # the connection dropped: reconnect for the next one
                        fail(message_id, f"The connection to the mail server was lost: {exc}", pending)
                        _close(smtp)
                        smtp = None
                    else:
                        done_ids.add(message_id)
                        if refused:
                            fail(
                                message_id,
                                "; ".join(f"{a}: {_reply(*r)}" for a, r in refused.items()),
                                list(refused),
                            )
                        else:
                            sent_buffer.append(message_id)
                            result["sent"] += 1
                finally:  # also after a `continue`: progress reaches the total
                    if len(sent_buffer) >= _FLUSH_EVERY or time.monotonic() - flushed_at > _FLUSH_SECONDS:
                        flush()
                    if progress is not None:
                        progress(len(done_ids), len(claimed), "send")
    finally:
        flush()
        _close(smtp)
        left = [i for i in claimed if i not in done_ids]
        for message_id in left:  # never attempted (an unexpected error): safe to retry
            with ctx.write() as conn:
                q.mark_failed(conn, ctx.org_id, message_id, "not sent: sending was interrupted", None)
        if result["sent"] or result["failed"]:
            with ctx.write() as conn:
                audit.record(conn, ctx, "deliver", "outbox", claimed[0], None,
                             {"sent": result["sent"], "failed": result["failed"]})  # fmt: skip
    return result


def _messages(ctx: Context, message_ids: Sequence[int]) -> list[dict[str, Any]]:
    with ctx.read() as conn:
        found = {m["message_id"]: m for m in (q.message(conn, ctx.org_id, i) for i in message_ids) if m}
    for m in found.values():
        m.pop("mime", None)
    return [found[i] for i in message_ids if i in found]


def retry_failed(
    ctx: Context, message_ids: Sequence[int] | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Send failed (and never-sent queued) messages again; sent ones are skipped, so nothing goes out twice."""
    ctx.require("customers.write")
    with ctx.read() as conn:
        if message_ids is None:
            message_ids = q.retryable(conn, ctx.org_id)
        elif unknown := sorted(set(message_ids) - q.message_ids_of(conn, ctx.org_id, message_ids)):
            raise NotFoundError(f"No message {', '.join(f'#{i}' for i in unknown)} in this organization.")
    result = _deliver(ctx, list(message_ids), progress)
    return {"retried": result["sent"] + result["failed"], "sent": result["sent"], "failed": result["failed"]}


def list_outbox(
    ctx: Context, status: str | None = None, contact_id: int | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The outbox and sent-messages report (SPEC M6): time, sender user, recipients, document, status, error."""
    ctx.require("customers.read")
    if status is not None and status not in STATUSES:
        raise ValidationError(f"status is one of {', '.join(STATUSES)}", "status")
    with ctx.read() as conn:
        if contact_id is not None and contacts_q.contact(conn, ctx.org_id, contact_id) is None:
            raise NotFoundError(f"No contact #{contact_id} in this organization.")
        return q.list_messages(conn, ctx.org_id, status, contact_id, max(1, min(limit, 10_000)))


# ---------------------------------------------------------------- documents


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


def draft_document(ctx: Context, kind: str, number: str) -> dict[str, Any]:
    """What the send dialog starts from: the contact's addresses (To), subject, credits left (SPEC M1, M4)."""
    ctx.require("customers.read")
    doc = _document(ctx, kind, number)
    contact = _contact(ctx, doc["customer_id"]) if doc["customer_id"] else None
    org = _org(ctx)
    lang = _language(org, contact)
    return {
        "kind": kind,
        "number": doc["number"],
        "contact_id": doc["customer_id"],
        "contact_name": contact["name"] if contact else None,
        "to": parse_addresses(contact["emails"]) if contact and contact["emails"] else [],
        "cc": [],
        "subject": _text(_SUBJECTS, kind, lang, number=doc["number"], org=org["name"]),
        "credits": get_credits(ctx),
    }


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


def send_document(
    ctx: Context,
    kind: str,
    number: str,
    to: str | Sequence[str] | None = None,
    cc: str | Sequence[str] | None = None,
    note: str | None = None,
    subject: str | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """Email an invoice, credit note or statement with its PDF (the download's bytes), the note on top (SPEC M1, I4).

    Queued first (one credit per address in To and CC), then sent before this returns; the outbox row comes back.
    """
    ctx.require("customers.write")
    doc = _document(ctx, kind, number)
    if doc["customer_id"] is None and not to:
        raise ValidationError("this document has no customer: give the addresses in To", "to")
    draft = _document_draft(ctx, doc, _org(ctx), to, cc, note, subject)
    (message_id,), _ = _send(ctx, [draft], request_id or uuid.uuid4().hex)
    return _messages(ctx, [message_id])[0]


def send_file(
    ctx: Context,
    to: str | Sequence[str],
    subject: str,
    file_name: str,
    data: bytes,
    cc: str | Sequence[str] | None = None,
    note: str | None = None,
    purpose: str = "report",
    request_id: str | None = None,
) -> dict[str, Any]:
    """Email any file (a report's XLSX or CSV) to customers, suppliers or employees through the outbox, like a
    document: one credit per address, queued, then sent before this returns; the outbox row comes back."""
    ctx.require("customers.write")
    recipients, copies = parse_addresses(to, "to"), parse_addresses(cc, "cc")
    if not recipients:
        raise ValidationError("give at least one address in To", "to")
    body = (note.strip() + "\n\n" if note and note.strip() else "") + clean_header(file_name)
    draft = Draft(
        purpose,
        recipients,
        copies,
        clean_header(subject) or clean_header(file_name),
        body,
        note=note,
        attachment=(clean_header(file_name), data),
        key_extra=hashlib.sha256(data).hexdigest(),
    )
    (message_id,), _ = _send(ctx, [draft], request_id or uuid.uuid4().hex)
    return _messages(ctx, [message_id])[0]


def send_test_message(ctx: Context, to: str) -> dict[str, Any]:
    """A test message with the saved sender settings (free: no credits); the outbox row comes back."""
    ctx.require("settings.write")
    org = _org(ctx)
    lang = _language(org, None)
    draft = Draft("test", parse_addresses(to, "to"), [], _text(_SUBJECTS, "test", lang, org=org["name"]),
                  _text(_BODIES, "test", lang), charge=False)  # fmt: skip
    if not draft.to:
        raise ValidationError("give an address to send the test to", "to")
    (message_id,), _ = _send(ctx, [draft], uuid.uuid4().hex)
    return _messages(ctx, [message_id])[0]


# ---------------------------------------------------------------- bulk


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


# ---------------------------------------------------------------- reminders and welcome


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

    Idempotent per day: a customer reminded today (same invoices, same addresses) is not reminded again.
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


def save_customer_and_welcome(
    ctx: Context,
    values: dict[str, Any],
    categories: Sequence[str] = (),
    custom: dict[str, Any] | None = None,
    contact_id: int | None = None,
    allow_duplicate: bool = False,
) -> int:
    """Save a contact as backoffice.contacts.customers.save_customer does; a new customer then gets the welcome
    message (and welcome invoice) when the organization turned it on (SPEC C10). A failure never undoes the save:
    a mail failure stays in the outbox to be retried; anything else (say the welcome product is out of stock) is
    written to the audit log as 'welcome_failed' with its reason."""
    saved = customers.save_customer(ctx, values, categories, custom, contact_id, allow_duplicate)
    if contact_id is None and (values.get("role") or "customer") == "customer":
        try:
            send_welcome(ctx, saved)
        except BackofficeError as exc:  # the customer is saved; the reason is kept where an admin looks
            with ctx.write() as conn:
                audit.record(conn, ctx, "welcome_failed", "contact", saved, None, {"error": str(exc)})
    return saved


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


# ---------------------------------------------------------------- WhatsApp share links


def share_link(ctx: Context, kind: str, number: str, phone: str | None = None) -> dict[str, Any]:
    """A wa.me link with the document's number and total (SPEC M9), logged in the outbox as 'shared' (no credits)."""
    ctx.require("customers.write")
    doc = _document(ctx, kind, number)
    contact = _contact(ctx, doc["customer_id"]) if doc["customer_id"] else None
    digits = digits_only(phone or (contact or {}).get("phone"))
    digits = digits[2:] if digits.startswith("00") else digits
    if len(digits) < 8:
        raise ValidationError("give the phone number in international form, e.g. +966501234567", "phone")
    org = _org(ctx)
    lang = _language(org, contact)
    subject = _text(_SUBJECTS, kind, lang, number=doc["number"], org=org["name"])
    total = _money_text(doc["total_minor"], doc["currency"], lang) if doc["total_minor"] is not None else ""
    text = f"{subject}\n{doc['number']}: {total}".strip()
    url = f"https://wa.me/{digits}?text={quote(text, safe='')}"
    at = now()
    row = {
        "org_id": ctx.org_id, "channel": "whatsapp", "purpose": "share", "contact_id": doc["customer_id"],
        "doc_kind": kind, "doc_number": doc["number"], "to_addrs": digits, "cc_addrs": None, "subject": subject,
        "note": None, "sender_address": None, "smtp_message_id": None, "attachment_name": None, "mime": None,
        "share_url": url, "idem_key": uuid.uuid4().hex, "credits": 0, "status": "shared",
        "created_by": ctx.user.user_id, "created_by_name": ctx.user.actor, "created_at": at, "sent_at": at,
    }  # fmt: skip
    with ctx.write() as conn:
        (message_id,) = q.insert_messages(conn, [row])
        audit.record(
            conn, ctx, "share", "outbox", message_id, None, {"document": doc["number"], "to": digits}
        )
    return {"message_id": message_id, "url": url, "text": text}


def stale_sending(ctx: Context, older_than: timedelta = timedelta(minutes=10)) -> list[dict[str, Any]]:
    """Rows left 'sending' by a crash: they may or may not have gone out, so no retry takes them on its own."""
    ctx.require("customers.read")
    return [m for m in list_outbox(ctx, "sending") if m["created_at"] < now() - older_than]
