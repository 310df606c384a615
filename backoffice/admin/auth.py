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
from zxcvbn import zxcvbn

from backoffice.core.context import ROLES, Context, User
from backoffice.core.errors import (
    AuthError,
    ConflictError,
    FieldError,
    NotFoundError,
    PermissionDenied,
    ThrottledError,
    ValidationError,
)
from backoffice.core.i18n import LANGUAGES
from backoffice.core.validation import check_emails, check_phone
from backoffice.db import Database, audit, now
from backoffice.db.queries import access as q
from backoffice.db.queries import sessions as session_q
from backoffice.db.queries import tokens as tokens_q

ACCOUNT_THRESHOLD, SOURCE_THRESHOLD = 5, 20
BASE_DELAY, MAX_DELAY = 30, 900  # seconds: 30 s after the 5th failure, doubling, at most 15 minutes
WINDOW = timedelta(minutes=30)
TOKEN_LIFETIME = timedelta(days=3)
SIGN_IN_FAILED = "Wrong email/mobile or password."
MIN_STRENGTH = 2  # zxcvbn score: 0-1 are the common and near-common passwords
MAX_PASSWORD_CHECK = 100  # zxcvbn's time grows with length; a longer password is judged by its first 100


@cache
def _hasher() -> PasswordHasher:
    if os.environ.get("BACKOFFICE_FAST_HASH") == "1":  # tests only: still argon2id, tiny cost
        return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    return PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)  # OWASP minimum for argon2id


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_hex(16))


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """The policy: 8+ characters with an upper-case letter, a lower-case letter, a digit and a symbol (not a
    space), and not a common password.

    "Common" is zxcvbn's judgement (Dropbox's estimator, maintained as the `zxcvbn` package): it knows the
    lists of the most used leaked passwords, keyboard walks, names and dates, with l33t and appended digits or
    symbols, so `Password1!` and `Qwerty123!` score 1. We refuse a score below 2 (under about a million
    guesses); the user's own email and name count as known words."""
    missing = []
    if len(password) < 8:
        missing.append("at least 8 characters")
    if not re.search(r"[A-Z]", password):
        missing.append("an upper-case letter")
    if not re.search(r"[a-z]", password):
        missing.append("a lower-case letter")
    if not re.search(r"\d", password):
        missing.append("a digit")
    if not re.search(r"[^A-Za-z0-9\s]", password):
        missing.append("a symbol (a space does not count)")
    if missing:
        return "The password needs " + ", ".join(missing) + "."
    if _guessable(password, user_inputs):
        return (
            "This password is too common or too easy to guess (it is on lists of leaked passwords, or close "
            "to one). Choose another: a few unrelated words with a digit and a symbol work well."
        )
    return None


def _guessable(password: str, user_inputs: tuple[str, ...]) -> bool:
    words = [part for text in user_inputs for part in re.split(r"[@.\s_\-+]+", text or "") if len(part) > 2]
    return int(zxcvbn(password[:MAX_PASSWORD_CHECK], user_inputs=words)["score"]) < MIN_STRENGTH


def hash_password(password: str, user_inputs: tuple[str, ...] = ()) -> str:
    if problem := password_problem(password, user_inputs):
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
    """Check the credentials; raises AuthError (or ThrottledError) with the same words for every failure.

    The attempt is counted before the password is checked, in one write transaction that also reads the
    counts (serialized per account and source across processes on PostgreSQL): however many guesses arrive
    at once, no more than the threshold is ever checked against the hash. It is recorded as a failure and
    turned into a success once the password matched."""
    key = _login_key(login)
    with db.write() as conn:
        q.lock_sign_in(conn, [key, source])
        at = now()  # after the lock: a sign-in that waited behind another counts at its own time
        by_account = q.recent_failures(conn, "username_key", key, at - WINDOW)
        by_source = q.recent_failures(conn, "source", source, at - WINDOW)
        wait = max(
            _wait_needed(*by_account, ACCOUNT_THRESHOLD, at), _wait_needed(*by_source, SOURCE_THRESHOLD, at)
        )
        if wait:
            raise ThrottledError(wait)
        attempt_id = q.claim_attempt(conn, key, source, at)
        user = q.user_by_login(conn, key)
    ok = _verify(user["password_hash"] if user else None, password) and bool(user and user["is_active"])
    if not ok or user is None:
        raise AuthError(SIGN_IN_FAILED)
    with db.write() as conn:
        q.mark_attempt_succeeded(conn, attempt_id)
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
    password_hash = hash_password(password, (email, name)) if password is not None else None
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

    An email that already has an account is not added: the account is invited, and the code returned goes to
    the person, who accepts with it while signed in as the account (My account). Until then the account has no
    access here; signing in as the account is not enough either, so whoever else can reach the account (an
    admin of its other organization) cannot accept for its owner. (user_id, None) means a new member with the
    password given.
    """
    ctx.require("users.manage")
    _check_role(role)
    with ctx.write() as conn:
        existing = q.user_by_login(conn, email.strip().lower())
        if existing is not None:
            if q.role_of(conn, ctx.org_id, existing["user_id"]):
                raise ConflictError(f"{existing['email']} is already a member of this organization.")
            code = secrets.token_urlsafe(12)
            q.upsert_invitation(
                conn,
                org_id=ctx.org_id,
                user_id=existing["user_id"],
                role=role,
                invited_by=ctx.user.user_id,
                code_hash=_token_hash(code),
                expires_at=now() + TOKEN_LIFETIME,
                created_at=now(),
            )
            audit.record(
                conn, ctx, "invite", "membership", existing["user_id"], after={"email": email, "role": role}
            )
            return existing["user_id"], code
        user_id = insert_user(conn, email, name, password, mobile, language)
        token = None if password else _new_token(conn, ctx, user_id, "invite")
        q.upsert_membership(conn, ctx.org_id, user_id, role, now())
        audit.record(conn, ctx, "add", "membership", user_id, after={"email": email, "role": role})
    return user_id, token


def my_invitations(db: Database, user: User) -> list[dict[str, Any]]:
    """The organizations that offered this account a role and wait for its answer."""
    with db.read() as conn:
        return q.invitations_of_user(conn, user.user_id or -1)


def answer_invitation(db: Database, user: User, org_id: int, accept: bool, code: str = "") -> None:
    """The account's owner, signed in as itself, accepts with the code the inviting admin gave them (becomes a
    member with the offered role) or declines. Accepting revokes every unused token of the account: one issued
    while only the other organization held it must not open this one."""
    with db.write() as conn:
        offer = q.invitation(conn, org_id, user.user_id or -1)
        if offer is None:
            raise NotFoundError("There is no invitation from this organization (it may have been withdrawn).")
        if accept and (
            offer["expires_at"] <= now() or not secrets.compare_digest(offer["code_hash"], _token_hash(code))
        ):
            raise ValidationError(
                "the code is wrong or has expired: ask the admin who invited you for the code (or a new one)",
                "code",
            )
        q.delete_invitation(conn, org_id, offer["user_id"])
        if accept:
            q.upsert_membership(conn, org_id, offer["user_id"], offer["role"], now())
            q.revoke_tokens(conn, offer["user_id"], now())
        audit.record(
            conn,
            Context(db, user, org_id),
            "accept_invitation" if accept else "decline_invitation",
            "membership",
            offer["user_id"],
            after={"role": offer["role"]} if accept else None,
        )


def _new_token(conn: Any, ctx: Context, user_id: int, purpose: str) -> str:
    """A fresh single-use token; every older unused token of the user stops working."""
    token = secrets.token_urlsafe(24)
    q.revoke_tokens(conn, user_id, now())
    q.insert_token(
        conn,
        token_hash=_token_hash(token),
        user_id=user_id,
        purpose=purpose,
        expires_at=now() + TOKEN_LIFETIME,
        created_by=ctx.user.user_id,
        created_at=now(),
        org_id=ctx.org_id,
    )
    return token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def account_id(ctx: Context, email: str) -> int:
    """The id of the account that signs in with this email (what `user reset --email` names)."""
    ctx.require("users.manage")
    with ctx.read() as conn:
        found = q.user_by_login(conn, email.strip().lower())
    if found is None:
        raise ValidationError(f"no user {email}", "email")
    return int(found["user_id"])


def issue_reset_token(ctx: Context, user_id: int) -> str:
    """An admin-issued, single-use token the user redeems to set a new password (valid 3 days).

    Only for an account whose every membership is in organizations this admin administers: a password opens
    every organization of the account, so an admin of one cannot reset the password of a member of another.
    """
    ctx.require("users.manage")
    with ctx.write() as conn:
        if not q.role_of(conn, ctx.org_id, user_id):
            raise NotFoundError("That user is not a member of this organization.")
        if not ctx.user.is_system:
            if q.admin_orgs_missing(conn, user_id, ctx.user.user_id):  # which ones is not ours to say
                raise PermissionDenied(
                    "This account also belongs to an organization you do not administer: its owner changes "
                    "the password under My account, or an admin of every one of its organizations issues "
                    "the reset."
                )
        token = _new_token(conn, ctx, user_id, "reset")
        audit.record(conn, ctx, "issue_reset_token", "user", user_id)
    return token


def redeem_token(db: Database, token: str, new_password: str) -> User:
    """Set a password with an invitation or reset token; that token and every other one then stop working."""
    with db.read() as conn:
        found = q.usable_token(conn, _token_hash(token), now())
        owner = q.user_by_id(conn, found["user_id"]) if found else None
    password_hash = hash_password(new_password, (owner["email"], owner["name"]) if owner else ())
    with db.write() as conn:
        row = q.usable_token(conn, _token_hash(token), now())
        if row is None or (
            row["purpose"] == "reset"
            and row["created_by"] is not None
            and q.admin_orgs_missing(conn, row["user_id"], row["created_by"])
        ):  # the account joined an organization its issuer does not administer since: the reset is void
            raise AuthError("This link or token is invalid, used or expired. Ask an admin for a new one.")
        q.set_password_hash(conn, row["user_id"], password_hash)
        q.use_token(conn, _token_hash(token), now())
        q.revoke_tokens(conn, row["user_id"], now())
        session_q.revoke_user_sessions(conn, row["user_id"], now())  # whoever knew the old password is out
        tokens_q.revoke_all_of_user(conn, row["user_id"], now())  # and the API tokens they may have made
        user = q.user_by_id(conn, row["user_id"])
    if user is None:
        raise NotFoundError("No such user.")
    return _user(user)


def change_password(
    db: Database, user: User, old_password: str, new_password: str, keep_session_id: int | None = None
) -> None:
    """Change one's own password; every unused invitation or reset token of the account stops working, and so
    do every session of the account but the one changing it (`keep_session_id`) and every API token (whoever
    knew the old password may have made one)."""
    with db.read() as conn:
        row = q.user_by_id(conn, user.user_id or -1)
    if row is None or not _verify(row["password_hash"], old_password):
        raise ValidationError("the current password is wrong", "old_password")
    password_hash = hash_password(new_password, (row["email"], row["name"]))
    with db.write() as conn:
        q.set_password_hash(conn, row["user_id"], password_hash)
        q.revoke_tokens(conn, row["user_id"], now())
        session_q.revoke_user_sessions(conn, row["user_id"], now(), keep_session_id)
        tokens_q.revoke_all_of_user(conn, row["user_id"], now())


def set_language(db: Database, user: User, language: str) -> User:
    if language not in LANGUAGES:
        raise ValidationError(f"choose one of {', '.join(LANGUAGES)}", "language")
    with db.write() as conn:
        q.set_language(conn, user.user_id or -1, language)
    return User(user.user_id, user.email, user.name, language)


def set_role(ctx: Context, user_id: int, role: str) -> None:
    ctx.require("users.manage")
    _check_role(role)
    with ctx.write() as conn:
        before = q.role_of(conn, ctx.org_id, user_id)
        if before is None and (offered := q.invitation(conn, ctx.org_id, user_id)) is not None:
            q.set_invitation_role(conn, ctx.org_id, user_id, role)  # the offer changes; still no access
            audit.record(
                conn, ctx, "set_role", "invitation", user_id, {"role": offered["role"]}, {"role": role}
            )
            return
        if before is None:
            raise NotFoundError("That user is not a member of this organization.")
        if before == "admin" and role != "admin" and q.count_admins(conn, ctx.org_id) == 1:
            raise ConflictError("An organization needs at least one admin.")
        q.upsert_membership(conn, ctx.org_id, user_id, role, now())
        audit.record(conn, ctx, "set_role", "membership", user_id, {"role": before}, {"role": role})


def remove_member(ctx: Context, user_id: int) -> None:
    """Remove a member (or withdraw an invitation): the invitation and reset tokens this organization issued
    for the account stop working, and so does every token once the account belongs nowhere."""
    ctx.require("users.manage")
    with ctx.write() as conn:
        before = q.role_of(conn, ctx.org_id, user_id)
        offered = q.invitation(conn, ctx.org_id, user_id)
        if before is None and offered is None:
            raise NotFoundError("That user is not a member of this organization.")
        if before == "admin" and q.count_admins(conn, ctx.org_id) == 1:
            raise ConflictError("An organization needs at least one admin.")
        q.delete_membership(conn, ctx.org_id, user_id)
        q.delete_invitation(conn, ctx.org_id, user_id)
        q.revoke_tokens(conn, user_id, now(), ctx.org_id)
        if not q.orgs_of_user(conn, user_id):
            q.revoke_tokens(conn, user_id, now())
        audit.record(conn, ctx, "remove", "membership", user_id, {"role": before or "invited"}, None)


def list_invitations(ctx: Context) -> list[dict[str, Any]]:
    """Accounts this organization invited that have not answered yet."""
    ctx.require("settings.read")
    with ctx.read() as conn:
        return q.pending_invitations(conn, ctx.org_id)


def list_members(ctx: Context) -> list[dict[str, Any]]:
    ctx.require("settings.read")
    with ctx.read() as conn:
        return q.members(conn, ctx.org_id)


def organizations_of(db: Database, user: User) -> list[dict[str, Any]]:
    with db.read() as conn:
        return q.orgs_of_user(conn, user.user_id or -1)
