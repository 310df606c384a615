"""The organization's writer lock on PostgreSQL (decision 0011): a write waits while another connection — any
process — holds it, other organizations do not, and a wait past the limit is a clear error with nothing saved."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from backoffice.contacts import customers
from backoffice.core.errors import DatabaseBusyError
from backoffice.db import Database
from backoffice.db.queries import access
from tests.factories import make_org


@pytest.fixture
def pg(db: Database) -> Iterator[Database]:
    if db.is_duckdb:
        pytest.skip("DuckDB has one writing process; its FairLock is tested in tests/test_db.py")
    yield db


def _hold(db: Database, org_id: int) -> tuple[sa.Connection, sa.Transaction]:
    """Another session holding the organization's writer lock, as a writer in another process would."""
    conn = db.engine.connect()
    tx = conn.begin()
    access.lock_organization(conn, org_id)
    return conn, tx


def test_a_write_waits_for_the_organizations_writer_and_then_runs(pg: Database) -> None:
    org_id, ctx = make_org(pg)
    conn, tx = _hold(pg, org_id)
    saved: list[int] = []
    writer = threading.Thread(target=lambda: saved.append(customers.save_customer(ctx, {"name": "Waiting"})))
    writer.start()
    time.sleep(1.0)
    assert saved == [] and writer.is_alive()  # it waits while the other holds the lock
    tx.commit()
    conn.close()
    writer.join(timeout=30)
    assert len(saved) == 1 and customers.get_customer(ctx, saved[0])["name"] == "Waiting"


def test_another_organization_does_not_wait(pg: Database) -> None:
    org_a, _ = make_org(pg)
    _, ctx_b = make_org(pg)
    conn, tx = _hold(pg, org_a)
    try:
        start = time.monotonic()
        customers.save_customer(ctx_b, {"name": "Elsewhere"})
        assert time.monotonic() - start < 5
    finally:
        tx.rollback()
        conn.close()


def test_a_wait_past_the_limit_says_so_and_saves_nothing(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    org_id, ctx = make_org(pg)
    before = customers.list_customers(ctx).total
    monkeypatch.setattr(access, "LOCK_WAIT", "1s")
    conn, tx = _hold(pg, org_id)
    try:
        with pytest.raises(DatabaseBusyError, match="nothing was saved"):
            customers.save_customer(ctx, {"name": "Too late"})
    finally:
        tx.rollback()
        conn.close()
    assert customers.list_customers(ctx).total == before
