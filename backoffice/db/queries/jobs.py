"""SQL of jobs (long work asked for over the API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.db.queries import insert_returning, one, run


def insert_job(conn: Connection, org_id: int, user_id: int | None, kind: str, at: datetime) -> int:
    return insert_returning(
        conn,
        "INSERT INTO jobs (org_id, user_id, kind, status, created_at) VALUES (:org, :user, :kind, 'running', :at) "
        "RETURNING job_id",
        org=org_id,
        user=user_id,
        kind=kind,
        at=at,
    )


def set_progress(conn: Connection, job_id: int, percent: int, stage: str) -> None:
    run(conn, "UPDATE jobs SET progress = :p, stage = :s WHERE job_id = :id", p=percent, s=stage, id=job_id)


def finish(
    conn: Connection,
    job_id: int,
    status: str,
    exit_code: int,
    result_json: str | None,
    error: str | None,
    at: datetime,
) -> None:
    run(
        conn,
        "UPDATE jobs SET status = :status, exit_code = :code, result_json = :result, error = :error, "
        "progress = CASE WHEN :done THEN 100 ELSE progress END, finished_at = :at WHERE job_id = :id",
        status=status,
        done=status == "done",
        code=exit_code,
        result=result_json,
        error=error,
        at=at,
        id=job_id,
    )


def job(conn: Connection, org_id: int, job_id: int) -> dict[str, Any] | None:
    return one(conn, "SELECT * FROM jobs WHERE org_id = :org AND job_id = :id", org=org_id, id=job_id)
