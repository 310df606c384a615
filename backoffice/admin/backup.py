"""Backup and restore of the whole database (SPEC A7): who may, where the files go, what a result says.

A backup holds every organization in the database, so it is taken by the command line or the app's scheduler
(the system user, which holds the database) or by a user who is an admin of every organization in it — never by
an admin of one organization among others. How the snapshot is taken and verified: backoffice.db.backup.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
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


# ---------------------------------------------------------------- the app's daily backups

KEEP_DAILY, KEEP_WEEKLY = 7, 4
_NAME = re.compile(r"^backoffice-(\d{8})T(\d{6})Z\.(duckdb|dump)$")


def _taken_on(path: Path) -> date | None:
    found = _NAME.match(path.name)
    return datetime.strptime(found.group(1), "%Y%m%d").date() if found else None


def backups_in(folder: Path) -> list[Path]:
    """The app's own backups in the folder (named by their time), oldest first; anything else is not ours."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _taken_on(p) is not None)


def keep(backups: list[Path]) -> set[Path]:
    """Which backups a retention of 7 daily and 4 weekly keeps: the newest of each of the 7 latest days that have
    one, then the newest of each of the 4 latest ISO weeks before those days."""
    by_day: dict[date, Path] = {}
    for path in backups:  # oldest first: the last one of a day wins
        if (taken := _taken_on(path)) is not None:
            by_day[taken] = path
    days = sorted(by_day, reverse=True)
    kept = {by_day[d] for d in days[:KEEP_DAILY]}
    by_week: dict[tuple[int, int], Path] = {}
    for day in sorted(days[KEEP_DAILY:]):
        by_week[day.isocalendar()[:2]] = by_day[day]
    kept |= {by_week[w] for w in sorted(by_week, reverse=True)[:KEEP_WEEKLY]}
    return kept


def daily_backup(db: Database, today: date | None = None) -> dict[str, Any] | None:
    """The scheduler's round (BACKOFFICE_BACKUPS=daily): one backup a day into the backup folder, then the
    retention (7 daily, 4 weekly) applied to the app's own backups there. None when today's is already taken."""
    folder = folder_for(db)
    today = today or datetime.now(UTC).date()
    if any(_taken_on(p) == today for p in backups_in(folder)):
        return None
    made = backup(db, User.system("scheduler"))
    removed = []
    backups = backups_in(folder)
    for path in set(backups) - keep(backups):
        path.unlink(missing_ok=True)
        snapshots.manifest_path(path).unlink(missing_ok=True)
        removed.append(path.name)
    return made | {"removed": sorted(removed)}
