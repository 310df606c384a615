"""Reports: sales, profit, VAT, aging and the financial statements for a date range, against the previous period,
with charts, the documents behind a row, and CSV/XLSX downloads (SPEC R1–R7). Read live on every run."""

import streamlit as st

from backoffice import reports
from backoffice.web import page, show_errors, t
from backoffice.web import report_widgets as widgets
from backoffice.web.session import current_language
from backoffice.web.text import plain

ctx = page("Reports")
lang = current_language()
choice = widgets.controls()
period = (choice.date_from, choice.date_to)

with show_errors(lang):
    report = reports.run_report(ctx, choice.name, *period, choice.by)
    previous = None
    if choice.compare:
        previous = reports.run_report(ctx, choice.name, *reports.previous_period(*period), choice.by)
    widgets.totals(report, previous)

    if choice.name in ("sales", "profit", "vat"):
        granularity = reports.trend_granularity(*period)
        if choice.by in reports.PERIODS:
            trend, trend_before = report, previous
        else:
            trend = reports.run_report(ctx, choice.name, *period, granularity)
            trend_before = None
            if choice.compare:
                trend_before = reports.run_report(
                    ctx, choice.name, *reports.previous_period(*period), granularity
                )
        widgets.trend(trend, trend_before)
        if choice.by not in reports.PERIODS and choice.by != "return":
            widgets.bars(report)
    elif choice.name in ("aging", "pnl", "balance-sheet"):
        widgets.bars(report)

    st.subheader(t(reports.REPORT_TITLES[choice.name]))
    picked = widgets.table(report, "report_table")
    widgets.downloads(report, f"{choice.name}-{choice.date_from}-{choice.date_to}")
    widgets.email_form(ctx, choice.name, choice.date_from, choice.date_to, choice.by)

    if picked is None:
        st.caption(t("Select a row to see the documents behind it."))
    else:
        row = report.rows[picked]
        documents = reports.report_documents(ctx, choice.name, row["key"], *period, choice.by)
        st.subheader(t("Documents behind") + ": " + plain(widgets.row_label(row)))
        widgets.table(documents, "report_documents", selectable=False)
        widgets.downloads(documents, f"{choice.name}-documents")
