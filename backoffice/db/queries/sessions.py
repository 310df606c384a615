"""SQL of sign-in sessions (the `sessions` table, migration 15)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backoffice.db.queries import insert_returning, one, run


def insert_session(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO sessions (token_hash, user_id, org_id, source, created_at, last_seen_at, idle_expires_at, "
        "expires_at, handoff_hash, handoff_expires_at) VALUES (:token_hash, :user_id, :org_id, :source, "
        ":created_at, :created_at, :idle_expires_at, :expires_at, :handoff_hash, :handoff_expires_at) "
        "RETURNING session_id",
        **values,
    )


def live_session(conn: Connection, token_hash: str, at: datetime) -> dict[str, Any] | None:
    """The session this token opens, with its user, if it is neither revoked nor expired (idle or absolute)."""
    return one(
        conn,
        "SELECT s.session_id, s.user_id, s.org_id, s.last_seen_at, s.expires_at, u.is_active "
        "FROM sessions s JOIN users u ON u.user_id = s.user_id "
        "WHERE s.token_hash = :h AND s.revoked_at IS NULL AND s.idle_expires_at > :at AND s.expires_at > :at",
        h=token_hash,
        at=at,
    )


def touch(conn: Connection, session_id: int, at: datetime, idle_expires_at: datetime) -> None:
    run(
        conn,
        "UPDATE sessions SET last_seen_at = :at, idle_expires_at = :idle WHERE session_id = :id",
        at=at,
        idle=idle_expires_at,
        id=session_id,
    )


def take_handoff(conn: Connection, handoff_hash: str, at: datetime, new_token_hash: str) -> int | None:
    """Redeem a live session's single-use handoff code: the session gets a new token (the one the cookie
    carries) and the code is spent. Returns the session's id, None when the code is unknown, used or expired."""
    found = conn.execute(
        sa.text(
            "UPDATE sessions SET token_hash = :new, handoff_hash = NULL, handoff_expires_at = NULL "
            "WHERE handoff_hash = :h AND handoff_expires_at > :at AND revoked_at IS NULL AND expires_at > :at "
            "RETURNING session_id"
        ),
        {"new": new_token_hash, "h": handoff_hash, "at": at},
    ).scalar()
    return int(found) if found is not None else None


def set_org(conn: Connection, session_id: int, org_id: int) -> None:
    run(conn, "UPDATE sessions SET org_id = :org WHERE session_id = :id", org=org_id, id=session_id)


def revoke(conn: Connection, token_hash: str, at: datetime) -> None:
    run(
        conn,
        "UPDATE sessions SET revoked_at = :at WHERE token_hash = :h AND revoked_at IS NULL",
        at=at,
        h=token_hash,
    )


def revoke_user_sessions(
    conn: Connection, user_id: int, at: datetime, keep_session_id: int | None = None
) -> None:
    """Revoke every live session of the user but `keep_session_id`'s."""
    run(
        conn,
        "UPDATE sessions SET revoked_at = :at WHERE user_id = :user AND revoked_at IS NULL "
        "AND session_id <> COALESCE(CAST(:keep AS BIGINT), -1)",
        at=at,
        user=user_id,
        keep=keep_session_id,
    )


def live_sessions_of(conn: Connection, user_id: int, at: datetime) -> int:
    return int(
        conn.execute(
            sa.text(
                "SELECT count(*) FROM sessions WHERE user_id = :user AND revoked_at IS NULL "
                "AND idle_expires_at > :at AND expires_at > :at"
            ),
            {"user": user_id, "at": at},
        ).scalar()
        or 0
    )


def forget_expired(conn: Connection, before: datetime) -> None:
    """Delete sessions that ended (expired or revoked) before `before`: nothing reads them any more."""
    run(
        conn,
        "DELETE FROM sessions WHERE expires_at < :before OR idle_expires_at < :before OR revoked_at < :before",
        before=before,
    )
