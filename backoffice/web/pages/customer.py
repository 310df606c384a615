"""Customer profile: the card, balance from the ledger, edit, private notes with files, activity (SPEC C4–C6)."""

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backoffice import documents
from backoffice.admin import orgs
from backoffice.books import receivables
from backoffice.contacts import customers
from backoffice.core.money import currency, format_money
from backoffice.db import audit
from backoffice.sales import invoices, orders
from backoffice.web import page, t
from backoffice.web.customer_form import customer_form, notes_section
from backoffice.web.errors import attempt
from backoffice.web.registry import page_path
from backoffice.web.sales import order_frame
from backoffice.web.session import current_language
from backoffice.web.tables import frame, show
from backoffice.web.text import plain

ctx = page("Customer profile")
lang = current_language()
cur = currency(orgs.get_settings(ctx)["currency"])

if "id" in st.query_params and st.query_params["id"].isdigit():
    st.session_state["customer_id"] = int(st.query_params["id"])
contact_id = st.session_state.get("customer_id")
if contact_id is None:
    st.info(t("Choose a customer in the Customers list."))
    st.page_link(page_path("customers"), label=t("Customers"), icon="👥")
    st.stop()
customer_id = int(contact_id)

card = attempt(customers.get_customer, ctx, customer_id, lang=lang)
if card is None:
    st.stop()

st.subheader(plain(card["name"]))
cols: Sequence[DeltaGenerator] = st.columns(4)
cols[0].metric(t("Balance"), format_money(card["balance_minor"], cur, lang))
cols[1].metric(t("Payment terms (days)"), card["payment_terms_days"])
cols[2].metric(t("Type"), t(card["role"]))
cols[3].metric(t("Categories"), plain(", ".join(card["categories"])) or "—")
st.caption(
    plain(
        " · ".join(
            filter(None, [card["emails"], card["phone"], card["tax_id"], card["city"], card["country"]])
        )
    )
)

details, documents_tab, notes, activity, history = st.tabs(
    [t("Edit"), t("Orders and invoices"), t("Notes and files"), t("Statement"), t("History")]
)
with details:
    if customer_form(ctx, card, key=f"edit_{contact_id}"):
        st.rerun()

with documents_tab:
    position = receivables.customer_position(ctx, customer_id)
    cols = st.columns(3)
    cols[0].metric(t("Owed to us"), format_money(position["receivable_minor"], cur, lang))
    cols[1].metric(t("Credit held"), format_money(position["credit_minor"], cur, lang))
    cols[2].metric(t("Open invoices"), len(position["open_invoices"]))
    placed = orders.list_orders(ctx, customer_id=customer_id, page_size=200)[0]
    show(order_frame(placed, cur, with_customer=False), "customer_orders")
    issued = invoices.list_invoices(ctx, customer_id=customer_id, page_size=200)[0]
    show(
        frame(
            issued,
            {"number_text": "Number", "issued_on": "Date", "due_on": "Due", "total_minor": "Total"},
            money=["total_minor"],
            cur=cur,
        ),
        "customer_invoices",
    )

with notes:
    notes_section(ctx, customer_id)

with activity:
    cols = st.columns(4)
    date_from = cols[0].date_input(t("From"), value=None, key="statement_from")
    date_to = cols[1].date_input(t("To"), value=None, key="statement_to")
    found = receivables.statement(ctx, customer_id, date_from, date_to)
    st.caption(
        t("Opening balance")
        + ": "
        + format_money(found["opening_balance_minor"], cur, lang)
        + " · "
        + t("Closing balance")
        + ": "
        + format_money(found["closing_balance_minor"], cur, lang)
    )
    st.download_button(
        t("Statement PDF"),
        lambda: documents.render_statement_pdf(
            ctx, receivables.statement_from_ledger(ctx, customer_id, date_from, date_to)
        ),
        file_name=f"statement-{contact_id}.pdf",
        mime="application/pdf",
    )
    if found["lines"]:
        show(
            frame(
                found["lines"],
                {
                    "date": "Date",
                    "description": "Description",
                    "document": "Document",
                    "debit_minor": "Debit",
                    "credit_minor": "Credit",
                    "balance_minor": "Balance",
                },
                money=["debit_minor", "credit_minor", "balance_minor"],
                cur=cur,
            ),
            "statement",
        )
    else:
        st.info(t("No orders, invoices or payments yet."))

with history:
    if ctx.can("audit.read"):
        show(
            frame(
                audit.list_entries(ctx, "contact", contact_id),
                {"created_at": "When", "actor": "Who", "action": "Action", "after_json": "Values"},
            ),
            "history",
        )
    else:
        st.info(t("Only admins see the change history."))
