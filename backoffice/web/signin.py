"""The signed-out screens: sign in, redeem an invitation/reset token, and the first-run setup (SPEC A1, A2)."""

from __future__ import annotations

import streamlit as st

from backoffice.admin import auth, orgs, sessions
from backoffice.core.client_address import client_address, trusted_proxies
from backoffice.core.context import User
from backoffice.web.errors import show_errors
from backoffice.web.session import SESSION_ROUTE, current_language, db, send_browser_to, t
from backoffice.web.text import plain


def _source() -> str:
    """The client's address, whom the sign-in throttle counts: `X-Forwarded-For` only from a trusted proxy
    (`BACKOFFICE_TRUSTED_PROXIES`), else the socket's peer (core/client_address has the rule)."""
    peer = st.context.ip_address  # None for a loopback peer; not always a str (AppTest's runtime is a mock)
    return client_address(
        str(peer) if peer else None, st.context.headers.get_all("X-Forwarded-For"), trusted_proxies()
    )


def _start_session(user: User, source: str) -> None:
    """Signed in: a session in the database, its first token in this tab's memory, and the browser sent to the
    route that sets its cookie and brings it back to the page (and query) it asked for."""
    started = sessions.start(db(), user, source)
    st.session_state["session_token"] = started.token
    st.session_state["language"] = user.language
    st.caption(t("Signing in…"))
    send_browser_to(SESSION_ROUTE, started.handoff)
    st.stop()


def sign_in_screen() -> None:
    if orgs.needs_first_run(db()):
        first_run_form()
        return
    st.title(t("Sign in"))
    with st.form("sign_in"):
        login = st.text_input(t("Email or mobile"))
        password = st.text_input(t("Password"), type="password")
        submitted = st.form_submit_button(t("Sign in"), type="primary")
    if submitted:
        with show_errors(current_language()):
            source = _source()
            _start_session(auth.sign_in(db(), login, password, source), source)
    with st.expander(t("I have an invitation or reset token")):
        with st.form("redeem"):
            token = st.text_input(t("Token"))
            new_password = st.text_input(t("New password"), type="password", help=t(PASSWORD_HELP))
            redeemed = st.form_submit_button(t("Set password"))
        if redeemed:
            with show_errors(current_language()):
                user = auth.redeem_token(db(), token, new_password)
                st.success(t("Password set. Sign in with it now.") + f" ({plain(user.email)})")


PASSWORD_HELP = (
    "At least 8 characters with an upper-case letter, a lower-case letter, a digit and a symbol (a space does "
    "not count); not a common or leaked password."
)


def first_run_form() -> None:
    st.title(t("Welcome! Create your organization"))
    st.caption(t("This is the first start: create the organization and its admin account."))
    with st.form("first_run"):
        name = st.text_input(t("Organization name") + " *")
        cols = st.columns(3)
        currency = cols[0].text_input(t("Currency"), value="SAR")
        vat = cols[1].text_input(t("VAT rate (%)"), value="15")
        country = cols[2].text_input(t("Country (2 letters)"), value="SA")
        business = st.selectbox(t("Business type"), ["trading", "services", "manufacturing"], format_func=t)
        admin_name = st.text_input(t("Your name") + " *")
        email = st.text_input(t("Email") + " *")
        password = st.text_input(t("Password") + " *", type="password", help=t(PASSWORD_HELP))
        submitted = st.form_submit_button(t("Create"), type="primary")
    if submitted:
        with show_errors(current_language()):
            orgs.setup(
                db(),
                name,
                currency,
                vat,
                email,
                password,
                admin_name=admin_name or email,
                business_type=business,
                country=country or None,
                language=current_language(),
            )
            source = _source()
            _start_session(auth.sign_in(db(), email, password, source), source)
