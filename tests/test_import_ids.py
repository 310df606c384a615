"""Issue 16, item 2: a store import gives one row per key across its file on both engines — one customer per email
(phone, name), one product per SKU, one order per order id, one payment per payment row — and draws each new id from
its sequence once. New ids used to come from `nextval` in a subquery that PostgreSQL re-ran for every row of the
join (temporary tables without statistics): a file of three orders from one new customer made three contacts there,
one on DuckDB, and the sequence ran to the square of the orders."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from backoffice import imports as order_import
from backoffice.books import ledger
from backoffice.db import Database
from tests.factories import make_org

HEADER = (
    "order_id,order_date,status,currency,customer_name,customer_email,customer_phone,sku,product_name,quantity,"
    "unit_price,vat_rate,prices_include_vat,shipping,payment_method"
)


def rows(db: Database, sql: str, **params: Any) -> list[dict[str, Any]]:
    with db.read() as conn:
        return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


def value(db: Database, sql: str, **params: Any) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.text(sql), params).scalar_one() or 0)


@pytest.fixture
def shop(db: Database):
    _, admin = make_org(db, country="SA")
    return admin


def orders_file(*orders: tuple[str, str, str, str]) -> bytes:
    """(order id, name, email, phone) each: a completed order of one mug, paid by card."""
    lines = [
        f"{oid},2026-03-01 10:00:00,completed,SAR,{name},{email},{phone},MUG,Mug,1,23.00,15,true,,mada"
        for oid, name, email, phone in orders
    ]
    return (HEADER + "\n" + "\n".join(lines) + "\n").encode()


def customers_of_orders(shop) -> dict[str, int]:
    return {
        r["external_id"]: int(r["customer_id"])
        for r in rows(
            shop.db, "SELECT external_id, customer_id FROM orders WHERE org_id = :org", org=shop.org_id
        )
    }


def new_contacts(shop, before: int) -> list[dict[str, Any]]:
    return rows(
        shop.db,
        "SELECT contact_id, name, emails, phone FROM contacts WHERE org_id = :org AND contact_id > :before "
        "ORDER BY contact_id",
        org=shop.org_id,
        before=before,
    )


def last_contact(shop) -> int:
    return value(shop.db, "SELECT max(contact_id) FROM contacts")


@pytest.mark.parametrize(
    "emails",
    [
        ("ali@example.com", "ali@example.com", "ali@example.com"),
        ("Ali@Example.com", "  ali@example.com ", "ALI@EXAMPLE.COM"),  # the import folds case and trims
    ],
    ids=["same", "case-and-spaces"],
)
def test_three_orders_from_one_new_customer_make_one_contact(shop, emails: tuple[str, ...]) -> None:
    before = last_contact(shop)
    data = orders_file(*((f"100{n}", "Ali", email, "") for n, email in enumerate(emails)))
    result = order_import.import_file(shop, "Salla", "a.csv", data)
    assert (result.new, result.posted, result.errors) == (3, 3, 0)
    made = new_contacts(shop, before)
    assert [(c["name"], c["emails"]) for c in made] == [("Ali", "ali@example.com")]
    assert set(customers_of_orders(shop).values()) == {made[0]["contact_id"]}
    assert (
        made[0]["contact_id"] == before + 1
    )  # the sequence gave one id, not one per order (or per pair of rows)
    assert value(shop.db, "SELECT count(*) FROM contact_emails WHERE org_id = :org", org=shop.org_id) == 1


def test_customers_without_email_are_one_per_phone_and_one_per_name(shop) -> None:
    before = last_contact(shop)
    data = orders_file(
        ("2001", "Huda", "", "+966551234567"),
        ("2002", "Huda", "", "+966 55 123 4567"),  # the same phone, written otherwise
        ("2003", "Sara", "", ""),
        ("2004", "Sara", "", ""),
        ("2005", "Huda", "", "0551234567"),  # the same last nine digits
    )
    order_import.import_file(shop, "Salla", "a.csv", data)
    made = new_contacts(shop, before)
    assert sorted(c["name"] for c in made) == ["Huda", "Sara"]
    assert {c["contact_id"] for c in made} == {before + 1, before + 2}
    by_order = customers_of_orders(shop)
    assert by_order["2001"] == by_order["2002"] == by_order["2005"] != by_order["2003"] == by_order["2004"]


def test_many_orders_from_a_few_new_customers_interleaved(shop) -> None:
    """Enough orders for PostgreSQL to plan a real join (200 orders, 7 customers, in turn)."""
    before = last_contact(shop)
    data = orders_file(*((f"3{n:03d}", f"Customer {n % 7}", f"c{n % 7}@example.com", "") for n in range(200)))
    result = order_import.import_file(shop, "Salla", "a.csv", data)
    assert (result.new, result.posted) == (200, 200)
    made = new_contacts(shop, before)
    assert len(made) == 7 and [c["contact_id"] for c in made] == list(range(before + 1, before + 8))
    emails = {c["contact_id"]: c["emails"] for c in made}
    for external_id, customer_id in customers_of_orders(shop).items():
        assert emails[customer_id] == f"c{int(external_id[1:]) % 7}@example.com"
    again = order_import.import_file(
        shop, "Salla", "b.csv", data.replace(b"\n3", b"\n4")
    )  # new orders, same people
    assert again.new == 200 and len(new_contacts(shop, before)) == 7


def test_one_product_per_sku_and_one_order_per_order_id(shop) -> None:
    data = (
        HEADER + "\n5001,2026-03-01,completed,SAR,Ali,ali@example.com,,CUP,Cup,1,10,15,true,,cash"
        "\n5001,,,,,,,PLATE,Plate,2,15,15,true,,"
        "\n5002,2026-03-02,completed,SAR,Ali,ali@example.com,,CUP,Cup,3,10,15,true,,cash"
        "\n5003,2026-03-03,completed,SAR,Ola,ola@example.com,,PLATE,Plate,1,15,15,true,,cash\n"
    ).encode()
    products_before = value(shop.db, "SELECT COALESCE(max(product_id), 0) FROM products")
    orders_before = value(shop.db, "SELECT COALESCE(max(order_id), 0) FROM orders")
    order_import.import_file(shop, "Salla", "a.csv", data)
    made = rows(
        shop.db, "SELECT product_id, sku FROM products WHERE org_id = :org ORDER BY sku", org=shop.org_id
    )
    assert [p["sku"] for p in made] == ["CUP", "PLATE"]
    assert {p["product_id"] for p in made} == {products_before + 1, products_before + 2}
    found = rows(
        shop.db,
        "SELECT o.order_id, o.external_id, count(l.line_no) AS lines FROM orders o JOIN order_lines l "
        "ON l.order_id = o.order_id AND l.kind = 'goods' WHERE o.org_id = :org GROUP BY o.order_id, o.external_id "
        "ORDER BY o.external_id",
        org=shop.org_id,
    )
    assert [(o["external_id"], o["lines"]) for o in found] == [("5001", 2), ("5002", 1), ("5003", 1)]
    assert {o["order_id"] for o in found} == {orders_before + n for n in (1, 2, 3)}


def test_split_payments_are_one_payment_and_one_entry_each(shop) -> None:
    """Two payment rows an order for four orders (one overpaid): eight payments with their own ids and entries, the
    first row of an order applied first, what is beyond the invoice held as the customer's credit."""
    sale = "\n".join(
        f"60{n},2026-03-0{n},completed,SAR,Huda,h@example.com,,MUG,Mug,1,20.00,15,false,,"
        for n in range(1, 5)
    )
    pays = "order_id,payment_method,amount,paid_at\n" + "".join(
        f"60{n},mada,15.00,2026-03-0{n}\n60{n},cash,{'9.00' if n == 4 else '8.00'},2026-03-0{n}\n"
        for n in range(1, 5)
    )
    result = order_import.import_file(
        shop, "Web", "o.csv", (HEADER + "\n" + sale + "\n").encode(), payments=pays.encode()
    )
    assert (result.new, result.posted, result.payments) == (4, 4, 8)
    paid = rows(
        shop.db,
        "SELECT p.payment_id, p.entry_id, p.method, p.amount_minor, COALESCE(a.amount_minor, 0) AS applied "
        "FROM payments p LEFT JOIN allocations a ON a.payment_id = p.payment_id WHERE p.org_id = :org "
        "ORDER BY p.payment_id",
        org=shop.org_id,
    )
    assert len({p["payment_id"] for p in paid}) == 8 and len({p["entry_id"] for p in paid}) == 8
    assert [(p["method"], p["amount_minor"], p["applied"]) for p in paid] == [
        ("mada", 1500, 1500),
        ("cash", 800, 800),
    ] * 3 + [("mada", 1500, 1500), ("cash", 900, 800)]
    entries = value(
        shop.db,
        "SELECT count(*) FROM journal_entries WHERE org_id = :org AND source_type = 'payment'",
        org=shop.org_id,
    )
    assert entries == 8 and ledger.trial_balance(shop).balanced
