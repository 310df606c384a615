"""Reports (SPEC R1–R7, A6): sales, profit and VAT from the documents; the ledger's statements; aging; drill-down
to documents; report files; the full-data export. Reads afresh on every call (no cache); SQL lives in
backoffice.db.queries.reports; money stays integer minor units until JSON, CSV or XLSX.

One module per concept, each below the next (no cycles): registry (names, groupings, titles, Column, Report,
shared helpers) <- sales <- profit; vat; statements (trial balance, P&L, balance sheet, aging); drilldown;
formats (JSON, CSV, XLSX) <- run (any report by name, compare, email); export (the full-data export). The names
below are the package's API: callers use `reports.<name>`."""

from backoffice.reports.drilldown import DRILL_LIMIT, report_documents
from backoffice.reports.export import (
    SECRET_COLUMNS,
    SECRET_TABLES,
    SHARED_TABLES,
    XLSX_MAX_ROWS,
    ExportResult,
    export_all,
    is_secret_column,
    is_secret_table,
)
from backoffice.reports.formats import FORMATS, report_csv, report_json, report_table, report_xlsx
from backoffice.reports.profit import profit_report
from backoffice.reports.registry import (
    BY_OPTIONS,
    BY_TITLES,
    PERIODS,
    REPORT_TITLES,
    REPORTS,
    SPECIAL_LABELS,
    Column,
    Report,
)
from backoffice.reports.run import (
    compare,
    email_report,
    previous_period,
    run_report,
    this_month,
    trend_granularity,
)
from backoffice.reports.sales import margin, sales_report
from backoffice.reports.statements import (
    PNL_SECTIONS,
    aging_report,
    balance_sheet,
    profit_and_loss,
    trial_balance_report,
)
from backoffice.reports.vat import SA_BOXES, vat_report

__all__ = [
    "BY_OPTIONS",
    "BY_TITLES",
    "DRILL_LIMIT",
    "FORMATS",
    "PERIODS",
    "PNL_SECTIONS",
    "REPORTS",
    "REPORT_TITLES",
    "SA_BOXES",
    "SECRET_COLUMNS",
    "SECRET_TABLES",
    "SHARED_TABLES",
    "SPECIAL_LABELS",
    "XLSX_MAX_ROWS",
    "Column",
    "ExportResult",
    "Report",
    "aging_report",
    "balance_sheet",
    "compare",
    "email_report",
    "export_all",
    "is_secret_column",
    "is_secret_table",
    "margin",
    "previous_period",
    "profit_and_loss",
    "profit_report",
    "report_csv",
    "report_documents",
    "report_json",
    "report_table",
    "report_xlsx",
    "run_report",
    "sales_report",
    "this_month",
    "trend_granularity",
    "trial_balance_report",
    "vat_report",
]
