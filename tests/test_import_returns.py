"""A store re-import credits its returns in one set-based pass (issue 14, finding 11): every row it writes is the row
the per-order path (`invoices.issue_credit_note` + `payments.refund_credit_note`, `invoices.credit_returned_order` +
`payments.refund_returned_order`, which the UI keeps using) writes, on both engines.

Two identical databases are built step by step; the same re-import runs in each, one with the set-based pass, the
other with the per-order functions, and every table the import touches is compared row by row, surrogate ids
replaced by what they point at (a credit note's number, a journal entry's memo and source).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backoffice import imports as order_import
from backoffice.admin import auth, orgs
from backoffice.books import ledger
from backoffice.catalog import products
from backoffice.contacts import customers
from backoffice.core.context import Context
from backoffice.core.errors import BackofficeError
from backoffice.db import Database, open_database
from backoffice.db.queries import imports as imports_q
from backoffice.sales import invoices, orders, payments
from tests.factories import PASSWORD

_twins = itertools.count()

HEADER = (
    "order_id,order_date,status,currency,customer_name,customer_email,sku,product_name,quantity,unit_price,"
    "vat_rate,prices_include_vat,shipping,payment_method"
)
# A1: multi-line with shipping, paid in part by two methods; A2: paid in full by card; A3: unpaid; A4: paid in
# part by two methods; A5 stays sold; A6 is pending (never invoiced) and is then cancelled; A7 sells a service, paid
# by two methods and the customer's credit: its refund is split by the largest remainder.
SOLD = {
    "A1": [
        "A1,2026-03-01 10:00:00,{s},SAR,Huda,huda@example.com,MUG,Mug,2,23.00,15,true,10,mada",
        "A1,,,,,,TEA,Tea,3,11.50,15,true,,",
    ],
    "A2": ["A2,2026-03-02,{s},SAR,Omar,omar@example.com,MUG,Mug,1,23.00,15,true,,card"],
    "A3": [
        "A3,2026-03-02,{s},SAR,Huda,huda@example.com,TEA,Tea,2,11.50,15,true,,",
        "A3,,,,,,SVC,Gift wrap,1,5.00,15,true,,",
    ],
    "A4": [
        "A4,2026-03-03,{s},SAR,Lina,lina@example.com,MUG,Mug,3,20.00,15,false,,cash",
        "A4,,,,,,NEW,New thing,1,7.00,0,false,,",
    ],
    "A5": ["A5,2026-03-03,{s},SAR,Omar,omar@example.com,MUG,Mug,1,23.00,15,true,,card"],
    "A6": ["A6,2026-03-04,{s},SAR,Lina,lina@example.com,TEA,Tea,1,11.50,15,true,,"],
    "A7": ["A7,2026-03-04,{s},SAR,Omar,omar@example.com,SVC,Gift wrap,2,5.00,15,true,,mada"],
}
FIRST = {k: "completed" for k in SOLD} | {"A6": "pending"}
AGAIN = {"A1": "returned", "A2": "cancelled", "A3": "restored", "A4": "cancelled", "A5": "completed",
         "A6": "cancelled", "A7": "returned"}  # fmt: skip
PAYMENTS = (
    "order_id,payment_method,amount,paid_at\n"
    "A1,mada,30.00,2026-03-01 10:00:00\nA1,cash,12.34,2026-03-01 11:00:00\n"
    "A2,card,23.00,\n"
    "A4,cash,40.00,\nA4,mada,29.00,\n"
    "A5,card,23.00,\nA7,mada,4.00,\nA7,cash,3.00,\n"
)
# Returns of their own (cancellation invoices, minus lines), several of TEA: its stock is below zero when the
# first come back (at its cost price) and above zero for the last (at the average cost then).
STANDALONE = (
    "C1,2026-03-05,completed,SAR,Huda,huda@example.com,MUG,Mug,-1,23.00,15,true,,mada\n"
    "C2,2026-03-05,completed,SAR,Omar,omar@example.com,TEA,Tea,-2,11.50,15,true,,\n"
    "C2,,,,,,NEW,New thing,-1,7.00,0,true,,\n"
    "C3,2026-03-06,completed,SAR,Walk-in,walkin@example.com,TEA,Tea,-4,11.50,15,true,,card\n"
    "C4,2026-03-06,completed,SAR,Lina,lina@example.com,TEA,Tea,-3,11.50,15,true,,tabby\n"
    "C5,2026-03-07,completed,SAR,Huda,huda@example.com,TEA,Tea,-1,11.50,15,true,,mada\n"
    "C5,,,,,,MUG,Mug,-2,23.00,15,true,,\n"
    "C5,,,,,,SVC,Gift wrap,-1,5.00,15,true,,\n"
)


def _orders(statuses: dict[str, str]) -> str:
    return (
        HEADER
        + "\n"
        + "".join(line.format(s=statuses[k]) + "\n" for k, lines in SOLD.items() for line in lines)
    )


@pytest.fixture
def copies(
    db: Database, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[Database], Database]]:
    """Copies of `db` made on demand (`copy(db)` appends one), on its engine; disposed and dropped at the end."""
    made: list[tuple[Database, str | None]] = []

    def copy(source: Database) -> Database:
        source.engine.dispose()  # a DuckDB file is complete, a PostgreSQL template has no session left
        if source.is_duckdb:
            path = tmp_path / f"twin{next(_twins)}.duckdb"
            shutil.copyfile(source.url.split(":///", 1)[1], path)
            other = open_database(f"duckdb:///{path}")
            made.append((other, None))
            return other
        server = request.getfixturevalue("pg_server")
        name = f"twin{os.getpid()}_{next(_twins)}"
        other = open_database(server.create_database(name, template=source.url.rsplit("/", 1)[1]))
        made.append((other, name))
        return other

    yield copy
    for other, name in made:
        other.dispose()
        if name is not None:
            request.getfixturevalue("pg_server").drop_database(name)


def _shop(db: Database) -> Context:
    """An organization, its admin, products and a first import of the store's orders, paid in part."""
    org_id = orgs.setup(
        db, "Shop", "SAR", "15", "admin@shop.example", PASSWORD, admin_name="Admin", country="SA"
    )
    ctx = Context(db, auth.sign_in(db, "admin@shop.example", PASSWORD), org_id)
    mug = products.save_product(ctx, {"sku": "MUG", "name": "Mug", "price": "23", "cost": "4"})
    products.receive_stock(ctx, mug, 10, "4.10", date(2026, 2, 1))
    tea = products.save_product(ctx, {"sku": "TEA", "name": "Tea", "price": "11.50", "cost": "2"})
    products.receive_stock(ctx, tea, 3, "3.35", date(2026, 2, 1))  # average 3.35, cost price 2.00
    products.save_product(
        ctx, {"sku": "SVC", "name": "Gift wrap", "price": "5", "cost": "1", "track_stock": False}
    )
    omar = customers.save_customer(ctx, {"name": "Omar", "emails": "omar@example.com"})
    payments.record_payment(
        ctx, omar, "5.00", "bank_transfer", paid_on=date(2026, 2, 1)
    )  # held as his credit
    first = order_import.import_file(
        ctx, "Salla", "sold.csv", _orders(FIRST).encode(), payments=PAYMENTS.encode()
    )
    assert (first.new, first.errors, first.posted) == (7, 0, 6), first.as_json()
    a7 = next(o["invoice_number"] for o in orders.list_orders(ctx)[0] if o["external_id"] == "A7")
    assert payments.apply_credit(ctx, omar, [a7], date(2026, 3, 5)) == [(a7, 300)]
    return ctx


def _one_by_one(conn: Connection, ctx: Context, import_id: int, paid: bool) -> int:
    """The per-order path the import took before issue 14 (finding 11), as it was."""
    made = 0
    for row in imports_q.new_returns(conn, import_id):
        number = invoices.credit_returned_order(
            ctx, row["order_id"], row["order_on"], "returned in the store"
        )
        if paid and row["total_minor"] > 0:
            payments.refund_returned_order(
                ctx, number, row["payment_method"] or "store_payout", row["order_on"]
            )
        made += 1
    for row in imports_q.returns_to_credit(conn, import_id):
        note = invoices.issue_credit_note(
            ctx,
            row["number_text"],
            None,
            f"order #{row['order_id']} returned in the store",
            date.today(),
        )
        with suppress(BackofficeError):  # nothing was paid on it: the credit note alone settles it
            payments.refund_credit_note(ctx, note, False, date.today())
        made += 1
    return made


_TABLES = {
    "invoices": """
        SELECT i.kind, i.series, i.number, i.number_text, i.order_id, i.order_invoice_key, i.customer_id,
               c.number_text, i.issued_on, i.due_on, i.currency, i.prices_include_vat, i.goods_net_minor,
               i.shipping_net_minor, i.net_minor, i.vat_minor, i.total_minor, i.cogs_minor, i.reason, i.batch_id,
               e.memo, e.source_type, e.source_id, ce.memo, i.created_by
        FROM invoices i LEFT JOIN invoices c ON c.invoice_id = i.corrects_invoice_id
        LEFT JOIN journal_entries e ON e.entry_id = i.entry_id LEFT JOIN journal_entries ce ON ce.entry_id = i.cogs_entry_id""",
    "invoice_lines": """
        SELECT i.number_text, l.line_no, l.kind, l.product_id, l.sku, l.description, l.quantity, l.unit_price_minor,
               l.discount_minor, l.vat_rate_bp, l.vat_exempt, l.net_minor, l.vat_minor, l.gross_minor, l.cogs_minor,
               ci.number_text, cl.line_no
        FROM invoice_lines l JOIN invoices i ON i.invoice_id = l.invoice_id
        LEFT JOIN invoice_lines cl ON cl.invoice_line_id = l.corrects_line_id
        LEFT JOIN invoices ci ON ci.invoice_id = cl.invoice_id""",
    "stock_moves": "SELECT org_id, product_id, moved_on, quantity, value_minor, source_type, source_id FROM stock_moves",
    "products": "SELECT product_id, sku, cost_minor, track_stock, stock_qty, stock_value_minor FROM products",
    "journal_entries": "SELECT org_id, entry_on, memo, source_type, source_id, created_by FROM journal_entries",
    "journal_lines": """
        SELECT e.entry_on, e.memo, e.source_type, e.source_id, l.line_no, l.account_id, l.contact_id, l.debit_minor,
               l.credit_minor
        FROM journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id""",
    "payments": """
        SELECT p.customer_id, p.kind, p.method, p.amount_minor, p.paid_on, p.status, p.order_id, i.number_text,
               p.refund_of, p.reference, p.note, e.memo, e.source_id, p.batch_id, p.created_by
        FROM payments p LEFT JOIN invoices i ON i.invoice_id = p.invoice_id
        LEFT JOIN journal_entries e ON e.entry_id = p.entry_id""",
    "allocations": """
        SELECT p.kind, p.method, p.amount_minor, a.kind, i.number_text, a.amount_minor, a.allocated_on, e.memo
        FROM allocations a JOIN invoices i ON i.invoice_id = a.invoice_id
        LEFT JOIN payments p ON p.payment_id = a.payment_id LEFT JOIN journal_entries e ON e.entry_id = a.entry_id""",
    "payment_methods": "SELECT org_id, code, name, account_role, active FROM payment_methods",
    "document_counters": "SELECT org_id, series, next_number FROM document_counters",
    "orders": """
        SELECT order_id, customer_id, status, order_on, currency, prices_include_vat, source, store_id, external_id,
               net_minor, vat_minor, total_minor FROM orders""",
    "order_events": "SELECT order_id, from_status, to_status, note, actor FROM order_events",
    "audit_log": "SELECT user_id, actor, action, entity, entity_id, before_json, after_json FROM audit_log",
    "sync_log": "SELECT store_id, external_id, order_id, import_id, result, reason, file_name, actor FROM sync_log",
    "imports": """
        SELECT import_id, status, new_orders, changed_orders, unchanged_orders, error_orders, posted_orders
        FROM imports""",
    "contacts": "SELECT contact_id, name, emails FROM contacts",
}


_ORDER_IDS = {"invoices": (4, 5), "orders": (0,), "order_events": (0,), "sync_log": (2,), "payments": (6,)}


def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every table the import writes, rows sorted. Order ids, which the import draws in no set order for the new
    orders of a file, are written as the store's order ids, in the columns and texts that hold them."""
    with db.read() as conn:
        found = {table: [list(r) for r in conn.execute(sa.text(sql))] for table, sql in _TABLES.items()}
        external: dict[int, str] = dict(
            conn.execute(sa.text("SELECT order_id, external_id FROM orders")).all()
        )

    def text(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = re.sub(r"order #(\d+)", lambda m: f"order #{external[int(m[1])]}", value)
        return re.sub(r'"order": (\d+)', lambda m: f'"order": "{external[int(m[1])]}"', value)

    for table, rows in found.items():
        for row in rows:
            for i in _ORDER_IDS.get(table, ()):
                row[i] = external.get(row[i], row[i])
            row[:] = [text(v) for v in row]
    return {table: sorted((tuple(r) for r in rows), key=repr) for table, rows in found.items()}


def _books(ctx: Context) -> tuple[bool, dict[int, int]]:
    with ctx.db.read() as conn:
        customers = [
            r[0] for r in conn.execute(sa.text("SELECT contact_id FROM contacts ORDER BY contact_id"))
        ]
    return ledger.trial_balance(ctx).balanced, {c: ledger.receivable_balance(ctx, c) for c in customers}


@pytest.mark.parametrize(
    ("paid", "batch"),
    [(True, None), (True, 4), (False, 3)],
    ids=["paid-one-batch", "paid-batches", "unpaid-batches"],
)
def test_set_based_returns_write_what_the_per_order_path_writes(
    db: Database,
    copies: Callable[[Database], Database],
    monkeypatch: pytest.MonkeyPatch,
    paid: bool,
    batch: int | None,
) -> None:
    again = (_orders(AGAIN).replace(HEADER + "\n", HEADER + "\n" + STANDALONE)).encode()  # returns first
    fast = _shop(db)
    twin = copies(db)  # the per-order path starts from the very same books
    slow = Context(twin, fast.user, fast.org_id)
    assert _dump(db) == _dump(twin)
    a7 = next(o["invoice_number"] for o in orders.list_orders(fast)[0] if o["external_id"] == "A7")
    # one transaction, or several (returns of both kinds in some)
    done = order_import.import_file(fast, "Salla", "again.csv", again, auto_paid=paid, batch_orders=batch)
    with monkeypatch.context() as patch:
        patch.setattr(order_import, "_credit_returns", _one_by_one)
        reference = order_import.import_file(
            slow, "Salla", "again.csv", again, auto_paid=paid, batch_orders=batch
        )
    assert done.as_json() == reference.as_json() and done.errors == 0
    found, expected = _dump(db), _dump(twin)
    for table in _TABLES:
        assert found[table] == expected[table], table
    assert _books(fast) == _books(slow) and _books(fast)[0]

    # the scenario exercises what it claims to: every return credited, goods back at cost, refunds both ways
    notes = [r for r in found["invoices"] if r[0] == "credit_note"]
    assert len(notes) == 5 + 5  # A1, A2, A3, A4, A7 credited; C1-C5 returns of their own
    assert [r[3] for r in sorted(notes, key=lambda r: r[2])] == [f"CN-{n:06d}" for n in range(1, 11)]
    assert sum(1 for r in found["journal_entries"] if r[3] == "stock_return") >= 7
    refunds = [r for r in found["payments"] if r[1] == "refund"]
    two_ways = {r[10] for r in refunds if r[7] and r[7].startswith("INV")}
    assert {r[2] for r in refunds if r[10] in two_ways} >= {"mada", "cash"}
    assert sorted(r[3] for r in refunds if r[7] == a7) == [429, 571]  # 10.00 over 4.00 + 3.00 paid
    assert any(r[2] == "tabby" for r in refunds) == paid  # a method the store named, added for the refund
    assert all(r[2] == "returned" for r in found["orders"] if r[8] in ("A1", "A2", "A3", "A4", "A7"))
    tea = next(r for r in found["products"] if r[1] == "TEA")
    moves = [r for r in found["stock_moves"] if r[1] == tea[0] and r[5] == "credit_note"]
    assert len({m[4] // m[3] for m in moves}) >= 2  # cost price while below zero, the average after

    # and the comparison sees a missing cost-of-goods reversal or a missing refund
    with db.write() as conn:
        conn.execute(
            sa.text(
                "DELETE FROM journal_lines WHERE entry_id IN "
                "(SELECT entry_id FROM journal_entries WHERE source_type = 'stock_return')"
            )
        )
    assert _dump(db)["journal_lines"] != expected["journal_lines"]
    with twin.write() as conn:
        conn.execute(sa.text("DELETE FROM payments WHERE kind = 'refund' AND method = 'cash'"))
    assert _dump(twin)["payments"] != expected["payments"]
