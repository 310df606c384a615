"""SQL of payment methods, payments (money in and out, deposits, fees) and their allocation to invoices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.db.queries import insert_returning, one, rows, run, scalar

DEFAULT_METHODS = [("cash", "Cash", "cash"), ("card", "Card", "card_clearing"), ("bank_transfer", "Bank transfer", "bank"),
                   ("wallet", "Wallet", "card_clearing"), ("store_payout", "Store payout", "bank")]  # fmt: skip


def ensure_methods(conn: Connection, org_id: int) -> None:
    for code, name, role in DEFAULT_METHODS:
        run(
            conn,
            "INSERT INTO payment_methods (org_id, code, name, account_role) VALUES (:org, :c, :n, :r) "
            "ON CONFLICT DO NOTHING",
            org=org_id,
            c=code,
            n=name,
            r=role,
        )


def add_method(conn: Connection, org_id: int, code: str, name: str, role: str) -> None:
    run(
        conn,
        "INSERT INTO payment_methods (org_id, code, name, account_role) VALUES (:org, :c, :n, :r) "
        "ON CONFLICT DO NOTHING",
        org=org_id,
        c=code,
        n=name,
        r=role,
    )


def methods(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT code, name, account_role, active FROM payment_methods WHERE org_id = :org ORDER BY code",
        org=org_id,
    )


def insert_payment(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO payments (org_id, customer_id, kind, method, amount_minor, paid_on, status, order_id, invoice_id, "
        "refund_of, reference, note, entry_id, created_by, created_at) VALUES (:org_id, :customer_id, :kind, :method, "
        ":amount_minor, :paid_on, :status, :order_id, :invoice_id, :refund_of, :reference, :note, :entry_id, "
        ":created_by, :created_at) RETURNING payment_id",
        **values,
    )


def payment(conn: Connection, org_id: int, payment_id: int) -> dict[str, Any] | None:
    return one(
        conn, "SELECT * FROM payments WHERE org_id = :org AND payment_id = :id", org=org_id, id=payment_id
    )


def set_status(conn: Connection, org_id: int, payment_id: int, status: str, entry_id: int | None) -> None:
    run(
        conn,
        "UPDATE payments SET status = :s, entry_id = COALESCE(:e, entry_id) WHERE org_id = :org AND payment_id = :id",
        s=status,
        e=entry_id,
        org=org_id,
        id=payment_id,
    )


def insert_allocation(
    conn: Connection,
    org_id: int,
    payment_id: int | None,
    kind: str,
    invoice_id: int,
    amount: int,
    on: date,
    entry_id: int | None,
    at: datetime,
) -> None:
    run(
        conn,
        "INSERT INTO allocations (org_id, payment_id, kind, invoice_id, amount_minor, allocated_on, entry_id, created_at) "
        "VALUES (:org, :p, :k, :i, :a, :on, :e, :at)",
        org=org_id,
        p=payment_id,
        k=kind,
        i=invoice_id,
        a=amount,
        on=on,
        e=entry_id,
        at=at,
    )


_OPEN = """
    SELECT i.invoice_id, i.number_text, i.customer_id, i.issued_on, i.due_on, i.total_minor,
           i.total_minor - COALESCE(cn.total, 0) - COALESCE(al.total, 0) AS open_minor
    FROM invoices i
    LEFT JOIN (SELECT corrects_invoice_id AS id, SUM(total_minor) AS total FROM invoices
               WHERE org_id = :org AND kind = 'credit_note' GROUP BY corrects_invoice_id) cn ON cn.id = i.invoice_id
    LEFT JOIN (SELECT invoice_id AS id, SUM(amount_minor) AS total FROM allocations
               WHERE org_id = :org AND allocated_on <= :as_of GROUP BY invoice_id) al ON al.id = i.invoice_id
    WHERE i.org_id = :org AND i.kind = 'invoice' AND i.issued_on <= :as_of
      AND (CAST(:customer AS BIGINT) IS NULL OR i.customer_id = :customer)
"""


def open_invoices(
    conn: Connection, org_id: int, customer_id: int | None, as_of: date
) -> list[dict[str, Any]]:
    """Invoices with something left to pay (or to refund, when negative), oldest first."""
    return rows(
        conn,
        "SELECT * FROM (" + _OPEN + ") t WHERE open_minor <> 0 ORDER BY issued_on, invoice_id",  # noqa: S608 - constant
        org=org_id,
        customer=customer_id,
        as_of=as_of,
    )


def paid_by_method(conn: Connection, org_id: int, invoice_id: int) -> list[dict[str, Any]]:
    """What was paid on an invoice, by method (payments and settled deposits), for refunds in proportion."""
    return rows(
        conn,
        "SELECT p.method, SUM(a.amount_minor) AS amount FROM allocations a JOIN payments p ON p.payment_id = a.payment_id "
        "WHERE a.org_id = :org AND a.invoice_id = :inv AND a.kind IN ('payment', 'deposit') GROUP BY p.method "
        "HAVING SUM(a.amount_minor) > 0 ORDER BY p.method",
        org=org_id,
        inv=invoice_id,
    )


def deposit_left(conn: Connection, org_id: int, order_id: int) -> list[dict[str, Any]]:
    """Captured deposits of an order with what is not yet settled, refunded or charged as a fee."""
    return rows(
        conn,
        "SELECT p.payment_id, p.method, p.customer_id, p.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM allocations a "
        "WHERE a.org_id = p.org_id AND a.payment_id = p.payment_id), 0) - COALESCE((SELECT SUM(r.amount_minor) FROM payments r "
        "WHERE r.org_id = p.org_id AND r.refund_of = p.payment_id), 0) AS left_minor "
        "FROM payments p WHERE p.org_id = :org AND p.order_id = :order AND p.kind = 'deposit' AND p.status = 'captured' "
        "ORDER BY p.payment_id",
        org=org_id,
        order=order_id,
    )


def authorized_of_order(conn: Connection, org_id: int, order_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT * FROM payments WHERE org_id = :org AND order_id = :order AND status = 'authorized' "
        "ORDER BY payment_id",
        org=org_id,
        order=order_id,
    )


def allocations_of_payment(conn: Connection, org_id: int, payment_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT i.number_text, a.amount_minor FROM allocations a JOIN invoices i ON i.invoice_id = a.invoice_id "
        "WHERE a.org_id = :org AND a.payment_id = :p AND a.amount_minor > 0 ORDER BY a.allocation_id",
        org=org_id,
        p=payment_id,
    )


def customer_payments(conn: Connection, org_id: int, customer_id: int | None) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT p.payment_id, p.kind, p.method, p.amount_minor, p.paid_on, p.status, p.order_id, p.reference, c.name "
        "AS customer_name FROM payments p LEFT JOIN contacts c ON c.org_id = p.org_id AND c.contact_id = p.customer_id "
        "WHERE p.org_id = :org AND (CAST(:customer AS BIGINT) IS NULL OR p.customer_id = :customer) "
        "ORDER BY p.paid_on DESC, p.payment_id DESC",
        org=org_id,
        customer=customer_id,
    )


def ledger_balance(
    conn: Connection, org_id: int, customer_id: int, role: str, before: date | None = None
) -> int:
    return int(
        scalar(
            conn,
            "SELECT COALESCE(SUM(l.debit_minor - l.credit_minor), 0) FROM journal_lines l JOIN accounts a "
            "ON a.account_id = l.account_id JOIN journal_entries e ON e.entry_id = l.entry_id WHERE l.org_id = :org "
            "AND l.contact_id = :c AND a.role = :role AND (CAST(:before AS DATE) IS NULL OR e.entry_on < :before)",
            org=org_id,
            c=customer_id,
            role=role,
            before=before,
        )
    )


def aging_items(conn: Connection, org_id: int, as_of: date) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT t.*, c.name AS customer_name FROM (" + _OPEN + ") t LEFT JOIN contacts c ON c.org_id = :org "  # noqa: S608
        "AND c.contact_id = t.customer_id WHERE t.open_minor <> 0 ORDER BY c.name, t.issued_on",
        org=org_id,
        customer=None,
        as_of=as_of,
    )


def receivable_by_customer(conn: Connection, org_id: int, as_of: date) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT l.contact_id AS customer_id, SUM(l.debit_minor - l.credit_minor) AS balance FROM journal_lines l "
        "JOIN accounts a ON a.account_id = l.account_id JOIN journal_entries e ON e.entry_id = l.entry_id "
        "WHERE l.org_id = :org AND a.role = 'ar' AND e.entry_on <= :as_of GROUP BY l.contact_id",
        org=org_id,
        as_of=as_of,
    )
