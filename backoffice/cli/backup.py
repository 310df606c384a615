"""`backoffice backup` and `backoffice restore`: the whole database to one file and back, verified (SPEC A7)."""

from __future__ import annotations

import click

from backoffice.cli import common
from backoffice.core.errors import BackofficeError, ValidationError


@click.command("backup", cls=common.Command, help="a consistent backup of the whole database to one file")
@common.options()
@click.option(
    "--out", metavar="FILE", help="where (default: BACKOFFICE_BACKUP_DIR or backups/ beside the database)"
)
def backup(out: str | None) -> None:
    from backoffice.admin import backup as backups

    made = backups.backup(common.open_database(), common.actor(), str(common.path(out)) if out else None)
    common.emit(
        made,
        f"Backed up {made['rows']} rows to {made['file']} ({made['bytes']} bytes, sha256 {made['sha256']}).",
    )


@click.command("restore", cls=common.Command, help="restore a backup into a new database and verify it")
@common.options()
@click.argument("file")
def restore(file: str) -> None:
    from backoffice.admin import backup as backups

    target = common.option("db")
    if not target:
        raise ValidationError(
            "name the new database with --db NEW (a new DuckDB file, or a postgresql URL)", "db"
        )
    if not target.startswith("postgresql"):
        target = str(common.path(target))
    done = backups.restore(common.path(file), target, common.actor())
    if not done["verified"]:
        common.emit(done, "The restore does not match its backup: " + "; ".join(done["problems"]))
        raise BackofficeError("The restore does not match its backup; nothing was kept.")
    common.emit(done, f"Restored {done['rows']} rows into {done['db']}; verified against the backup.")
