"""The session's shared ground: the database handle, the language and the page direction.

Every other module of the web front-end may import this one; it imports none of them (so the sign-in
screens and the sign-in gate in `state` both stand on it, one way).
"""

from __future__ import annotations

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


def db() -> Database:
    database = _database(url_for(None))
    reminders = os.environ.get("BACKOFFICE_REMINDERS") == "daily"
    backups = os.environ.get("BACKOFFICE_BACKUPS") == "daily"
    if reminders or backups:
        _scheduler(database.url, reminders, backups)
    return database


@st.cache_resource(show_spinner=False)
def _scheduler(url: str, reminders: bool, backups: bool) -> object:
    """One scheduler thread per app process (the app owns the database file); on PostgreSQL only the leader
    replica does the rounds."""
    from backoffice.admin import (
        scheduler,  # only when timed work is on: the app starts without the mail stack
    )

    return scheduler.start(_database(url), reminders=reminders, backups=backups)


def current_language() -> str:
    return str(st.session_state.get("language", "en"))


def t(text: str) -> str:
    return translate(text, current_language())


def apply_direction() -> None:
    if current_language() in RTL_LANGUAGES:
        st.html(RTL_CSS)
