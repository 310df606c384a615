"""Store import: upload a store's orders, preview new/changed/unchanged/error orders, import, post held ones (SPEC O1–O9)."""

import streamlit as st

from backoffice import imports as order_import
from backoffice.imports import profiles
from backoffice.web import page, show_errors, t
from backoffice.web.import_widgets import held_orders, mapping_form, show_result
from backoffice.web.session import current_language
from backoffice.web.tables import frame, show

ctx = page("Store import")
lang = current_language()
stores = [s["name"] for s in order_import.list_stores(ctx)]
tab_import, tab_held, tab_log = st.tabs([t("Import orders"), t("Held orders"), t("Sync log")])

with tab_import:
    cols = st.columns(3)
    store = cols[0].selectbox(t("Store"), [*stores, ""], format_func=lambda s: s or t("New store…"))
    if not store:
        store = cols[0].text_input(t("New store name"))
    choices = [*profiles.PROFILES, "mapping", *order_import.list_mappings(ctx)]
    profile = cols[1].selectbox(t("File layout"), choices, format_func=t)
    uploaded = cols[2].file_uploader(
        t("Orders file (CSV, XLSX, JSON)"), type=["csv", "txt", "xlsx", "json", "jsonl"]
    )
    payments_file = st.file_uploader(
        t("Payments file (optional: order_id, payment_method, amount, paid_at)"), type=["csv"]
    )
    mapping = None
    if uploaded is not None and profile == "mapping":
        with show_errors(lang):
            mapping = mapping_form(ctx, uploaded.name, uploaded.getvalue())
    cols = st.columns(3)
    auto_paid = cols[0].checkbox(t("Create paid invoices automatically"), value=True)
    default_customer = cols[1].checkbox(t("Use one walk-in customer for all orders"))
    all_or_nothing = cols[2].checkbox(t("Reject the whole file if any row is bad"))
    allow_dates = st.checkbox(t("Accept orders dated before 2000 or more than a day ahead"))
    buttons = st.columns(4)
    preview = buttons[0].button(t("Preview"), disabled=uploaded is None or not store)
    run = buttons[1].button(t("Import"), type="primary", disabled=uploaded is None or not store)
    if uploaded is not None and store and (preview or run):
        bar = st.progress(0.0, text=t("Reading the file…"))

        def progress(fraction: float, step: str) -> None:
            bar.progress(fraction, text=t(step))

        with show_errors(lang):
            result = order_import.import_file(
                ctx,
                store,
                uploaded.name,
                uploaded.getvalue(),
                "generic" if profile == "mapping" else profile,
                mapping,
                payments_file.getvalue() if payments_file else None,
                dry_run=preview,
                all_or_nothing=all_or_nothing,
                allow_dates=allow_dates,
                auto_paid=auto_paid,
                default_customer=default_customer or None,
                progress=progress,
            )
            show_result(result)

with tab_held:
    if stores:
        held_orders(ctx, st.selectbox(t("Store"), stores, key="held_store"))

with tab_log:
    failed_only = st.toggle(t("Failed orders only"))
    log = order_import.sync_log(ctx, failed_only=failed_only)
    show(
        frame(
            log,
            {
                "created_at": "When",
                "store": "Store",
                "external_id": "Order",
                "result": "Result",
                "reason": "Reason",
                "file_name": "File",
                "actor": "Who",
            },
        ),
        "sync_log",
    )
