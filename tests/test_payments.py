"""Payments: partial and split, deposits, credit, refunds, cancellation fees, authorizations, statements, aging (SPEC P1–P8, C5, R5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backoffice.books import ledger, receivables
from backoffice.core.errors import ConflictError, ValidationError
from backoffice.db import Database
from backoffice.sales import invoices, lifecycle, orders, payments
from backoffice.sales.invoices import ReturnRequest
from backoffice.sales.orders import LineRequest
from tests.factories import make_customer, make_org, make_product


def _invoice(admin, customer, quantity=2, on=None) -> str:
    order_id = orders.create_order(
        admin, customer, [LineRequest("CUP", quantity)], status="confirmed", order_on=on
    )
    return invoices.issue_invoice(admin, order_id, issued_on=on)


@pytest.fixture
def shop(db: Database):
    _, admin = make_org(db)
    make_product(admin, "CUP", price="100", stock=1000)
    return admin, make_customer(admin, payment_terms_days="30")


def test_partial_payments_in_several_methods_then_overpayment_becomes_credit(shop) -> None:
    admin, customer = shop
    number = _invoice(admin, customer)  # 230.00 with VAT
    first = payments.record_payment(admin, customer, "100", "cash")
    second = payments.record_payment(admin, customer, "٥٠", "card")
    assert first.allocated == [(number, 10000)] and second.allocated == [(number, 5000)]
    assert receivables.customer_position(admin, customer)["open_invoices"][0]["open_minor"] == 8000
    third = payments.record_payment(admin, customer, "100", "bank_transfer")
    assert (third.allocated, third.credit_minor) == ([(number, 8000)], 2000)
    position = receivables.customer_position(admin, customer)
    assert (position["balance_minor"], position["credit_minor"], position["open_invoices"]) == (
        -2000,
        2000,
        [],
    )


def test_one_payment_pays_the_oldest_invoices_first_or_those_chosen(shop) -> None:
    admin, customer = shop
    old = _invoice(admin, customer, 1, date(2026, 1, 5))
    new = _invoice(admin, customer, 1, date(2026, 2, 5))
    assert payments.record_payment(admin, customer, "150", "cash").allocated == [(old, 11500), (new, 3500)]
    chosen = payments.record_payment(admin, customer, "10", "cash", invoice_numbers=[new])
    assert chosen.allocated == [(new, 1000)]


@pytest.mark.parametrize("amount", ["0", "-5", "0.00"])
def test_zero_or_negative_amounts_are_refused(shop, amount: str) -> None:
    admin, customer = shop
    with pytest.raises(ValidationError, match="above zero"):
        payments.record_payment(admin, customer, amount, "cash")
    with pytest.raises(ValidationError, match="unknown payment method 'gold'"):
        payments.record_payment(admin, customer, "5", "gold")
    assert payments.payments_of(admin, customer) == []


def test_deposit_is_held_then_settles_the_invoice(shop) -> None:
    admin, customer = shop
    order_id = orders.create_order(admin, customer, [LineRequest("CUP", 2)], status="confirmed")
    payments.take_deposit(admin, order_id, "50", "card")
    assert receivables.customer_position(admin, customer)["credit_minor"] == 5000
    number = invoices.issue_invoice(admin, order_id)
    position = receivables.customer_position(admin, customer)
    assert position["credit_minor"] == 0 and position["open_invoices"][0]["open_minor"] == 18000
    assert position["open_invoices"][0]["number_text"] == number


def test_a_payment_on_account_is_applied_later(shop) -> None:
    admin, customer = shop
    payments.record_payment(admin, customer, "500", "bank_transfer")
    number = _invoice(admin, customer)
    assert payments.apply_credit(admin, customer) == [(number, 23000)]
    assert receivables.customer_position(admin, customer)["credit_minor"] == 27000
    with pytest.raises(ConflictError, match="no credit"):
        payments.apply_credit(admin, make_customer(admin))


def test_cancelling_an_order_refunds_the_deposit_less_the_fee(shop) -> None:
    admin, customer = shop
    order_id = orders.create_order(admin, customer, [LineRequest("CUP", 1)], status="confirmed")
    payments.take_deposit(admin, order_id, "40", "card")
    result = lifecycle.cancel_order(admin, order_id, fee_percent="10", refund_method="cash")
    assert result == {"fee_minor": 400, "refunded_minor": 3600}
    assert orders.get_order(admin, order_id)["status"] == "cancelled"
    assert receivables.customer_position(admin, customer)["balance_minor"] == 0
    tb = {r["code"]: r["credit_minor"] - r["debit_minor"] for r in ledger.trial_balance(admin).rows}
    assert tb["4900"] == 400  # the fee is income


def test_moving_an_order_takes_the_path_its_next_status_needs(shop) -> None:
    """What the Orders page and `order transition` call: each of an order's next steps, by its own path."""
    admin, customer = shop
    plain = orders.create_order(admin, customer, [LineRequest("CUP", 1)])
    assert orders.get_order(admin, plain)["next"] == ["confirmed", "cancelled"]
    assert lifecycle.move_order(admin, plain, "confirmed") == "confirmed"
    assert orders.get_order(admin, plain)["can_invoice"]
    assert lifecycle.move_order(admin, plain, "fulfilled") == "fulfilled"  # no deposit: not invoiced yet
    with_deposit = orders.create_order(admin, customer, [LineRequest("CUP", 1)], status="confirmed")
    payments.take_deposit(admin, with_deposit, "40", "card")
    assert lifecycle.move_order(admin, with_deposit, "fulfilled") == "invoiced"  # the deposit settles it
    assert not orders.get_order(admin, with_deposit)["can_invoice"]
    cancelled = orders.create_order(admin, customer, [LineRequest("CUP", 1)], status="confirmed")
    payments.take_deposit(admin, cancelled, "40", "card")
    assert lifecycle.move_order(admin, cancelled, "cancelled") == "cancelled"
    assert receivables.customer_position(admin, customer)["credit_minor"] == 0  # deposit back, less any fee
    with pytest.raises(ConflictError, match="cannot become confirmed"):
        lifecycle.move_order(admin, cancelled, "confirmed")


def test_a_failed_cancellation_changes_nothing(shop) -> None:
    admin, customer = shop
    order_id = orders.create_order(admin, customer, [LineRequest("CUP", 1)], status="confirmed")
    payments.take_deposit(admin, order_id, "40", "card")
    with pytest.raises(ValidationError, match="unknown payment method"):
        lifecycle.cancel_order(admin, order_id, refund_method="barter")
    assert orders.get_order(admin, order_id)["status"] == "confirmed"
    assert receivables.customer_position(admin, customer)["credit_minor"] == 4000


def test_refund_of_a_split_payment_returns_each_method_its_share(shop) -> None:
    admin, customer = shop
    number = _invoice(admin, customer, 3)  # 345.00
    payments.record_payment(admin, customer, "100", "cash")
    payments.record_payment(admin, customer, "200", "card")
    payments.record_payment(admin, customer, "45", "wallet")
    note = invoices.issue_credit_note(admin, number, [ReturnRequest("CUP", 1)])  # 115.00
    parts = payments.refund_credit_note(admin, note)
    assert dict(parts) == {"card": 6667, "cash": 3333, "wallet": 1500}
    assert sum(amount for _, amount in parts) == 11500
    assert receivables.customer_position(admin, customer)["balance_minor"] == 0


def test_a_return_can_be_kept_as_credit(shop) -> None:
    admin, customer = shop
    number = _invoice(admin, customer, 1)
    payments.record_payment(admin, customer, "115", "cash")
    payments.refund_credit_note(admin, invoices.issue_credit_note(admin, number), keep_as_credit=True)
    assert receivables.customer_position(admin, customer)["credit_minor"] == 11500


def test_only_captured_money_counts(shop) -> None:
    admin, customer = shop
    order_id = orders.create_order(admin, customer, [LineRequest("CUP", 1)], status="confirmed")
    held = payments.take_deposit(admin, order_id, "115", "card", authorize_only=True)
    assert held.status == "authorized" and receivables.customer_position(admin, customer)["credit_minor"] == 0
    assert ledger.trial_balance(admin).rows and "1020" not in {
        r["code"] for r in ledger.trial_balance(admin).rows
    }
    picked_up = lifecycle.fulfil_order(admin, order_id)  # seed 004: capture, then invoice automatically
    assert picked_up["status"] == "invoiced"
    assert receivables.customer_position(admin, customer)["balance_minor"] == 0
    other = payments.record_payment(admin, customer, "10", "card", authorize_only=True)
    payments.void_payment(admin, other.payment_id)
    with pytest.raises(ConflictError, match="voided"):
        payments.capture_payment(admin, other.payment_id)


def test_statement_with_opening_running_and_closing_balance(shop) -> None:
    admin, customer = shop
    _invoice(admin, customer, 1, date(2026, 1, 10))
    payments.record_payment(admin, customer, "15", "cash", paid_on=date(2026, 1, 20))
    _invoice(admin, customer, 2, date(2026, 2, 10))
    payments.record_payment(admin, customer, "100", "card", paid_on=date(2026, 2, 15))
    found = receivables.statement(admin, customer, date(2026, 2, 1), date(2026, 2, 28))
    assert found["opening_balance_minor"] == 10000
    assert [(x["debit_minor"], x["credit_minor"], x["balance_minor"]) for x in found["lines"]] == [
        (23000, 0, 33000),
        (0, 10000, 23000),
    ]
    assert (
        found["closing_balance_minor"]
        == 23000
        == receivables.customer_position(admin, customer)["balance_minor"]
    )


def test_aging_by_days_past_due_adds_up_to_the_receivable(shop) -> None:
    admin, customer = shop
    today = date(2026, 6, 30)
    for days_ago in (10, 45, 75, 100, 150):  # terms are 30 days
        _invoice(admin, customer, 1, today - timedelta(days=days_ago))
    payments.record_payment(admin, customer, "15", "cash", paid_on=today)  # takes from the oldest
    report = receivables.aging(admin, today)
    assert report["totals"] == {
        "current": 11500,
        "days_1_30": 11500,
        "days_31_60": 11500,  # due 30 days after issue
        "days_61_90": 11500,
        "days_over_90": 10000,
        "total": 11500 * 4 + 10000,
    }
    receivable = {r["code"]: r["debit_minor"] - r["credit_minor"] for r in ledger.trial_balance(admin).rows}[
        "1100"
    ]
    assert report["totals"]["total"] == receivable


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "invoice",
                "deposit_order",
                "pay",
                "pay_split",
                "on_account",
                "apply",
                "cancel_with_fee",
                "return",
                "refund",
                "authorize_and_capture",
            ]
        ),
        st.integers(1, 3),
        st.integers(1, 40_000),
        st.sampled_from(["cash", "card", "bank_transfer"]),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=20)
@given(ACTIONS)
def test_balance_equals_documents_and_ledger_after_every_step(duck: Database, plan) -> None:
    """P7: balance = invoices − credit notes − payments + refunds + fees, exact, and equal to AR + advances."""
    _, admin = make_org(duck)
    make_product(admin, "CUP", price="100", stock=10_000)
    customer = make_customer(admin)
    issued: list[str] = []
    for action, quantity, amount, method in plan:
        try:
            if action == "invoice":
                issued.append(_invoice(admin, customer, quantity))
            elif action == "deposit_order":
                order_id = orders.create_order(
                    admin, customer, [LineRequest("CUP", quantity)], status="confirmed"
                )
                payments.take_deposit(admin, order_id, amount, method)
                issued.append(invoices.issue_invoice(admin, order_id))
            elif action == "pay":
                payments.record_payment(admin, customer, amount, method)
            elif action == "pay_split":
                payments.record_payment(admin, customer, amount // 2 + 1, "cash")
                payments.record_payment(admin, customer, amount, method)
            elif action == "on_account":
                payments.record_payment(admin, customer, amount, method)
            elif action == "apply":
                payments.apply_credit(admin, customer)
            elif action == "cancel_with_fee":
                order_id = orders.create_order(
                    admin, customer, [LineRequest("CUP", quantity)], status="confirmed"
                )
                payments.take_deposit(admin, order_id, amount, method)
                lifecycle.cancel_order(admin, order_id, fee_percent=str(quantity * 5))
            elif action == "return" and issued:
                note = invoices.issue_credit_note(
                    admin, issued[amount % len(issued)], [ReturnRequest("CUP", 1)]
                )
                payments.refund_credit_note(admin, note, keep_as_credit=quantity == 1)
            elif action == "refund":
                payments.refund_credit(admin, customer, amount, method)
            elif action == "authorize_and_capture":
                held = payments.record_payment(admin, customer, amount, method, authorize_only=True)
                payments.capture_payment(admin, held.payment_id)
        except (ConflictError, ValidationError):
            pass  # refused steps (nothing to refund, no credit, everything returned) write nothing
        docs = invoices.list_invoices(admin, customer_id=customer, page_size=1000)[0]
        moves = payments.payments_of(admin, customer)
        expected = (
            sum(d["total_minor"] for d in docs if d["kind"] == "invoice")
            - sum(d["total_minor"] for d in docs if d["kind"] == "credit_note")
            - sum(
                p["amount_minor"]
                for p in moves
                if p["kind"] in ("payment", "deposit") and p["status"] == "captured"
            )
            + sum(p["amount_minor"] for p in moves if p["kind"] in ("refund", "fee"))
        )
        assert receivables.customer_position(admin, customer)["balance_minor"] == expected
        assert ledger.receivable_balance(admin, customer) == expected
        assert ledger.trial_balance(admin).balanced
        assert (
            receivables.aging(admin)["totals"]["total"]
            == receivables.customer_position(admin, customer)["receivable_minor"]
        )
