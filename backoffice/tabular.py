"""Reading and writing small tables for people: CSV (UTF-8, with or without BOM, or Windows-1256;
comma or semicolon) and XLSX, with formula-injection-safe cells on the way out (SPEC A6, R7).

Owns file formats for row-at-a-time work of human scale (customers, products, settings).
Million-row store imports do not come here: they stage in DuckDB (order_import).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from backoffice.errors import ValidationError

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


def decode(data: bytes) -> str:
    """UTF-8 (BOM stripped) when it decodes; UTF-16 with its BOM; otherwise Windows-1256, the Arabic Windows code page."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationError("The file claims to be UTF-16 but is damaged.", "file") from exc
    if b"\x00" in data:
        raise ValidationError(
            "This is not a text file (it holds binary data). Save it as CSV (UTF-8) or XLSX.", "file"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1256")
        except UnicodeDecodeError as exc:
            raise ValidationError("The file is neither UTF-8 nor Windows-1256 text.", "file") from exc


def read_table(file_name: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of a CSV or XLSX file; every cell as text, trimmed."""
    if not data.strip():
        raise ValidationError("The file is empty.", "file")
    if file_name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    table = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    table = [row for row in table if any(row)]
    if not table:
        raise ValidationError("The file is empty.", "file")
    return table[0], table[1:]


def _read_xlsx(data: bytes) -> tuple[list[str], list[list[str]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValidationError(f"The spreadsheet cannot be read ({type(exc).__name__}).", "file") from exc
    table = [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    table = [row for row in table if any(row)]
    if not table:
        raise ValidationError("The spreadsheet is empty.", "file")
    return table[0], table[1:]


def safe_text(value: Any) -> Any:
    """Neutralize a text cell that a spreadsheet would run as a formula (OWASP); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def xlsx_text(sheet: Any, row: int, col: int, text: str, quoted: Any) -> None:
    """A text cell of an XLSX sheet, never a formula. One a spreadsheet would run as a formula keeps its text as it
    is, with no apostrophe to see, and is marked as typed text (the quote prefix, `quoted`: a workbook's
    add_format({"quote_prefix": True})), as Excel marks a value typed after an apostrophe. CSV has no such mark:
    there safe_text's apostrophe stays."""
    if text.startswith(_DANGEROUS):
        sheet.write_string(row, col, text, quoted)
    else:
        sheet.write_string(row, col, text)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM so Excel shows Arabic and Persian correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_text(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else safe_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]], rtl: bool = False) -> bytes:
    """One workbook, a sheet per entry; text cells written as strings, never formulas."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    quoted = book.add_format({"quote_prefix": True})
    for name, (headers, rows) in sheets.items():
        sheet = book.add_worksheet(name[:31])
        if rtl:
            sheet.right_to_left()
        for col, header in enumerate(headers):
            xlsx_text(sheet, 0, col, str(header), quoted)
        for r, row in enumerate(rows, 1):
            for col, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(
                    value, Decimal
                ):  # XLSX stores numbers as doubles; money is exact up to 15 digits
                    sheet.write_number(r, col, float(value))
                elif isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(r, col, value)
                else:
                    xlsx_text(sheet, r, col, str(value), quoted)
    book.close()
    return out.getvalue()
