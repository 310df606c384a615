"""SQL of contacts (customers, suppliers, employees), their emails, categories, custom fields, notes and files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backoffice.db import bulk
from backoffice.db.queries import (
    allowed_columns,
    expanding,
    insert_returning,
    one,
    rows,
    rows_in,
    run,
    scalar,
)

CONTACT_COLUMNS = (
    "role", "name", "address", "city", "postal_code", "country", "emails", "phone", "tax_id",
    "contact_person", "payment_terms_days", "language", "name_key", "search_text", "tax_id_key",
)  # fmt: skip
SORTS = {  # allow-list: the user picks a key, never SQL
    "name": "c.name_key",
    "created": "c.created_at",
    "city": "c.city",
    "country": "c.country",
}


def insert_contact(conn: Connection, org_id: int, values: dict[str, Any], at: datetime) -> int:
    allowed_columns(values, set(CONTACT_COLUMNS))
    cols = ", ".join(values)
    params = ", ".join(f":{c}" for c in values)
    return insert_returning(
        conn,
        f"INSERT INTO contacts (org_id, {cols}, created_at, updated_at) VALUES (:org_id, {params}, :at, :at) RETURNING contact_id",  # noqa: S608 - names from CONTACT_COLUMNS
        org_id=org_id,
        at=at,
        **values,
    )


def insert_contacts(
    conn: Connection,
    org_id: int,
    contact_ids: Sequence[int],
    values: Sequence[dict[str, Any]],
    emails: Sequence[Sequence[str]],
    at: datetime,
) -> None:
    """New contacts in bulk with their given ids (next_contact_ids) and their emails."""
    columns = ("contact_id", "org_id", *CONTACT_COLUMNS, "created_at", "updated_at")
    bulk.insert_values(
        conn,
        "contacts",
        columns,
        [
            (cid, org_id, *(v.get(c) for c in CONTACT_COLUMNS), at, at)
            for cid, v in zip(contact_ids, values, strict=True)
        ],
    )
    bulk.insert_values(
        conn,
        "contact_emails",
        ("org_id", "contact_id", "email"),
        [(org_id, cid, e) for cid, found in zip(contact_ids, emails, strict=True) for e in found],
    )


def insert_contact_details(
    conn: Connection,
    org_id: int,
    categories: Sequence[tuple[int, int]],
    field_values: Sequence[tuple[int, int, str]],
) -> None:
    """New contacts' categories (contact_id, category_id) and custom values (contact_id, field_id, value) in bulk."""
    bulk.insert_values(
        conn,
        "contact_categories",
        ("org_id", "contact_id", "category_id"),
        [(org_id, c, g) for c, g in categories],
    )
    bulk.insert_values(
        conn,
        "contact_field_values",
        ("org_id", "contact_id", "field_id", "value"),
        [(org_id, c, f, v) for c, f, v in field_values],
    )


def update_contact(
    conn: Connection, org_id: int, contact_id: int, values: dict[str, Any], at: datetime
) -> None:
    allowed_columns(values, set(CONTACT_COLUMNS))
    assignments = ", ".join(f"{c} = :{c}" for c in values)
    run(
        conn,
        f"UPDATE contacts SET {assignments}, updated_at = :at WHERE org_id = :org_id AND contact_id = :contact_id",  # noqa: S608 - names from CONTACT_COLUMNS
        org_id=org_id,
        contact_id=contact_id,
        at=at,
        **values,
    )


def contact(conn: Connection, org_id: int, contact_id: int) -> dict[str, Any] | None:
    return one(
        conn, "SELECT * FROM contacts WHERE org_id = :org AND contact_id = :id", org=org_id, id=contact_id
    )


def replace_emails(conn: Connection, org_id: int, contact_id: int, emails: Sequence[str]) -> None:
    run(
        conn, "DELETE FROM contact_emails WHERE org_id = :org AND contact_id = :id", org=org_id, id=contact_id
    )
    for email in emails:
        run(
            conn,
            "INSERT INTO contact_emails VALUES (:org, :id, :email)",
            org=org_id,
            id=contact_id,
            email=email,
        )


def duplicates(
    conn: Connection,
    org_id: int,
    emails: Sequence[str],
    phone: str | None,
    tax_id_key: str | None,
    except_id: int | None,
) -> list[dict[str, Any]]:
    found = (
        rows(
            conn,
            "SELECT c.contact_id, c.name, 'phone' AS field FROM contacts c WHERE c.org_id = :org AND c.phone = :phone "
            "AND c.contact_id <> :skip UNION ALL "
            "SELECT c.contact_id, c.name, 'tax_id' AS field FROM contacts c WHERE c.org_id = :org AND c.tax_id_key = :tax "
            "AND c.contact_id <> :skip",
            org=org_id,
            phone=phone,
            tax=tax_id_key,
            skip=except_id or -1,
        )
        if (phone or tax_id_key)
        else []
    )
    if emails:
        found += rows_in(
            conn,
            "SELECT c.contact_id, c.name, 'email' AS field FROM contact_emails e JOIN contacts c "
            "ON c.contact_id = e.contact_id WHERE e.org_id = :org AND e.email IN :emails AND c.contact_id <> :skip",
            "emails",
            org=org_id,
            emails=emails,
            skip=except_id or -1,
        )
    return found


def duplicates_of_many(
    conn: Connection, org_id: int, emails: Sequence[str], phones: Sequence[str], tax_id_keys: Sequence[str]
) -> list[dict[str, Any]]:
    """Existing contacts sharing any of these emails, phones or tax IDs, set-based (an import's whole file at once):
    rows of field ('email', 'phone' or 'tax_id'), value, contact_id, name."""
    found: list[dict[str, Any]] = []
    for field, values, sql in (
        ("phone", phones, "SELECT c.phone AS value, c.contact_id, c.name FROM contacts c "
         "WHERE c.org_id = :org AND c.phone IN :values"),
        ("tax_id", tax_id_keys, "SELECT c.tax_id_key AS value, c.contact_id, c.name FROM contacts c "
         "WHERE c.org_id = :org AND c.tax_id_key IN :values"),
        ("email", emails, "SELECT e.email AS value, c.contact_id, c.name FROM contact_emails e JOIN contacts c "
         "ON c.contact_id = e.contact_id WHERE e.org_id = :org AND e.email IN :values"),
    ):  # fmt: skip
        unique = sorted(set(values))
        for start in range(0, len(unique), 5000):
            part = unique[start : start + 5000]
            found += [{"field": field} | r for r in rows_in(conn, sql, "values", org=org_id, values=part)]
    return found


def next_contact_ids(conn: Connection, count: int) -> list[int]:
    """`count` new contact ids from the contacts' sequence, ascending."""
    sql = (
        "SELECT nextval('contact_id_seq') FROM range(:n) ORDER BY 1"
        if conn.dialect.name == "duckdb"
        else "SELECT nextval('contact_id_seq') FROM generate_series(1, :n) ORDER BY 1"
    )
    return [int(r[0]) for r in conn.execute(sa.text(sql), {"n": count})]


_FILTER = """
    FROM contacts c
    WHERE c.org_id = :org
      AND (CAST(:role AS VARCHAR) IS NULL OR c.role = :role)
      AND (CAST(:pattern AS VARCHAR) IS NULL OR c.search_text LIKE :pattern)
      AND (CAST(:category AS VARCHAR) IS NULL OR EXISTS (
            SELECT 1 FROM contact_categories cc JOIN categories g ON g.category_id = cc.category_id
            WHERE cc.org_id = c.org_id AND cc.contact_id = c.contact_id AND g.name_key = :category))
"""


def count_contacts(
    conn: Connection, org_id: int, role: str | None, pattern: str | None, category: str | None
) -> int:
    return int(
        scalar(conn, "SELECT count(*) " + _FILTER, org=org_id, role=role, pattern=pattern, category=category)
    )


def page_contacts(
    conn: Connection,
    org_id: int,
    role: str | None,
    pattern: str | None,
    category: str | None,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    order = f"{SORTS[sort]} {'DESC' if descending else 'ASC'} NULLS LAST, c.contact_id"
    return rows(
        conn,
        "SELECT c.contact_id, c.role, c.name, c.emails, c.phone, c.tax_id, c.city, c.country, "
        "c.payment_terms_days, c.created_at " + _FILTER + f" ORDER BY {order} LIMIT :limit OFFSET :offset",
        org=org_id,
        role=role,
        pattern=pattern,
        category=category,
        limit=limit,
        offset=offset,
    )


def export_contacts(
    conn: Connection, org_id: int, pattern: str | None, category: str | None
) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT c.*, (SELECT string_agg(g.name, '; ' ORDER BY g.name) FROM contact_categories cc JOIN categories g "  # noqa: S608 - constant SQL
        "ON g.category_id = cc.category_id WHERE cc.org_id = c.org_id AND cc.contact_id = c.contact_id) AS categories "
        + _FILTER
        + " ORDER BY c.name_key, c.contact_id",
        org=org_id,
        role=None,
        pattern=pattern,
        category=category,
    )


def all_field_values(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT v.contact_id, f.name, v.value FROM contact_field_values v JOIN custom_fields f ON f.field_id = v.field_id "
        "WHERE v.org_id = :org",
        org=org_id,
    )


def categories_for(conn: Connection, org_id: int, contact_ids: Sequence[int]) -> list[dict[str, Any]]:
    return rows_in(
        conn,
        "SELECT cc.contact_id, g.name FROM contact_categories cc JOIN categories g ON g.category_id = cc.category_id "
        "WHERE cc.org_id = :org AND cc.contact_id IN :ids ORDER BY g.name",
        "ids",
        org=org_id,
        ids=contact_ids,
    )


def balances(conn: Connection, org_id: int, contact_ids: Sequence[int]) -> dict[int, int]:
    if not contact_ids:
        return {}
    result = conn.execute(
        expanding(
            "SELECT l.contact_id, SUM(l.debit_minor - l.credit_minor) AS balance FROM journal_lines l "
            "JOIN accounts a ON a.account_id = l.account_id WHERE l.org_id = :org AND l.contact_id IN :ids "
            "AND a.role IN ('ar', 'customer_advances') GROUP BY l.contact_id",
            "ids",
        ),
        {"org": org_id, "ids": list(contact_ids)},
    )
    return {int(cid): int(bal) for cid, bal in result}


def field_values(conn: Connection, org_id: int, contact_ids: Sequence[int]) -> list[dict[str, Any]]:
    return rows_in(
        conn,
        "SELECT v.contact_id, f.name, v.value FROM contact_field_values v JOIN custom_fields f "
        "ON f.field_id = v.field_id WHERE v.org_id = :org AND v.contact_id IN :ids",
        "ids",
        org=org_id,
        ids=contact_ids,
    )


def category_id(conn: Connection, org_id: int, name: str, key: str) -> int:
    found = scalar(
        conn,
        "SELECT category_id FROM categories WHERE org_id = :org AND name_key = :key",
        org=org_id,
        key=key,
    )
    if found is not None:
        return int(found)
    return insert_returning(
        conn,
        "INSERT INTO categories (org_id, name, name_key) VALUES (:org, :name, :key) RETURNING category_id",
        org=org_id,
        name=name,
        key=key,
    )


def category(conn: Connection, org_id: int, category_id: int) -> dict[str, Any] | None:
    return one(
        conn,
        "SELECT * FROM categories WHERE org_id = :org AND category_id = :id",
        org=org_id,
        id=category_id,
    )


def replace_categories(conn: Connection, org_id: int, contact_id: int, category_ids: Sequence[int]) -> None:
    run(
        conn,
        "DELETE FROM contact_categories WHERE org_id = :org AND contact_id = :id",
        org=org_id,
        id=contact_id,
    )
    for cid in dict.fromkeys(category_ids):
        run(
            conn,
            "INSERT INTO contact_categories VALUES (:org, :id, :cat)",
            org=org_id,
            id=contact_id,
            cat=cid,
        )


def categories_of(conn: Connection, org_id: int, contact_id: int) -> list[str]:
    return [
        r["name"]
        for r in rows(
            conn,
            "SELECT g.name FROM contact_categories cc JOIN categories g ON g.category_id = cc.category_id "
            "WHERE cc.org_id = :org AND cc.contact_id = :id ORDER BY g.name",
            org=org_id,
            id=contact_id,
        )
    ]


def all_categories(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT g.category_id, g.name, g.name_key, count(cc.contact_id) AS contacts FROM categories g "
        "LEFT JOIN contact_categories cc ON cc.category_id = g.category_id AND cc.org_id = g.org_id "
        "WHERE g.org_id = :org GROUP BY g.category_id, g.name, g.name_key ORDER BY g.name",
        org=org_id,
    )


def custom_fields(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    return rows(
        conn, "SELECT * FROM custom_fields WHERE org_id = :org ORDER BY position, field_id", org=org_id
    )


def insert_custom_field(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO custom_fields (org_id, name, kind, choices, required, position) "
        "VALUES (:org_id, :name, :kind, :choices, :required, :position) RETURNING field_id",
        **values,
    )


def delete_custom_field(conn: Connection, org_id: int, field_id: int) -> None:
    run(
        conn,
        "DELETE FROM contact_field_values WHERE org_id = :org AND field_id = :id",
        org=org_id,
        id=field_id,
    )
    run(conn, "DELETE FROM custom_fields WHERE org_id = :org AND field_id = :id", org=org_id, id=field_id)


def replace_field_values(conn: Connection, org_id: int, contact_id: int, values: dict[int, str]) -> None:
    run(
        conn,
        "DELETE FROM contact_field_values WHERE org_id = :org AND contact_id = :id",
        org=org_id,
        id=contact_id,
    )
    for field_id, value in values.items():
        run(
            conn,
            "INSERT INTO contact_field_values VALUES (:org, :id, :field, :value)",
            org=org_id,
            id=contact_id,
            field=field_id,
            value=value,
        )


def insert_note(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO contact_notes (org_id, contact_id, body, created_by, created_at) "
        "VALUES (:org_id, :contact_id, :body, :created_by, :created_at) RETURNING note_id",
        **values,
    )


def insert_attachment(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO attachments (org_id, note_id, file_name, mime, size_bytes, content, created_at) "
        "VALUES (:org_id, :note_id, :file_name, :mime, :size_bytes, :content, :created_at) RETURNING attachment_id",
        **values,
    )


def notes(conn: Connection, org_id: int, contact_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT n.note_id, n.body, n.created_at, u.name AS author FROM contact_notes n "
        "LEFT JOIN users u ON u.user_id = n.created_by WHERE n.org_id = :org AND n.contact_id = :id "
        "ORDER BY n.note_id DESC",
        org=org_id,
        id=contact_id,
    )


def attachments_of_contact(conn: Connection, org_id: int, contact_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT a.attachment_id, a.note_id, a.file_name, a.mime, a.size_bytes FROM attachments a "
        "JOIN contact_notes n ON n.note_id = a.note_id WHERE a.org_id = :org AND n.contact_id = :id ORDER BY a.attachment_id",
        org=org_id,
        id=contact_id,
    )


def attachment_bytes_of_contact(conn: Connection, org_id: int, contact_id: int) -> int:
    return int(
        scalar(
            conn,
            "SELECT COALESCE(SUM(a.size_bytes), 0) FROM attachments a "
            "JOIN contact_notes n ON n.note_id = a.note_id WHERE a.org_id = :org AND n.contact_id = :id",
            org=org_id,
            id=contact_id,
        )
    )


def attachment(conn: Connection, org_id: int, attachment_id: int) -> dict[str, Any] | None:
    return one(
        conn,
        "SELECT file_name, mime, content FROM attachments WHERE org_id = :org AND attachment_id = :id",
        org=org_id,
        id=attachment_id,
    )


def ledger_lines(conn: Connection, org_id: int, contact_id: int, limit: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT e.entry_on, e.memo, e.source_type, e.source_id, a.code, l.debit_minor, l.credit_minor "
        "FROM journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id JOIN accounts a ON a.account_id = l.account_id "
        "WHERE l.org_id = :org AND l.contact_id = :id ORDER BY e.entry_on DESC, e.entry_id DESC LIMIT :limit",
        org=org_id,
        id=contact_id,
        limit=limit,
    )
