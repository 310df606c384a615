"""Store order import: preview, idempotency, posting on the order's date, payments, every failure explained (SPEC O1–O9, O12)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from backoffice import imports as order_import
from backoffice.books import ledger, receivables
from backoffice.catalog import products
from backoffice.core.errors import ConflictError, ValidationError
from backoffice.db import Database
from backoffice.imports import profiles
from backoffice.sales import invoices, orders, payments
from tests.factories import make_org, make_product

# The public data sets (Olist) are not shipped: BACKOFFICE_DATASETS names their folder, and their tests skip without it.
SHARED = Path(os.environ.get("BACKOFFICE_DATASETS") or "/nonexistent-datasets")
DATA = Path(__file__).resolve().parent / "data"
HEADER = (
    "order_id,order_date,status,currency,customer_name,customer_email,customer_phone,sku,product_name,quantity,"
    "unit_price,vat_rate,prices_include_vat,shipping,payment_method"
)
GOOD = (
    HEADER
    + """
1001,2026-03-01 10:00:00,completed,SAR,فاطمة الزهراء,f@example.com,0551234567,MUG,Mug,2,23.00,15,true,10,mada
1001,,,,,,,TEA,Tea,1,11.50,15,true,,
1002,٢٠٢٦-٠٣-٠٢,بانتظار الدفع,SAR,Olivia Smith,o@example.com,,MUG,Mug,1,23,15,true,0,card
1003,02/03/2026,تم التنفيذ,SAR,فاطمة الزهراء,F@example.com,,TEA,Tea,٣,11.50,,true,,cash
"""
)


def count(db: Database, table: str) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def snapshot(db: Database) -> dict[str, int]:
    tables = (
        "orders",
        "order_lines",
        "invoices",
        "journal_entries",
        "journal_lines",
        "payments",
        "contacts",
        "products",
        "stock_moves",
    )
    return {t: count(db, t) for t in tables}


@pytest.fixture
def shop(db: Database):
    _, admin = make_org(db, country="SA")
    return admin


def test_a_generic_file_is_imported_posted_on_its_own_dates_and_paid(shop) -> None:
    result = order_import.import_file(shop, "Salla", "a.csv", GOOD.encode())
    assert (result.new, result.changed, result.unchanged, result.errors, result.posted) == (3, 0, 0, 0, 2)
    assert result.problems == [] and not result.rejected
    first = invoices.get_invoice(shop, "INV-000001")
    assert first["issued_on"] == date(2026, 3, 1)  # the order's date, not today
    assert (first["net_minor"], first["vat_minor"], first["total_minor"]) == (5870, 880, 6750)
    assert invoices.get_invoice(shop, "INV-000002")["issued_on"] == date(2026, 3, 2)
    assert invoices.explain_invoice(shop, "INV-000001") == []
    held = [o for o in orders.list_orders(shop)[0] if o["external_id"] == "1002"][0]
    assert held["status"] == "confirmed" and held["invoice_number"] is None  # pending: kept unposted
    fatima = [c for c in payments.payments_of(shop) if c["method"] in ("mada", "cash")]
    assert sorted((p["method"], p["amount_minor"]) for p in fatima) == [("cash", 3450), ("mada", 6750)]
    tb = {r["code"]: r["debit_minor"] - r["credit_minor"] for r in ledger.trial_balance(shop).rows}
    assert tb["1000"] == 3450 and tb["1020"] == 6750 and tb["1100"] == 0  # cash in the till, card in clearing
    customers = {o["customer_name"] for o in orders.list_orders(shop)[0]}
    assert customers == {
        "فاطمة الزهراء",
        "Olivia Smith",
    }  # one customer for both of Fatima's orders (email, any case)
    assert set(result.negative_stock) == {"MUG", "TEA"}  # created by the import with no stock: listed


def test_a_preview_in_batches_sees_the_stock_its_earlier_batches_took(shop) -> None:
    """Three units of MUG on hand; two completed orders take two each. The import leaves MUG at -1 and says so; a
    preview of one order a batch (each batch undone) must say the same, and without an allowance for negative
    stock it must refuse where the import refuses."""
    make_product(shop, "MUG", price="23", stock=3)
    two = (
        HEADER
        + "\n2001,2026-03-01,completed,SAR,Ali,a@example.com,,MUG,Mug,2,23,15,true,,cash"
        + "\n2002,2026-03-02,completed,SAR,Ali,a@example.com,,MUG,Mug,2,23,15,true,,cash\n"
    )
    preview = order_import.import_file(shop, "Salla", "m.csv", two.encode(), dry_run=True, batch_orders=1)
    assert preview.negative_stock == ["MUG"] and preview.posted == 2
    assert products.get_product(shop, sku="MUG")["stock_qty"] == 3  # the preview wrote nothing
    with pytest.raises(ConflictError, match="Not enough stock .*MUG: 1 on hand, 2 needed"):
        order_import.import_file(
            shop, "Salla", "m.csv", two.encode(), dry_run=True, batch_orders=1, allow_negative_stock=False
        )
    result = order_import.import_file(shop, "Salla", "m.csv", two.encode(), batch_orders=1)
    assert result.negative_stock == preview.negative_stock
    assert products.get_product(shop, sku="MUG")["stock_qty"] == -1


def test_the_batch_size_comes_from_the_environment_and_a_bad_one_is_refused(shop, monkeypatch) -> None:
    """BACKOFFICE_IMPORT_BATCH sets the orders a transaction writes (README: a night-time job may take bigger
    batches); a value that is not a whole number of orders stops the import before anything is written."""
    steps: list[str] = []
    monkeypatch.setenv("BACKOFFICE_IMPORT_BATCH", "1")
    result = order_import.import_file(
        shop, "Salla", "a.csv", GOOD.encode(), progress=lambda fraction, step: steps.append(step)
    )
    assert result.new == 3 and steps.count("orders written") == 3  # one batch an order
    for bad in ("0", "fifty", "-5", "2.5", "²"):
        monkeypatch.setenv("BACKOFFICE_IMPORT_BATCH", bad)
        with pytest.raises(
            ValidationError, match=f"BACKOFFICE_IMPORT_BATCH: must be a whole number .*{bad!r}"
        ):
            order_import.import_file(shop, "Salla", "b.csv", GOOD.replace("1001", "1101").encode())
    assert order_import.sync_log(shop, "Salla", "1101") == []  # refused before anything was read or written


def test_stock_received_between_a_previews_batches_counts(shop) -> None:
    """The writer is free between a preview's batches: two MUGs received there are on hand for the next batch,
    so the preview carries what its batches took, not the stock levels they saw."""
    mug = make_product(shop, "MUG", price="23", stock=3)
    two = (
        HEADER
        + "\n2001,2026-03-01,completed,SAR,Ali,a@example.com,,MUG,Mug,2,23,15,true,,cash"
        + "\n2002,2026-03-02,completed,SAR,Ali,a@example.com,,MUG,Mug,2,23,15,true,,cash\n"
    )
    received: list[bool] = []

    def between(fraction: float, step: str) -> None:
        if step == "orders written" and not received:
            products.receive_stock(shop, mug, 2)  # another session, while the preview is between batches
            received.append(True)

    preview = order_import.import_file(
        shop, "Salla", "m.csv", two.encode(), dry_run=True, batch_orders=1, progress=between
    )
    assert received and preview.negative_stock == [] and preview.posted == 2
    assert (
        products.get_product(shop, sku="MUG")["stock_qty"] == 5
    )  # the receipt stays; the preview wrote nothing
    result = order_import.import_file(shop, "Salla", "m.csv", two.encode(), batch_orders=1)
    assert result.negative_stock == [] and products.get_product(shop, sku="MUG")["stock_qty"] == 1


def test_reimporting_writes_nothing_and_a_preview_writes_nothing(shop) -> None:
    preview = order_import.import_file(shop, "Salla", "a.csv", GOOD.encode(), dry_run=True)
    assert (preview.new, preview.posted, preview.dry_run) == (3, 2, True)
    assert snapshot(shop.db)["orders"] == 0 and snapshot(shop.db)["invoices"] == 0
    order_import.import_file(shop, "Salla", "a.csv", GOOD.encode())
    before = snapshot(shop.db)
    again = order_import.import_file(shop, "Salla", "a.csv", GOOD.encode())
    assert (again.new, again.changed, again.unchanged, again.posted) == (0, 0, 3, 0)
    assert snapshot(shop.db) == before


def test_a_changed_status_updates_posts_or_credits_the_order(shop) -> None:
    order_import.import_file(shop, "Salla", "a.csv", GOOD.encode())
    moved = GOOD.replace("بانتظار الدفع", "completed").replace("تم التنفيذ", "restored")
    result = order_import.import_file(shop, "Salla", "b.csv", moved.encode())
    assert (result.changed, result.posted) == (2, 1)
    statuses = {o["external_id"]: o["status"] for o in orders.list_orders(shop)[0]}
    assert statuses == {"1001": "invoiced", "1002": "invoiced", "1003": "returned"}
    note = invoices.list_invoices(shop, "credit_note")[0][0]
    assert note["total_minor"] == 3450
    cash = [p for p in payments.payments_of(shop) if p["kind"] == "refund"]
    assert [(p["method"], p["amount_minor"]) for p in cash] == [
        ("cash", 3450)
    ]  # refunded the way it was paid
    assert ledger.trial_balance(shop).balanced
    log = order_import.sync_log(shop, "Salla", "1003")
    assert [r["result"] for r in log] == ["updated", "posted"]


def test_all_or_nothing_rejects_the_file_and_lists_every_problem(shop) -> None:
    bad = (
        GOOD
        + "1004,31/02/2026,completed,SAR,X,x@example.com,,MUG,Mug,-2,abc,15,true,,cash\n1005,,shipped,USD,Y,,,MUG,Mug,1,1,15,true,,\n"
    )
    result = order_import.import_file(shop, "Salla", "bad.csv", bad.encode(), all_or_nothing=True)
    assert result.rejected and snapshot(shop.db)["orders"] == 0
    assert sorted(result.problems) == sorted(
        [
            (6, "order_date", "bad date '31/02/2026' (use YYYY-MM-DD)"),
            (6, "unit_price", "'abc' is not a number"),
            (7, "currency", "currency USD is not the organization's (SAR)"),
            (7, "order_date", "the order date is missing"),
        ]
    )
    partial = order_import.import_file(shop, "Salla", "bad.csv", bad.encode())
    assert (partial.new, partial.errors) == (3, 2)
    failed = order_import.sync_log(shop, "Salla", failed_only=True)
    assert {r["external_id"] for r in failed} == {"1004", "1005"}
    assert all(r["reason"].startswith("row ") for r in failed)


def test_manual_posting_and_posting_twice_is_impossible(shop) -> None:
    order_import.import_file(shop, "Salla", "a.csv", GOOD.encode())
    first = order_import.post_orders(shop, "Salla", ["1002"])
    assert first["posted"] == 1
    again = order_import.post_orders(shop, "Salla", ["1002", "1001"])
    assert again["posted"] == 0 and set(again["skipped"]) == {"1001", "1002"}
    assert count(shop.db, "invoices") == 3


def test_store_options_default_customer_and_unpaid_invoices(shop) -> None:
    order_import.set_store(shop, "Counter", default_customer=True, auto_paid=False)
    order_import.import_file(shop, "Counter", "a.csv", GOOD.encode())
    names = {o["customer_name"] for o in orders.list_orders(shop)[0]}
    assert names == {"Walk-in (Counter)"}
    assert payments.payments_of(shop) == []
    receivable = {r["code"]: r["debit_minor"] - r["credit_minor"] for r in ledger.trial_balance(shop).rows}[
        "1100"
    ]
    assert receivable == 6750 + 3450


def test_shopify_export_with_order_columns_only_on_the_first_line(shop) -> None:
    header = (
        next(csv.reader(io.StringIO((SHARED / "formats" / "shopify_orders_export_header.csv").read_text())))
        if SHARED.exists()
        else [
            "Name",
            "Email",
            "Financial Status",
            "Fulfillment Status",
            "Currency",
            "Shipping",
            "Created at",
            "Lineitem quantity",
            "Lineitem name",
            "Lineitem price",
            "Lineitem sku",
            "Billing Name",
            "Payment Method",
            "Total",
            "Discount Amount",
        ]
    )
    rows = [
        {
            "Name": "#1001",
            "Email": "ann@example.com",
            "Financial Status": "paid",
            "Fulfillment Status": "fulfilled",
            "Currency": "SAR",
            "Shipping": "10.00",
            "Created at": "2026-06-08 23:02:14 +1000",
            "Lineitem quantity": "2",
            "Lineitem name": "Cap",
            "Lineitem price": "50.00",
            "Lineitem sku": "CAP",
            "Billing Name": "Ann Lee",
            "Payment Method": "Shopify Payments",
            "Total": "110.00",
            "Discount Amount": "0.00",
        },
        {
            "Name": "#1001",
            "Email": "ann@example.com",
            "Created at": "2026-06-08 23:02:14 +1000",
            "Lineitem quantity": "1",
            "Lineitem name": "Sticker",
            "Lineitem price": "0.50",
            "Lineitem sku": "STK",
        },
        {
            "Name": "#1002",
            "Email": "bo@example.com",
            "Financial Status": "pending",
            "Fulfillment Status": "",
            "Currency": "SAR",
            "Created at": "2026-06-09 08:00:00 +1000",
            "Lineitem quantity": "1",
            "Lineitem name": "Cap",
            "Lineitem price": "50.00",
            "Lineitem sku": "CAP",
            "Billing Name": "Bo",
        },
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    result = order_import.import_file(
        shop, "Shopify", "orders_export.csv", out.getvalue().encode(), profile="shopify"
    )
    assert (result.new, result.posted, result.problems) == (2, 1, [])
    invoice = invoices.get_invoice(shop, "INV-000001")
    assert invoice["issued_on"] == date(2026, 6, 8) and invoice["total_minor"] == 11050
    assert [x["sku"] for x in invoice["lines"]] == ["CAP", "STK", None]


@pytest.mark.skipif(not SHARED.exists(), reason="BACKOFFICE_DATASETS is not set")
@pytest.mark.parametrize(
    "name",
    [
        "salla_order_details_response.json",
        "salla_order_created_webhook.json",
        "salla_order_status_updated_webhook.json",
    ],
)
def test_salla_order_json(shop, name: str) -> None:
    result = order_import.import_file(
        shop, "Salla", name, (SHARED / "formats" / name).read_bytes(), profile="salla-json"
    )
    assert result.errors == 0 and result.new == 1, result.problems
    order = orders.list_orders(shop)[0][0]
    assert order["customer_name"]  # the customer came along (Arabic names included)
    again = order_import.import_file(
        shop, "Salla", name, (SHARED / "formats" / name).read_bytes(), profile="salla-json"
    )
    assert (again.new, again.unchanged) == (0, 1)


def test_salla_status_slugs_map_to_what_posts(shop) -> None:
    order = {
        "reference_id": 77,
        "date": {"date": "2026-01-05 10:00:00.000000"},
        "currency": "SAR",
        "status": {"slug": "delivering", "name": "جاري التوصيل"},
        "customer": {"first_name": "نورة", "email": "n@example.com"},
        "amounts": {"shipping_cost": {"amount": 15}, "total": {"amount": 126.5}},
        "items": [
            {
                "sku": "OUD",
                "name": "عطر",
                "quantity": 1,
                "amounts": {
                    "price_without_tax": {"amount": 95},
                    "total_discount": {"amount": 0},
                    "tax": {"percent": "15.00"},
                },
            }
        ],
    }
    lines = "\n".join(
        json.dumps(o, ensure_ascii=False)
        for o in [order, order | {"reference_id": 78, "status": {"slug": "canceled"}}]
    )
    result = order_import.import_file(shop, "Salla", "orders.jsonl", lines.encode(), profile="salla-json")
    assert (result.new, result.posted) == (2, 1)
    assert invoices.get_invoice(shop, "INV-000001")["total_minor"] == 12650


def test_salla_json_is_staged_in_chunks_of_orders_with_the_same_result(shop, monkeypatch) -> None:
    """A big Salla file is turned into rows a chunk of orders at a time (bounded memory): five orders in chunks
    of two import as one file does; a field of the wrong kind in the last chunk still refuses the whole file."""
    monkeypatch.setattr(profiles.salla_row_chunks, "__defaults__", (2,))

    def order(ref: int, sku: object = "TEA") -> str:
        return json.dumps(
            {
                "reference_id": ref,
                "date": {"date": "2026-01-05 10:00:00"},
                "currency": "SAR",
                "status": {"slug": "completed"},
                "customer": {"first_name": "Huda", "email": "h@example.com"},
                "amounts": {"total": {"amount": 23}},
                "items": [
                    {
                        "sku": sku,
                        "name": "Tea",
                        "quantity": 2,
                        "amounts": {"price_without_tax": {"amount": 10}},
                    }
                ],
            }
        )

    bad = "\n".join([order(n) for n in range(1, 5)] + [order(5, sku={"id": 1})])
    with pytest.raises(ValidationError, match=r"order 5 \(5\), items\[0\].sku"):
        order_import.import_file(shop, "Salla", "o.jsonl", bad.encode(), profile="salla-json")
    assert orders.list_orders(shop)[1] == 0  # nothing of the first chunks was kept
    good = "\n".join(order(n) for n in range(1, 6))
    result = order_import.import_file(shop, "Salla", "o.jsonl", good.encode(), profile="salla-json")
    assert (result.new, result.posted, result.errors) == (5, 5, 0)
    assert sorted(o["external_id"] for o in orders.list_orders(shop)[0]) == ["1", "2", "3", "4", "5"]


def test_xlsx_windows_1256_semicolons_and_arabic_headers(shop) -> None:
    arabic = (
        "رقم الطلب;تاريخ الطلب;الحالة;اسم العميل;رمز المنتج;اسم المنتج;الكمية;السعر\n"
        "A1;2026-02-01;تم التنفيذ;خالد;DATES;تمر;2;45,50\n"
    )  # Windows-1256 has no Arabic-Indic digits
    result = order_import.import_file(shop, "Zid", "zid.csv", arabic.encode("cp1256"))
    assert (result.new, result.posted, result.problems) == (1, 1, [])
    assert invoices.get_invoice(shop, "INV-000001")["net_minor"] == 9100
    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(GOOD)):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    result = order_import.import_file(shop, "Excel", "orders.xlsx", data.getvalue())
    assert (result.new, result.posted, result.errors) == (3, 2, 0)


MALFORMED = {
    "empty file": (b"", "the file is empty"),
    "only spaces": (b"   \n  \n", "the file is empty"),
    "missing order_id column": (b"order_date,quantity,unit_price\n2026-01-01,1,1\n", "no order_id column"),
    "missing quantity column": (b"order_id,order_date,unit_price\n1,2026-01-01,1\n", "no quantity column"),
    "missing price column": (b"order_id,order_date,quantity\n1,2026-01-01,1\n", "no unit_price column"),
    "header only": ((HEADER + "\n").encode(), "holds no orders"),
    "bad date": (
        (HEADER + "\n1,2026-13-45,completed,SAR,A,,,S,S,1,1,15,false,,\n").encode(),
        "bad date '2026-13-45'",
    ),
    "words for a date": (
        (HEADER + "\n1,yesterday,completed,SAR,A,,,S,S,1,1,15,false,,\n").encode(),
        "bad date 'yesterday'",
    ),
    "missing date": (
        (HEADER + "\n1,,completed,SAR,A,,,S,S,1,1,15,false,,\n").encode(),
        "the order date is missing",
    ),
    "missing order id": (
        (HEADER + "\n,2026-01-01,completed,SAR,A,,,S,S,1,1,15,false,,\n").encode(),
        "the order id is missing",
    ),
    "unknown status": (
        (HEADER + "\n1,2026-01-01,teleported,SAR,A,,,S,S,1,1,15,false,,\n").encode(),
        "unknown status 'teleported'",
    ),
    "sold and returned lines in one order": (
        (
            HEADER
            + "\n1,2026-01-01,completed,SAR,A,,,S,S,-1,1,15,false,,\n1,2026-01-01,,,,,,T,T,2,1,15,false,,\n"
        ).encode(),
        "mixes sold lines and returned",
    ),
    "zero quantity": (
        (HEADER + "\n1,2026-01-01,completed,SAR,A,,,S,S,0,1,15,false,,\n").encode(),
        "the quantity is zero",
    ),
    "fractional quantity": (
        (HEADER + "\n1,2026-01-01,completed,SAR,A,,,S,S,1.5,1,15,false,,\n").encode(),
        "whole number",
    ),
    "non-numeric quantity": (
        (HEADER + "\n1,2026-01-01,completed,SAR,A,,,S,S,two,1,15,false,,\n").encode(),
        "'two' is not a number",
    ),
    "negative price": (
        (HEADER + "\n1,2026-01-01,completed,SAR,A,,,S,S,1,-5,15,false,,\n").encode(),
        "price cannot be negative",
    ),
    "non-numeric price": (
        (HEADER + "\n1,2026-01-01,completed,SAR,A,,,S,S,1,free,15,false,,\n").encode(),
        "'free' is not a number",
    ),
    "missing price": (
        (HEADER + "\n1,2026-01-01,completed,SAR,A,,,S,S,1,,15,false,,\n").encode(),
        "the price is missing",
    ),
    "bad vat": (
        (HEADER + "\n1,2026-01-01,completed,SAR,A,,,S,S,1,1,fifteen,false,,\n").encode(),
        "is not a VAT rate",
    ),
    "vat over 100": (
        (HEADER + "\n1,2026-01-01,completed,SAR,A,,,S,S,1,1,150,false,,\n").encode(),
        "is not a VAT rate",
    ),
    "bad shipping": (
        (HEADER + "\n1,2026-01-01,completed,SAR,A,,,S,S,1,1,15,false,lots,\n").encode(),
        "'lots' is not a number",
    ),
    "other currency": (
        (HEADER + "\n1,2026-01-01,completed,EUR,A,,,S,S,1,1,15,false,,\n").encode(),
        "currency EUR",
    ),
    "lines disagree on the date": (
        (
            HEADER + "\n1,2026-01-01,completed,SAR,A,,,S,S,1,1,15,false,,\n"
            "1,2026-01-02,,,,,,T,T,1,1,15,false,,\n"
        ).encode(),
        "disagree on its date",
    ),
    "garbage binary": (b"\x00\x01\x02PK garbage \xff\xfe" * 500, "not a text file"),
    "broken json": (b'{"data": {"reference_id": 1,', "not JSON"),
    "json without orders": (b"[]", "holds no orders"),
    "discount larger than the line": (
        (
            HEADER.replace("payment_method", "line_discount")
            + "\n1,2026-01-01,completed,SAR,A,,,S,S,1,10,15,false,,50\n"
        ).encode(),
        "larger than the line",
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_files_explain_and_write_nothing(duck: Database, name: str) -> None:
    _, admin = make_org(duck, country="SA")
    data, words = MALFORMED[name]
    file_name = "x.json" if "json" in name else "x.csv"
    before = snapshot(duck)
    try:
        result = order_import.import_file(admin, "S", file_name, data, all_or_nothing=True)
    except ValidationError as exc:  # a file that cannot even be read is refused as a whole
        messages = str(exc)
    else:
        messages = " | ".join(p[2] for p in result.problems)
        assert result.rejected
    assert words in messages, messages
    assert snapshot(duck) == before


def test_the_garbage_file_of_50_megabytes_is_refused_quickly(duck: Database, tmp_path: Path) -> None:
    _, admin = make_org(duck, country="SA")
    path = tmp_path / "garbage.csv"
    path.write_bytes(os.urandom(50 * 1024 * 1024))
    with pytest.raises(Exception) as error:
        order_import.import_file(admin, "S", "garbage.csv", path)
    assert "not a text file" in str(error.value) or "cannot be read" in str(error.value)
    assert snapshot(duck)["orders"] == 0


def test_uci_online_retail_day(duck: Database) -> None:
    """Real data: every invoice of the day imports to the penny, cancellation invoices (minus lines) become credit
    notes of their own, and the sales report gives the README's net over all rows."""
    from backoffice import reports

    _, admin = make_org(duck, currency="GBP", vat="0", country="GB")
    mapping = {
        "order_id": "InvoiceNo",
        "order_date": "InvoiceDate",
        "sku": "StockCode",
        "product_name": "Description",
        "quantity": "Quantity",
        "unit_price": "UnitPrice",
        "customer_name": "CustomerID",
        "customer_country": "Country",
    }
    path = DATA / "uci_online_retail_2011-11-18.csv"
    result = order_import.import_file(admin, "UK shop", path.name, path, mapping=mapping)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    returns = {r["InvoiceNo"] for r in rows if Decimal(r["Quantity"]) < 0}
    assert (result.errors, result.problems) == (0, [])
    assert len(returns) == 47 and result.posted == len(
        {r["InvoiceNo"] for r in rows}
    )  # 44 cancellations, 3 write-offs
    sold = sum(i["total_minor"] for i in invoices.list_invoices(admin, "invoice", page_size=10_000)[0])
    returned = sum(
        i["total_minor"] for i in invoices.list_invoices(admin, "credit_note", page_size=10_000)[0]
    )
    assert (Decimal(sold) / 100, Decimal(returned) / 100) == (
        Decimal("51275.39"),
        Decimal("3243.59"),
    )  # README
    net = reports.sales_report(admin).totals["net_sales"]
    assert Decimal(net) / 100 == Decimal("48031.80")  # the README's net over all rows
    assert ledger.trial_balance(admin).balanced
    assert order_import.import_file(admin, "UK shop", path.name, path, mapping=mapping).new == 0


@pytest.mark.skipif(
    not SHARED.exists(), reason="BACKOFFICE_DATASETS is not set (Olist files are not shipped)"
)
def test_olist_split_payments_by_method(duck: Database, tmp_path: Path) -> None:
    """Olist: split payments, payments that differ from totals; totals by method equal the raw file's."""
    _, admin = make_org(duck, currency="BRL", vat="0", country="BR")
    orders_rows = {r["order_id"]: r for r in csv.DictReader((SHARED / "olist_orders_dataset.csv").open())}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "order_id",
            "order_date",
            "status",
            "customer_name",
            "sku",
            "product_name",
            "quantity",
            "unit_price",
            "vat_rate",
            "shipping",
        ]
    )
    freight: dict[str, Decimal] = defaultdict(Decimal)
    items = list(csv.DictReader((SHARED / "olist_order_items_dataset.csv").open()))
    for item in items:
        freight[item["order_id"]] += Decimal(item["freight_value"])
    for item in items:
        order = orders_rows[item["order_id"]]
        writer.writerow(
            [
                item["order_id"],
                order["order_purchase_timestamp"],
                order["order_status"],
                order["customer_id"],
                item["product_id"],
                item["product_id"][:8],
                1,
                item["price"],
                0,
                freight[item["order_id"]],
            ]
        )
    data = tmp_path / "olist.csv"
    data.write_text(out.getvalue())
    pays = tmp_path / "payments.csv"
    with pays.open("w", newline="") as handle:
        pw = csv.writer(handle)
        pw.writerow(["order_id", "payment_method", "amount", "paid_at"])
        raw = list(csv.DictReader((SHARED / "olist_order_payments_dataset.csv").open()))
        for p in raw:
            pw.writerow([p["order_id"], p["payment_type"], p["payment_value"], ""])
    result = order_import.import_file(admin, "Olist", data.name, data, payments=pays)
    assert result.errors == 0, result.problems[:5]
    posted_orders = {
        o["order_id"]
        for o in orders_rows.values()
        if o["order_status"] in ("delivered", "shipped", "invoiced")
    }
    with_items = {i["order_id"] for i in items}
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for p in raw:
        if p["order_id"] in posted_orders & with_items:
            expected[p["payment_type"]] += Decimal(p["payment_value"])
    got: dict[str, Decimal] = defaultdict(Decimal)
    for p in payments.payments_of(admin):
        got[p["method"]] += Decimal(p["amount_minor"]) / 100
    assert got == expected
    assert ledger.trial_balance(admin).balanced
    assert result.posted == len(posted_orders & with_items)


def _cli(db_path: Path, *args: str, crash: str | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI as its own process, one order a batch; `crash` ends it at that step (tests/crash_import.py)."""
    program = ["tests.crash_import", crash] if crash else ["backoffice.cli"]
    return subprocess.run(
        [sys.executable, "-m", *program, *args, "--db", str(db_path)],
        capture_output=True,
        text=True,
        env=os.environ | {"BACKOFFICE_IMPORT_BATCH": "1"},
        cwd=Path(__file__).resolve().parents[1],
    )


FILES = {
    "a": GOOD,
    "b": HEADER + "\n1003,2026-03-03,completed,SAR,فاطمة الزهراء,f@example.com,,TEA,Tea,3,11.50,,true,,cash\n"
    "1004,2026-03-04,completed,SAR,Khalid,k@example.com,,MUG,Mug,1,23,15,true,,card\n",
    "c": HEADER + "\n1002,2026-03-02,completed,SAR,Olivia Smith,o@example.com,,MUG,Mug,1,23,15,true,0,card\n"
    "1005,2026-03-05,completed,SAR,Huda,h@example.com,,TEA,Tea,1,11.50,15,true,,cash\n",
}


@settings(max_examples=4, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(FILES)),
            st.sampled_from([None, "staged", "orders", "before_commit", "batch"]),
        ),
        min_size=2,
        max_size=4,
    )
)
def test_overlapping_imports_and_crashes_leave_each_order_once(tmp_path_factory, plan) -> None:
    folder = tmp_path_factory.mktemp("crash")
    db_path = folder / "shop.duckdb"
    assert (
        _cli(
            db_path,
            "init",
            "--org",
            "S",
            "--currency",
            "SAR",
            "--vat",
            "15",
            "--admin-email",
            "a@example.com",
            "--admin-password",
            "Sesame#2026",
        ).returncode
        == 0
    )
    for name, crash in plan:
        path = folder / f"{name}.csv"
        path.write_text(FILES[name])
        done = _cli(db_path, "import", str(path), "--store", "Salla", "--json", crash=crash)
        assert done.returncode == (97 if crash else 0), done.stderr
    for name in sorted(FILES):  # and once more, cleanly, everything
        path = folder / f"{name}.csv"
        path.write_text(FILES[name])
        assert _cli(db_path, "import", str(path), "--store", "Salla", "--json").returncode == 0
    from backoffice.db import open_database

    db = open_database(f"duckdb:///{db_path}")
    try:
        with db.read() as conn:
            ids = [r[0] for r in conn.execute(sa.text("SELECT external_id FROM orders ORDER BY external_id"))]
            per_order = conn.execute(
                sa.text("SELECT count(*) FROM invoices GROUP BY order_id HAVING count(*) > 1")
            ).all()
        assert ids == ["1001", "1002", "1003", "1004", "1005"]
        assert per_order == []
        from tests.factories import system

        ctx = system(db, 1)
        assert ledger.trial_balance(ctx).balanced
        assert products.get_product(ctx, sku="MUG")["stock_qty"] == -4
    finally:
        db.dispose()


def test_a_return_invoice_of_its_own_becomes_a_credit_note_refunded_by_its_method(shop) -> None:
    order_import.import_file(shop, "Salla", "a.csv", GOOD.encode())
    cancellation = (
        HEADER
        + "\nC1001,2026-03-09,completed,SAR,فاطمة الزهراء,f@example.com,,MUG,Mug,-1,23.00,15,true,,mada\n"
    )
    result = order_import.import_file(shop, "Salla", "c.csv", cancellation.encode())
    assert (result.new, result.posted, result.errors) == (1, 1, 0)
    note = invoices.list_invoices(shop, "credit_note")[0][0]
    assert (note["total_minor"], note["issued_on"]) == (2300, date(2026, 3, 9))
    refunds = [(p["method"], p["amount_minor"]) for p in payments.payments_of(shop) if p["kind"] == "refund"]
    assert refunds == [("mada", 2300)]
    assert products.get_product(shop, sku="MUG")["stock_qty"] == -1  # two left with order 1001, one came back
    fatima = next(o["customer_id"] for o in orders.list_orders(shop)[0] if o["external_id"] == "C1001")
    assert ledger.receivable_balance(shop, fatima) == 0 and ledger.trial_balance(shop).balanced
    assert order_import.import_file(shop, "Salla", "c.csv", cancellation.encode()).new == 0


@pytest.mark.skipif(
    not SHARED.exists(), reason="BACKOFFICE_DATASETS is not set (Olist files are not shipped)"
)
def test_olist_delivered_sales_equal_the_readme(duck: Database, tmp_path: Path) -> None:
    """The datasets README: Σ price of the delivered orders is R$537,252.73 — imported and read back by the sales report."""
    from backoffice import reports

    _, admin = make_org(duck, currency="BRL", vat="0", country="BR")
    delivered = {
        r["order_id"]: r
        for r in csv.DictReader((SHARED / "olist_orders_dataset.csv").open())
        if r["order_status"] == "delivered"
    }
    path = tmp_path / "delivered.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["order_id", "order_date", "status", "customer_name", "sku", "quantity", "unit_price", "vat_rate"]
        )
        for item in csv.DictReader((SHARED / "olist_order_items_dataset.csv").open()):
            order = delivered.get(item["order_id"])
            if order:
                writer.writerow(
                    [
                        item["order_id"],
                        order["order_purchase_timestamp"],
                        "delivered",
                        order["customer_id"],
                        item["product_id"],
                        1,
                        item["price"],
                        0,
                    ]
                )
    result = order_import.import_file(admin, "Olist", path.name, path, auto_paid=False)
    assert result.errors == 0 and result.posted == result.new
    assert Decimal(reports.sales_report(admin).totals["net_sales"]) / 100 == Decimal("537252.73")


def test_a_reimport_skips_orders_whose_rows_are_as_last_time_and_checks_the_rest(shop) -> None:
    order_import.import_file(shop, "Salla", "a.csv", GOOD.encode())
    edited = GOOD.replace("TEA,Tea,٣,11.50", "TEA,Tea,٣,11.75").replace("بانتظار الدفع", "completed")
    second = order_import.import_file(shop, "Salla", "b.csv", edited.encode())
    assert (second.new, second.changed, second.unchanged, second.posted) == (0, 1, 2, 1)

    def reasons(file_name: str) -> dict[str, tuple[str, str | None]]:
        log = order_import.sync_log(shop, "Salla")
        return {r["external_id"]: (r["result"], r["reason"]) for r in log if r["file_name"] == file_name}

    found = reasons("b.csv")
    assert found["1001"] == (
        "unchanged",
        order_import.SAME_ROWS,
    )  # skipped before typing: its rows are as they were
    assert found["1003"] == ("unchanged", None)  # a price moved: checked the full way (status decides)
    assert found["1002"][0] == "posted"

    invoices.issue_credit_note(
        shop, "INV-000001", reason="returned at the counter"
    )  # 1001 changes in the app
    before = snapshot(shop.db)
    third = order_import.import_file(shop, "Salla", "c.csv", edited.encode())
    found = reasons("c.csv")
    assert found["1002"] == found["1003"] == ("unchanged", order_import.SAME_ROWS)
    assert found["1001"][1] != order_import.SAME_ROWS  # its status is not the one the last import left
    assert third.new == 0 and snapshot(shop.db)["invoices"] == before["invoices"]
    assert ledger.trial_balance(shop).balanced


def test_a_big_file_is_written_in_batches_while_other_people_save(shop) -> None:
    import threading

    from backoffice.contacts import customers

    saved: list[int] = []

    def progress(fraction: float, step: str) -> None:
        # between batches the writer is free: another session's save gets through
        if step == "orders written" and not saved:
            other = threading.Thread(
                target=lambda: saved.append(customers.save_customer(shop, {"name": "Walk-in"}))
            )
            other.start()
            other.join(timeout=20)
            assert saved, "another session's save waited for the whole import"

    whole = order_import.import_file(shop, "Salla", "a.csv", GOOD.encode(), dry_run=True)
    preview = order_import.import_file(shop, "Salla", "a.csv", GOOD.encode(), dry_run=True, batch_orders=1)
    assert preview.as_json() == whole.as_json()
    assert (preview.new, preview.posted, preview.payments) == (3, 2, 2)
    assert snapshot(shop.db)["orders"] == 0 and order_import.list_stores(shop) == []  # each batch undone
    result = order_import.import_file(
        shop, "Salla", "a.csv", GOOD.encode(), batch_orders=1, progress=progress
    )
    assert saved and (result.new, result.errors, result.posted) == (3, 0, 2)
    one_go = snapshot(shop.db)
    assert (one_go["orders"], one_go["invoices"], one_go["payments"]) == (3, 2, 2)
    with shop.db.read() as conn:  # DuckDB keeps no key on lines (migration 13): nothing may number one twice
        twice = conn.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT order_id, line_no FROM order_lines GROUP BY 1, 2 HAVING count(*) > 1 "
                "UNION ALL SELECT invoice_id, line_no FROM invoice_lines GROUP BY 1, 2 HAVING count(*) > 1) t"
            )
        ).scalar()
    assert twice == 0 and one_go["order_lines"] == 5  # four goods lines and one shipping line
    assert invoices.get_invoice(shop, "INV-000002")["issued_on"] == date(2026, 3, 2)
    assert ledger.trial_balance(shop).balanced and set(result.negative_stock) == {"MUG", "TEA"}
    logged = [r["result"] for r in order_import.sync_log(shop, "Salla")]
    assert sorted(logged) == ["created", "posted", "posted"]
    again = order_import.import_file(shop, "Salla", "a.csv", GOOD.encode(), batch_orders=1)
    assert (again.new, again.unchanged, again.posted) == (0, 3, 0) and snapshot(shop.db) == one_go


def test_a_bad_payment_row_holds_its_order_and_the_corrected_file_pays_it(shop) -> None:
    """Issue 14 #7: a payments-file row the import cannot read makes its order an error (held, counted), never an
    invoice posted unpaid; importing again with the corrected payments file posts it paid."""
    sale = (
        HEADER + "\n2001,2026-03-01,completed,SAR,Huda,h@example.com,,MUG,Mug,2,20.00,15,false,,\n"
        "2002,2026-03-02,completed,SAR,Sara,s@example.com,,MUG,Mug,1,20.00,15,false,,\n"
    )
    bad = b"order_id,payment_method,amount,paid_at\n2001,mada,4O.OO,2026-03-01 10:00:00\n2002,cash,23.00,\n"
    first = order_import.import_file(shop, "Web", "o.csv", sale.encode(), payments=bad)
    assert (first.new, first.errors, first.posted, first.payments) == (1, 1, 1, 1)
    assert first.problems == [(2, "payments file: amount", "'4O.OO' is not a number")]
    assert [o["external_id"] for o in orders.list_orders(shop)[0]] == ["2002"]  # 2001 held, not posted unpaid
    log = order_import.sync_log(shop, "Web", "2001")
    assert log[0]["result"] == "failed" and "payments file: amount" in log[0]["reason"]
    good = bad.replace(b"4O.OO", b"46.00")
    again = order_import.import_file(shop, "Web", "o.csv", sale.encode(), payments=good)
    assert (again.new, again.unchanged, again.errors, again.posted, again.payments) == (1, 1, 0, 1, 1)
    huda = next(o for o in orders.list_orders(shop)[0] if o["external_id"] == "2001")
    assert invoices.get_invoice(shop, huda["invoice_number"])["total_minor"] == 4600
    paid = sorted((p["method"], p["amount_minor"]) for p in payments.payments_of(shop))
    assert paid == [("cash", 2300), ("mada", 4600)]
    assert receivables.customer_position(shop, huda["customer_id"])["balance_minor"] == 0  # not 46.00 overdue


def test_payment_rows_with_too_many_decimals_or_no_method_hold_their_order(shop) -> None:
    sale = (
        HEADER + "\n2001,2026-03-01,completed,SAR,Huda,h@example.com,,MUG,Mug,1,10,15,false,,\n"
        "2002,2026-03-01,completed,SAR,Huda,h@example.com,,MUG,Mug,1,10,15,false,,\n"
        "2003,2026-03-01,completed,SAR,Huda,h@example.com,,MUG,Mug,1,10,15,false,,\n"
    )
    pays = b"order_id,payment_method,amount\n2001,mada,11.5\n2002,,11.50\n2003,cash,11.505\n"
    result = order_import.import_file(shop, "Web", "o.csv", sale.encode(), payments=pays)
    assert (result.new, result.errors, result.payments) == (1, 2, 1)
    assert result.problems == [
        (3, "payments file: payment_method", "the payment method is missing"),
        (4, "payments file: amount", "'11.505' has more than 2 decimal places, the most SAR has"),
    ]


def test_far_dates_are_flagged_in_the_preview_and_import_once_confirmed(shop) -> None:
    """Issue 14 #10: an order dated 9999-12-31 (or before 2000) is a problem the preview lists; confirmed, it imports."""
    data = (
        HEADER + "\n3001,9999-12-31,completed,SAR,A,,,MUG,Mug,1,10,15,false,,\n"
        "3002,1999-12-31,completed,SAR,A,,,MUG,Mug,1,10,15,false,,\n"
        "3003,2026-03-01,completed,SAR,A,,,MUG,Mug,1,10,15,false,,\n"
    ).encode()
    preview = order_import.import_file(shop, "Web", "o.csv", data, dry_run=True)
    assert (preview.new, preview.errors) == (1, 2)
    assert [(r, c) for r, c, _ in preview.problems] == [(2, "order_date"), (3, "order_date")]
    assert "in the future" in preview.problems[0][2] and "before 2000-01-01" in preview.problems[1][2]
    confirmed = order_import.import_file(shop, "Web", "o.csv", data, allow_dates=True)
    assert (confirmed.new, confirmed.errors, confirmed.problems) == (3, 0, [])


def test_an_import_whose_process_ended_half_way_shows_interrupted(tmp_path: Path) -> None:
    db_path = tmp_path / "shop.duckdb"
    init = ("init", "--org", "S", "--currency", "SAR", "--vat", "15", "--admin-email", "a@example.com")
    assert _cli(db_path, *init, "--admin-password", "Sesame#2026").returncode == 0
    path = tmp_path / "a.csv"
    path.write_text(GOOD)
    killed = _cli(db_path, "import", str(path), "--store", "Salla", "--json", crash="batch")
    assert killed.returncode == 97  # one batch of three committed, then the process ended
    from backoffice.db import open_database
    from backoffice.db.queries import imports as imports_q
    from tests.factories import system

    db = open_database(f"duckdb:///{db_path}")
    try:
        ctx = system(db, 1)
        with db.read() as conn:
            assert [r["status"] for r in imports_q.imports(conn, 1, None, 10)] == ["batch 1 of 3"]
        assert [r["status"] for r in order_import.list_imports(ctx)] == ["interrupted"]
        assert order_import.list_imports(ctx, "Salla")[0]["new_orders"] == 1
        db.dispose()  # the command line opens the file itself
        shown = _cli(db_path, "store", "imports", "Salla", "--json")
        assert [r["status"] for r in json.loads(shown.stdout)] == ["interrupted"], shown.stderr
        db = open_database(f"duckdb:///{db_path}")
        ctx = system(db, 1)
        again = order_import.import_file(ctx, "Salla", "a.csv", GOOD.encode(), batch_orders=1)
        assert (again.new, again.unchanged) == (2, 1)
        with db.read() as conn:  # the next import recorded it so
            assert [r["status"] for r in imports_q.imports(conn, 1, None, 10)] == ["done", "interrupted"]
    finally:
        db.dispose()


def test_an_import_being_written_is_not_called_interrupted(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    from backoffice.db.queries import imports as imports_q

    seen: list[tuple[str, bool]] = []

    def progress(fraction: float, step: str) -> None:
        if step == "orders written" and fraction < 0.9:  # after the first of three batches
            mine = order_import.list_imports(admin)[0]
            with db.read() as conn:
                held = db.is_duckdb or imports_q.import_held(conn, mine["import_id"])
            seen.append((mine["status"], held))

    order_import.import_file(admin, "Salla", "a.csv", GOOD.encode(), batch_orders=1, progress=progress)
    assert seen[0] == ("batch 1 of 3", True)
    assert [r["status"] for r in order_import.list_imports(admin)] == ["done"]
    with db.read() as conn:
        assert db.is_duckdb or not imports_q.import_held(
            conn, order_import.list_imports(admin)[0]["import_id"]
        )


def test_a_reimport_of_many_returns_credits_them_a_few_per_transaction(
    shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Returns are credited and refunded set-based, a batch holding CREDITS_PER_BATCH of them at most, so another
    user's save waits for one batch, not for all of them; the books are those of crediting each one by hand."""
    sold = HEADER + "".join(
        f"\nR{i},2026-03-0{1 + i % 5},completed,SAR,Huda {i},h{i}@example.com,,TEA,Tea,{1 + i % 2},11.50,15,true,,"
        + ("cash" if i % 2 else "mada")
        for i in range(5)
    )
    first = order_import.import_file(shop, "Salla", "a.csv", sold.encode())
    assert (first.new, first.posted) == (5, 5)
    returned = sold.replace(",completed,", ",returned,")
    monkeypatch.setattr(order_import, "CREDITS_PER_BATCH", 2)
    transactions: list[float] = []
    result = order_import.import_file(
        shop,
        "Salla",
        "b.csv",
        returned.encode(),
        batch_orders=1000,
        progress=lambda fraction, step: transactions.append(fraction) if step == "orders written" else None,
    )
    assert (result.changed, result.errors) == (5, 0)
    assert len(transactions) == 3  # 2 + 2 + 1 returns, each batch its own transaction
    notes = invoices.list_invoices(shop, "credit_note")[0]
    assert sorted(n["number_text"] for n in notes) == [f"CN-{n:06d}" for n in range(1, 6)]  # gap-free
    sold_total = sum(i["total_minor"] for i in invoices.list_invoices(shop, "invoice")[0])
    assert sum(n["total_minor"] for n in notes) == sold_total
    refunds = sorted(
        (p["method"], p["amount_minor"]) for p in payments.payments_of(shop) if p["kind"] == "refund"
    )
    paid = sorted(
        (p["method"], p["amount_minor"]) for p in payments.payments_of(shop) if p["kind"] != "refund"
    )
    assert refunds == paid  # each refunded the way it was paid
    assert {o["status"] for o in orders.list_orders(shop)[0]} == {"returned"}
    assert products.get_product(shop, sku="TEA")["stock_qty"] == 0  # every cup back
    assert ledger.trial_balance(shop).balanced
    assert [r["status"] for r in order_import.list_imports(shop)] == ["done", "done"]


def test_an_imported_payment_is_posted_by_the_same_rule_as_one_taken_by_hand(shop) -> None:
    """The import posts its payments in SQL (queries.imports.record_paid); each entry must be the lines
    books.posting.payment_entry gives for the same method, amount, invoice share and customer."""
    from backoffice.books import posting

    order_import.import_file(shop, "Salla", "a.csv", GOOD.encode())
    with shop.db.read() as conn:
        found = conn.execute(
            sa.text(
                "SELECT p.payment_id, p.amount_minor, p.customer_id, m.account_role, "
                "(SELECT COALESCE(sum(a.amount_minor), 0) FROM allocations a WHERE a.payment_id = p.payment_id) "
                "FROM payments p JOIN payment_methods m ON m.org_id = p.org_id AND m.code = p.method "
                "WHERE p.org_id = :org AND p.reference = 'store' ORDER BY p.payment_id"
            ),
            {"org": shop.org_id},
        ).all()
        assert len(found) == 2
        for payment_id, amount, customer, role, applied in found:
            lines = conn.execute(
                sa.text(
                    "SELECT a.role, l.contact_id, l.debit_minor, l.credit_minor FROM journal_lines l "
                    "JOIN journal_entries e ON e.entry_id = l.entry_id JOIN accounts a ON a.account_id = l.account_id "
                    "WHERE e.source_type = 'payment' AND e.source_id = :s AND e.org_id = :org ORDER BY l.line_no"
                ),
                {"s": str(payment_id), "org": shop.org_id},
            ).all()
            expected = posting.payment_entry(role, int(amount), int(applied), customer)
            assert sorted(tuple(x) for x in lines) == sorted(
                (x.account, x.contact_id, x.debit_minor, x.credit_minor) for x in expected
            )
