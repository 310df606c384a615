"""The outbox (SPEC M1, M6, M9): every message is written first (its exact MIME bytes, recipients, idempotency
key; credits debited in the same transaction), then sent over one reused connection, then marked sent or
failed; retry, listing, and the one-message sends (a document, a file, the test message, a WhatsApp link)."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from email.utils import make_msgid
from typing import Any
from urllib.parse import quote

from backoffice.core.context import Context
from backoffice.core.enums import OutboxStatus
from backoffice.core.errors import ConflictError, NotFoundError, ValidationError
from backoffice.core.text import clean_header_value as clean_header
from backoffice.core.text import digits_only
from backoffice.db import audit, now, secrets
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import messaging as q
from backoffice.messaging.compose import (
    _BODIES,
    _SUBJECTS,
    Draft,
    _contact,
    _document,
    _document_draft,
    _language,
    _money_text,
    _org,
    _text,
    parse_addresses,
)
from backoffice.messaging.settings import get_credits
from backoffice.messaging.smtp import _close, _connect, _mime, _reply

STATUSES = tuple(OutboxStatus)
Progress = Callable[[int, int, str], None]

_FLUSH_EVERY, _FLUSH_SECONDS, _CHUNK = 200, 2.0, 100


def _sender(ctx: Context) -> dict[str, Any]:
    with ctx.read() as conn:
        found = q.smtp_settings(conn, ctx.org_id)
        if found is None:
            raise ValidationError(
                "Set the sender (SMTP) settings first: host, port and sender address.", "smtp"
            )
        # opened only here, for the connection to the mail server (sealed at rest: backoffice.db.secrets)
        return found | {"smtp_password": secrets.unseal(conn, found["smtp_password"], "SMTP password")}


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


def stale_sending(ctx: Context, older_than: timedelta = timedelta(minutes=10)) -> list[dict[str, Any]]:
    """Rows left 'sending' by a crash: they may or may not have gone out, so no retry takes them on its own."""
    ctx.require("customers.read")
    return [m for m in list_outbox(ctx, "sending") if m["created_at"] < now() - older_than]


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
