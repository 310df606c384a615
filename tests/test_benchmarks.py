"""The import benchmark's floor: it must write exactly the rows the import added, no fewer, or its figure flatters
the floor and the claim made from it (the goal is out of reach) would not hold."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from backoffice import imports as order_import
from backoffice.admin import orgs
from backoffice.core.context import Context, User
from backoffice.db import open_database
from benchmarks import bench_import


def _counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    found = {t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}  # noqa: S608
    con.close()
    return found


def test_the_floor_writes_every_row_the_import_added(tmp_path: Path) -> None:
    csv_path = tmp_path / "orders.csv"
    bench_import.generate(csv_path, 2_000)
    shop = tmp_path / "shop.duckdb"
    db = open_database(f"duckdb:///{shop}")
    org_id = orgs.setup(db, "Bench", "SAR", "15", country="SA")
    db.dispose()
    shutil.copy(shop, tmp_path / "before.duckdb")
    db = open_database(f"duckdb:///{shop}")
    first = order_import.import_file(
        Context(db, User.system("bench"), org_id), "Salla", csv_path.name, csv_path, batch_orders=200
    )
    db.dispose()
    assert first.new == 500 and first.posted > 0

    seconds, rows = bench_import.write_floor(tmp_path, 3)

    before, after, floor = (
        _counts(tmp_path / "before.duckdb"),
        _counts(shop),
        _counts(tmp_path / "floor.duckdb"),
    )
    grown = {t for t in after if after[t] > before[t]}
    assert {"orders", "order_lines", "invoices", "invoice_lines", "journal_lines", "stock_moves"} <= grown
    assert rows == sum(after[t] - before[t] for t in grown)
    assert {t: floor[t] for t in grown} == {t: after[t] for t in grown}
    assert seconds > 0


def test_the_writer_bench_runs_its_two_jobs_while_another_user_saves(monkeypatch) -> None:
    """Its figures are for `make bench`; here only that both jobs do what they claim (no timing asserted)."""
    from benchmarks import bench_writer

    monkeypatch.setattr(bench_writer, "CUSTOMERS", 300)
    monkeypatch.setattr(bench_writer, "RETURNS", 4)
    found = bench_writer.run()
    assert [r["name"] for r in found] == [
        "customer import of 300 rows",
        "store re-import turning 4 orders into returns",
    ]
    assert all(r["saves"] >= 1 for r in found)


def test_the_postgresql_import_bench_compares_the_same_file_on_both_engines(monkeypatch) -> None:
    """Its figures are for `make bench`; here only that it imports on both engines and reports the three ratios."""
    import pytest

    from benchmarks import bench_import_pg
    from tests.pgserver import find_pg_bin

    if find_pg_bin() is None:
        pytest.skip("PostgreSQL is not installed")
    monkeypatch.setattr(bench_import_pg, "LINES", 400)
    monkeypatch.setattr(bench_import_pg, "ROUNDS", 1)
    found = bench_import_pg.run()
    assert [r["name"] for r in found] == [
        "PG/DuckDB first import, 400 lines",
        "PG/DuckDB re-import, 400 lines",
        "PG 1,600 / 400 lines, first import",
    ]
    assert all(float(r["ratio"]) > 0 for r in found)
