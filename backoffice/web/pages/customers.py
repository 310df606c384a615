"""Customers: search, filter, sort and page through contacts; add one; import and export (SPEC C1–C3, C7, C8)."""

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backoffice.admin import orgs
from backoffice.contacts import customers
from backoffice.core.money import currency
from backoffice.web import page, show_errors, t
from backoffice.web.customer_form import customer_form
from backoffice.web.registry import page_path
from backoffice.web.session import current_language
from backoffice.web.tables import frame, show

ctx = page("Customers")
lang = current_language()
cur = currency(orgs.get_settings(ctx)["currency"])
tab_list, tab_new, tab_import = st.tabs([t("List"), t("New customer"), t("Import")])

with tab_list:
    cols: Sequence[DeltaGenerator] = st.columns([4, 2, 2, 2])
    search = cols[0].text_input(t("Search"), placeholder=t("Name, email, phone or tax ID"))
    category = cols[1].selectbox(
        t("Category"),
        ["", *[c["name"] for c in customers.list_categories(ctx)]],
        format_func=lambda c: c or t("All"),
    )
    role = cols[2].selectbox(t("Type"), ["", *customers.ROLES], format_func=lambda r: t(r) if r else t("All"))
    sort = cols[3].selectbox(t("Sort by"), ["name", "created", "city", "country"], format_func=t)
    cols = st.columns([2, 2, 2, 4])
    descending = cols[0].toggle(t("Descending"))
    page_size = cols[1].selectbox(t("Rows per page"), customers.PAGE_SIZES, index=1)
    page_no = cols[2].number_input(t("Page"), min_value=1, value=1, step=1)
    with show_errors(lang):
        result = customers.list_customers(
            ctx, search, category or None, role or None, sort, descending, int(page_no), page_size
        )
        st.caption(
            t("{total} found · page {page} of {pages}").format(
                total=result.total, page=result.page, pages=result.pages
            )
        )
        fields = [f["name"] for f in customers.list_custom_fields(ctx)]
        rows = [r | {f"cf:{f}": r["custom"].get(f) for f in fields} for r in result.rows]
        columns = {
            "contact_id": "#",
            "name": "Name",
            "emails": "Email",
            "phone": "Phone",
            "city": "City",
            "categories": "Categories",
            "balance_minor": "Balance",
        } | {f"cf:{f}": f for f in fields}
        picked = show(
            frame(rows, columns, money=["balance_minor"], cur=cur), "customers_table", selectable=True
        )
        if picked is not None:
            st.session_state["customer_id"] = result.rows[picked]["contact_id"]
            st.switch_page(page_path("customer"))
        st.caption(t("Select a row to open the customer's profile."))
        export = st.columns(4)
        export[0].download_button(
            t("Export CSV"),
            lambda: customers.export_customers(ctx, "csv", search, category or None),
            file_name="customers.csv",
            mime="text/csv",
        )
        export[1].download_button(
            t("Export XLSX"),
            lambda: customers.export_customers(ctx, "xlsx", search, category or None),
            file_name="customers.xlsx",
        )

with tab_new:
    saved = customer_form(ctx, None, key="new_customer")
    if saved:
        st.session_state["customer_id"] = saved
        st.switch_page(page_path("customer"))

with tab_import:
    st.caption(
        t(
            "Columns: name, email, phone, tax_id, address, city, postal_code, country, contact_person, "
            "categories (separated by ;), payment_terms_days, role, and any custom field by its name."
        )
    )
    uploaded = st.file_uploader(t("CSV or XLSX file"), type=["csv", "xlsx"])
    skip_invalid = st.checkbox(t("Import the good rows and list the bad ones"))
    cols = st.columns(4)
    check, run = cols[0].button(t("Check file")), cols[1].button(t("Import"), type="primary")
    if uploaded is not None and (check or run):
        with show_errors(lang):
            outcome = customers.import_customers(
                ctx, uploaded.name, uploaded.getvalue(), skip_invalid, dry_run=check
            )
            if outcome.problems:
                st.error(t("{n} problems found").format(n=len(outcome.problems)))
                problems = [{"row": r, "column": c, "reason": m} for r, c, m in outcome.problems]
                show(
                    frame(problems, {"row": "Row", "column": "Column", "reason": "Reason"}), "import_problems"
                )
            if outcome.written:
                st.success(t("{n} contacts imported").format(n=outcome.created))
            elif check:
                st.info(t("{n} contacts ready to import").format(n=outcome.created))
