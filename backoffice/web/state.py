"""The sign-in gate: who is signed in, on which organization; the start of every page.

Who is signed in is the session in the database that the browser's HttpOnly cookie names (admin/sessions.py;
docs/decisions/0012), checked on every run, so a reload, a second tab or a deep link stays signed in and signing
out anywhere reaches every tab at its next action. Right after signing in, before the browser has collected its
cookie, the tab's memory holds the session's first token.

The database handle, the language and the direction live one level down, in `session`: the sign-in screens
stand on it too, so this gate imports them and they never import it.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path

import streamlit as st

from backoffice.admin import auth, orgs, sessions
from backoffice.core.context import Context, User
from backoffice.core.errors import BackofficeError, DatabaseBusyError, NotFoundError
from backoffice.web.invitations import invitations_box
from backoffice.web.session import SIGNED_OUT_ROUTE, apply_direction, db, send_browser_to, t
from backoffice.web.signin import sign_in_screen

BUSY_RETRY_SECONDS = 5


def _tokens() -> list[str]:
    """The tab's own token (just signed in), then the cookie the browser sent when the tab connected."""
    try:
        cookie = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # noqa: BLE001 - no browser behind this run: no cookie
        cookie = None
    candidates = (st.session_state.get("session_token"), cookie)
    return [token for token in candidates if isinstance(token, str) and token]  # AppTest's client is a mock


def current_session() -> tuple[User, sessions.Session, str] | None:
    """The signed-in user, their session and its token; None when no live session names this tab."""
    for token in _tokens():
        found = sessions.check(db(), token)
        if found is None:
            continue
        try:
            return auth.get_user(db(), found.user_id), found, token
        except NotFoundError:
            continue
    st.session_state.pop("session_token", None)
    return None


def current_user() -> User | None:
    signed_in = current_session()
    return signed_in[0] if signed_in else None


def require_sign_in() -> User:
    """The gate every page passes: shows sign-in (or first-run setup) and stops when nobody is signed in."""
    signed_in = current_session()
    if signed_in is None:
        apply_direction()
        sign_in_screen()
        st.stop()
    user, found, _ = signed_in
    st.session_state["session"] = found
    st.session_state["language"] = user.language
    return user


def sign_out() -> None:
    """End this browser's session (every tab of it is signed out at its next action) and drop its cookie."""
    signed_in = current_session()
    sessions.sign_out(db(), signed_in[2] if signed_in else None)
    st.session_state.clear()
    send_browser_to(SIGNED_OUT_ROUTE)
    st.stop()


def choose_organization(org_id: int) -> None:
    """The organization picked in the sidebar: for this tab now, and for this session's next page loads."""
    st.session_state["org_id"] = org_id
    found = st.session_state.get("session")
    if isinstance(found, sessions.Session) and found.org_id != org_id:
        try:
            sessions.choose_organization(db(), found, org_id)
            st.session_state["session"] = replace(found, org_id=org_id)
        except BackofficeError:
            pass  # remembering it is a convenience; the membership is checked on every call anyway


def context() -> Context:
    """The signed-in user on the chosen organization (the session's last one, else the first of theirs)."""
    user = require_sign_in()
    memberships = auth.organizations_of(db(), user)
    if not memberships:
        apply_direction()
        st.error(t("You are not a member of any organization. Ask an admin to invite you."))
        invitations_box(user)
        st.stop()
    ids = [m["org_id"] for m in memberships]
    if st.session_state.get("org_id") not in ids:
        found = st.session_state.get("session")
        remembered = found.org_id if isinstance(found, sessions.Session) else None
        st.session_state["org_id"] = remembered if remembered in ids else ids[0]
    return Context(db(), user, int(st.session_state["org_id"]))


def page(title: str) -> Context:
    """Start a page: sign-in gate, direction, title. Returns the Context for service calls."""
    ctx = context()
    apply_direction()
    st.title(t(title))
    return ctx


def organization_name(ctx: Context) -> str:
    try:
        return str(orgs.get_settings(ctx)["name"])
    except BackofficeError:
        return ""


def holder_of(busy: DatabaseBusyError) -> str:
    """Who holds the database file, as far as this machine says: the process number DuckDB names and, for one
    of ours, its command (`backoffice import`); never its arguments (they may carry a password)."""
    pid = re.search(r"process (\d+)", str(busy))
    if pid is None:
        return t("another program")
    try:
        argv = Path(f"/proc/{pid.group(1)}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        argv = []
    words = [Path(argv[0]).name] if argv and argv[0] else []
    if any("backoffice" in arg for arg in argv[:3]):
        after = [arg for arg in argv[1:] if arg and not arg.startswith("-") and "backoffice" not in arg]
        words = ["backoffice", *after[:1]]
    return t("process") + f" {pid.group(1)}" + (f" ({' '.join(words)})" if words else "")


def require_database() -> None:
    """While another process holds the DuckDB file (a command-line import, a backup), say who, and try again
    every few seconds until the app can open it; never a traceback."""
    try:
        db()
    except DatabaseBusyError as busy:
        apply_direction()
        st.title(t("The database is busy"))
        st.warning(t("Another program is using the database file:") + " " + holder_of(busy))
        st.caption(
            t(
                "The app opens it as soon as that program has finished. This page tries again every few seconds."
            )
        )
        time.sleep(BUSY_RETRY_SECONDS)
        st.rerun()
