"""SQL for documents: what an invoice PDF prints beyond the invoice itself, the customer statement from the
journal, and the kept PDFs of issued documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.db.queries import one, rows, run, scalar

_CUSTOMER_LEDGER = (
    "FROM journal_lines l JOIN accounts a ON a.account_id = l.account_id AND a.org_id = l.org_id "
    "JOIN journal_entries e ON e.entry_id = l.entry_id AND e.org_id = l.org_id "
    "WHERE l.org_id = :org AND l.contact_id = :contact AND a.role IN ('ar', 'customer_advances') "
)


def customer(conn: Connection, org_id: int, contact_id: int) -> dict[str, Any] | None:
    return one(
        conn,
        "SELECT contact_id, name, tax_id, language, address, city, postal_code, country FROM contacts "
        "WHERE org_id = :org AND contact_id = :id",
        org=org_id,
        id=contact_id,
    )


def arabic_names(conn: Connection, org_id: int, invoice_id: int) -> dict[int, str]:
    """The Arabic names of the products on a document, by product id."""
    found = rows(
        conn,
        "SELECT DISTINCT p.product_id, p.name_ar FROM invoice_lines l "
        "JOIN products p ON p.org_id = l.org_id AND p.product_id = l.product_id "
        "WHERE l.org_id = :org AND l.invoice_id = :id AND p.name_ar IS NOT NULL",
        org=org_id,
        id=invoice_id,
    )
    return {int(r["product_id"]): r["name_ar"] for r in found}


def invoice_number(conn: Connection, org_id: int, invoice_id: int) -> str | None:
    value = scalar(
        conn,
        "SELECT number_text FROM invoices WHERE org_id = :org AND invoice_id = :id",
        org=org_id,
        id=invoice_id,
    )
    return None if value is None else str(value)


def balance_before(conn: Connection, org_id: int, contact_id: int, before: date) -> int:
    """The customer's receivable-plus-advances balance at the start of a day."""
    return int(
        scalar(
            conn,
            "SELECT COALESCE(SUM(l.debit_minor - l.credit_minor), 0) "
            + _CUSTOMER_LEDGER
            + "AND e.entry_on < :before",
            org=org_id,
            contact=contact_id,
            before=before,
        )
    )


def statement_entries(
    conn: Connection, org_id: int, contact_id: int, date_from: date | None, date_to: date | None
) -> list[dict[str, Any]]:
    """One row per journal entry that changes the customer's receivable plus advances, in date order."""
    return rows(
        conn,
        "SELECT e.entry_id, e.entry_on, e.memo, e.source_type, e.source_id, SUM(l.debit_minor) AS debit_minor, "
        "SUM(l.credit_minor) AS credit_minor "
        + _CUSTOMER_LEDGER
        + "AND (CAST(:dfrom AS DATE) IS NULL OR e.entry_on >= :dfrom) "
        "AND (CAST(:dto AS DATE) IS NULL OR e.entry_on <= :dto) "
        "GROUP BY e.entry_id, e.entry_on, e.memo, e.source_type, e.source_id "
        "HAVING SUM(l.debit_minor) <> SUM(l.credit_minor) "  # a deposit settling an invoice moves nothing for the customer
        "ORDER BY e.entry_on, e.entry_id",
        org=org_id,
        contact=contact_id,
        dfrom=date_from,
        dto=date_to,
    )


def line_count(conn: Connection, org_id: int, invoice_id: int) -> int:
    return int(
        scalar(
            conn,
            "SELECT count(*) FROM invoice_lines WHERE org_id = :org AND invoice_id = :id",
            org=org_id,
            id=invoice_id,
        )
    )


def kept_pdf(conn: Connection, org_id: int, number_text: str, variant: str) -> bytes | None:
    found = scalar(
        conn,
        "SELECT pdf FROM document_pdfs WHERE org_id = :org AND number_text = :n AND variant = :v",
        org=org_id,
        n=number_text,
        v=variant,
    )
    return None if found is None else bytes(found)


def keep_pdf(conn: Connection, org_id: int, number_text: str, variant: str, pdf: bytes, at: datetime) -> None:
    run(
        conn,
        "INSERT INTO document_pdfs (org_id, number_text, variant, pdf, created_at) "
        "VALUES (:org, :n, :v, :pdf, :at) ON CONFLICT DO NOTHING",
        org=org_id,
        n=number_text,
        v=variant,
        pdf=pdf,
        at=at,
    )


def forget_pdfs(conn: Connection, org_id: int, number_text: str | None) -> int:
    count = int(
        scalar(
            conn,
            "SELECT count(*) FROM document_pdfs WHERE org_id = :org AND (CAST(:n AS VARCHAR) IS NULL OR number_text = :n)",
            org=org_id,
            n=number_text,
        )
    )
    run(
        conn,
        "DELETE FROM document_pdfs WHERE org_id = :org AND (CAST(:n AS VARCHAR) IS NULL OR number_text = :n)",
        org=org_id,
        n=number_text,
    )
    return count
