"""Secrets at rest (issue 17): what the app must be able to read back (an SMTP password, later API and webhook
secrets) is stored sealed with Fernet (AES-128-CBC with an HMAC-SHA256, from `cryptography`), never in clear.

The key, first found:
- `BACKOFFICE_SECRET_KEY`: one or more Fernet keys, comma-separated. The first seals; every one of them unseals,
  so a key is rotated by putting the new one first, running `backoffice secret rotate`, then dropping the old.
  Every replica of a team on PostgreSQL must be given the same value.
- `BACKOFFICE_SECRET_KEY_FILE`: a file holding such a line.
- otherwise, for a DuckDB file, a key file created on first use beside it (`<file>.key`), readable by its owner
  only (0600). On PostgreSQL there is no such default: every process must use the same key, so it is given.

A sealed value reads `fernet:<token>`; a value without the prefix is one stored before sealing existed, still
read as it is and sealed by `seal_legacy` when the database is opened.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.engine import Connection

from backoffice.core.errors import BackofficeError
from backoffice.db.queries import access, messaging

PREFIX = "fernet:"
DEFAULT_KEY_FILE = Path("data") / "backoffice.key"


class SecretKeyError(BackofficeError):
    """A sealed secret cannot be opened with the keys given (or the key is malformed)."""


def key_file_for(url: str) -> Path:
    """Where the key file lives when no key is given: beside the DuckDB file, else data/backoffice.key."""
    if url.startswith("duckdb") and ":///" in url:
        path = url.split(":///", 1)[1]
        if path and path != ":memory:":
            return Path(path).with_name(Path(path).name + ".key")
    return DEFAULT_KEY_FILE.resolve()


def _read_or_create(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode("ascii")
    # written whole into a file of our own (mkstemp: O_EXCL, 0600), then linked under the name, which fails if
    # another process got there first: nobody ever reads a half-written key, and two starting together keep one
    fd, partial = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(key + "\n")
        os.link(partial, path)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    finally:
        os.unlink(partial)
    return key


def _keys(url: str) -> MultiFernet:
    text = os.environ.get("BACKOFFICE_SECRET_KEY")
    source = "BACKOFFICE_SECRET_KEY"
    if not text:
        file = os.environ.get("BACKOFFICE_SECRET_KEY_FILE")
        if not file and not url.startswith("duckdb"):
            raise SecretKeyError(
                "On PostgreSQL give the key that seals stored passwords in BACKOFFICE_SECRET_KEY (the same on "
                "every process and machine; `backoffice secret new-key` prints one)."
            )
        path = Path(file) if file else key_file_for(url)
        text, source = _read_or_create(path), str(path)
    try:
        return MultiFernet([Fernet(k.strip().encode("ascii")) for k in text.split(",") if k.strip()])
    except (ValueError, UnicodeEncodeError) as exc:
        raise SecretKeyError(
            f"The secret key in {source} is not a Fernet key (44 characters of URL-safe base64; "
            "`backoffice secret new-key` prints one)."
        ) from exc


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def _url(conn: Connection) -> str:
    return conn.engine.url.render_as_string(hide_password=False)


def seal(conn: Connection, plain: str | None) -> str | None:
    """The value as stored: sealed with the current key (None and "" stay None)."""
    if not plain:
        return None
    return PREFIX + _keys(_url(conn)).encrypt(plain.encode("utf-8")).decode("ascii")


def unseal(conn: Connection, stored: str | None, what: str = "secret") -> str | None:
    """The value in clear, for the moment it is used (sending mail); never shown, never logged."""
    if not stored:
        return None
    if not stored.startswith(PREFIX):
        return stored  # stored before sealing existed; seal_legacy seals it at the next start
    try:
        return _keys(_url(conn)).decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise SecretKeyError(
            f"The stored {what} was sealed with another key than the one this app has. Give the key it was "
            "sealed with in BACKOFFICE_SECRET_KEY (the new key first, then the old, comma-separated), or "
            "enter it again."
        ) from exc


def reseal(conn: Connection, stored: str | None) -> str | None:
    """Sealed again with the current key (a rotation), or sealed for the first time (a legacy value)."""
    if not stored:
        return None
    if not stored.startswith(PREFIX):
        return seal(conn, stored)
    return PREFIX + _keys(_url(conn)).rotate(stored[len(PREFIX) :].encode("ascii")).decode("ascii")


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def reseal_all(conn: Connection, legacy_only: bool = False) -> int:
    """Seal every stored secret again with the current key (or only those still in clear); returns how many."""
    for org_id in sorted({int(r["org_id"]) for r in messaging.stored_smtp_passwords(conn, legacy_only)}):
        access.lock_organization(conn, org_id)  # no `smtp set` of another process between our read and write
    found = messaging.stored_smtp_passwords(conn, legacy_only)
    for row in found:
        messaging.set_smtp_password(conn, int(row["org_id"]), reseal(conn, row["smtp_password"]))
    return len(found)
