"""Manual orders and their lifecycle; totals and the explain check (SPEC O10, O11, I2)."""

import pytest
import sqlalchemy as sa

from backoffice.admin import orgs
from backoffice.core.errors import ConflictError, NotFoundError, ValidationError
from backoffice.db import Database
from backoffice.sales import invoices, orders
from backoffice.sales.orders import LineRequest
from tests.factories import make_customer, make_org, make_product


def test_a_call_centre_order_with_lines_discount_and_shipping(db: Database) -> None:
    _, admin = make_org(db)
    customer = make_customer(admin)
    make_product(admin, "CUP", price="20")
    make_product(admin, "TEA", price="9.99", vat="exempt")
    order_id = orders.create_order(
        admin,
        customer,
        [LineRequest("CUP", 3, discount="5"), LineRequest("TEA", "٢")],
        shipping="15",
        notes="leave at the door",
    )
    found = orders.get_order(admin, order_id)
    assert found["status"] == "draft" and found["customer_id"] == customer
    assert [(x["kind"], x["net_minor"], x["vat_minor"]) for x in found["lines"]] == [
        ("goods", 5500, 825),
        ("goods", 1998, 0),
        ("shipping", 1500, 225),
    ]
    assert (found["net_minor"], found["vat_minor"], found["total_minor"]) == (8998, 1050, 10048)
    assert orders.explain_order(admin, order_id) == []


def test_every_problem_with_the_lines_at_once(db: Database) -> None:
    _, admin = make_org(db)
    make_product(admin, "CUP")
    with pytest.raises(ValidationError) as error:
        orders.create_order(
            admin, None, [LineRequest("NOPE", 1), LineRequest("CUP", 0), LineRequest("CUP", 1, "x")]
        )
    assert "no product with SKU NOPE" in str(error.value)
    with pytest.raises(ValidationError) as error:
        orders.create_order(
            admin,
            None,
            [LineRequest("CUP", 0), LineRequest("CUP", 1, "x"), LineRequest("CUP", 1, None, "99")],
        )
    assert [(e.field, e.message) for e in error.value.errors] == [
        ("line 1", "the quantity must be above zero"),
        ("line 2", "'x' is not a number"),
        ("line 3", "the discount is larger than the line's amount"),
    ]
    with pytest.raises(ValidationError, match="no customer #999"):
        orders.create_order(admin, 999, [LineRequest("CUP", 1)])
    assert orders.list_orders(admin)[1] == 0


def test_prices_follow_the_products_basis_and_the_vat_rate_in_force(db: Database) -> None:
    from datetime import date

    _, admin = make_org(db, vat="5")
    orgs.set_tax_rate(admin, "standard", "15", date(2020, 7, 1))
    make_product(admin, "GROSS", price="11.50", price_includes_vat=True)
    before = orders.get_order(
        admin, orders.create_order(admin, None, [LineRequest("GROSS", 1)], order_on=date(2020, 6, 1))
    )
    after = orders.get_order(
        admin, orders.create_order(admin, None, [LineRequest("GROSS", 1)], order_on=date(2020, 7, 1))
    )
    assert before["lines"][0]["vat_rate_bp"] == 500 and after["lines"][0]["vat_rate_bp"] == 1500
    assert before["total_minor"] == after["total_minor"] == 1150  # the shelf price, VAT inside
    assert after["net_minor"] == 1000


@pytest.mark.parametrize(
    ("path", "refused", "words"),
    [
        (["cancelled"], "fulfilled", "a cancelled order is closed"),
        ([], "fulfilled", "from draft it can go to confirmed, cancelled"),
        (["confirmed", "fulfilled"], "cancelled", "fulfilled order is invoiced next"),
        (["confirmed", "fulfilled"], "draft", "fulfilled order is invoiced next"),
    ],
)
def test_transitions_are_validated(db: Database, path: list[str], refused: str, words: str) -> None:
    _, admin = make_org(db)
    make_product(admin, "CUP")
    order_id = orders.create_order(admin, None, [LineRequest("CUP", 1)])
    for step in path:
        orders.transition_order(admin, order_id, step)
    with pytest.raises(ConflictError, match=words):
        orders.transition_order(admin, order_id, refused)
    history = orders.get_order(admin, order_id)["events"]
    assert [e["to_status"] for e in history] == ["draft", *path]
    assert history[-1]["actor"] == admin.user.email


def test_an_invoiced_order_cannot_be_cancelled(db: Database) -> None:
    _, admin = make_org(db)
    make_product(admin, "CUP", stock=5)
    order_id = orders.create_order(admin, None, [LineRequest("CUP", 1)], status="confirmed")
    invoices.issue_invoice(admin, order_id)
    with pytest.raises(ConflictError, match="corrected by a credit note"):
        orders.transition_order(admin, order_id, "cancelled")


def test_explain_finds_a_stored_total_that_disagrees(db: Database) -> None:
    _, admin = make_org(db)
    make_product(admin, "CUP", price="10")
    order_id = orders.create_order(admin, None, [LineRequest("CUP", 2)])
    with db.write() as conn:  # what a damaged import or a hand edit in the database would leave
        conn.execute(
            sa.text("UPDATE order_lines SET vat_minor = vat_minor + 1 WHERE order_id = :id"), {"id": order_id}
        )
        conn.execute(
            sa.text("UPDATE orders SET total_minor = total_minor + 100 WHERE order_id = :id"),
            {"id": order_id},
        )
    found = orders.explain_order(admin, order_id)
    assert [d.where for d in found] == ["line 1 VAT", "VAT total", "grand total"]


def test_orders_of_another_organization_are_not_found(db: Database) -> None:
    _, admin_a = make_org(db)
    _, admin_b = make_org(db)
    make_product(admin_b, "CUP")
    theirs = orders.create_order(admin_b, None, [LineRequest("CUP", 1)])
    with pytest.raises(NotFoundError):
        orders.get_order(admin_a, theirs)
    with pytest.raises(NotFoundError):
        orders.transition_order(admin_a, theirs, "confirmed")
    with pytest.raises(NotFoundError):
        invoices.issue_invoice(admin_a, theirs)
