"""Backups and restores of the whole database (SPEC A7), with what proves a restore whole: a manifest of every
table's row count and checksum and every organization's trial balance, taken in the backup's own snapshot.

- DuckDB: `COPY FROM DATABASE` into a new DuckDB file inside one transaction (a consistent MVCC snapshot: never
  a copy of a file with commits still in its WAL; the app's writes go on meanwhile). The manifest travels inside
  the file (table `backup_manifest`), so a backup is one file that DuckDB itself can open.
- PostgreSQL: `pg_dump -Fc` of a snapshot exported by a REPEATABLE READ transaction, in which the manifest is
  computed too; the manifest is written beside the dump (`FILE.manifest.json`).

A restore goes into a new file (DuckDB) or an empty database (PostgreSQL), never over the source; it is then
verified against the manifest and, on DuckDB, moved into place only when everything agrees.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url

from backoffice.core.errors import BackofficeError, ValidationError

MANIFEST_TABLE = "backup_manifest"
FORMAT = 1


class RestoreError(BackofficeError):
    """A backup that cannot be restored, or a restore that does not match its backup."""


# ---------------------------------------------------------------- the manifest


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _tables(conn: Connection) -> list[str]:
    return sorted(t for t in sa.inspect(conn).get_table_names() if t != MANIFEST_TABLE)


def _checksum_sql(conn: Connection, table: str) -> str:
    t = _quote(conn, table)
    if conn.dialect.name == "duckdb":  # order-free: the XOR of every row's hash
        return f"SELECT count(*), CAST(bit_xor(hash(x)) AS VARCHAR) FROM {t} x"  # noqa: S608 - quoted name
    return f"SELECT count(*), md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))) FROM {t} x"  # noqa: S608


def manifest(conn: Connection) -> dict[str, Any]:
    """Row count and checksum of every table and each organization's trial balance, read in `conn`'s snapshot."""
    tables = {}
    for table in _tables(conn):
        count, checksum = conn.execute(sa.text(_checksum_sql(conn, table))).one()
        tables[table] = {"rows": int(count), "checksum": checksum or ""}
    balances = conn.execute(
        sa.text(
            "SELECT l.org_id, a.code, SUM(l.debit_minor) AS debit, SUM(l.credit_minor) AS credit "
            "FROM journal_lines l JOIN accounts a ON a.account_id = l.account_id "
            "GROUP BY l.org_id, a.code ORDER BY l.org_id, a.code"
        )
    ).all()
    trial: dict[str, list[list[Any]]] = {}
    for org_id, code, debit, credit in balances:
        trial.setdefault(str(org_id), []).append([code, int(debit), int(credit)])
    schema = conn.execute(sa.text("SELECT max(number) FROM schema_migrations")).scalar()
    return {
        "format": FORMAT,
        "engine": conn.dialect.name,
        "engine_version": str(conn.execute(sa.text("SELECT version()")).scalar()),
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "schema": int(schema or 0),
        "tables": tables,
        "trial_balances": trial,
    }


def compare(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """Every difference between a backup's manifest and a restored database's, in words (empty: identical)."""
    problems = []
    # a row's hash is the engine's own: another version of the engine may hash it otherwise, so then rows and
    # trial balances are compared and the checksums are not
    same_engine = expected.get("engine_version") == found.get("engine_version")
    for table, want in expected["tables"].items():
        got = found["tables"].get(table)
        if got is None:
            problems.append(f"table {table} is missing")
        elif got["rows"] != want["rows"]:
            problems.append(f"table {table}: {got['rows']} rows, the backup had {want['rows']}")
        elif same_engine and got["checksum"] != want["checksum"]:
            problems.append(f"table {table}: its contents differ from the backup's (checksum)")
    problems += [
        f"table {t} is not in the backup" for t in sorted(set(found["tables"]) - set(expected["tables"]))
    ]
    for org, want in expected["trial_balances"].items():
        if found["trial_balances"].get(org) != want:
            problems.append(f"organization #{org}: the trial balance differs from the backup's")
        if sum(d for _, d, _ in want) != sum(c for _, _, c in want):
            problems.append(f"organization #{org}: the trial balance in the backup does not balance")
    return problems


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- DuckDB


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def backup_duckdb(engine: sa.Engine, out: Path) -> dict[str, Any]:
    """Snapshot the database into the new DuckDB file `out`, with its manifest inside; returns the manifest."""
    alias = f"bo_backup_{uuid.uuid4().hex[:12]}"
    partial = out.with_name(f"{out.name}.{alias}.partial")  # this backup's own: two at once never share one
    with engine.connect() as conn:  # one transaction: the copy and the manifest read the same snapshot
        found = manifest(conn)
        source = conn.execute(sa.text("SELECT current_database()")).scalar()
        conn.execute(sa.text(f"ATTACH {_sql_string(str(partial))} AS {alias}"))
        try:
            conn.execute(sa.text(f"COPY FROM DATABASE {_quote(conn, str(source))} TO {alias}"))
            conn.execute(sa.text(f"CREATE TABLE {alias}.{MANIFEST_TABLE} (body VARCHAR NOT NULL)"))
            conn.execute(
                sa.text(f"INSERT INTO {alias}.{MANIFEST_TABLE} VALUES (:body)"),  # noqa: S608 - our own alias
                {"body": json.dumps(found)},
            )
            conn.commit()
        finally:
            conn.execute(sa.text(f"DETACH {alias}"))
    _place(partial, out)
    return found


def _place(partial: Path, out: Path) -> None:
    """The whole file under its name, never over another (two backups in the same second: the second is told)."""
    try:
        os.link(partial, out)
    except FileExistsError as exc:
        raise ValidationError(f"{out} already exists: a backup never overwrites a file", "out") from exc
    finally:
        partial.unlink(missing_ok=True)


def restore_duckdb(backup: Path, target: Path) -> tuple[dict[str, Any], list[str]]:
    """Restore into the new file `target` (refused when it exists): copied, verified, and moved into place only
    when it matches its manifest; otherwise no file is left. Returns (the manifest, the differences found)."""
    if target.exists():
        raise ValidationError(f"{target} already exists: a restore goes into a new file", "db")
    work = target.with_name(target.name + ".restoring")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(backup, work)
    engine = sa.create_engine(f"duckdb:///{work}")
    try:
        expected, problems = _verify_copy(backup, engine)
    except BaseException:
        engine.dispose()
        work.unlink(missing_ok=True)
        raise
    engine.dispose()
    if problems:
        work.unlink(missing_ok=True)
        return expected, problems
    work.replace(target)
    return expected, []


def _verify_copy(backup: Path, engine: sa.Engine) -> tuple[dict[str, Any], list[str]]:
    """The copy against the manifest inside it; when they agree the manifest is dropped from the copy."""
    try:
        with engine.connect() as conn:
            body = conn.execute(sa.text(f"SELECT body FROM {MANIFEST_TABLE}")).scalar()  # noqa: S608
    except sa.exc.DBAPIError as exc:
        raise RestoreError(f"{backup} is not a backoffice backup (no manifest inside): {exc.orig}") from exc
    if not body:
        raise RestoreError(f"{backup} has an empty manifest: it cannot be verified")
    expected = json.loads(body)
    with engine.connect() as conn:
        problems = compare(expected, manifest(conn))
    if not problems:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE {MANIFEST_TABLE}"))
        with engine.connect() as conn:
            conn.execute(sa.text("CHECKPOINT"))
    return expected, problems


# ---------------------------------------------------------------- PostgreSQL


def _pg_tool(name: str) -> str:
    """pg_dump/pg_restore: from PG_BIN, else the newest of Debian's server folders, else PATH."""
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / name)
    folders = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)],
        reverse=True,
    )
    for folder in folders:
        if (folder / name).is_file():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise BackofficeError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it, with the password in the environment rather than on a command line."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def backup_postgres(engine: sa.Engine, url: str, out: Path) -> dict[str, Any]:
    """pg_dump of one exported snapshot into `out` (custom format), the manifest of the same snapshot beside it."""
    partial = out.with_name(f"{out.name}.{uuid.uuid4().hex[:12]}.partial")
    dsn, env = _libpq(url)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar()
        found = manifest(conn)
        done = subprocess.run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "-f",
                str(partial),
                dsn,
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        conn.rollback()
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackofficeError(f"pg_dump failed: {done.stderr.strip()}")
    manifest_path(out).write_text(json.dumps(found), encoding="utf-8")
    _place(partial, out)
    return found


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".manifest.json")


def restore_postgres(backup: Path, url: str) -> tuple[dict[str, Any], list[str]]:
    """pg_restore into the empty database `url` (refused when it has tables), then verified."""
    if not manifest_path(backup).exists():
        raise RestoreError(f"{manifest_path(backup)} is missing: it proves the restore whole")
    expected = json.loads(manifest_path(backup).read_text(encoding="utf-8"))
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if sa.inspect(conn).get_table_names():
                raise ValidationError("the target database is not empty: a restore goes into a new one", "db")
        dsn, env = _libpq(url)
        done = subprocess.run(
            [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", dsn, str(backup)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            raise RestoreError(f"pg_restore failed: {done.stderr.strip()}")
        with engine.connect() as conn:
            return expected, compare(expected, manifest(conn))
    finally:
        engine.dispose()
