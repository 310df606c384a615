"""Messages: sender settings, credits, email a document, bulk send with preview, the outbox, reminders (SPEC M1–M9)."""

import uuid
from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backoffice import messaging
from backoffice.web import page, show_errors, t
from backoffice.web.message_widgets import add_credits_form, sender_settings
from backoffice.web.session import current_language
from backoffice.web.tables import frame, show
from backoffice.web.text import plain

ctx = page("Messages")
lang = current_language()
st.metric(t("Message credits"), messaging.get_credits(ctx))
send_tab, bulk_tab, outbox_tab, reminders_tab, settings_tab = st.tabs(
    [t("Send a document"), t("Bulk send"), t("Outbox"), t("Reminders"), t("Sender settings")]
)
KINDS = {"invoice": "Invoice", "credit_note": "Credit note", "statement": "Statement"}

with send_tab:
    cols: Sequence[DeltaGenerator] = st.columns(2)
    kind = cols[0].selectbox(t("Document"), list(KINDS), format_func=lambda k: t(KINDS[k]))
    number = cols[1].text_input(t("Number (statement: customer ID)"))
    if number:
        with show_errors(lang):
            draft = messaging.draft_document(ctx, kind, number)
            with st.form("send_document"):
                to = st.text_input(t("Recipients (To)"), ", ".join(draft["to"]))
                cc = st.text_input(t("CC"))
                subject = st.text_input(t("Subject"), draft["subject"])
                note = st.text_area(t("Note (placed at the top of the message)"))
                st.caption(f"{t('Message credits')}: {draft['credits']}")
                if st.form_submit_button(t("Send"), type="primary"):
                    with show_errors(lang):
                        sent = messaging.send_document(ctx, kind, number, to, cc or None, note, subject)
                        if sent["status"] == "sent":
                            st.success(t("Sent"))
                        else:
                            st.error(f"{t('Failed')}: {plain(sent['error'])}")
            if kind != "statement" and st.button(t("WhatsApp link")):
                with show_errors(lang):
                    st.link_button(t("Open WhatsApp"), messaging.share_link(ctx, kind, number)["url"])

with bulk_tab:
    cols = st.columns(2)
    numbers = cols[0].text_input(t("Numbers (FROM..TO)"), placeholder="INV-000001..INV-000050")
    period = cols[1].date_input(t("Period"), value=[], key="bulk_period")
    cols = st.columns(2)
    category = cols[0].text_input(t("Customer category"))
    unpaid = cols[1].checkbox(t("Unpaid only"))
    selection = messaging.BulkSelection(
        numbers=numbers or None,
        date_from=period[0] if len(period) > 0 else None,
        date_to=period[1] if len(period) > 1 else None,
        category=category or None,
        unpaid_only=unpaid,
    )
    if st.button(t("Preview")):
        with show_errors(lang):
            st.session_state["bulk_plan"] = messaging.preview_bulk(ctx, selection)
            st.session_state["bulk_request"] = uuid.uuid4().hex
    plan = st.session_state.get("bulk_plan")
    if plan:
        cols = st.columns(3)
        cols[0].metric(t("Messages"), plan["messages"])
        cols[1].metric(t("Credits"), plan["credits"])
        cols[2].metric(t("Without an address"), len(plan["missing_address"]))
        st.caption(plain(", ".join(plan["recipients"])))
        if plan["missing_address"]:
            show(
                frame(plan["missing_address"], {"number": "Document", "customer_name": "Customer"}), "missing"
            )
        if st.button(t("Send all"), type="primary", disabled=not plan["messages"]):
            bar = st.progress(0.0)

            def progress(done: int, total: int, stage: str) -> None:
                bar.progress(done / max(total, 1), text=f"{t(stage.title())} {done}/{total}")

            with show_errors(lang):
                result = messaging.send_bulk(
                    ctx, selection, progress=progress, request_id=st.session_state["bulk_request"]
                )
                st.success(f"{t('Sent')}: {result['sent']} · {t('Failed')}: {result['failed']}")
                st.session_state.pop("bulk_plan", None)

with outbox_tab:
    cols = st.columns([3, 1])
    status = cols[0].selectbox(
        t("Status"),
        [None, "queued", "sending", "sent", "failed", "shared"],
        format_func=lambda s: t(s or "All"),
    )
    if cols[1].button(t("Retry failed")):
        with show_errors(lang):
            result = messaging.retry_failed(ctx)
            st.success(f"{t('Sent')}: {result['sent']} · {t('Failed')}: {result['failed']}")
    columns = {
        "created_at": "Time",
        "created_by_name": "User",
        "doc_number": "Document",
        "to_addrs": "Recipients (To)",
        "cc_addrs": "CC",
        "status": "Status",
        "error": "Error",
    }
    show(frame(messaging.list_outbox(ctx, status), columns), "outbox")

with reminders_tab:
    due = messaging.send_reminders(ctx, dry_run=True)
    rows = [c | {"invoices": ", ".join(c["invoices"])} for c in due["customers"]]
    show(
        frame(rows, {"customer_name": "Customer", "to": "Recipients (To)", "invoices": "Overdue invoices"}),
        "reminders",
    )
    if due["missing_address"]:
        st.warning(
            t("Without an address")
            + ": "
            + plain(", ".join(c["customer_name"] for c in due["missing_address"]))
        )
    if st.button(t("Send reminders"), disabled=not due["messages"]):
        with show_errors(lang):
            result = messaging.send_reminders(ctx)
            st.success(f"{t('Sent')}: {result['sent']} · {t('Failed')}: {result['failed']}")

with settings_tab:
    sender_settings(ctx, lang)
    add_credits_form(ctx, lang)
