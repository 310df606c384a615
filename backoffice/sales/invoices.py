"""Invoices and credit notes: gap-free numbers per series, never edited, posted with their stock (SPEC I1, I2, P6).

Owns issuing (from an order, directly, or for many orders at once — one set-based path for all),
credit notes (full or chosen lines, their own CN series) and the "recalculate / explain" check.
An issued document has no update or delete here or anywhere: it is corrected by a credit note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from backoffice.books import ledger, posting
from backoffice.core.context import Context
from backoffice.core.enums import DocumentKind
from backoffice.core.errors import ConflictError, FieldError, NotFoundError, ValidationError
from backoffice.core.text import normalize_digits
from backoffice.db import audit, now
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import imports as imports_q
from backoffice.db.queries import products as products_q
from backoffice.db.queries import sales as q
from backoffice.sales import orders, payments, pricing

SERIES: dict[str, str] = {DocumentKind.INVOICE: "INV", DocumentKind.CREDIT_NOTE: "CN"}


def invoice_batch(
    ctx: Context,
    order_id: int | None = None,
    store_id: int | None = None,
    issued_on: date | None = None,
    allow_negative_stock: bool | None = None,
    statuses: tuple[str, ...] = orders.INVOICEABLE,
    order_ids: list[int] | None = None,
) -> dict[str, Any]:
    """Issue and post the invoices of every confirmed or fulfilled order (of one order, or one store) without one.

    Set-based: a handful of statements whatever the number of orders. `issued_on` None dates each invoice
    on its order's own date (store imports); otherwise every invoice carries that date.
    """
    ctx.require("invoices.issue")
    with ctx.write() as conn:
        if order_id is not None and q.order(conn, ctx.org_id, order_id) is None:
            raise NotFoundError(f"No order #{order_id} in this organization.")
        if store_id is not None and imports_q.store(conn, ctx.org_id, store_id) is None:
            raise NotFoundError(f"No store #{store_id} in this organization.")
        if order_ids and (stray := q.orders_not_of_org(conn, ctx.org_id, order_ids)):
            raise NotFoundError(f"No order #{stray[0]} in this organization.")
        return _invoice_batch(
            conn, ctx, order_id, store_id, issued_on, allow_negative_stock, statuses, order_ids
        )


def _invoice_batch(
    conn: Connection,
    ctx: Context,
    order_id: int | None,
    store_id: int | None,
    issued_on: date | None,
    allow_negative_stock: bool | None,
    statuses: tuple[str, ...],
    order_ids: list[int] | None,
) -> dict[str, Any]:
    batch_id, count = q.stage_batch(conn, ctx.org_id, order_id, store_id, statuses, order_ids)
    if count == 0:
        return {"invoices": 0, "first": None, "last": None, "total_minor": 0, "batch_id": batch_id}
    org = ctx.org()
    allow = org["allow_negative_stock"] if allow_negative_stock is None else allow_negative_stock
    if not allow and (short := q.stock_shortages(conn, batch_id)):
        detail = "; ".join(f"{s['sku']}: {s['stock_qty']} on hand, {s['needed']} needed" for s in short)
        raise ConflictError(
            f"Not enough stock ({detail}). Receive stock first, or allow negative stock in Settings."
        )
    at = now()
    first = q.take_numbers(conn, ctx.org_id, SERIES["invoice"], count)
    q.insert_batch_invoices(conn, batch_id, first, issued_on, ctx.user.user_id, at, count)
    q.insert_batch_invoice_lines(conn, batch_id)
    q.move_batch_stock(conn, batch_id)
    q.post_batch(conn, batch_id, q.accounts_by_role(conn, ctx.org_id), ctx.user.user_id, at)
    summary = q.batch_summary(conn, batch_id) | {"batch_id": batch_id}
    _settle_deposits(conn, ctx, batch_id)
    q.close_batch(conn, batch_id, ctx.user.actor, at)
    audit.record(
        conn,
        ctx,
        "issue",
        "invoice",
        f"{summary['first']}..{summary['last']}",
        after={"invoices": summary["invoices"], "total_minor": summary["total_minor"]},
    )
    return summary


def _settle_deposits(conn: Connection, ctx: Context, batch_id: int) -> None:
    """Orders that took a deposit: the deposit pays the new invoice at once (SPEC P2)."""
    for row in q.batch_orders_with_deposits(conn, batch_id):
        payments.settle_deposits(ctx, int(row["order_id"]), row["issued_on"])


def issue_invoice(ctx: Context, order_id: int, issued_on: date | None = None) -> str:
    """Invoice one confirmed or fulfilled order (dated today unless told); returns its number."""
    ctx.require("invoices.issue")
    try:
        with ctx.write() as conn:
            return _issue(conn, ctx, order_id, issued_on or date.today())
    except IntegrityError as exc:  # another process invoiced it between our check and our insert
        with ctx.db.read() as other:  # a connection of its own: this transaction is undone
            existing = q.invoice_for_order(other, ctx.org_id, order_id)
        if existing is None:
            raise
        raise ConflictError(
            f"Order #{order_id} already has invoice {existing['number_text']}; an order is invoiced once."
        ) from exc


def _issue(conn: Connection, ctx: Context, order_id: int, issued_on: date) -> str:
    """Refuses a second invoice and an unconfirmed order."""
    found = q.order(conn, ctx.org_id, order_id)
    if found is None:
        raise NotFoundError(f"No order #{order_id} in this organization.")
    existing = q.invoice_for_order(conn, ctx.org_id, order_id)
    if existing is not None:
        raise ConflictError(
            f"Order #{order_id} already has invoice {existing['number_text']}; an order is invoiced once."
        )
    if found["status"] not in orders.INVOICEABLE:
        raise ConflictError(
            f"Order #{order_id} is {found['status']}: only a confirmed or fulfilled order is invoiced."
        )
    return str(invoice_batch(ctx, order_id=order_id, issued_on=issued_on)["first"])


def issue_direct_invoice(
    ctx: Context,
    customer_id: int | None,
    lines: list[orders.LineRequest],
    shipping: str | None = None,
    issued_on: date | None = None,
    notes: str | None = None,
) -> str:
    """An invoice without a prior order (a counter sale): the order is recorded with it, in one transaction."""
    ctx.require("invoices.issue")
    on = issued_on or date.today()
    with ctx.write():  # the order and its invoice together, or neither
        order_id = orders.create_order(ctx, customer_id, lines, shipping, notes, on, status="confirmed")
        return str(invoice_batch(ctx, order_id=order_id, issued_on=on)["first"])


def invoice_ready_orders(
    ctx: Context,
    store_id: int | None = None,
    use_order_dates: bool = True,
    allow_negative_stock: bool | None = None,
) -> dict[str, Any]:
    """Invoice every confirmed or fulfilled order without an invoice, in one set-based transaction."""
    ctx.require("invoices.issue")
    with ctx.write() as conn:
        if store_id is not None and imports_q.store(conn, ctx.org_id, store_id) is None:
            raise NotFoundError(f"No store #{store_id} in this organization.")
        return invoice_batch(
            ctx,
            store_id=store_id,
            issued_on=None if use_order_dates else date.today(),
            allow_negative_stock=allow_negative_stock,
        )


# ---------------------------------------------------------------- credit notes


@dataclass(frozen=True)
class ReturnRequest:
    sku: str
    quantity: int | str


def _share(amount: int, part: int, whole: int) -> int:
    return int((Decimal(amount) * part / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _credit_lines(
    lines: list[dict[str, Any]], credited: dict[int, dict[str, Any]], requests: list[ReturnRequest] | None
) -> list[tuple[dict[str, Any], int, int, int, int]]:
    """(invoice line, quantity, net, vat, cogs) to credit; the last return of a line takes exactly what is left."""
    left = {
        x["invoice_line_id"]: x["quantity"] - int(credited.get(x["invoice_line_id"], {}).get("quantity") or 0)
        for x in lines
    }
    wanted: dict[int, int] = {}
    if requests is None:
        wanted = {k: v for k, v in left.items() if v > 0}
    else:
        problems = []
        for n, req in enumerate(requests, 1):
            try:
                quantity = int(normalize_digits(str(req.quantity)).strip())
            except ValueError:
                problems.append(FieldError(f"line {n}", "the quantity is a whole number"))
                continue
            candidates = [x for x in lines if x["sku"] == req.sku and x["kind"] == "goods"]
            if not candidates:
                problems.append(FieldError(f"line {n}", f"SKU {req.sku} is not on this invoice"))
                continue
            for line in candidates:
                free = left[line["invoice_line_id"]] - wanted.get(line["invoice_line_id"], 0)
                take = min(free, quantity)
                if take > 0:
                    wanted[line["invoice_line_id"]] = wanted.get(line["invoice_line_id"], 0) + take
                    quantity -= take
            if quantity > 0 or quantity < 0:
                problems.append(
                    FieldError(
                        f"line {n}",
                        f"more {req.sku} than is left to return"
                        if quantity > 0
                        else "the quantity must be above zero",
                    )
                )
        if problems:
            raise ValidationError(problems)
    if not wanted:
        raise ConflictError("Everything on this invoice has already been credited.")
    result = []
    for line in lines:
        quantity = wanted.get(line["invoice_line_id"], 0)
        if quantity <= 0:
            continue
        done = credited.get(line["invoice_line_id"], {})
        rest = {k: line[k] - int(done.get(k) or 0) for k in ("net_minor", "vat_minor", "cogs_minor")}
        if quantity == left[line["invoice_line_id"]]:
            amounts = (rest["net_minor"], rest["vat_minor"], rest["cogs_minor"])
        else:
            amounts = tuple(
                min(rest[k], _share(line[k], quantity, line["quantity"]))
                for k in ("net_minor", "vat_minor", "cogs_minor")
            )
        result.append((line, quantity, *amounts))
    return result


def issue_credit_note(
    ctx: Context,
    invoice_number: str,
    returns: list[ReturnRequest] | None = None,
    reason: str | None = None,
    issued_on: date | None = None,
) -> str:
    """Credit an invoice in full (returns None: every line and the shipping) or the goods chosen.

    Its own CN series; posts Dr sales returns + VAT / Cr receivable, and puts returned goods back
    in stock at the cost they left at. The order becomes returned or partially returned.
    """
    ctx.require("invoices.issue")
    with ctx.write() as conn:
        return _credit(conn, ctx, invoice_number, returns, reason, issued_on or date.today())


def _credit(
    conn: Connection,
    ctx: Context,
    invoice_number: str,
    returns: list[ReturnRequest] | None,
    reason: str | None,
    on: date,
) -> str:
    invoice = q.invoice_by_number(conn, ctx.org_id, invoice_number.strip())
    if invoice is None or invoice["kind"] != "invoice":
        raise NotFoundError(f"No invoice {invoice_number} in this organization.")
    lines = q.invoice_lines(conn, ctx.org_id, invoice["invoice_id"])
    credited = {
        int(c["corrects_line_id"]): c for c in q.credited_so_far(conn, ctx.org_id, invoice["invoice_id"])
    }
    taken = [
        (line, quantity, net, vat, cogs, line["invoice_line_id"])
        for line, quantity, net, vat, cogs in _credit_lines(lines, credited, returns)
    ]
    number_text = _write_credit_note(
        conn, ctx, invoice, invoice["invoice_id"], f"for {invoice_number}", taken, reason, on
    )
    _after_return(conn, ctx, invoice, number_text, now())
    return number_text


def credit_returned_order(ctx: Context, order_id: int, on: date, reason: str | None = None) -> str:
    """A credit note for a return that arrives on its own (a store's cancellation invoice with minus lines):
    no original invoice to point at; the goods go back to stock at today's average cost. A store import credits a
    whole batch of them set-based (backoffice.db.queries.import_returns); this is the one-by-one path its tests
    hold it to."""
    ctx.require("invoices.issue")
    with ctx.write() as conn:
        return _credit_returned(conn, ctx, order_id, on, reason)


def _credit_returned(conn: Connection, ctx: Context, order_id: int, on: date, reason: str | None) -> str:
    order = q.order(conn, ctx.org_id, order_id)
    if order is None:
        raise NotFoundError(f"No order #{order_id} in this organization.")
    taken = []
    for line in q.order_lines(conn, ctx.org_id, order_id):
        product = products_q.product(conn, ctx.org_id, line["product_id"]) if line["product_id"] else None
        cogs = 0
        if product is not None and product["track_stock"]:
            unit = (
                product["stock_value_minor"] // product["stock_qty"]
                if product["stock_qty"] > 0
                else product["cost_minor"]
            )
            cogs = max(0, unit) * line["quantity"]
        taken.append((line, line["quantity"], line["net_minor"], line["vat_minor"], cogs, None))
    number_text = _write_credit_note(
        conn, ctx, order, None, f"(return of order #{order_id})", taken, reason, on
    )
    q.insert_event(
        conn,
        org_id=ctx.org_id,
        order_id=order_id,
        from_status=order["status"],
        to_status="returned",
        note=f"Credit note {number_text}",
        actor=ctx.user.actor,
        created_at=now(),
    )
    return number_text


CreditLine = tuple[
    dict[str, Any], int, int, int, int, int | None
]  # line, quantity, net, VAT, cost, corrected line


def _write_credit_note(
    conn: Connection,
    ctx: Context,
    head: dict[str, Any],
    corrects_invoice_id: int | None,
    memo: str,
    taken: Sequence[CreditLine],
    reason: str | None,
    on: date,
) -> str:
    """Number, post and store a credit note and put its goods back in stock at the cost given — one way for
    credit notes of an invoice and for returns that come on their own."""
    goods = sum(t[2] for t in taken if t[0]["kind"] == "goods")
    shipping = sum(t[2] for t in taken if t[0]["kind"] == "shipping")
    vat, cogs = sum(t[3] for t in taken), sum(t[4] for t in taken)
    number = q.take_numbers(conn, ctx.org_id, SERIES["credit_note"], 1)
    number_text = f"CN-{number:06d}"
    entry_id = None
    if goods + shipping + vat > 0:
        entry_id = ledger.post_entry(
            ctx,
            on,
            f"Credit note {number_text} {memo}",
            posting.credit_note_entry(goods, shipping, vat, head["customer_id"]),
            "credit_note",
            number_text,
        )
    note_id = q.insert_credit_note(
        conn,
        org_id=ctx.org_id,
        number=number,
        number_text=number_text,
        order_id=head["order_id"],
        customer_id=head["customer_id"],
        corrects_invoice_id=corrects_invoice_id,
        issued_on=on,
        currency=head["currency"],
        prices_include_vat=head["prices_include_vat"],
        goods_net_minor=goods,
        shipping_net_minor=shipping,
        net_minor=goods + shipping,
        vat_minor=vat,
        total_minor=goods + shipping + vat,
        cogs_minor=cogs,
        reason=reason,
        entry_id=entry_id,
        created_by=ctx.user.user_id,
        created_at=now(),
    )
    for no, (line, quantity, net, line_vat, line_cogs, corrects) in enumerate(taken, 1):
        q.insert_invoice_line(
            conn,
            org_id=ctx.org_id,
            invoice_id=note_id,
            line_no=no,
            kind=line["kind"],
            product_id=line["product_id"],
            sku=line["sku"],
            description=line["description"],
            quantity=quantity,
            unit_price_minor=line["unit_price_minor"],
            discount_minor=_share(line["discount_minor"], quantity, line["quantity"]),
            vat_rate_bp=line["vat_rate_bp"],
            vat_exempt=line["vat_exempt"],
            price_includes_vat=line.get("price_includes_vat"),
            net_minor=net,
            vat_minor=line_vat,
            gross_minor=net + line_vat,
            cogs_minor=line_cogs,
            corrects_line_id=corrects,
        )
        product = products_q.product(conn, ctx.org_id, line["product_id"]) if line["product_id"] else None
        if product is not None and product["track_stock"]:
            products_q.move_stock(
                conn, ctx.org_id, line["product_id"], quantity, line_cogs, on, "credit_note", number_text
            )
    if cogs > 0:
        ledger.post_entry(
            ctx,
            on,
            f"Returned to stock, {number_text}",
            posting.stock_return_entry(cogs),
            "stock_return",
            number_text,
        )
    audit.record(
        conn,
        ctx,
        "issue",
        "credit_note",
        number_text,
        after={"order": head["order_id"], "total_minor": goods + shipping + vat, "reason": reason},
    )
    return number_text


def _after_return(conn: Connection, ctx: Context, invoice: dict[str, Any], number_text: str, at: Any) -> None:
    lines = q.invoice_lines(conn, ctx.org_id, invoice["invoice_id"])
    credited = {
        int(c["corrects_line_id"]): int(c["quantity"])
        for c in q.credited_so_far(conn, ctx.org_id, invoice["invoice_id"])
    }
    fully = all(credited.get(x["invoice_line_id"], 0) >= x["quantity"] for x in lines if x["kind"] == "goods")
    status = "returned" if fully else "partially_returned"
    order = q.order(conn, ctx.org_id, invoice["order_id"])
    if order is None:
        raise NotFoundError(f"No order #{invoice['order_id']} in this organization.")
    q.set_status(conn, ctx.org_id, invoice["order_id"], status, at)
    q.insert_event(
        conn,
        org_id=ctx.org_id,
        order_id=invoice["order_id"],
        from_status=order["status"],
        to_status=status,
        note=f"Credit note {number_text}",
        actor=ctx.user.actor,
        created_at=at,
    )


# ---------------------------------------------------------------- reading


def get_invoice(ctx: Context, number: str) -> dict[str, Any]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        found = q.invoice_by_number(conn, ctx.org_id, number.strip())
        if found is None:
            raise NotFoundError(f"No invoice or credit note {number} in this organization.")
        found["lines"] = q.invoice_lines(conn, ctx.org_id, found["invoice_id"])
        credited = (
            {
                int(c["corrects_line_id"]): int(c["quantity"])
                for c in q.credited_so_far(conn, ctx.org_id, found["invoice_id"])
            }
            if found["kind"] == "invoice"
            else {}
        )
        for line in found["lines"]:  # what a credit note may still return of each goods line
            returnable = found["kind"] == "invoice" and line["kind"] == "goods" and line["sku"]
            left = int(line["quantity"]) - credited.get(int(line["invoice_line_id"]), 0)
            line["returnable"] = max(0, left) if returnable else 0
        found["credit_notes"] = [
            r["number_text"]
            for r in q.list_invoices(conn, ctx.org_id, "credit_note", None, 1000, 0)
            if found["kind"] == "invoice" and r["order_id"] == found["order_id"]
        ]
    return found


def list_invoices(
    ctx: Context, kind: str | None = None, customer_id: int | None = None, page: int = 1, page_size: int = 50
) -> tuple[list[dict[str, Any]], int]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        if customer_id is not None and contacts_q.contact(conn, ctx.org_id, customer_id) is None:
            raise NotFoundError(f"No customer #{customer_id} in this organization.")
        total = q.count_invoices(conn, ctx.org_id, kind, customer_id)
        return q.list_invoices(
            conn, ctx.org_id, kind, customer_id, page_size, (max(page, 1) - 1) * page_size
        ), total


def explain_invoice(ctx: Context, number: str) -> list[pricing.Difference]:
    """Recalculate a document from its lines; lists every stored total that disagrees and why (SPEC I2)."""
    found = get_invoice(ctx, number)
    lines = found["lines"]
    if found["kind"] == "credit_note":  # partial credits are shares of invoice lines; check the sums only
        stored = [pricing.LineAmounts(x["net_minor"], x["vat_minor"]) for x in lines]
        differences = []
        for label, value, expected in (
            ("net total", found["net_minor"], sum(x.net_minor for x in stored)),
            ("VAT total", found["vat_minor"], sum(x.vat_minor for x in stored)),
            ("grand total", found["total_minor"], found["net_minor"] + found["vat_minor"]),
        ):
            if value != expected:
                differences.append(
                    pricing.Difference(label, value, expected, "does not agree with the lines")
                )
        return differences
    order = orders.get_order(ctx, found["order_id"])
    return pricing.explain_document(found, lines, order["rounding_rule"])
