"""`backoffice invoice issue|credit-note|show|explain`: invoices and credit notes."""

from __future__ import annotations

import click

from backoffice import shapes
from backoffice.cli import common
from backoffice.core.errors import ValidationError

invoice = common.Group("invoice")


@invoice.command("issue", help="invoice a confirmed or fulfilled order")
@common.options()
@click.option("--order", type=int, required=True)
def issue(order: int) -> None:
    from backoffice.sales import invoices

    ctx = common.context()
    number = invoices.issue_invoice(ctx, order)
    common.emit(shapes.invoice_json(invoices.get_invoice(ctx, number)), f"Issued {number}.")


@invoice.command("credit-note", help="credit an invoice, in full or the lines given")
@common.options()
@click.argument("number")
@click.option("--line", multiple=True, metavar="SKU:QTY")
@click.option("--reason")
def credit_note(number: str, line: tuple[str, ...], reason: str | None) -> None:
    from backoffice.sales import invoices

    ctx = common.context()
    returns = None
    if line:
        returns = []
        for text in line:
            sku, _, qty = text.partition(":")
            if not sku or not qty:
                raise ValidationError(f"write --line SKU:QTY (got {text!r})", "line")
            returns.append(invoices.ReturnRequest(sku, qty))
    issued = invoices.issue_credit_note(ctx, number, returns, reason)
    common.emit(shapes.invoice_json(invoices.get_invoice(ctx, issued)), f"Issued {issued}.")


@invoice.command("show")
@common.options()
@click.argument("number")
def show(number: str) -> None:
    from backoffice.sales import invoices

    ctx = common.context()
    common.emit(shapes.invoice_json(invoices.get_invoice(ctx, number)))


@invoice.command("explain", help="recalculate from the lines; exit 1 when a total disagrees")
@common.options()
@click.argument("number")
def explain(number: str) -> int:
    from backoffice.core.money import currency, to_json
    from backoffice.sales import invoices

    ctx = common.context()
    cur = currency(invoices.get_invoice(ctx, number)["currency"])
    found = invoices.explain_invoice(ctx, number)
    data = [
        {
            "where": d.where,
            "stored": to_json(d.stored_minor, cur),
            "computed": to_json(d.computed_minor, cur),
            "reason": d.reason,
        }
        for d in found
    ]
    common.emit(
        data,
        "\n".join(
            f"{d['where']}: stored {d['stored']}, lines give {d['computed']} — {d['reason']}" for d in data
        )
        or f"{number}: every total agrees with its lines.",
    )
    return 1 if found else 0
