"""My account: language of the interface and my password (SPEC A1, L1)."""

import streamlit as st

from backoffice.admin import auth, sessions
from backoffice.core.i18n import LANGUAGE_NAMES
from backoffice.web import db, page, show_errors, t
from backoffice.web.invitations import invitations_box
from backoffice.web.session import current_language
from backoffice.web.signin import PASSWORD_HELP
from backoffice.web.text import plain

ctx = page("My account")
lang = current_language()
st.markdown(f"**{plain(ctx.user.name)}** · {plain(ctx.user.email)}")
st.caption(t("Your role here") + f": {t(ctx.role() or '')}")

invitations_box(ctx.user)

with st.form("language_form"):
    codes = {name: code for code, name in LANGUAGE_NAMES.items()}
    chosen = codes[
        st.radio(
            t("Language"), list(codes), index=list(codes.values()).index(ctx.user.language), horizontal=True
        )
    ]
    if st.form_submit_button(t("Save")):
        auth.set_language(db(), ctx.user, chosen)
        st.session_state["language"] = chosen
        st.rerun()

with st.form("password", clear_on_submit=True):
    old = st.text_input(t("Current password"), type="password")
    new = st.text_input(t("New password"), type="password", help=t(PASSWORD_HELP))
    if st.form_submit_button(t("Change password")):
        with show_errors(lang):
            here = st.session_state.get("session")
            auth.change_password(db(), ctx.user, old, new, keep_session_id=getattr(here, "session_id", None))
            st.success(t("Password changed. You were signed out everywhere else."))

live = sessions.live_sessions(db(), ctx.user)
st.caption(t("Signed-in browsers and devices") + f": {live}")
if st.button(t("Sign out everywhere else"), disabled=live <= 1):
    here = st.session_state.get("session")
    sessions.sign_out_everywhere(db(), ctx.user, keep=here if isinstance(here, sessions.Session) else None)
    st.success(t("Signed out everywhere else."))
