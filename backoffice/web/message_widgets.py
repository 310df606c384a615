"""The Messages page's sender settings: SMTP host, TLS, user, the password (never shown back), sender, welcome
message and welcome invoice."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backoffice import messaging
from backoffice.core.context import Context
from backoffice.web.errors import show_errors
from backoffice.web.session import t
from backoffice.web.text import plain


def sender_settings(ctx: Context, lang: str) -> None:
    current = messaging.get_smtp_settings(ctx) or {}
    with st.form("smtp_settings"):
        cols: Sequence[DeltaGenerator] = st.columns(3)
        host = cols[0].text_input(t("SMTP host"), current.get("host", ""))
        port = cols[1].text_input(t("Port"), str(current.get("port", 587)))
        modes = list(messaging.TLS_MODES)
        tls = cols[2].selectbox(t("Encryption"), modes, index=modes.index(current.get("tls", "starttls")))
        cols = st.columns(2)
        user = cols[0].text_input(t("User"), current.get("user") or "")
        password = cols[1].text_input(
            t("Password (blank: keep the saved one)") if current.get("has_password") else t("Password"),
            type="password",
        )
        cols = st.columns(2)
        sender_name = cols[0].text_input(t("Sender name"), current.get("sender_name") or "")
        sender = cols[1].text_input(t("Sender address"), current.get("sender_address", ""))
        cols = st.columns(2)
        welcome = cols[0].checkbox(t("Welcome new customers by email"), bool(current.get("welcome_enabled")))
        lines = ", ".join(f"{w['sku']}:{w['quantity']}" for w in current.get("welcome_invoice", []))
        welcome_invoice = cols[1].text_input(
            t("Welcome invoice (SKU:quantity, …)"),
            lines,
            help=t("Invoiced to each new customer and attached."),
        )
        if st.form_submit_button(t("Save"), type="primary"):
            with show_errors(lang):
                messaging.set_smtp_settings(
                    ctx,
                    host,
                    port,
                    sender,
                    sender_name,
                    tls,
                    user or None,
                    password or None,
                    welcome,
                    welcome_invoice=welcome_invoice,
                )
                st.success(t("Saved"))
    test_to = st.text_input(t("Send a test message to"))
    if st.button(t("Send test"), disabled=not test_to):
        with show_errors(lang):
            sent = messaging.send_test_message(ctx, test_to)
            (st.success if sent["status"] == "sent" else st.error)(
                plain(sent["error"]) if sent["error"] else t("Sent")
            )


def add_credits_form(ctx: Context, lang: str) -> None:
    """An admin adds message credits (SPEC M4); every change of balance is in the audit log."""
    with st.form("add_credits", clear_on_submit=True):
        amount = st.text_input(t("Credits to add"))
        if st.form_submit_button(t("Add credits"), disabled=not ctx.can("settings.write")):
            with show_errors(lang):
                messaging.add_credits(ctx, amount)
                st.rerun()
