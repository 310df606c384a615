"""The sign-in gate: who is signed in, on which organization; the start of every page.

The database handle, the language and the direction live one level down, in `session`: the sign-in screens
stand on it too, so this gate imports them and they never import it.
"""

from __future__ import annotations

import streamlit as st

from backoffice.admin import auth, orgs
from backoffice.core.context import Context, User
from backoffice.core.errors import BackofficeError, NotFoundError
from backoffice.web.invitations import invitations_box
from backoffice.web.session import apply_direction, db, t
from backoffice.web.signin import sign_in_screen


def current_user() -> User | None:
    user_id = st.session_state.get("user_id")
    if user_id is None:
        return None
    try:
        return auth.get_user(db(), int(user_id))
    except NotFoundError:
        st.session_state.pop("user_id", None)
        return None


def require_sign_in() -> User:
    """The gate every page passes: shows sign-in (or first-run setup) and stops when nobody is signed in."""
    user = current_user()
    if user is None:
        apply_direction()
        sign_in_screen()
        st.stop()
    st.session_state["language"] = user.language
    return user


def context() -> Context:
    """The signed-in user on the chosen organization (the first of theirs if none chosen yet)."""
    user = require_sign_in()
    memberships = auth.organizations_of(db(), user)
    if not memberships:
        apply_direction()
        st.error(t("You are not a member of any organization. Ask an admin to invite you."))
        invitations_box(user)
        st.stop()
    ids = [m["org_id"] for m in memberships]
    if st.session_state.get("org_id") not in ids:
        st.session_state["org_id"] = ids[0]
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
