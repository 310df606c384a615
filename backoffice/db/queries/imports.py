"""SQL of store imports in the main database (both engines): stores, the staged orders of one import,
the set-based upsert by (store, external order id), customers and products created from orders,
paid invoices from the store's payments, and the sync log. Nothing here loops over rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backoffice.core.enums import ImportStatus
from backoffice.db import bulk
from backoffice.db.queries import (
    aggregate,
    allowed_columns,
    analyze,
    draw_ids,
    insert_returning,
    one,
    rows,
    run,
    scalar,
)
from backoffice.db.queries.sales import ANALYZE_FROM


def store_by_name(conn: Connection, org_id: int, name: str) -> dict[str, Any] | None:
    return one(
        conn, "SELECT * FROM stores WHERE org_id = :org AND lower(name) = lower(:n)", org=org_id, n=name
    )


def store(conn: Connection, org_id: int, store_id: int) -> dict[str, Any] | None:
    return one(conn, "SELECT * FROM stores WHERE org_id = :org AND store_id = :id", org=org_id, id=store_id)


def stores(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    return rows(conn, "SELECT * FROM stores WHERE org_id = :org ORDER BY name", org=org_id)


def insert_store(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO stores (org_id, name, profile, auto_paid, default_customer, allow_negative_stock, linked_on, created_at) "
        "VALUES (:org_id, :name, :profile, :auto_paid, :default_customer, :allow_negative_stock, :linked_on, :created_at) "
        "RETURNING store_id",
        **values,
    )


STORE_OPTIONS = ("auto_paid", "default_customer", "allow_negative_stock", "profile", "default_customer_id", "unlinked_at",
                 "linked_on")  # fmt: skip


def update_store(conn: Connection, org_id: int, store_id: int, values: dict[str, Any]) -> None:
    allowed_columns(values, set(STORE_OPTIONS))
    assignments = ", ".join(f"{c} = :{c}" for c in values)
    sql = f"UPDATE stores SET {assignments} WHERE org_id = :org AND store_id = :id"  # noqa: S608 - names from STORE_OPTIONS
    run(conn, sql, org=org_id, id=store_id, **values)


def insert_import(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO imports (org_id, store_id, file_name, profile, status, created_by, started_at) "
        "VALUES (:org_id, :store_id, :file_name, :profile, 'running', :created_by, :started_at) RETURNING import_id",
        **values,
    )


def finish_import(
    conn: Connection, import_id: int, counts: dict[str, int], status: str, at: datetime
) -> None:
    run(
        conn,
        "UPDATE imports SET status = :s, new_orders = :new, changed_orders = :changed, unchanged_orders = :unchanged, "
        "error_orders = :errors, posted_orders = :posted, finished_at = :at WHERE import_id = :id",
        s=status,
        at=at,
        id=import_id,
        **{k: counts.get(k, 0) for k in ("new", "changed", "unchanged", "errors", "posted")},
    )


FINISHED = (
    ImportStatus.DONE,
    ImportStatus.DRY_RUN,
    ImportStatus.INTERRUPTED,
)  # an import's last status; any other ('running', 'batch 3 of 9') is
# that of one still writing, or of one whose process ended half way
_HOLD_KEY = 14_011  # PostgreSQL advisory locks: (this, import_id) is held by the process writing that import


def imports(conn: Connection, org_id: int, store_id: int | None, limit: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT i.import_id, s.name AS store, i.file_name, i.profile, i.status, i.new_orders, i.changed_orders, "
        "i.unchanged_orders, i.error_orders, i.posted_orders, i.started_at, i.finished_at FROM imports i "
        "JOIN stores s ON s.store_id = i.store_id WHERE i.org_id = :org "
        "AND (CAST(:store AS BIGINT) IS NULL OR i.store_id = :store) ORDER BY i.import_id DESC LIMIT :limit",
        org=org_id,
        store=store_id,
        limit=limit,
    )


def unfinished_imports(conn: Connection, org_id: int) -> list[int]:
    return [
        int(r["import_id"])
        for r in rows(
            conn,
            "SELECT import_id FROM imports WHERE org_id = :org AND status NOT IN ('done', 'dry run', 'interrupted')",
            org=org_id,
        )
    ]


def mark_interrupted(conn: Connection, import_ids: Sequence[int]) -> None:
    if import_ids:
        conn.execute(
            sa.text("UPDATE imports SET status = 'interrupted' WHERE import_id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": list(import_ids)},
        )


def hold_import(conn: Connection, import_id: int) -> None:
    """PostgreSQL: this connection's session holds the import's advisory lock until it closes (or its process ends),
    so another process can tell an import being written from one whose process is gone."""
    run(conn, "SELECT pg_advisory_lock(:key, :id)", key=_HOLD_KEY, id=import_id)


def let_go_import(conn: Connection, import_id: int) -> None:
    """PostgreSQL: the end of hold_import (a pooled connection's session outlives its return to the pool)."""
    scalar(conn, "SELECT pg_advisory_unlock(:key, :id)", key=_HOLD_KEY, id=import_id)


def import_held(conn: Connection, import_id: int) -> bool:
    """PostgreSQL: is some session (a process writing the import) holding its advisory lock?"""
    if scalar(conn, "SELECT pg_try_advisory_lock(:key, :id)", key=_HOLD_KEY, id=import_id):
        scalar(conn, "SELECT pg_advisory_unlock(:key, :id)", key=_HOLD_KEY, id=import_id)
        return False
    return True


_STAGING = ("import_orders", "import_lines", "import_payments", "import_stock")
_STAGING_DDL = (
    """CREATE TEMP TABLE import_orders (
        import_id BIGINT NOT NULL, org_id BIGINT NOT NULL, external_id VARCHAR NOT NULL, order_on DATE NOT NULL,
        status VARCHAR NOT NULL, currency VARCHAR NOT NULL, prices_include_vat BOOLEAN NOT NULL,
        customer_name VARCHAR, customer_email VARCHAR, customer_phone VARCHAR, customer_city VARCHAR,
        customer_country VARCHAR, customer_tax_id VARCHAR, customer_name_key VARCHAR, payment_method VARCHAR,
        paid_minor BIGINT, external_total_minor BIGINT, net_minor BIGINT NOT NULL, vat_minor BIGINT NOT NULL,
        total_minor BIGINT NOT NULL, rounding_rule VARCHAR NOT NULL DEFAULT 'line', first_row BIGINT NOT NULL, kind VARCHAR, customer_key VARCHAR, problem VARCHAR,
        order_id BIGINT, customer_id BIGINT, new_customer BOOLEAN NOT NULL DEFAULT FALSE, previous_status VARCHAR,
        is_return BOOLEAN NOT NULL DEFAULT FALSE, fingerprint BIGINT
    )""",
    """CREATE TEMP TABLE import_lines (
        import_id BIGINT NOT NULL, org_id BIGINT NOT NULL, external_id VARCHAR NOT NULL, line_no INTEGER NOT NULL,
        kind VARCHAR NOT NULL, sku VARCHAR, description VARCHAR NOT NULL, quantity BIGINT NOT NULL,
        unit_price_minor BIGINT NOT NULL, discount_minor BIGINT NOT NULL, vat_rate_bp INTEGER NOT NULL,
        vat_exempt BOOLEAN NOT NULL, price_includes_vat BOOLEAN, net_minor BIGINT NOT NULL, vat_minor BIGINT NOT NULL,
        gross_minor BIGINT NOT NULL
    )""",
    """CREATE TEMP TABLE import_payments (
        import_id BIGINT NOT NULL, org_id BIGINT NOT NULL, external_id VARCHAR NOT NULL, method VARCHAR NOT NULL,
        amount_minor BIGINT NOT NULL, paid_on DATE, seq BIGINT NOT NULL, payment_id BIGINT, entry_id BIGINT,
        invoice_id BIGINT, customer_id BIGINT, applied_minor BIGINT
    )""",
    "CREATE TEMP TABLE import_stock (sku VARCHAR NOT NULL, qty_change BIGINT NOT NULL, value_change BIGINT NOT NULL)",
)


def create_staging(conn: Connection) -> None:
    """The staged orders, lines and payments of one batch: temporary tables of this connection, so they never
    reach the database's log or file (at 1M lines that was 5 s of a first import) and vanish with a crash."""
    clear_staging(conn)
    for ddl in _STAGING_DDL:
        run(conn, ddl)


def stock_levels(conn: Connection, org_id: int) -> Any:
    """Every stock-tracked product's stock (sku, stock_qty, stock_value_minor) as an Arrow table."""
    return bulk.fetch_arrow(
        conn,
        "SELECT sku, stock_qty, stock_value_minor FROM products WHERE org_id = :org AND track_stock",
        org=org_id,
    )


def carry_stock(conn: Connection, org_id: int) -> None:
    """The products in import_stock move by its changes (what a preview's earlier, undone batches did to them)."""
    run(
        conn,
        "UPDATE products SET stock_qty = products.stock_qty + s.qty_change, "
        "stock_value_minor = products.stock_value_minor + s.value_change FROM import_stock s "
        "WHERE products.org_id = :org AND products.sku = s.sku",
        org=org_id,
    )


# The staged orders' columns that joins and filters use: PostgreSQL's statistics are taken of these only.
_ORDER_KEYS = ("import_id", "org_id", "external_id", "kind", "order_id", "customer_id", "customer_email",
               "customer_phone", "customer_key", "new_customer", "status", "previous_status", "is_return", "problem",
               "fingerprint")  # fmt: skip


def analyze_staging(conn: Connection) -> None:
    """PostgreSQL: statistics on the batch's staged orders, lines and payments once loaded (docs/decisions/0004)."""
    _analyze_orders(conn)
    analyze(conn, "import_lines", columns=("import_id", "org_id", "external_id", "kind", "sku"))
    analyze(conn, "import_payments", "import_stock")


def _analyze_orders(conn: Connection) -> None:
    analyze(conn, "import_orders", columns=_ORDER_KEYS)


def clear_staging(conn: Connection) -> None:
    for table in _STAGING:
        run(conn, f"DROP TABLE IF EXISTS {table}")  # noqa: S608 - our table names


def _update_from(conn: Connection, select: str, update: str, **params: Any) -> None:
    """An UPDATE of the staged rows from a join, done as the join into a temporary table `matched`, then the
    UPDATE from it: DuckDB updates ten times faster from a small temporary table than straight from a join with
    a table of the database (0.45 s → 0.04 s for 50,000 orders)."""
    run(conn, f"CREATE TEMP TABLE matched AS {select}", **params)  # noqa: S608 - our SQL
    try:
        run(conn, update, **params)
    finally:
        run(conn, "DROP TABLE matched")


def classify(conn: Connection, org_id: int, store_id: int, import_id: int) -> dict[str, int]:
    """new (no such order in this store), changed (its status moved on) or unchanged."""
    _update_from(
        conn,
        "SELECT io.external_id, o.order_id, o.status FROM import_orders io JOIN orders o ON o.org_id = :org "
        "AND o.store_id = :store AND o.external_id = io.external_id WHERE io.import_id = :imp",
        "UPDATE import_orders SET order_id = m.order_id, previous_status = m.status, "
        "kind = CASE WHEN m.status = import_orders.status OR (m.status IN ('invoiced', 'partially_returned') "
        "AND import_orders.status = 'fulfilled') THEN 'unchanged' ELSE 'changed' END "
        "FROM matched m WHERE import_orders.import_id = :imp AND import_orders.external_id = m.external_id",
        imp=import_id,
        org=org_id,
        store=store_id,
    )
    run(conn, "UPDATE import_orders SET kind = 'new' WHERE import_id = :imp AND kind IS NULL", imp=import_id)
    _analyze_orders(conn)  # its kinds decide every join that follows
    counts = rows(
        conn,
        "SELECT kind, count(*) AS n FROM import_orders WHERE import_id = :imp GROUP BY kind",
        imp=import_id,
    )
    return {r["kind"]: int(r["n"]) for r in counts}


def assign_customers(conn: Connection, org_id: int, import_id: int, default_customer_id: int | None) -> int:
    """Existing customers by email, then by phone (last nine digits); the rest are created. Returns how many new."""
    if default_customer_id is not None:
        run(
            conn,
            "UPDATE import_orders SET customer_id = :c WHERE import_id = :imp AND kind = 'new'",
            c=default_customer_id,
            imp=import_id,
        )
        return 0
    _update_from(
        conn,
        "SELECT io.external_id, min(e.contact_id) AS contact_id FROM import_orders io JOIN contact_emails e "
        "ON e.org_id = :org AND e.email = io.customer_email WHERE io.import_id = :imp AND io.kind = 'new' "
        "GROUP BY io.external_id",
        "UPDATE import_orders SET customer_id = m.contact_id FROM matched m WHERE import_orders.import_id = :imp "
        "AND import_orders.external_id = m.external_id",
        org=org_id,
        imp=import_id,
    )
    _update_from(
        conn,
        "SELECT io.external_id, min(c.contact_id) AS contact_id FROM import_orders io JOIN contacts c "
        "ON c.org_id = :org AND c.phone IS NOT NULL "
        "AND right(regexp_replace(c.phone, '[^0-9]', '', 'g'), 9) = right(regexp_replace(io.customer_phone, '[^0-9]', '', 'g'), 9) "
        "WHERE io.import_id = :imp AND io.kind = 'new' AND io.customer_id IS NULL AND io.customer_phone IS NOT NULL "
        "GROUP BY io.external_id",
        "UPDATE import_orders SET customer_id = m.contact_id FROM matched m WHERE import_orders.import_id = :imp "
        "AND import_orders.external_id = m.external_id",
        org=org_id,
        imp=import_id,
    )
    # one new contact per customer key across the batch: the distinct keys first, in file order, then an id each
    run(
        conn,
        "CREATE TEMP TABLE new_customers AS SELECT customer_key, row_number() OVER (ORDER BY min(first_row)) AS n "
        "FROM import_orders WHERE import_id = :imp AND kind = 'new' AND customer_id IS NULL AND customer_key IS NOT NULL "
        "AND customer_key <> 'name:' GROUP BY customer_key",
        imp=import_id,
    )
    draw_ids(conn, "new_customers", {"customer_id": "contact_id_seq"})
    run(
        conn,
        "UPDATE import_orders SET customer_id = k.customer_id, new_customer = TRUE FROM new_customers k "
        "WHERE import_orders.import_id = :imp AND import_orders.kind = 'new' AND import_orders.customer_id IS NULL "
        "AND import_orders.customer_key = k.customer_key",
        imp=import_id,
    )
    run(conn, "DROP TABLE new_customers")
    run(
        conn,
        """
        INSERT INTO contacts (contact_id, org_id, role, name, city, country, emails, phone, tax_id, name_key, search_text,
                              tax_id_key, payment_terms_days, created_at, updated_at)
        SELECT DISTINCT ON (customer_id) customer_id, org_id, 'customer',
               COALESCE(customer_name, customer_email, customer_phone, 'Store customer'), customer_city,
               CASE WHEN length(customer_country) = 2 THEN customer_country END, customer_email,
               CASE WHEN customer_phone LIKE '+%' THEN '+' || regexp_replace(customer_phone, '[^0-9]', '', 'g') END,
               customer_tax_id, COALESCE(customer_name_key, ''),
               COALESCE(customer_name_key, '') || ' | ' || COALESCE(customer_email, '') || ' | '
                   || regexp_replace(COALESCE(customer_phone, ''), '[^0-9]', '', 'g'),
               customer_tax_id, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
        FROM import_orders WHERE import_id = :imp AND new_customer ORDER BY customer_id, first_row
        """,
        imp=import_id,
    )
    run(
        conn,
        "INSERT INTO contact_emails (org_id, contact_id, email) SELECT DISTINCT org_id, customer_id, customer_email "
        "FROM import_orders WHERE import_id = :imp AND new_customer AND customer_email IS NOT NULL "
        "ON CONFLICT DO NOTHING",
        imp=import_id,
    )
    return int(
        scalar(
            conn,
            "SELECT count(DISTINCT customer_id) FROM import_orders WHERE import_id = :imp AND new_customer",
            imp=import_id,
        )
    )


def create_products(conn: Connection, org_id: int, import_id: int) -> int:
    """Products unknown by SKU are created from their first line (price as sold, cost 0)."""
    before = int(scalar(conn, "SELECT count(*) FROM products WHERE org_id = :org", org=org_id))
    run(
        conn,
        """
        INSERT INTO products (org_id, sku, name, unit, price_minor, price_includes_vat, vat_rate_bp, vat_exempt,
                              cost_minor, track_stock, stock_qty, stock_value_minor, created_at, updated_at)
        SELECT DISTINCT ON (l.sku) :org, l.sku, l.description, 'pcs', l.unit_price_minor, o.prices_include_vat, NULL,
               l.vat_exempt, 0, TRUE, 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
        FROM import_lines l JOIN import_orders o ON o.import_id = l.import_id AND o.external_id = l.external_id
        WHERE l.import_id = :imp AND o.kind = 'new' AND l.sku IS NOT NULL AND l.kind = 'goods'
          AND NOT EXISTS (SELECT 1 FROM products p WHERE p.org_id = :org AND p.sku = l.sku)
        ORDER BY l.sku, o.first_row, l.line_no
        """,
        org=org_id,
        imp=import_id,
    )
    return int(scalar(conn, "SELECT count(*) FROM products WHERE org_id = :org", org=org_id)) - before


def insert_orders(
    conn: Connection, org_id: int, store_id: int, import_id: int, currency: str, actor: str, at: datetime
) -> None:
    run(
        conn,
        "UPDATE import_orders SET order_id = nextval('order_id_seq') WHERE import_id = :imp AND kind = 'new'",
        imp=import_id,
    )
    _analyze_orders(conn)
    run(
        conn,
        "INSERT INTO orders (order_id, org_id, customer_id, status, order_on, currency, prices_include_vat, rounding_rule, "
        "source, store_id, external_id, external_total_minor, net_minor, vat_minor, total_minor, created_at, updated_at) "
        "SELECT order_id, org_id, customer_id, status, order_on, :cur, prices_include_vat, rounding_rule, 'import', :store, "
        "external_id, external_total_minor, net_minor, vat_minor, total_minor, :at, :at FROM import_orders "
        "WHERE import_id = :imp AND kind = 'new'",
        imp=import_id,
        store=store_id,
        cur=currency,
        at=at,
    )
    run(
        conn,
        "INSERT INTO order_lines (org_id, order_id, line_no, kind, product_id, sku, description, quantity, unit_price_minor, "
        "discount_minor, vat_rate_bp, vat_exempt, price_includes_vat, net_minor, vat_minor, gross_minor) "
        "SELECT l.org_id, o.order_id, l.line_no, l.kind, p.product_id, l.sku, l.description, l.quantity, l.unit_price_minor, "
        "l.discount_minor, l.vat_rate_bp, l.vat_exempt, l.price_includes_vat, l.net_minor, l.vat_minor, l.gross_minor "
        "FROM import_lines l JOIN import_orders o ON o.import_id = l.import_id AND o.external_id = l.external_id "
        "LEFT JOIN products p ON p.org_id = l.org_id AND p.sku = l.sku AND l.kind = 'goods' "
        "WHERE l.import_id = :imp AND o.kind = 'new'",
        imp=import_id,
    )
    run(
        conn,
        "INSERT INTO order_events (org_id, order_id, from_status, to_status, note, actor, created_at) "
        "SELECT org_id, order_id, NULL, status, 'imported', :actor, :at FROM import_orders WHERE import_id = :imp AND kind = 'new'",
        imp=import_id,
        actor=actor,
        at=at,
    )


def advance_changed(conn: Connection, import_id: int, actor: str, at: datetime) -> None:
    """Orders not yet invoiced follow the store's new status (to completed, pending or cancelled)."""
    run(
        conn,
        "INSERT INTO order_events (org_id, order_id, from_status, to_status, note, actor, created_at) "
        "SELECT org_id, order_id, previous_status, status, 'status changed in the store', :actor, :at FROM import_orders "
        "WHERE import_id = :imp AND kind = 'changed' AND previous_status IN ('draft', 'confirmed', 'fulfilled') "
        "AND status IN ('confirmed', 'fulfilled', 'cancelled')",
        imp=import_id,
        actor=actor,
        at=at,
    )
    run(
        conn,
        "UPDATE orders SET status = io.status, updated_at = :at FROM import_orders io WHERE io.import_id = :imp "
        "AND io.kind = 'changed' AND orders.order_id = io.order_id AND io.previous_status IN ('draft', 'confirmed', 'fulfilled') "
        "AND io.status IN ('confirmed', 'fulfilled', 'cancelled')",
        imp=import_id,
        at=at,
    )


def new_returns(conn: Connection, import_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT order_id, order_on, payment_method, total_minor FROM import_orders WHERE import_id = :imp "
        "AND kind = 'new' AND is_return ORDER BY order_on, first_row",
        imp=import_id,
    )


def returns_to_credit(conn: Connection, import_id: int) -> list[dict[str, Any]]:
    """Invoiced orders the store now calls returned or cancelled: they get a credit note (in file order). The import
    credits them set-based (import_returns); this list is the per-order path's, which a test holds it to."""
    return rows(
        conn,
        "SELECT io.order_id, io.external_id, i.number_text FROM import_orders io JOIN invoices i "
        "ON i.org_id = io.org_id AND i.order_invoice_key = io.order_id WHERE io.import_id = :imp AND io.kind = 'changed' "
        "AND io.previous_status = 'invoiced' AND io.status IN ('returned', 'cancelled') ORDER BY io.first_row",
        imp=import_id,
    )


def record_paid(
    conn: Connection,
    org_id: int,
    import_id: int,
    batch_id: int,
    accounts: dict[str, int],
    user_id: int | None,
    at: datetime,
) -> int:
    """Paid invoices (SPEC O6a): each store payment of the invoiced orders of this batch is recorded, allocated to
    its invoice up to what is open (the rest is held as the customer's credit) and posted, set-based."""
    run(
        conn,
        "INSERT INTO payment_methods (org_id, code, name, account_role) SELECT DISTINCT :org, method, method, 'card_clearing' "
        "FROM import_payments WHERE import_id = :imp ON CONFLICT DO NOTHING",
        org=org_id,
        imp=import_id,
    )
    # what each payment row pays of its invoice: the order's rows before it first (a window, not a subquery per
    # row); its payment and entry ids drawn for the rows in file order
    run(
        conn,
        """
        CREATE TEMP TABLE paid_rows AS
        SELECT p.external_id, p.seq, i.invoice_id, i.customer_id,
               CAST(GREATEST(0, LEAST(p.amount_minor, i.total_minor - COALESCE(SUM(p.amount_minor) OVER (
                   PARTITION BY p.external_id ORDER BY p.seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)))
                   AS BIGINT) AS applied_minor,
               row_number() OVER (ORDER BY io.first_row, p.seq) AS n
        FROM import_payments p JOIN import_orders io ON io.import_id = p.import_id AND io.external_id = p.external_id
        JOIN invoices i ON i.org_id = io.org_id AND i.order_invoice_key = io.order_id
        WHERE p.import_id = :imp AND i.batch_id = :batch AND p.amount_minor > 0
        """,
        imp=import_id,
        batch=batch_id,
    )
    draw_ids(conn, "paid_rows", {"payment_id": "payment_id_seq", "entry_id": "entry_id_seq"})
    run(
        conn,
        "UPDATE import_payments SET invoice_id = k.invoice_id, customer_id = k.customer_id, payment_id = k.payment_id, "
        "entry_id = k.entry_id, applied_minor = k.applied_minor FROM paid_rows k WHERE import_payments.import_id = :imp "
        "AND import_payments.external_id = k.external_id AND import_payments.seq = k.seq",
        imp=import_id,
    )
    run(conn, "DROP TABLE paid_rows")
    analyze(conn, "import_payments")
    run(
        conn,
        "INSERT INTO payments (payment_id, org_id, customer_id, kind, method, amount_minor, paid_on, status, invoice_id, "
        "reference, entry_id, batch_id, created_by, created_at) SELECT p.payment_id, p.org_id, p.customer_id, 'payment', "
        "p.method, p.amount_minor, COALESCE(p.paid_on, i.issued_on), 'captured', NULL, 'store', p.entry_id, :batch, :user, :at "
        "FROM import_payments p JOIN invoices i ON i.invoice_id = p.invoice_id WHERE p.import_id = :imp AND p.payment_id IS NOT NULL",
        imp=import_id,
        batch=batch_id,
        user=user_id,
        at=at,
    )
    run(
        conn,
        "INSERT INTO allocations (org_id, payment_id, kind, invoice_id, amount_minor, allocated_on, entry_id, created_at) "
        "SELECT p.org_id, p.payment_id, 'payment', p.invoice_id, p.applied_minor, COALESCE(p.paid_on, i.issued_on), p.entry_id, :at "
        "FROM import_payments p JOIN invoices i ON i.invoice_id = p.invoice_id WHERE p.import_id = :imp "
        "AND p.payment_id IS NOT NULL AND p.applied_minor > 0",
        imp=import_id,
        at=at,
    )
    run(
        conn,
        "INSERT INTO journal_entries (entry_id, org_id, entry_on, memo, source_type, source_id, created_by, created_at) "
        "SELECT p.entry_id, p.org_id, COALESCE(p.paid_on, i.issued_on), 'Payment received (' || p.method || ')', 'payment', "
        "CAST(p.payment_id AS VARCHAR), :user, :at FROM import_payments p JOIN invoices i ON i.invoice_id = p.invoice_id "
        "WHERE p.import_id = :imp AND p.payment_id IS NOT NULL",
        imp=import_id,
        user=user_id,
        at=at,
    )
    run(
        conn,
        """
        INSERT INTO journal_lines (org_id, entry_id, line_no, account_id, contact_id, debit_minor, credit_minor)
        SELECT p.org_id, p.entry_id, 1, a.account_id, NULL, p.amount_minor, 0 FROM import_payments p
            JOIN payment_methods m ON m.org_id = p.org_id AND m.code = p.method
            JOIN accounts a ON a.org_id = p.org_id AND a.role = m.account_role
            WHERE p.import_id = :imp AND p.payment_id IS NOT NULL
        UNION ALL SELECT org_id, entry_id, 2, :ar, customer_id, 0, applied_minor FROM import_payments
            WHERE import_id = :imp AND payment_id IS NOT NULL AND applied_minor > 0
        UNION ALL SELECT org_id, entry_id, 3, :adv, customer_id, 0, amount_minor - applied_minor FROM import_payments
            WHERE import_id = :imp AND payment_id IS NOT NULL AND amount_minor > applied_minor
        """,
        imp=import_id,
        ar=accounts["ar"],
        adv=accounts["customer_advances"],
    )
    return int(
        scalar(
            conn,
            "SELECT count(*) FROM import_payments WHERE import_id = :imp AND payment_id IS NOT NULL",
            imp=import_id,
        )
    )


def write_sync_log(
    conn: Connection,
    org_id: int,
    store_id: int,
    import_id: int,
    file_name: str,
    actor: str,
    batch_id: int | None,
    at: datetime,
) -> None:
    run(
        conn,
        "INSERT INTO sync_log (org_id, store_id, external_id, order_id, import_id, result, reason, file_name, actor, created_at) "
        "SELECT io.org_id, :store, io.external_id, io.order_id, :imp, "
        "CASE WHEN io.problem IS NOT NULL THEN 'failed' WHEN i.batch_id = :batch OR (io.is_return AND io.kind = 'new') "
        "THEN 'posted' "
        "WHEN io.kind = 'new' THEN 'created' WHEN io.kind = 'changed' THEN 'updated' ELSE 'unchanged' END, "
        "CASE WHEN io.problem IS NOT NULL THEN io.problem WHEN i.batch_id = :batch "
        "THEN 'invoice ' || i.number_text WHEN io.is_return AND io.kind = 'new' THEN 'a return: credit note' WHEN io.kind = 'changed' THEN 'status ' || io.previous_status || ' → ' || io.status "
        "WHEN io.status IN ('confirmed') THEN 'kept unposted until the store completes it' END, :file, :actor, :at "
        "FROM import_orders io LEFT JOIN invoices i ON i.org_id = io.org_id AND i.order_invoice_key = io.order_id "
        "WHERE io.import_id = :imp",
        store=store_id,
        imp=import_id,
        file=file_name,
        actor=actor,
        at=at,
        batch=batch_id if batch_id is not None else -1,
    )


def write_manual_post_log(
    conn: Connection, org_id: int, store_id: int, batch_id: int | None, actor: str, at: datetime
) -> None:
    if batch_id is None:
        return
    run(
        conn,
        "INSERT INTO sync_log (org_id, store_id, external_id, order_id, import_id, result, reason, file_name, actor, created_at) "
        "SELECT o.org_id, :store, o.external_id, o.order_id, NULL, 'posted', 'posted by hand: invoice ' || i.number_text, "
        "NULL, :actor, :at FROM invoices i JOIN orders o ON o.order_id = i.order_invoice_key WHERE i.batch_id = :batch "
        "AND o.org_id = :org",
        store=store_id,
        actor=actor,
        at=at,
        batch=batch_id,
        org=org_id,
    )


def known_fingerprints(conn: Connection, org_id: int, store_id: int) -> Any:
    """The store's orders as the last import left them (pyarrow: external_id, order_id, fingerprint), only those
    whose status is still the one recorded then (an order changed in the app since goes the full way)."""
    return bulk.fetch_arrow(
        conn,
        "SELECT f.external_id, f.order_id, f.fingerprint FROM import_fingerprints f JOIN orders o "
        "ON o.org_id = f.org_id AND o.order_id = f.order_id AND o.status = f.order_status "
        "WHERE f.org_id = :org AND f.store_id = :store",
        org=org_id,
        store=store_id,
    )


def invoiced_orders(conn: Connection, org_id: int, store_id: int) -> Any:
    """The store's orders that are invoiced in the books (pyarrow: external_id): a return of one is credited."""
    return bulk.fetch_arrow(
        conn,
        "SELECT external_id FROM orders WHERE org_id = :org AND store_id = :store AND status = 'invoiced'",
        org=org_id,
        store=store_id,
    )


def save_fingerprints(conn: Connection, org_id: int, store_id: int, import_id: int) -> None:
    """Record the fingerprint and final status of every good order of this import (replacing older ones)."""
    run(
        conn,
        "DELETE FROM import_fingerprints WHERE org_id = :org AND store_id = :store AND external_id IN "
        "(SELECT external_id FROM import_orders WHERE import_id = :imp AND problem IS NULL AND fingerprint IS NOT NULL)",
        org=org_id,
        store=store_id,
        imp=import_id,
    )
    run(
        conn,
        "INSERT INTO import_fingerprints (org_id, store_id, external_id, order_id, fingerprint, order_status) "
        "SELECT io.org_id, :store, io.external_id, o.order_id, io.fingerprint, o.status FROM import_orders io "
        "JOIN orders o ON o.org_id = io.org_id AND o.store_id = :store AND o.external_id = io.external_id "
        "WHERE io.import_id = :imp AND io.problem IS NULL AND io.fingerprint IS NOT NULL",
        store=store_id,
        imp=import_id,
    )


def analyze_written(conn: Connection, new_orders: int) -> None:
    """PostgreSQL, after a batch of many new orders (sales.ANALYZE_FROM or more): fresh statistics of the store's
    orders and fingerprints, which the next batch and the next import join (a re-import right after an import of
    25,000 orders took 18 s reading its fingerprints by nested loops over statistics of empty tables, 0.2 s with
    these). The lock ANALYZE takes is held only until this batch commits, a moment later."""
    if new_orders >= ANALYZE_FROM:
        analyze(conn, "orders", "import_fingerprints")


def counts(conn: Connection, import_id: int) -> dict[str, int]:
    found = aggregate(
        conn,
        "SELECT count(*) FILTER (WHERE kind = 'new' AND problem IS NULL) AS new, "
        "count(*) FILTER (WHERE kind = 'changed') AS changed, count(*) FILTER (WHERE kind = 'unchanged') AS unchanged, "
        "count(*) FILTER (WHERE problem IS NOT NULL) AS errors FROM import_orders WHERE import_id = :imp",
        imp=import_id,
    )
    posted = scalar(
        conn, "SELECT count(*) FROM sync_log WHERE import_id = :imp AND result = 'posted'", imp=import_id
    )
    return {k: int(v or 0) for k, v in found.items()} | {"posted": int(posted or 0)}


def sync_log(
    conn: Connection,
    org_id: int,
    store_id: int | None,
    external_id: str | None,
    failed_only: bool,
    limit: int,
) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT l.created_at, s.name AS store, l.external_id, l.order_id, l.result, l.reason, l.file_name, l.actor "
        "FROM sync_log l JOIN stores s ON s.store_id = l.store_id WHERE l.org_id = :org "
        "AND (CAST(:store AS BIGINT) IS NULL OR l.store_id = :store) AND (CAST(:ext AS VARCHAR) IS NULL OR l.external_id = :ext) "
        "AND (NOT :failed OR l.result = 'failed') ORDER BY l.sync_id DESC LIMIT :limit",
        org=org_id,
        store=store_id,
        ext=external_id,
        failed=failed_only,
        limit=limit,
    )


def orders_by_external(
    conn: Connection, org_id: int, store_id: int, external_ids: list[str]
) -> list[dict[str, Any]]:
    stmt = sa.text(
        "SELECT order_id, external_id, status FROM orders WHERE org_id = :org AND store_id = :store "
        "AND external_id IN :ids"
    ).bindparams(sa.bindparam("ids", expanding=True))
    return [
        dict(r)
        for r in conn.execute(stmt, {"org": org_id, "store": store_id, "ids": external_ids}).mappings()
    ]


def save_profile(conn: Connection, org_id: int, name: str, mapping_json: str, at: datetime) -> None:
    run(conn, "DELETE FROM import_profiles WHERE org_id = :org AND name = :n", org=org_id, n=name)
    run(
        conn,
        "INSERT INTO import_profiles VALUES (:org, :n, :m, :at)",
        org=org_id,
        n=name,
        m=mapping_json,
        at=at,
    )


def profile(conn: Connection, org_id: int, name: str) -> str | None:
    return scalar(
        conn, "SELECT mapping_json FROM import_profiles WHERE org_id = :org AND name = :n", org=org_id, n=name
    )


def profiles(conn: Connection, org_id: int) -> list[str]:
    return [
        r["name"]
        for r in rows(conn, "SELECT name FROM import_profiles WHERE org_id = :org ORDER BY name", org=org_id)
    ]
