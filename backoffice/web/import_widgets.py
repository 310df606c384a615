"""The store-import screen's parts: the column-mapping form, the result summary and the held-orders list."""

from __future__ import annotations

from typing import Any

import streamlit as st

from backoffice import imports as order_import
from backoffice.core.context import Context
from backoffice.imports import StoreImportResult, profiles
from backoffice.sales import orders
from backoffice.web.session import t
from backoffice.web.tables import frame, show
from backoffice.web.text import plain


def mapping_form(ctx: Context, file_name: str, data: bytes) -> dict[str, str] | None:
    """Pick, for each generic column, the file's column that holds it; optionally save it as a named profile."""
    headers = order_import.file_headers(ctx, file_name, data)
    guessed, _ = profiles.map_headers(headers, "generic", None)
    mapping: dict[str, str] = {}
    cols = st.columns(3)
    for i, column in enumerate(profiles.GENERIC):
        options = ["", *headers]
        current = guessed.get(column, "")
        label = column + (" *" if column in profiles.REQUIRED else "")
        chosen = cols[i % 3].selectbox(label, options, index=options.index(current), key=f"map_{column}")
        if chosen:
            mapping[column] = chosen
    name = st.text_input(t("Save this mapping as (optional)"), key="map_name")
    if name and st.button(t("Save mapping")):
        order_import.save_mapping(ctx, name, mapping)
        st.success(t("Saved"))
    return mapping


def show_result(result: StoreImportResult) -> None:
    cols = st.columns(5)
    for col, (label, value) in zip(
        cols,
        [
            ("New", result.new),
            ("Changed", result.changed),
            ("Unchanged", result.unchanged),
            ("With errors", result.errors),
            ("Posted", result.posted),
        ],
        strict=True,
    ):
        col.metric(t(label), value)
    if result.rejected:
        st.error(
            t("The file was rejected: nothing was written. Fix the rows below, or import the good orders.")
        )
    elif result.dry_run:
        st.info(t("Preview only: nothing was written."))
    else:
        st.success(t("Imported."))
    if result.negative_stock:
        st.warning(t("Stock went below zero for") + ": " + plain(", ".join(result.negative_stock)))
    if result.problems:
        rows = [{"row": r, "column": c, "reason": m} for r, c, m in result.problems]
        show(frame(rows, {"row": "Row", "column": "Column", "reason": "Reason"}), "import_problems")
        if result.problem_count > len(result.problems):
            st.caption(
                t("The first {shown} of {n} problems are listed; the error report has them all.").format(
                    shown=f"{len(result.problems):,}", n=f"{result.problem_count:,}"
                )
            )
        st.download_button(
            t("Download the error report (CSV)"),
            order_import.problems_csv(result),
            file_name="import-errors.csv",
            mime="text/csv",
        )


def held_orders(ctx: Context, store: str) -> None:
    """Orders of the store not yet posted (pending in the store, or from before it was linked): post by hand."""
    found = [o for o in orders.list_orders(ctx, "confirmed", page_size=1000)[0] if o["external_id"]]
    if not found:
        st.caption(t("No held orders."))
        return
    picked = st.multiselect(t("Orders to post"), [o["external_id"] for o in found])
    if picked and st.button(t("Post to books"), type="primary"):
        outcome: dict[str, Any] = order_import.post_orders(ctx, store, picked)
        st.success(t("Posted") + f": {outcome['posted']}")
