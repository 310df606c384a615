"""Products and stock at average cost (SPEC I6, O9)."""

import pytest

from backoffice.books import ledger
from backoffice.catalog import products
from backoffice.core.errors import ConflictError, PermissionDenied, ValidationError
from backoffice.db import Database
from tests.factories import make_org, make_product, make_user


def test_a_product_with_its_opening_stock_posts_inventory(db: Database) -> None:
    _, admin = make_org(db)
    product_id = products.save_product(
        admin,
        {
            "sku": "TEA-1",
            "name": "Tea",
            "name_ar": "شاي",
            "price": "١٢٫٥٠",
            "cost": "7.25",
            "vat": "exempt",
            "category": "Drinks",
        },
    )
    products.receive_stock(admin, product_id, 12)
    found = products.get_product(admin, product_id)
    assert (found["price_minor"], found["cost_minor"], found["vat_exempt"]) == (1250, 725, True)
    assert (found["stock_qty"], found["stock_value_minor"], found["average_cost_minor"]) == (12, 8700, 725)
    tb = {r["code"]: (r["debit_minor"], r["credit_minor"]) for r in ledger.trial_balance(admin).rows}
    assert tb["1200"] == (8700, 0) and tb["3100"] == (0, 8700)


def test_average_cost_follows_receipts_at_different_costs(db: Database) -> None:
    _, admin = make_org(db)
    product_id = make_product(admin, "BAG", cost="10", stock=10)
    products.receive_stock(admin, product_id, 10, unit_cost="13")
    assert products.get_product(admin, product_id)["average_cost_minor"] == 1150


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"sku": "", "name": "x", "price": "1"}, "sku"),
        ({"sku": "A B", "name": "x", "price": "1"}, "sku"),
        ({"sku": "A", "name": "", "price": "1"}, "name"),
        ({"sku": "A", "name": "x"}, "price"),
        ({"sku": "A", "name": "x", "price": "abc"}, "price"),
        ({"sku": "A", "name": "x", "price": "1.234"}, "price"),
        ({"sku": "A", "name": "x", "price": "1", "vat": "150"}, "vat"),
        ({"sku": "A", "name": "x", "price": "-1"}, "price"),
    ],
)
def test_invalid_products_are_refused_on_the_field(db: Database, values, field) -> None:
    _, admin = make_org(db)
    with pytest.raises(ValidationError) as error:
        products.save_product(admin, values)
    assert error.value.for_field(field)


def test_sku_is_unique_and_only_bookkeepers_change_the_catalogue(db: Database) -> None:
    _, admin = make_org(db)
    make_product(admin, "DUP")
    with pytest.raises(ConflictError, match="SKU DUP already exists"):
        make_product(admin, "DUP")
    with pytest.raises(PermissionDenied):
        make_product(make_user(admin, "sales"), "NEW")


def test_import_products_all_or_nothing(db: Database) -> None:
    _, admin = make_org(db)
    good = b"sku,name,price,cost,vat,stock\nA1,Cup,10,4,15,3\nA2,Plate,12.5,5,exempt,0\n"
    result = products.import_products(admin, "p.csv", good)
    assert result.written and result.created == 2 and result.problems == []
    assert products.get_product(admin, sku="A1")["stock_qty"] == 3
    bad = "رمز المنتج,اسم المنتج,السعر\nA3,Bowl,9\nA1,Again,1\nA4,,x\n".encode()
    result = products.import_products(admin, "p.csv", bad)
    assert not result.written
    assert [(r, c) for r, c, _ in result.problems] == [(3, "sku"), (4, "name"), (4, "price")]
    assert products.list_products(admin)[1] == 2
