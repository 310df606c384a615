"""SQL of users, memberships, tokens and sign-in attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.db.queries import aggregate, insert_returning, one, rows, run, scalar


def role_of(conn: Connection, org_id: int, user_id: int | None) -> str | None:
    return scalar(
        conn, "SELECT role FROM memberships WHERE org_id = :org AND user_id = :user", org=org_id, user=user_id
    )


def user_by_login(conn: Connection, login: str) -> dict[str, Any] | None:
    return one(conn, "SELECT * FROM users WHERE email = :login OR mobile = :login", login=login)


def user_by_id(conn: Connection, user_id: int) -> dict[str, Any] | None:
    return one(conn, "SELECT * FROM users WHERE user_id = :id", id=user_id)


def user_clashes(
    conn: Connection, email: str, mobile: str | None, except_id: int | None = None
) -> dict[str, Any] | None:
    return one(
        conn,
        "SELECT user_id, email, mobile FROM users WHERE (email = :email OR (CAST(:mobile AS VARCHAR) IS NOT NULL AND mobile = :mobile)) "
        "AND user_id <> COALESCE(:except_id, -1) LIMIT 1",
        email=email,
        mobile=mobile,
        except_id=except_id,
    )


def insert_user(conn: Connection, **values: Any) -> int:
    return insert_returning(
        conn,
        "INSERT INTO users (email, mobile, name, password_hash, language, is_active, created_at) "
        "VALUES (:email, :mobile, :name, :password_hash, :language, TRUE, :created_at) RETURNING user_id",
        **values,
    )


def set_password_hash(conn: Connection, user_id: int, password_hash: str) -> None:
    run(conn, "UPDATE users SET password_hash = :h WHERE user_id = :id", h=password_hash, id=user_id)


def set_language(conn: Connection, user_id: int, language: str) -> None:
    run(conn, "UPDATE users SET language = :lang WHERE user_id = :id", lang=language, id=user_id)


def set_active(conn: Connection, user_id: int, active: bool) -> None:
    run(conn, "UPDATE users SET is_active = :a WHERE user_id = :id", a=active, id=user_id)


def upsert_membership(conn: Connection, org_id: int, user_id: int, role: str, at: datetime) -> None:
    run(conn, "DELETE FROM memberships WHERE org_id = :org AND user_id = :user", org=org_id, user=user_id)
    run(
        conn,
        "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (:org, :user, :role, :at)",
        org=org_id,
        user=user_id,
        role=role,
        at=at,
    )


def delete_membership(conn: Connection, org_id: int, user_id: int) -> None:
    run(conn, "DELETE FROM memberships WHERE org_id = :org AND user_id = :user", org=org_id, user=user_id)


def count_admins(conn: Connection, org_id: int) -> int:
    return int(
        scalar(conn, "SELECT count(*) FROM memberships WHERE org_id = :org AND role = 'admin'", org=org_id)
    )


def is_admin_anywhere(conn: Connection, user_id: int) -> bool:
    return bool(
        scalar(
            conn,
            "SELECT count(*) FROM memberships WHERE user_id = :u AND role = 'admin'",
            u=user_id,
        )
    )


def members(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT u.user_id, u.email, u.mobile, u.name, u.language, u.is_active, m.role, "
        "(u.password_hash IS NULL) AS invitation_pending FROM memberships m JOIN users u ON u.user_id = m.user_id "
        "WHERE m.org_id = :org ORDER BY u.name",
        org=org_id,
    )


def orgs_of_user(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT o.org_id, o.name, m.role FROM memberships m JOIN organizations o ON o.org_id = m.org_id "
        "WHERE m.user_id = :user ORDER BY o.name",
        user=user_id,
    )


def insert_token(conn: Connection, **values: Any) -> None:
    run(
        conn,
        "INSERT INTO auth_tokens (token_hash, user_id, purpose, expires_at, created_by, created_at, org_id) "
        "VALUES (:token_hash, :user_id, :purpose, :expires_at, :created_by, :created_at, :org_id)",
        **values,
    )


def usable_token(conn: Connection, token_hash: str, at: datetime) -> dict[str, Any] | None:
    return one(
        conn,
        "SELECT * FROM auth_tokens WHERE token_hash = :h AND used_at IS NULL AND revoked_at IS NULL "
        "AND expires_at > :at",
        h=token_hash,
        at=at,
    )


def revoke_tokens(conn: Connection, user_id: int, at: datetime, org_id: int | None = None) -> None:
    """Revoke a user's unused tokens: all of them, or those one organization issued."""
    run(
        conn,
        "UPDATE auth_tokens SET revoked_at = :at WHERE user_id = :user AND used_at IS NULL "
        "AND revoked_at IS NULL AND (CAST(:org AS BIGINT) IS NULL OR org_id = :org)",
        at=at,
        user=user_id,
        org=org_id,
    )


def admin_orgs_missing(conn: Connection, user_id: int, admin_id: int | None) -> int:
    """How many organizations the user belongs to where `admin_id` is not an admin."""
    return int(
        scalar(
            conn,
            "SELECT count(*) FROM memberships m WHERE m.user_id = :user AND NOT EXISTS (SELECT 1 FROM "
            "memberships a WHERE a.org_id = m.org_id AND a.user_id = :admin AND a.role = 'admin')",
            user=user_id,
            admin=admin_id,
        )
    )


def upsert_invitation(conn: Connection, **values: Any) -> None:
    delete_invitation(conn, values["org_id"], values["user_id"])
    run(
        conn,
        "INSERT INTO membership_invitations (org_id, user_id, role, invited_by, code_hash, expires_at, created_at) "
        "VALUES (:org_id, :user_id, :role, :invited_by, :code_hash, :expires_at, :created_at)",
        **values,
    )


def set_invitation_role(conn: Connection, org_id: int, user_id: int, role: str) -> None:
    run(
        conn,
        "UPDATE membership_invitations SET role = :role WHERE org_id = :org AND user_id = :user",
        role=role,
        org=org_id,
        user=user_id,
    )


def delete_invitation(conn: Connection, org_id: int, user_id: int) -> None:
    run(
        conn,
        "DELETE FROM membership_invitations WHERE org_id = :org AND user_id = :user",
        org=org_id,
        user=user_id,
    )


def invitation(conn: Connection, org_id: int, user_id: int) -> dict[str, Any] | None:
    return one(
        conn,
        "SELECT * FROM membership_invitations WHERE org_id = :org AND user_id = :user",
        org=org_id,
        user=user_id,
    )


def invitations_of_user(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT i.org_id, o.name AS organization, i.role, i.created_at, i.expires_at, u.name AS invited_by "
        "FROM membership_invitations i JOIN organizations o ON o.org_id = i.org_id "
        "LEFT JOIN users u ON u.user_id = i.invited_by WHERE i.user_id = :user ORDER BY i.created_at",
        user=user_id,
    )


def pending_invitations(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT u.user_id, u.email, u.name, i.role, i.created_at FROM membership_invitations i "
        "JOIN users u ON u.user_id = i.user_id WHERE i.org_id = :org ORDER BY u.name",
        org=org_id,
    )


def claim_attempt(conn: Connection, username_key: str, source: str, at: datetime) -> int:
    """Record an attempt as failed before the password is checked (it becomes a success afterwards)."""
    return insert_returning(
        conn,
        "INSERT INTO login_attempts (username_key, source, succeeded, attempted_at) "
        "VALUES (:u, :s, FALSE, :at) RETURNING attempt_id",
        u=username_key,
        s=source,
        at=at,
    )


def mark_attempt_succeeded(conn: Connection, attempt_id: int) -> None:
    run(conn, "UPDATE login_attempts SET succeeded = TRUE WHERE attempt_id = :id", id=attempt_id)


ORG_WRITE_LOCK = (
    7_246_002  # PostgreSQL advisory lock class: (this, org_id) is held by the organization's writer
)
LOCK_WAIT = (
    "60s"  # how long a write waits for the organization's writer before it gives up with a clear error
)


def lock_organization(conn: Connection, org_id: int) -> None:
    """PostgreSQL: wait for, then hold until commit or rollback, the organization's writer lock, so that writes to
    one organization's books run one at a time across every process and machine (docs/decisions/0011).
    DuckDB has one writing process, whose writer lock already does this."""
    if conn.dialect.name != "postgresql":
        return
    run(
        conn,
        "SELECT set_config('lock_timeout', :wait, true), pg_advisory_xact_lock(:k, CAST(:org AS INTEGER))",
        wait=LOCK_WAIT,
        k=ORG_WRITE_LOCK,
        org=org_id,
    )


def lock_sign_in(conn: Connection, keys: list[str]) -> None:
    """On PostgreSQL, serialize sign-ins of the same account or source across processes until commit.

    DuckDB has one writing process, whose writer lock already serializes them."""
    if conn.dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        run(conn, "SELECT pg_advisory_xact_lock(hashtext(:k))", k="sign-in:" + key)


def use_token(conn: Connection, token_hash: str, at: datetime) -> None:
    run(conn, "UPDATE auth_tokens SET used_at = :at WHERE token_hash = :h", h=token_hash, at=at)


def record_attempt(conn: Connection, username_key: str, source: str, succeeded: bool, at: datetime) -> None:
    run(
        conn,
        "INSERT INTO login_attempts (username_key, source, succeeded, attempted_at) VALUES (:u, :s, :ok, :at)",
        u=username_key,
        s=source,
        ok=succeeded,
        at=at,
    )


def recent_failures(
    conn: Connection, column: str, value: str, since: datetime
) -> tuple[int, datetime | None]:
    """Failures since the last success for one account (column='username_key') or one source."""
    sql = {
        "username_key": "SELECT count(*) AS n, max(attempted_at) AS last FROM login_attempts WHERE username_key = :v "
        "AND NOT succeeded AND attempted_at > :since AND attempted_at > COALESCE((SELECT max(attempted_at) "
        "FROM login_attempts WHERE username_key = :v AND succeeded), :since)",
        "source": "SELECT count(*) AS n, max(attempted_at) AS last FROM login_attempts WHERE source = :v "
        "AND NOT succeeded AND attempted_at > :since",
    }[column]
    row = aggregate(conn, sql, v=value, since=since)
    return int(row["n"]), row["last"]
