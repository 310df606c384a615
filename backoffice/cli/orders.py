"""`backoffice order add|transition|cancel|show`: manual orders and their lifecycle."""

from __future__ import annotations

from typing import Any

import click

from backoffice import shapes
from backoffice.cli import common
from backoffice.core.errors import ValidationError
from backoffice.sales import lifecycle
from backoffice.sales.orders import TARGETS

order = common.Group("order")


def _line(text: str) -> Any:
    from backoffice.sales.orders import LineRequest

    parts = text.split(":")
    if len(parts) not in (2, 3, 4) or not parts[0] or not parts[1]:
        raise ValidationError(
            f"write --line SKU:QTY, SKU:QTY:PRICE or SKU:QTY:PRICE:DISCOUNT (an empty PRICE keeps the product's, "
            f"e.g. MUG-1:3::5) (got {text!r})",
            "line",
        )
    price = parts[2] if len(parts) > 2 and parts[2] != "" else None
    discount = parts[3] if len(parts) == 4 and parts[3] != "" else None
    return LineRequest(parts[0], parts[1], price, discount)


@order.command("add", help="a manual order")
@common.options()
@click.option("--customer", type=int, help="customer id (none: walk-in)")
@click.option(
    "--line",
    multiple=True,
    required=True,
    metavar="SKU:QTY[:PRICE[:DISCOUNT]]",
    help="repeat once per line; DISCOUNT off the line, in the line's basis (SKU:QTY::DISCOUNT keeps the price)",
)
@click.option("--shipping")
@click.option("--notes")
@click.option("--confirm", is_flag=True, help="create it confirmed, not as a draft")
def add(
    customer: int | None, line: tuple[str, ...], shipping: str | None, notes: str | None, confirm: bool
) -> None:
    from backoffice.sales import orders

    ctx = common.context()
    order_id = orders.create_order(
        ctx,
        customer,
        [_line(x) for x in line],
        shipping,
        notes,
        status="confirmed" if confirm else "draft",
    )
    row = orders.get_order(ctx, order_id)
    common.emit(
        shapes.order_json(row),
        f"Order #{order_id}: total {row['total_minor']} (minor units), {row['status']}.",
    )


@order.command("transition", help="confirm, fulfil or cancel")
@common.options()
@click.argument("id", type=int)
@click.option("--to", required=True, type=common.choice(TARGETS))
@click.option("--note")
def transition(id: int, to: str, note: str | None) -> None:
    ctx = common.context()
    status = lifecycle.move_order(
        ctx, id, to, note
    )  # fulfilling captures and may invoice; cancelling refunds
    common.emit({"id": id, "status": status}, f"Order #{id} is now {status}.")


@order.command("cancel", help="cancel; refund deposits less the cancellation fee")
@common.options()
@click.argument("id", type=int)
@click.option("--fee-percent", help="default: the organization's cancellation fee")
@click.option("--refund-method", help="default: the deposit's own method")
def cancel(id: int, fee_percent: str | None, refund_method: str | None) -> None:
    from backoffice.core.money import to_json

    ctx = common.context()
    result = lifecycle.cancel_order(ctx, id, fee_percent, refund_method)
    cur = common.money(ctx)
    data = {
        "id": id,
        "status": "cancelled",
        "fee": to_json(result["fee_minor"], cur),
        "refunded": to_json(result["refunded_minor"], cur),
        "currency": cur.code,
    }
    common.emit(data, f"Order #{id} cancelled; fee {data['fee']}, refunded {data['refunded']}.")


@order.command("show")
@common.options()
@click.argument("id", type=int)
def show(id: int) -> None:
    from backoffice.sales import orders

    ctx = common.context()
    common.emit(shapes.order_json(orders.get_order(ctx, id)))
