"""Invitations to join an organization, answered by the account's owner while signed in as itself (SPEC A2)."""

from __future__ import annotations

import streamlit as st

from backoffice import auth
from backoffice.context import User
from backoffice.ui.errors import show_errors
from backoffice.ui.state import current_language, db, t


def invitations_box(user: User) -> None:
    """One row per organization that offered this account a role: accept or decline."""
    offers = auth.my_invitations(db(), user)
    if not offers:
        return
    st.subheader(t("Invitations"))
    for offer in offers:
        cols = st.columns([3, 1, 1])
        cols[0].text(  # the organization's name is someone's typing: shown as text, never Markdown
            t("{org} invites you as {role}.").format(org=offer["organization"], role=t(str(offer["role"])))
        )
        org_id = int(offer["org_id"])
        if cols[1].button(t("Accept"), key=f"accept_{org_id}", type="primary"):
            with show_errors(current_language()):
                auth.answer_invitation(db(), user, org_id, accept=True)
                st.session_state["org_id"] = org_id
                st.rerun()
        if cols[2].button(t("Decline"), key=f"decline_{org_id}"):
            with show_errors(current_language()):
                auth.answer_invitation(db(), user, org_id, accept=False)
                st.rerun()
