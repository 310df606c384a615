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

MAX_CELL = 32_767  # characters in one cell: Excel's own limit, so a longer one is no spreadsheet's
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


class CellError(ValidationError):
    """A file refused at one place: its row (the header is row 1) and column, beside the reason."""

    def __init__(self, row: int, column: str, message: str) -> None:
        self.row, self.column = row, column
        super().__init__(f"row {row}, {column}: {message}", "file")


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
    first = text.splitlines()[0] if text.strip() else ""  # CR-only line ends (old Mac exports) count too
    delimiter = max((",", ";", "\t"), key=first.count)
    # newline="": the reader sees \r, \n and \r\n line ends alike; cells of any length are read, then measured
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # only ever raised: threads share it
    try:
        table = [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise CellError(reader.line_num, "file", f"the file cannot be read as CSV ({exc})") from exc
    for row_no, row in enumerate(table, 1):
        for col, cell in enumerate(row):
            if len(cell) > MAX_CELL:
                header = table[0][col] if row_no > 1 and col < len(table[0]) else f"column {col + 1}"
                raise CellError(
                    row_no,
                    header,
                    f"the cell holds {len(cell):,} characters, more than a cell may ({MAX_CELL:,})",
                )
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
    for name, (headers, rows) in sheets.items():
        sheet = book.add_worksheet(name[:31])
        if rtl:
            sheet.right_to_left()
        for col, header in enumerate(headers):
            sheet.write_string(0, col, str(safe_text(header)))
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
                    sheet.write_string(r, col, str(safe_text(str(value))))
    book.close()
    return out.getvalue()
