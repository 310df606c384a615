"""Users and organizations: members and their roles, invitations, reset tokens, new branches (SPEC A2–A4)."""

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backoffice.admin import auth, orgs, sessions
from backoffice.core.context import ROLES
from backoffice.web import db, page, show_errors, t
from backoffice.web.session import current_language
from backoffice.web.tables import frame, show

ctx = page("Users and organizations")
lang = current_language()
admin = ctx.can("users.manage")
members = auth.list_members(ctx)
show(
    frame(
        members,
        {
            "name": "Name",
            "email": "Email",
            "mobile": "Mobile",
            "role": "Role",
            "invitation_pending": "Invitation pending",
        },
    ),
    "members",
)
invited = auth.list_invitations(ctx)
if invited:
    st.caption(t("Invited, waiting for the account's owner to accept"))
    show(frame(invited, {"name": "Name", "email": "Email", "role": "Role"}), "invitations")
if not admin:
    st.info(t("Only admins manage users."))
    st.stop()

invite_tab, role_tab, reset_tab, org_tab = st.tabs(
    [t("Invite a user"), t("Change a role"), t("Reset a password"), t("New organization")]
)
with invite_tab, st.form("invite", clear_on_submit=True):
    cols: Sequence[DeltaGenerator] = st.columns(2)
    email = cols[0].text_input(t("Email") + " *")
    name = cols[1].text_input(t("Name") + " *")
    mobile = cols[0].text_input(t("Mobile (with country code)"))
    role = cols[1].selectbox(t("Role"), ROLES, index=2, format_func=t)
    if st.form_submit_button(t("Invite"), type="primary"):
        with show_errors(lang):
            user_id, token = auth.add_user(ctx, email, name, role, mobile=mobile or None)
            if any(m["user_id"] == user_id for m in auth.list_invitations(ctx)):
                st.success(
                    t(
                        "An account with this email already exists. It is invited: give this code to the person; "
                        "they accept under My account with it, within 3 days:"
                    )
                )
            else:
                st.success(t("Invitation created. Give this token to the user; it works once, for 3 days:"))
            st.code(token)

by_label = {f"{m['name']} · {m['email']}": m["user_id"] for m in members}
withdraw_label = {f"{m['name']} · {m['email']} ({t('invited')})": m["user_id"] for m in invited}
with role_tab, st.form("role"):
    who = st.selectbox(t("User"), list(by_label) + list(withdraw_label))
    new_role = st.selectbox(t("Role"), ROLES, format_func=t)
    cols = st.columns(4)
    if cols[0].form_submit_button(t("Change role")):
        with show_errors(lang):
            auth.set_role(ctx, {**by_label, **withdraw_label}[who], new_role)
            st.rerun()
    if cols[1].form_submit_button(t("Remove from organization")):
        with show_errors(lang):
            auth.remove_member(ctx, {**by_label, **withdraw_label}[who])
            st.rerun()

with reset_tab, st.form("reset"):
    who = st.selectbox(t("User"), list(by_label), key="reset_user")
    if st.form_submit_button(t("Issue reset token")):
        with show_errors(lang):
            st.code(auth.issue_reset_token(ctx, by_label[who]))
            st.caption(
                t("The user enters it on the sign-in screen under 'I have an invitation or reset token'.")
            )
    if st.form_submit_button(t("Sign out everywhere")):
        with show_errors(lang):
            sessions.end_sessions(ctx, by_label[who])
            st.success(t("Signed out on every device: the user signs in again with their password."))

with org_tab, st.form("new_org", clear_on_submit=True):
    st.caption(t("A branch or warehouse with its own books; you become its admin."))
    cols = st.columns(4)
    org_name = cols[0].text_input(t("Organization name") + " *")
    cur = cols[1].text_input(t("Currency"), value="SAR")
    vat = cols[2].text_input(t("VAT rate (%)"), value="15")
    country = cols[3].text_input(t("Country (2 letters)"), value="SA")
    if st.form_submit_button(t("Create")):
        with show_errors(lang):
            new_id = orgs.setup(db(), org_name, cur, vat, country=country or None, actor=ctx.user)
            st.session_state["org_id"] = new_id
            st.rerun()
