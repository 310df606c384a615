"""Attachments on customers' notes: allowed types by extension and content, 10 MB a file, 25 MB per customer
(issue 14, finding 6). A refused file refuses the note, names the file and the reason, and writes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from backoffice.contacts import attachments, customers
from backoffice.core.errors import ValidationError
from backoffice.db import Database
from tests.factories import make_customer, make_org


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
GOOD = [
    ("contract.pdf", b"%PDF-1.7\n%...", "application/pdf"),
    ("shop.PNG", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    ("receipt.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    ("receipt.jpeg", b"\xff\xd8\xff\xe1\x00\x10Exif", "image/jpeg"),
    ("logo.gif", b"GIF89a\x01\x00\x01\x00", "image/gif"),
    ("photo.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    (
        "offer.docx",
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("prices.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (
        "deck.pptx",
        _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p:presentation/>"}),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    (
        "letter.odt",
        _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}),
        "application/vnd.oasis.opendocument.text",
    ),
    (
        "stock.ods",
        _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"}),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    ("old.doc", OLE2, "application/msword"),
    ("old.xls", OLE2, "application/vnd.ms-excel"),
    ("call.txt", "اتصل العميل يوم الأحد\r\nCall back Sunday\n".encode(), "text/plain"),
    ("list.csv", "الاسم,المدينة\nنورة,الرياض\n".encode("windows-1256"), "text/csv"),
    ("utf16.txt", "\ufeffملاحظة".encode("utf-16-le"), "text/plain"),
]


def test_files_of_every_allowed_type_are_kept_with_their_own_type(db: Database) -> None:
    _, admin = make_org(db)
    contact_id = make_customer(admin)
    customers.add_note(admin, contact_id, "documents", [(n, "text/html", c) for n, c, _ in GOOD])
    kept = customers.list_notes(admin, contact_id)[0]["attachments"]
    assert [(a["file_name"], a["mime"]) for a in kept] == [
        (n, m) for n, _, m in GOOD
    ]  # not the browser's type
    first = kept[0]["attachment_id"]
    assert customers.get_attachment(admin, first) == ("contract.pdf", "application/pdf", GOOD[0][1])


REFUSED = [
    ("setup.exe", b"MZ\x90\x00\x03", "setup.exe: this type of file cannot be attached"),
    ("page.html", b"<html><img src=x></html>", "page.html: this type of file cannot be attached"),
    ("logo.svg", b"<svg onload=alert(1)>", "logo.svg: this type of file cannot be attached"),
    ("README", b"text", "README: this type of file cannot be attached"),
    ("invoice.pdf", b"MZ\x90\x00\x03", "invoice.pdf is not a PDF document"),
    ("photo.png", b"\xff\xd8\xff\xe0JFIF", "photo.png is not a PNG image"),
    ("offer.docx", _zip({"xl/workbook.xml": b"<w/>"}), "offer.docx is not a Word document"),
    ("letter.odt", _zip({"mimetype": b"application/x-evil"}), "letter.odt is not an OpenDocument text"),
    ("broken.xlsx", b"PK\x03\x04 not a zip", "broken.xlsx is not an Excel workbook"),
    ("notes.txt", b"MZ\x00\x00binary", "notes.txt is not a text file"),
    ("old.doc", b"%PDF-1.4", "old.doc is not a Word 97"),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_file_of_another_type_or_in_disguise_is_refused_and_nothing_is_written(
    db: Database, name: str, content: bytes, message: str
) -> None:
    _, admin = make_org(db)
    contact_id = make_customer(admin)
    with pytest.raises(ValidationError) as refused:
        customers.add_note(
            admin, contact_id, "with a good file too", [(GOOD[0][0], "", GOOD[0][1]), (name, "", content)]
        )
    assert message in str(refused.value)
    assert "contract.pdf" not in str(refused.value)  # only the refused file is named
    assert customers.list_notes(admin, contact_id) == []  # not the note, not the good file


def test_every_refused_file_is_named_at_once() -> None:
    problems = [attachments.check_file(name, content)[1] for name, content, _ in REFUSED]
    assert all(problems)
    assert "attach PDF, images (PNG, JPEG, GIF, WebP), office documents" in str(problems[0])


def test_a_file_over_10_mb_is_refused(db: Database) -> None:
    _, admin = make_org(db)
    contact_id = make_customer(admin)
    big = b"%PDF-" + bytes(attachments.MAX_FILE_BYTES)
    with pytest.raises(ValidationError, match=r"scan\.pdf is 10\.1 MB: one file may be at most 10 MB"):
        customers.add_note(admin, contact_id, "", [("scan.pdf", "application/pdf", big)])
    assert customers.list_notes(admin, contact_id) == []


def test_a_customer_s_files_together_stay_within_25_mb(db: Database) -> None:
    _, admin = make_org(db)
    contact_id, other = make_customer(admin), make_customer(admin)

    def pdf(megabytes: int) -> bytes:
        return b"%PDF-" + bytes(megabytes * 1_000_000 - 5)

    customers.add_note(admin, contact_id, "scans", [("a.pdf", "", pdf(9)), ("b.pdf", "", pdf(9))])
    with pytest.raises(ValidationError) as refused:
        customers.add_note(admin, contact_id, "one more", [("c.pdf", "", pdf(8))])
    assert str(refused.value) == (
        "files: the files would bring this customer's attachments to 26 MB; "
        "the limit is 25 MB per customer (18 MB attached already)"
    )
    assert len(customers.list_notes(admin, contact_id)) == 1  # nothing written
    customers.add_note(admin, contact_id, "fits exactly", [("c.pdf", "", pdf(7))])
    customers.add_note(admin, other, "another customer has its own 25 MB", [("d.pdf", "", pdf(9))])
    with pytest.raises(ValidationError, match="26 MB"):
        customers.add_note(admin, contact_id, "not even a small one", [("e.txt", "", b"x" * 1_000_000)])
    customers.add_note(admin, contact_id, "a note without files is still fine")
    assert len(customers.list_notes(admin, contact_id)) == 3
