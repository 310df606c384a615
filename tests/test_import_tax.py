"""Issue 19 on the store import's own set-based pricing (backoffice/db/queries/staging.py `price`, imports.py):
each line is priced on its own basis and stores it (`price_includes_vat`), an order is inclusive, and its shipping
with it, only when every line is, so explain finds nothing on a mixed order; and the organization's rounding rule
is used and written on the order, with the totals `pricing.compute` gives the same lines."""

from __future__ import annotations

import random

import pytest

from backoffice import imports as order_import
from backoffice.admin import orgs
from backoffice.db import Database
from backoffice.sales import invoices, orders, pricing
from tests.factories import make_org

HEADER = "order_id,order_date,status,currency,customer_name,sku,product_name,quantity,unit_price,vat_rate,prices_include_vat"
MIXED = (
    HEADER
    + """
5001,2026-03-01,completed,SAR,Ali,NET,Net,1,10.00,15,false
5001,,,,,GROSS,Gross,7,9.99,15,true
5002,2026-03-01,completed,SAR,Ali,GROSS,Gross,7,9.99,15,true
5002,,,,,NET,Net,1,10.00,15,false
"""
)
PINS = (
    HEADER
    + "".join(f"\n6001,2026-03-01,completed,SAR,Ali,PIN{n},Pin,1,0.03,15,false" for n in range(10))
    + "\n"
)


def _imported(admin, external_id: str) -> dict:
    found = next(o for o in orders.list_orders(admin)[0] if o["external_id"] == external_id)
    return orders.get_order(admin, found["order_id"])


def test_the_import_prices_each_line_on_its_own_basis(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    orgs.update_settings(admin, rounding_rule="line")
    order_import.import_file(admin, "Salla", "mixed.csv", MIXED.encode())
    for external_id in ("5001", "5002"):
        found = _imported(admin, external_id)
        assert {x["sku"]: x["gross_minor"] for x in found["lines"]} == {"NET": 1150, "GROSS": 6993}
        assert found["total_minor"] == 8143  # 11.50 + 69.93, in either line order


def test_an_imported_mixed_order_explains_clean(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    orgs.update_settings(admin, rounding_rule="line")
    order_import.import_file(admin, "Salla", "mixed.csv", MIXED.encode())
    assert [orders.explain_order(admin, _imported(admin, x)["order_id"]) for x in ("5001", "5002")] == [
        [],
        [],
    ]
    assert invoices.explain_invoice(admin, "INV-000001") == []


def test_the_import_rounds_by_the_organizations_rule(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    assert orgs.get_settings(admin)["rounding_rule"] == "group"
    order_import.import_file(admin, "Salla", "pins.csv", PINS.encode())
    invoice = invoices.get_invoice(admin, "INV-000001")
    assert (invoice["net_minor"], invoice["vat_minor"], invoice["total_minor"]) == (30, 5, 35)  # not VAT 0.00


def _generated_orders(seed: int) -> tuple[str, dict[str, tuple[list[pricing.LineInput], int]]]:
    """A CSV of generated orders (mixed bases, rates, discounts, shipping, tiny prices) and, for each order, its
    goods lines as pricing takes them and its shipping in minor units."""
    rng = random.Random(seed)
    rows, expected = [HEADER + ",line_discount,shipping"], {}
    for n in range(12):
        external_id = f"{seed}{n:03d}"
        shipping = rng.choice((0, 0, 1, 4, 1500, 2999))
        goods = []
        for k in range(rng.randint(1, 6)):
            quantity = rng.randint(1, 7)
            price = rng.choice((1, 3, 4, 7, 999, rng.randint(1, 50000)))
            discount = rng.choice((0, 0, rng.randint(0, quantity * price)))
            rate = rng.choice((15, 15, 5, 0))
            inclusive = rng.random() < 0.5
            head = "2026-03-01,completed,SAR,Ali" if k == 0 else ",,,"
            rows.append(
                f"{external_id},{head},S{external_id}-{k},Item,{quantity},{price / 100:.2f},{rate},"
                f"{'true' if inclusive else 'false'},{discount / 100:.2f},{shipping / 100:.2f}"
            )
            goods.append(pricing.LineInput(quantity, price, discount, rate * 100, includes_vat=inclusive))
        expected[external_id] = (goods, shipping)
    return "\n".join(rows) + "\n", expected


@pytest.mark.parametrize("rule", pricing.RULES)
def test_the_import_totals_are_pricing_computes(db: Database, rule: str) -> None:
    """The set-based pricing gives each line, order and invoice what pricing.compute gives the same lines."""
    _, admin = make_org(db, country="SA")
    orgs.update_settings(admin, rounding_rule=rule)
    for seed in (1, 2, 3):
        text, expected = _generated_orders(seed)
        result = order_import.import_file(admin, "Salla", f"generated{seed}.csv", text.encode())
        assert not result.problems
        for external_id, (goods, shipping) in expected.items():
            found = _imported(admin, external_id)
            assert found["rounding_rule"] == rule
            basis = all(x.includes_vat for x in goods)
            lines = list(goods)
            if shipping:
                stored = found["lines"][-1]
                assert stored["kind"] == "shipping" and stored["price_includes_vat"] == basis
                lines.append(
                    pricing.LineInput(
                        1, shipping, 0, stored["vat_rate_bp"], stored["vat_exempt"], "shipping", basis
                    )
                )
            totals = pricing.compute(lines, basis, rule)
            assert [(x["net_minor"], x["vat_minor"]) for x in found["lines"]] == [
                (x.net_minor, x.vat_minor) for x in totals.lines
            ]
            assert [x["price_includes_vat"] for x in found["lines"]] == [x.includes_vat for x in lines]
            assert (
                found["prices_include_vat"],
                found["net_minor"],
                found["vat_minor"],
                found["total_minor"],
            ) == (
                basis,
                totals.net_minor,
                totals.vat_minor,
                totals.total_minor,
            )
            assert orders.explain_order(admin, found["order_id"]) == []
    numbers = [x["number_text"] for x in invoices.list_invoices(admin)[0]]
    assert len(numbers) == 36
    assert all(invoices.explain_invoice(admin, x) == [] for x in numbers)


def test_a_credited_import_keeps_each_lines_basis(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    order_import.import_file(admin, "Salla", "mixed.csv", MIXED.encode())
    order_import.import_file(admin, "Salla", "mixed.csv", MIXED.replace("completed", "returned", 1).encode())
    note = invoices.get_invoice(admin, "CN-000001")  # order 5001's, NET then GROSS
    assert [x["price_includes_vat"] for x in note["lines"]] == [False, True]
    assert [x["price_includes_vat"] for x in _imported(admin, "5001")["lines"]] == [False, True]
