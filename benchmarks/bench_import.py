"""Store import at scale: a generated 1,000,000-line generic CSV (~250k orders). Full import with posting, and a
second import of the same file (writes nothing), each as a ratio against DuckDB's own read_csv of the same file
into a table, in the same run (process start-up excluded from both). read_csv and the re-import are best of
three; the first import runs once.

Also measured, as a floor: read_csv plus writing the very rows the first import wrote, in tables of the same schema
(keys included), straight from memory with nothing computed — once in one transaction, and once in as many
transactions as the import used. No import that writes those rows can beat it."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from backoffice import imports as order_import
from backoffice.admin import orgs
from backoffice.core.context import Context, User
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
    shop = folder / "shop.duckdb"
    db = open_database(f"duckdb:///{shop}")
    org_id = orgs.setup(db, "Bench", "SAR", "15", country="SA", actor=User.system())
    db.dispose()
    shutil.copy(shop, folder / "before.duckdb")  # the books before the import: the floor's starting point
    db = open_database(f"duckdb:///{shop}")
    ctx = Context(db, User.system("bench"), org_id)
    start = time.perf_counter()
    first = order_import.import_file(ctx, "Salla", csv_path.name, csv_path)
    ours = time.perf_counter() - start
    db.dispose()
    batches = -(-first.new // order_import.batch_size())  # as the import split the file
    one, rows = write_floor(folder, 1)
    split, _ = write_floor(folder, batches)
    db = open_database(f"duckdb:///{shop}")
    ctx = Context(db, User.system("bench"), org_id)
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
    print(
        f"  floor: the import wrote {rows:,} rows; writing them alone took {one:.2f} s in one transaction, "
        f"{split:.2f} s in {batches} (the import's batches)"
    )
    return [
        report("import 1M lines with posting vs read_csv", ours, raw, goal=3.0),
        report("re-import of the same file vs read_csv", again, raw, goal=1.5),
        report("floor: read_csv + its rows, 1 transaction", raw + one, raw),
        report(f"floor: read_csv + its rows, {batches} transaction{'s' * (batches != 1)}", raw + split, raw),
    ]


def _new_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(table, query, rows) for each table to which the import (database `after`) added rows since the books before
    it (`main`). The query gives the added rows; a table whose rows were changed in place as well (stock levels,
    counters) is refused, since its added rows cannot be told from its changed ones."""
    found = []
    for (table,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'after' ORDER BY table_name"
    ).fetchall():
        added = con.execute(
            f'SELECT (SELECT count(*) FROM after."{table}") - (SELECT count(*) FROM main."{table}")'  # noqa: S608 - catalogue names
        ).fetchone()[0]
        if added <= 0:
            continue  # nothing added (a table of counters the import only changed)
        query = f'SELECT * FROM after."{table}" EXCEPT ALL SELECT * FROM main."{table}"'  # noqa: S608
        differ = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]  # noqa: S608
        assert differ == added, f"{table}: {added} rows added but {differ} differ: rows changed in place too"
        found.append((table, query, int(added)))
    return found


def write_floor(folder: Path, transactions: int) -> tuple[float, int]:
    """Seconds to write the rows the first import added into a copy of the books before it, from memory (read
    beforehand, untimed), in `transactions` transactions of equal shares, each committed (best of two); and how
    many rows that is."""
    best, rows = float("inf"), 0
    for _ in range(2):
        path = folder / "floor.duckdb"  # left in the folder: the books as the floor wrote them
        shutil.copy(folder / "before.duckdb", path)
        con = duckdb.connect(str(path))
        con.execute(f"ATTACH '{folder / 'shop.duckdb'}' AS after (READ_ONLY)")
        con.execute("ATTACH ':memory:' AS mem")
        tables = []
        rows = 0
        for table, query, added in _new_rows(con):
            rows += added
            # in key order, as the import wrote them (org and id lead each table), so batch k holds the k-th range
            con.execute(f'CREATE TABLE mem."{table}__" AS {query} ORDER BY ALL')
            con.execute(
                f'CREATE TABLE mem."{table}" AS SELECT *, ntile({int(transactions)}) OVER (ORDER BY rowid) AS part__ '  # noqa: S608
                f'FROM mem."{table}__" ORDER BY rowid'
            )
            con.execute(f'DROP TABLE mem."{table}__"')
            tables.append(table)
        con.execute("DETACH after")
        start = time.perf_counter()
        for part in range(1, transactions + 1):
            con.execute("BEGIN")
            for table in tables:
                con.execute(
                    f'INSERT INTO main."{table}" SELECT * EXCLUDE (part__) FROM mem."{table}" WHERE part__ = ?',  # noqa: S608
                    [part],
                )
            con.execute("COMMIT")
        best = min(best, time.perf_counter() - start)
        con.close()
    return best, rows
