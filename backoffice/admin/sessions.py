"""Sign-in sessions kept in the database (issue 17; docs/decisions/0012-sessions-in-the-database.md).

Signing in starts a session: a random token the browser keeps in an HttpOnly cookie, of which the database holds
only the SHA-256, with the user, the organization last chosen, created and last-seen times, an idle expiry
(pushed forward as the person works) and an absolute one, and a revoked time. Every run of a page checks the
token here, so signing out in one tab, a password change or "sign out everywhere" takes effect in every tab at its
next action, and a restart or another replica (PostgreSQL) knows the session too.

The page cannot set an HttpOnly cookie; a route of the app's own server does (backoffice/web/routes.py). The page
hands the browser a single-use code, valid a minute, that the route trades for the cookie: the route gives the
session a new token then, so the one the page held in its memory stops working and the cookie is the only key.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from backoffice.core.context import Context, User
from backoffice.core.errors import NotFoundError
from backoffice.db import Database, audit, now
from backoffice.db.queries import access
from backoffice.db.queries import sessions as q

COOKIE = "backoffice_session"
IDLE = timedelta(hours=12)  # a working day without a click ends the session
ABSOLUTE = timedelta(days=7)  # and a week ends it whatever happens: sign in again
HANDOFF = timedelta(minutes=1)  # the code the browser trades for its cookie right after signing in
TOUCH_EVERY = timedelta(minutes=1)  # last-seen is written at most this often (a write per click is too many)
KEEP_ENDED = timedelta(days=30)  # ended sessions are deleted this long after their end


@dataclass(frozen=True)
class Started:
    """A new session: its token (for this tab's memory) and the code the browser trades for its cookie."""

    session_id: int
    token: str
    handoff: str


@dataclass(frozen=True)
class Session:
    session_id: int
    user_id: int
    org_id: int | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def start(db: Database, user: User, source: str = "local", org_id: int | None = None) -> Started:
    """Start a session for a user who has just proved who they are (auth.sign_in)."""
    if user.user_id is None:
        raise NotFoundError("No such user.")
    token, handoff = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    at = now()
    with db.write() as conn:
        q.forget_expired(conn, at - KEEP_ENDED)
        session_id = q.insert_session(
            conn,
            token_hash=_hash(token),
            user_id=user.user_id,
            org_id=org_id,
            source=source[:100],
            created_at=at,
            idle_expires_at=at + IDLE,
            expires_at=at + ABSOLUTE,
            handoff_hash=_hash(handoff),
            handoff_expires_at=at + HANDOFF,
        )
    return Started(session_id, token, handoff)


def redeem_handoff(db: Database, code: str) -> str | None:
    """Trade a handoff code for the session's cookie token (once, within a minute); None when it is not valid."""
    if not code:
        return None
    token = secrets.token_urlsafe(32)
    with db.write() as conn:
        found = q.take_handoff(conn, _hash(code), now(), _hash(token))
    return token if found is not None else None


def check(db: Database, token: str | None) -> Session | None:
    """The session this token opens, or None: unknown, revoked, expired (idle or absolute), or its user
    deactivated all mean signed out. A live session's idle expiry moves forward (written once a minute)."""
    if not token:
        return None
    at = now()
    with db.read() as conn:
        row = q.live_session(conn, _hash(token), at)
    if row is None or not row["is_active"]:
        return None
    if at - row["last_seen_at"] >= TOUCH_EVERY:
        with db.write() as conn:
            q.touch(conn, row["session_id"], at, min(at + IDLE, row["expires_at"]))
    return Session(int(row["session_id"]), int(row["user_id"]), row["org_id"])


def choose_organization(db: Database, session: Session, org_id: int) -> None:
    """Remember the organization the person works on, for their next page load (only one of theirs)."""
    if session.org_id == org_id:
        return
    with db.write() as conn:
        if access.role_of(conn, org_id, session.user_id) is None:
            raise NotFoundError("You are not a member of that organization.")
        q.set_org(conn, session.session_id, org_id)


def sign_out(db: Database, token: str | None) -> None:
    """End this session (every tab that shares its cookie is signed out at its next action)."""
    if token:
        with db.write() as conn:
            q.revoke(conn, _hash(token), now())


def sign_out_everywhere(db: Database, user: User, keep: Session | None = None) -> None:
    """End every session of one's own account, but `keep` (the one asking) when given."""
    with db.write() as conn:
        q.revoke_user_sessions(conn, user.user_id or -1, now(), keep.session_id if keep else None)


def end_sessions(ctx: Context, user_id: int) -> None:
    """An admin signs a member of their organization out everywhere (a lost laptop, a departing employee).

    Signing out takes nothing from the account but its open sessions, so any admin of an organization the
    account belongs to may do it; the account's owner signs in again with their own password."""
    ctx.require("users.manage")
    with ctx.write() as conn:
        if not access.role_of(conn, ctx.org_id, user_id):
            raise NotFoundError("That user is not a member of this organization.")
        q.revoke_user_sessions(conn, user_id, now())
        audit.record(conn, ctx, "sign_out_everywhere", "user", user_id)


def live_sessions(db: Database, user: User) -> int:
    """How many sessions of the account are live (My account shows it)."""
    with db.read() as conn:
        return q.live_sessions_of(conn, user.user_id or -1, now())
