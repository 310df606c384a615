"""`backoffice pdf …`: invoice, credit note, receipt and statement PDFs from the command line (SPEC I3, C5)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from backoffice.books import receivables
from backoffice.core.errors import ValidationError


def _paper_and_language(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--out", required=True, metavar="FILE", help="where to write the PDF")
    sub.add_argument("--paper", default="a4", choices=["a4", "80mm"])
    sub.add_argument(
        "--language",
        choices=["en", "ar", "fa", "ar-en", "fa-en"],
        help="default: the customer's, else the organization's",
    )


def _write(args: argparse.Namespace, pdf: bytes, what: str) -> None:
    from backoffice.cli import _emit

    Path(args.out).write_bytes(pdf)
    _emit(args, {"file": args.out, "bytes": len(pdf), "document": what}, f"Wrote {what} to {args.out}.")


def cmd_pdf_invoice(args: argparse.Namespace) -> None:
    from backoffice import documents
    from backoffice.cli import _context

    kind = "credit_note" if args.action == "credit-note" else "invoice"
    pdf = documents.render_invoice_pdf(_context(args), args.number, args.paper, args.language, kind=kind)
    _write(args, pdf, args.number.strip())


def _date(text: str | None, flag: str) -> Any:
    from datetime import date

    from backoffice.core.text import normalize_digits

    if not text:
        return None
    try:
        return date.fromisoformat(normalize_digits(text).strip())
    except ValueError as exc:
        raise ValidationError(f"'{text}' is not a date (use YYYY-MM-DD)", flag) from exc


def cmd_pdf_statement(args: argparse.Namespace) -> None:
    from backoffice import documents
    from backoffice.cli import _context

    ctx = _context(args)
    statement = receivables.statement_from_ledger(
        ctx, args.customer_id, _date(args.date_from, "--from"), _date(args.date_to, "--to")
    )
    pdf = documents.render_statement_pdf(ctx, statement, args.paper, args.language)
    _write(args, pdf, f"statement of customer #{args.customer_id}")


def cmd_pdf_receipt(args: argparse.Namespace) -> None:
    from backoffice import documents
    from backoffice.cli import _context
    from backoffice.sales import payments

    ctx = _context(args)
    found = payments.receipt(ctx, args.payment_id)
    _write(args, documents.render_receipt_pdf(ctx, found, args.paper, args.language), found.number)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    pdf = sub.add_parser("pdf", help="invoice, credit note, receipt and statement PDFs").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    p = pdf.add_parser("invoice", parents=[common], help="an invoice's PDF")
    p.add_argument("number", help="e.g. INV-000001")
    _paper_and_language(p)
    p.set_defaults(handler=cmd_pdf_invoice)
    p = pdf.add_parser("credit-note", parents=[common], help="a credit note's PDF")
    p.add_argument("number", help="e.g. CN-000001")
    _paper_and_language(p)
    p.set_defaults(handler=cmd_pdf_invoice)
    p = pdf.add_parser("statement", parents=[common], help="a customer's statement of account")
    p.add_argument("customer_id", type=int)
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (default: since the start)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day (default: today)")
    _paper_and_language(p)
    p.set_defaults(handler=cmd_pdf_statement)
    p = pdf.add_parser("receipt", parents=[common], help="a payment's receipt")
    p.add_argument("payment_id", type=int)
    _paper_and_language(p)
    p.set_defaults(handler=cmd_pdf_receipt)
