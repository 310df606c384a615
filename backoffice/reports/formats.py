"""A report at the edges (SPEC R7): JSON (money as decimal strings), and CSV or XLSX files (money as major units)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from backoffice.core import tabular
from backoffice.core.money import Currency, from_minor, to_json
from backoffice.reports.registry import (
    REPORT_TITLES,
    Report,
)

FORMATS = ("json", "csv", "xlsx")  # report_json, report_csv, report_xlsx


def _edge(value: Any, kind: str, cur: Currency, as_text: bool) -> Any:
    if value is None:
        return None
    if kind == "money":
        return to_json(int(value), cur) if as_text else from_minor(int(value), cur)
    if isinstance(value, Decimal):
        return str(value) if as_text else value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def report_json(report: Report) -> dict[str, Any]:
    """{"rows": […], "totals": {…}} with money as decimal strings in major units plus "currency" (docs/architecture.md)."""
    cur = report.currency
    kinds = {c.key: c.kind for c in report.columns}
    rows = [{"key": r["key"]} | {k: _edge(r.get(k), kinds[k], cur, True) for k in kinds} for r in report.rows]
    total_kinds = {c.key: c.kind for c in report.total_columns}
    totals = {k: _edge(v, total_kinds.get(k, "flag"), cur, True) for k, v in report.totals.items()}
    return {
        "report": report.name,
        "by": report.by,
        "from": report.date_from.isoformat() if report.date_from else None,
        "to": report.date_to.isoformat() if report.date_to else None,
        "currency": cur.code,
        "rows": rows,
        "totals": totals | {"currency": cur.code},
        "notes": report.notes,
    }


def report_table(report: Report, title: Callable[[str], str] = str) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows for a file: money as Decimal major units (numbers in XLSX), then a total row."""
    cur = report.currency
    headers = [title(c.title) for c in report.columns]
    body = [
        [
            title(r[c.key])
            if c.key == "label" and str(r.get("key", "")).startswith("~")
            else _edge(r.get(c.key), c.kind, cur, False)
            for c in report.columns
        ]
        for r in report.rows
    ]
    total_kinds = {c.key: c.kind for c in report.total_columns}
    last = [
        _edge(report.totals.get(c.key), total_kinds[c.key], cur, False) if c.key in total_kinds else None
        for c in report.columns
    ]
    if any(v is not None for v in last):
        last[0] = title("Total")
        body.append(last)
    return headers, body


def report_csv(report: Report, title: Callable[[str], str] = str) -> bytes:
    return tabular.to_csv(*report_table(report, title))


def report_xlsx(report: Report, title: Callable[[str], str] = str, rtl: bool = False) -> bytes:
    return tabular.to_xlsx(
        {title(REPORT_TITLES.get(report.name, "Documents")): report_table(report, title)}, rtl
    )
