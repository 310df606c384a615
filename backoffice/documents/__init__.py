"""Documents: invoice, credit note, receipt and statement PDFs that get Arabic and Persian right (SPEC I3, I4, L2, C5).

Owns the public service functions (each takes a Context and checks permission first) and the kept PDFs of
issued documents; the Statement comes from backoffice.books.receivables, the Receipt from backoffice.sales.payments. The drawing lives in layout.py,
fonts in fonts.py, words in words.py, calendars in dates.py, the ZATCA QR in zatca.py.
Importing this package is cheap: fpdf2 loads on the first rendering.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from backoffice.books.receivables import Statement, StatementLine
from backoffice.core.context import Context
from backoffice.core.errors import NotFoundError, ValidationError
from backoffice.core.money import Currency, currency, format_money
from backoffice.db import now
from backoffice.db.queries import documents as q
from backoffice.db.queries import orgs as orgs_q
from backoffice.db.queries import sales as sales_q
from backoffice.sales.payments import Receipt

if TYPE_CHECKING:
    from backoffice.documents.layout import Brand, Column, Sheet

RENDERER = "1"  # bump when the drawing changes: kept PDFs of another version are drawn again
PAPERS = ("a4", "80mm")

__all__ = [
    "discard_kept_pdfs",
    "document_languages",
    "render_invoice_pdf",
    "render_receipt_pdf",
    "render_statement_pdf",
]


# Lines one PDF document draws at most: some 100 A4 pages; a 1,000,000-line invoice took 180 s and 1.7 GB to draw.
# A document with more is refused before anything is read or drawn (its lines stay available as data: exports).
MAX_DOCUMENT_LINES = 5_000


def _check_lines(count: int, what: str) -> None:
    if count > MAX_DOCUMENT_LINES:
        raise ValidationError(
            f"{what} has {count:,} lines; a PDF holds at most {MAX_DOCUMENT_LINES:,} (about 100 pages), "
            "so it is not drawn: export its lines to CSV or XLSX instead",
            "lines",
        )


# ---------------------------------------------------------------- public service functions


def render_invoice_pdf(
    ctx: Context,
    number: str,
    paper: str = "a4",
    language: str | None = None,
    kind: str | None = None,
    keep: bool = True,
) -> bytes:
    """The PDF of an invoice (INV-…) or credit note (CN-…); the same bytes every time (SPEC I3, I4).

    An issued document never changes, so its PDF is kept once drawn (`keep`) and served from then on;
    the emailed copy equals the downloaded one even if the branding changes later. `language`
    overrides the customer's and the organization's; `kind` ('invoice' | 'credit_note') refuses the other.
    """
    ctx.require("customers.read")
    _check_paper(paper)
    number = (number or "").strip()
    variant = f"{paper}:{language or 'auto'}:{RENDERER}"
    with ctx.read() as conn:
        invoice = sales_q.invoice_by_number(conn, ctx.org_id, number)
        if invoice is None or (kind is not None and invoice["kind"] != kind):
            what = {"invoice": "invoice", "credit_note": "credit note"}.get(
                kind or "", "invoice or credit note"
            )
            raise NotFoundError(f"No {what} {number} in this organization.")
        if keep and (kept := q.kept_pdf(conn, ctx.org_id, number, variant)) is not None:
            return kept
        _check_lines(q.line_count(conn, ctx.org_id, invoice["invoice_id"]), number)
        lines = sales_q.invoice_lines(conn, ctx.org_id, invoice["invoice_id"])
        org = ctx.org()
        customer = q.customer(conn, ctx.org_id, invoice["customer_id"]) if invoice["customer_id"] else None
        names_ar = q.arabic_names(conn, ctx.org_id, invoice["invoice_id"])
        corrects = (
            q.invoice_number(conn, ctx.org_id, invoice["corrects_invoice_id"])
            if invoice["corrects_invoice_id"]
            else None
        )
    from backoffice.documents import layout

    sheet = invoice_sheet(invoice, lines, org, customer, names_ar, corrects, paper, language)
    pdf = layout.render(sheet)
    if keep:
        with ctx.write() as conn:
            q.keep_pdf(conn, ctx.org_id, number, variant, pdf, now())
    return pdf


def render_statement_pdf(
    ctx: Context, statement: Statement, paper: str = "a4", language: str | None = None
) -> bytes:
    """The PDF of a statement of account (from statement_from_ledger, or built by another area)."""
    ctx.require("customers.read")
    _check_paper(paper)
    _check_lines(len(statement.lines), "The statement")
    expected = statement.opening_balance_minor + sum(x.debit_minor - x.credit_minor for x in statement.lines)
    if expected != statement.closing_balance_minor:
        raise ValidationError(
            "the closing balance does not equal the opening balance plus debits less credits",
            "closing_balance",
        )
    org, customer = _org_and_customer(ctx, statement.customer_id)
    from backoffice.documents import layout

    return layout.render(statement_sheet(statement, org, customer, paper, language))


def render_receipt_pdf(
    ctx: Context, receipt: Receipt, paper: str = "a4", language: str | None = None
) -> bytes:
    """The PDF of a receipt (سند قبض), on A4 or an 80 mm roll."""
    ctx.require("customers.read")
    _check_paper(paper)
    _check_lines(len(receipt.allocations), "The receipt")
    amounts = [receipt.amount_minor, *(amount for _, amount in receipt.allocations)]
    if any(isinstance(a, bool) or not isinstance(a, int) or a < 0 for a in amounts):
        raise ValidationError("amounts are whole minor units, not negative", "amount_minor")
    if sum(amount for _, amount in receipt.allocations) > receipt.amount_minor:
        raise ValidationError("the allocations add up to more than the amount received", "allocations")
    org, customer = _org_and_customer(ctx, receipt.customer_id)
    from backoffice.documents import layout

    return layout.render(receipt_sheet(receipt, org, customer, paper, language))


def discard_kept_pdfs(ctx: Context, number: str | None = None) -> int:
    """Forget kept PDFs (one document's, or all) so they are drawn again with the current branding."""
    ctx.require("settings.write")
    number = number.strip() if number else None
    with ctx.write() as conn:
        if number is not None and sales_q.invoice_by_number(conn, ctx.org_id, number) is None:
            raise NotFoundError(f"No invoice or credit note {number} in this organization.")
        return q.forget_pdfs(conn, ctx.org_id, number)


def document_languages(
    ctx: Context, customer_id: int | None = None, tax_document: bool = False
) -> tuple[str, ...]:
    """The languages a document for this customer is printed in, primary first."""
    ctx.require("customers.read")
    org, customer = _org_and_customer(ctx, customer_id)
    from backoffice.documents.labels import languages_for

    return languages_for(
        org["language"], (customer["language"] if customer else None), org["country"], None, tax_document
    )


# ---------------------------------------------------------------- building sheets (pure functions)


def _check_paper(paper: str) -> None:
    if paper not in PAPERS:
        raise ValidationError(f"choose one of {', '.join(PAPERS)}", "paper")


def _org_and_customer(ctx: Context, customer_id: int | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    with ctx.read() as conn:
        org = orgs_q.org_by_id(conn, ctx.org_id)
        customer = q.customer(conn, ctx.org_id, customer_id) if customer_id is not None else None
    if org is None:
        raise NotFoundError("No such organization.")
    if customer_id is not None and customer is None:
        raise NotFoundError(f"No customer #{customer_id} in this organization.")
    return org, customer


class _Format:
    """Figures and dates for one document: its primary language, digits and calendar."""

    def __init__(self, org: dict[str, Any], languages: tuple[str, ...], cur: Currency) -> None:
        self.lang = languages[0]
        self.bilingual = len(languages) > 1
        self.native = bool(org.get("native_digits"))
        self.calendar = org.get("calendar") or "gregorian"
        self.cur = cur

    @classmethod
    def of(
        cls,
        org: dict[str, Any],
        customer: dict[str, Any] | None,
        currency_code: str,
        language: str | None,
        tax_document: bool = False,
    ) -> tuple[tuple[str, ...], _Format]:
        """The document's languages (the customer's, else the organization's, or the one asked for) and format."""
        from backoffice.documents.labels import languages_for

        languages = languages_for(
            org["language"],
            (customer.get("language") if customer else None),
            org["country"],
            language,
            tax_document,
        )
        return languages, cls(org, languages, currency(currency_code))

    def digits(self, text: str) -> str:
        from backoffice.documents.dates import digits

        return digits(text, self.lang, self.native)

    def amount(self, minor: int) -> str:
        return format_money(minor, self.cur, self.lang, self.native).rsplit(" ", 1)[0]

    def money(self, minor: int) -> str:
        return format_money(minor, self.cur, self.lang, self.native)

    def day(self, on: date) -> str:
        from backoffice.documents.dates import gregorian

        return gregorian(on, self.lang, self.native)

    def dates(self, key: str, on: date) -> list[tuple[str, str]]:
        """The date row, and the organization's second calendar beside it."""
        from backoffice.documents.dates import beside

        rows = [(key, self.day(on))]
        other = beside(on, self.calendar, self.lang, self.native)
        if other:
            rows.append((f"{self.calendar}_date", other))
        return rows


def _brand(org: dict[str, Any]) -> Brand:
    from backoffice.documents.layout import Brand

    color = (org.get("brand_color") or "#0f766e").lstrip("#")
    rgb = (int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16))
    place = ", ".join(p for p in (org.get("city"), org.get("postal_code"), org.get("country")) if p)
    address = tuple(line.strip() for line in (org.get("address") or "").splitlines() if line.strip())
    contact = " · ".join(p for p in (org.get("phone"), org.get("email")) if p)
    logo = org.get("logo")
    return Brand(
        name=org.get("legal_name") or org["name"],
        address=address + tuple(p for p in (place, contact) if p),
        tax_number=org.get("tax_number"),
        logo=bytes(logo) if logo else None,
        color=rgb,
        footer=org.get("invoice_footer"),
    )


def _party(
    name: str | None, customer: dict[str, Any] | None, languages: tuple[str, ...]
) -> tuple[tuple[str | None, str], ...]:
    from backoffice.documents.labels import term

    party: list[tuple[str | None, str]] = [(None, name or term("walk_in", languages[0]))]
    if customer:
        if customer.get("tax_id"):
            party.append(("customer_vat", customer["tax_id"]))
        for line in (customer.get("address") or "").splitlines():
            if line.strip():
                party.append((None, line.strip()))
        place = ", ".join(
            p for p in (customer.get("city"), customer.get("postal_code"), customer.get("country")) if p
        )
        if place:
            party.append((None, place))
    return tuple(party)


def _created(on: date) -> datetime:
    """The PDF's creation date: the document's own date, so the same document gives the same bytes."""
    return datetime.combine(on, time(0, 0), tzinfo=UTC)


def invoice_sheet(
    invoice: dict[str, Any],
    lines: list[dict[str, Any]],
    org: dict[str, Any],
    customer: dict[str, Any] | None,
    names_ar: dict[int, str],
    corrects: str | None,
    paper: str = "a4",
    language: str | None = None,
) -> Sheet:
    """What an invoice or credit note prints (a pure function of the rows read)."""
    from backoffice.documents import zatca
    from backoffice.documents.labels import term
    from backoffice.documents.layout import Sheet
    from backoffice.documents.words import amount_in_words

    languages, fmt = _Format.of(org, customer, invoice["currency"], language, tax_document=True)
    cur = fmt.cur
    saudi = (org.get("country") or "").upper() == "SA"
    simplified = saudi and not (customer and customer.get("tax_id"))
    credit_note = invoice["kind"] == "credit_note"
    if credit_note:
        title = "credit_note"
    elif simplified:
        title = "simplified_tax_invoice"
    elif org.get("tax_number") or saudi:
        title = "tax_invoice"
    else:
        title = "invoice"
    meta: list[tuple[str, str]] = [
        ("credit_note_number" if credit_note else "invoice_number", invoice["number_text"])
    ]
    meta += fmt.dates("issue_date", invoice["issued_on"])
    if not credit_note and invoice["due_on"] and invoice["due_on"] != invoice["issued_on"]:
        meta.append(("due_date", fmt.day(invoice["due_on"])))
    if corrects:
        meta.append(("corrects", corrects))
    discounts = any(x["discount_minor"] for x in lines)
    columns = _invoice_columns(discounts)
    rows = []
    for n, line in enumerate(lines, 1):
        description = line["description"]
        if line["kind"] == "shipping" and description == "Shipping":
            description = term("shipping", fmt.lang)
        arabic = names_ar.get(line["product_id"]) if line["product_id"] else None
        if arabic and "ar" in languages and arabic != description:
            description = f"{description}\n{arabic}"
        vat_rate = (
            term("exempt", fmt.lang) if line["vat_exempt"] else fmt.digits(_percent(line["vat_rate_bp"]))
        )
        row = [
            fmt.digits(str(n)),
            line["sku"] or "",
            description,
            fmt.digits(str(line["quantity"])),
            fmt.amount(line["unit_price_minor"]),
        ]
        if discounts:
            row.append(fmt.amount(line["discount_minor"]))
        row += [
            fmt.amount(line["net_minor"]),
            vat_rate,
            fmt.amount(line["vat_minor"]),
            fmt.amount(line["gross_minor"]),
        ]
        rows.append(tuple(row))
    totals = [
        ("subtotal", fmt.money(invoice["net_minor"]), False),
        ("vat_total", fmt.money(invoice["vat_minor"]), False),
        ("total_credited" if credit_note else "total_incl_vat", fmt.money(invoice["total_minor"]), True),
    ]
    qr = None
    if simplified and org.get("tax_number"):
        created = invoice["created_at"]
        issued_at = (
            created
            if created.date() == invoice["issued_on"]
            else datetime.combine(invoice["issued_on"], time(0, 0))
        )
        payload = zatca.invoice_payload(
            org.get("legal_name") or org["name"],
            org["tax_number"],
            issued_at,
            invoice["total_minor"],
            invoice["vat_minor"],
            cur.code,
        )
        qr = zatca.qr_png(payload)
    notes = (("reason", invoice["reason"]),) if invoice.get("reason") else ()
    return Sheet(
        languages=languages,
        title_key=title,
        brand=_brand(org),
        party_key="bill_to",
        party=_party(
            invoice.get("customer_name") or (customer["name"] if customer else None), customer, languages
        ),
        meta=tuple(meta),
        columns=columns,
        rows=tuple(rows),
        totals=tuple(totals),
        words=tuple((lang, amount_in_words(invoice["total_minor"], cur.code, lang)) for lang in languages),
        qr_png=qr,
        notes=notes,
        created=_created(invoice["issued_on"]),
        subject=f"{term(title, 'en')} {invoice['number_text']}",
        paper=paper,  # type: ignore[arg-type]
    )


def _percent(rate_bp: int) -> str:
    """1500 -> «15%», 750 -> «7.5%» (money.percent_text writes 10% as «1E+1»)."""
    return f"{format((Decimal(rate_bp) / 100).normalize(), 'f')}%"


def _invoice_columns(discounts: bool) -> tuple[Column, ...]:
    from backoffice.documents.layout import Column

    columns = [
        Column("line_no", 6, "center", compact=False),
        Column("sku", 20, "center", compact=False),
        Column("description", 0, "text"),
        Column("quantity", 11, "center"),
        Column("unit_price", 18, "number", compact=False),
    ]
    if discounts:
        columns.append(Column("discount", 16, "number", compact=False))
    columns += [
        Column("net", 19, "number", compact=False),
        Column("vat_rate", 13, "center", compact=False),
        Column("vat", 17, "number", compact=False),
        Column("line_total", 22, "number"),
    ]
    return tuple(columns)


def statement_sheet(
    statement: Statement,
    org: dict[str, Any],
    customer: dict[str, Any] | None,
    paper: str = "a4",
    language: str | None = None,
) -> Sheet:
    from backoffice.documents.labels import term
    from backoffice.documents.layout import Column, Sheet

    languages, fmt = _Format.of(org, customer, statement.currency or org["currency"], language)
    cur = fmt.cur
    meta: list[tuple[str, str]] = []
    if statement.date_from:
        meta.append(("from", fmt.day(statement.date_from)))
    meta.append(("to", fmt.day(statement.date_to)))
    meta.append(("currency", cur.code))
    columns = (
        Column("date", 21, "center"),
        Column("description", 0, "text"),
        Column("document", 24, "center", compact=False),
        Column("debit", 23, "number"),
        Column("credit", 23, "number"),
        Column("balance", 25, "number"),
    )
    rows = [("", term("opening_balance", fmt.lang), "", "", "", fmt.amount(statement.opening_balance_minor))]
    for x in statement.lines:
        rows.append(
            (
                fmt.day(x.entry_on),
                _statement_text(x, fmt.lang),
                x.document or "",
                fmt.amount(x.debit_minor) if x.debit_minor else "",
                fmt.amount(x.credit_minor) if x.credit_minor else "",
                fmt.amount(x.balance_minor),
            )
        )
    totals = (
        ("opening_balance", fmt.money(statement.opening_balance_minor), False),
        ("debit", fmt.money(sum(x.debit_minor for x in statement.lines)), False),
        ("credit", fmt.money(sum(x.credit_minor for x in statement.lines)), False),
        ("closing_balance", fmt.money(statement.closing_balance_minor), True),
    )
    return Sheet(
        languages=languages,
        title_key="statement",
        brand=_brand(org),
        party_key="customer",
        party=_party(statement.customer_name, customer, languages),
        meta=tuple(meta),
        columns=columns,
        rows=tuple(rows),
        totals=totals,
        created=_created(statement.date_to),
        subject=f"Statement {statement.customer_name} {statement.date_to.isoformat()}",
        paper=paper,  # type: ignore[arg-type]
    )


def _statement_text(line: StatementLine, language: str) -> str:
    """English memos as they are; in Arabic and Persian the movement's name and its document."""
    from backoffice.documents.labels import TERMS, term

    if language == "en" or line.kind not in TERMS:
        return line.description
    return f"{term(line.kind, language)} {line.document or ''}".strip() + f"\n{line.description}"


def receipt_sheet(
    receipt: Receipt,
    org: dict[str, Any],
    customer: dict[str, Any] | None,
    paper: str = "a4",
    language: str | None = None,
) -> Sheet:
    from backoffice.documents.labels import term
    from backoffice.documents.layout import Column, Sheet
    from backoffice.documents.words import amount_in_words

    languages, fmt = _Format.of(org, customer, receipt.currency or org["currency"], language)
    cur = fmt.cur
    meta = [("receipt_number", receipt.number), *fmt.dates("date", receipt.received_on)]
    meta.append(("payment_method", term(receipt.method, fmt.lang)))
    rows = [(number, fmt.amount(amount)) for number, amount in receipt.allocations]
    left = receipt.amount_minor - sum(amount for _, amount in receipt.allocations)
    if left:
        rows.append((term("on_account", fmt.lang), fmt.amount(left)))
    return Sheet(
        languages=languages,
        title_key="receipt",
        brand=_brand(org),
        party_key="received_from",
        party=_party(receipt.customer_name, customer, languages),
        meta=tuple(meta),
        columns=(Column("applied_to", 0, "text"), Column("amount", 40, "number")),
        rows=tuple(rows),
        totals=(("amount_received", fmt.money(receipt.amount_minor), True),),
        words=tuple((lang, amount_in_words(receipt.amount_minor, cur.code, lang)) for lang in languages),
        created=_created(receipt.received_on),
        subject=f"Receipt {receipt.number}",
        paper=paper,  # type: ignore[arg-type]
    )
