"""SQL of the product catalogue and stock (quantity and value on hand, and every move)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.db.queries import allowed_columns, insert_returning, one, rows, run, scalar

PRODUCT_COLUMNS = ("sku", "name", "name_ar", "unit", "category", "price_minor", "price_includes_vat",
                   "vat_rate_bp", "vat_exempt", "cost_minor", "track_stock")  # fmt: skip


def insert_product(conn: Connection, org_id: int, values: dict[str, Any], at: datetime) -> int:
    allowed_columns(values, set(PRODUCT_COLUMNS))
    cols = ", ".join(values)
    params = ", ".join(f":{c}" for c in values)
    sql = f"INSERT INTO products (org_id, {cols}, created_at, updated_at) VALUES (:org_id, {params}, :at, :at) RETURNING product_id"  # noqa: S608 - names from PRODUCT_COLUMNS
    return insert_returning(conn, sql, org_id=org_id, at=at, **values)


def update_product(
    conn: Connection, org_id: int, product_id: int, values: dict[str, Any], at: datetime
) -> None:
    allowed_columns(values, set(PRODUCT_COLUMNS) - {"sku"})
    assignments = ", ".join(f"{c} = :{c}" for c in values)
    sql = f"UPDATE products SET {assignments}, updated_at = :at WHERE org_id = :org_id AND product_id = :product_id"  # noqa: S608 - names from PRODUCT_COLUMNS
    run(conn, sql, org_id=org_id, product_id=product_id, at=at, **values)


def product(conn: Connection, org_id: int, product_id: int) -> dict[str, Any] | None:
    return one(
        conn, "SELECT * FROM products WHERE org_id = :org AND product_id = :id", org=org_id, id=product_id
    )


def product_by_sku(conn: Connection, org_id: int, sku: str) -> dict[str, Any] | None:
    return one(conn, "SELECT * FROM products WHERE org_id = :org AND sku = :sku", org=org_id, sku=sku)


def list_products(
    conn: Connection, org_id: int, pattern: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT * FROM products WHERE org_id = :org AND (CAST(:p AS VARCHAR) IS NULL OR lower(sku) LIKE :p "
        "OR lower(name) LIKE :p OR lower(COALESCE(name_ar, '')) LIKE :p OR lower(COALESCE(category, '')) LIKE :p) "
        "ORDER BY sku LIMIT :limit OFFSET :offset",
        org=org_id,
        p=pattern,
        limit=limit,
        offset=offset,
    )


def count_products(conn: Connection, org_id: int, pattern: str | None) -> int:
    return int(
        scalar(
            conn,
            "SELECT count(*) FROM products WHERE org_id = :org AND (CAST(:p AS VARCHAR) IS NULL OR lower(sku) LIKE :p "
            "OR lower(name) LIKE :p OR lower(COALESCE(name_ar, '')) LIKE :p OR lower(COALESCE(category, '')) LIKE :p)",
            org=org_id,
            p=pattern,
        )
    )


def move_stock(
    conn: Connection,
    org_id: int,
    product_id: int,
    quantity: int,
    value_minor: int,
    on: date,
    source_type: str,
    source_id: object,
) -> None:
    """One move: the quantity and value on hand change together, and the move is kept."""
    run(
        conn,
        "UPDATE products SET stock_qty = stock_qty + :q, stock_value_minor = stock_value_minor + :v "
        "WHERE org_id = :org AND product_id = :id",
        q=quantity,
        v=value_minor,
        org=org_id,
        id=product_id,
    )
    run(
        conn,
        "INSERT INTO stock_moves (org_id, product_id, moved_on, quantity, value_minor, source_type, source_id) "
        "VALUES (:org, :id, :on, :q, :v, :st, :sid)",
        org=org_id,
        id=product_id,
        on=on,
        q=quantity,
        v=value_minor,
        st=source_type,
        sid=str(source_id),
    )


def stock_moves(conn: Connection, org_id: int, product_id: int, limit: int = 200) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT moved_on, quantity, value_minor, source_type, source_id FROM stock_moves "
        "WHERE org_id = :org AND product_id = :id ORDER BY move_id DESC LIMIT :limit",
        org=org_id,
        id=product_id,
        limit=limit,
    )


def negative_stock(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT sku, name, stock_qty FROM products WHERE org_id = :org AND track_stock AND stock_qty < 0 "
        "ORDER BY sku",
        org=org_id,
    )
