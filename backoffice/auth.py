"""Accounts and sign-in: argon2id hashes, the password policy, throttling, invitations and resets (SPEC A1–A4).

Owns users and their memberships. Throttling counts failures per account and per
source in the database, with a delay that doubles per failure past a threshold;
an unknown user and a wrong password get the same message and the same work.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backoffice import audit
from backoffice.context import ROLES, Context, User
from backoffice.db import Database, now
from backoffice.db.queries import access as q
from backoffice.errors import (
    AuthError,
    ConflictError,
    FieldError,
    NotFoundError,
    ThrottledError,
    ValidationError,
)
from backoffice.validation import LANGUAGES, check_emails, check_phone

ACCOUNT_THRESHOLD, SOURCE_THRESHOLD = 5, 20
BASE_DELAY, MAX_DELAY = 30, 900  # seconds: 30 s after the 5th failure, doubling, at most 15 minutes
WINDOW = timedelta(minutes=30)
TOKEN_LIFETIME = timedelta(days=3)
SIGN_IN_FAILED = "Wrong email/mobile or password."


@cache
def _hasher() -> PasswordHasher:
    if os.environ.get("BACKOFFICE_FAST_HASH") == "1":  # tests only: still argon2id, tiny cost
        return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    return PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)  # OWASP minimum for argon2id


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_hex(16))


def password_problem(password: str) -> str | None:
    """The policy: 8+ characters with an upper-case letter, a lower-case letter, a digit and a symbol."""
    missing = []
    if len(password) < 8:
        missing.append("at least 8 characters")
    if not re.search(r"[A-Z]", password):
        missing.append("an upper-case letter")
    if not re.search(r"[a-z]", password):
        missing.append("a lower-case letter")
    if not re.search(r"\d", password):
        missing.append("a digit")
    if not re.search(r"[^A-Za-z0-9]", password):
        missing.append("a symbol")
    return "The password needs " + ", ".join(missing) + "." if missing else None


def hash_password(password: str) -> str:
    if problem := password_problem(password):
        raise ValidationError(problem, "password")
    return _hasher().hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _login_key(login: str) -> str:
    login = login.strip()
    if "@" in login:
        return login.lower()
    phone, _ = check_phone(login, None)
    return phone or login


def _wait_needed(failures: int, last: datetime | None, threshold: int, at: datetime) -> int:
    if failures < threshold or last is None:
        return 0
    delay = min(BASE_DELAY * 2 ** (failures - threshold), MAX_DELAY)
    return max(0, int((last + timedelta(seconds=delay) - at).total_seconds()) + 1)


def sign_in(db: Database, login: str, password: str, source: str = "local") -> User:
    """Check the credentials; raises AuthError (or ThrottledError) with the same words for every failure."""
    key, at = _login_key(login), now()
    with db.read() as conn:
        by_account = q.recent_failures(conn, "username_key", key, at - WINDOW)
        by_source = q.recent_failures(conn, "source", source, at - WINDOW)
        user = q.user_by_login(conn, key)
    wait = max(
        _wait_needed(*by_account, ACCOUNT_THRESHOLD, at), _wait_needed(*by_source, SOURCE_THRESHOLD, at)
    )
    if wait:
        raise ThrottledError(wait)
    ok = _verify(user["password_hash"] if user else None, password) and bool(user and user["is_active"])
    with db.write() as conn:
        q.record_attempt(conn, key, source, ok, at)
    if not ok or user is None:
        raise AuthError(SIGN_IN_FAILED)
    return _user(user)


def _user(row: dict[str, Any]) -> User:
    return User(user_id=row["user_id"], email=row["email"], name=row["name"], language=row["language"])


def get_user(db: Database, user_id: int) -> User:
    with db.read() as conn:
        row = q.user_by_id(conn, user_id)
    if row is None:
        raise NotFoundError("No such user.")
    return _user(row)


def _check_new_user(
    conn: Any, email: str, name: str, mobile: str | None, except_id: int | None = None
) -> tuple[str, str | None]:
    problems = []
    emails, problem = check_emails(email)
    if problem or len(emails) != 1:
        problems.append(FieldError("email", problem or "one email address is required"))
    phone, problem = check_phone(mobile, None)
    if problem:
        problems.append(FieldError("mobile", problem + " (include the country code)"))
    if not name.strip():
        problems.append(FieldError("name", "the name is required"))
    if problems:
        raise ValidationError(problems)
    clash = q.user_clashes(conn, emails[0], phone, except_id)
    if clash:
        field = "email" if clash["email"] == emails[0] else "mobile"
        raise ConflictError(
            f"An account with this {field} already exists. Sign in, or ask an admin to reset its password."
        )
    return emails[0], phone


def insert_user(
    conn: Any, email: str, name: str, password: str | None, mobile: str | None, language: str = "en"
) -> int:
    """Create a user inside the caller's transaction (first-run setup, invitations, the CLI)."""
    password_hash = hash_password(password) if password is not None else None
    email, phone = _check_new_user(conn, email, name, mobile)
    if language not in LANGUAGES:
        raise ValidationError(f"choose one of {', '.join(LANGUAGES)}", "language")
    return q.insert_user(
        conn,
        email=email,
        mobile=phone,
        name=name.strip(),
        password_hash=password_hash,
        language=language,
        created_at=now(),
    )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError(f"choose one of {', '.join(ROLES)}", "role")


def add_user(
    ctx: Context,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    mobile: str | None = None,
    language: str = "en",
) -> tuple[int, str | None]:
    """Add a member to the organization. Without a password, returns an invitation token to pass on.

    An email that already has an account gets the role in this organization instead (no second account).
    """
    ctx.require("users.manage")
    _check_role(role)
    with ctx.db.write() as conn:
        existing = q.user_by_login(conn, email.strip().lower())
        if existing is not None:
            if q.role_of(conn, ctx.org_id, existing["user_id"]):
                raise ConflictError(f"{existing['email']} is already a member of this organization.")
            user_id, token = existing["user_id"], None
        else:
            user_id = insert_user(conn, email, name, password, mobile, language)
            token = None if password else _new_token(conn, ctx, user_id, "invite")
        q.upsert_membership(conn, ctx.org_id, user_id, role, now())
        audit.record(conn, ctx, "add", "membership", user_id, after={"email": email, "role": role})
    return user_id, token


def _new_token(conn: Any, ctx: Context, user_id: int, purpose: str) -> str:
    token = secrets.token_urlsafe(24)
    q.insert_token(
        conn,
        token_hash=_token_hash(token),
        user_id=user_id,
        purpose=purpose,
        expires_at=now() + TOKEN_LIFETIME,
        created_by=ctx.user.user_id,
        created_at=now(),
    )
    return token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def issue_reset_token(ctx: Context, user_id: int) -> str:
    """An admin-issued, single-use token the user redeems to set a new password (valid 3 days)."""
    ctx.require("users.manage")
    with ctx.db.write() as conn:
        if not q.role_of(conn, ctx.org_id, user_id):
            raise NotFoundError("That user is not a member of this organization.")
        token = _new_token(conn, ctx, user_id, "reset")
        audit.record(conn, ctx, "issue_reset_token", "user", user_id)
    return token


def redeem_token(db: Database, token: str, new_password: str) -> User:
    """Set a password with an invitation or reset token; the token then stops working."""
    password_hash = hash_password(new_password)
    with db.write() as conn:
        row = q.usable_token(conn, _token_hash(token), now())
        if row is None:
            raise AuthError("This link or token is invalid, used or expired. Ask an admin for a new one.")
        q.set_password_hash(conn, row["user_id"], password_hash)
        q.use_token(conn, _token_hash(token), now())
        user = q.user_by_id(conn, row["user_id"])
    assert user is not None
    return _user(user)


def change_password(db: Database, user: User, old_password: str, new_password: str) -> None:
    with db.read() as conn:
        row = q.user_by_id(conn, user.user_id or -1)
    if row is None or not _verify(row["password_hash"], old_password):
        raise ValidationError("the current password is wrong", "old_password")
    password_hash = hash_password(new_password)
    with db.write() as conn:
        q.set_password_hash(conn, row["user_id"], password_hash)


def set_language(db: Database, user: User, language: str) -> User:
    if language not in LANGUAGES:
        raise ValidationError(f"choose one of {', '.join(LANGUAGES)}", "language")
    with db.write() as conn:
        q.set_language(conn, user.user_id or -1, language)
    return User(user.user_id, user.email, user.name, language)


def set_role(ctx: Context, user_id: int, role: str) -> None:
    ctx.require("users.manage")
    _check_role(role)
    with ctx.db.write() as conn:
        before = q.role_of(conn, ctx.org_id, user_id)
        if before is None:
            raise NotFoundError("That user is not a member of this organization.")
        if before == "admin" and role != "admin" and q.count_admins(conn, ctx.org_id) == 1:
            raise ConflictError("An organization needs at least one admin.")
        q.upsert_membership(conn, ctx.org_id, user_id, role, now())
        audit.record(conn, ctx, "set_role", "membership", user_id, {"role": before}, {"role": role})


def remove_member(ctx: Context, user_id: int) -> None:
    ctx.require("users.manage")
    with ctx.db.write() as conn:
        before = q.role_of(conn, ctx.org_id, user_id)
        if before is None:
            raise NotFoundError("That user is not a member of this organization.")
        if before == "admin" and q.count_admins(conn, ctx.org_id) == 1:
            raise ConflictError("An organization needs at least one admin.")
        q.delete_membership(conn, ctx.org_id, user_id)
        audit.record(conn, ctx, "remove", "membership", user_id, {"role": before}, None)


def list_members(ctx: Context) -> list[dict[str, Any]]:
    ctx.require("settings.read")
    with ctx.db.read() as conn:
        return q.members(conn, ctx.org_id)


def organizations_of(db: Database, user: User) -> list[dict[str, Any]]:
    with db.read() as conn:
        return q.orgs_of_user(conn, user.user_id or -1)
