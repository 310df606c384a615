"""Signing an AppTest in: a session in the database and its token in the tab's memory, as the sign-in form
leaves them (AppTest has no browser, so no cookie)."""

from __future__ import annotations

from backoffice.admin import auth, sessions
from backoffice.db import Database


def session_token(db: Database, user_id: int | None) -> str:
    return sessions.start(db, auth.get_user(db, user_id or -1)).token
