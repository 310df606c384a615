"""My account: language of the interface and my password (SPEC A1, L1)."""

import streamlit as st

from backoffice.admin import auth, sessions, tokens
from backoffice.core.i18n import LANGUAGE_NAMES
from backoffice.web import db, page, show_errors, t
from backoffice.web.invitations import invitations_box
from backoffice.web.session import current_language
from backoffice.web.signin import PASSWORD_HELP
from backoffice.web.tables import frame, show
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
            st.success(
                t("Password changed. You were signed out everywhere else and your API tokens were revoked.")
            )

live = sessions.live_sessions(db(), ctx.user)
st.caption(t("Signed-in browsers and devices") + f": {live}")
if st.button(t("Sign out everywhere else"), disabled=live <= 1):
    here = st.session_state.get("session")
    sessions.sign_out_everywhere(db(), ctx.user, keep=here if isinstance(here, sessions.Session) else None)
    st.success(t("Signed out everywhere else."))

st.subheader(t("API tokens"))
st.caption(t("A token lets a script use /api/v1 as you, in this organization, with your role."))
with st.form("new_token", clear_on_submit=True):
    purpose = st.text_input(t("What it is for"), max_chars=100)
    lasts = st.selectbox(
        t("Works for"),
        [None, 30, 90, 365],
        format_func=lambda d: t("until revoked") if d is None else f"{d} {t('days')}",
    )
    if st.form_submit_button(t("Create token")):
        with show_errors(lang):
            st.session_state["new_api_token"] = tokens.create_token(ctx, purpose, days=lasts)["token"]
if fresh := st.session_state.pop("new_api_token", None):
    st.success(t("Copy the token now: it is not shown again."))
    st.code(fresh, language=None)
mine = [x for x in tokens.list_tokens(ctx) if x["user_id"] == ctx.user.user_id]
if mine:
    show(
        frame(
            [
                {
                    "id": x["token_id"],
                    "name": x["name"],
                    "created": x["created_at"],
                    "last_used": x["last_used_at"],
                    "expires": x["expires_at"],
                    "revoked": x["revoked_at"],
                }
                for x in mine
            ],
            {
                "id": "#",
                "name": "What it is for",
                "created": "Created",
                "last_used": "Last used",
                "expires": "Expires",
                "revoked": "Revoked",
            },
        ),
        "tokens",
    )
    live_ids = [x["token_id"] for x in mine if x["revoked_at"] is None]
    if live_ids:
        with st.form("revoke_token"):
            chosen_id = st.selectbox(t("Token"), live_ids, format_func=lambda i: f"#{i}")
            if st.form_submit_button(t("Revoke")):
                with show_errors(lang):
                    tokens.revoke_token(ctx, int(chosen_id))
                    st.rerun()
