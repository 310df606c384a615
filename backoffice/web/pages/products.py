"""Products: the catalogue with stock on hand at average cost; add, receive stock, import (SPEC I6, O9)."""

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backoffice.admin import orgs
from backoffice.catalog import products
from backoffice.core.money import currency
from backoffice.web import page, show_errors, t
from backoffice.web.session import current_language
from backoffice.web.tables import frame, show
from backoffice.web.text import plain

ctx = page("Products")
lang = current_language()
cur = currency(orgs.get_settings(ctx)["currency"])
can_edit = ctx.can("products.write")
tab_list, tab_new, tab_stock, tab_import = st.tabs(
    [t("List"), t("New product"), t("Receive stock"), t("Import")]
)

with tab_list:
    search = st.text_input(t("Search"), key="product_search", placeholder=t("SKU, name or category"))
    found, total = products.list_products(ctx, search or None, page_size=200)
    st.caption(
        t("{total} found · page {page} of {pages}").format(
            total=total, page=1, pages=max(1, -(-total // 200))
        )
    )
    show(
        frame(
            found,
            {
                "sku": "SKU",
                "name": "Name",
                "name_ar": "Arabic name",
                "category": "Category",
                "price_minor": "Price",
                "stock_qty": "Stock",
                "stock_value_minor": "Stock value",
            },
            money=["price_minor", "stock_value_minor"],
            cur=cur,
        ),
        "products",
    )
    short = products.negative_stock(ctx)
    if short:
        st.warning(t("Below zero") + ": " + plain(", ".join(f"{p['sku']} ({p['stock_qty']})" for p in short)))

with tab_new, st.form("new_product", clear_on_submit=True):
    cols: Sequence[DeltaGenerator] = st.columns(3)
    values = {
        "sku": cols[0].text_input(t("SKU") + " *"),
        "name": cols[1].text_input(t("Name") + " *"),
        "name_ar": cols[2].text_input(t("Arabic name")),
        "price": cols[0].text_input(t("Price") + " *"),
        "cost": cols[1].text_input(t("Cost")),
        "category": cols[2].text_input(t("Category")),
        "unit": cols[0].text_input(t("Unit"), value="pcs"),
        "vat": cols[1].text_input(t("VAT % (blank: standard, or exempt)")),
        "price_includes_vat": cols[2].checkbox(t("Price includes VAT")),
    }
    if st.form_submit_button(t("Save"), type="primary", disabled=not can_edit):
        with show_errors(lang):
            products.save_product(ctx, values)
            st.success(t("Saved") + ": " + plain(values["sku"]))

with tab_stock, st.form("receive"):
    everything = products.list_products(ctx, page_size=1000)[0]
    labels = {p["product_id"]: f"{p['sku']} · {p['name']}" for p in everything}
    chosen = st.selectbox(t("Product"), list(labels), format_func=labels.__getitem__) if labels else None
    cols = st.columns(2)
    quantity = cols[0].number_input(t("Quantity"), min_value=1, value=1, step=1)
    unit_cost = cols[1].text_input(t("Unit cost (blank: the product's cost)"))
    if st.form_submit_button(t("Receive"), disabled=not (can_edit and chosen)) and chosen is not None:
        with show_errors(lang):
            products.receive_stock(ctx, int(chosen), int(quantity), unit_cost or None)
            st.success(t("Saved"))

with tab_import:
    st.caption(t("Columns: sku, name, name_ar, unit, category, price, cost, vat, tax_inclusive, stock."))
    uploaded = st.file_uploader(t("CSV or XLSX file"), type=["csv", "xlsx"], key="products_file")
    if uploaded is not None and st.button(t("Import"), disabled=not can_edit):
        with show_errors(lang):
            outcome = products.import_products(ctx, uploaded.name, uploaded.getvalue())
            for row, column, reason in outcome.problems or []:
                st.error(f"{t('Row')} {row}, {plain(column)}: {plain(reason)}")
            if outcome.written:
                st.success(t("{n} products imported").format(n=outcome.created))
