"""Jobs: long work asked for over the API (a store import of a big file) runs in the app's background and is
polled for its progress and result (issue 17). Kept in the database, so any replica answers about any job."""

from __future__ import annotations

import json
from typing import Any

from backoffice.core.context import Context
from backoffice.core.errors import NotFoundError
from backoffice.db import now
from backoffice.db.queries import jobs as q

PERMISSION = {"import": "orders.write"}  # the permission a kind of job needs, as its command does


def start_job(ctx: Context, kind: str) -> int:
    """A new running job of this kind for this user."""
    ctx.require(PERMISSION[kind])
    with ctx.write() as conn:
        return q.insert_job(conn, ctx.org_id, ctx.user.user_id, kind, now())


def report_progress(ctx: Context, job_id: int, fraction: float, stage: str) -> None:
    """The job's progress (0..1) and what it is doing; only the job's own user (its worker) writes it."""
    ctx.require("customers.read")
    with ctx.write() as conn:
        _own(conn, ctx, job_id)
        q.set_progress(conn, job_id, max(0, min(100, round(fraction * 100))), stage)


def finish_job(ctx: Context, job_id: int, exit_code: int, output: str, error: str) -> None:
    """The job ended: its command's exit code, its JSON output (when there is one) and its error text."""
    ctx.require("customers.read")
    try:
        result = json.dumps(json.loads(output)) if output.strip() else None
    except ValueError:
        result = json.dumps({"output": output})
    with ctx.write() as conn:
        _own(conn, ctx, job_id)
        q.finish(
            conn, job_id, "done" if exit_code == 0 else "failed", exit_code, result, error or None, now()
        )


def get_job(ctx: Context, job_id: int) -> dict[str, Any]:
    """A job of this organization: its own user's, or any for an admin."""
    ctx.require("customers.read")
    with ctx.read() as conn:
        found = q.job(conn, ctx.org_id, job_id)
    if found is None or (found["user_id"] != ctx.user.user_id and not ctx.can("users.manage")):
        raise NotFoundError(f"No job #{job_id} of yours in this organization.")
    return {
        "job": found["job_id"],
        "kind": found["kind"],
        "status": found["status"],
        "progress": found["progress"],
        "stage": found["stage"],
        "exit_code": found["exit_code"],
        "result": json.loads(found["result_json"]) if found["result_json"] else None,
        "error": found["error"],
        "created_at": found["created_at"],
        "finished_at": found["finished_at"],
    }


def _own(conn: Any, ctx: Context, job_id: int) -> None:
    """The job is this user's (or the app's own worker closes it: its user may have left meanwhile)."""
    found = q.job(conn, ctx.org_id, job_id)
    if found is None or (found["user_id"] != ctx.user.user_id and not ctx.user.is_system):
        raise NotFoundError(f"No job #{job_id} of yours in this organization.")
