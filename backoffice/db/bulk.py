"""Bulk writes behind one function: an Arrow table into a table of the main database, inside the caller's
transaction — Arrow scan + INSERT … SELECT on DuckDB, COPY on PostgreSQL (DESIGN.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

TABLES = ("import_orders", "import_lines", "import_payments")  # the only tables bulk-loaded


def load_arrow(conn: Connection, table: str, data: Any) -> int:
    """Append the rows of `data` (a pyarrow.Table whose column names are the table's) to `table`."""
    assert table in TABLES, "bulk loading is for the import staging tables"
    if data.num_rows == 0:
        return 0
    raw = conn.connection.dbapi_connection
    assert raw is not None
    columns = ", ".join(data.column_names)
    if conn.dialect.name == "duckdb":
        raw.register("bulk_source", data)
        try:
            raw.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM bulk_source")  # noqa: S608 - names from Arrow/our tables
        finally:
            raw.unregister("bulk_source")
        return int(data.num_rows)
    cursor = raw.cursor()
    try:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for batch in data.to_batches(max_chunksize=50_000):
                for row in zip(*(col.to_pylist() for col in batch.columns), strict=True):
                    copy.write_row(row)
    finally:
        cursor.close()
    return int(data.num_rows)
