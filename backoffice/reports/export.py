"""The full-data export (SPEC A6): every table of the organization to XLSX or a zip of CSVs, secrets left out."""

from __future__ import annotations

import base64
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from backoffice.core import tabular
from backoffice.core.context import Context
from backoffice.db import audit
from backoffice.db.queries import reports as q

SECRET_TABLES = frozenset({"auth_tokens", "login_attempts"})
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "smtp_password"})
SHARED_TABLES = frozenset(
    {"schema_migrations"}
)  # no organization's data: the schema version, kept for migration
XLSX_MAX_ROWS = 1_048_576  # rows of one sheet, the header included
_CELL_LIMIT = 32_767


def is_secret_table(name: str) -> bool:
    """Secrets never leave: sign-in tokens and attempts, and any table of sessions or tokens other areas add."""
    return name in SECRET_TABLES or "session" in name or name.endswith("_tokens")


def is_secret_column(name: str) -> bool:
    return (
        name in SECRET_COLUMNS
        or "password" in name
        or "secret" in name
        or name.endswith(("_token", "token_hash"))
    )


@dataclass
class ExportResult:
    path: Path
    tables: dict[str, int]  # table: rows exported
    zip_path: Path | None = None
    in_zip: list[str] = field(default_factory=list)
    left_out: list[str] = field(
        default_factory=list
    )  # tables not exported: secrets, or no organization column


def _text(value: Any) -> Any:
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _write_cell(sheet: Any, r: int, c: int, value: Any, quoted: Any) -> None:
    value = _text(value)
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | Decimal):
        sheet.write_number(r, c, value)  # ids and minor units: exact up to 15 digits
    else:
        text = str(value)
        if len(text) > _CELL_LIMIT:
            text = f"({len(text)} characters: too long for a spreadsheet cell; export to .zip for the full value)"
        tabular.xlsx_text(sheet, r, c, text, quoted)


def export_all(ctx: Context, out: str | Path, xlsx_max_rows: int = XLSX_MAX_ROWS) -> ExportResult:
    """Every table of the organization to one XLSX (a sheet per table), or to a zip of CSVs when `out` ends
    in .zip. A table with more rows than a sheet holds goes to CSV in a zip beside the workbook. Only the
    organization's rows (users: its members); never password hashes, tokens, SMTP passwords or sign-in logs.
    Cells are formula-safe; binary values are base64 text."""
    ctx.require("settings.write")
    import xlsxwriter

    out = Path(out)
    as_zip = out.suffix.lower() == ".zip"
    result = ExportResult(out, {})
    with ctx.read() as conn:
        plan = []
        for table, columns in q.table_columns(conn).items():
            kept = [c for c in columns if not is_secret_column(c)]
            if is_secret_table(table) or not (
                "org_id" in columns or table == "users" or table in SHARED_TABLES
            ):
                result.left_out.append(table)
                continue
            plan.append((table, kept, q.count_table(conn, ctx.org_id, table, columns)))
        big = [p for p in plan if as_zip or p[2] + 1 > xlsx_max_rows]
        small = [p for p in plan if p not in big]
        if big:
            result.zip_path = out if as_zip else out.with_suffix(".zip")
            with zipfile.ZipFile(result.zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
                for table, columns, _ in big:
                    with (
                        archive.open(f"{table}.csv", "w") as raw,
                        io.TextIOWrapper(raw, "utf-8-sig", newline="") as text,
                    ):
                        writer = csv.writer(text)
                        writer.writerow(columns)
                        n = 0
                        for row in q.stream_table(conn, ctx.org_id, table, columns):
                            writer.writerow(["" if v is None else tabular.safe_text(_text(v)) for v in row])
                            n += 1
                    result.tables[table], result.in_zip = n, [*result.in_zip, table]
        if not as_zip:
            book = xlsxwriter.Workbook(
                str(out), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
            )
            quoted = book.add_format({"quote_prefix": True})
            index = book.add_worksheet("_export")
            for c, header in enumerate(("table", "rows", "where")):
                index.write_string(0, c, header)
            for r, (table, _, count) in enumerate(plan, 1):
                index.write_string(r, 0, table)
                index.write_number(r, 1, count)
                index.write_string(
                    r,
                    2,
                    f"{result.zip_path.name}: {table}.csv"
                    if result.zip_path and table in result.in_zip
                    else "sheet",
                )
            for table, columns, _ in small:
                sheet = book.add_worksheet(table[:31])
                for c, header in enumerate(columns):
                    sheet.write_string(0, c, header)
                n = 0
                for n, row in enumerate(q.stream_table(conn, ctx.org_id, table, columns), 1):
                    for c, value in enumerate(row):
                        _write_cell(sheet, n, c, value, quoted)
                result.tables[table] = n
            book.close()
    with ctx.write() as conn:
        audit.record(
            conn,
            ctx,
            "export",
            "organization",
            ctx.org_id,
            after={"file": out.name, "tables": len(result.tables)},
        )
    return result
