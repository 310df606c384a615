"""Payments: money received (split, partial, on account), deposits on orders, refunds, and the list (SPEC P1–P5, P8)."""

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backoffice import documents
from backoffice.admin import orgs
from backoffice.books import receivables
from backoffice.core.money import currency
from backoffice.sales import orders, payments
from backoffice.web import page, show_errors, t
from backoffice.web.sales import pick_customer
from backoffice.web.session import current_language
from backoffice.web.tables import frame, show
from backoffice.web.text import plain

ctx = page("Payments")
lang = current_language()
cur = currency(orgs.get_settings(ctx)["currency"])
methods = [m["code"] for m in payments.list_methods(ctx) if m["active"]]
receive, deposit, refund, listing = st.tabs(
    [t("Receive payment"), t("Deposit on an order"), t("Refund"), t("List")]
)

with receive:
    customer_id = pick_customer(ctx, "pay")
    if customer_id:
        position = receivables.customer_position(ctx, customer_id)
        open_numbers = [i["number_text"] for i in position["open_invoices"]]
        with st.form("payment", clear_on_submit=True):
            cols: Sequence[DeltaGenerator] = st.columns(3)
            amount = cols[0].text_input(t("Amount") + " *")
            method = cols[1].selectbox(t("Payment method"), methods, format_func=t)
            reference = cols[2].text_input(t("Reference"))
            chosen = st.multiselect(t("Pay these invoices (blank: oldest first)"), open_numbers)
            authorize = st.checkbox(t("Authorize only (card): counts once captured"))
            if st.form_submit_button(t("Save"), type="primary"):
                with show_errors(lang):
                    result = payments.record_payment(
                        ctx,
                        customer_id,
                        amount,
                        method,
                        chosen or None,
                        authorize_only=authorize,
                        reference=reference or None,
                    )
                    st.success(t("Saved") + f" #{result.payment_id} · {t(result.status)}")

with deposit, st.form("deposit"):
    open_orders = [
        o for o in orders.list_orders(ctx, page_size=500)[0] if o["status"] in orders.TAKES_DEPOSIT
    ]
    labels = {
        o["order_id"]: f"#{o['order_id']} · {o['customer_name'] or ''} · {o['order_on']}" for o in open_orders
    }
    order_id = st.selectbox(t("Order"), list(labels), format_func=labels.__getitem__) if labels else None
    cols = st.columns(2)
    amount = cols[0].text_input(t("Amount (blank: the default deposit percentage)"))
    method = cols[1].selectbox(t("Payment method"), methods, format_func=t, key="deposit_method")
    if st.form_submit_button(t("Take deposit"), disabled=order_id is None) and order_id is not None:
        with show_errors(lang):
            payments.take_deposit(ctx, int(order_id), amount or None, method)
            st.success(t("Saved"))

with refund, st.form("refund"):
    number = st.text_input(t("Credit note number"), placeholder="CN-000001")
    keep = st.checkbox(t("Keep as customer credit instead of paying back"))
    if st.form_submit_button(t("Refund")):
        with show_errors(lang):
            parts = payments.refund_credit_note(ctx, number, keep)
            st.success(plain(", ".join(f"{t(m)}: {a}" for m, a in parts)))

with listing:
    moves = payments.payments_of(ctx)
    columns = {
        "payment_id": "#",
        "paid_on": "Date",
        "customer_name": "Customer",
        "kind": "Kind",
        "method": "Payment method",
        "status": "Status",
        "amount_minor": "Amount",
    }
    picked = show(frame(moves, columns, money=["amount_minor"], cur=cur), "payments", selectable=True)
    if (
        picked is not None
        and moves[picked]["kind"] in ("payment", "deposit")
        and moves[picked]["status"] == "captured"
    ):
        payment_id = int(moves[picked]["payment_id"])
        st.download_button(
            t("Receipt PDF"),
            lambda: documents.render_receipt_pdf(ctx, payments.receipt(ctx, payment_id)),
            file_name=f"receipt-{payment_id}.pdf",
            mime="application/pdf",
        )
