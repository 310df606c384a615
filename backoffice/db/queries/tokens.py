"""SQL of personal API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.db.queries import insert_returning, one, rows, run


def insert_token(
    conn: Connection,
    org_id: int,
    user_id: int,
    name: str,
    token_hash: str,
    created_by: int | None,
    at: datetime,
    expires_at: datetime | None,
) -> int:
    return int(
        insert_returning(
            conn,
            "INSERT INTO api_tokens (org_id, user_id, name, token_hash, created_by, created_at, expires_at) "
            "VALUES (:org, :user, :name, :hash, :by, :at, :expires) RETURNING token_id",
            expires=expires_at,
            org=org_id,
            user=user_id,
            name=name,
            hash=token_hash,
            by=created_by,
            at=at,
        )
    )


_LISTED = (
    "SELECT t.token_id, t.user_id, u.email, t.name, t.created_at, t.last_used_at, t.expires_at, t.revoked_at "
    "FROM api_tokens t JOIN users u ON u.user_id = t.user_id WHERE t.org_id = :org"
)


def tokens_of_org(conn: Connection, org_id: int, user_id: int | None) -> list[dict[str, Any]]:
    """The organization's tokens (of one user when given), newest first; never their hashes."""
    return rows(
        conn,
        _LISTED + " AND (CAST(:user AS BIGINT) IS NULL OR t.user_id = :user) ORDER BY t.token_id DESC",
        org=org_id,
        user=user_id,
    )


def token(conn: Connection, org_id: int, token_id: int) -> dict[str, Any] | None:
    return one(conn, _LISTED + " AND t.token_id = :id", org=org_id, id=token_id)


def live_token(conn: Connection, token_hash: str, at: datetime) -> dict[str, Any] | None:
    """The unrevoked, unexpired token with this hash, its user still active and still a member of its
    organization."""
    return one(
        conn,
        "SELECT t.token_id, t.org_id, t.user_id, t.last_used_at, m.role, u.email, u.name, u.language "
        "FROM api_tokens t JOIN users u ON u.user_id = t.user_id "
        "JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.user_id "
        "WHERE t.token_hash = :hash AND t.revoked_at IS NULL AND u.is_active "
        "AND (t.expires_at IS NULL OR t.expires_at > :at)",
        hash=token_hash,
        at=at,
    )


def revoke(conn: Connection, org_id: int, token_id: int, at: datetime) -> None:
    run(
        conn,
        "UPDATE api_tokens SET revoked_at = :at WHERE org_id = :org AND token_id = :id AND revoked_at IS NULL",
        org=org_id,
        id=token_id,
        at=at,
    )


def revoke_all_of_user(conn: Connection, user_id: int, at: datetime) -> None:
    """Every live token of the account, in every organization (its password changed or was reset)."""
    run(
        conn,
        "UPDATE api_tokens SET revoked_at = :at WHERE user_id = :user AND revoked_at IS NULL",
        user=user_id,
        at=at,
    )


def touch(conn: Connection, token_id: int, at: datetime) -> None:
    run(conn, "UPDATE api_tokens SET last_used_at = :at WHERE token_id = :id", id=token_id, at=at)
