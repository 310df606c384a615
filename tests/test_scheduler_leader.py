"""Scheduled jobs run on one replica only (issue 16): two app processes on one PostgreSQL database each run the
scheduler, and each overdue customer gets one reminder, not two. The leader is the process holding the scheduler's
advisory lock; when it is killed, the other takes over at its next tick and sends the next due reminders.

Separate OS processes, each running the app's scheduler thread (`scheduler.start`, as the app starts it) with a
short interval; a real SMTP server (aiosmtpd, in this process) receives what they send."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from backoffice.core.context import Context
from backoffice.db import Database, open_database
from backoffice.db.leader import SCHEDULER_LOCK, Leader
from tests.factories import make_customer
from tests.pgserver import PgServer
from tests.test_messaging import _invoice, _shop, smtp  # noqa: F401  (smtp: the fixture)

ROOT = Path(__file__).resolve().parents[1]
INTERVAL = 0.3
APP = textwrap.dedent(
    """
    import sys
    from backoffice.admin import scheduler
    from backoffice.db import open_database

    real_tick = scheduler.tick

    def tick(db, leader, *jobs):  # says after each tick whether this process led it
        done = real_tick(db, leader, *jobs)
        print("lead" if done is not None else "follow", flush=True)
        return done

    scheduler.tick = tick
    scheduler.start(open_database(sys.argv[1]), interval=float(sys.argv[2]))
    sys.stdin.read()  # until the test ends it
    """
)


class App:
    """One app process running the scheduler; `ticks` are what it said after each tick."""

    def __init__(self, url: str, log: Path) -> None:
        self.log = log  # its stderr: a file, so that what it logs never fills a pipe nobody reads
        with log.open("w") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", APP, url, str(INTERVAL)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                cwd=ROOT,
                env=os.environ | {"PYTHONPATH": str(ROOT)},
            )
        self.ticks: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:
            for line in self.proc.stdout:
                self.ticks.append(line.strip())

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        if self.proc.stdin is not None:
            self.proc.stdin.close()


def _wait(condition: Callable[[], bool], what: str, apps: list[App], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline or any(a.proc.poll() not in (None, -9) for a in apps):
            errors = "\n".join(a.log.read_text() for a in apps)
            raise AssertionError(f"{what}: ticks {[a.ticks for a in apps]}\n{errors}")
        time.sleep(0.05)


def _reminders(db: Database, org_id: int) -> dict[int, int]:
    """Reminders in the outbox per customer."""
    with db.read() as conn:
        found = conn.execute(
            sa.text(
                "SELECT contact_id, count(*) FROM outbox WHERE org_id = :org AND purpose = 'reminder' "
                "GROUP BY contact_id"
            ),
            {"org": org_id},
        )
        return {int(contact): int(n) for contact, n in found}


@pytest.fixture
def pg_shop(pg_server: PgServer, smtp: Any) -> Iterator[tuple[str, Context]]:  # noqa: F811
    """A PostgreSQL database with an organization whose sender is the test's SMTP server: its URL and the admin."""
    name = f"leader{os.getpid()}"
    url = pg_server.create_database(name, template="backoffice_template")
    db = open_database(url)
    try:
        yield url, _shop(db, smtp)
    finally:
        db.dispose()
        pg_server.drop_database(name)


def _overdue_customers(admin: Context, emails: list[str]) -> list[int]:
    made = [make_customer(admin, emails=e) for e in emails]
    for customer in made:
        _invoice(admin, customer, date.today() - timedelta(days=60))
    return made


def test_two_app_processes_send_one_reminder_per_customer_and_the_other_takes_over(
    pg_shop: tuple[str, Context],
    smtp: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    url, admin = pg_shop
    first = _overdue_customers(admin, ["a@example.com", "b@example.com", "c@example.com"])
    apps = [App(url, tmp_path / "one.log"), App(url, tmp_path / "two.log")]
    try:
        _wait(lambda: all(len(a.ticks) >= 3 for a in apps), "both ticked three times", apps)
        leaders = [a for a in apps if "lead" in a.ticks]
        assert len(leaders) == 1 and set(leaders[0].ticks) == {"lead"}, [a.ticks for a in apps]
        (other,) = [a for a in apps if a is not leaders[0]]
        assert set(other.ticks) == {"follow"}
        assert _reminders(admin.db, admin.org_id) == dict.fromkeys(first, 1)
        assert sorted(m["To"] for m in smtp.messages()) == ["a@example.com", "b@example.com", "c@example.com"]

        leaders[0].kill()  # its connection closes: the server ends the session and the lock with it
        followed = len(other.ticks)
        later = _overdue_customers(admin, ["d@example.com", "e@example.com"])
        _wait(lambda: other.ticks[followed:].count("lead") >= 2, "the other process took over", apps)
        assert _reminders(admin.db, admin.org_id) == dict.fromkeys(first + later, 1)
        assert len(smtp.messages()) == 5
    finally:
        for app in apps:
            app.kill()


OVERLAPPING_ROUND = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from backoffice.admin import scheduler
    from backoffice.db import open_database
    from backoffice.db.queries import messaging as q

    url, folder, me = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    real_existing_keys = q.existing_keys

    def existing_keys(conn, org_id, keys):  # both rounds look for their messages before either writes them
        found = real_existing_keys(conn, org_id, keys)
        (folder / f"read{me}").touch()
        deadline = time.monotonic() + 10
        while len(list(folder.glob("read*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        return found

    q.existing_keys = existing_keys
    print(json.dumps(scheduler.run_once(open_database(url)), default=str))
    """
)


def test_two_rounds_at_once_still_remind_each_customer_once(
    pg_shop: tuple[str, Context],
    smtp: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The reminder job is idempotent per customer and day by itself, should two rounds overlap (two leaders for a
    moment, or `backoffice remind` during the app's round): both find no reminder queued yet, one writes them, and
    the other, refused by the outbox's key (organization, idempotency key of customer, invoices, addresses and
    day), finds them written and sends nothing. Neither round fails."""
    url, admin = pg_shop
    customers = _overdue_customers(admin, ["a@example.com", "b@example.com"])
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OVERLAPPING_ROUND, url, str(tmp_path), str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
        )
        for i in range(2)
    ]
    rounds = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        rounds.append(json.loads(out)[str(admin.org_id)])
    assert all("error" not in r for r in rounds), rounds
    assert sorted(r["sent"] for r in rounds) == [0, 2]
    assert _reminders(admin.db, admin.org_id) == dict.fromkeys(customers, 1)
    assert len(smtp.messages()) == 2


def test_one_leader_at_a_time_and_a_released_lead_is_taken(pg_shop: tuple[str, Context]) -> None:
    url, admin = pg_shop
    one, two = Leader(open_database(url)), Leader(open_database(url))
    try:
        assert one.leads() and not two.leads() and one.leads()  # asking again keeps the lead
        one.release()
        assert two.leads() and not one.leads()
        # the leader's connection dies: the server ends its session (waiting 10 s at most for it to end)
        with admin.db.write() as conn:
            ended = conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND classid = CAST(:k AS oid) AND objsubid = 2"
                ),
                {"k": SCHEDULER_LOCK},
            ).scalars()
            assert list(ended) == [True]
        assert one.leads() and not two.leads()  # the lock went with the session; `two` sees it lost it
    finally:
        one.release()
        two.release()
        one.db.dispose()
        two.db.dispose()


def test_duckdb_always_leads(duck: Database) -> None:
    assert Leader(duck).leads()
