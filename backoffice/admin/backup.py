"""Backup and restore of the whole database (SPEC A7): who may, where the files go, what a result says.

A backup holds every organization in the database, so it is taken by the command line or the app's scheduler
(the system user, which holds the database) or by a user who is an admin of every organization in it — never by
an admin of one organization among others. How the snapshot is taken and verified: backoffice.db.backup.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backoffice.core.context import User
from backoffice.core.enums import Role
from backoffice.core.errors import PermissionDenied, ValidationError
from backoffice.db import Database
from backoffice.db import backup as snapshots
from backoffice.db.queries import access as access_q
from backoffice.db.queries import orgs as orgs_q


def folder_for(db: Database) -> Path:
    """Where backups go unless told: BACKOFFICE_BACKUP_DIR, else `backups/` beside the DuckDB file (or under the
    working folder on PostgreSQL)."""
    if os.environ.get("BACKOFFICE_BACKUP_DIR"):
        return Path(os.environ["BACKOFFICE_BACKUP_DIR"])
    if db.is_duckdb and ":///" in db.url:
        return Path(db.url.split(":///", 1)[1]).parent / "backups"
    return Path("backups").resolve()


def _check(db: Database, actor: User) -> None:
    if actor.is_system:
        return
    with db.read() as conn:
        orgs = orgs_q.all_orgs(conn)
        roles = [access_q.role_of(conn, int(o["org_id"]), actor.user_id) for o in orgs]
    if not orgs or any(role != Role.ADMIN for role in roles):
        raise PermissionDenied(
            "A backup holds every organization in this database: only an admin of all of them, or the "
            "command line, may take one."
        )


def backup(db: Database, actor: User, out: str | Path | None = None) -> dict[str, Any]:
    """Take a consistent backup into `out` (default: the backup folder, named by the time); returns its file,
    size, SHA-256 and what it holds."""
    _check(db, actor)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = ".duckdb" if db.is_duckdb else ".dump"
    path = Path(out) if out else folder_for(db) / f"backoffice-{stamp}{suffix}"
    if path.exists():
        raise ValidationError(f"{path} already exists: a backup never overwrites a file", "out")
    path.parent.mkdir(parents=True, exist_ok=True)
    if db.is_duckdb:
        found = snapshots.backup_duckdb(db.engine, path)
    else:
        found = snapshots.backup_postgres(db.engine, db.url, path)
    return {
        "file": str(path),
        "bytes": path.stat().st_size,
        "sha256": snapshots.sha256(path),
        "taken_at": found["taken_at"],
        "tables": len(found["tables"]),
        "rows": sum(t["rows"] for t in found["tables"].values()),
        "organizations": len(found["trial_balances"]),
    }


def restore(backup_file: str | Path, target: str, actor: User) -> dict[str, Any]:
    """Restore a backup into a new DuckDB file or an empty PostgreSQL database (`target`: a path or a
    postgresql URL) and verify it: every table's rows and checksum and every trial balance as in the backup.
    The result says `verified`; a DuckDB restore that does not verify leaves no file behind."""
    if not actor.is_system:
        raise PermissionDenied("A restore makes a new database: only the command line may do it.")
    source = Path(backup_file)
    if not source.is_file():
        raise ValidationError(f"{source}: no such backup file", "file")
    if target.startswith("postgresql"):
        expected, problems = snapshots.restore_postgres(source, target)
        where = target.split("@")[-1]  # never the password
    else:
        expected, problems = snapshots.restore_duckdb(source, Path(target).expanduser().resolve())
        where = str(Path(target).expanduser().resolve())
    return {
        "db": where,
        "verified": not problems,
        "problems": problems,
        "taken_at": expected["taken_at"],
        "tables": len(expected["tables"]),
        "rows": sum(t["rows"] for t in expected["tables"].values()),
        "organizations": len(expected["trial_balances"]),
    }
