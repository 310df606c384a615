"""`backoffice report …` and `backoffice export`: reports as JSON ({"rows": […], "totals": {…}}), CSV or
XLSX, and every table of an organization for migration."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from backoffice.books import receivables
from backoffice.cli import common
from backoffice.core.errors import ValidationError
from backoffice.reports import BY_OPTIONS, FORMATS

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


def _format(fmt: str | None, out: str | None) -> str:
    if common.option("json"):
        return "json"
    if fmt:
        return fmt
    if out:
        suffix = Path(out).suffix.lower().lstrip(".")
        return suffix if suffix in FORMATS else "json"
    return "text"


def _write(out: str | None, fmt: str, data: bytes) -> None:
    if out:
        common.path(out).write_bytes(data)
        print(f"Wrote {out}.", file=common.err())
    elif fmt == "xlsx":
        raise ValidationError("an XLSX report needs --out FILE", "out")
    else:
        common.out().write(data.decode("utf-8-sig" if fmt == "csv" else "utf-8"))


def _text(report: Any) -> str:
    from backoffice import reports

    headers, body = reports.report_table(report)
    cells = [headers] + [["" if v is None else str(v) for v in row] for row in body]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join([*lines, *report.notes])


def _run_report(
    name: str, date_from: str | None, date_to: str | None, by: str | None, fmt: str | None, out: str | None
) -> None:
    from backoffice import reports

    ctx = common.context()
    chosen = _format(fmt, out)
    if name == "aging" and chosen in ("json", "text"):
        _aging(ctx, date_to, out)
        return
    found = reports.run_report(ctx, name, _date(date_from, "from"), _date(date_to, "to"), by)
    if chosen == "json":
        _write(out, chosen, (json.dumps(reports.report_json(found), ensure_ascii=False) + "\n").encode())
    elif chosen == "csv":
        _write(out, chosen, reports.report_csv(found))
    elif chosen == "xlsx":
        _write(out, chosen, reports.report_xlsx(found))
    else:
        print(_text(found), file=common.out())


def _aging(ctx: Any, date_to: str | None, out: str | None) -> None:
    from backoffice.core.money import to_json

    cur = common.money(ctx)
    found = receivables.aging(ctx, _date(date_to, "to"))
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
    if out:
        _write(out, "json", (json.dumps(data, ensure_ascii=False, default=str) + "\n").encode())
        return
    text = "\n".join(f"{r['customer'] or '-':<28} " + " ".join(f"{r[k]:>12}" for k in keys) for r in rows)
    common.emit(data, text + "\n" + f"{'Total':<28} " + " ".join(f"{data['totals'][k]:>12}" for k in keys))


report = common.Group("report")


def _report_command(name: str, by_options: tuple[str, ...]) -> click.Command:
    """`report NAME`: --from/--to, --by when the report has groupings, --format and --out."""

    def run(**values: Any) -> None:
        _run_report(
            name, values["date_from"], values["date_to"], values.get("by"), values["fmt"], values["out"]
        )

    command = click.option("--out", metavar="FILE", help="write to this file instead of standard output")(run)
    command = click.option(
        "--format", "fmt", type=common.choice(FORMATS), help="default: text, or from --out's suffix"
    )(command)
    if by_options:
        command = click.option(
            "--by", type=common.choice(by_options), default=by_options[0], help=f"default {by_options[0]}"
        )(command)
    command = click.option(
        "--to", "date_to", metavar="DATE", help="last day (aging and balance sheet: as of)"
    )(command)
    command = click.option("--from", "date_from", metavar="DATE", help="first day (YYYY-MM-DD)")(command)
    return report.command(name, help=REPORT_HELP[name])(common.options()(command))


for _name, _by in BY_OPTIONS.items():
    _report_command(_name, _by)


@click.command("export", cls=common.Command)
@common.options()
@click.option("--out", required=True, metavar="FILE", help="x.xlsx (a sheet per table) or x.zip (CSV files)")
def export(out: str) -> None:
    from backoffice import reports

    if not out.lower().endswith((".xlsx", ".zip")):
        raise ValidationError("--out names an .xlsx workbook or a .zip of CSV files", "out")
    result = reports.export_all(common.context(), str(common.path(out)))
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
    common.emit(
        data, f"Exported {len(result.tables)} tables, {sum(result.tables.values())} rows to {out}{more}."
    )
