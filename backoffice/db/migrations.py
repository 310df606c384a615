"""Numbered schema migrations, applied once each at start (SQL both DuckDB and PostgreSQL accept).

Owns the DDL. Conventions: surrogate keys from explicit sequences, money as BIGINT
minor units (`*_minor`), rates as basis points (`*_bp`), timestamps `*_at` (UTC,
naive), dates `*_on`. No foreign keys on master tables: DuckDB refuses to update
an indexed column of a row another table references (docs/decisions/0002-no-foreign-keys.md);
the services keep references valid inside their transactions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from backoffice.db import Database


# Each migration: (number, name, statements). Append only; never edit a shipped one.
def _load() -> list[tuple[int, str, list[str | tuple[str, str]]]]:
    """Every module backoffice/db/versions/vNNNN_*.py is one migration: NAME and STATEMENTS; NNNN orders them."""
    import importlib
    import pkgutil

    from backoffice.db import versions

    found = []
    for info in sorted(pkgutil.iter_modules(versions.__path__), key=lambda m: m.name):
        if info.name.startswith("v") and info.name[1:5].isdigit():
            module = importlib.import_module(f"backoffice.db.versions.{info.name}")
            found.append((int(info.name[1:5]), module.NAME, list(module.STATEMENTS)))
    numbers = [n for n, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


# Append only: a new file per migration; never edit a shipped one.
MIGRATIONS: list[tuple[int, str, list[str | tuple[str, str]]]] = _load()

_DIALECT_TYPES = {"duckdb": {"blob": "BLOB"}, "postgresql": {"blob": "BYTEA"}}


MIGRATION_LOCK = 7_246_001  # the PostgreSQL advisory lock key several starting processes queue on


@contextmanager
def _one_migrator(db: Database) -> Iterator[None]:
    """On PostgreSQL, processes that start together migrate one after the other (a session advisory lock
    held from before the first read of schema_migrations until the last migration committed); the others
    then find everything applied. DuckDB: one process owns the file, its writer lock is enough."""
    if db.dialect != "postgresql":
        yield
        return
    with db.engine.connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        holder.commit()
        try:
            yield
        finally:
            holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            holder.commit()


def apply_migrations(db: Database) -> list[int]:
    """Apply every migration not yet recorded, each in its own transaction. Returns the numbers applied."""
    with _one_migrator(db):
        return _apply(db)


def _apply(db: Database) -> list[int]:
    types = _DIALECT_TYPES.get(db.dialect, _DIALECT_TYPES["postgresql"])
    with db.write() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(number INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
        )
        done = {row[0] for row in conn.execute(sa.text("SELECT number FROM schema_migrations"))}
    applied = []
    for number, name, statements in MIGRATIONS:
        if number in done:
            continue
        with db.write() as conn:
            for statement in statements:
                if isinstance(statement, tuple):  # (dialect, sql): for one engine only
                    dialect, statement = statement
                    if dialect != db.dialect:
                        continue
                conn.execute(sa.text(statement.format(**types)))
            conn.execute(
                sa.text("INSERT INTO schema_migrations VALUES (:n, :name, CURRENT_TIMESTAMP)"),
                {"n": number, "name": name},
            )
        applied.append(number)
    return applied


def table_names(db: Database) -> list[str]:
    return sorted(sa.inspect(db.engine).get_table_names())


def pending_migrations(db: Database) -> list[int]:
    """The numbers of the migrations this code knows and the database has not recorded (what /readyz checks)."""
    with db.read() as conn:
        done = {row[0] for row in conn.execute(sa.text("SELECT number FROM schema_migrations"))}
    return [number for number, _, _ in MIGRATIONS if number not in done]
