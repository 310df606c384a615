"""The app's note beside its DuckDB file, so that `backoffice` on the same machine sends its commands to the app
while the app holds the file (backoffice.cli.remote reads it): the app's address, a token made at start and
known only to this note and to the app, and the app's process id. Readable by the file's owner only."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path

from backoffice.cli.remote import app_file


def _database_path(url: str) -> Path | None:
    if not url.startswith("duckdb:///"):
        return None  # PostgreSQL: every process opens the database itself, the CLI needs no app
    path = url.split(":///", 1)[1]
    return None if not path or path == ":memory:" else Path(path)


def publish(url: str, address: str) -> str | None:
    """Write the note for the database at `url`, served at `address` (http://host:port); returns the token, or
    None when the database is not a DuckDB file."""
    database = _database_path(url)
    if database is None:
        return None
    token = "bo_local_" + secrets.token_urlsafe(32)
    note = app_file(database)
    # a new file of our own (O_EXCL, 0600), never one someone placed there, then moved over the note at once
    fd, partial = tempfile.mkstemp(prefix=note.name + ".", dir=note.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"url": address, "token": token, "pid": os.getpid()}, out)
    os.replace(partial, note)
    return token


def withdraw(url: str) -> None:
    """Remove the note when the app stops (only its own: another app may have started since)."""
    database = _database_path(url)
    if database is None:
        return
    note = app_file(database)
    try:
        if json.loads(note.read_text(encoding="utf-8")).get("pid") == os.getpid():
            note.unlink()
    except (OSError, ValueError):
        return
