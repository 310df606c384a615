"""Invoices and credit notes: the list, each document's lines, credit notes (returns) and the explain check (SPEC I1, I2, P6)."""

import functools
from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backoffice import documents
from backoffice.admin import orgs
from backoffice.core.enums import DocumentKind
from backoffice.core.money import currency, format_money
from backoffice.sales import invoices
from backoffice.sales.invoices import ReturnRequest
from backoffice.web import page, show_errors, t
from backoffice.web.errors import attempt
from backoffice.web.sales import show_lines
from backoffice.web.session import current_language
from backoffice.web.tables import frame, show
from backoffice.web.text import plain

ctx = page("Invoices")
lang = current_language()
cur = currency(orgs.get_settings(ctx)["currency"])
kind = st.selectbox(t("Show"), ["", *DocumentKind], format_func=lambda k: t(k) if k else t("All"))
found, total = invoices.list_invoices(ctx, kind or None, page_size=200)
picked = show(
    frame(
        found,
        {
            "number_text": "Number",
            "issued_on": "Date",
            "due_on": "Due",
            "customer_name": "Customer",
            "net_minor": "Net",
            "vat_minor": "VAT",
            "total_minor": "Total",
        },
        money=["net_minor", "vat_minor", "total_minor"],
        cur=cur,
    ),
    "invoices_table",
    selectable=True,
)
if picked is not None:
    st.session_state["invoice_number"] = found[picked]["number_text"]
number = st.session_state.get("invoice_number")
if not number:
    st.caption(t("Select a row to see the document."))
    st.stop()

doc = attempt(invoices.get_invoice, ctx, number, lang=lang)
if doc is None:
    st.stop()
with show_errors(lang):
    st.subheader(f"{t(doc['kind'])} {doc['number_text']}")
    st.caption(
        f"{plain(doc['customer_name'] or t('Walk-in customer'))} · {doc['issued_on']} · {t('Due')} {doc['due_on']}"
    )
    doc_cur = currency(doc["currency"])  # the document's own, whatever the organization's is now
    show_lines(doc["lines"], doc_cur, "invoice_lines")
    cols: Sequence[DeltaGenerator] = st.columns(3)
    for col, (label, key) in zip(
        cols, [("Net", "net_minor"), ("VAT", "vat_minor"), ("Total", "total_minor")], strict=True
    ):
        col.metric(t(label), format_money(doc[key], doc_cur, lang))
    if doc["credit_notes"]:
        st.caption(t("Credit notes") + ": " + ", ".join(doc["credit_notes"]))
    st.download_button(
        t("Download PDF"),
        functools.partial(documents.render_invoice_pdf, ctx, number),
        file_name=f"{number}.pdf",
        mime="application/pdf",
        type="primary",
    )
    if st.button(t("Recalculate / explain")):
        differences = invoices.explain_invoice(ctx, number)
        for d in differences:
            st.warning(
                f"{d.where}: {format_money(d.stored_minor, doc_cur, lang)} ≠ "
                f"{format_money(d.computed_minor, doc_cur, lang)} — {d.reason}"
            )
        if not differences:
            st.success(t("Every total agrees with its lines."))

if doc["kind"] == "invoice" and ctx.can("invoices.issue"):
    st.subheader(t("Return goods (credit note)"))
    st.caption(t("An issued invoice is never changed: a credit note corrects it."))
    with st.form("credit_note"):
        quantities = {
            x["sku"]: st.number_input(
                plain(f"{x['sku']} · {x['description']}"),
                min_value=0,
                max_value=int(x["returnable"]),
                value=0,
                step=1,
                key=f"ret_{x['line_no']}",
            )
            for x in doc["lines"]
            if x["returnable"] > 0
        }
        reason = st.text_input(t("Reason"))
        cols = st.columns(2)
        partial = cols[0].form_submit_button(t("Credit the chosen quantities"))
        full = cols[1].form_submit_button(t("Credit everything left"))
    if partial or full:
        with show_errors(lang):
            returns = None if full else [ReturnRequest(sku, q) for sku, q in quantities.items() if q > 0]
            if returns == []:
                st.warning(t("Choose at least one quantity."))
            else:
                st.session_state["invoice_number"] = invoices.issue_credit_note(
                    ctx, number, returns, reason or None
                )
                st.rerun()
