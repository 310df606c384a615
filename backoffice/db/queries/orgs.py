"""SQL of organizations and their tax rates."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.db.queries import allowed_columns, insert_returning, one, rows, run, scalar, the

# Settings a user may change; also the allow-list of column names for update_org.
SETTING_COLUMNS = (
    "name", "legal_name", "address", "city", "postal_code", "country", "tax_number", "phone", "email",
    "currency", "language", "business_type", "brand_color", "logo", "logo_mime", "invoice_footer",
    "rounding_rule", "rounding_mode", "calendar", "native_digits", "allow_negative_stock", "shipping_taxable", "deposit_percent_bp", "cancellation_fee_bp",
)  # fmt: skip


def insert_org(conn: Connection, **values: Any) -> int:
    cols = ", ".join(values)
    params = ", ".join(f":{c}" for c in values)
    allowed_columns(values, set(SETTING_COLUMNS) | {"created_at"})
    return insert_returning(
        conn,
        f"INSERT INTO organizations ({cols}) VALUES ({params}) RETURNING org_id",  # noqa: S608 - names from SETTING_COLUMNS
        **values,
    )


def update_org(conn: Connection, org_id: int, values: dict[str, Any]) -> None:
    allowed_columns(values, set(SETTING_COLUMNS))
    assignments = ", ".join(f"{c} = :{c}" for c in values)
    sql = f"UPDATE organizations SET {assignments} WHERE org_id = :org_id"  # noqa: S608 - names from SETTING_COLUMNS
    run(conn, sql, org_id=org_id, **values)


def org_by_id(conn: Connection, org_id: int) -> dict[str, Any] | None:
    return one(conn, "SELECT * FROM organizations WHERE org_id = :id", id=org_id)


def the_org(conn: Connection, org_id: int) -> dict[str, Any]:
    """The organization a Context names (it exists: the Context was made from it)."""
    return the(
        conn, "SELECT * FROM organizations WHERE org_id = :id", f"No organization #{org_id}.", id=org_id
    )


def org_by_name(conn: Connection, name: str) -> dict[str, Any] | None:
    return one(conn, "SELECT * FROM organizations WHERE lower(name) = lower(:name)", name=name)


def all_orgs(conn: Connection) -> list[dict[str, Any]]:
    return rows(conn, "SELECT org_id, name, currency, country FROM organizations ORDER BY name")


def count_orgs(conn: Connection) -> int:
    return int(scalar(conn, "SELECT count(*) FROM organizations"))


def insert_tax_rate(conn: Connection, **values: Any) -> None:
    run(
        conn,
        "INSERT INTO tax_rates (org_id, code, name, rate_bp, valid_from) VALUES (:org_id, :code, :name, :rate_bp, :valid_from)",
        **values,
    )


def tax_rates(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT code, name, rate_bp, valid_from FROM tax_rates WHERE org_id = :org ORDER BY code, valid_from",
        org=org_id,
    )


def tax_rate_on(conn: Connection, org_id: int, code: str, on: date) -> int | None:
    return scalar(
        conn,
        "SELECT rate_bp FROM tax_rates WHERE org_id = :org AND code = :code AND valid_from <= :on "
        "ORDER BY valid_from DESC LIMIT 1",
        org=org_id,
        code=code,
        on=on,
    )


def journal_is_empty(conn: Connection, org_id: int) -> bool:
    return scalar(conn, "SELECT count(*) FROM journal_entries WHERE org_id = :org", org=org_id) == 0


def has_documents(conn: Connection, org_id: int) -> bool:
    """Whether the organization has any order, invoice or credit note, payment or journal entry."""
    return bool(
        scalar(
            conn,
            "SELECT EXISTS (SELECT 1 FROM orders WHERE org_id = :org) OR EXISTS (SELECT 1 FROM invoices WHERE "
            "org_id = :org) OR EXISTS (SELECT 1 FROM payments WHERE org_id = :org) OR EXISTS (SELECT 1 FROM "
            "journal_entries WHERE org_id = :org)",
            org=org_id,
        )
    )


def document_currencies(conn: Connection, org_id: int) -> set[str]:
    """The currencies the organization's orders, invoices and credit notes are in."""
    return {
        r["currency"]
        for r in rows(
            conn,
            "SELECT DISTINCT currency FROM orders WHERE org_id = :org UNION "
            "SELECT DISTINCT currency FROM invoices WHERE org_id = :org",
            org=org_id,
        )
    }


def delete_chart(conn: Connection, org_id: int) -> None:
    run(conn, "DELETE FROM accounts WHERE org_id = :org", org=org_id)
