"""Orders: manual (call-centre) orders with lines, discounts and shipping, and their lifecycle (SPEC O10, O11).

draft → confirmed → fulfilled → invoiced → (partially) returned; draft/confirmed → cancelled. Each
transition is validated and kept in the order's history. Invoicing and returns are done by
backoffice.sales.invoices, which moves the order on; an invoiced order is never cancelled or edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.core.context import Context
from backoffice.core.enums import OrderStatus
from backoffice.core.errors import ConflictError, FieldError, NotFoundError, ValidationError
from backoffice.core.money import Currency, Rounding, currency, to_minor
from backoffice.core.text import normalize_digits
from backoffice.db import audit, now
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import orgs as orgs_q
from backoffice.db.queries import products as products_q
from backoffice.db.queries import sales as q
from backoffice.sales import pricing

S = OrderStatus
STATUSES = tuple(OrderStatus)
INVOICEABLE = (
    S.CONFIRMED,
    S.FULFILLED,
)  # an order is invoiced once confirmed, before or after it is fulfilled
TAKES_DEPOSIT = (S.DRAFT, S.CONFIRMED, S.FULFILLED)  # a deposit is taken before the order is invoiced
NEW_STATUSES = (S.DRAFT, S.CONFIRMED)  # what a new order is saved as
TRANSITIONS = {  # what a user may do by hand; invoicing and returns come from backoffice.sales.invoices
    S.DRAFT: (S.CONFIRMED, S.CANCELLED),
    S.CONFIRMED: (S.FULFILLED, S.CANCELLED),
}
TARGETS = tuple(s for s in STATUSES if any(s in to for to in TRANSITIONS.values()))  # reachable by hand
WHY_NOT = {
    S.CANCELLED: "a cancelled order is closed",
    S.INVOICED: "an invoiced order is corrected by a credit note (return), not changed",
    S.PARTIALLY_RETURNED: "an invoiced order is corrected by a credit note (return), not changed",
    S.RETURNED: "a returned order is closed",
    S.FULFILLED: "a fulfilled order is invoiced next, or returned after invoicing",
}


@dataclass(frozen=True)
class LineRequest:
    """One line as a person types it: a product (by SKU) and quantity, optionally a price and a discount."""

    sku: str
    quantity: int | str
    unit_price: str | None = (
        None  # major units: with or without VAT as the product's price, or as the order says
    )
    discount: str | None = None
    description: str | None = None


def _standard_rate(conn: Connection, org_id: int, on: date) -> int:
    rate = orgs_q.tax_rate_on(conn, org_id, "standard", on)
    return int(rate or 0)


def _build_lines(
    conn: Connection,
    ctx: Context,
    cur: Currency,
    requests: list[LineRequest],
    on: date,
    prices_include_vat: bool | None,
) -> tuple[list[dict[str, Any]], bool]:
    """Resolve products and prices; every problem at once. Returns (line rows without amounts, the order's basis).

    Each line keeps its own basis (issue 19): a product's price is taken as it is on the shelf, with or without
    VAT, never converted and rounded into another basis. A price typed on a line is in the basis the order names
    (`prices_include_vat`), else in its product's. The order's basis, which its shipping is in, is the one it names,
    else inclusive when every line is: the same whatever the order of the lines."""
    if not requests:
        raise ValidationError("an order needs at least one line", "lines")
    problems: list[FieldError] = []
    found: list[tuple[LineRequest, dict[str, Any]]] = []
    for n, req in enumerate(requests, 1):
        product = products_q.product_by_sku(conn, ctx.org_id, normalize_digits(req.sku).strip())
        if product is None:
            problems.append(FieldError(f"line {n}", f"no product with SKU {req.sku}"))
        else:
            found.append((req, product))
    if problems:
        raise ValidationError(problems)
    standard = _standard_rate(conn, ctx.org_id, on)
    lines = []
    for n, (req, product) in enumerate(found, 1):
        rate = (
            0
            if product["vat_exempt"]
            else (product["vat_rate_bp"] if product["vat_rate_bp"] is not None else standard)
        )
        try:
            quantity = int(normalize_digits(str(req.quantity)).strip())
            includes_vat = bool(product["price_includes_vat"])
            if req.unit_price not in (None, ""):
                price = to_minor(req.unit_price, cur, field=f"line {n}")
                includes_vat = includes_vat if prices_include_vat is None else prices_include_vat
            else:
                price = product["price_minor"]
            discount = to_minor(req.discount, cur, field=f"line {n}") if req.discount not in (None, "") else 0
        except (ValueError, ValidationError) as exc:
            message = (
                exc.errors[0].message
                if isinstance(exc, ValidationError)
                else "the quantity is a whole number"
            )
            problems.append(FieldError(f"line {n}", message))
            continue
        checked = pricing.check_lines([pricing.LineInput(quantity, price, discount, rate)])
        problems += [FieldError(f"line {n}", e.message) for e in checked]
        lines.append(
            {
                "kind": "goods",
                "product_id": product["product_id"],
                "sku": product["sku"],
                "description": req.description or product["name"],
                "quantity": quantity,
                "unit_price_minor": price,
                "discount_minor": discount,
                "vat_rate_bp": rate,
                "vat_exempt": bool(product["vat_exempt"]),
                "price_includes_vat": includes_vat,
            }
        )
    if problems:
        raise ValidationError(problems)
    basis = (
        prices_include_vat if prices_include_vat is not None else all(x["price_includes_vat"] for x in lines)
    )
    return lines, basis


def create_order(
    ctx: Context,
    customer_id: int | None,
    lines: list[LineRequest],
    shipping: str | None = None,
    notes: str | None = None,
    order_on: date | None = None,
    status: str = "draft",
    prices_include_vat: bool | None = None,
) -> int:
    """A manual order (call centre, shop counter); totals from the lines by the organization's rounding rule."""
    ctx.require("orders.write")
    if status not in NEW_STATUSES:
        raise ValidationError("a new order is a draft or confirmed", "status")
    with ctx.write() as conn:
        org = ctx.org()
        cur, on = currency(org["currency"]), order_on or date.today()
        if customer_id is not None and contacts_q.contact(conn, ctx.org_id, customer_id) is None:
            raise ValidationError(f"no customer #{customer_id} in this organization", "customer")
        rows, basis = _build_lines(conn, ctx, cur, lines, on, prices_include_vat)
        if shipping not in (None, ""):
            amount = to_minor(shipping, cur, field="shipping")
            if amount < 0:
                raise ValidationError("shipping cannot be negative", "shipping")
            if amount:
                rate = _standard_rate(conn, ctx.org_id, on) if org["shipping_taxable"] else 0
                rows.append(
                    {
                        "kind": "shipping",
                        "product_id": None,
                        "sku": None,
                        "description": "Shipping",
                        "quantity": 1,
                        "unit_price_minor": amount,
                        "discount_minor": 0,
                        "vat_rate_bp": rate,
                        "vat_exempt": not org["shipping_taxable"],
                        "price_includes_vat": basis,
                    }
                )
        inputs = [pricing.LineInput.of(x) for x in rows]
        totals = pricing.compute(inputs, basis, org["rounding_rule"], Rounding(org["rounding_mode"]))
        at = now()
        order_id = q.insert_order(
            conn,
            org_id=ctx.org_id,
            customer_id=customer_id,
            status=status,
            order_on=on,
            currency=cur.code,
            prices_include_vat=basis,
            rounding_rule=org["rounding_rule"],
            notes=notes,
            source="manual",
            store_id=None,
            external_id=None,
            external_total_minor=None,
            net_minor=totals.net_minor,
            vat_minor=totals.vat_minor,
            total_minor=totals.total_minor,
            at=at,
        )
        for no, (line, amounts) in enumerate(zip(rows, totals.lines, strict=True), 1):
            q.insert_order_line(
                conn,
                org_id=ctx.org_id,
                order_id=order_id,
                line_no=no,
                **line,
                net_minor=amounts.net_minor,
                vat_minor=amounts.vat_minor,
                gross_minor=amounts.gross_minor,
            )
        q.insert_event(
            conn,
            org_id=ctx.org_id,
            order_id=order_id,
            from_status=None,
            to_status=status,
            note=notes,
            actor=ctx.user.actor,
            created_at=at,
        )
        audit.record(
            conn,
            ctx,
            "create",
            "order",
            order_id,
            after={"lines": len(rows), "total_minor": totals.total_minor},
        )
        return order_id


def transition_order(ctx: Context, order_id: int, to: str, note: str | None = None) -> str:
    """Move an order on (confirm, fulfil, cancel); refuses what its status does not allow, saying why."""
    ctx.require("orders.write")
    with ctx.write() as conn:
        return _transition(conn, ctx, order_id, to, note)


def _transition(conn: Connection, ctx: Context, order_id: int, to: str, note: str | None = None) -> str:
    found = q.order(conn, ctx.org_id, order_id)
    if found is None:
        raise NotFoundError(f"No order #{order_id} in this organization.")
    current = found["status"]
    if to not in TRANSITIONS.get(current, ()):
        reason = WHY_NOT.get(
            current, f"from {current} it can go to {', '.join(TRANSITIONS.get(current, ()))}"
        )
        raise ConflictError(f"Order #{order_id} is {current} and cannot become {to}: {reason}.")
    at = now()
    q.set_status(conn, ctx.org_id, order_id, to, at)
    q.insert_event(
        conn,
        org_id=ctx.org_id,
        order_id=order_id,
        from_status=current,
        to_status=to,
        note=note,
        actor=ctx.user.actor,
        created_at=at,
    )
    audit.record(conn, ctx, "transition", "order", order_id, {"status": current}, {"status": to})
    return to


def get_order(ctx: Context, order_id: int) -> dict[str, Any]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        found = q.order(conn, ctx.org_id, order_id)
        if found is None:
            raise NotFoundError(f"No order #{order_id} in this organization.")
        found["lines"] = q.order_lines(conn, ctx.org_id, order_id)
        found["events"] = q.events(conn, ctx.org_id, order_id)
        invoice = q.invoice_for_order(conn, ctx.org_id, order_id)
    found["invoice_number"] = invoice["number_text"] if invoice else None
    found["next"] = list(TRANSITIONS.get(found["status"], ()))
    found["can_invoice"] = found["status"] in INVOICEABLE
    return found


def list_orders(
    ctx: Context,
    status: str | None = None,
    customer_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        if customer_id is not None and contacts_q.contact(conn, ctx.org_id, customer_id) is None:
            raise NotFoundError(f"No customer #{customer_id} in this organization.")
        total = q.count_orders(conn, ctx.org_id, status, customer_id)
        found = q.list_orders(
            conn, ctx.org_id, status, customer_id, page_size, (max(page, 1) - 1) * page_size
        )
    return found, total


def explain_order(ctx: Context, order_id: int) -> list[pricing.Difference]:
    """Recalculate the order from its lines and list every stored figure that disagrees, and why (SPEC I2)."""
    found = get_order(ctx, order_id)
    differences = pricing.explain_document(found, found["lines"], found["rounding_rule"])
    external = found.get("external_total_minor")
    if external is not None and external != found["total_minor"]:
        differences.append(
            pricing.Difference(
                "store's total",
                external,
                found["total_minor"],
                "the store's own total differs from the sum of the lines",
            )
        )
    return differences
