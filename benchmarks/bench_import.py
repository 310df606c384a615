"""Store import at scale: a generated 1,000,000-line generic CSV (~250k orders). Full import with posting, and a
second import of the same file (writes nothing), each as a ratio against DuckDB's own read_csv of the same file
into a table, in the same run (process start-up excluded from both). read_csv and the re-import are best of
three; the first import runs once."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import duckdb

from backoffice import order_import, orgs
from backoffice.context import Context, User
from backoffice.db import open_database
from benchmarks.common import report

LINES = int(os.environ.get("BENCH_IMPORT_LINES", "1000000"))


def generate(path: Path, lines: int) -> None:
    """One row per order line, four lines an order, order-level values repeated on every line."""
    con = duckdb.connect()
    con.execute(f"""
        COPY (
            SELECT 'S-' || (i // 4) AS order_id,
                   strftime(DATE '2025-01-01' + CAST((i // 4) % 365 AS INTEGER), '%Y-%m-%d') || ' 10:00:00' AS order_date,
                   CASE WHEN (i // 4) % 20 = 0 THEN 'payment_pending' WHEN (i // 4) % 50 = 1 THEN 'canceled'
                        ELSE 'completed' END AS status,
                   'SAR' AS currency, 'Customer ' || ((i // 4) % 50000) AS customer_name,
                   'c' || ((i // 4) % 50000) || '@example.com' AS customer_email, NULL AS customer_phone,
                   'Riyadh' AS customer_city, 'SA' AS customer_country, NULL AS customer_tax_id,
                   'SKU-' || (i * 7 % 500) AS sku, 'Product ' || (i * 7 % 500) AS product_name,
                   1 + i % 3 AS quantity, CAST(10 + (i * 13 % 9000) / 100.0 AS DECIMAL(10, 2)) AS unit_price,
                   0 AS line_discount, 15 AS vat_rate, 'true' AS prices_include_vat,
                   CASE WHEN i % 4 = 0 THEN 25 ELSE NULL END AS shipping, 0 AS order_discount,
                   CASE WHEN i % 2 = 0 THEN 'mada' ELSE 'cash' END AS payment_method, NULL AS paid_amount
            FROM range({lines}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')
    """)  # noqa: S608 - our own generator
    con.close()


def run() -> list[dict[str, object]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    csv_path = folder / "orders.csv"
    generate(csv_path, LINES)
    size = csv_path.stat().st_size
    raws = []
    for n in range(3):  # best of three, into a new file each time
        raw_db = duckdb.connect(str(folder / f"raw{n}.duckdb"))
        start = time.perf_counter()
        raw_db.execute(
            "CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar = true, header = true)", [str(csv_path)]
        )
        raws.append(time.perf_counter() - start)
        raw_db.close()
    raw = min(raws)
    db = open_database(f"duckdb:///{folder / 'shop.duckdb'}")
    org_id = orgs.setup(db, "Bench", "SAR", "15", country="SA")
    ctx = Context(db, User.system("bench"), org_id)
    start = time.perf_counter()
    first = order_import.import_file(ctx, "Salla", csv_path.name, csv_path)
    ours = time.perf_counter() - start
    agains = []
    for _ in range(3):  # best of three: each writes nothing but its sync-log rows
        start = time.perf_counter()
        second = order_import.import_file(ctx, "Salla", csv_path.name, csv_path)
        agains.append(time.perf_counter() - start)
        assert (second.new, second.changed, second.posted, second.unchanged) == (0, 0, 0, first.new)
    again = min(agains)
    db.dispose()
    print(
        f"  {LINES:,} lines ({size / 1e6:.0f} MB), {first.new:,} orders, {first.posted:,} posted, "
        f"{first.payments:,} payments; read_csv {raw:.2f} s, import {ours:.2f} s, re-import {again:.2f} s"
    )
    return [
        report("import 1M lines with posting vs read_csv", ours, raw, goal=3.0),
        report("re-import of the same file vs read_csv", again, raw, goal=1.5),
    ]
