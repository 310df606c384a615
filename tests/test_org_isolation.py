"""No service takes another organization's id (issue 14, finding 2).

An admin of organization A passes, to every id parameter of every public service function (ids, document
numbers, SKUs, ids inside lines, statements and receipts), a real value that exists only in organization B.
Each call must be refused — NotFoundError for the argument itself, or ValidationError naming the line or field
when the id is one item of a form — with a message that shows none of B's data, and nothing may be written:
every table of the database is the same after the call as before it.

The table FOREIGN names the call for each (function, parameter); a new id parameter without a row fails the
first test, like the permission meta-test in test_permissions.py.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import os
import re
import shutil
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from backoffice import imports as order_import
from backoffice import messaging
from backoffice.admin import jobs, tokens
from backoffice.books import ledger, opening, receivables
from backoffice.catalog import products
from backoffice.contacts import customers
from backoffice.core.context import Context, User
from backoffice.core.errors import NotFoundError, ValidationError
from backoffice.db import Database, open_database
from backoffice.db.queries import reports as reports_q
from backoffice.sales import invoices, orders, payments
from backoffice.sales.invoices import ReturnRequest
from backoffice.sales.orders import LineRequest
from tests.conftest import ENGINES
from tests.factories import make_customer, make_org, make_product, make_user
from tests.pgserver import PgServer
from tests.test_permissions import _service_functions

SECRET_NAME = "Secret Customer of B"
SECRET_EMAIL = "secret.customer@b.example"
SECRET_PRODUCT = "Secret product of B"
ONLY_IN_B = "INV-000003"  # A has issued one invoice, B three: the same number is A's own below 3
ACCOUNT_ONLY_IN_B = "1210"  # raw materials: B's chart is a manufacturer's, A's a trader's
UNREACHABLE_SMTP = 1  # connection refused at once: a message that is queued fails and stays in the outbox


# ---------------------------------------------------------------- which parameters are ids

_ID_NAME = re.compile(r"_ids?$")
_REFERENCE_NAMES = {  # parameters that name another entity without ending in _id
    "number",  # an invoice or credit note (or, for statements, a customer id)
    "invoice_number",
    "invoice_numbers",
    "credit_note",
    "sku",
    "external_ids",
    "welcome_invoice",  # products by SKU
    "key",  # a report row: a customer, product, store, category or account
}
_REFERENCE_FIELDS = {"account", "customer", "sku"}  # dataclass fields that name another entity
_NOT_IDS = {"request_id", "source_id"}  # an idempotency key the caller makes up; the document an entry cites


def _dataclasses_in(fn: Callable[..., Any], annotation: Any) -> list[type]:
    """The dataclasses an annotation mentions (string annotations resolved in the function's module)."""
    names = re.findall(r"[A-Za-z_][\w.]*", annotation if isinstance(annotation, str) else repr(annotation))
    found = []
    for name in names:
        target: Any = fn.__globals__
        for part in name.split("."):
            target = target.get(part) if isinstance(target, dict) else getattr(target, part, None)
            if target is None:
                break
        if isinstance(target, type) and dataclasses.is_dataclass(target):
            found.append(target)
    return found


def _holds_ids(cls: type) -> bool:
    return any(_ID_NAME.search(f.name) or f.name in _REFERENCE_FIELDS for f in dataclasses.fields(cls))


def id_parameters() -> set[str]:
    """'module.function:parameter' for every id parameter of every public service function."""
    found = set()
    for name, fn in _service_functions().items():
        assert isinstance(fn, types.FunctionType)
        for param in list(inspect.signature(fn).parameters.values())[1:]:
            if param.name not in _NOT_IDS and (
                _ID_NAME.search(param.name)
                or param.name in _REFERENCE_NAMES
                or any(_holds_ids(c) for c in _dataclasses_in(fn, param.annotation))
            ):
                found.add(f"{name}:{param.name}")
    return found


# ---------------------------------------------------------------- two organizations with something of everything


@dataclass(frozen=True)
class Side:
    org_id: int
    user: User
    customer: int
    product_sku: str
    product: int


@dataclass(frozen=True)
class World:
    a: Side
    b: Side
    b_order: int
    b_payment: int
    b_authorization: int
    b_note: int
    b_attachment: int
    b_field: int
    b_entry: int
    b_store: int
    b_category: int
    b_member: int
    b_token: int
    b_job: int
    b_message: int
    a_invoice: str
    b_credit_note: str


def _build(db: Database) -> World:
    a_org, a = make_org(db, name="Org A")
    b_org, b = make_org(db, name="Org B", business_type="manufacturing")
    # B: a customer with invoices, payments, a return, a note with a file, a custom field, a store, messages …
    b_customer = make_customer(b, name=SECRET_NAME, emails=SECRET_EMAIL)
    customers.save_customer(b, {"name": "Other of B"}, categories=["Secret category"])
    b_product = make_product(b, "BSKU-SECRET", price="10", stock=50, name=SECRET_PRODUCT)
    for _ in range(3):
        order_id = orders.create_order(b, b_customer, [LineRequest("BSKU-SECRET", 1)], status="confirmed")
        invoices.issue_invoice(b, order_id)
    b_payment = payments.record_payment(b, b_customer, "11.50", "cash", [ONLY_IN_B]).payment_id
    b_credit_note = invoices.issue_credit_note(b, ONLY_IN_B)
    b_authorization = payments.record_payment(b, b_customer, "5", "card", authorize_only=True).payment_id
    b_order = orders.create_order(b, b_customer, [LineRequest("BSKU-SECRET", 1)], status="confirmed")
    b_note = customers.add_note(b, b_customer, "secret note", [("secret.txt", "text/plain", b"secret")])
    b_field = customers.define_custom_field(b, "Secret field", "text")
    b_entry = ledger.post_manual_entry(
        b, date(2026, 1, 5), "rent", [ledger.EntryLine("cash", 0, 100), ledger.EntryLine("6100", 100)]
    )
    order_import.import_file(
        b,
        "B Shop",
        "b.csv",
        b"order_id,order_date,status,customer_name,customer_email,sku,quantity,unit_price\n"
        b"B-1,2026-03-01,payment_pending,Shopper of B,shopper@b.example,BSKU-SECRET,1,10\n",
    )
    b_member = make_user(b, "sales").user.user_id
    messaging.set_smtp_settings(b, "127.0.0.1", UNREACHABLE_SMTP, "billing@b.example", tls="none")
    messaging.add_credits(b, 10)
    messaging.send_document(b, "invoice", ONLY_IN_B)  # fails to connect: a failed message to retry
    # A: a customer with an open invoice and credit held, a product, a store, sender settings and credits
    a_customer = make_customer(a)
    make_product(a, "ASKU", price="10", stock=50)
    payments.record_payment(a, a_customer, "3", "cash")  # on account: credit held
    a_order = orders.create_order(a, a_customer, [LineRequest("ASKU", 2)], status="confirmed")
    a_invoice = invoices.issue_invoice(a, a_order)
    order_import.set_store(a, "A Shop")
    messaging.set_smtp_settings(
        a, "127.0.0.1", UNREACHABLE_SMTP, "billing@a.example", tls="none", welcome_enabled=True
    )
    messaging.add_credits(a, 10)
    return World(
        a=Side(a_org, a.user, a_customer, "ASKU", products.get_product(a, sku="ASKU")["product_id"]),
        b=Side(b_org, b.user, b_customer, "BSKU-SECRET", b_product),
        b_order=b_order,
        b_payment=b_payment,
        b_authorization=b_authorization,
        b_note=b_note,
        b_attachment=customers.list_notes(b, b_customer)[0]["attachments"][0]["attachment_id"],
        b_field=b_field,
        b_entry=b_entry,
        b_store=order_import.list_stores(b)[0]["store_id"],
        b_category=customers.list_categories(b)[0]["category_id"],
        b_member=b_member,
        b_token=tokens.create_token(b, "B's script")["id"],
        b_job=jobs.start_job(b, "import"),
        b_message=messaging.list_outbox(b)[0]["message_id"],
        a_invoice=a_invoice,
        b_credit_note=b_credit_note,
    )


_counter = itertools.count()


@pytest.fixture(scope="module", params=ENGINES)
def world_template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Any, World]]:
    """The two organizations, built once per engine; each test works on a copy."""
    if request.param == "duckdb":
        path = tmp_path_factory.mktemp("world") / "world.duckdb"
        shutil.copyfile(request.getfixturevalue("duckdb_template"), path)
        db = open_database(f"duckdb:///{path}")
        world = _build(db)
        with db.write() as conn:
            conn.exec_driver_sql("CHECKPOINT")
        db.dispose()
        yield "duckdb", path, world
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"world{os.getpid()}"
    db = open_database(server.create_database(name, template="backoffice_template"))
    world = _build(db)
    db.dispose()
    yield "postgresql", name, world
    server.drop_database(name)


@pytest.fixture
def world(
    world_template: tuple[str, Any, World], request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Database, World]]:
    engine, source, built = world_template
    if engine == "duckdb":
        path = tmp_path / "copy.duckdb"
        shutil.copyfile(source, path)
        db = open_database(f"duckdb:///{path}")
        yield db, built
        db.dispose()
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"{source}_{next(_counter)}"
    db = open_database(server.create_database(name, template=source))
    yield db, built
    db.dispose()
    server.drop_database(name)


# ---------------------------------------------------------------- one call per id parameter

Call = Callable[[World], dict[str, Any]]
B_STATEMENT = lambda w: receivables.Statement(w.b.customer, "X", None, date(2026, 1, 1), 0, (), 0)  # noqa: E731
B_RECEIPT = lambda w: payments.Receipt("RCT-1", date(2026, 1, 1), "X", 100, "cash", customer_id=w.b.customer)  # noqa: E731

FOREIGN: dict[str, list[Call]] = {
    "auth.issue_reset_token:user_id": [lambda w: {"user_id": w.b_member}],
    "auth.set_role:user_id": [lambda w: {"user_id": w.b_member, "role": "viewer"}],
    "auth.remove_member:user_id": [lambda w: {"user_id": w.b_member}],
    "sessions.end_sessions:user_id": [lambda w: {"user_id": w.b_member}],
    "tokens.revoke_token:token_id": [lambda w: {"token_id": w.b_token}],
    "jobs.get_job:job_id": [lambda w: {"job_id": w.b_job}],
    "jobs.report_progress:job_id": [lambda w: {"job_id": w.b_job, "fraction": 0.5, "stage": "read"}],
    "jobs.finish_job:job_id": [lambda w: {"job_id": w.b_job, "exit_code": 0, "output": "", "error": ""}],
    "customers.check_customer:contact_id": [lambda w: {"values": {"name": "X"}, "contact_id": w.b.customer}],
    "customers.save_customer:contact_id": [lambda w: {"values": {"name": "X"}, "contact_id": w.b.customer}],
    "customers.get_customer:contact_id": [lambda w: {"contact_id": w.b.customer}],
    "customers.delete_custom_field:field_id": [lambda w: {"field_id": w.b_field}],
    "customers.add_note:contact_id": [lambda w: {"contact_id": w.b.customer, "body": "x"}],
    "customers.list_notes:contact_id": [lambda w: {"contact_id": w.b.customer}],
    "customers.get_attachment:attachment_id": [lambda w: {"attachment_id": w.b_attachment}],
    "documents.discard_kept_pdfs:number": [lambda w: {"number": ONLY_IN_B}],
    "documents.document_languages:customer_id": [lambda w: {"customer_id": w.b.customer}],
    "documents.render_invoice_pdf:number": [
        lambda w: {"number": ONLY_IN_B},
        lambda w: {"number": w.b_credit_note},
    ],
    "documents.render_statement_pdf:statement": [lambda w: {"statement": B_STATEMENT(w)}],
    "documents.render_receipt_pdf:receipt": [lambda w: {"receipt": B_RECEIPT(w)}],
    "receivables.statement_from_ledger:customer_id": [lambda w: {"customer_id": w.b.customer}],
    "invoices.explain_invoice:number": [lambda w: {"number": ONLY_IN_B}],
    "invoices.get_invoice:number": [lambda w: {"number": ONLY_IN_B}, lambda w: {"number": w.b_credit_note}],
    "invoices.invoice_ready_orders:store_id": [lambda w: {"store_id": w.b_store}],
    "invoices.issue_credit_note:invoice_number": [lambda w: {"invoice_number": ONLY_IN_B}],
    "invoices.issue_credit_note:returns": [
        lambda w: {"invoice_number": w.a_invoice, "returns": [ReturnRequest(w.b.product_sku, 1)]}
    ],
    "invoices.issue_direct_invoice:customer_id": [
        lambda w: {"customer_id": w.b.customer, "lines": [LineRequest(w.a.product_sku, 1)]}
    ],
    "invoices.issue_direct_invoice:lines": [
        lambda w: {"customer_id": w.a.customer, "lines": [LineRequest(w.b.product_sku, 1)]}
    ],
    "invoices.issue_invoice:order_id": [lambda w: {"order_id": w.b_order}],
    "invoices.list_invoices:customer_id": [lambda w: {"customer_id": w.b.customer}],
    "ledger.entry_lines:entry_id": [lambda w: {"entry_id": w.b_entry}],
    "ledger.post_manual_entry:lines": [
        lambda w: {
            "entry_on": date(2026, 1, 5),
            "memo": "m",
            "lines": [ledger.EntryLine("ar", 100, 0, w.b.customer), ledger.EntryLine("4000", 0, 100)],
        },
        lambda w: {
            "entry_on": date(2026, 1, 5),
            "memo": "m",
            "lines": [ledger.EntryLine(ACCOUNT_ONLY_IN_B, 100), ledger.EntryLine("cash", 0, 100)],
        },
    ],
    "ledger.receivable_balance:contact_id": [lambda w: {"contact_id": w.b.customer}],
    "outbox.draft_document:number": [
        lambda w: {"kind": "invoice", "number": ONLY_IN_B},
        lambda w: {"kind": "statement", "number": str(w.b.customer)},
    ],
    "outbox.list_outbox:contact_id": [lambda w: {"contact_id": w.b.customer}],
    "outbox.retry_failed:message_ids": [lambda w: {"message_ids": [w.b_message]}],
    "outbox.send_document:number": [
        lambda w: {"kind": "invoice", "number": ONLY_IN_B, "to": "x@a.example"},
        lambda w: {"kind": "credit_note", "number": w.b_credit_note, "to": "x@a.example"},
        lambda w: {"kind": "statement", "number": str(w.b.customer), "to": "x@a.example"},
    ],
    "welcome.send_welcome:customer_id": [lambda w: {"customer_id": w.b.customer}],
    "settings.set_smtp_settings:welcome_invoice": [
        lambda w: {
            "host": "127.0.0.1",
            "port": UNREACHABLE_SMTP,
            "sender_address": "billing@a.example",
            "welcome_invoice": f"{w.b.product_sku}:1",
        }
    ],
    "outbox.share_link:number": [
        lambda w: {"kind": "invoice", "number": ONLY_IN_B, "phone": "+966501234567"},
        lambda w: {"kind": "statement", "number": str(w.b.customer), "phone": "+966501234567"},
    ],
    "opening.post_opening_balances:lines": [
        lambda w: {
            "on": date(2026, 1, 1),
            "lines": [opening.OpeningLine("1100", "5", customer=str(w.b.customer))],
        },
        lambda w: {
            "on": date(2026, 1, 1),
            "lines": [opening.OpeningLine("1100", "5", customer=SECRET_EMAIL)],
        },
        lambda w: {"on": date(2026, 1, 1), "lines": [opening.OpeningLine(ACCOUNT_ONLY_IN_B, "5")]},
    ],
    "imports.post_orders:external_ids": [lambda w: {"store_name": "A Shop", "external_ids": ["B-1"]}],
    "orders.create_order:customer_id": [
        lambda w: {"customer_id": w.b.customer, "lines": [LineRequest(w.a.product_sku, 1)]}
    ],
    "orders.create_order:lines": [
        lambda w: {"customer_id": w.a.customer, "lines": [LineRequest(w.b.product_sku, 1)]}
    ],
    "orders.explain_order:order_id": [lambda w: {"order_id": w.b_order}],
    "orders.get_order:order_id": [lambda w: {"order_id": w.b_order}],
    "orders.list_orders:customer_id": [lambda w: {"customer_id": w.b.customer}],
    "orders.transition_order:order_id": [lambda w: {"order_id": w.b_order, "to": "fulfilled"}],
    "payments.apply_credit:customer_id": [lambda w: {"customer_id": w.b.customer}],
    "payments.apply_credit:invoice_numbers": [
        lambda w: {"customer_id": w.a.customer, "invoice_numbers": [ONLY_IN_B]}
    ],
    "lifecycle.cancel_order:order_id": [lambda w: {"order_id": w.b_order}],
    "lifecycle.move_order:order_id": [lambda w: {"order_id": w.b_order, "to": "confirmed"}],
    "payments.capture_payment:payment_id": [lambda w: {"payment_id": w.b_authorization}],
    "receivables.customer_position:customer_id": [lambda w: {"customer_id": w.b.customer}],
    "lifecycle.fulfil_order:order_id": [lambda w: {"order_id": w.b_order}],
    "payments.payments_of:customer_id": [lambda w: {"customer_id": w.b.customer}],
    "payments.receipt:payment_id": [lambda w: {"payment_id": w.b_payment}],
    "payments.record_payment:customer_id": [
        lambda w: {"customer_id": w.b.customer, "amount": "1", "method": "cash"}
    ],
    "payments.record_payment:invoice_numbers": [
        lambda w: {
            "customer_id": w.a.customer,
            "amount": "1",
            "method": "cash",
            "invoice_numbers": [ONLY_IN_B],
        }
    ],
    "payments.refund_credit:customer_id": [
        lambda w: {"customer_id": w.b.customer, "amount": "1", "method": "cash"}
    ],
    "payments.refund_credit_note:credit_note": [lambda w: {"credit_note": w.b_credit_note}],
    "payments.refund_returned_order:credit_note": [
        lambda w: {"credit_note": w.b_credit_note, "method": "cash", "on": date(2026, 1, 5)}
    ],
    "payments.settle_deposits:order_id": [lambda w: {"order_id": w.b_order, "on": date(2026, 1, 5)}],
    "payments.return_deposits:order_id": [
        lambda w: {"order_id": w.b_order, "fee_percent": None, "refund_method": None, "on": date(2026, 1, 5)}
    ],
    "payments.capture_authorized:order_id": [lambda w: {"order_id": w.b_order, "on": date(2026, 1, 5)}],
    "payments.has_deposit_left:order_id": [lambda w: {"order_id": w.b_order}],
    "receivables.check_customer:customer_id": [lambda w: {"customer_id": w.b.customer}],
    "invoices.credit_returned_order:order_id": [lambda w: {"order_id": w.b_order, "on": date(2026, 1, 5)}],
    "invoices.invoice_batch:order_id": [lambda w: {"order_id": w.b_order}],
    "invoices.invoice_batch:order_ids": [lambda w: {"order_ids": [w.b_order]}],
    "invoices.invoice_batch:store_id": [lambda w: {"store_id": w.b_store}],
    "ledger.post_entry:lines": [
        lambda w: {
            "entry_on": date(2026, 1, 5),
            "memo": "m",
            "lines": [ledger.EntryLine("ar", 100, 0, w.b.customer), ledger.EntryLine("4000", 0, 100)],
            "source_type": "manual",
        },
    ],
    "receivables.statement:customer_id": [lambda w: {"customer_id": w.b.customer}],
    "payments.take_deposit:order_id": [lambda w: {"order_id": w.b_order, "amount": "1"}],
    "payments.void_payment:payment_id": [lambda w: {"payment_id": w.b_authorization}],
    "products.get_product:product_id": [lambda w: {"product_id": w.b.product}],
    "products.get_product:sku": [lambda w: {"sku": w.b.product_sku}],
    "products.receive_stock:product_id": [lambda w: {"product_id": w.b.product, "quantity": 1}],
    "products.save_product:product_id": [lambda w: {"values": {"price": "1"}, "product_id": w.b.product}],
    "drilldown.report_documents:key": [
        lambda w: {"name": "sales", "by": "customer", "key": str(w.b.customer)},
        lambda w: {"name": "sales", "by": "product", "key": str(w.b.product)},
        lambda w: {"name": "sales", "by": "channel", "key": str(w.b_store)},
        lambda w: {"name": "sales", "by": "customer-category", "key": str(w.b_category)},
        lambda w: {"name": "aging", "key": str(w.b.customer)},
        lambda w: {"name": "trial-balance", "key": ACCOUNT_ONLY_IN_B},
    ],
}
# Filters of a log, not references: the audit log keeps entries of things since deleted (custom fields,
# members), and a store's order ids repeat across organizations. B's value selects nothing of A's own log.
LOG_FILTERS: dict[str, Call] = {
    "audit.list_entries:entity_id": lambda w: {"entity": "contact", "entity_id": w.b.customer},
    "imports.sync_log:external_id": lambda w: {"external_id": "B-1"},
}


def test_every_id_parameter_is_in_the_table() -> None:
    assert sorted(id_parameters()) == sorted([*FOREIGN, *LOG_FILTERS])


def snapshot(db: Database) -> dict[str, list[str]]:
    """Every row of every table, as text: equal snapshots mean nothing was written."""
    with db.read() as conn:
        tables = reports_q.table_columns(conn)
        return {
            table: sorted(repr(tuple(r)) for r in conn.exec_driver_sql(f'SELECT * FROM "{table}"'))  # noqa: S608
            for table in tables
        }


def _values_of_b(w: World) -> list[str]:
    """What exists only in B, as a message or an argument spells it."""
    ids = [w.b.customer, w.b.product, w.b_order, w.b_payment, w.b_authorization, w.b_note, w.b_attachment]
    ids += [w.b_field, w.b_entry, w.b_store, w.b_category, w.b_member, w.b_message]
    return [str(i) for i in ids] + [
        ONLY_IN_B,
        w.b_credit_note,
        w.b.product_sku,
        SECRET_EMAIL,
        ACCOUNT_ONLY_IN_B,
        "B-1",
    ]


def _names(text: str, value: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text) is not None


def _as_admin_of_a(db: Database, w: World) -> Context:
    return Context(db, w.a.user, w.a.org_id)


def _cases() -> list[Any]:
    return [
        pytest.param(key, n, id=f"{key}#{n}" if len(calls) > 1 else key)
        for key, calls in sorted(FOREIGN.items())
        for n in range(len(calls))
    ]


@pytest.mark.parametrize(("key", "n"), _cases())
def test_an_id_of_organization_b_is_refused_and_nothing_is_written(
    world: tuple[Database, World], key: str, n: int
) -> None:
    db, w = world
    name, param = key.split(":")
    before = snapshot(db)
    kwargs = FOREIGN[key][n](w)
    with pytest.raises((NotFoundError, ValidationError)) as refused:
        _service_functions()[name](_as_admin_of_a(db, w), **kwargs)
    message = str(refused.value)
    assert re.search(r"(?i)\b(no|not)\b", message), message
    # refused for the value A passed, not for something else about the call
    passed = [v for v in _values_of_b(w) if _names(repr(kwargs[param]), v)]
    assert passed, f"{key}: the call passes none of B's values"
    assert any(_names(message, v) for v in passed) or "not a member of this organization" in message, message
    for secret in (SECRET_NAME, SECRET_EMAIL, SECRET_PRODUCT, "Secret category", "secret note"):
        assert secret not in message or secret in repr(kwargs)  # what A typed may be echoed, nothing else
    assert snapshot(db) == before


@pytest.mark.parametrize("key", sorted(LOG_FILTERS))
def test_a_log_filtered_by_an_id_of_organization_b_shows_nothing(
    world: tuple[Database, World], key: str
) -> None:
    db, w = world
    name, _ = key.split(":")
    before = snapshot(db)
    assert _service_functions()[name](_as_admin_of_a(db, w), **LOG_FILTERS[key](w)) == []
    assert snapshot(db) == before
