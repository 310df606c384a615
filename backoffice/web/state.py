"""Session state: the database handle, who is signed in, which organization, which language."""

from __future__ import annotations

import os

import streamlit as st

from backoffice import auth, orgs
from backoffice.context import Context, User
from backoffice.db import Database, open_database, url_for
from backoffice.errors import BackofficeError, NotFoundError
from backoffice.i18n import RTL_LANGUAGES, translate

RTL_CSS = """
<style>
.stApp, [data-testid="stSidebar"], [data-testid="stMain"] { direction: rtl; }
h1, h2, h3, h4, h5, h6, label, p, li, [data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"],
[data-testid="stWidgetLabel"], [data-testid="stMetricLabel"], [data-testid="stAlertContainer"] { text-align: right; }
input, textarea { unicode-bidi: plaintext; text-align: right; }
</style>
"""


@st.cache_resource(show_spinner=False)
def _database(url: str) -> Database:
    return open_database(url)


def db() -> Database:
    database = _database(url_for(None))
    if os.environ.get("BACKOFFICE_REMINDERS") == "daily":
        _scheduler(database.url)
    return database


@st.cache_resource(show_spinner=False)
def _scheduler(url: str) -> object:
    """One scheduler thread per app process (the app owns the database file)."""
    from backoffice import scheduler

    return scheduler.start(_database(url))


def current_user() -> User | None:
    user_id = st.session_state.get("user_id")
    if user_id is None:
        return None
    try:
        return auth.get_user(db(), int(user_id))
    except NotFoundError:
        st.session_state.pop("user_id", None)
        return None


def current_language() -> str:
    return str(st.session_state.get("language", "en"))


def t(text: str) -> str:
    return translate(text, current_language())


def apply_direction() -> None:
    if current_language() in RTL_LANGUAGES:
        st.html(RTL_CSS)


def _sign_in_form() -> None:
    from backoffice.ui.signin import sign_in_screen

    sign_in_screen()


def require_sign_in() -> User:
    """The gate every page passes: shows sign-in (or first-run setup) and stops when nobody is signed in."""
    user = current_user()
    if user is None:
        apply_direction()
        _sign_in_form()
        st.stop()
    assert user is not None
    st.session_state["language"] = user.language
    return user


def context() -> Context:
    """The signed-in user on the chosen organization (the first of theirs if none chosen yet)."""
    user = require_sign_in()
    memberships = auth.organizations_of(db(), user)
    if not memberships:
        from backoffice.ui.invitations import invitations_box

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
