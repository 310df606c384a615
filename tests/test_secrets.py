"""Secrets at rest (issue 17): the SMTP password is stored sealed, opened only to sign in to the mail server, with
a key from BACKOFFICE_SECRET_KEY or an owner-only key file beside the database; rotation and the upgrade of
passwords stored in clear before."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from backoffice import messaging
from backoffice.admin import orgs
from backoffice.core.context import User
from backoffice.core.errors import PermissionDenied
from backoffice.db import Database, open_database, secrets
from tests.test_messaging import PASSWORD, Catcher, _controller, _free_port, _shop

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def smtp() -> Iterator[Catcher]:
    """A real SMTP server on 127.0.0.1 that takes only user "shop" with PASSWORD (as in test_messaging)."""
    catcher = Catcher()
    catcher.port = _free_port()  # type: ignore[attr-defined]
    controller = _controller(catcher, catcher.port)  # type: ignore[attr-defined]
    yield catcher
    controller.stop()


def _stored(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT smtp_password FROM smtp_settings"))]


def test_the_smtp_password_is_stored_sealed_and_still_signs_in(db: Database, smtp: Any) -> None:
    admin = _shop(db, smtp, user=True)
    (stored,) = _stored(db)
    assert stored.startswith("fernet:") and PASSWORD not in stored
    sent = messaging.send_test_message(admin, "me@example.com")  # the server only takes the right password
    assert sent["status"] == "sent", sent["error"]


def test_without_a_key_one_is_made_beside_the_file_for_its_owner_only(
    duck: Database, smtp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BACKOFFICE_SECRET_KEY", raising=False)
    monkeypatch.delenv("BACKOFFICE_SECRET_KEY_FILE", raising=False)
    admin = _shop(duck, smtp, user=True)
    key_file = Path(duck.url.split(":///", 1)[1] + ".key")
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    Fernet(key_file.read_text().strip().encode())  # a real key
    assert messaging.send_test_message(admin, "me@example.com")["status"] == "sent"


def test_a_password_sealed_with_another_key_says_what_to_do(
    duck: Database, smtp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKOFFICE_SECRET_KEY", Fernet.generate_key().decode())
    admin = _shop(duck, smtp, user=True)
    monkeypatch.setenv("BACKOFFICE_SECRET_KEY", Fernet.generate_key().decode())  # the key was lost
    with pytest.raises(secrets.SecretKeyError, match="sealed with another key.*BACKOFFICE_SECRET_KEY"):
        messaging.send_test_message(admin, "me@example.com")
    monkeypatch.setenv("BACKOFFICE_SECRET_KEY", "not-a-key")
    with pytest.raises(secrets.SecretKeyError, match="not a Fernet key"):
        messaging.send_test_message(admin, "me@example.com")


def test_rotating_the_key_from_the_command_line(
    duck: Database, smtp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("BACKOFFICE_SECRET_KEY", old)
    admin = _shop(duck, smtp, user=True)
    (before,) = _stored(duck)
    duck.dispose()  # the command line opens the file itself
    env = os.environ | {"BACKOFFICE_SECRET_KEY": f"{new},{old}"}
    path = duck.url.split(":///", 1)[1]
    done = subprocess.run(
        [sys.executable, "-m", "backoffice.cli", "secret", "rotate", "--db", path, "--json"],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"resealed": 1}
    assert old not in done.stdout + done.stderr and new not in done.stdout + done.stderr
    (after,) = _stored(duck)
    assert after != before and after.startswith("fernet:")
    monkeypatch.setenv("BACKOFFICE_SECRET_KEY", new)  # the old key can go now
    assert messaging.send_test_message(admin, "me@example.com")["status"] == "sent"


def test_only_the_command_line_reseals(db: Database) -> None:
    orgs.setup(db, "A", "SAR", "15", "a@example.com", "Sesame#2026", actor=User.system())
    with pytest.raises(PermissionDenied):
        orgs.reseal_secrets(db, User(user_id=1, email="a@example.com", name="A"))
    assert orgs.reseal_secrets(db, User.system()) == 0


def test_a_password_stored_in_clear_before_the_upgrade_is_sealed_at_the_next_start(
    duck: Database, smtp: Any
) -> None:
    admin = _shop(duck, smtp, user=True)
    with duck.engine.begin() as conn:  # as the previous version stored it
        conn.execute(sa.text("UPDATE smtp_settings SET smtp_password = :p"), {"p": PASSWORD})
    duck.dispose()
    reopened = open_database(duck.url)
    (stored,) = _stored(reopened)
    assert stored.startswith("fernet:") and PASSWORD not in stored
    again = type(admin)(reopened, admin.user, admin.org_id)
    assert messaging.send_test_message(again, "me@example.com")["status"] == "sent"
    reopened.dispose()


def test_on_postgresql_the_key_must_be_given(
    db: Database, smtp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.is_duckdb:
        pytest.skip("a DuckDB file has its key file beside it")
    monkeypatch.delenv("BACKOFFICE_SECRET_KEY", raising=False)
    monkeypatch.delenv("BACKOFFICE_SECRET_KEY_FILE", raising=False)
    with pytest.raises(secrets.SecretKeyError, match="On PostgreSQL .* BACKOFFICE_SECRET_KEY"):
        _shop(db, smtp, user=True)  # no key of its own per process: the replicas could not read each other's
