"""Orders: the list, a manual (call-centre) order, each order's lines, history and next step (SPEC O10, O11)."""

import streamlit as st

from backoffice import imports as order_import
from backoffice.admin import orgs
from backoffice.core.money import currency, format_money
from backoffice.sales import invoices, lifecycle, orders
from backoffice.web import page, show_errors, t
from backoffice.web.sales import STEP_LABELS, line_inputs, order_frame, pick_customer, show_lines
from backoffice.web.session import current_language
from backoffice.web.tables import frame, show
from backoffice.web.text import plain

ctx = page("Orders")
lang = current_language()
cur = currency(orgs.get_settings(ctx)["currency"])
if notice := st.session_state.pop("orders_notice", None):
    st.success(notice)
tab_list, tab_new = st.tabs([t("List"), t("New order")])

with tab_list:
    status = st.selectbox(t("Status"), ["", *orders.STATUSES], format_func=lambda s: t(s) if s else t("All"))
    found, total = orders.list_orders(ctx, status or None, page_size=200)
    picked = show(order_frame(found, cur), "orders_table", selectable=True)
    if picked is not None:
        st.session_state["order_id"] = found[picked]["order_id"]
    order_id = st.session_state.get("order_id")
    if order_id:
        with show_errors(lang):
            order = orders.get_order(ctx, int(order_id))
            st.subheader(t("Order") + f" #{order['order_id']} · {t(order['status'])}")
            st.caption(f"{plain(order['customer_name'] or t('Walk-in customer'))} · {order['order_on']}")
            order_cur = currency(order["currency"])  # the order's own, whatever the organization's is now
            show_lines(order["lines"], order_cur, "order_lines")
            cols = st.columns(3)
            for col, (label, key) in zip(
                cols, [("Net", "net_minor"), ("VAT", "vat_minor"), ("Total", "total_minor")], strict=True
            ):
                col.metric(t(label), format_money(order[key], order_cur, lang))
            buttons = st.columns(5)
            for n, step in enumerate(order["next"]):
                if buttons[n].button(t(STEP_LABELS[step]), key=f"to_{step}"):
                    lifecycle.move_order(ctx, order["order_id"], step)
                    st.rerun()
            if order["can_invoice"] and buttons[3].button(t("Issue invoice"), type="primary"):
                st.session_state["orders_notice"] = (
                    t("Issued") + ": " + invoices.issue_invoice(ctx, order["order_id"])
                )
                st.rerun()
            if buttons[4].button(t("Recalculate / explain")):
                differences = orders.explain_order(ctx, order["order_id"])
                for d in differences:
                    st.warning(
                        f"{d.where}: {format_money(d.stored_minor, order_cur, lang)} ≠ "
                        f"{format_money(d.computed_minor, order_cur, lang)} — {d.reason}"
                    )
                if not differences:
                    st.success(t("Every total agrees with its lines."))
            show(
                frame(
                    order["events"],
                    {
                        "created_at": "When",
                        "from_status": "From",
                        "to_status": "To",
                        "actor": "Who",
                        "note": "Note",
                    },
                ),
                "order_events",
            )
            if order["external_id"]:
                st.caption(t("Sync log"))
                show(
                    frame(
                        order_import.sync_log(ctx, external_id=order["external_id"]),
                        {"created_at": "When", "result": "Result", "reason": "Reason", "file_name": "File"},
                    ),
                    "order_sync_log",
                )

with tab_new:
    customer_id = pick_customer(ctx, "new_order")
    with st.form("new_order_form"):
        requests = line_inputs(ctx, "new_order", 4)
        cols = st.columns(3)
        shipping = cols[0].text_input(t("Shipping"))
        notes = cols[1].text_input(t("Notes"))
        mode = cols[2].radio(t("Save as"), [*orders.NEW_STATUSES, "invoice"], format_func=t, horizontal=True)
        if st.form_submit_button(t("Save"), type="primary"):
            with show_errors(lang):
                if mode == "invoice":
                    number = invoices.issue_direct_invoice(
                        ctx, customer_id, requests, shipping or None, notes=notes or None
                    )
                    st.session_state["orders_notice"] = t("Issued") + ": " + number
                else:
                    new_id = orders.create_order(
                        ctx, customer_id, requests, shipping or None, notes or None, status=mode
                    )
                    st.session_state["order_id"] = new_id
                    st.session_state["orders_notice"] = t("Order") + f" #{new_id} " + t("saved")
                st.rerun()
