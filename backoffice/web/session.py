"""The session's shared ground: the database handle, the language and the page direction.

Every other module of the web front-end may import this one; it imports none of them (so the sign-in
screens and the sign-in gate in `state` both stand on it, one way).
"""

from __future__ import annotations

import json
import os

import streamlit as st

from backoffice.core.i18n import RTL_LANGUAGES, translate
from backoffice.db import Database, open_database, url_for

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


def database() -> Database:
    """The process's one handle on the database (opened and migrated on first use; DatabaseBusyError while
    another process holds the DuckDB file). The server's routes use it too, outside any page run."""
    return _database(url_for(None))


def db() -> Database:
    handle = database()
    reminders = os.environ.get("BACKOFFICE_REMINDERS") == "daily"
    backups = os.environ.get("BACKOFFICE_BACKUPS") == "daily"
    if reminders or backups:
        _scheduler(handle.url, reminders, backups)
    return handle


@st.cache_resource(show_spinner=False)
def _scheduler(url: str, reminders: bool, backups: bool) -> object:
    """One scheduler thread per app process (the app owns the database file); on PostgreSQL only the leader
    replica does the rounds."""
    from backoffice.admin import (
        scheduler,  # only when timed work is on: the app starts without the mail stack
    )

    return scheduler.start(_database(url), reminders=reminders, backups=backups)


SESSION_ROUTE = "/auth/session"  # trades the handoff code for the session cookie (routes.py)
SIGNED_OUT_ROUTE = "/auth/signed-out"  # drops the cookie of an ended session (routes.py)


def send_browser_to(path: str, code: str | None = None) -> None:
    """Navigate this tab to one of our routes (a page cannot set or drop an HttpOnly cookie; a route can).
    With a handoff code, the route brings the browser back to the page and query it is on now."""
    if code is None:
        target = json.dumps(path)
    else:
        target = (
            f"{json.dumps(path + '?code=')} + encodeURIComponent({json.dumps(code)}) + '&next=' + "
            "encodeURIComponent(window.location.pathname + window.location.search)"
        )
    st.html(f"<script>window.location.replace({target});</script>", unsafe_allow_javascript=True)


def current_language() -> str:
    return str(st.session_state.get("language", "en"))


def t(text: str) -> str:
    return translate(text, current_language())


def apply_direction() -> None:
    if current_language() in RTL_LANGUAGES:
        st.html(RTL_CSS)
