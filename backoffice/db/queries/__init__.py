"""The only home of SQL besides the migrations: one module per concept, bound parameters always.

Functions here take an open Connection and plain values; they neither check
permissions nor validate (the services do both before calling them).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backoffice.core.errors import NotFoundError


def rows(conn: Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


def expanding(sql: str, *names: str) -> sa.TextClause:
    """The statement with each named parameter binding a list (`IN :ids`)."""
    return sa.text(sql).bindparams(*(sa.bindparam(n, expanding=True) for n in names))


def rows_in(conn: Connection, sql: str, listed: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a statement with `IN :<listed>`; an empty list finds none (SQL has no empty IN)."""
    if not params[listed]:
        return []
    found = conn.execute(expanding(sql, listed), params | {listed: list(params[listed])})
    return [dict(r) for r in found.mappings()]


def one(conn: Connection, sql: str, **params: Any) -> dict[str, Any] | None:
    row = conn.execute(sa.text(sql), params).mappings().first()
    return dict(row) if row is not None else None


def scalar(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(sa.text(sql), params).scalar()


def run(conn: Connection, sql: str, **params: Any) -> None:
    conn.execute(sa.text(sql), params)


def insert_returning(conn: Connection, sql: str, **params: Any) -> int:
    return int(conn.execute(sa.text(sql), params).scalar_one())


def the(conn: Connection, sql: str, missing: str, **params: Any) -> dict[str, Any]:
    """The one row the query finds; NotFoundError(missing) when there is none."""
    row = one(conn, sql, **params)
    if row is None:
        raise NotFoundError(missing)
    return row


def aggregate(conn: Connection, sql: str, **params: Any) -> dict[str, Any]:
    """The row of a query that aggregates without GROUP BY (count, sum …): SQL always returns exactly one."""
    row = one(conn, sql, **params)
    if row is None:
        raise RuntimeError("an aggregate query returned no row")
    return row


def allowed_columns(values: Any, allowed: Any) -> None:
    """Column names are only ever the table's own (they are written into the SQL, values never are)."""
    stray = sorted(set(values) - set(allowed))
    if stray:
        raise ValueError(f"not columns of this table: {', '.join(map(str, stray))}")


def _name(name: str) -> str:
    """A table, column or sequence name of ours, written into SQL (never a value, never input)."""
    if not name.isidentifier() or not name.isascii():
        raise ValueError(f"not a plain SQL name: {name!r}")
    return name


def analyze(conn: Connection, *tables: str, columns: tuple[str, ...] = ()) -> None:
    """PostgreSQL: fresh statistics on tables a bulk step just filled or changed (the staged rows of an import,
    above all: temporary tables are never analysed by autovacuum, and without statistics the planner guesses, picks
    nested loops over tens of thousands of rows and runs their inner side again for every outer row). DuckDB keeps
    what its optimizer needs as it writes: nothing to do. `columns`: only those (the ones joins and filters use),
    which spares computing the others' statistics."""
    if conn.dialect.name != "postgresql":
        return
    only = f" ({', '.join(_name(c) for c in columns)})" if columns else ""
    for table in tables:
        run(conn, f"ANALYZE {_name(table)}{only}")


def draw_ids(conn: Connection, table: str, sequences: dict[str, str]) -> None:
    """New ids for the rows of `table` (a temporary table of this connection with a column `n`: 1, 2, 3 … the order
    the ids go in), one from each named sequence per row, into new columns (`{column: sequence}`); `table` is
    rebuilt with them.

    Each sequence is called once per row in a plain SELECT over the table and nowhere else: never inside a subquery,
    which an engine may evaluate again for every row of the join it sits in (PostgreSQL did: one new customer per
    order, and the sequence run to the square of the orders). The ids drawn are then paired with the rows by rank,
    lowest id to the lowest `n`, so they ascend in that order on both engines, even when another session's draws
    fall between ours."""
    table = _name(table)
    picked, joins, drawn = [], [], []
    for i, (column, sequence) in enumerate(sequences.items()):
        run(conn, f"CREATE TEMP TABLE drawn_{i} AS SELECT nextval('{_name(sequence)}') AS id FROM {table}")  # noqa: S608
        drawn.append(f"drawn_{i}")
        picked.append(f"d{i}.id AS {_name(column)}")
        joins.append(
            f"JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM drawn_{i}) d{i} ON d{i}.n = t.n"  # noqa: S608
        )
    analyze(conn, table, *drawn)
    rebuilt = (
        f"CREATE TEMP TABLE {table}_ids AS SELECT t.*, {', '.join(picked)} FROM {table} t {' '.join(joins)}"  # noqa: S608
    )
    run(conn, rebuilt)
    for name in drawn:
        run(conn, f"DROP TABLE {name}")
    run(conn, f"DROP TABLE {table}")
    run(conn, f"ALTER TABLE {table}_ids RENAME TO {table}")
    analyze(conn, table)
