"""Widgets shared by the orders and invoices pages: order lines entry, document detail tables."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from backoffice.catalog import products
from backoffice.contacts import customers
from backoffice.core.context import Context
from backoffice.core.money import Currency, percent_text
from backoffice.sales.orders import LineRequest
from backoffice.web.session import t
from backoffice.web.tables import frame, show

STEP_LABELS = {"confirmed": "Confirm", "fulfilled": "Mark as fulfilled", "cancelled": "Cancel order"}
LINE_COLUMNS = {
    "line_no": "#",
    "sku": "SKU",
    "description": "Description",
    "quantity": "Quantity",
    "unit_price_minor": "Unit price",
    "discount_minor": "Discount",
    "rate": "VAT %",
    "net_minor": "Net",
    "vat_minor": "VAT",
    "gross_minor": "Total",
}


ORDER_COLUMNS = {
    "order_id": "#",
    "order_on": "Date",
    "customer_name": "Customer",
    "status": "Status",
    "total_minor": "Total",
    "invoice_number": "Invoice",
}


def order_frame(found: list[dict[str, Any]], cur: Currency, with_customer: bool = True) -> pd.DataFrame:
    """A list of orders; a customer's own page leaves out the customer column."""
    columns = {k: v for k, v in ORDER_COLUMNS.items() if with_customer or k != "customer_name"}
    return frame(found, columns, money=["total_minor"], cur=cur)


def show_lines(lines: list[dict[str, Any]], cur: Currency, key: str) -> None:
    rows = [x | {"rate": t("exempt") if x["vat_exempt"] else percent_text(x["vat_rate_bp"])} for x in lines]
    show(
        frame(
            rows,
            LINE_COLUMNS,
            money=["unit_price_minor", "discount_minor", "net_minor", "vat_minor", "gross_minor"],
            cur=cur,
        ),
        key,
    )


def pick_customer(ctx: Context, key: str) -> int | None:
    """A search box and a choice among the matches (none: walk-in customer)."""
    search = st.text_input(
        t("Find customer"), key=f"{key}_search", placeholder=t("Name, email, phone or tax ID")
    )
    found = customers.list_customers(ctx, search or None, page_size=50).rows
    options = {0: t("Walk-in customer")} | {
        r["contact_id"]: f"{r['name']} · {r['emails'] or r['phone'] or ''}" for r in found
    }
    chosen = st.selectbox(
        t("Customer"), list(options), format_func=options.__getitem__, key=f"{key}_customer"
    )
    return int(chosen or 0) or None


def line_inputs(ctx: Context, key: str, count: int) -> list[LineRequest]:
    """Rows of SKU, quantity, price (blank: the catalogue's) and discount; empty rows are skipped."""
    catalogue = products.list_products(ctx, page_size=1000)[0]
    skus = ["", *[p["sku"] for p in catalogue]]
    names = {p["sku"]: f"{p['sku']} · {p['name']}" for p in catalogue}
    requests = []
    for n in range(count):
        cols = st.columns([4, 2, 2, 2])
        sku = cols[0].selectbox(
            t("Product"), skus, format_func=lambda s: names.get(s, "—"), key=f"{key}_sku{n}"
        )
        quantity = cols[1].text_input(t("Quantity"), value="1", key=f"{key}_qty{n}")
        price = cols[2].text_input(t("Unit price"), key=f"{key}_price{n}", placeholder=t("catalogue"))
        discount = cols[3].text_input(t("Discount"), key=f"{key}_disc{n}")
        if sku:
            requests.append(LineRequest(sku, quantity, price or None, discount or None))
    return requests
