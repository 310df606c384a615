"""Sign-in, password policy, throttling, invitations, resets, roles (SPEC A1–A4)."""

import pytest
import sqlalchemy as sa

from backoffice import auth
from backoffice.db import Database
from backoffice.errors import AuthError, ConflictError, PermissionDenied, ThrottledError, ValidationError
from tests.factories import PASSWORD, make_org, make_user


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Sh#1a", "at least 8 characters"),
        ("lowercase#123", "an upper-case letter"),
        ("UPPERCASE#123", "a lower-case letter"),
        ("NoDigits#here", "a digit"),
        ("NoSymbol1234", "a symbol"),
    ],
)
def test_password_policy_says_what_is_missing(password: str, missing: str) -> None:
    problem = auth.password_problem(password)
    assert problem is not None and missing in problem
    with pytest.raises(ValidationError, match=missing):
        auth.hash_password(password)


def test_hashes_are_argon2id_and_never_the_password(db: Database) -> None:
    org_id, admin = make_org(db)
    with db.read() as conn:
        stored = conn.execute(
            sa.text("SELECT password_hash FROM users WHERE user_id = :id"), {"id": admin.user.user_id}
        ).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.slow
def test_production_parameters_are_owasp_minimum(monkeypatch) -> None:
    monkeypatch.setenv("BACKOFFICE_FAST_HASH", "0")
    auth._hasher.cache_clear()
    try:
        assert "$argon2id$v=19$m=19456,t=2,p=1$" in auth.hash_password(PASSWORD)
    finally:
        auth._hasher.cache_clear()


def test_unknown_user_and_wrong_password_get_the_same_words(db: Database) -> None:
    _, admin = make_org(db)
    with pytest.raises(AuthError) as unknown:
        auth.sign_in(db, "nobody@example.com", PASSWORD)
    with pytest.raises(AuthError) as wrong:
        auth.sign_in(db, admin.user.email, "Wrong#pass1")
    assert str(unknown.value) == str(wrong.value) == auth.SIGN_IN_FAILED
    assert auth.sign_in(db, admin.user.email.upper(), PASSWORD).user_id == admin.user.user_id


def test_repeated_failures_are_throttled_with_a_growing_delay(db: Database) -> None:
    _, admin = make_org(db)
    for _ in range(auth.ACCOUNT_THRESHOLD):
        with pytest.raises(AuthError):
            auth.sign_in(db, admin.user.email, "Wrong#pass1", source="10.0.0.1")
    with pytest.raises(ThrottledError) as first:
        auth.sign_in(db, admin.user.email, PASSWORD, source="10.0.0.2")  # even the right password waits
    assert 0 < first.value.wait_seconds <= auth.BASE_DELAY + 1
    # one more failure recorded a while ago doubles the delay
    with db.write() as conn:
        conn.execute(sa.text("UPDATE login_attempts SET attempted_at = attempted_at - INTERVAL '40 seconds'"))
    with pytest.raises(AuthError):
        auth.sign_in(db, admin.user.email, "Wrong#pass1", source="10.0.0.3")
    with pytest.raises(ThrottledError) as second:
        auth.sign_in(db, admin.user.email, PASSWORD, source="10.0.0.4")
    assert second.value.wait_seconds > auth.BASE_DELAY + 1
    # once the delay has passed, the right password works and resets the count
    with db.write() as conn:
        conn.execute(sa.text("UPDATE login_attempts SET attempted_at = attempted_at - INTERVAL '20 minutes'"))
    assert auth.sign_in(db, admin.user.email, PASSWORD).user_id == admin.user.user_id


def test_throttling_also_counts_per_source(db: Database) -> None:
    make_org(db)
    for n in range(auth.SOURCE_THRESHOLD):
        with pytest.raises(AuthError):
            auth.sign_in(db, f"guess{n}@example.com", "Wrong#pass1", source="203.0.113.9")
    with pytest.raises(ThrottledError):
        auth.sign_in(db, "another@example.com", "Wrong#pass1", source="203.0.113.9")


def test_invitation_token_sets_the_password_once(db: Database) -> None:
    _, admin = make_org(db)
    user_id, token = auth.add_user(admin, "new@example.com", "New Person", "sales")
    assert token
    with pytest.raises(AuthError):
        auth.sign_in(db, "new@example.com", "")
    auth.redeem_token(db, token, "Fresh#Pass9")
    assert auth.sign_in(db, "new@example.com", "Fresh#Pass9").user_id == user_id
    with pytest.raises(AuthError, match="invalid, used or expired"):
        auth.redeem_token(db, token, "Other#Pass9")


def test_admin_issued_reset_token(db: Database) -> None:
    _, admin = make_org(db)
    sales = make_user(admin, "sales")
    token = auth.issue_reset_token(admin, sales.user.user_id or 0)
    auth.redeem_token(db, token, "Reset#Pass42")
    assert auth.sign_in(db, sales.user.email, "Reset#Pass42")
    with pytest.raises(PermissionDenied):
        auth.issue_reset_token(sales, admin.user.user_id or 0)


def test_duplicate_email_or_mobile_gets_a_clear_message(db: Database) -> None:
    _, admin = make_org(db)
    auth.add_user(admin, "dup@example.com", "A", "viewer", PASSWORD, mobile="+966501234567")
    with pytest.raises(ConflictError, match="already a member"):
        auth.add_user(admin, "DUP@example.com", "B", "viewer", PASSWORD)
    with pytest.raises(ConflictError, match="account with this mobile already exists"):
        auth.add_user(
            admin, "other@example.com", "C", "viewer", PASSWORD, mobile="0501234567".replace("0", "+966", 1)
        )


def test_an_existing_account_joins_another_organization_without_a_second_account(db: Database) -> None:
    _, admin_a = make_org(db)
    _, admin_b = make_org(db)
    sales = make_user(admin_a, "sales")
    user_id, token = auth.add_user(admin_b, sales.user.email, "x", "viewer")
    assert user_id == sales.user.user_id and token is None
    assert {o["role"] for o in auth.organizations_of(db, sales.user)} == {"sales", "viewer"}


def test_the_last_admin_cannot_be_demoted_or_removed(db: Database) -> None:
    _, admin = make_org(db)
    with pytest.raises(ConflictError, match="at least one admin"):
        auth.set_role(admin, admin.user.user_id or 0, "viewer")
    with pytest.raises(ConflictError, match="at least one admin"):
        auth.remove_member(admin, admin.user.user_id or 0)


def test_change_password_needs_the_current_one(db: Database) -> None:
    _, admin = make_org(db)
    with pytest.raises(ValidationError, match="current password is wrong"):
        auth.change_password(db, admin.user, "Nope#1234", "Brand#New123")
    auth.change_password(db, admin.user, PASSWORD, "Brand#New123")
    assert auth.sign_in(db, admin.user.email, "Brand#New123")
