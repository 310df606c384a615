"""The only home of SQL besides the migrations: one module per concept, bound parameters always.

Functions here take an open Connection and plain values; they neither check
permissions nor validate (the services do both before calling them).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def rows(conn: Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


def one(conn: Connection, sql: str, **params: Any) -> dict[str, Any] | None:
    row = conn.execute(sa.text(sql), params).mappings().first()
    return dict(row) if row is not None else None


def scalar(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(sa.text(sql), params).scalar()


def run(conn: Connection, sql: str, **params: Any) -> None:
    conn.execute(sa.text(sql), params)


def insert_returning(conn: Connection, sql: str, **params: Any) -> int:
    return int(conn.execute(sa.text(sql), params).scalar_one())
