"""Backup and restore (SPEC A7, issue 17): a backup taken while people keep writing restores into a new database
that matches it table by table and trial balance by trial balance; a damaged backup is refused and leaves
nothing; only someone who may see every organization in the database takes one. Both engines; the CLI too."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from backoffice.admin import backup as backups
from backoffice.books import ledger
from backoffice.contacts import customers
from backoffice.core.context import Context, User
from backoffice.core.errors import PermissionDenied, ValidationError
from backoffice.db import Database, open_database
from backoffice.sales import invoices, orders
from backoffice.sales.orders import LineRequest
from tests.factories import make_customer, make_org, make_product, make_user
from tests.pgserver import PgServer

ROOT = Path(__file__).resolve().parents[1]


def _shop(db: Database) -> Context:
    _, admin = make_org(db)
    make_product(admin, "CUP", price="12.50", stock=500)
    for _ in range(5):
        customer = make_customer(admin)
        order_id = orders.create_order(admin, customer, [LineRequest("CUP", 2)], status="confirmed")
        invoices.issue_invoice(admin, order_id)
    return admin


def _target(db: Database, tmp_path: Path, pg_server: PgServer | None) -> str:
    if db.is_duckdb:
        return str(tmp_path / "restored" / "shop.duckdb")
    assert pg_server is not None
    name = f"restored{os.getpid()}_{abs(hash(str(tmp_path))) % 10**8}"
    return pg_server.create_database(name)  # empty: no template


def test_a_backup_taken_while_people_write_restores_whole(
    db: Database, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    admin = _shop(db)
    stop, saved = threading.Event(), []

    def keep_writing() -> None:  # another user saves customers all along
        while not stop.is_set():
            saved.append(customers.save_customer(admin, {"name": f"Walk-in {len(saved)}"}))

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        made = backups.backup(db, User.system(), tmp_path / "b" / "shop.backup")
    finally:
        stop.set()
        writer.join()
    assert len(saved) > 0
    file = Path(made["file"])
    assert made["bytes"] == file.stat().st_size
    assert made["sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()

    pg = None if db.is_duckdb else request.getfixturevalue("pg_server")
    target = _target(db, tmp_path, pg)
    done = backups.restore(file, target, User.system())
    assert done["verified"] and done["problems"] == [] and done["organizations"] == 1
    restored = open_database(target if not db.is_duckdb else f"duckdb:///{target}")
    again = Context(restored, User.system(), admin.org_id)
    original = ledger.trial_balance(admin)
    copy = ledger.trial_balance(again)
    assert copy.balanced and copy.debit_minor == original.debit_minor  # the five invoices, to the cent
    count = customers.list_customers(again).total
    assert 5 <= count <= 5 + len(saved)  # a consistent moment between the first and the last save
    ids = {c["contact_id"] for c in customers.list_customers(again, page_size=1000).rows}
    new_id = customers.save_customer(again, {"name": "After the restore"})
    assert new_id > max(ids)  # the sequences go on where they stopped: no id is handed out twice
    restored.dispose()


def test_a_damaged_backup_is_refused_and_leaves_nothing(duck: Database, tmp_path: Path) -> None:
    _shop(duck)
    made = backups.backup(duck, User.system(), tmp_path / "shop.backup")
    raw = duckdb.connect(made["file"])  # a line of the books changed after the backup was taken
    raw.execute(
        "UPDATE journal_lines SET debit_minor = debit_minor + 1 WHERE debit_minor > 0 AND line_no = 1"
    )
    raw.close()
    target = tmp_path / "restored.duckdb"
    done = backups.restore(made["file"], str(target), User.system())
    assert not done["verified"]
    assert any("journal_lines" in p for p in done["problems"])
    assert any("trial balance differs" in p for p in done["problems"])
    assert not target.exists() and not list(tmp_path.glob("restored*"))


def test_a_restore_never_overwrites_and_a_backup_never_overwrites(duck: Database, tmp_path: Path) -> None:
    _shop(duck)
    made = backups.backup(duck, User.system(), tmp_path / "shop.backup")
    with pytest.raises(ValidationError, match="never overwrites"):
        backups.backup(duck, User.system(), made["file"])
    existing = tmp_path / "existing.duckdb"
    existing.write_bytes(b"keep me")
    with pytest.raises(ValidationError, match="already exists"):
        backups.restore(made["file"], str(existing), User.system())
    assert existing.read_bytes() == b"keep me"


def test_only_who_may_see_every_organization_takes_a_backup(duck: Database, tmp_path: Path) -> None:
    admin_a = _shop(duck)
    make_org(duck)  # another organization in the same database
    with pytest.raises(PermissionDenied, match="every organization"):
        backups.backup(duck, admin_a.user, tmp_path / "x.backup")
    with pytest.raises(PermissionDenied):
        backups.backup(duck, make_user(admin_a, "accountant").user, tmp_path / "y.backup")
    with pytest.raises(PermissionDenied):
        backups.restore(tmp_path / "x.backup", str(tmp_path / "z.duckdb"), admin_a.user)
    assert not list(tmp_path.glob("*.backup"))


def test_the_sole_organizations_admin_may_take_one(duck: Database, tmp_path: Path) -> None:
    admin = _shop(duck)
    assert Path(backups.backup(duck, admin.user, tmp_path / "own.backup")["file"]).exists()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backoffice.cli", *args], capture_output=True, text=True, cwd=ROOT, check=False
    )


def test_the_command_line_backs_up_and_restores(duck: Database, tmp_path: Path) -> None:
    _shop(duck)
    path = duck.url.split(":///", 1)[1]
    duck.dispose()
    out = tmp_path / "nightly.backup"
    done = _cli("backup", "--db", path, "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert made["file"] == str(out) and made["bytes"] == out.stat().st_size
    assert made["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    target = tmp_path / "restored.duckdb"
    done = _cli("restore", str(out), "--db", str(target), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verified"] is True
    listed = _cli("customer", "list", "--db", str(target), "--json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 5

    raw = duckdb.connect(str(out))
    raw.execute("DELETE FROM contacts WHERE contact_id = (SELECT min(contact_id) FROM contacts)")
    raw.close()
    damaged = _cli("restore", str(out), "--db", str(tmp_path / "second.duckdb"), "--json")
    assert damaged.returncode == 1
    assert json.loads(damaged.stdout)["verified"] is False and "does not match" in damaged.stderr
    assert not (tmp_path / "second.duckdb").exists()


def test_the_retention_keeps_seven_daily_and_four_weekly(tmp_path: Path) -> None:
    start = date(2026, 9, 1)
    for n in range(90):  # a backup each day for 90 days, two on some days
        day = start + timedelta(days=n)
        (tmp_path / f"backoffice-{day:%Y%m%d}T020000Z.duckdb").write_bytes(b"x")
        if n % 10 == 0:
            (tmp_path / f"backoffice-{day:%Y%m%d}T140000Z.duckdb").write_bytes(b"y")
    (tmp_path / "notes.txt").write_text("not ours")
    found = backups.backups_in(tmp_path)
    kept = sorted(p.name for p in backups.keep(found))
    last = start + timedelta(days=89)
    daily = [f"backoffice-{last - timedelta(days=n):%Y%m%d}T{'140000' if (89 - n) % 10 == 0 else '020000'}Z.duckdb"
             for n in range(7)]  # fmt: skip
    assert set(daily) <= set(kept) and len(kept) == 11
    weekly = sorted(set(kept) - set(daily))
    weeks = [date.fromisoformat(f"{n[11:15]}-{n[15:17]}-{n[17:19]}").isocalendar()[:2] for n in weekly]
    assert len(set(weeks)) == 4  # one per week, the four weeks before the daily ones
    assert all(date.fromisoformat(f"{n[11:15]}-{n[15:17]}-{n[17:19]}").weekday() == 6 or n in daily
               for n in weekly[:-1])  # fmt: skip
    assert (tmp_path / "notes.txt").exists()


def test_the_daily_backup_runs_once_a_day_and_prunes(
    duck: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shop(duck)
    folder = tmp_path / "backups"
    monkeypatch.setenv("BACKOFFICE_BACKUP_DIR", str(folder))
    folder.mkdir()
    for n in range(1, 30):  # older backups of the month before
        (folder / f"backoffice-{date.today() - timedelta(days=n):%Y%m%d}T020000Z.duckdb").write_bytes(b"old")
    made = backups.daily_backup(duck)
    assert made is not None and Path(made["file"]).parent == folder
    assert len(backups.backups_in(folder)) == 11 and len(made["removed"]) == 29 + 1 - 11
    assert backups.daily_backup(duck) is None  # today's is taken
    restored = backups.restore(made["file"], str(tmp_path / "check.duckdb"), User.system())
    assert restored["verified"]
