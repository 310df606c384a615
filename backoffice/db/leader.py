"""Which process runs the scheduled jobs (reminders; later backups and store pulls): the leader, one at a time.

PostgreSQL: several replicas of the app serve one database, and each runs the scheduler; only the one whose session
holds the advisory lock (SCHEDULER_LOCK, 0) does its rounds. It takes the lock with pg_try_advisory_lock (never
waits) on a connection of its own, kept open while it leads, in autocommit (never idle in a transaction). When that
connection dies (the process is killed, the network or the server drops it) the server ends the session and with
it the lock, and another replica takes it at its next tick. Before each round the leader checks on the same
connection that it still holds the lock; a connection that fails the check is given up.

DuckDB: one process owns the file, so it always leads.
"""

from __future__ import annotations

import logging
import threading

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from backoffice.db import Database

log = logging.getLogger(__name__)

# PostgreSQL advisory lock classes (the first of two int4 keys): 7_246_001 the migrations, 7_246_002 an
# organization's writes, 7_246_003 the scheduler's leader (second key 0), 14_011 a store import.
SCHEDULER_LOCK = 7_246_003

_TAKE = "SELECT pg_try_advisory_lock(:k, 0)"
_STILL_HELD = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted "
    "AND classid = CAST(:k AS oid) AND objid = 0 AND objsubid = 2"
)  # objsubid 2: a lock taken with two int4 keys


class Leader:
    """Ask `leads()` before each round: True when this process is (or has just become) the leader."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._guard = threading.Lock()
        self._engine: Engine | None = None
        self._conn: Connection | None = None

    def leads(self) -> bool:
        if self.db.dialect != "postgresql":
            return True
        with self._guard:
            if self._conn is not None:
                try:
                    if self._conn.execute(sa.text(_STILL_HELD), {"k": SCHEDULER_LOCK}).scalar_one():
                        return True
                    log.warning("the scheduler's leader lock was lost; trying to take it again")
                except sa.exc.SQLAlchemyError:
                    log.warning("the scheduler's leader connection was lost; trying to take the lock again")
                self._drop()
            return self._take()

    def _take(self) -> bool:
        if self._engine is None:
            # a connection of its own, outside the pool the work shares: closed means closed, lock and all
            self._engine = sa.create_engine(
                self.db.engine.url,
                poolclass=sa.pool.NullPool,
                isolation_level="AUTOCOMMIT",
                connect_args={"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                              "keepalives_count": 3},
            )  # fmt: skip
        try:
            conn = self._engine.connect()
        except sa.exc.SQLAlchemyError:
            log.warning("the scheduler cannot reach the database to take the leader lock", exc_info=True)
            return False
        try:
            taken = bool(conn.execute(sa.text(_TAKE), {"k": SCHEDULER_LOCK}).scalar_one())
        except sa.exc.SQLAlchemyError:
            conn.close()
            log.warning("the scheduler could not ask for the leader lock", exc_info=True)
            return False
        if not taken:  # another replica leads: nothing kept open here
            conn.close()
            return False
        log.info("this process now runs the scheduled jobs (leader lock taken)")
        self._conn = conn
        return True

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sa.exc.SQLAlchemyError:
                pass
            self._conn = None

    def release(self) -> None:
        """Stop leading: close the connection (the lock goes with its session)."""
        with self._guard:
            self._drop()
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
