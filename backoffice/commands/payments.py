"""`backoffice payment …`: record payments and deposits, capture and void authorizations, refunds (SPEC P1–P8)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from backoffice.core.errors import ValidationError


def _payment_json(result: Any, cur: Any) -> dict[str, Any]:
    from backoffice.core.money import to_json

    return {
        "id": result.payment_id,
        "status": result.status,
        "credit": to_json(result.credit_minor, cur),
        "allocated": [{"invoice": n, "amount": to_json(a, cur)} for n, a in result.allocated],
        "currency": cur.code,
    }


def cmd_add(args: argparse.Namespace) -> None:
    from backoffice.cli import _context, _emit, _money
    from backoffice.sales import payments

    ctx = _context(args)
    on = date.fromisoformat(args.date) if args.date else None
    if args.deposit:
        if args.order is None:
            raise ValidationError("a deposit needs --order ID", "order")
        result = payments.take_deposit(ctx, args.order, args.amount, args.method, on, args.authorize)
    else:
        if args.customer is None:
            raise ValidationError("name the customer with --customer ID", "customer")
        result = payments.record_payment(
            ctx, args.customer, args.amount, args.method, args.invoice, on, args.authorize, args.reference
        )
    _emit(args, _payment_json(result, _money(ctx)), f"Payment #{result.payment_id} {result.status}.")


def cmd_capture(args: argparse.Namespace) -> None:
    from backoffice.cli import _context, _emit, _money
    from backoffice.sales import payments

    ctx = _context(args)
    result = payments.capture_payment(ctx, args.id)
    _emit(args, _payment_json(result, _money(ctx)), f"Payment #{args.id} captured.")


def cmd_void(args: argparse.Namespace) -> None:
    from backoffice.cli import _context, _emit
    from backoffice.sales import payments

    payments.void_payment(_context(args), args.id)
    _emit(args, {"id": args.id, "status": "voided"}, f"Payment #{args.id} voided.")


def cmd_refund(args: argparse.Namespace) -> None:
    from backoffice.cli import _context, _emit, _money
    from backoffice.core.money import to_json, to_minor
    from backoffice.sales import payments

    ctx = _context(args)
    cur = _money(ctx)
    if args.credit_note:
        parts = payments.refund_credit_note(ctx, args.credit_note, args.keep_as_credit)
        data = {
            "credit_note": args.credit_note,
            "refunds": [{"method": m, "amount": to_json(a, cur)} for m, a in parts],
            "currency": cur.code,
        }
        _emit(args, data, ", ".join(f"{m} {to_json(a, cur)}" for m, a in parts))
        return
    if args.customer is None or args.amount is None or args.method is None:
        raise ValidationError("give --credit-note NUMBER, or --customer ID --amount A --method M", "refund")
    payment_id = payments.refund_credit(ctx, args.customer, args.amount, args.method)
    amount = to_json(to_minor(args.amount, cur), cur)
    _emit(
        args,
        {"id": payment_id, "refunds": [{"method": args.method, "amount": amount}], "currency": cur.code},
        f"Refund #{payment_id}.",
    )


def cmd_method_add(args: argparse.Namespace) -> None:
    from backoffice.cli import _context, _emit
    from backoffice.sales import payments

    payments.add_method(_context(args), args.code, args.name or args.code, args.account)
    _emit(args, {"code": args.code.lower(), "account": args.account}, f"Payment method {args.code} added.")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    group = sub.add_parser("payment", help="payments, deposits, refunds").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    p = group.add_parser(
        "add", parents=[common], help="money received: a payment, a payment on account or a deposit"
    )
    p.add_argument("--customer", type=int)
    p.add_argument("--amount", required=True)
    p.add_argument(
        "--method", required=True, help="cash, card, bank_transfer, wallet, store_payout, or your own"
    )
    p.add_argument(
        "--invoice", action="append", metavar="NUMBER", help="pay these invoices (default: oldest first)"
    )
    p.add_argument("--order", type=int)
    p.add_argument("--deposit", action="store_true", help="a deposit on --order, held until it is invoiced")
    p.add_argument("--authorize", action="store_true", help="authorize only; counts once captured")
    p.add_argument("--reference")
    p.add_argument("--date", metavar="YYYY-MM-DD")
    p.set_defaults(handler=cmd_add)
    p = group.add_parser("capture", parents=[common], help="capture an authorized payment")
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_capture)
    p = group.add_parser("void", parents=[common], help="release an authorization")
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_void)
    p = group.add_parser(
        "refund", parents=[common], help="refund a return (by the original methods) or held credit"
    )
    p.add_argument("--credit-note", metavar="NUMBER")
    p.add_argument("--keep-as-credit", action="store_true")
    p.add_argument("--customer", type=int)
    p.add_argument("--amount")
    p.add_argument("--method")
    p.set_defaults(handler=cmd_refund)
    p = group.add_parser(
        "method", parents=[common], help="add a payment method of your own, mapped to an account"
    )
    p.add_argument("code")
    p.add_argument("--name")
    p.add_argument("--account", required=True, choices=["cash", "bank", "card_clearing"])
    p.set_defaults(handler=cmd_method_add)
