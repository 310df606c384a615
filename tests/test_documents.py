"""Documents: invoice, credit note, receipt and statement PDFs in Arabic, Persian and English (SPEC I3, I4, L2, C5)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from backoffice import documents
from backoffice.admin import orgs
from backoffice.books import receivables
from backoffice.books.receivables import Statement, StatementLine
from backoffice.cli import main
from backoffice.core.context import Context
from backoffice.core.errors import NotFoundError, PermissionDenied, ValidationError
from backoffice.db import Database
from backoffice.documents import dates, fonts, labels, layout, words, zatca
from backoffice.sales import invoices, orders
from backoffice.sales.orders import LineRequest
from backoffice.sales.payments import Receipt
from tests.factories import make_customer, make_org, make_product, make_user

SELLER_AR = "متجر سعيد للتجارة"
CUSTOMER_AR = "سعيد محمود"
CUSTOMER_FA = "پژمان چگینی"  # پ ژ چ گ ی: the letters Arabic lacks
PRODUCT_FA = "چای گیاهی"
VAT_NUMBER = "300000000000003"
MARKS = re.compile("[\u202a-\u202e\u200e\u200f]")
HARAKAT = re.compile("[\u064b-\u065f]")

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def loose(text: str) -> str:
    """Text as compared: no harakat, single spaces, and lam-alef in the order pdftotext gives Vazirmatn's ligature."""
    return re.sub(r"[ \t]+", " ", HARAKAT.sub("", MARKS.sub("", text))).replace("لا", "ال")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """pdftotext's logical-order text, loosened (see loose)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return loose(out)


def has_all(text: str, *expected: str) -> list[str]:
    """The expected strings missing from the extracted text (compared loosely)."""
    return [e for e in expected if loose(e) not in text]


def keep_png(pdf: bytes, tmp_path: Path, name: str, dpi: int = 80) -> Path:
    """A rendered first page kept under pytest's tmp dir as an artifact to look at."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", str(path), str(tmp_path / name)],
        check=True,
    )
    return next(tmp_path.glob(f"{name}-*1.png"))


def logo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 60), (200, 30, 60)).save(out, format="PNG")
    return out.getvalue()


def saudi_shop(db: Database, language: str = "ar-en") -> tuple[Context, int, str]:
    """A Saudi shop (Arabic name, VAT number, Hijri dates), a cash customer's simplified invoice; (admin, customer, number)."""
    _, admin = make_org(db, name=SELLER_AR, country="SA")
    orgs.update_settings(
        admin,
        tax_number=VAT_NUMBER,
        address="شارع التحلية",
        city="Jeddah",
        language=language,
        calendar="hijri",
        logo=logo_png(),
        brand_color="#7c3aed",
        invoice_footer="شكراً — Thank you",
    )
    customer = make_customer(admin, name=CUSTOMER_AR)
    make_product(admin, "TEA-GL", price="49.50", stock=50, name=PRODUCT_FA)
    make_product(admin, "CUP-01", price="12", stock=50, name="Glass cup", name_ar="كوب زجاج")
    order_id = orders.create_order(
        admin,
        customer,
        [LineRequest("TEA-GL", 2), LineRequest("CUP-01", 3, discount="1")],
        "15",
        status="confirmed",
        order_on=date(2026, 11, 22),
    )
    return admin, customer, invoices.issue_invoice(admin, order_id, issued_on=date(2026, 11, 22))


# ---------------------------------------------------------------- ZATCA QR


@pytest.mark.parametrize(
    ("seller", "expected"),
    [
        ("Salla", "AQVTYWxsYQIKMTIzNDU2Nzg5MQMUMjAyMS0wNy0xMlQxNDoyNTowOVoEBjEwMC4wMAUFMTUuMDA="),
        ("سلة", "AQbYs9mE2KkCCjEyMzQ1Njc4OTEDFDIwMjEtMDctMTJUMTQ6MjU6MDlaBAYxMDAuMDAFBTE1LjAw"),
    ],
)
def test_zatca_payload_matches_the_published_vectors(seller: str, expected: str) -> None:
    assert zatca.qr_payload(seller, "1234567891", "2021-07-12T14:25:09Z", "100.00", "15.00") == expected
    payload = zatca.invoice_payload(
        seller, "1234567891", datetime(2021, 7, 12, 14, 25, 9), 10000, 1500, "SAR"
    )
    assert payload == expected
    assert zatca.decode(expected)["seller"] == seller


def test_zatca_lengths_count_utf8_bytes_and_refuse_more_than_255() -> None:
    assert zatca.tlv("سلة", "1", "t", "1.00", "0.15")[:2] == bytes([1, 6])  # 3 letters, 6 bytes
    with pytest.raises(ValueError, match="seller"):
        zatca.tlv("س" * 128, "1", "t", "1.00", "0.15")


# ---------------------------------------------------------------- amounts in words


@pytest.mark.parametrize(
    ("minor", "code", "language", "expected"),
    [
        (14950, "SAR", "ar", "فقط مائة وتسعة وأربعون ريالاً وخمسون هللة لا غير"),
        (14950, "SAR", "en", "One hundred forty-nine riyals and fifty halalas only"),
        (14950, "SAR", "fa", "صد و چهل و نه ریال و پنجاه هلله"),
        (12345, "JOD", "ar", "فقط اثنا عشر ديناراً وثلاثمائة وخمسة وأربعون فلساً لا غير"),  # 3 decimals
        (12345, "JOD", "en", "Twelve dinars and three hundred forty-five fils only"),
        (1500000, "IRR", "fa", "یک میلیون و پانصد هزار ریال"),  # no minor unit
        (1234, "IRR", "en", "One thousand two hundred thirty-four rials only"),
        (100, "SAR", "ar", "فقط ريال واحد لا غير"),
        (200, "SAR", "ar", "فقط ريالان لا غير"),
        (300, "SAR", "ar", "فقط ثلاثة ريالات لا غير"),
        (3, "SAR", "ar", "فقط ثلاث هللات لا غير"),  # halala is feminine
        (11, "SAR", "ar", "فقط إحدى عشرة هللة لا غير"),
        (200000, "SAR", "ar", "فقط ألفا ريال لا غير"),
        (1100000, "SAR", "ar", "فقط أحد عشر ألف ريال لا غير"),
        (1150000, "SAR", "ar", "فقط أحد عشر ألفاً وخمسمائة ريال لا غير"),
        (300000000, "SAR", "ar", "فقط ثلاثة ملايين ريال لا غير"),
        (250, "AED", "ar", "فقط درهمان وخمسون فلساً لا غير"),
    ],
)
def test_amounts_in_words(minor: int, code: str, language: str, expected: str) -> None:
    assert words.amount_in_words(minor, code, language) == expected


def test_amounts_in_words_refuse_floats() -> None:
    with pytest.raises(TypeError):
        words.amount_in_words(149.5, "SAR", "ar")  # type: ignore[arg-type]


# ---------------------------------------------------------------- dates and languages


def test_hijri_and_jalali_beside_gregorian_with_native_digits() -> None:
    on = date(2026, 11, 22)
    assert dates.hijri(on, "ar") == "12 جمادى الآخرة 1448 هـ"
    assert dates.hijri(on, "ar", native=True) == "١٢ جمادى الآخرة ١٤٤٨ هـ"
    assert dates.jalali(on, "fa", native=True) == "۱ آذر ۱۴۰۵"
    assert dates.gregorian(on, "fa", native=True) == "۲۰۲۶-۱۱-۲۲"
    assert dates.beside(on, "gregorian", "en") is None


@pytest.mark.parametrize(
    ("org", "customer", "country", "tax", "expected"),
    [
        ("ar-en", None, "SA", True, ("ar", "en")),
        ("ar-en", "fa", "IR", True, ("fa",)),  # the customer's language wins
        ("en", None, "SA", True, ("ar", "en")),  # a Saudi tax invoice is always in Arabic too
        ("en", None, "SA", False, ("en",)),
        ("fa-en", None, "IR", True, ("fa", "en")),
    ],
)
def test_document_languages(org: str, customer: str | None, country: str, tax: bool, expected: tuple) -> None:
    assert labels.languages_for(org, customer, country, None, tax) == expected


# ---------------------------------------------------------------- invoices


@needs_poppler
def test_bilingual_invoice_carries_names_totals_words_and_is_the_same_every_time(
    db: Database, tmp_path: Path
) -> None:
    admin, _, number = saudi_shop(db)
    pdf = documents.render_invoice_pdf(admin, number, keep=False)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    invoice = invoices.get_invoice(admin, number)
    assert (invoice["total_minor"], invoice["vat_minor"]) == (17135, 2235)
    for expected in (
        CUSTOMER_AR,
        PRODUCT_FA,
        "كوب زجاج",  # the product's Arabic name under its English one
        number,
        "Simplified tax invoice",
        "فاتورة ضريبية مبسطة",
        "171.35 SAR",  # total incl. VAT, in a bold line: Latin in bold must not vanish
        "22.35 SAR",
        "Total incl. VAT",
        "One hundred seventy-one riyals and thirty-five halalas only",
        "فقط مائة وواحد وسبعون ريالاً وخمس وثلاثون هللة",
        "جمادى",  # the Hijri date beside the Gregorian one
        "Thank you",
    ):
        assert loose(expected) in text, expected
    assert documents.render_invoice_pdf(admin, number, keep=False) == pdf  # deterministic
    png = keep_png(pdf, tmp_path, "invoice-ar-en")
    assert png.stat().st_size > 10_000


def test_a_kept_pdf_is_served_again_byte_for_byte(db: Database) -> None:
    admin, _, number = saudi_shop(db)
    first = documents.render_invoice_pdf(admin, number)
    orgs.update_settings(admin, brand_color="#000000")  # the issued document does not change with branding
    assert documents.render_invoice_pdf(admin, number) == first
    assert documents.render_invoice_pdf(admin, number, keep=False) != first
    assert documents.discard_kept_pdfs(admin, number) == 1
    assert documents.render_invoice_pdf(admin, number) != first


@needs_poppler
@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools is not installed")
def test_the_qr_code_on_the_page_decodes_to_the_tlv_we_encoded(duck: Database, tmp_path: Path) -> None:
    admin, _, number = saudi_shop(duck, language="ar")
    invoice = invoices.get_invoice(admin, number)
    pdf = documents.render_invoice_pdf(admin, number, keep=False)
    png = keep_png(pdf, tmp_path, "qr", dpi=200)
    scanned = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, check=True)
    fields = zatca.decode(scanned.stdout.strip())
    created = invoice["created_at"]
    stamp = (created if created.date() == invoice["issued_on"] else datetime(2026, 11, 22)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert fields == {
        "seller": SELLER_AR,
        "vat_number": VAT_NUMBER,
        "timestamp": stamp,
        "total": "171.35",
        "vat": "22.35",
    }


def test_a_customer_with_a_vat_number_gets_a_tax_invoice_without_qr(duck: Database) -> None:
    admin, _, number = saudi_shop(duck)
    customer = make_customer(admin, name="Acme Trading", tax_id="311111111111113")
    order_id = orders.create_order(admin, customer, [LineRequest("CUP-01", 1)], status="confirmed")
    other = invoices.issue_invoice(admin, order_id)
    sheet_simplified = _sheet(admin, number)
    sheet_standard = _sheet(admin, other)
    assert (sheet_simplified.title_key, sheet_simplified.qr_png is not None) == (
        "simplified_tax_invoice",
        True,
    )
    assert (sheet_standard.title_key, sheet_standard.qr_png) == ("tax_invoice", None)


def _sheet(ctx: Context, number: str) -> layout.Sheet:
    from backoffice.db.queries import documents as dq
    from backoffice.db.queries import orgs as orgs_q
    from backoffice.db.queries import sales as sales_q

    with ctx.db.read() as conn:
        invoice = sales_q.invoice_by_number(conn, ctx.org_id, number)
        assert invoice is not None
        lines = sales_q.invoice_lines(conn, ctx.org_id, invoice["invoice_id"])
        org = orgs_q.org_by_id(conn, ctx.org_id)
        customer = dq.customer(conn, ctx.org_id, invoice["customer_id"])
    assert org is not None
    return documents.invoice_sheet(invoice, lines, org, customer, {}, None)


@needs_poppler
def test_persian_invoice_with_persian_digits_and_jalali_dates(duck: Database, tmp_path: Path) -> None:
    _, admin = make_org(duck, name="فروشگاه پژمان", country="IR", currency="IRR", vat="10")
    orgs.update_settings(admin, language="fa", calendar="jalali", native_digits=True)
    customer = make_customer(admin, name=CUSTOMER_FA)
    make_product(admin, "TEA-GL", price="1250000", stock=5, name=PRODUCT_FA)
    order_id = orders.create_order(admin, customer, [LineRequest("TEA-GL", 2)], status="confirmed")
    number = invoices.issue_invoice(admin, order_id, issued_on=date(2026, 11, 22))
    pdf = documents.render_invoice_pdf(admin, number, keep=False)
    text = pdf_text(pdf, tmp_path)
    assert not has_all(
        text,
        CUSTOMER_FA,
        PRODUCT_FA,
        "فاکتور",
        "۲,۷۵۰,۰۰۰ IRR",
        "آذر ۱۴۰۵",
        "دو میلیون و هفتصد و پنجاه هزار ریال",
        "۱۰%",
    )
    keep_png(pdf, tmp_path, "invoice-fa")


@needs_poppler
def test_english_invoice_on_an_80mm_roll_and_a_credit_note(duck: Database, tmp_path: Path) -> None:
    _, admin = make_org(duck, name="Rose Shop", country="AE", currency="AED", vat="5")
    customer = make_customer(admin, name=CUSTOMER_AR, language="en")
    make_product(admin, "ROSE", price="20", stock=10, name="Red rose")
    order_id = orders.create_order(admin, customer, [LineRequest("ROSE", 3)], status="confirmed")
    number = invoices.issue_invoice(admin, order_id, issued_on=date(2026, 5, 1))
    roll = documents.render_invoice_pdf(admin, number, paper="80mm", keep=False)
    text = pdf_text(roll, tmp_path)
    assert not has_all(text, "Rose Shop", CUSTOMER_AR, "Red rose", "63.00 AED", "Sixty-three dirhams only")
    note = invoices.issue_credit_note(admin, number, [invoices.ReturnRequest("ROSE", 1)], reason="wilted")
    text = pdf_text(documents.render_invoice_pdf(admin, note, keep=False), tmp_path)
    assert not has_all(text, "Credit note", note, number, "21.00 AED", "wilted")
    with pytest.raises(NotFoundError):
        documents.render_invoice_pdf(admin, note, kind="invoice")
    with pytest.raises(ValidationError):
        documents.render_invoice_pdf(admin, number, paper="a5")


def test_the_embedded_font_is_a_valid_subset_with_both_styles(duck: Database, tmp_path: Path) -> None:
    admin, _, number = saudi_shop(duck)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(documents.render_invoice_pdf(admin, number, keep=False)))
    found = {}
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        program = descendant["/FontDescriptor"]["/FontFile2"].get_data()
        found[str(font["/BaseFont"])] = TTFont(io.BytesIO(program))
    assert sorted(found) == ["/BOFFAA+Vazirmatn", "/BOFFAA+VazirmatnBold"]
    for parsed in found.values():
        glyf = parsed["glyf"]
        drawn = [name for name in parsed.getGlyphOrder() if glyf[name].numberOfContours != 0]
        assert 20 < len(drawn) < 400  # a subset: only what the page uses (and composite parts)


# ---------------------------------------------------------------- statements and receipts


@needs_poppler
def test_statement_from_the_ledger(db: Database, tmp_path: Path) -> None:
    admin, customer, number = saudi_shop(db)
    note = invoices.issue_credit_note(
        admin, number, [invoices.ReturnRequest("CUP-01", 1)], issued_on=date(2026, 11, 25)
    )
    credited = invoices.get_invoice(admin, note)["total_minor"]
    statement = receivables.statement_from_ledger(admin, customer, date(2026, 11, 23), date(2026, 11, 30))
    assert (statement.opening_balance_minor, statement.closing_balance_minor) == (17135, 17135 - credited)
    assert [(x.document, x.debit_minor, x.credit_minor, x.kind) for x in statement.lines] == [
        (note, 0, credited, "credit_note")
    ]
    whole = receivables.statement_from_ledger(admin, customer, None, date(2026, 11, 30))
    assert [x.balance_minor for x in whole.lines] == [17135, 17135 - credited]
    pdf = documents.render_statement_pdf(admin, whole)
    text = pdf_text(pdf, tmp_path)
    assert not has_all(text, "كشف حساب", "Statement of account", CUSTOMER_AR, number, note)
    keep_png(pdf, tmp_path, "statement")
    broken = Statement(customer, CUSTOMER_AR, None, date(2026, 11, 30), 0, whole.lines, 1)
    with pytest.raises(ValidationError, match="closing balance"):
        documents.render_statement_pdf(admin, broken)


@needs_poppler
def test_receipt_on_a4_and_80mm(duck: Database, tmp_path: Path) -> None:
    admin, customer, number = saudi_shop(duck)
    receipt = Receipt(
        "RCT-000007", date(2026, 11, 23), CUSTOMER_AR, 20000, "cash", ((number, 17135),), customer
    )
    for paper in ("a4", "80mm"):
        pdf = documents.render_receipt_pdf(admin, receipt, paper=paper)
        text = pdf_text(pdf, tmp_path)
        assert not has_all(
            text, "سند قبض", "RCT-000007", number, "200.00 SAR", "Two hundred riyals only", "نقداً"
        )
        keep_png(pdf, tmp_path, f"receipt-{paper}")
    with pytest.raises(ValidationError, match="more than the amount"):
        documents.render_receipt_pdf(
            admin, Receipt("R1", date(2026, 1, 1), "x", 100, "cash", (("INV-1", 101),))
        )
    with pytest.raises(ValidationError):
        documents.render_receipt_pdf(admin, Receipt("R1", date(2026, 1, 1), "x", 1.5, "cash"))  # type: ignore[arg-type]


# ---------------------------------------------------------------- who may see what


def test_another_organizations_user_sees_nothing(db: Database) -> None:
    admin, customer, number = saudi_shop(db)
    _, stranger = make_org(db, name="Other shop")
    intruder = Context(db, stranger.user, admin.org_id)  # a user with no role in the shop
    with pytest.raises(PermissionDenied):
        documents.render_invoice_pdf(intruder, number)
    with pytest.raises(PermissionDenied):
        receivables.statement_from_ledger(intruder, customer)
    with pytest.raises(NotFoundError):
        documents.render_invoice_pdf(stranger, number)  # in their own organization there is no such invoice
    with pytest.raises(NotFoundError):
        receivables.statement_from_ledger(stranger, customer)
    with pytest.raises(NotFoundError):
        documents.render_receipt_pdf(
            stranger, Receipt("R", date(2026, 1, 1), "x", 1, "cash", customer_id=customer)
        )
    viewer = make_user(admin, "viewer")
    assert documents.render_invoice_pdf(viewer, number, keep=False).startswith(b"%PDF")


# ---------------------------------------------------------------- the command line


def test_cli_pdf_commands(duck: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    admin, customer, number = saudi_shop(duck)
    path = duck.url.split(":///", 1)[1]
    duck.dispose()
    out = tmp_path / "invoice.pdf"
    assert main(["pdf", "invoice", number, "--db", path, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert main(["pdf", "invoice", "INV-999999", "--db", path, "--out", str(tmp_path / "x.pdf")]) == 2
    assert "No invoice INV-999999" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
    statement = tmp_path / "statement.pdf"
    args = [
        "pdf",
        "statement",
        str(customer),
        "--db",
        path,
        "--out",
        str(statement),
        "--from",
        "2026-11-01",
        "--json",
    ]
    assert main(args) == 0
    assert '"bytes"' in capsys.readouterr().out and statement.stat().st_size > 1000
    assert (
        main(["pdf", "statement", str(customer), "--db", path, "--out", str(statement), "--to", "30/11"]) == 2
    )
    assert main(["pdf", "credit-note", number, "--db", path, "--out", str(statement)]) == 2


# ---------------------------------------------------------------- layout pieces


def test_rtl_tables_put_the_first_column_on_the_right() -> None:
    sheet = layout.Sheet(
        languages=("ar",),
        title_key="invoice",
        brand=layout.Brand("متجر"),
        party_key="bill_to",
        party=((None, CUSTOMER_AR),),
        meta=(),
        columns=(layout.Column("line_no", 6, "center"), layout.Column("description", 0)),
        rows=(("1", "شاي"),),
        totals=(),
    )
    pdf = layout._Pdf("a4", 297, core=False)
    pen = layout._Pen(pdf, sheet)
    (_, first_start, first_width), _ = layout._columns(pen)
    assert pen.x(first_start, first_width) + first_width == pytest.approx(pdf.w - pdf.r_margin)


def test_fonts_cover_arabic_persian_and_latin() -> None:
    face = fonts.faces()[""]
    cmap = face.template.cmap
    assert all(ord(c) in cmap for c in "پچژگیکءآأإؤئ٠١٢۰۱۲٫٬﷼ABCxyz€") and "\u200c" in map(chr, cmap)


def test_statement_lines_are_plain_data() -> None:
    line = StatementLine(date(2026, 1, 1), "Invoice INV-1", "INV-1", 100, 0, 100, "invoice")
    assert documents._statement_text(line, "ar") == "فاتورة INV-1\nInvoice INV-1"
    assert documents._statement_text(line, "en") == "Invoice INV-1"


def test_same_bytes_across_threads_and_processes() -> None:
    """Caches shared by a process (fonts, shaping, bidi) never change what a document looks like."""
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from benchmarks.bench_documents import bilingual_sheet

    expected = layout.render(bilingual_sheet(3))
    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(lambda n: layout.render(bilingual_sheet(n)), [3] * 8)) == {expected}
    code = (
        "import sys; from benchmarks.bench_documents import bilingual_sheet; from backoffice.documents import layout; "
        "sys.stdout.buffer.write(layout.render(bilingual_sheet(3)))"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=True, cwd=Path(__file__).parent.parent
    )
    assert fresh.stdout == expected


def test_a_document_over_the_line_limit_is_refused_before_it_is_drawn(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, customer, number = saudi_shop(db)  # its invoice has three lines
    monkeypatch.setattr(documents, "MAX_DOCUMENT_LINES", 1)
    monkeypatch.setattr(layout, "render", lambda sheet: pytest.fail("a refused document was drawn"))
    with pytest.raises(ValidationError, match=f"{number} has 3 lines; a PDF holds at most 1 ") as refused:
        documents.render_invoice_pdf(admin, number, keep=False)
    assert refused.value.errors[0].field == "lines"
    whole = receivables.statement_from_ledger(admin, customer, None, date(2026, 11, 30))
    monkeypatch.setattr(documents, "MAX_DOCUMENT_LINES", len(whole.lines) - 1)
    with pytest.raises(ValidationError, match="The statement has"):
        documents.render_statement_pdf(admin, whole)
    monkeypatch.undo()
    assert documents.render_invoice_pdf(admin, number, keep=False).startswith(b"%PDF")
