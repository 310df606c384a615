"""Which files may be attached to a customer's notes: the allowed types, checked by extension *and* content, and the
size limits (per file and per customer). Storing them is backoffice.contacts.customers' job; this module only judges.

A file is accepted when its extension is on the list and its first bytes are that format's (a program renamed
report.pdf is refused). The type stored and served back is ours, never the browser's.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

MAX_FILE_BYTES = 10_000_000  # one file
MAX_CUSTOMER_BYTES = 25_000_000  # all the files on one customer's notes together


@dataclass(frozen=True)
class Kind:
    mime: str
    description: str
    looks_right: Callable[[bytes], bool]


def _starts(*magics: bytes) -> Callable[[bytes], bool]:
    return lambda content: content.startswith(magics)


def _webp(content: bytes) -> bool:
    return content[:4] == b"RIFF" and content[8:12] == b"WEBP"


def _zip_with(member: str) -> Callable[[bytes], bool]:
    """An Office Open XML file: a zip holding this part."""

    def check(content: bytes) -> bool:
        names = _zip_names(content)
        return names is not None and member in names

    return check


def _open_document(mimetype: str) -> Callable[[bytes], bool]:
    """An OpenDocument file: a zip whose `mimetype` member names the format."""

    def check(content: bytes) -> bool:
        if _zip_names(content) is None:
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open("mimetype") as member:
                return member.read(200).strip() == mimetype.encode()
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            return False

    return check


def _zip_names(content: bytes) -> set[str] | None:
    if not content.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None


_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\f")


def _text(content: bytes) -> bool:
    """Plain text or CSV: UTF-16 with its BOM, or an 8-bit/UTF-8 text without control characters."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            content.decode("utf-16")
        except UnicodeDecodeError:
            return False
        return True
    return len(content.translate(None, _CONTROL)) == len(content)


_OLE2 = _starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # the compound file of Word 97–2003 and Excel 97–2003

KINDS: dict[str, Kind] = {
    ".pdf": Kind("application/pdf", "a PDF document", _starts(b"%PDF-")),
    ".png": Kind("image/png", "a PNG image", _starts(b"\x89PNG\r\n\x1a\n")),
    ".jpg": Kind("image/jpeg", "a JPEG image", _starts(b"\xff\xd8\xff")),
    ".jpeg": Kind("image/jpeg", "a JPEG image", _starts(b"\xff\xd8\xff")),
    ".gif": Kind("image/gif", "a GIF image", _starts(b"GIF87a", b"GIF89a")),
    ".webp": Kind("image/webp", "a WebP image", _webp),
    ".docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "a Word document",
        _zip_with("word/document.xml"),
    ),
    ".xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "an Excel workbook",
        _zip_with("xl/workbook.xml"),
    ),
    ".pptx": Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "a PowerPoint presentation",
        _zip_with("ppt/presentation.xml"),
    ),
    ".odt": Kind(
        "application/vnd.oasis.opendocument.text",
        "an OpenDocument text",
        _open_document("application/vnd.oasis.opendocument.text"),
    ),
    ".ods": Kind(
        "application/vnd.oasis.opendocument.spreadsheet",
        "an OpenDocument spreadsheet",
        _open_document("application/vnd.oasis.opendocument.spreadsheet"),
    ),
    ".doc": Kind("application/msword", "a Word 97–2003 document", _OLE2),
    ".xls": Kind("application/vnd.ms-excel", "an Excel 97–2003 workbook", _OLE2),
    ".txt": Kind("text/plain", "a text file", _text),
    ".csv": Kind("text/csv", "a CSV text file", _text),
}
EXTENSIONS = tuple(ext.lstrip(".") for ext in KINDS)
ALLOWED = "PDF, images (PNG, JPEG, GIF, WebP), office documents (DOCX, XLSX, PPTX, ODT, ODS, DOC, XLS) or text (TXT, CSV)"


def megabytes(size: int) -> str:
    """Sizes as people read them, rounded up to 0.1 MB (a file over a limit never shows as equal to it)."""
    tenths = -(-size // 100_000)
    return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10} MB"


def check_file(name: str, content: bytes) -> tuple[str | None, str | None]:
    """(the MIME type to store, None) for an acceptable file; (None, why not) otherwise, naming the file."""
    if len(content) > MAX_FILE_BYTES:
        return (
            None,
            f"{name} is {megabytes(len(content))}: one file may be at most {megabytes(MAX_FILE_BYTES)}",
        )
    kind = KINDS.get(PurePath(name).suffix.lower())
    if kind is None:
        return None, f"{name}: this type of file cannot be attached; attach {ALLOWED}"
    if not kind.looks_right(content):
        return None, f"{name} is not {kind.description}: its content does not match its extension"
    return kind.mime, None


def check_total(already: int, adding: int) -> str | None:
    """Why the customer's files would be too large together, or None."""
    if already + adding <= MAX_CUSTOMER_BYTES:
        return None
    return (
        f"the files would bring this customer's attachments to {megabytes(already + adding)}; "
        f"the limit is {megabytes(MAX_CUSTOMER_BYTES)} per customer ({megabytes(already)} attached already)"
    )
