"""Invitations to join an organization, answered by the account's owner while signed in as itself (SPEC A2)."""

from __future__ import annotations

import streamlit as st

from backoffice.admin import auth
from backoffice.core.context import User
from backoffice.web.errors import show_errors
from backoffice.web.session import current_language, db, t


def invitations_box(user: User) -> None:
    """One form per organization that offered this account a role: accept with the admin's code, or decline."""
    offers = auth.my_invitations(db(), user)
    if not offers:
        return
    st.subheader(t("Invitations"))
    for offer in offers:
        org_id = int(offer["org_id"])
        with st.form(f"invitation_{org_id}", clear_on_submit=True):
            st.text(  # the organization's name is someone's typing: shown as text, never Markdown
                t("{org} invites you as {role}.").format(
                    org=offer["organization"], role=t(str(offer["role"]))
                )
            )
            code = st.text_input(t("Code from the admin who invited you"), key=f"code_{org_id}")
            cols = st.columns(2)
            accepted = cols[0].form_submit_button(t("Accept"), type="primary")
            declined = cols[1].form_submit_button(t("Decline"))
        if accepted or declined:
            with show_errors(current_language()):
                auth.answer_invitation(db(), user, org_id, accept=accepted, code=code)
                if accepted:
                    st.session_state["org_id"] = org_id
                st.rerun()
