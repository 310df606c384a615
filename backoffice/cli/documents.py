"""`backoffice pdf …`: invoice, credit note, receipt and statement PDFs from the command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from backoffice.books import receivables
from backoffice.cli import common
from backoffice.core.errors import ValidationError
from backoffice.core.i18n import DOCUMENT_LANGUAGES
from backoffice.documents import PAPERS

F = TypeVar("F", bound=Callable[..., Any])
pdf = common.Group("pdf")


def _paper_and_language(f: F) -> F:
    f = click.option(
        "--language",
        type=common.choice(DOCUMENT_LANGUAGES),
        help="default: the customer's, else the organization's",
    )(f)
    f = click.option("--paper", default="a4", type=common.choice(PAPERS))(f)
    return click.option("--out", required=True, metavar="FILE", help="where to write the PDF")(f)


def _write(out: str, pdf_bytes: bytes, what: str) -> None:
    common.path(out).write_bytes(pdf_bytes)
    common.emit({"file": out, "bytes": len(pdf_bytes), "document": what}, f"Wrote {what} to {out}.")


def _date(text: str | None, flag: str) -> Any:
    from datetime import date

    from backoffice.core.text import normalize_digits

    if not text:
        return None
    try:
        return date.fromisoformat(normalize_digits(text).strip())
    except ValueError as exc:
        raise ValidationError(f"'{text}' is not a date (use YYYY-MM-DD)", flag) from exc


def _invoice_pdf(kind: str, number: str, out: str, paper: str, language: str | None) -> None:
    from backoffice import documents

    found = documents.render_invoice_pdf(common.context(), number, paper, language, kind=kind)
    _write(out, found, number.strip())


@pdf.command("invoice", help="an invoice's PDF", epilog="NUMBER: e.g. INV-000001")
@common.options()
@click.argument("number")
@_paper_and_language
def invoice(number: str, out: str, paper: str, language: str | None) -> None:
    _invoice_pdf("invoice", number, out, paper, language)


@pdf.command("credit-note", help="a credit note's PDF", epilog="NUMBER: e.g. CN-000001")
@common.options()
@click.argument("number")
@_paper_and_language
def credit_note(number: str, out: str, paper: str, language: str | None) -> None:
    _invoice_pdf("credit_note", number, out, paper, language)


@pdf.command("statement", help="a customer's statement of account")
@common.options()
@click.argument("customer_id", type=int)
@click.option("--from", "date_from", metavar="DATE", help="first day (default: since the start)")
@click.option("--to", "date_to", metavar="DATE", help="last day (default: today)")
@_paper_and_language
def statement(
    customer_id: int, date_from: str | None, date_to: str | None, out: str, paper: str, language: str | None
) -> None:
    from backoffice import documents

    ctx = common.context()
    found = receivables.statement_from_ledger(
        ctx, customer_id, _date(date_from, "--from"), _date(date_to, "--to")
    )
    _write(
        out,
        documents.render_statement_pdf(ctx, found, paper, language),
        f"statement of customer #{customer_id}",
    )


@pdf.command("receipt", help="a payment's receipt")
@common.options()
@click.argument("payment_id", type=int)
@_paper_and_language
def receipt(payment_id: int, out: str, paper: str, language: str | None) -> None:
    from backoffice import documents
    from backoffice.sales import payments

    ctx = common.context()
    found = payments.receipt(ctx, payment_id)
    _write(out, documents.render_receipt_pdf(ctx, found, paper, language), found.number)
