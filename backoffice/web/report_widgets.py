"""Widgets of the Reports page: the report picker, totals with the previous period, plotly charts, the table with
its drill-down selection, and the CSV/XLSX downloads. Figures come from backoffice.reports; nothing is computed here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from backoffice import reports
from backoffice.core.context import Context
from backoffice.core.i18n import CATALOGUE, RTL_LANGUAGES, account_name
from backoffice.core.money import Currency, format_money, from_minor
from backoffice.reports import Report
from backoffice.web.errors import show_errors
from backoffice.web.session import current_language, t
from backoffice.web.tables import frame, show
from backoffice.web.text import chart_text, plain

CHART_MEASURE = {"sales": "net_sales", "profit": "gross_profit", "vat": "net_vat", "aging": "total"}
NO_COMPARISON = ("aging",)


@dataclass(frozen=True)
class Choice:
    name: str
    by: str | None
    date_from: date
    date_to: date
    compare: bool


def controls() -> Choice:
    """Report, dates (default: this month), dimension and the comparison switch."""
    first, today = reports.this_month()
    cols = st.columns([3, 2, 2, 3])
    name = cols[0].selectbox(
        t("Report"),
        list(reports.REPORTS),
        format_func=lambda n: t(reports.REPORT_TITLES[n]),
        key="report_name",
    )
    date_from = cols[1].date_input(t("From"), value=first, key="report_from")
    date_to = cols[2].date_input(t("To"), value=today, key="report_to")
    options = reports.BY_OPTIONS[name]
    by = (
        cols[3].selectbox(
            t("By"), list(options), format_func=lambda b: t(reports.BY_TITLES[b]), key=f"report_by_{name}"
        )
        if options
        else None
    )
    compare = name not in NO_COMPARISON and st.checkbox(
        t("Compare with the previous period"), key="report_compare"
    )
    return Choice(name, by, date_from, date_to, bool(compare))


def _label(row: dict[str, Any], lang: str) -> str:
    if "name_en" in row and row.get("code"):
        return account_name(row, lang)
    label = str(row.get("label") or "")
    if str(row.get("key", "")).startswith("~") or label in CATALOGUE:
        return t(label)
    return label


def row_label(row: dict[str, Any]) -> str:
    return _label(row, current_language())


def _display(report: Report) -> list[dict[str, Any]]:
    lang = current_language()
    shown = []
    for row in report.rows:
        cells = {c.key: row.get(c.key) for c in report.columns}
        cells["label"] = _label(row, lang)
        for c in report.columns:
            value = cells[c.key]
            if c.kind == "percent" and value is not None:
                cells[c.key] = f"{value}%"
            elif c.kind == "date" and isinstance(value, date):
                cells[c.key] = value.isoformat()
            elif c.key in ("kind_title", "section_title") and value:
                cells[c.key] = t(str(value))
        shown.append(cells)
    return shown


def table(report: Report, key: str, selectable: bool = True) -> int | None:
    """The report's rows; with selectable, returns the row picked for drill-down."""
    money = [c.key for c in report.columns if c.kind == "money"]
    df = frame(_display(report), {c.key: c.title for c in report.columns}, money=money, cur=report.currency)
    for note in report.notes:
        st.caption(t(note))
    picked = show(df, key, selectable=selectable)
    return picked if picked is not None and picked < len(report.rows) else None


def totals(report: Report, previous: Report | None) -> None:
    """One metric per total; against the previous period, the change as the delta."""
    lang, cur = current_language(), report.currency
    changes = {c["key"]: c for c in reports.compare(report, previous)} if previous else {}
    shown = [c for c in report.total_columns if report.totals.get(c.key) is not None][:6]
    for col, column in zip(st.columns(max(len(shown), 1)), shown, strict=False):
        value, change = report.totals[column.key], changes.get(column.key, {}).get("change")
        text = _format(value, column.kind, cur, lang)
        delta = None if change is None else _format(change, column.kind, cur, lang)
        col.metric(t(column.title), text, delta)
    if "balanced" in report.totals:
        st.caption(t("Balanced") + ": " + (t("Yes") if report.totals["balanced"] else t("No")))


def _format(value: Any, kind: str, cur: Currency, lang: str) -> str:
    if kind == "money":
        return format_money(int(value), cur, lang)
    return f"{value}%" if kind == "percent" else str(value)


def _measure(report: Report) -> str | None:
    wanted = CHART_MEASURE.get(report.name)
    keys = [c.key for c in report.columns if c.kind == "money"]
    return wanted if wanted in keys else (keys[0] if keys else None)


def _major(minor: Any, cur: Currency) -> float:
    return float(from_minor(int(minor or 0), cur))  # a chart axis only: plotly draws floats


def trend(report: Report, previous: Report | None = None) -> None:
    """A line per period; the previous period's line is shifted onto the same dates."""
    measure = _measure(report)
    if measure is None or not report.rows:
        return
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[r["key"] for r in report.rows],
            y=[_major(r.get(measure), report.currency) for r in report.rows],
            mode="lines+markers",
            name=t("This period"),
        )
    )
    if previous is not None and previous.rows and report.date_from and previous.date_from:
        shift = report.date_from - previous.date_from
        figure.add_trace(
            go.Scatter(
                x=[(date.fromisoformat(r["key"]) + shift).isoformat() for r in previous.rows],
                y=[_major(r.get(measure), previous.currency) for r in previous.rows],
                mode="lines",
                line={"dash": "dot"},
                name=t("Previous period"),
            )
        )
    figure.update_layout(
        height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10}, title=t(_title(report, measure))
    )
    st.plotly_chart(figure, key=f"trend_{report.name}")


def bars(report: Report, limit: int = 20) -> None:
    """Bars by the report's dimension, the largest first."""
    measure = _measure(report)
    if measure is None or not report.rows:
        return
    lang = current_language()
    top = sorted(report.rows, key=lambda r: -abs(int(r.get(measure) or 0)))[:limit]
    labels = [chart_text(_label(r, lang)) for r in top]
    values = [_major(r.get(measure), report.currency) for r in top]
    horizontal = go.Bar(x=values, y=labels, orientation="h")
    figure = go.Figure(horizontal)
    figure.update_layout(
        height=max(240, 28 * len(top)),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        title=t(_title(report, measure)),
        yaxis={"autorange": "reversed", "side": "right" if lang in RTL_LANGUAGES else "left"},
    )
    st.plotly_chart(figure, key=f"bars_{report.name}")


def _title(report: Report, measure: str) -> str:
    return next((c.title for c in report.columns if c.key == measure), measure)


def downloads(report: Report, stem: str) -> None:
    """CSV (UTF-8 with BOM) and XLSX of exactly what the table shows, formula-safe, numbers as numbers."""
    rtl = current_language() in RTL_LANGUAGES
    cols = st.columns(2)
    cols[0].download_button(
        t("Download CSV"), reports.report_csv(report, t), f"{stem}.csv", "text/csv", key=f"{stem}_csv"
    )
    cols[1].download_button(
        t("Download XLSX"),
        reports.report_xlsx(report, t, rtl),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{stem}_xlsx",
    )


def email_form(ctx: Context, name: str, date_from: Any, date_to: Any, by: str | None) -> None:
    """Email this report (XLSX or CSV) to a customer, supplier or employee through the outbox (seed 002)."""
    with st.expander(t("Email this report")), st.form("email_report", clear_on_submit=True):
        cols = st.columns(3)
        to = cols[0].text_input(t("Recipients (To)"))
        cc = cols[1].text_input(t("CC"))
        fmt = cols[2].selectbox(t("Format"), ["xlsx", "csv"])
        note = st.text_area(t("Note (placed at the top of the message)"))
        if st.form_submit_button(t("Send")):
            with show_errors(current_language()):
                sent = reports.email_report(
                    ctx, name, to, date_from, date_to, by, fmt, cc or None, note or None
                )
                (st.success if sent["status"] == "sent" else st.error)(
                    plain(sent["error"]) if sent["error"] else t("Sent")
                )
