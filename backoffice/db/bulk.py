"""Bulk moves behind two functions: an Arrow table into a table of the main database, inside the caller's
transaction — Arrow scan + INSERT … SELECT on DuckDB, COPY on PostgreSQL (docs/architecture.md) — and a query's result as
an Arrow table (DuckDB's own Arrow export; rows through the driver on PostgreSQL)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

TABLES = (
    "import_orders",
    "import_lines",
    "import_payments",
    "import_stock",
    "sync_log",
    "outbox",
    "contacts",
    "contact_emails",
    "contact_categories",
    "contact_field_values",
    "audit_log",
)  # the only tables bulk-loaded


def _raw(conn: Connection) -> Any:
    """The driver's own connection under SQLAlchemy's (DuckDB's, for Arrow scans)."""
    raw = conn.connection.dbapi_connection
    if raw is None:
        raise RuntimeError("the connection is closed")
    return raw


def load_arrow(conn: Connection, table: str, data: Any) -> int:
    """Append the rows of `data` (a pyarrow.Table whose column names are the table's) to `table`."""
    if table not in TABLES:
        raise ValueError(f"bulk loading is for the import staging tables, not {table}")
    if data.num_rows == 0:
        return 0
    raw = _raw(conn)
    columns = ", ".join(data.column_names)
    if conn.dialect.name == "duckdb":
        _settle(raw)
        raw.register("bulk_source", data)
        try:
            raw.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM bulk_source")  # noqa: S608 - names from Arrow/our tables
        finally:
            raw.unregister("bulk_source")
        return int(data.num_rows)
    cursor = raw.cursor()
    try:
        if _csv_types(
            data.schema
        ):  # as CSV written by Arrow in C: a tenth of the time of a Python row at a time
            import pyarrow as pa
            import pyarrow.csv as pa_csv

            options = pa_csv.WriteOptions(include_header=False)  # strings quoted, nulls bare: NULL stays NULL
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
                for batch in data.to_batches(max_chunksize=50_000):
                    out = pa.BufferOutputStream()
                    pa_csv.write_csv(batch, out, write_options=options)
                    copy.write(out.getvalue().to_pybytes())
        else:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for batch in data.to_batches(max_chunksize=50_000):
                    for row in zip(*(col.to_pylist() for col in batch.columns), strict=True):
                        copy.write_row(row)
    finally:
        cursor.close()
    return int(data.num_rows)


def _csv_types(schema: Any) -> bool:
    """Whether every column is of a type Arrow writes as CSV the way PostgreSQL's COPY reads it (text, numbers,
    booleans, dates, timestamps without a zone); bytes and nested values go row by row."""
    import pyarrow.types as t

    return all(
        t.is_string(f.type)
        or t.is_large_string(f.type)
        or t.is_integer(f.type)
        or t.is_floating(f.type)
        or t.is_boolean(f.type)
        or t.is_date(f.type)
        or (t.is_timestamp(f.type) and f.type.tz is None)  # with a zone: as psycopg converts it, row by row
        or t.is_decimal(f.type)
        or t.is_null(f.type)
        for f in schema
    )


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], values: Sequence[Sequence[Any]], chunk: int = 50
) -> int:
    """Insert rows of Python values (bytes, str, numbers, datetimes) in the caller's transaction: multi-row
    INSERTs with positional parameters on DuckDB's own connection (SQLAlchemy's bind handling of thousands of
    parameters costs more than the insert), executemany on PostgreSQL."""
    if table not in TABLES:
        raise ValueError(f"bulk loading is for the tables listed in TABLES, not {table}")
    if not values:
        return 0
    names = ", ".join(columns)
    if conn.dialect.name == "duckdb":
        raw = _raw(conn)
        _settle(raw)
        row = "(" + ", ".join("?" * len(columns)) + ")"
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([row] * len(part))  # noqa: S608 - our names
            raw.execute(sql, [v for r in part for v in r])
        return len(values)
    binds = ", ".join(f":{c}" for c in columns)
    conn.execute(
        sa.text(f"INSERT INTO {table} ({names}) VALUES ({binds})"),  # noqa: S608 - our names
        [dict(zip(columns, r, strict=True)) for r in values],
    )
    return len(values)


def insert_values(
    conn: Connection, table: str, columns: Sequence[str], values: Sequence[Sequence[Any]]
) -> int:
    """Many rows of plain Python values (numbers, str, None, datetimes) in the caller's transaction, as one Arrow
    table through load_arrow: a single scan on DuckDB (its bound parameters cost ~0.5 ms a row), COPY on PostgreSQL."""
    import pyarrow as pa

    if not values:
        return 0
    data = pa.table({name: pa.array([r[i] for r in values]) for i, name in enumerate(columns)})
    return load_arrow(conn, table, data)


def fetch_arrow(conn: Connection, sql: str, **params: Any) -> Any:
    """The result of `sql` (bound `:name` parameters) as a pyarrow.Table, in the caller's transaction. On PostgreSQL
    the driver's own cursor fetches the rows (psycopg builds them in C; SQLAlchemy's row objects took most of the
    time: 250,000 fingerprints 0.96 s that way)."""
    import pyarrow as pa

    raw = _raw(conn)
    if conn.dialect.name == "duckdb":
        _settle(raw)
        with warnings.catch_warnings():  # sql() would need the connection free of results: execute() it is
            warnings.simplefilter("ignore", UserWarning)
            return raw.execute(re.sub(r"(?<!:):(\w+)", r"$\1", sql), params).to_arrow_table()
    cursor = raw.cursor()
    try:
        cursor.execute(re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql), params)
        names = [d.name for d in cursor.description]
        found = cursor.fetchall()
    finally:
        cursor.close()
    values = list(zip(*found, strict=True)) if found else [() for _ in names]
    return pa.table({n: pa.array(v) for n, v in zip(names, values, strict=True)})


def _settle(raw: Any) -> None:
    """DuckDB refuses new work on a connection whose last result was not read to its end (a `first()` leaves one):
    finish it, as the driver would on its next statement."""
    complete = getattr(raw, "complete", None)
    if complete is not None:
        complete()
