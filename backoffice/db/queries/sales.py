"""SQL of orders, their lines and history, document counters, invoices and credit notes — including the
set-based path that issues and posts the invoices of many orders at once (manual orders use it for one).

Integer division differs: DuckDB writes `//`, PostgreSQL `/` on integers; both truncate toward zero,
and every amount divided here is non-negative. `int_div` picks the operator.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backoffice.db.queries import aggregate, analyze, insert_returning, one, rows, run, scalar


def int_div(conn: Connection) -> str:
    return "//" if conn.dialect.name == "duckdb" else "/"


# ---------------------------------------------------------------- orders


def insert_order(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO orders (org_id, customer_id, status, order_on, currency, prices_include_vat, rounding_rule, notes, "
        "source, store_id, external_id, external_total_minor, net_minor, vat_minor, total_minor, created_at, updated_at) "
        "VALUES (:org_id, :customer_id, :status, :order_on, :currency, :prices_include_vat, :rounding_rule, :notes, "
        ":source, :store_id, :external_id, :external_total_minor, :net_minor, :vat_minor, :total_minor, :at, :at) "
        "RETURNING order_id",
        **values,
    )


def insert_order_line(conn: Connection, **values: Any) -> None:
    run(
        conn,
        "INSERT INTO order_lines (org_id, order_id, line_no, kind, product_id, sku, description, quantity, "
        "unit_price_minor, discount_minor, vat_rate_bp, vat_exempt, price_includes_vat, net_minor, vat_minor, "
        "gross_minor) VALUES (:org_id, :order_id, :line_no, :kind, :product_id, :sku, :description, :quantity, "
        ":unit_price_minor, :discount_minor, :vat_rate_bp, :vat_exempt, :price_includes_vat, :net_minor, :vat_minor, "
        ":gross_minor)",
        **values,
    )


def orders_not_of_org(conn: Connection, org_id: int, order_ids: list[int]) -> list[int]:
    """Those of the ids that are no order of the organization (set-based: one query for any number)."""
    stmt = sa.text("SELECT order_id FROM orders WHERE org_id = :org AND order_id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True)
    )
    found = {r[0] for r in conn.execute(stmt, {"org": org_id, "ids": list(order_ids)})}
    return [i for i in order_ids if i not in found]


def order(conn: Connection, org_id: int, order_id: int) -> dict[str, Any] | None:
    return one(
        conn,
        "SELECT o.*, c.name AS customer_name FROM orders o LEFT JOIN contacts c ON c.contact_id = o.customer_id "
        "AND c.org_id = o.org_id WHERE o.org_id = :org AND o.order_id = :id",
        org=org_id,
        id=order_id,
    )


def order_lines(conn: Connection, org_id: int, order_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT * FROM order_lines WHERE org_id = :org AND order_id = :id ORDER BY line_no",
        org=org_id,
        id=order_id,
    )


def set_status(conn: Connection, org_id: int, order_id: int, status: str, at: datetime) -> None:
    run(
        conn,
        "UPDATE orders SET status = :s, updated_at = :at WHERE org_id = :org AND order_id = :id",
        s=status,
        at=at,
        org=org_id,
        id=order_id,
    )


def insert_event(conn: Connection, **values: Any) -> None:
    run(
        conn,
        "INSERT INTO order_events (org_id, order_id, from_status, to_status, note, actor, created_at) "
        "VALUES (:org_id, :order_id, :from_status, :to_status, :note, :actor, :created_at)",
        **values,
    )


def events(conn: Connection, org_id: int, order_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT from_status, to_status, note, actor, created_at FROM order_events "
        "WHERE org_id = :org AND order_id = :id ORDER BY event_id",
        org=org_id,
        id=order_id,
    )


def list_orders(
    conn: Connection, org_id: int, status: str | None, customer_id: int | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT o.order_id, o.order_on, o.status, o.customer_id, c.name AS customer_name, o.total_minor, o.currency, "
        "o.source, "
        "o.external_id, i.number_text AS invoice_number FROM orders o "
        "LEFT JOIN contacts c ON c.contact_id = o.customer_id AND c.org_id = o.org_id "
        "LEFT JOIN invoices i ON i.org_id = o.org_id AND i.order_invoice_key = o.order_id "
        "WHERE o.org_id = :org AND (CAST(:status AS VARCHAR) IS NULL OR o.status = :status) "
        "AND (CAST(:customer AS BIGINT) IS NULL OR o.customer_id = :customer) "
        "ORDER BY o.order_on DESC, o.order_id DESC LIMIT :limit OFFSET :offset",
        org=org_id,
        status=status,
        customer=customer_id,
        limit=limit,
        offset=offset,
    )


def count_orders(conn: Connection, org_id: int, status: str | None, customer_id: int | None) -> int:
    return int(
        scalar(
            conn,
            "SELECT count(*) FROM orders o WHERE o.org_id = :org AND (CAST(:status AS VARCHAR) IS NULL OR o.status = :status) "
            "AND (CAST(:customer AS BIGINT) IS NULL OR o.customer_id = :customer)",
            org=org_id,
            status=status,
            customer=customer_id,
        )
    )


# ---------------------------------------------------------------- counters


def take_numbers(conn: Connection, org_id: int, series: str, count: int) -> int:
    """Reserve `count` consecutive numbers in the caller's transaction; returns the first. Gap-free:
    a rolled-back transaction gives its numbers back."""
    run(
        conn,
        "INSERT INTO document_counters (org_id, series, next_number) VALUES (:org, :s, 1) ON CONFLICT DO NOTHING",
        org=org_id,
        s=series,
    )
    after = scalar(
        conn,
        "UPDATE document_counters SET next_number = next_number + :n WHERE org_id = :org AND series = :s "
        "RETURNING next_number",  # DuckDB cannot bind a parameter inside RETURNING
        n=count,
        org=org_id,
        s=series,
    )
    return int(after) - count


# ---------------------------------------------------------------- the set-based invoicing path


# A batch of at least this many orders refreshes PostgreSQL's statistics of batch_orders once staged and of invoices
# once its invoices are in (ANALYZE; DuckDB needs nothing): the statements after them pick the batch out by its
# batch_id, a value the statistics have never seen, so the planner would count one row and join the rest by nested
# loops (a store import of 25,000 orders spent 54 s crossing the products with the batch's invoices). A smaller batch
# (an order invoiced by hand) is too small for a bad plan to cost much, and leaves the tables' locks alone: ANALYZE
# holds a lock that another ANALYZE of the same table waits for until this transaction ends.
ANALYZE_FROM = 1_000


def stage_batch(
    conn: Connection,
    org_id: int,
    order_id: int | None,
    store_id: int | None,
    statuses: tuple[str, ...] = ("confirmed", "fulfilled"),
    order_ids: list[int] | None = None,
) -> tuple[int, int]:
    """Collect orders without an invoice (in these statuses; of one order, one store or a list) into batch_orders;
    returns (batch_id, how many)."""
    batch_id = int(scalar(conn, "SELECT nextval('batch_id_seq')"))
    stmt = sa.text(
        "INSERT INTO batch_orders (batch_id, org_id, order_id, seq) "  # noqa: S608 - constant pieces only
        "SELECT :batch, o.org_id, o.order_id, row_number() OVER (ORDER BY o.order_on, o.order_id) FROM orders o "
        "WHERE o.org_id = :org AND o.status IN :statuses "
        "AND (CAST(:order_id AS BIGINT) IS NULL OR o.order_id = :order_id) "
        "AND (CAST(:store_id AS BIGINT) IS NULL OR o.store_id = :store_id) "
        + ("AND o.order_id IN :ids " if order_ids is not None else "")
        + "AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.org_id = o.org_id AND i.order_invoice_key = o.order_id)"
    ).bindparams(sa.bindparam("statuses", expanding=True))
    params: dict[str, Any] = {
        "batch": batch_id,
        "org": org_id,
        "order_id": order_id,
        "store_id": store_id,
        "statuses": list(statuses),
    }
    if order_ids is not None:
        stmt = stmt.bindparams(sa.bindparam("ids", expanding=True))
        params["ids"] = order_ids or [-1]
    conn.execute(stmt, params)
    count = int(scalar(conn, "SELECT count(*) FROM batch_orders WHERE batch_id = :b", b=batch_id))
    if count >= ANALYZE_FROM:
        analyze(conn, "batch_orders")
    return batch_id, count


def stock_shortages(conn: Connection, batch_id: int) -> list[dict[str, Any]]:
    """Products this batch would take below zero."""
    return rows(
        conn,
        "SELECT p.sku, p.stock_qty, d.qty AS needed FROM (SELECT l.org_id, l.product_id, SUM(l.quantity) AS qty "
        "FROM batch_orders b JOIN order_lines l ON l.org_id = b.org_id AND l.order_id = b.order_id "
        "WHERE b.batch_id = :b AND l.product_id IS NOT NULL GROUP BY l.org_id, l.product_id) d "
        "JOIN products p ON p.org_id = d.org_id AND p.product_id = d.product_id "
        "WHERE p.track_stock AND p.stock_qty - d.qty < 0 ORDER BY p.sku",
        b=batch_id,
    )


def insert_batch_invoices(
    conn: Connection,
    batch_id: int,
    first_number: int,
    issued_on: date | None,
    user_id: int | None,
    at: datetime,
    count: int,
) -> None:
    """One invoice per staged order (`count` of them): numbers in order-date order, totals summed from the order's
    lines."""
    run(
        conn,
        """
        INSERT INTO invoices (org_id, kind, series, number, number_text, order_id, order_invoice_key, customer_id,
            issued_on, due_on, currency, prices_include_vat, goods_net_minor, shipping_net_minor, net_minor, vat_minor,
            total_minor, batch_id, entry_id, cogs_entry_id, created_by, created_at)
        SELECT o.org_id, 'invoice', 'INV', :first + b.seq - 1, 'INV-' || lpad(CAST(:first + b.seq - 1 AS VARCHAR), 6, '0'),
            o.order_id, o.order_id, o.customer_id,
            COALESCE(CAST(:issued_on AS DATE), o.order_on),
            COALESCE(CAST(:issued_on AS DATE), o.order_on) + CAST(COALESCE(c.payment_terms_days, 0) AS INTEGER),
            o.currency, o.prices_include_vat, t.goods_net, t.shipping_net, t.net, t.vat, t.net + t.vat,
            :batch, nextval('entry_id_seq'), nextval('entry_id_seq'), :user, :at
        FROM batch_orders b
        JOIN orders o ON o.org_id = b.org_id AND o.order_id = b.order_id
        LEFT JOIN contacts c ON c.org_id = o.org_id AND c.contact_id = o.customer_id
        JOIN (SELECT l.org_id, l.order_id,
                     SUM(CASE WHEN l.kind = 'goods' THEN l.net_minor ELSE 0 END) AS goods_net,
                     SUM(CASE WHEN l.kind = 'shipping' THEN l.net_minor ELSE 0 END) AS shipping_net,
                     SUM(l.net_minor) AS net, SUM(l.vat_minor) AS vat
              FROM batch_orders bb JOIN order_lines l ON l.org_id = bb.org_id AND l.order_id = bb.order_id
              WHERE bb.batch_id = :batch GROUP BY l.org_id, l.order_id) t
          ON t.org_id = o.org_id AND t.order_id = o.order_id
        WHERE b.batch_id = :batch
        """,
        batch=batch_id,
        first=first_number,
        issued_on=issued_on,
        user=user_id,
        at=at,
    )
    if count >= ANALYZE_FROM:
        analyze(conn, "invoices")


def insert_batch_invoice_lines(conn: Connection, batch_id: int) -> None:
    """Copy each order line to its invoice with its cost of goods at the product's average cost before the batch."""
    div = int_div(conn)
    run(
        conn,
        f"""
        INSERT INTO invoice_lines (org_id, invoice_id, line_no, kind, product_id, sku, description, quantity,
            unit_price_minor, discount_minor, vat_rate_bp, vat_exempt, price_includes_vat, net_minor, vat_minor,
            gross_minor, cogs_minor)
        SELECT l.org_id, i.invoice_id, l.line_no, l.kind, l.product_id, l.sku, l.description, l.quantity,
            l.unit_price_minor, l.discount_minor, l.vat_rate_bp, l.vat_exempt, l.price_includes_vat, l.net_minor,
            l.vat_minor, l.gross_minor,
            CASE WHEN p.product_id IS NULL OR NOT p.track_stock THEN 0
                 WHEN p.stock_qty <= 0 OR p.stock_value_minor <= 0 THEN l.quantity * p.cost_minor
                 ELSE (2 * p.stock_value_minor * l.quantity + p.stock_qty) {div} (2 * p.stock_qty) END
        FROM invoices i
        JOIN order_lines l ON l.org_id = i.org_id AND l.order_id = i.order_id
        LEFT JOIN products p ON p.org_id = l.org_id AND p.product_id = l.product_id
        WHERE i.batch_id = :batch
        """,  # noqa: S608 - the operator comes from int_div, not from input
        batch=batch_id,
    )
    # A batch that sells exactly what is on hand takes exactly the value on hand: the rounding rest goes to
    # the product's last line in the batch, so stock value never lingers on zero quantity.
    run(
        conn,
        """
        UPDATE invoice_lines SET cogs_minor = invoice_lines.cogs_minor + r.rest
        FROM (SELECT d.last_line, p.stock_value_minor - d.cogs AS rest
              FROM (SELECT il.org_id, il.product_id, SUM(il.quantity) AS qty, SUM(il.cogs_minor) AS cogs,
                           MAX(il.invoice_line_id) AS last_line
                    FROM invoice_lines il JOIN invoices i ON i.org_id = il.org_id AND i.invoice_id = il.invoice_id
                    WHERE i.batch_id = :batch AND il.product_id IS NOT NULL GROUP BY il.org_id, il.product_id) d
              JOIN products p ON p.org_id = d.org_id AND p.product_id = d.product_id
              WHERE p.track_stock AND p.stock_qty > 0 AND p.stock_value_minor > 0 AND d.qty = p.stock_qty) r
        WHERE invoice_lines.invoice_line_id = r.last_line
        """,
        batch=batch_id,
    )
    run(
        conn,
        "UPDATE invoices SET cogs_minor = t.cogs FROM (SELECT il.invoice_id, SUM(il.cogs_minor) AS cogs "
        "FROM invoice_lines il JOIN invoices i ON i.org_id = il.org_id AND i.invoice_id = il.invoice_id WHERE i.batch_id = :batch "
        "GROUP BY il.invoice_id) t WHERE invoices.invoice_id = t.invoice_id",
        batch=batch_id,
    )


def move_batch_stock(conn: Connection, batch_id: int) -> None:
    run(
        conn,
        "INSERT INTO stock_moves (org_id, product_id, moved_on, quantity, value_minor, source_type, source_id) "
        "SELECT il.org_id, il.product_id, i.issued_on, -il.quantity, -il.cogs_minor, 'invoice', i.number_text "
        "FROM invoice_lines il JOIN invoices i ON i.org_id = il.org_id AND i.invoice_id = il.invoice_id "
        "JOIN products p ON p.org_id = il.org_id AND p.product_id = il.product_id "
        "WHERE i.batch_id = :batch AND p.track_stock",
        batch=batch_id,
    )
    run(
        conn,
        "UPDATE products SET stock_qty = products.stock_qty - d.qty, stock_value_minor = products.stock_value_minor - d.cogs "
        "FROM (SELECT il.org_id, il.product_id, SUM(il.quantity) AS qty, SUM(il.cogs_minor) AS cogs "
        "FROM invoice_lines il JOIN invoices i ON i.org_id = il.org_id AND i.invoice_id = il.invoice_id WHERE i.batch_id = :batch "
        "AND il.product_id IS NOT NULL GROUP BY il.org_id, il.product_id) d "
        "WHERE products.org_id = d.org_id AND products.product_id = d.product_id AND products.track_stock",
        batch=batch_id,
    )


def post_batch(
    conn: Connection, batch_id: int, accounts: dict[str, int], user_id: int | None, at: datetime
) -> None:
    """The posting rules of an issued invoice, for the whole batch at once:
    Dr receivable (total) / Cr sales (goods net), Cr shipping income, Cr VAT payable; and for goods from stock
    Dr cost of goods sold / Cr inventory at average cost."""
    run(
        conn,
        "INSERT INTO journal_entries (entry_id, org_id, entry_on, memo, source_type, source_id, created_by, created_at) "
        "SELECT entry_id, org_id, issued_on, 'Invoice ' || number_text, 'invoice', number_text, CAST(:user AS BIGINT), :at "
        "FROM invoices WHERE batch_id = :batch AND total_minor > 0 "
        "UNION ALL SELECT cogs_entry_id, org_id, issued_on, 'Cost of goods sold, ' || number_text, 'stock_out', "
        "number_text, CAST(:user AS BIGINT), :at FROM invoices WHERE batch_id = :batch AND cogs_minor > 0",
        batch=batch_id,
        user=user_id,
        at=at,
    )
    run(
        conn,
        """
        INSERT INTO journal_lines (org_id, entry_id, line_no, account_id, contact_id, debit_minor, credit_minor)
        SELECT org_id, entry_id, 1, :ar, customer_id, total_minor, 0 FROM invoices WHERE batch_id = :batch AND total_minor > 0
        UNION ALL SELECT org_id, entry_id, 2, :sales, NULL, 0, goods_net_minor FROM invoices
            WHERE batch_id = :batch AND goods_net_minor > 0
        UNION ALL SELECT org_id, entry_id, 3, :shipping, NULL, 0, shipping_net_minor FROM invoices
            WHERE batch_id = :batch AND shipping_net_minor > 0
        UNION ALL SELECT org_id, entry_id, 4, :vat, NULL, 0, vat_minor FROM invoices WHERE batch_id = :batch AND vat_minor > 0
        UNION ALL SELECT org_id, cogs_entry_id, 1, :cogs, NULL, cogs_minor, 0 FROM invoices
            WHERE batch_id = :batch AND cogs_minor > 0
        UNION ALL SELECT org_id, cogs_entry_id, 2, :inventory, NULL, 0, cogs_minor FROM invoices
            WHERE batch_id = :batch AND cogs_minor > 0
        """,
        batch=batch_id,
        ar=accounts["ar"],
        sales=accounts["sales"],
        shipping=accounts["shipping_income"],
        vat=accounts["vat_payable"],
        cogs=accounts["cogs"],
        inventory=accounts["inventory"],
    )


def batch_orders_with_deposits(conn: Connection, batch_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT DISTINCT b.order_id, i.issued_on FROM batch_orders b JOIN payments p ON p.org_id = b.org_id "
        "AND p.order_id = b.order_id AND p.kind = 'deposit' AND p.status = 'captured' "
        "JOIN invoices i ON i.org_id = b.org_id AND i.order_invoice_key = b.order_id WHERE b.batch_id = :batch",
        batch=batch_id,
    )


def close_batch(conn: Connection, batch_id: int, actor: str, at: datetime) -> None:
    run(
        conn,
        "INSERT INTO order_events (org_id, order_id, from_status, to_status, note, actor, created_at) "
        "SELECT o.org_id, o.order_id, o.status, 'invoiced', 'Invoice ' || i.number_text, :actor, :at "
        "FROM batch_orders b JOIN orders o ON o.org_id = b.org_id AND o.order_id = b.order_id "
        "JOIN invoices i ON i.org_id = o.org_id AND i.order_invoice_key = o.order_id WHERE b.batch_id = :batch",
        batch=batch_id,
        actor=actor,
        at=at,
    )
    run(
        conn,
        "UPDATE orders SET status = 'invoiced', updated_at = :at FROM batch_orders b "
        "WHERE b.batch_id = :batch AND orders.org_id = b.org_id AND orders.order_id = b.order_id",
        batch=batch_id,
        at=at,
    )
    run(conn, "DELETE FROM batch_orders WHERE batch_id = :batch", batch=batch_id)


def batch_summary(conn: Connection, batch_id: int) -> dict[str, Any]:
    found = aggregate(
        conn,
        "SELECT count(*) AS invoices, min(number_text) AS first, max(number_text) AS last, "
        "COALESCE(SUM(total_minor), 0) AS total_minor FROM invoices WHERE batch_id = :batch",
        batch=batch_id,
    )
    return found


# ---------------------------------------------------------------- invoices and credit notes


def invoice_by_number(conn: Connection, org_id: int, number_text: str) -> dict[str, Any] | None:
    return one(
        conn,
        "SELECT i.*, c.name AS customer_name, c.tax_id AS customer_tax_id FROM invoices i "
        "LEFT JOIN contacts c ON c.org_id = i.org_id AND c.contact_id = i.customer_id "
        "WHERE i.org_id = :org AND i.number_text = :n",
        org=org_id,
        n=number_text,
    )


def invoice_for_order(conn: Connection, org_id: int, order_id: int) -> dict[str, Any] | None:
    return one(
        conn,
        "SELECT * FROM invoices WHERE org_id = :org AND order_invoice_key = :id",
        org=org_id,
        id=order_id,
    )


def invoice_lines(conn: Connection, org_id: int, invoice_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT * FROM invoice_lines WHERE org_id = :org AND invoice_id = :id ORDER BY line_no",
        org=org_id,
        id=invoice_id,
    )


def credited_so_far(conn: Connection, org_id: int, invoice_id: int) -> list[dict[str, Any]]:
    """Per invoice line: what earlier credit notes already took back."""
    return rows(
        conn,
        "SELECT cl.corrects_line_id, SUM(cl.quantity) AS quantity, SUM(cl.net_minor) AS net_minor, "
        "SUM(cl.vat_minor) AS vat_minor, SUM(cl.cogs_minor) AS cogs_minor FROM invoice_lines cl "
        "JOIN invoices c ON c.invoice_id = cl.invoice_id WHERE c.org_id = :org AND c.corrects_invoice_id = :id "
        "GROUP BY cl.corrects_line_id",
        org=org_id,
        id=invoice_id,
    )


def insert_credit_note(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO invoices (org_id, kind, series, number, number_text, order_id, customer_id, corrects_invoice_id, "
        "issued_on, due_on, currency, prices_include_vat, goods_net_minor, shipping_net_minor, net_minor, vat_minor, "
        "total_minor, cogs_minor, reason, entry_id, created_by, created_at) VALUES (:org_id, 'credit_note', 'CN', "
        ":number, :number_text, :order_id, :customer_id, :corrects_invoice_id, :issued_on, :issued_on, :currency, "
        ":prices_include_vat, :goods_net_minor, :shipping_net_minor, :net_minor, :vat_minor, :total_minor, "
        ":cogs_minor, :reason, :entry_id, :created_by, :created_at) RETURNING invoice_id",
        **values,
    )


def insert_invoice_line(conn: Connection, **values: Any) -> None:
    run(
        conn,
        "INSERT INTO invoice_lines (org_id, invoice_id, line_no, kind, product_id, sku, description, quantity, "
        "unit_price_minor, discount_minor, vat_rate_bp, vat_exempt, price_includes_vat, net_minor, vat_minor, "
        "gross_minor, cogs_minor, corrects_line_id) VALUES (:org_id, :invoice_id, :line_no, :kind, :product_id, :sku, "
        ":description, :quantity, :unit_price_minor, :discount_minor, :vat_rate_bp, :vat_exempt, :price_includes_vat, "
        ":net_minor, :vat_minor, :gross_minor, :cogs_minor, :corrects_line_id)",
        **values,
    )


def list_invoices(
    conn: Connection, org_id: int, kind: str | None, customer_id: int | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT i.invoice_id, i.kind, i.number_text, i.issued_on, i.due_on, i.customer_id, c.name AS customer_name, "
        "i.net_minor, i.vat_minor, i.total_minor, i.currency, i.order_id FROM invoices i "
        "LEFT JOIN contacts c ON c.org_id = i.org_id AND c.contact_id = i.customer_id WHERE i.org_id = :org "
        "AND (CAST(:kind AS VARCHAR) IS NULL OR i.kind = :kind) AND (CAST(:customer AS BIGINT) IS NULL OR i.customer_id = :customer) "
        "ORDER BY i.issued_on DESC, i.invoice_id DESC LIMIT :limit OFFSET :offset",
        org=org_id,
        kind=kind,
        customer=customer_id,
        limit=limit,
        offset=offset,
    )


def count_invoices(conn: Connection, org_id: int, kind: str | None, customer_id: int | None) -> int:
    return int(
        scalar(
            conn,
            "SELECT count(*) FROM invoices i WHERE i.org_id = :org AND (CAST(:kind AS VARCHAR) IS NULL OR i.kind = :kind) "
            "AND (CAST(:customer AS BIGINT) IS NULL OR i.customer_id = :customer)",
            org=org_id,
            kind=kind,
            customer=customer_id,
        )
    )


def accounts_by_role(conn: Connection, org_id: int) -> dict[str, int]:
    return {
        r["role"]: int(r["account_id"])
        for r in rows(
            conn, "SELECT role, account_id FROM accounts WHERE org_id = :org AND role IS NOT NULL", org=org_id
        )
    }
