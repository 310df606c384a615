"""Timed work the app runs itself, because one process owns the DuckDB file (docs/architecture.md): the daily payment
reminders (SPEC M7). `run_once` does one round for every organization with a sender configured; the app
calls it from a background thread when BACKOFFICE_REMINDERS=daily; the CLI's `remind` does it by hand."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from backoffice.core.context import Context, User
from backoffice.core.errors import BackofficeError
from backoffice.db import Database

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 3600  # checked hourly; reminders go at most once a day per customer


def run_once(db: Database) -> dict[int, Any]:
    """One round: each organization with a sender gets today's due reminders (at most one per customer)."""
    from backoffice import messaging
    from backoffice.admin import orgs

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
    return done


def start(db: Database, interval: float = INTERVAL_SECONDS) -> threading.Thread:
    """A daemon thread that runs a round now and then every `interval` seconds until the process ends."""

    def loop() -> None:
        while True:
            run_once(db)
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="backoffice-scheduler", daemon=True)
    thread.start()
    return thread
