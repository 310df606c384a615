"""Issuing and posting 100,000 invoices in bulk (the set-based path store imports use) against a raw DuckDB
insert of the same rows (invoices, their lines, journal entries and lines, stock moves) in the same run."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from backoffice.admin import orgs
from backoffice.catalog import products
from backoffice.core.context import Context, User
from backoffice.db import now, open_database
from backoffice.sales import invoices
from benchmarks.common import report

ORDERS = 100_000
LINES_PER_ORDER = 2
TABLES = ("invoices", "invoice_lines", "journal_entries", "journal_lines", "stock_moves")


def _orders(raw, org_id: int, product_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    """100k confirmed orders with two lines each, written the way an import stages them (ids given: the
    benchmark's database holds no other orders)."""
    at = now()
    raw.execute(
        "INSERT INTO orders (order_id, org_id, customer_id, status, order_on, currency, prices_include_vat, rounding_rule, "
        "source, net_minor, vat_minor, total_minor, created_at, updated_at) "
        "SELECT i, ?, NULL, 'confirmed', DATE '2026-01-01' + CAST(i % 300 AS INTEGER), 'SAR', FALSE, 'line', 'import', "
        "4000, 600, 4600, ?, ? FROM range(1, ? + 1) t(i)",
        [org_id, at, at, ORDERS],
    )
    raw.execute(
        "INSERT INTO order_lines (org_id, order_id, line_no, kind, product_id, sku, description, quantity, unit_price_minor, "
        "discount_minor, vat_rate_bp, vat_exempt, net_minor, vat_minor, gross_minor) "
        "SELECT ?, o.i, l.n, 'goods', list_extract(?, 1 + (o.i + l.n) % 50), 'SKU', 'Item', 2, 1000, 0, 1500, FALSE, "
        "2000, 300, 2300 FROM range(1, ? + 1) o(i), range(1, ? + 1) l(n)",
        [org_id, product_ids, ORDERS, LINES_PER_ORDER],
    )


def run() -> list[dict[str, object]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-invoicing-"))
    db = open_database(f"duckdb:///{folder / 'bench.duckdb'}")
    org_id = orgs.setup(db, "Bench", "SAR", "15", actor=User.system())
    ctx = Context(db, User.system("bench"), org_id)
    product_ids = []
    for n in range(50):
        product_id = products.save_product(
            ctx, {"sku": f"P{n}", "name": f"Product {n}", "price": "10", "cost": "4"}
        )
        products.receive_stock(ctx, product_id, 1_000_000)
        product_ids.append(product_id)
    with db.write() as conn:
        _orders(conn.connection.dbapi_connection, org_id, product_ids)
    start = time.perf_counter()
    summary = invoices.invoice_ready_orders(ctx)
    ours = time.perf_counter() - start
    assert summary["invoices"] == ORDERS, summary
    with db.write() as conn:
        for table in TABLES:
            conn.exec_driver_sql(f"CREATE TABLE raw_{table} AS SELECT * FROM {table} WHERE false")  # noqa: S608 - names from TABLES
    start = time.perf_counter()
    with db.write() as conn:  # the same rows, copied as they are, committed: the raw cost of writing them
        for table in TABLES:
            conn.exec_driver_sql(f"INSERT INTO raw_{table} SELECT * FROM {table}")  # noqa: S608 - names from TABLES
    plain = time.perf_counter() - start
    db.dispose()
    print(f"  {ORDERS:,} invoices, {ORDERS * LINES_PER_ORDER:,} lines: {ORDERS / ours:,.0f} invoices/s")
    return [report("issue + post 100k invoices (set-based)", ours, plain)]
