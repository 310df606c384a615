"""The database seam: one SQLAlchemy Core engine per URL, transactions, the writer lock.

Owns: building the engine from BACKOFFICE_DATABASE_URL (or a DuckDB path), read
connections, write transactions (DuckDB: behind one process-wide lock; PostgreSQL: behind
each organization's advisory writer lock, across processes), and turning "the file is locked
by another process" or "the writer lock's wait ran out" into an error that says what to do.
Does not own SQL (backoffice.db.queries and backoffice.db.migrations do).
"""

from __future__ import annotations

import os
import re
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from backoffice.core.errors import DatabaseBusyError
from backoffice.db.queries import access, orgs

DEFAULT_PATH = Path("data") / "backoffice.duckdb"


class FairLock:
    """The writer lock: reentrant, and first come, first served. A thread that releases it and asks again at once (an
    import between two batches) queues behind the sessions already waiting, instead of taking it back before they
    wake (threading.RLock makes no such promise: a waiting save was seen to wait 71 s behind 3-second batches)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._owner: int | None = None
        self._depth = 0
        self._queue: deque[object] = deque()

    def acquire(self) -> bool:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return True
            ticket = object()
            self._queue.append(ticket)
            try:
                while self._owner is not None or self._queue[0] is not ticket:
                    self._cond.wait()
            except BaseException:
                # interrupted while waiting: leave the queue, or the ones behind would wait forever
                self._queue.remove(ticket)
                self._cond.notify_all()
                raise
            self._queue.popleft()
            self._owner, self._depth = me, 1
            return True

    def release(self) -> None:
        with self._cond:
            if self._owner != threading.get_ident():
                raise RuntimeError("the writer lock is released by a thread that does not hold it")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._cond.notify_all()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


_LOCKS: dict[str, FairLock] = {}
_LOCKS_GUARD = threading.Lock()


def url_for(db_path: str | Path | None = None) -> str:
    """--db PATH wins, then BACKOFFICE_DATABASE_URL, then the default DuckDB file."""
    if db_path:
        return f"duckdb:///{Path(db_path).expanduser().resolve()}"
    return os.environ.get("BACKOFFICE_DATABASE_URL") or f"duckdb:///{DEFAULT_PATH.resolve()}"


def _writer_lock(url: str) -> FairLock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(url, FairLock())


class Database:
    """A handle on one database. Reads run concurrently; writes go one at a time per process (DuckDB) or per
    organization across processes (PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = _make_engine(url)
        self.dialect: str = self.engine.dialect.name  # "duckdb" or "postgresql"
        self._lock = _writer_lock(url)

    @property
    def is_duckdb(self) -> bool:
        return self.dialect == "duckdb"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with _translate_lock_errors(self.url), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self, org_id: int | None = None) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on any exception.

        DuckDB: one writing process, and in it one writer at a time (the FairLock). PostgreSQL: any number of
        processes; a transaction for an organization first takes that organization's writer lock (an advisory
        transaction lock), so its read-then-write decisions never interleave with another's (decision 0011)."""
        if self.is_duckdb:
            with self._lock, _translate_lock_errors(self.url), self.engine.begin() as conn:
                yield conn
            return
        with _translate_lock_errors(self.url), self.engine.begin() as conn:
            if org_id is not None:
                access.lock_organization(conn, org_id)
            yield conn

    def lock_organization(self, conn: Connection, org_id: int) -> None:
        """Inside a transaction already open: take the organization's writer lock too (PostgreSQL)."""
        with _translate_lock_errors(self.url):
            access.lock_organization(conn, org_id)

    def role_of(self, org_id: int, user_id: int | None, conn: Connection | None = None) -> str | None:
        """The user's role in the organization, None when they have none (what a Context checks); inside the
        transaction `conn` when one is open."""
        if conn is not None:
            return access.role_of(conn, org_id, user_id)
        with self.read() as conn:
            return access.role_of(conn, org_id, user_id)

    def organization(self, org_id: int, conn: Connection | None = None) -> dict[str, Any]:
        """The organization's row (NotFoundError when there is none), on `conn` inside a transaction."""
        if conn is not None:
            return orgs.the_org(conn, org_id)
        with self.read() as conn:
            return orgs.the_org(conn, org_id)

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str) -> Engine:
    if url.startswith("duckdb"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, object] = {}
        if threads := os.environ.get("BACKOFFICE_DUCKDB_THREADS"):
            config["threads"] = int(threads)
        return sa.create_engine(url, connect_args={"config": config}, pool_pre_ping=False)
    return sa.create_engine(url, pool_pre_ping=True)


@contextmanager
def _translate_lock_errors(url: str) -> Iterator[None]:
    try:
        yield
    except sa.exc.DBAPIError as exc:
        message = str(exc.orig) if exc.orig is not None else str(exc)
        if "Could not set lock on file" in message:
            pid = re.search(r"PID (\d+)", message)
            holder = f" (process {pid.group(1)})" if pid else ""
            raise DatabaseBusyError(
                f"The database file is in use by another program{holder}, for example a command-line import "
                "still running (a running app of this version takes the commands itself). Wait for it to finish "
                "or stop it, or run against PostgreSQL (BACKOFFICE_DATABASE_URL)."
            ) from exc
        if (
            getattr(exc.orig, "sqlstate", None) == "55P03"
        ):  # lock_not_available: the writer lock's wait ran out
            raise DatabaseBusyError(
                "Another change to this organization has been running for over a minute (usually a large "
                "import); nothing was saved. Try again when it has finished."
            ) from exc
        raise


def now() -> datetime:
    """The current UTC time, naive: how TIMESTAMP columns hold it on both engines."""
    return datetime.now(UTC).replace(tzinfo=None)


def open_database(url: str, migrate: bool = True) -> Database:
    """Open (and by default migrate) a database; raises DatabaseBusyError when the file is held."""
    from backoffice.db.migrations import apply_migrations

    db = Database(url)
    if migrate:
        apply_migrations(db)
        _seal_legacy_secrets(db)
    return db


def _seal_legacy_secrets(db: Database) -> None:
    """Secrets stored in clear before sealing existed are sealed at the first start after the upgrade."""
    from backoffice.db import secrets
    from backoffice.db.queries import messaging

    with db.read() as conn:
        if not messaging.stored_smtp_passwords(conn, legacy_only=True):
            return
    with db.write() as conn:
        secrets.reseal_all(conn, legacy_only=True)
