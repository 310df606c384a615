"""Payments: partial and split payments, deposits, payments on account, refunds, cancellation fees,
authorizations, statements and aging (SPEC P1–P8, C5, C9, R5).

Owns money in and out and its allocation to invoices. Every event posts one balanced entry in the
same transaction: payment (Dr cash/bank / Cr receivable, the unallocated rest Cr customer advances),
deposit and payment on account (Dr cash / Cr advances), applying credit (Dr advances / Cr receivable),
refund (Dr receivable or advances / Cr cash), cancellation fee (Dr advances / Cr fee income).
Only captured money counts: an authorization posts nothing until it is captured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.books import ledger, posting
from backoffice.books.receivables import check_customer
from backoffice.core.context import Context
from backoffice.core.enums import PaymentStatus
from backoffice.core.errors import ConflictError, NotFoundError, ValidationError
from backoffice.core.money import allocate, apply_rate, currency, rate_from_percent, to_minor
from backoffice.db import audit, now
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import payments as q
from backoffice.db.queries import sales as sales_q
from backoffice.sales import orders


@dataclass
class PaymentResult:
    payment_id: int
    allocated: list[tuple[str, int]] = field(default_factory=list)  # (invoice number, minor units)
    credit_minor: int = 0  # what was left over and is held for the customer
    status: str = PaymentStatus.CAPTURED


@dataclass(frozen=True)
class Receipt:
    """Money received from a customer (سند قبض), as Payments records it.

    `method`: cash, card, bank_transfer, wallet, store_payout, deposit — or any text, printed as given.
    `allocations`: (invoice number, amount_minor) pairs; what they leave of `amount_minor` prints as
    "on account". `customer_id`, when given, picks the customer's language and is checked to belong to
    the organization. `currency` None = the organization's.
    """

    number: str
    received_on: date
    customer_name: str
    amount_minor: int
    method: str
    allocations: tuple[tuple[str, int], ...] = field(default=())
    customer_id: int | None = None
    currency: str | None = None


def _amount(conn: Connection, ctx: Context, amount: str | int, field_name: str = "amount") -> int:
    org = ctx.org()
    minor = (
        amount if isinstance(amount, int) else to_minor(amount, currency(org["currency"]), field=field_name)
    )
    if minor <= 0:
        raise ValidationError("an amount must be above zero", field_name)
    return minor


def _method(conn: Connection, ctx: Context, method: str) -> str:
    q.ensure_methods(conn, ctx.org_id)
    found = {m["code"]: m for m in q.methods(conn, ctx.org_id)}
    if method not in found or not found[method]["active"]:
        raise ValidationError(
            f"unknown payment method '{method}'; use one of {', '.join(sorted(found))}", "method"
        )
    return str(found[method]["account_role"])


def _insert(
    conn: Connection,
    ctx: Context,
    kind: str,
    customer_id: int | None,
    method: str | None,
    minor: int,
    on: date,
    status: str = PaymentStatus.CAPTURED,
    order_id: int | None = None,
    invoice_id: int | None = None,
    refund_of: int | None = None,
    reference: str | None = None,
    note: str | None = None,
    entry_id: int | None = None,
) -> int:
    """One row of money in or out (or a fee), as it happened; posting is the caller's."""
    return q.insert_payment(
        conn,
        org_id=ctx.org_id,
        customer_id=customer_id,
        kind=kind,
        method=method,
        amount_minor=minor,
        paid_on=on,
        status=status,
        order_id=order_id,
        invoice_id=invoice_id,
        refund_of=refund_of,
        reference=reference,
        note=note,
        entry_id=entry_id,
        created_by=ctx.user.user_id,
        created_at=now(),
    )


def list_methods(ctx: Context) -> list[dict[str, Any]]:
    ctx.require("customers.read")
    with ctx.write() as conn:
        q.ensure_methods(conn, ctx.org_id)
        return q.methods(conn, ctx.org_id)


METHOD_ACCOUNTS = ("cash", "bank", "card_clearing")  # the accounts a payment method of your own can post to


def add_method(ctx: Context, code: str, name: str, account: str) -> None:
    """A payment method of the organization's own (e.g. 'mada', 'tabby'), mapped to cash, bank or card clearing."""
    ctx.require("settings.write")
    code = code.strip().lower()
    if not code or account not in METHOD_ACCOUNTS:
        raise ValidationError("give a code and an account: cash, bank or card_clearing", "method")
    with ctx.write() as conn:
        q.ensure_methods(conn, ctx.org_id)
        q.add_method(conn, ctx.org_id, code, name or code, account)
        audit.record(conn, ctx, "create", "payment_method", code, after={"name": name, "account": account})


def _allocate_to(
    conn: Connection, ctx: Context, customer_id: int, amount: int, numbers: list[str] | None, on: date
) -> list[tuple[dict[str, Any], int]]:
    """Oldest open invoices first, or the invoices named, in that order; never more than each one's open amount."""
    open_items = [i for i in q.open_invoices(conn, ctx.org_id, customer_id, date.max) if i["open_minor"] > 0]
    if numbers:
        by_number = {i["number_text"]: i for i in open_items}
        missing = [n for n in numbers if n not in by_number]
        if missing:
            raise ValidationError(f"no open invoice {', '.join(missing)} for this customer", "invoice")
        open_items = [by_number[n] for n in numbers]
    taken = []
    for item in open_items:
        if amount <= 0:
            break
        part = min(amount, int(item["open_minor"]))
        taken.append((item, part))
        amount -= part
    return taken


def record_payment(
    ctx: Context,
    customer_id: int,
    amount: str | int,
    method: str,
    invoice_numbers: list[str] | None = None,
    paid_on: date | None = None,
    authorize_only: bool = False,
    reference: str | None = None,
) -> PaymentResult:
    """Money received from a customer, allocated to open invoices (oldest first, or those named); any rest
    is held as the customer's credit, never lost. With authorize_only it waits for capture and posts nothing."""
    ctx.require("payments.write")
    on = paid_on or date.today()
    with ctx.write() as conn:
        check_customer(ctx, customer_id)
        minor = _amount(conn, ctx, amount)
        _method(conn, ctx, method)
        payment_id = _insert(
            conn,
            ctx,
            "payment",
            customer_id,
            method,
            minor,
            on,
            status=PaymentStatus.AUTHORIZED if authorize_only else PaymentStatus.CAPTURED,
            reference=reference,
        )
        result = PaymentResult(
            payment_id, status=PaymentStatus.AUTHORIZED if authorize_only else PaymentStatus.CAPTURED
        )
        if not authorize_only:
            result = _post_payment(conn, ctx, payment_id, invoice_numbers, on)
        audit.record(
            conn,
            ctx,
            "record",
            "payment",
            payment_id,
            after={"amount_minor": minor, "method": method, "status": result.status},
        )
    return result


def _post_payment(
    conn: Connection, ctx: Context, payment_id: int, numbers: list[str] | None, on: date
) -> PaymentResult:
    found = q.payment(conn, ctx.org_id, payment_id)
    if found is None:
        raise NotFoundError(f"No payment #{payment_id} in this organization.")
    role = _method(conn, ctx, found["method"])
    customer_id, minor = found["customer_id"], int(found["amount_minor"])
    taken = _allocate_to(conn, ctx, customer_id, minor, numbers, on) if found["kind"] == "payment" else []
    applied = sum(part for _, part in taken)
    lines = posting.payment_entry(role, minor, applied, customer_id)
    memo = {"payment": "Payment received", "deposit": "Deposit received"}[found["kind"]]
    entry_id = ledger.post_entry(ctx, on, f"{memo} ({found['method']})", lines, found["kind"], payment_id)
    q.set_status(conn, ctx.org_id, payment_id, PaymentStatus.CAPTURED, entry_id)
    at = now()
    for item, part in taken:
        q.insert_allocation(
            conn, ctx.org_id, payment_id, "payment", item["invoice_id"], part, on, entry_id, at
        )
    return PaymentResult(payment_id, [(i["number_text"], p) for i, p in taken], minor - applied)


def take_deposit(
    ctx: Context,
    order_id: int,
    amount: str | int | None = None,
    method: str = "cash",
    paid_on: date | None = None,
    authorize_only: bool = False,
) -> PaymentResult:
    """A prepayment on an order (default: the organization's deposit percentage of its total), held as the
    customer's advance until the order is invoiced, then settled against the invoice automatically."""
    ctx.require("payments.write")
    on = paid_on or date.today()
    with ctx.write() as conn:
        order = sales_q.order(conn, ctx.org_id, order_id)
        if order is None:
            raise NotFoundError(f"No order #{order_id} in this organization.")
        if order["status"] not in orders.TAKES_DEPOSIT:
            raise ConflictError(
                f"Order #{order_id} is {order['status']}: a deposit is taken before invoicing."
            )
        if amount in (None, ""):
            org = ctx.org()
            amount = apply_rate(int(order["total_minor"]), int(org["deposit_percent_bp"]))
        minor = _amount(conn, ctx, amount)
        _method(conn, ctx, method)
        if order["customer_id"] is None:
            raise ValidationError(
                "a deposit is held for a customer: choose the order's customer first", "customer"
            )
        payment_id = _insert(
            conn,
            ctx,
            "deposit",
            order["customer_id"],
            method,
            minor,
            on,
            status=PaymentStatus.AUTHORIZED if authorize_only else PaymentStatus.CAPTURED,
            order_id=order_id,
        )
        result = PaymentResult(
            payment_id, status=PaymentStatus.AUTHORIZED if authorize_only else PaymentStatus.CAPTURED
        )
        if not authorize_only:
            result = _post_payment(conn, ctx, payment_id, None, on)
        audit.record(conn, ctx, "deposit", "order", order_id, after={"amount_minor": minor, "method": method})
    return result


def capture_payment(ctx: Context, payment_id: int, on: date | None = None) -> PaymentResult:
    """Capture an authorized card payment: only now does it count as paid and post."""
    ctx.require("payments.write")
    with ctx.write() as conn:
        return _capture(conn, ctx, payment_id, on or date.today())


def _capture(conn: Connection, ctx: Context, payment_id: int, on: date) -> PaymentResult:
    found = q.payment(conn, ctx.org_id, payment_id)
    if found is None:
        raise NotFoundError(f"No payment #{payment_id} in this organization.")
    if found["status"] != PaymentStatus.AUTHORIZED:
        raise ConflictError(f"Payment #{payment_id} is {found['status']}; only an authorization is captured.")
    result = _post_payment(conn, ctx, payment_id, None, on)
    audit.record(
        conn,
        ctx,
        "capture",
        "payment",
        payment_id,
        {"status": PaymentStatus.AUTHORIZED},
        {"status": PaymentStatus.CAPTURED},
    )
    return result


def void_payment(ctx: Context, payment_id: int) -> None:
    """Release an authorization that will not be captured; nothing was posted, nothing is."""
    ctx.require("payments.write")
    with ctx.write() as conn:
        found = q.payment(conn, ctx.org_id, payment_id)
        if found is None:
            raise NotFoundError(f"No payment #{payment_id} in this organization.")
        if found["status"] != PaymentStatus.AUTHORIZED:
            raise ConflictError(
                f"Payment #{payment_id} is {found['status']}: only an authorization can be voided."
            )
        q.set_status(conn, ctx.org_id, payment_id, PaymentStatus.VOIDED, None)
        audit.record(
            conn,
            ctx,
            "void",
            "payment",
            payment_id,
            {"status": PaymentStatus.AUTHORIZED},
            {"status": PaymentStatus.VOIDED},
        )


def apply_credit(
    ctx: Context, customer_id: int, invoice_numbers: list[str] | None = None, on: date | None = None
) -> list[tuple[str, int]]:
    """Use the customer's held credit (payments on account, overpayments) to pay open invoices."""
    ctx.require("payments.write")
    on = on or date.today()
    with ctx.write() as conn:
        check_customer(ctx, customer_id)
        credit = -q.ledger_balance(conn, ctx.org_id, customer_id, "customer_advances")
        if credit <= 0:
            raise ConflictError("This customer has no credit to apply.")
        return _apply(conn, ctx, customer_id, credit, invoice_numbers, on, None, "credit")


def _apply(
    conn: Connection,
    ctx: Context,
    customer_id: int,
    credit: int,
    numbers: list[str] | None,
    on: date,
    payment_id: int | None,
    kind: str,
) -> list[tuple[str, int]]:
    taken = _allocate_to(conn, ctx, customer_id, credit, numbers, on)
    applied = sum(part for _, part in taken)
    if not applied:
        return []
    entry_id = ledger.post_entry(
        ctx,
        on,
        "Credit applied to invoices" if kind == "credit" else "Deposit settled",
        posting.settle_entry(applied, customer_id),
        kind,
        payment_id,
    )
    at = now()
    for item, part in taken:
        q.insert_allocation(conn, ctx.org_id, payment_id, kind, item["invoice_id"], part, on, entry_id, at)
    audit.record(conn, ctx, "apply", kind, customer_id, after={"applied_minor": applied})
    return [(i["number_text"], p) for i, p in taken]


def settle_deposits(ctx: Context, order_id: int, on: date) -> int:
    """At invoicing: each captured deposit of the order pays the order's invoice (backoffice.sales.invoices calls
    it in the transaction that issues the invoice); returns what they settled."""
    ctx.require("payments.write")
    with ctx.write() as conn:
        return _settle_deposits(conn, ctx, order_id, on)


def _order_of_org(conn: Connection, ctx: Context, order_id: int) -> dict[str, Any]:
    found = sales_q.order(conn, ctx.org_id, order_id)
    if found is None:
        raise NotFoundError(f"No order #{order_id} in this organization.")
    return found


def _settle_deposits(conn: Connection, ctx: Context, order_id: int, on: date) -> int:
    _order_of_org(conn, ctx, order_id)
    settled = 0
    invoice = sales_q.invoice_for_order(conn, ctx.org_id, order_id)
    if invoice is None:
        return 0
    for deposit in q.deposit_left(conn, ctx.org_id, order_id):
        if deposit["left_minor"] > 0 and deposit["customer_id"] is not None:
            done = _apply(
                conn,
                ctx,
                deposit["customer_id"],
                int(deposit["left_minor"]),
                [invoice["number_text"]],
                on,
                deposit["payment_id"],
                "deposit",
            )
            settled += sum(p for _, p in done)
    return settled


def _refund(
    conn: Connection,
    ctx: Context,
    customer_id: int | None,
    parts: list[tuple[str, int]],
    debit_role: str,
    on: date,
    refund_of: int | None,
    invoice_id: int | None,
    note: str,
) -> list[int]:
    made = []
    for method, amount in parts:
        if amount <= 0:
            continue
        role = _method(conn, ctx, method)
        entry_id = ledger.post_entry(
            ctx,
            on,
            f"Refund ({method}) {note}".strip(),
            posting.refund_entry(debit_role, role, amount, customer_id),
            "refund",
            refund_of or invoice_id,
        )
        made.append(
            _insert(
                conn,
                ctx,
                "refund",
                customer_id,
                method,
                amount,
                on,
                invoice_id=invoice_id,
                refund_of=refund_of,
                note=note,
                entry_id=entry_id,
            )
        )
    return made


def refund_credit_note(
    ctx: Context, credit_note: str, keep_as_credit: bool = False, on: date | None = None
) -> list[tuple[str, int]]:
    """Pay back a return: the credit note's total by the original invoice's payment methods, in the same
    proportions (parts add up exactly), or keep it as the customer's credit."""
    ctx.require("payments.write")
    on = on or date.today()
    with ctx.write() as conn:
        return _refund_note(conn, ctx, credit_note, keep_as_credit, on)


def _refund_note(
    conn: Connection, ctx: Context, credit_note: str, keep_as_credit: bool, on: date
) -> list[tuple[str, int]]:
    note = sales_q.invoice_by_number(conn, ctx.org_id, credit_note.strip())
    if note is None or note["kind"] != "credit_note":
        raise NotFoundError(f"No credit note {credit_note} in this organization.")
    original = int(note["corrects_invoice_id"])
    open_now = next(
        (
            i["open_minor"]
            for i in q.open_invoices(conn, ctx.org_id, note["customer_id"], date.max)
            if i["invoice_id"] == original
        ),
        0,
    )
    refundable = min(int(note["total_minor"]), max(0, -int(open_now)))
    if refundable <= 0:
        raise ConflictError(
            "Nothing was paid on that invoice beyond what is still owed: there is nothing to refund."
        )
    if keep_as_credit:  # the receivable's credit moves to the customer's advances, to be applied later
        entry_id = ledger.post_entry(
            ctx,
            on,
            f"Return {credit_note} kept as credit",
            posting.credit_kept_entry(refundable, note["customer_id"]),
            "credit_kept",
            credit_note,
        )
        q.insert_allocation(conn, ctx.org_id, None, "refund", original, -refundable, on, entry_id, now())
        return [("credit", refundable)]
    methods = q.paid_by_method(conn, ctx.org_id, original)
    if not methods:
        raise ConflictError("That invoice has no recorded payment to refund to; keep it as credit instead.")
    shares = allocate(refundable, [int(m["amount"]) for m in methods])
    parts = [(m["method"], s) for m, s in zip(methods, shares, strict=True)]
    _refund(conn, ctx, note["customer_id"], parts, "ar", on, None, original, credit_note)
    q.insert_allocation(conn, ctx.org_id, None, "refund", original, -refundable, on, None, now())
    audit.record(conn, ctx, "refund", "credit_note", credit_note, after={"parts": parts})
    return parts


def refund_returned_order(ctx: Context, credit_note: str, method: str, on: date) -> int:
    """The store paid a stand-alone return back: the credit note's total by its method (created as a card-clearing
    method when the store names one we do not know). A store import does this set-based for a whole batch
    (backoffice.db.queries.import_returns); this is the one-by-one path its tests hold it to."""
    ctx.require("payments.write")
    with ctx.write() as conn:
        return _refund_returned(conn, ctx, credit_note, method, on)


def _refund_returned(conn: Connection, ctx: Context, credit_note: str, method: str, on: date) -> int:
    note = sales_q.invoice_by_number(conn, ctx.org_id, credit_note)
    if note is None or note["kind"] != "credit_note":
        raise NotFoundError(f"No credit note {credit_note} in this organization.")
    q.ensure_methods(conn, ctx.org_id)
    q.add_method(conn, ctx.org_id, method, method, "card_clearing")
    made = _refund(
        conn,
        ctx,
        note["customer_id"],
        [(method, int(note["total_minor"]))],
        "ar",
        on,
        None,
        int(note["invoice_id"]),
        credit_note,
    )
    return made[0]


def refund_credit(
    ctx: Context, customer_id: int, amount: str | int, method: str, on: date | None = None
) -> int:
    """Pay back credit the customer holds with us (an overpayment or a payment on account)."""
    ctx.require("payments.write")
    on = on or date.today()
    with ctx.write() as conn:
        check_customer(ctx, customer_id)
        minor = _amount(conn, ctx, amount)
        credit = -q.ledger_balance(conn, ctx.org_id, customer_id, "customer_advances")
        if minor > credit:
            raise ConflictError(
                f"The customer holds {credit} in credit (minor units); a refund cannot be larger."
            )
        made = _refund(
            conn, ctx, customer_id, [(method, minor)], "customer_advances", on, None, None, "of credit"
        )
        audit.record(
            conn, ctx, "refund", "customer", customer_id, after={"amount_minor": minor, "method": method}
        )
        return made[0]


# ---------------------------------------------------------------- what an order's lifecycle asks of payments


def return_deposits(
    ctx: Context, order_id: int, fee_percent: str | None, refund_method: str | None, on: date
) -> dict[str, int]:
    """A cancelled order's deposits come back by the chosen method (default: how they were paid) less the
    cancellation fee (the organization's percentage unless given), booked as income; its card authorizations are
    voided (backoffice.sales.lifecycle.cancel_order calls it in the cancellation's transaction)."""
    ctx.require("payments.write")
    with ctx.write() as conn:
        _order_of_org(conn, ctx, order_id)
        return _return_deposits(conn, ctx, order_id, fee_percent, refund_method, on)


def _return_deposits(
    conn: Connection,
    ctx: Context,
    order_id: int,
    fee_percent: str | None,
    refund_method: str | None,
    on: date,
) -> dict[str, int]:
    org = ctx.org()
    rate = (
        rate_from_percent(fee_percent, "fee_percent")
        if fee_percent not in (None, "")
        else int(org["cancellation_fee_bp"])
    )
    fee_total = refunded = 0
    for deposit in q.deposit_left(conn, ctx.org_id, order_id):
        left = int(deposit["left_minor"])
        if left <= 0:
            continue
        fee = apply_rate(left, rate)
        customer = deposit["customer_id"]
        if fee:
            entry_id = ledger.post_entry(
                ctx,
                on,
                f"Cancellation fee, order #{order_id}",
                posting.cancellation_fee_entry(fee, customer),
                "fee",
                order_id,
            )
            _insert(
                conn,
                ctx,
                "fee",
                customer,
                None,
                fee,
                on,
                order_id=order_id,
                refund_of=deposit["payment_id"],
                note="cancellation fee",
                entry_id=entry_id,
            )
        _refund(
            conn,
            ctx,
            customer,
            [(refund_method or deposit["method"], left - fee)],
            "customer_advances",
            on,
            deposit["payment_id"],
            None,
            f"order #{order_id} cancelled",
        )
        fee_total, refunded = fee_total + fee, refunded + left - fee
    for authorization in q.authorized_of_order(conn, ctx.org_id, order_id):
        q.set_status(conn, ctx.org_id, authorization["payment_id"], PaymentStatus.VOIDED, None)
    return {"fee_minor": fee_total, "refunded_minor": refunded}


def capture_authorized(ctx: Context, order_id: int, on: date) -> None:
    """Capture the order's authorized card amounts (at fulfilment)."""
    ctx.require("payments.write")
    with ctx.write() as conn:
        _order_of_org(conn, ctx, order_id)
        for authorization in q.authorized_of_order(conn, ctx.org_id, order_id):
            _capture(conn, ctx, authorization["payment_id"], on)


def has_deposit_left(ctx: Context, order_id: int) -> bool:
    """Does the order hold a deposit not yet settled against its invoice?"""
    ctx.require("customers.read")
    with ctx.read() as conn:
        _order_of_org(conn, ctx, order_id)
        return any(d["left_minor"] > 0 for d in q.deposit_left(conn, ctx.org_id, order_id))


# ---------------------------------------------------------------- a customer's payments, receipts


def payments_of(ctx: Context, customer_id: int | None = None) -> list[dict[str, Any]]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        check_customer(ctx, customer_id)
        return q.customer_payments(conn, ctx.org_id, customer_id)


def receipt(ctx: Context, payment_id: int) -> Any:
    """The receipt of money received (a payment or a deposit), with the invoices it paid, for the PDF."""
    ctx.require("customers.read")
    with ctx.read() as conn:
        found = q.payment(conn, ctx.org_id, payment_id)
        if found is None or found["kind"] not in ("payment", "deposit"):
            raise NotFoundError(f"No payment #{payment_id} in this organization.")
        if found["status"] != PaymentStatus.CAPTURED:
            raise ConflictError(
                f"Payment #{payment_id} is {found['status']}: a receipt is for money received."
            )
        paid = q.allocations_of_payment(conn, ctx.org_id, payment_id)
        card = contacts_q.contact(conn, ctx.org_id, found["customer_id"]) if found["customer_id"] else None
    return Receipt(
        number=f"RCT-{payment_id:06d}",
        received_on=found["paid_on"],
        customer_name=card["name"] if card else "",
        amount_minor=int(found["amount_minor"]),
        method=found["method"],
        allocations=tuple((a["number_text"], int(a["amount_minor"])) for a in paid),
        customer_id=found["customer_id"],
    )
