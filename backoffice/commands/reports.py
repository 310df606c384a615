"""`backoffice report …` and `backoffice export`: reports as JSON ({"rows": […], "totals": {…}}), CSV or XLSX,
and every table of an organization for migration (SPEC R2–R7, A6)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from backoffice.books import receivables
from backoffice.core.errors import ValidationError

REPORT_HELP = {
    "sales": "sales net of credit notes, by period, product, category, customer, channel or payment method",
    "profit": "revenue, cost of goods sold, gross profit and margin",
    "vat": "output VAT, input VAT and net payable (the Saudi VAT return's boxes for SA)",
    "aging": "receivables by days past due",
    "trial-balance": "debits and credits per account for the period",
    "pnl": "profit and loss for the period",
    "balance-sheet": "assets, liabilities and equity at --to",
}


def _date(text: str | None, flag: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"write the date as YYYY-MM-DD (got {text!r})", flag) from None


def _format(args: argparse.Namespace) -> str:
    if args.json:
        return "json"
    if args.format:
        return str(args.format)
    if args.out:
        suffix = Path(args.out).suffix.lower().lstrip(".")
        return suffix if suffix in ("json", "csv", "xlsx") else "json"
    return "text"


def _write(args: argparse.Namespace, fmt: str, data: bytes) -> None:
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"Wrote {args.out}.", file=sys.stderr)
    elif fmt == "xlsx":
        raise ValidationError("an XLSX report needs --out FILE", "out")
    else:
        sys.stdout.write(data.decode("utf-8-sig" if fmt == "csv" else "utf-8"))


def _text(report: Any) -> str:
    from backoffice import reports

    headers, body = reports.report_table(report)
    cells = [headers] + [["" if v is None else str(v) for v in row] for row in body]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join([*lines, *report.notes])


def cmd_report(args: argparse.Namespace) -> None:
    from backoffice import reports
    from backoffice.cli import _context

    ctx = _context(args)
    fmt = _format(args)
    if args.report == "aging" and fmt in ("json", "text"):
        cmd_aging(args)
        return
    found = reports.run_report(
        ctx, args.report, _date(args.date_from, "from"), _date(args.date_to, "to"), getattr(args, "by", None)
    )
    if fmt == "json":
        _write(args, fmt, (json.dumps(reports.report_json(found), ensure_ascii=False) + "\n").encode())
    elif fmt == "csv":
        _write(args, fmt, reports.report_csv(found))
    elif fmt == "xlsx":
        _write(args, fmt, reports.report_xlsx(found))
    else:
        print(_text(found))


def cmd_aging(args: argparse.Namespace) -> None:
    from backoffice.cli import _context, _emit, _money
    from backoffice.core.money import to_json

    ctx = _context(args)
    cur = _money(ctx)
    found = receivables.aging(ctx, _date(args.date_to, "to"))
    keys = (*receivables.BUCKETS, "total")
    rows = [
        {"customer_id": r["customer_id"], "customer": r["customer_name"]}
        | {k: to_json(r[k], cur) for k in keys}
        for r in found["rows"]
    ]
    data = {
        "rows": rows,
        "totals": {k: to_json(found["totals"][k], cur) for k in keys} | {"currency": cur.code},
        "as_of": found["as_of"],
    }
    if getattr(args, "out", None):
        _write(args, "json", (json.dumps(data, ensure_ascii=False, default=str) + "\n").encode())
        return
    text = "\n".join(f"{r['customer'] or '-':<28} " + " ".join(f"{r[k]:>12}" for k in keys) for r in rows)
    _emit(args, data, text + "\n" + f"{'Total':<28} " + " ".join(f"{data['totals'][k]:>12}" for k in keys))


def cmd_export(args: argparse.Namespace) -> None:
    from backoffice import reports
    from backoffice.cli import _context, _emit

    if not args.out.lower().endswith((".xlsx", ".zip")):
        raise ValidationError("--out names an .xlsx workbook or a .zip of CSV files", "out")
    result = reports.export_all(_context(args), args.out)
    data = {
        "file": str(result.path),
        "zip": str(result.zip_path) if result.zip_path else None,
        "tables": result.tables,
        "in_zip": result.in_zip,
        "left_out": result.left_out,
    }
    more = (
        f" (and {result.zip_path} for {', '.join(result.in_zip)})"
        if result.zip_path != result.path and result.in_zip
        else ""
    )
    _emit(
        args,
        data,
        f"Exported {len(result.tables)} tables, {sum(result.tables.values())} rows to {args.out}{more}.",
    )


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    from backoffice.reports import BY_OPTIONS

    group = sub.add_parser("report", help="reports").add_subparsers(
        dest="action", required=True, metavar="REPORT"
    )
    for name, options in BY_OPTIONS.items():
        p = group.add_parser(name, parents=[common], help=REPORT_HELP[name])
        p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)")
        p.add_argument(
            "--to", dest="date_to", metavar="DATE", help="last day (aging and balance sheet: as of)"
        )
        if options:
            p.add_argument("--by", choices=options, default=options[0], help=f"default {options[0]}")
        p.add_argument(
            "--format", choices=["json", "csv", "xlsx"], help="default: text, or from --out's suffix"
        )
        p.add_argument("--out", metavar="FILE", help="write to this file instead of standard output")
        p.set_defaults(handler=cmd_report, report=name)
    p = sub.add_parser(
        "export", parents=[common], help="every table of the organization to XLSX (or a zip of CSVs)"
    )
    p.add_argument(
        "--out", required=True, metavar="FILE", help="x.xlsx (a sheet per table) or x.zip (CSV files)"
    )
    p.set_defaults(handler=cmd_export)
