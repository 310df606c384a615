"""An order's lifecycle: the one place that orchestrates orders, invoices and payments.

Cancelling an order returns its deposits (less the cancellation fee) and voids its card authorizations;
fulfilling it captures those authorizations and, when it took a deposit, invoices it at once so the deposit
settles the invoice. Each happens in one transaction: all of it, or none.

The modules below it depend one way: pricing <- orders <- payments <- invoices <- lifecycle.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from backoffice.core.context import Context
from backoffice.db import audit
from backoffice.sales import invoices, orders, payments


def move_order(ctx: Context, order_id: int, to: str, note: str | None = None) -> str:
    """Move an order to the status a user picked from its next steps (orders.get_order's "next"), by the path that
    status needs: fulfilling captures and may invoice, cancelling returns deposits; returns the new status."""
    if to == "fulfilled":  # authorizations are captured; an order with a deposit is invoiced (seed 004)
        return str(fulfil_order(ctx, order_id)["status"])
    if to == "cancelled":  # deposits come back less the organization's cancellation fee
        cancel_order(ctx, order_id)
        return "cancelled"
    return orders.transition_order(ctx, order_id, to, note)


def cancel_order(
    ctx: Context,
    order_id: int,
    fee_percent: str | None = None,
    refund_method: str | None = None,
    on: date | None = None,
) -> dict[str, int]:
    """Cancel an order; its deposits come back by the chosen method (default: how they were paid) less the
    cancellation fee (the organization's percentage unless given), which is booked as income."""
    ctx.require("payments.write")
    on = on or date.today()
    with ctx.write() as conn:  # the cancellation, the fee and the refunds together, or none of them
        orders.transition_order(ctx, order_id, "cancelled")
        result = payments.return_deposits(ctx, order_id, fee_percent, refund_method, on)
        audit.record(conn, ctx, "cancel", "order", order_id, after=result)
    return result


def fulfil_order(ctx: Context, order_id: int, on: date | None = None) -> dict[str, Any]:
    """Picked up or delivered (seed 004): authorized card amounts are captured first; an order with a deposit
    is then invoiced automatically, and the deposit settles the invoice."""
    ctx.require("payments.write")
    on = on or date.today()
    with ctx.write():  # captured, fulfilled and invoiced together, or none of them
        payments.capture_authorized(ctx, order_id, on)
        orders.transition_order(ctx, order_id, "fulfilled")
        number = (
            invoices.issue_invoice(ctx, order_id, on) if payments.has_deposit_left(ctx, order_id) else None
        )
    return {"status": "invoiced" if number else "fulfilled", "invoice": number}
