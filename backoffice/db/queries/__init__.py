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
