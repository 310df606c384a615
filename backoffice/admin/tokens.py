"""Personal API tokens (issue 17): `Authorization: Bearer TOKEN` on /api/v1 acts as the token's user, with that
user's role, in the token's organization — the same services and permission checks as the pages.

A token is shown once when created; only its SHA-256 is stored (a token is 256 random bits, so a fast hash is
enough, unlike a password). Anyone may make and revoke their own; an admin (or the command line) may make one for
another member, list every token of the organization and revoke any of them. Removing a member, deactivating the
account or revoking the token ends it at the next request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from backoffice.core.context import Context, User
from backoffice.core.errors import AuthError, NotFoundError, ValidationError
from backoffice.db import Database, audit, now
from backoffice.db.queries import access as access_q
from backoffice.db.queries import tokens as q

PREFIX = "bo_"
TOUCH_EVERY = timedelta(minutes=1)  # last use is written at most this often, not on every request


def _hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def create_token(
    ctx: Context, name: str = "API", email: str | None = None, days: int | None = None
) -> dict[str, Any]:
    """A new token for this user (or, for an admin, for the member with this email), valid `days` days or until
    revoked: {"id", "token", "expires_at"}; the token is in this answer only."""
    ctx.require("tokens.own")
    name = (name or "").strip() or "API"
    if len(name) > 100:
        raise ValidationError("a token's name is at most 100 characters", "name")
    if days is not None and not 1 <= days <= 3650:
        raise ValidationError("a token lasts from 1 to 3650 days (or until revoked)", "days")
    expires_at = now() + timedelta(days=days) if days else None
    with ctx.write() as conn:
        if email is None or (not ctx.user.is_system and email.strip().lower() == ctx.user.email.lower()):
            if ctx.user.user_id is None:
                raise ValidationError("name the user the token is for (--email)", "email")
            user_id = ctx.user.user_id
        else:
            ctx.require("users.manage")
            found = access_q.user_by_login(conn, email.strip().lower())
            if found is None or not access_q.role_of(conn, ctx.org_id, found["user_id"]):
                raise NotFoundError(f"{email} is not a member of this organization.")
            user_id = int(found["user_id"])
        token = PREFIX + secrets.token_urlsafe(32)
        token_id = q.insert_token(
            conn, ctx.org_id, user_id, name, _hash(token), ctx.user.user_id, now(), expires_at
        )
        audit.record(conn, ctx, "create", "api_token", token_id, after={"user_id": user_id, "name": name})
    return {"id": token_id, "token": token, "expires_at": expires_at}


def list_tokens(ctx: Context) -> list[dict[str, Any]]:
    """The organization's tokens for an admin, one's own for anyone else: never the token itself."""
    ctx.require("tokens.own")
    mine_only = not ctx.can("users.manage")
    with ctx.read() as conn:
        return q.tokens_of_org(conn, ctx.org_id, ctx.user.user_id if mine_only else None)


def revoke_token(ctx: Context, token_id: int) -> None:
    """Revoke one's own token, or (an admin) any token of the organization; it stops at the next request."""
    ctx.require("tokens.own")
    with ctx.write() as conn:
        found = q.token(conn, ctx.org_id, token_id)
        if found is None or (found["user_id"] != ctx.user.user_id and not ctx.can("users.manage")):
            raise NotFoundError(f"No API token #{token_id} of yours in this organization.")
        q.revoke(conn, ctx.org_id, token_id, now())
        audit.record(conn, ctx, "revoke", "api_token", token_id)


def authenticate(db: Database, token: str) -> Context:
    """The Context a bearer token acts in; AuthError when it is unknown, revoked, or its user is no longer an
    active member of its organization."""
    if not token or not token.startswith(PREFIX):
        raise AuthError("Give a personal API token: Authorization: Bearer bo_…")
    at = now()
    with db.read() as conn:
        found = q.live_token(conn, _hash(token), at)
    if found is None:
        raise AuthError("This API token is unknown, revoked or expired.")
    if found["last_used_at"] is None or at - found["last_used_at"] > TOUCH_EVERY:
        with db.write() as conn:
            q.touch(conn, int(found["token_id"]), at)
    user = User(int(found["user_id"]), found["email"], found["name"], found["language"])
    return Context(db, user, int(found["org_id"]))
