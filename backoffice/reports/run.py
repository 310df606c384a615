"""Running reports: any report by name (run_report), two runs side by side (compare) and the periods the
screens pick for them, and a report emailed as a file through the messaging outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from backoffice.core.context import Context
from backoffice.core.errors import ValidationError
from backoffice.reports.formats import report_csv, report_xlsx
from backoffice.reports.profit import profit_report
from backoffice.reports.registry import (
    BY_OPTIONS,
    REPORT_TITLES,
    REPORTS,
    Report,
)
from backoffice.reports.sales import sales_report
from backoffice.reports.statements import aging_report, balance_sheet, profit_and_loss, trial_balance_report
from backoffice.reports.vat import vat_report


def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period of the same length that ends the day before date_from."""
    days = (date_to - date_from).days
    end = date_from - timedelta(days=1)
    return end - timedelta(days=days), end


def trend_granularity(date_from: date, date_to: date) -> str:
    """Days for a month or so, weeks up to about half a year, months beyond."""
    days = (date_to - date_from).days + 1
    return "day" if days <= 45 else "week" if days <= 200 else "month"


def this_month(today: date | None = None) -> tuple[date, date]:
    today = today or date.today()
    return today.replace(day=1), today


def run_report(
    ctx: Context, name: str, date_from: date | None = None, date_to: date | None = None, by: str | None = None
) -> Report:
    """Any report by name (REPORTS); aging is as of date_to."""
    if name not in BY_OPTIONS:
        raise ValidationError(f"no report {name!r}: choose one of {', '.join(REPORTS)}", "report")
    if name == "sales":
        return sales_report(ctx, date_from, date_to, by or "month")
    if name == "profit":
        return profit_report(ctx, date_from, date_to, by or "month")
    if name == "vat":
        return vat_report(ctx, date_from, date_to, by or "return")
    if name == "aging":
        return aging_report(ctx, date_to)
    statements: dict[str, Callable[[Context, date | None, date | None], Report]] = {
        "trial-balance": trial_balance_report,
        "pnl": profit_and_loss,
        "balance-sheet": balance_sheet,
    }
    return statements[name](ctx, date_from, date_to)


def compare(current: Report, previous: Report) -> list[dict[str, Any]]:
    """Each total of two runs of a report side by side: change in minor units and in percent."""
    result = []
    for column in current.total_columns:
        now, before = current.totals.get(column.key), previous.totals.get(column.key)
        if column.kind not in ("money", "number", "percent"):
            continue
        change = None if now is None or before is None else now - before
        percent = None
        if column.kind != "percent" and before and change is not None:
            percent = (Decimal(change) * 100 / abs(Decimal(before))).quantize(Decimal("0.1"), ROUND_HALF_UP)
        result.append(
            {"key": column.key, "title": column.title, "kind": column.kind}
            | {"current": now, "previous": before, "change": change, "change_percent": percent}
        )
    return result


def email_report(
    ctx: Context,
    name: str,
    to: str,
    date_from: date | None = None,
    date_to: date | None = None,
    by: str | None = None,
    fmt: str = "xlsx",
    cc: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Email a report as XLSX or CSV through the messaging outbox (seed 002); the outbox row comes back."""
    from backoffice import messaging  # loaded on sending only: it brings documents, sales and contacts along

    report = run_report(ctx, name, date_from, date_to, by)
    if fmt not in ("xlsx", "csv"):
        raise ValidationError("choose xlsx or csv", "format")
    data = report_xlsx(report) if fmt == "xlsx" else report_csv(report)
    title = REPORT_TITLES.get(name, name)
    period = f"{date_from or ''}..{date_to or ''}"
    return messaging.send_file(ctx, to, f"{title} {period}", f"{name}-{period}.{fmt}", data, cc, note)
