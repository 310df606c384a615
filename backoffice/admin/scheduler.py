"""Timed work the app runs itself, because one process owns the DuckDB file (docs/architecture.md): the daily payment
reminders (SPEC M7) and the daily backup with its retention (SPEC A7). `run_once` does one round of reminders for
every organization with a sender configured; the app ticks from a background thread when BACKOFFICE_REMINDERS=daily
or BACKOFFICE_BACKUPS=daily; the CLI's `remind` and `backup` do them by hand.

On PostgreSQL several replicas of the app may each run this thread; only the leader does the rounds (`tick`: the
process holding the scheduler's advisory lock, backoffice.db.leader). When the leader dies its lock goes with its
connection and another replica takes over at its next tick. On DuckDB the one process always leads.

Nothing stops the thread: any failure, ours or a library's, is logged with its traceback and the next round
runs at the next tick; one organization's failure never keeps the others from their reminders."""

from __future__ import annotations

import logging
import threading
from typing import Any

from backoffice import messaging
from backoffice.admin import backup, orgs
from backoffice.core.context import Context, User
from backoffice.core.errors import BackofficeError
from backoffice.db import Database
from backoffice.db.leader import Leader

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 3600  # checked hourly; reminders go at most once a day per customer


def run_once(db: Database) -> dict[int, Any]:
    """One round: each organization with a sender gets today's due reminders (at most one per customer)."""
    done: dict[int, Any] = {}
    for org in orgs.list_organizations(db):
        ctx = Context(db, User.system("scheduler"), int(org["org_id"]))
        try:
            if messaging.get_smtp_settings(ctx) is None:
                continue
            done[ctx.org_id] = messaging.send_due_reminders(ctx)
        except BackofficeError as exc:  # one organization's mail trouble does not stop the others
            log.warning("reminders of organization %s: %s", ctx.org_id, exc)
            done[ctx.org_id] = {"error": str(exc)}
        except Exception as exc:  # a defect: logged with its traceback; the other organizations still run
            log.exception("reminders of organization %s failed", ctx.org_id)
            done[ctx.org_id] = {"error": f"{type(exc).__name__}: {exc}"}
    return done


def tick(
    db: Database, leader: Leader, reminders: bool = True, backups: bool = False
) -> dict[Any, Any] | None:
    """One tick of the scheduler: a round when this process leads, else nothing (None). The round sends the due
    reminders and (BACKOFFICE_BACKUPS=daily) takes the day's backup once, with its retention."""
    if not leader.leads():
        return None
    done: dict[Any, Any] = run_once(db) if reminders else {}
    if backups:
        try:
            done["backup"] = backup.daily_backup(db)
        except Exception as exc:  # a full disk must not stop the reminders: logged, tried again next tick
            log.exception("the daily backup failed")
            done["backup"] = {"error": f"{type(exc).__name__}: {exc}"}
    return done


def start(
    db: Database,
    interval: float = INTERVAL_SECONDS,
    stop: threading.Event | None = None,
    reminders: bool = True,
    backups: bool = False,
) -> threading.Thread:
    """A daemon thread that ticks now and then every `interval` seconds until the process ends (or until `stop` is
    set): each tick runs a round if this process leads (one replica of several on PostgreSQL)."""
    stop = stop or threading.Event()
    leader = Leader(db)

    def loop() -> None:
        try:
            while not stop.is_set():
                try:
                    tick(db, leader, reminders, backups)
                except Exception:  # say the database is unreachable: the next tick tries again
                    log.exception("the scheduler's round failed; the next one runs in %s s", interval)
                stop.wait(interval)
        finally:
            leader.release()

    thread = threading.Thread(target=loop, name="backoffice-scheduler", daemon=True)
    thread.start()
    return thread
