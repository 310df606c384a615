"""Sign-in sessions in the database (issue 17): token hash only, idle and absolute expiry, revocation; on both
engines (the `db` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

import pytest
import sqlalchemy as sa

from backoffice.admin import auth, sessions
from backoffice.core.errors import NotFoundError, PermissionDenied
from backoffice.db import Database, now
from tests.factories import PASSWORD, make_org, make_user

NEW_PASSWORD = "Cardamom#Harbour7"


@contextmanager
def clock(at: datetime) -> Iterator[None]:
    """The sessions module's idea of now (it reads the time through `now`)."""
    with mock.patch.object(sessions, "now", return_value=at):
        yield


def test_the_database_keeps_only_the_hash_of_the_token(db: Database) -> None:
    _, admin = make_org(db)
    started = sessions.start(db, admin.user, "198.51.100.7")
    cookie = sessions.redeem_handoff(db, started.handoff)
    assert cookie is not None
    with db.read() as conn:
        stored = [
            str(v)
            for row in conn.execute(sa.text("SELECT * FROM sessions")).fetchall()
            for v in row
            if v is not None
        ]
    for secret in (started.token, started.handoff, cookie):
        assert not any(secret in value for value in stored)
    session = sessions.check(db, cookie)
    assert session is not None and session.user_id == admin.user.user_id


def test_the_handoff_code_works_once_within_a_minute_and_replaces_the_pages_token(db: Database) -> None:
    _, admin = make_org(db)
    started = sessions.start(db, admin.user)
    assert sessions.check(db, started.token) is not None  # this tab is signed in before the cookie exists
    cookie = sessions.redeem_handoff(db, started.handoff)
    assert cookie and sessions.check(db, cookie) is not None
    assert sessions.check(db, started.token) is None  # the cookie is now the only key
    assert sessions.redeem_handoff(db, started.handoff) is None  # used

    late = sessions.start(db, admin.user)
    with clock(now() + sessions.HANDOFF + timedelta(seconds=1)):
        assert sessions.redeem_handoff(db, late.handoff) is None
    assert sessions.redeem_handoff(db, "") is None
    assert sessions.redeem_handoff(db, "made-up") is None


def test_an_unknown_empty_or_tampered_cookie_means_signed_out(db: Database) -> None:
    _, admin = make_org(db)
    token = sessions.start(db, admin.user).token
    for cookie in (None, "", "made-up", token[:-1], token + "x"):
        assert sessions.check(db, cookie) is None


def test_idle_expiry_moves_with_use_and_ends_an_idle_session(db: Database) -> None:
    _, admin = make_org(db)
    start = now()
    with clock(start):
        token = sessions.start(db, admin.user).token
    # used every 11 hours: still signed in after two days (each use pushes the idle end 12 hours on)
    for hours in (11, 22, 33, 44):
        with clock(start + timedelta(hours=hours)):
            assert sessions.check(db, token) is not None
    with clock(start + timedelta(hours=44) + sessions.IDLE + timedelta(seconds=1)):
        assert sessions.check(db, token) is None


def test_the_absolute_expiry_ends_even_a_busy_session(db: Database) -> None:
    _, admin = make_org(db)
    start = now()
    with clock(start):
        token = sessions.start(db, admin.user).token
    at = start
    while at + timedelta(hours=10) < start + sessions.ABSOLUTE:
        at += timedelta(hours=10)
        with clock(at):
            assert sessions.check(db, token) is not None
    with clock(start + sessions.ABSOLUTE + timedelta(seconds=1)):
        assert sessions.check(db, token) is None


def test_signing_out_ends_only_that_session(db: Database) -> None:
    _, admin = make_org(db)
    laptop, phone = sessions.start(db, admin.user).token, sessions.start(db, admin.user).token
    sessions.sign_out(db, laptop)
    assert sessions.check(db, laptop) is None
    assert sessions.check(db, phone) is not None
    sessions.sign_out(db, None)  # harmless


def test_changing_the_password_ends_the_other_sessions(db: Database) -> None:
    _, admin = make_org(db)
    here, elsewhere = sessions.start(db, admin.user).token, sessions.start(db, admin.user).token
    current = sessions.check(db, here)
    assert current is not None
    auth.change_password(db, admin.user, PASSWORD, NEW_PASSWORD, keep_session_id=current.session_id)
    assert sessions.check(db, here) is not None
    assert sessions.check(db, elsewhere) is None


def test_a_reset_password_ends_every_session(db: Database) -> None:
    _, admin = make_org(db)
    clerk = make_user(admin, "sales")
    token = sessions.start(db, clerk.user).token
    reset = auth.issue_reset_token(admin, clerk.user.user_id or -1)
    auth.redeem_token(db, reset, NEW_PASSWORD)
    assert sessions.check(db, token) is None


def test_sign_out_everywhere_of_ones_own_account_keeps_the_one_asking(db: Database) -> None:
    _, admin = make_org(db)
    here, elsewhere = sessions.start(db, admin.user).token, sessions.start(db, admin.user).token
    sessions.sign_out_everywhere(db, admin.user, keep=sessions.check(db, here))
    assert sessions.check(db, here) is not None and sessions.check(db, elsewhere) is None
    assert sessions.live_sessions(db, admin.user) == 1
    sessions.sign_out_everywhere(db, admin.user)
    assert sessions.check(db, here) is None


def test_an_admin_signs_a_member_out_everywhere_but_not_someone_elses_member(db: Database) -> None:
    _, admin = make_org(db)
    clerk = make_user(admin, "sales")
    mine = sessions.start(db, admin.user).token
    theirs = [sessions.start(db, clerk.user).token for _ in range(2)]
    sessions.end_sessions(admin, clerk.user.user_id or -1)
    assert all(sessions.check(db, token) is None for token in theirs)
    assert sessions.check(db, mine) is not None

    _, other_admin = make_org(db)
    stranger = sessions.start(db, other_admin.user).token
    with pytest.raises(NotFoundError):
        sessions.end_sessions(admin, other_admin.user.user_id or -1)
    with pytest.raises(PermissionDenied):
        sessions.end_sessions(clerk, admin.user.user_id or -1)  # a clerk may not
    assert sessions.check(db, stranger) is not None
    with db.read() as conn:
        actions = [r[0] for r in conn.execute(sa.text("SELECT action FROM audit_log")).fetchall()]
    assert "sign_out_everywhere" in actions


def test_the_session_remembers_the_organization_chosen(db: Database) -> None:
    org_a, admin = make_org(db)
    org_b, other = make_org(db)
    token = sessions.start(db, admin.user, org_id=org_a).token
    session = sessions.check(db, token)
    assert session is not None and session.org_id == org_a
    with pytest.raises(NotFoundError):
        sessions.choose_organization(db, session, org_b)  # not a member there
    auth.add_user(other, admin.user.email, "A", "viewer")  # an invitation only: still no membership
    with pytest.raises(NotFoundError):
        sessions.choose_organization(db, session, org_b)
