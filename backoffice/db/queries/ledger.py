"""SQL of the chart of accounts and the journal. There is no UPDATE or DELETE of journal rows here, by design."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backoffice.db.queries import insert_returning, rows, run


def insert_account(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO accounts (org_id, code, name_en, name_ar, name_fa, kind, role) "
        "VALUES (:org_id, :code, :name_en, :name_ar, :name_fa, :kind, :role) RETURNING account_id",
        **values,
    )


def accounts(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    return rows(conn, "SELECT * FROM accounts WHERE org_id = :org ORDER BY code", org=org_id)


def contacts_of_org(conn: Connection, org_id: int, contact_ids: Collection[int]) -> set[int]:
    """Those of the contact ids that belong to the organization (a journal line names only its own)."""
    if not contact_ids:
        return set()
    found = conn.execute(
        sa.text("SELECT contact_id FROM contacts WHERE org_id = :org AND contact_id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)
        ),
        {"org": org_id, "ids": list(contact_ids)},
    )
    return {int(r[0]) for r in found}


def insert_entry(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO journal_entries (org_id, entry_on, memo, source_type, source_id, created_by, created_at) "
        "VALUES (:org_id, :entry_on, :memo, :source_type, :source_id, :created_by, :created_at) RETURNING entry_id",
        **values,
    )


def insert_line(conn: Connection, **values: Any) -> None:
    run(
        conn,
        "INSERT INTO journal_lines (org_id, entry_id, line_no, account_id, contact_id, debit_minor, credit_minor) "
        "VALUES (:org_id, :entry_id, :line_no, :account_id, :contact_id, :debit_minor, :credit_minor)",
        **values,
    )


def trial_balance(
    conn: Connection, org_id: int, date_from: date | None, date_to: date | None
) -> list[dict[str, Any]]:
    return rows(
        conn,
        """
        SELECT a.code, a.name_en, a.name_ar, a.name_fa, a.kind,
               COALESCE(SUM(l.debit_minor), 0) AS debit_minor,
               COALESCE(SUM(l.credit_minor), 0) AS credit_minor
        FROM accounts a
        JOIN journal_lines l ON l.account_id = a.account_id
        JOIN journal_entries e ON e.entry_id = l.entry_id
        WHERE a.org_id = :org AND l.org_id = :org AND e.org_id = :org  -- ids are unique: join on them, filter each
          AND (CAST(:dfrom AS DATE) IS NULL OR e.entry_on >= :dfrom)
          AND (CAST(:dto AS DATE) IS NULL OR e.entry_on <= :dto)
        GROUP BY a.code, a.name_en, a.name_ar, a.name_fa, a.kind
        ORDER BY a.code
        """,
        org=org_id,
        dfrom=date_from,
        dto=date_to,
    )


def receivable_balance(conn: Connection, org_id: int, contact_id: int) -> int:
    """What the contact owes: receivables less advances they hold with us (SPEC P7)."""
    row = rows(
        conn,
        "SELECT COALESCE(SUM(l.debit_minor - l.credit_minor), 0) AS balance FROM journal_lines l "
        "JOIN accounts a ON a.account_id = l.account_id AND a.org_id = l.org_id "
        "WHERE l.org_id = :org AND l.contact_id = :contact AND a.role IN ('ar', 'customer_advances')",
        org=org_id,
        contact=contact_id,
    )
    return int(row[0]["balance"])


def entry_lines(conn: Connection, org_id: int, entry_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT l.line_no, a.code, a.role, l.contact_id, l.debit_minor, l.credit_minor FROM journal_lines l "
        "JOIN accounts a ON a.account_id = l.account_id WHERE l.org_id = :org AND l.entry_id = :entry ORDER BY l.line_no",
        org=org_id,
        entry=entry_id,
    )
