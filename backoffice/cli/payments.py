"""`backoffice payment …`: record payments and deposits, capture and void authorizations, refunds."""

from __future__ import annotations

import click

from backoffice import shapes
from backoffice.cli import common
from backoffice.core.errors import ValidationError
from backoffice.sales.payments import METHOD_ACCOUNTS

payment = common.Group("payment")


@payment.command("add", help="money received: a payment, a payment on account or a deposit")
@common.options()
@click.option("--customer", type=int)
@click.option("--amount", required=True)
@click.option("--method", required=True, help="cash, card, bank_transfer, wallet, store_payout, or your own")
@click.option("--invoice", multiple=True, metavar="NUMBER", help="pay these invoices (default: oldest first)")
@click.option("--order", type=int)
@click.option("--deposit", is_flag=True, help="a deposit on --order, held until it is invoiced")
@click.option("--authorize", is_flag=True, help="authorize only; counts once captured")
@click.option("--reference")
@click.option("--date", "on", metavar="YYYY-MM-DD")
def add(
    customer: int | None,
    amount: str,
    method: str,
    invoice: tuple[str, ...],
    order: int | None,
    deposit: bool,
    authorize: bool,
    reference: str | None,
    on: str | None,
) -> None:
    from backoffice.sales import payments

    ctx = common.context()
    day = common.day(on)
    if deposit:
        if order is None:
            raise ValidationError("a deposit needs --order ID", "order")
        result = payments.take_deposit(ctx, order, amount, method, day, authorize)
    else:
        if customer is None:
            raise ValidationError("name the customer with --customer ID", "customer")
        result = payments.record_payment(
            ctx, customer, amount, method, common.listed(invoice), day, authorize, reference
        )
    common.emit(
        shapes.payment_json(result, common.money(ctx)), f"Payment #{result.payment_id} {result.status}."
    )


@payment.command("capture", help="capture an authorized payment")
@common.options()
@click.argument("id", type=int)
def capture(id: int) -> None:
    from backoffice.sales import payments

    ctx = common.context()
    result = payments.capture_payment(ctx, id)
    common.emit(shapes.payment_json(result, common.money(ctx)), f"Payment #{id} captured.")


@payment.command("void", help="release an authorization")
@common.options()
@click.argument("id", type=int)
def void(id: int) -> None:
    from backoffice.sales import payments

    payments.void_payment(common.context(), id)
    common.emit({"id": id, "status": "voided"}, f"Payment #{id} voided.")


@payment.command("refund", help="refund a return (by the original methods) or held credit")
@common.options()
@click.option("--credit-note", metavar="NUMBER")
@click.option("--keep-as-credit", is_flag=True)
@click.option("--customer", type=int)
@click.option("--amount")
@click.option("--method")
def refund(
    credit_note: str | None,
    keep_as_credit: bool,
    customer: int | None,
    amount: str | None,
    method: str | None,
) -> None:
    from backoffice.core.money import to_json, to_minor
    from backoffice.sales import payments

    ctx = common.context()
    cur = common.money(ctx)
    if credit_note:
        parts = payments.refund_credit_note(ctx, credit_note, keep_as_credit)
        data = {
            "credit_note": credit_note,
            "refunds": [{"method": m, "amount": to_json(a, cur)} for m, a in parts],
            "currency": cur.code,
        }
        common.emit(data, ", ".join(f"{m} {to_json(a, cur)}" for m, a in parts))
        return
    if customer is None or amount is None or method is None:
        raise ValidationError("give --credit-note NUMBER, or --customer ID --amount A --method M", "refund")
    payment_id = payments.refund_credit(ctx, customer, amount, method)
    refunded = to_json(to_minor(amount, cur), cur)
    common.emit(
        {"id": payment_id, "refunds": [{"method": method, "amount": refunded}], "currency": cur.code},
        f"Refund #{payment_id}.",
    )


@payment.command("method", help="add a payment method of your own, mapped to an account")
@common.options()
@click.argument("code")
@click.option("--name")
@click.option("--account", required=True, type=common.choice(METHOD_ACCOUNTS))
def method(code: str, name: str | None, account: str) -> None:
    from backoffice.sales import payments

    payments.add_method(common.context(), code, name or code, account)
    common.emit({"code": code.lower(), "account": account}, f"Payment method {code} added.")
