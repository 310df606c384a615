"""Reading and writing small tables for people: CSV (UTF-8, with or without BOM, UTF-16 with or without BOM,
Windows-1256, Windows-1252 or ISO-8859-1; comma, semicolon or tab) and XLSX (formulas as their saved values;
whatever the file is called), with formula-injection-safe cells on the way out (SPEC A6, R7).

Owns file formats for row-at-a-time work of human scale (customers, products, settings).
Million-row store imports do not come here: they stage in DuckDB (order_import).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from backoffice.core.errors import FieldError, ValidationError

MAX_CELL = 32_767  # characters in one cell: Excel's own limit, so a longer one is no spreadsheet's
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the start of a file without a BOM is UTF-16 text, else None.

    Text saved as UTF-16 has a NUL in the high byte of every ASCII character (digits, commas, line ends), always at
    the same parity; binary data has NULs at both, and a stray NUL in UTF-8 text is one among thousands. The sample
    must also decode to a table's text: line ends or delimiters, and no other control characters.
    """
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) < max(2, len(sample) // 40):  # under 5 % of the characters are ASCII
        return None
    if odd > 10 * even:
        encoding = "utf-16-le"
    elif even > 10 * odd:
        encoding = "utf-16-be"
    else:
        return None
    text = sample.decode(encoding, errors="ignore")
    if any(c < " " and c not in "\t\r\n" for c in text) or not any(c in text for c in "\n,;\t"):
        return None
    return encoding


@dataclass
class ImportResult:
    """What an import of a table of people's rows (customers, products) did: the rows created (or, in a preview,
    ready), every problem as (row, column, reason) with the header as row 1, and whether anything was written."""

    created: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    written: bool = False


class CellError(ValidationError):
    """A file refused at one place: its row (the header is row 1) and column, beside the reason."""

    def __init__(self, row: int, column: str, message: str) -> None:
        self.row, self.column = row, column
        super().__init__(f"row {row}, {column}: {message}", "file")


# The single-byte code pages a CSV from a spreadsheet in our markets is saved in when it is not Unicode: Arabic
# Windows, Western Windows, and ISO-8859-1 (Western Windows' subset, written by older Unix and Mac programs).
LEGACY_ENCODINGS = ("cp1256", "cp1252", "latin_1")


def decode(data: bytes) -> str:
    """UTF-8 (BOM stripped) when it decodes; UTF-16 with its BOM or without it; otherwise one of LEGACY_ENCODINGS,
    chosen by charset-normalizer, which scores each decoding by how coherent its text is (Arabic letters in Arabic
    words, Latin letters in Latin words): "Straße" in Windows-1252 does not become "Straكe". A file no code page
    reads as text, or that two of them read as different texts equally well, is refused: never guess what a file
    did not say."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationError("The file claims to be UTF-16 but is damaged.", "file") from exc
    if b"\x00" in data:
        encoding = utf16_without_bom(data)
        if encoding is None:
            raise ValidationError(
                "This is not a text file (it holds binary data). Save it as CSV (UTF-8) or XLSX.", "file"
            )
        return _decode_as(data, encoding, f"UTF-16 text ({encoding[-2:].upper()}, without a byte order mark)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_legacy(data)


def _decode_legacy(data: bytes) -> str:
    from charset_normalizer import from_bytes

    # The evidence is in the lines with bytes above ASCII: every code page reads the others alike, and in a file of
    # mostly ASCII lines (order ids, SKUs, English headers) they would outvote one Arabic city far down.
    evidence = b""
    for line in _NOT_ASCII_LINE.finditer(data):
        evidence += line.group() + b"\n"
        if len(evidence) > 1 << 16:
            break
    readings: dict[str, str] = {}  # text: encoding, of the best-scored decodings
    matches = sorted(
        from_bytes(evidence, cp_isolation=list(LEGACY_ENCODINGS), enable_fallback=False),
        key=lambda m: (m.chaos, -m.coherence),
    )
    best = (matches[0].chaos, matches[0].coherence) if matches else None
    for match in matches:
        if (match.chaos, match.coherence) == best:
            readings.setdefault(str(match), match.encoding)
    if len(readings) > 1:
        # a few words are too little for charset-normalizer to tell: drop a reading with impossible words
        readings = {text: encoding for text, encoding in readings.items() if not _impossible_words(text)}
    if not readings:
        raise ValidationError(
            "The file's characters cannot be read: it is not UTF-8, UTF-16, Windows-1256 (Arabic) or Windows-1252 "
            "(Western) text. Save it as CSV (UTF-8).",
            "file",
        )
    if len(readings) > 1:
        raise ValidationError(
            "The file's characters can be read in more than one way (Windows-1256 Arabic or Windows-1252 Western) "
            "and nothing in it tells which. Save it as CSV (UTF-8).",
            "file",
        )
    encoding = readings.popitem()[1]
    return _decode_as(data, encoding, f"{_NAMES[encoding]} text")


def _decode_as(data: bytes, encoding: str, what: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"The file looks like {what} but is damaged further on. Save it again as CSV (UTF-8).", "file"
        ) from exc


_NOT_ASCII_LINE = re.compile(rb"[^\r\n]*[\x80-\xff][^\r\n]*")
_NAMES = {
    "cp1256": "Windows-1256 (Arabic)",
    "cp1252": "Windows-1252 (Western)",
    "latin_1": "ISO-8859-1 (Western)",
}
_WORD = re.compile(r"[^\W\d_]+")


def _impossible_words(text: str) -> bool:
    """Whether a text has a word no one writes: Arabic and Latin letters in one word ("Straكe", Western text read
    as Arabic), or a word of accented Latin letters only ("Úáí", Arabic text read as Western)."""
    for word in _WORD.findall(text):
        arabic = sum("\u0600" <= c <= "\u06ff" for c in word)
        ascii_letters = sum(c.isascii() for c in word)
        if arabic and arabic < len(word) or (len(word) > 1 and not arabic and not ascii_letters):
            return True
    return False


DELIMITERS = (",", ";", "\t")


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a CSV file: of comma, semicolon and tab, the one its first line holds most (comma on a tie)."""
    return max(DELIMITERS, key=first_line.count)


def header_key(header: str) -> str:
    """A header as people mean it: no BOM, case or extra spaces."""
    return " ".join(header.strip().lstrip("\ufeff").casefold().split())


def column_letter(index: int) -> str:
    """A 0-based column index as a spreadsheet names it: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_headers(headers: Sequence[str], key: Callable[[str], str] = header_key) -> None:
    """Refuse a header row in which a name (cleaned by `key`) appears more than once: which column was meant?"""
    columns: dict[str, list[int]] = {}
    for i, header in enumerate(headers):
        if key(header):
            columns.setdefault(key(header), []).append(i)
    problems = [
        FieldError(
            "file",
            f"the header '{headers[found[0]].strip()}' appears in "
            f"{len(found)} columns ({', '.join(column_letter(i) for i in found)}): rename or delete all but one",
        )
        for found in columns.values()
        if len(found) > 1
    ]
    if problems:
        raise ValidationError(problems)


class CellErrors(ValidationError):
    """Cells that cannot be read, each as (row, column header, reason); nothing was read."""

    def __init__(self, cells: list[tuple[int, str, str]]) -> None:
        self.cells = cells
        super().__init__([FieldError(f"row {r}, column {c}", m) for r, c, m in cells])


def read_table(file_name: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of a CSV or XLSX file, whatever its name says; every cell as text, trimmed.
    A header that appears twice is refused."""
    if not data.strip():
        raise ValidationError("The file is empty.", "file")
    if data[:4] == b"PK\x03\x04":  # an XLSX workbook (or another ZIP archive), whatever the file is called
        headers, rows = _read_xlsx(data)
    else:
        refuse_other_formats(data)
        text = decode(data)
        first = text.splitlines()[0] if text.strip() else ""  # CR-only line ends (old Mac exports) count too
        delimiter = sniff_delimiter(first)
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
        headers, rows = table[0], table[1:]
    check_headers(headers)
    return headers, rows


def refuse_other_formats(data: bytes) -> None:
    """Say what a file is when it is a ZIP archive that holds no workbook, or an old Excel .xls, not a CSV."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValidationError(
            "This file is an old Excel workbook (.xls), not a CSV: save it in Excel as XLSX or CSV (UTF-8).",
            "file",
        )
    if data[:4] != b"PK\x03\x04":
        return
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError(
            "This file is a damaged ZIP archive, not a CSV or an XLSX workbook.", "file"
        ) from exc
    if "xl/workbook.xml" not in names:
        kind = (
            "an OpenDocument spreadsheet (save it as XLSX or CSV)"
            if "content.xml" in names
            else ("unzip it and import the CSV or XLSX file inside")
        )
        raise ValidationError(f"This file is a ZIP archive, not a CSV or an XLSX workbook: {kind}.", "file")


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with book.open(name) as sheet:
                    tail = b""
                    while chunk := sheet.read(1 << 20):
                        if _FORMULA.search(tail + chunk):
                            return True
                        tail = chunk[-16:]
    return False


def _read_xlsx(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The first sheet's values as text. A formula cell gives the value Excel saved with it; a formula without a
    saved value (a file written by a program, never opened in Excel) is an error naming its row and column."""
    from openpyxl import load_workbook

    refuse_other_formats(data)
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        formulas = (
            list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True))
            if _has_formulas(data)
            else []
        )
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValidationError(f"The spreadsheet cannot be read ({type(exc).__name__}).", "file") from exc
    unsaved = [
        (r, c)
        for r, row in enumerate(formulas)
        for c, value in enumerate(row)
        if isinstance(value, str)
        and value.startswith("=")
        and (r >= len(rows) or c >= len(rows[r]) or rows[r][c] is None)
    ]
    if unsaved:
        header = next((row for row in rows if any(v is not None for v in row)), ())

        def name(c: int) -> str:
            text = "" if c >= len(header) or header[c] is None else str(header[c]).strip()
            return text or column_letter(c)

        raise CellErrors(
            [
                (
                    r + 1,
                    name(c),
                    "a formula with no saved value — open and save the file in Excel, or paste values",
                )
                for r, c in unsaved
            ]
        )
    table = [["" if v is None else str(v).strip() for v in row] for row in rows]
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
