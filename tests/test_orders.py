"""Manual orders and their lifecycle; totals and the explain check (SPEC O10, O11, I2)."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from backoffice.admin import orgs
from backoffice.core.errors import ConflictError, NotFoundError, ValidationError
from backoffice.core.money import EXPONENTS
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


# Issue 19, defect 1: an order's VAT basis followed its first line; an inclusive product after an exclusive one was
# converted to a rounded net and billed other than its shelf price, so the total depended on the line order.
# One product at 10 without VAT, seven at a shelf price with VAT inside. Per line, the exclusive one costs 10 × (1 +
# rate); per group, the rate's VAT is (10 + the net inside the shelf prices) × rate, rounded once (BR-CO-17).
@pytest.mark.parametrize(
    ("currency", "vat", "country", "shelf", "paid_for_7", "total"),
    [
        # 7 × 9.99 = 69.93 (was billed 69.95); + 11.50. Group: 10 + 60.81 net, VAT 10.62 -> 81.43 as well
        ("SAR", "15", "SA", "9.99", 6993, {"line": 8143, "group": 8143}),
        # 7 × 0.999 = 6.993 JOD (was 6.991); + 11.600. Group: 10 + 6.028 net, VAT round(2.56448) = 2.564 -> 18.592
        ("JOD", "16", "JO", "0.999", 6993, {"line": 18593, "group": 18592}),
        # 7 × 1,000 = 7,000 rials (was 6,999); + 11. Group: 10 + 6,364 net, VAT round(637.4) = 637 -> 7,011
        ("IRR", "10", "IR", "1000", 7000, {"line": 7011, "group": 7011}),
    ],
)
@pytest.mark.parametrize("rule", ["line", "group"])
def test_each_line_keeps_its_prices_meaning_in_any_order(
    db: Database, currency: str, vat: str, country: str, shelf: str, paid_for_7: int, total: dict, rule: str
) -> None:
    _, admin = make_org(db, currency=currency, vat=vat, country=country)
    orgs.update_settings(admin, rounding_rule=rule)
    make_product(admin, "NET", price="10", stock=20)  # priced without VAT: VAT on top
    make_product(
        admin, "GROSS", price=shelf, price_includes_vat=True, stock=20
    )  # the shelf price, VAT inside
    for lines in (
        [LineRequest("NET", 1), LineRequest("GROSS", 7)],
        [LineRequest("GROSS", 7), LineRequest("NET", 1)],
    ):
        order_id = orders.create_order(admin, None, lines, status="confirmed")
        found = orders.get_order(admin, order_id)
        by_sku = {x["sku"]: x for x in found["lines"]}
        assert by_sku["GROSS"]["gross_minor"] == paid_for_7
        assert by_sku["GROSS"]["unit_price_minor"] == int(Decimal(shelf).scaleb(EXPONENTS[currency]))
        assert found["total_minor"] == total[rule]  # the same whichever line comes first
        assert orders.explain_order(admin, order_id) == []
        number = invoices.issue_invoice(admin, order_id)
        assert invoices.get_invoice(admin, number)["total_minor"] == total[rule]
        assert invoices.explain_invoice(admin, number) == []


def test_a_typed_price_is_in_its_products_basis_and_shipping_in_the_orders(db: Database) -> None:
    _, admin = make_org(db)
    make_product(admin, "NET", price="10")
    make_product(admin, "GROSS", price="11.50", price_includes_vat=True)
    mixed = orders.get_order(
        admin,
        orders.create_order(
            admin, None, [LineRequest("GROSS", 1, "23"), LineRequest("NET", 1, "20")], shipping="10"
        ),
    )
    assert [(x["kind"], x["gross_minor"]) for x in mixed["lines"]] == [
        ("goods", 2300),  # 23.00 typed on an inclusive product: what the customer pays
        ("goods", 2300),  # 20.00 typed on an exclusive product: 3.00 VAT on top
        ("shipping", 1150),  # a mixed order's basis is exclusive: shipping gets VAT on top
    ]
    inclusive = orders.get_order(
        admin, orders.create_order(admin, None, [LineRequest("GROSS", 2)], shipping="10")
    )
    assert inclusive["prices_include_vat"] and inclusive["total_minor"] == 2300 + 1000
