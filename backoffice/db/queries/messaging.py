"""SQL of messaging: sender (SMTP) settings, the credit balance and the outbox (queue, claim, mark, list)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backoffice.db import bulk
from backoffice.db.queries import expanding, one, rows, run, scalar

# Columns a listing shows: never the message bytes, never anything of the SMTP password.
_LISTED = (
    "message_id, channel, purpose, contact_id, doc_kind, doc_number, to_addrs, cc_addrs, pending_addrs, subject, "
    "note, smtp_message_id, attachment_name, share_url, credits, status, error, attempts, created_by, "
    "created_by_name, created_at, sent_at"
)


# ---------------------------------------------------------------- settings


def smtp_settings(conn: Connection, org_id: int) -> dict[str, Any] | None:
    return one(conn, "SELECT * FROM smtp_settings WHERE org_id = :org", org=org_id)


def save_smtp_settings(conn: Connection, org_id: int, values: dict[str, Any]) -> None:
    run(conn, "DELETE FROM smtp_settings WHERE org_id = :org", org=org_id)
    run(
        conn,
        "INSERT INTO smtp_settings (org_id, host, port, tls, username, smtp_password, sender_name, sender_address, "
        "welcome_enabled, welcome_invoice, updated_at) VALUES (:org, :host, :port, :tls, :username, :smtp_password, "
        ":sender_name, :sender_address, :welcome_enabled, :welcome_invoice, :updated_at)",
        org=org_id,
        **values,
    )


def stored_smtp_passwords(conn: Connection, legacy_only: bool = False) -> list[dict[str, Any]]:
    """Every organization's stored SMTP password as stored (sealed), or only those stored in clear before
    sealing existed: what a key rotation or the first start after the upgrade re-seals."""
    return rows(
        conn,
        "SELECT org_id, smtp_password FROM smtp_settings WHERE smtp_password IS NOT NULL "
        "AND (NOT :legacy OR smtp_password NOT LIKE 'fernet:%') ORDER BY org_id",
        legacy=legacy_only,
    )


def set_smtp_password(conn: Connection, org_id: int, stored: str | None) -> None:
    run(conn, "UPDATE smtp_settings SET smtp_password = :p WHERE org_id = :org", p=stored, org=org_id)


def welcome_message(conn: Connection, org_id: int, contact_id: int) -> int | None:
    """The outbox id of the welcome message already queued for this contact, if any."""
    found = scalar(
        conn,
        "SELECT min(message_id) FROM outbox WHERE org_id = :org AND contact_id = :c AND purpose = 'welcome'",
        org=org_id,
        c=contact_id,
    )
    return None if found is None else int(found)


# ---------------------------------------------------------------- credits


def credit_balance(conn: Connection, org_id: int) -> int:
    return int(scalar(conn, "SELECT balance FROM message_credits WHERE org_id = :org", org=org_id) or 0)


def add_credits(conn: Connection, org_id: int, amount: int, at: datetime) -> int:
    run(
        conn,
        "INSERT INTO message_credits (org_id, balance, updated_at) VALUES (:org, 0, :at) ON CONFLICT DO NOTHING",
        org=org_id,
        at=at,
    )
    return int(
        scalar(
            conn,
            "UPDATE message_credits SET balance = balance + :n, updated_at = :at WHERE org_id = :org "
            "RETURNING balance",
            org=org_id,
            n=amount,
            at=at,
        )
    )


def debit_credits(conn: Connection, org_id: int, amount: int, at: datetime) -> int | None:
    """Take `amount` credits if the balance holds them; the new balance, or None when it is short."""
    found = scalar(
        conn,
        "UPDATE message_credits SET balance = balance - :n, updated_at = :at WHERE org_id = :org AND balance >= :n "
        "RETURNING balance",
        org=org_id,
        n=amount,
        at=at,
    )
    return None if found is None else int(found)


# ---------------------------------------------------------------- outbox


def existing_keys(conn: Connection, org_id: int, keys: Sequence[str]) -> dict[str, int]:
    if not keys:
        return {}
    found = conn.execute(
        expanding(
            "SELECT idem_key, message_id FROM outbox WHERE org_id = :org AND idem_key IN :keys", "keys"
        ),
        {"org": org_id, "keys": list(keys)},
    )
    return {r[0]: int(r[1]) for r in found}


_COLUMNS = ("org_id", "channel", "purpose", "contact_id", "doc_kind", "doc_number", "to_addrs", "cc_addrs", "subject",
            "note", "sender_address", "smtp_message_id", "attachment_name", "mime", "share_url", "idem_key", "credits",
            "status", "created_by", "created_by_name", "created_at", "sent_at")  # fmt: skip


def insert_messages(conn: Connection, messages: Sequence[dict[str, Any]]) -> list[int]:
    """Insert outbox rows (each a dict of every column but message_id); returns their ids in order.
    Ids come from the sequence first, then the rows go in by bulk.insert_rows."""
    if not messages:
        return []
    ids = [
        int(r[0])
        for r in conn.execute(
            sa.text("SELECT nextval('message_id_seq') FROM generate_series(1, :n)"), {"n": len(messages)}
        )
    ]
    ids.sort()
    columns = ("message_id", *_COLUMNS, "attempts")
    bulk.insert_rows(
        conn,
        "outbox",
        columns,
        [(i, *(m[c] for c in _COLUMNS), 0) for i, m in zip(ids, messages, strict=True)],
    )
    return ids


def claim(conn: Connection, org_id: int, message_ids: Sequence[int]) -> list[int]:
    """Mark queued or failed rows 'sending' (one sender at a time owns them); sent rows are never claimed."""
    if not message_ids:
        return []
    found = conn.execute(
        expanding(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE org_id = :org "
            "AND message_id IN :ids AND channel = 'email' AND status IN ('queued', 'failed') RETURNING message_id",
            "ids",
        ),
        {"org": org_id, "ids": list(message_ids)},
    )
    return sorted(int(r[0]) for r in found)


def message_ids_of(conn: Connection, org_id: int, message_ids: Sequence[int]) -> set[int]:
    """Those of the message ids that are the organization's."""
    if not message_ids:
        return set()
    found = conn.execute(
        expanding("SELECT message_id FROM outbox WHERE org_id = :org AND message_id IN :ids", "ids"),
        {"org": org_id, "ids": list(message_ids)},
    )
    return {int(r[0]) for r in found}


def to_send(
    conn: Connection, org_id: int, message_ids: Sequence[int], known: Mapping[int, bytes] | None = None
) -> list[dict[str, Any]]:
    """The rows to send, each with its MIME bytes: from `known` (just queued, in memory) or read from the outbox."""
    if not message_ids:
        return []
    known = known or {}
    mime = "NULL" if all(i in known for i in message_ids) else "mime"
    found = conn.execute(
        expanding(
            f"SELECT message_id, to_addrs, cc_addrs, pending_addrs, sender_address, {mime} AS mime "  # noqa: S608
            "FROM outbox WHERE org_id = :org AND message_id IN :ids ORDER BY message_id",
            "ids",
        ),
        {"org": org_id, "ids": list(message_ids)},
    )
    rows = [dict(r) for r in found.mappings()]
    for row in rows:
        if row["mime"] is None:
            row["mime"] = known.get(int(row["message_id"]))
    return rows


def mark_sent(conn: Connection, org_id: int, message_ids: Sequence[int], at: datetime) -> None:
    if message_ids:
        conn.execute(
            expanding(
                "UPDATE outbox SET status = 'sent', sent_at = :at, error = NULL, pending_addrs = NULL "
                "WHERE org_id = :org AND message_id IN :ids",
                "ids",
            ),
            {"org": org_id, "ids": list(message_ids), "at": at},
        )


def mark_failed(conn: Connection, org_id: int, message_id: int, error: str, pending: str | None) -> None:
    run(
        conn,
        "UPDATE outbox SET status = 'failed', error = :e, pending_addrs = :p WHERE org_id = :org AND message_id = :id",
        org=org_id,
        id=message_id,
        e=error,
        p=pending,
    )


def retryable(conn: Connection, org_id: int) -> list[int]:
    return [
        int(r["message_id"])
        for r in rows(
            conn,
            "SELECT message_id FROM outbox WHERE org_id = :org AND channel = 'email' "
            "AND status IN ('queued', 'failed') ORDER BY message_id",
            org=org_id,
        )
    ]


def list_messages(
    conn: Connection, org_id: int, status: str | None, contact_id: int | None, limit: int
) -> list[dict[str, Any]]:
    return rows(
        conn,
        f"SELECT {_LISTED} FROM outbox WHERE org_id = :org AND (CAST(:status AS VARCHAR) IS NULL OR status = :status) "  # noqa: S608 - constant columns
        "AND (CAST(:contact AS BIGINT) IS NULL OR contact_id = :contact) ORDER BY message_id DESC LIMIT :limit",
        org=org_id,
        status=status,
        contact=contact_id,
        limit=limit,
    )


def message(conn: Connection, org_id: int, message_id: int) -> dict[str, Any] | None:
    return one(
        conn,
        f"SELECT {_LISTED}, mime FROM outbox WHERE org_id = :org AND message_id = :id",  # noqa: S608 - constant columns
        org=org_id,
        id=message_id,
    )


# ---------------------------------------------------------------- documents to send


def documents(
    conn: Connection,
    org_id: int,
    kind: str,
    series: str | None,
    number_from: int | None,
    number_to: int | None,
    date_from: date | None,
    date_to: date | None,
    category_key: str | None,
) -> list[dict[str, Any]]:
    """Invoices or credit notes by number range and/or issue dates (and a customer category), with their customer."""
    return rows(
        conn,
        "SELECT i.invoice_id, i.number_text, i.kind, i.customer_id, i.issued_on, i.due_on, i.total_minor, i.currency, "
        "c.name AS customer_name, c.emails, c.role FROM invoices i LEFT JOIN contacts c ON c.org_id = i.org_id "
        "AND c.contact_id = i.customer_id WHERE i.org_id = :org AND i.kind = :kind "
        "AND (CAST(:series AS VARCHAR) IS NULL OR i.series = :series) "
        "AND (CAST(:n_from AS BIGINT) IS NULL OR i.number >= :n_from) "
        "AND (CAST(:n_to AS BIGINT) IS NULL OR i.number <= :n_to) "
        "AND (CAST(:d_from AS DATE) IS NULL OR i.issued_on >= :d_from) "
        "AND (CAST(:d_to AS DATE) IS NULL OR i.issued_on <= :d_to) "
        "AND (CAST(:cat AS VARCHAR) IS NULL OR i.customer_id IN (SELECT cc.contact_id FROM contact_categories cc "
        "JOIN categories g ON g.category_id = cc.category_id WHERE cc.org_id = :org AND g.name_key = :cat)) "
        "ORDER BY i.series, i.number",
        org=org_id,
        kind=kind,
        series=series,
        n_from=number_from,
        n_to=number_to,
        d_from=date_from,
        d_to=date_to,
        cat=category_key,
    )


def reminded_today(conn: Connection, org_id: int, since: datetime) -> set[int]:
    return {
        int(r["contact_id"])
        for r in rows(
            conn,
            "SELECT DISTINCT contact_id FROM outbox WHERE org_id = :org AND purpose = 'reminder' "
            "AND created_at >= :since AND contact_id IS NOT NULL",
            org=org_id,
            since=since,
        )
    }
