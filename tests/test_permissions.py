"""Every service function checks the caller's role in the organization it touches (SPEC A3).

The table below names sample arguments for each public function that takes a Context; a new
function without a row fails the first test, so no service can ship without this check.
"""

import importlib
import inspect
import pkgutil
from datetime import date

import pytest

import backoffice
from backoffice import messaging
from backoffice.books import ledger, opening, receivables
from backoffice.core.context import Context
from backoffice.core.errors import PermissionDenied
from backoffice.db import Database, audit
from backoffice.sales import payments
from backoffice.sales.orders import LineRequest
from tests.factories import make_customer, make_org, make_user

# Every module of every domain package: a new module's public functions join the table by themselves. The
# front-ends (web, cli) call services; db holds SQL and the transaction seam; core takes no Context.
FRONT_AND_BASE = ("backoffice.web", "backoffice.cli", "backoffice.core")
MODULES = [
    importlib.import_module(info.name)
    for info in pkgutil.walk_packages(backoffice.__path__, "backoffice.")
    if not info.name.startswith(FRONT_AND_BASE) and not info.name.startswith("backoffice.db.")
] + [audit]
CALLS = {  # function name: (kwargs, the permission family that may call it)
    "audit.list_entries": ({}, "admin"),
    "tokens.create_token": ({"name": "script"}, "read"),  # one's own; another member's needs users.manage
    "tokens.list_tokens": ({}, "read"),
    "tokens.revoke_token": ({"token_id": 1}, "read"),
    "jobs.start_job": ({"kind": "import"}, "write"),
    "jobs.report_progress": ({"job_id": 1, "fraction": 0.5, "stage": "read"}, "read"),
    "jobs.finish_job": ({"job_id": 1, "exit_code": 0, "output": "", "error": ""}, "read"),
    "jobs.get_job": ({"job_id": 1}, "read"),
    "auth.add_user": ({"email": "x@example.com", "name": "X", "role": "viewer"}, "admin"),
    "auth.issue_reset_token": ({"user_id": 1}, "admin"),
    "auth.account_id": ({"email": "x@example.com"}, "admin"),
    "auth.set_role": ({"user_id": 1, "role": "viewer"}, "admin"),
    "auth.remove_member": ({"user_id": 1}, "admin"),
    "auth.list_members": ({}, "read"),
    "auth.list_invitations": ({}, "read"),
    "sessions.end_sessions": ({"user_id": 1}, "admin"),
    "customers.check_customer": ({"values": {"name": "X"}}, "read"),
    "customers.save_customer": ({"values": {"name": "X"}}, "write"),
    "customers.get_customer": ({"contact_id": 1}, "read"),
    "customers.list_customers": ({}, "read"),
    "customers.list_categories": ({}, "read"),
    "customers.list_custom_fields": ({}, "read"),
    "customers.define_custom_field": ({"name": "F", "kind": "text"}, "admin"),
    "customers.delete_custom_field": ({"field_id": 1}, "admin"),
    "customers.add_note": ({"contact_id": 1, "body": "x"}, "write"),
    "customers.list_notes": ({"contact_id": 1}, "read"),
    "customers.get_attachment": ({"attachment_id": 1}, "read"),
    "customers.import_customers": ({"file_name": "a.csv", "data": b"name\nA\n"}, "write"),
    "customers.export_customers": ({}, "read"),
    "ledger.post_manual_entry": (
        {
            "entry_on": date(2026, 1, 1),
            "memo": "m",
            "lines": [ledger.EntryLine("cash", 1), ledger.EntryLine("6100", 0, 1)],
        },
        "books",
    ),
    "ledger.list_accounts": ({}, "read"),
    "ledger.entry_lines": ({"entry_id": 1}, "ledger"),
    "ledger.trial_balance": ({}, "ledger"),
    "ledger.receivable_balance": ({"contact_id": 1}, "read"),
    "orgs.get_settings": ({}, "read"),
    "products.save_product": ({"values": {"sku": "X", "name": "X", "price": "1"}}, "books"),
    "products.receive_stock": ({"product_id": 1, "quantity": 1}, "books"),
    "products.get_product": ({"product_id": 1}, "read"),
    "products.list_products": ({}, "read"),
    "products.negative_stock": ({}, "read"),
    "products.import_products": ({"file_name": "p.csv", "data": b"sku,name,price\nA,B,1\n"}, "books"),
    "orders.create_order": ({"customer_id": None, "lines": [LineRequest("X", 1)]}, "write"),
    "orders.transition_order": ({"order_id": 1, "to": "confirmed"}, "write"),
    "orders.get_order": ({"order_id": 1}, "read"),
    "orders.list_orders": ({}, "read"),
    "orders.explain_order": ({"order_id": 1}, "read"),
    "invoices.issue_invoice": ({"order_id": 1}, "write"),
    "invoices.issue_direct_invoice": ({"customer_id": None, "lines": [LineRequest("X", 1)]}, "write"),
    "invoices.invoice_ready_orders": ({}, "write"),
    "invoices.issue_credit_note": ({"invoice_number": "INV-000001"}, "write"),
    "invoices.get_invoice": ({"number": "INV-000001"}, "read"),
    "invoices.list_invoices": ({}, "read"),
    "invoices.explain_invoice": ({"number": "INV-000001"}, "read"),
    "imports.set_store": ({"name": "Web"}, "admin"),
    "imports.list_imports": ({}, "read"),
    "imports.list_stores": ({}, "read"),
    "imports.save_mapping": ({"name": "zid", "mapping": {"order_id": "رقم الطلب"}}, "admin"),
    "imports.list_mappings": ({}, "read"),
    "imports.import_file": ({"store_name": "Web", "file_name": "a.csv", "data": b"order_id\n"}, "write"),
    "imports.post_orders": ({"store_name": "Web", "external_ids": ["1"]}, "write"),
    "imports.sync_log": ({}, "read"),
    "imports.file_headers": ({"file_name": "a.csv", "data": b"order_id\n1\n"}, "read"),
    "documents.render_invoice_pdf": ({"number": "INV-000001"}, "read"),
    "documents.render_statement_pdf": (
        {"statement": receivables.Statement(1, "X", None, date(2026, 1, 1), 0, (), 0)},
        "read",
    ),
    "documents.render_receipt_pdf": (
        {"receipt": payments.Receipt("RCT-1", date(2026, 1, 1), "X", 100, "cash")},
        "read",
    ),
    "receivables.statement_from_ledger": ({"customer_id": 1}, "read"),
    "documents.discard_kept_pdfs": ({}, "admin"),
    "documents.document_languages": ({}, "read"),
    "payments.receipt": ({"payment_id": 1}, "read"),
    "settings.get_smtp_settings": ({}, "read"),
    "settings.set_smtp_settings": ({"host": "h", "port": 25, "sender_address": "a@b.co"}, "admin"),
    "outbox.send_test_message": ({"to": "a@b.co"}, "admin"),
    "settings.get_credits": ({}, "read"),
    "settings.add_credits": ({"amount": 1}, "admin"),
    "outbox.draft_document": ({"kind": "invoice", "number": "INV-000001"}, "read"),
    "outbox.send_document": ({"kind": "invoice", "number": "INV-000001"}, "write"),
    "bulk.preview_bulk": ({"selection": messaging.BulkSelection(numbers="1..2")}, "read"),
    "bulk.send_bulk": ({"selection": messaging.BulkSelection(numbers="1..2")}, "write"),
    "outbox.retry_failed": ({}, "write"),
    "outbox.list_outbox": ({}, "read"),
    "reminders.overdue_by_customer": ({}, "read"),
    "reminders.send_reminders": ({}, "write"),
    "reminders.send_due_reminders": ({}, "write"),
    "welcome.send_welcome": ({"customer_id": 1}, "write"),
    "welcome.save_customer_and_welcome": ({"values": {"name": "X"}}, "write"),
    "outbox.share_link": ({"kind": "invoice", "number": "INV-000001"}, "write"),
    "outbox.stale_sending": ({}, "read"),
    "outbox.send_file": ({"to": "a@b.co", "subject": "s", "file_name": "f.csv", "data": b"x"}, "write"),
    "sales.sales_report": ({}, "ledger"),
    "profit.profit_report": ({}, "ledger"),
    "vat.vat_report": ({}, "ledger"),
    "statements.aging_report": ({}, "ledger"),
    "statements.trial_balance_report": ({}, "ledger"),
    "statements.profit_and_loss": ({}, "ledger"),
    "statements.balance_sheet": ({}, "ledger"),
    "run.run_report": ({"name": "sales"}, "ledger"),
    "drilldown.report_documents": ({"name": "sales", "key": "1"}, "ledger"),
    "export.export_all": ({"out": "never-written.xlsx"}, "admin"),
    "run.email_report": ({"name": "sales", "to": "a@b.co"}, "ledger"),
    "payments.list_methods": ({}, "read"),
    "payments.add_method": ({"code": "mada", "name": "mada", "account": "card_clearing"}, "admin"),
    "payments.record_payment": ({"customer_id": 1, "amount": "1", "method": "cash"}, "write"),
    "payments.take_deposit": ({"order_id": 1}, "write"),
    "payments.capture_payment": ({"payment_id": 1}, "write"),
    "payments.void_payment": ({"payment_id": 1}, "write"),
    "payments.apply_credit": ({"customer_id": 1}, "write"),
    "payments.refund_credit_note": ({"credit_note": "CN-000001"}, "write"),
    "payments.refund_credit": ({"customer_id": 1, "amount": "1", "method": "cash"}, "write"),
    "lifecycle.cancel_order": ({"order_id": 1}, "write"),
    "lifecycle.move_order": ({"order_id": 1, "to": "confirmed"}, "write"),
    "receivables.check_customer": ({"customer_id": 1}, "read"),
    "invoices.invoice_batch": ({}, "write"),
    "invoices.credit_returned_order": ({"order_id": 1, "on": date(2026, 1, 1)}, "write"),
    "payments.settle_deposits": ({"order_id": 1, "on": date(2026, 1, 1)}, "write"),
    "payments.refund_returned_order": (
        {"credit_note": "CN-000001", "method": "cash", "on": date(2026, 1, 1)},
        "write",
    ),
    "payments.return_deposits": (
        {"order_id": 1, "fee_percent": None, "refund_method": None, "on": date(2026, 1, 1)},
        "write",
    ),
    "payments.capture_authorized": ({"order_id": 1, "on": date(2026, 1, 1)}, "write"),
    "payments.has_deposit_left": ({"order_id": 1}, "read"),
    "ledger.post_entry": (
        {
            "entry_on": date(2026, 1, 1),
            "memo": "m",
            "lines": [ledger.EntryLine("cash", 1), ledger.EntryLine("6100", 0, 1)],
            "source_type": "manual",
        },
        "books",
    ),
    "lifecycle.fulfil_order": ({"order_id": 1}, "write"),
    "payments.payments_of": ({}, "read"),
    "receivables.customer_position": ({"customer_id": 1}, "read"),
    "receivables.statement": ({"customer_id": 1}, "read"),
    "receivables.aging": ({}, "ledger"),
    "opening.post_opening_balances": (
        {"on": date(2026, 1, 1), "lines": [opening.OpeningLine("1010", "1")]},
        "books",
    ),
    "orgs.update_settings": ({"city": "Riyadh"}, "admin"),
    "orgs.set_tax_rate": ({"code": "standard", "percent": "15", "valid_from": date(2026, 1, 1)}, "admin"),
    "orgs.vat_rate_on": ({"on": date(2026, 1, 1)}, "read"),
}
ALLOWED = {
    "read": {"admin", "accountant", "sales", "viewer"},
    "write": {"admin", "accountant", "sales"},
    "books": {"admin", "accountant"},
    "ledger": {"admin", "accountant", "viewer"},
    "admin": {"admin"},
}


def _service_functions() -> dict[str, object]:
    found = {}
    for module in MODULES:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            params = list(inspect.signature(fn).parameters)
            if fn.__module__ == module.__name__ and not name.startswith("_") and params[:1] == ["ctx"]:
                found[f"{module.__name__.split('.')[-1]}.{name}"] = fn
    return found


# A public function that takes a connection writes in its caller's transaction with no permission of its own; the
# Context's transaction seam (ctx.write) replaced them all. Two remain, for the one transaction that comes before
# any Context can exist: orgs.setup creating the organization, its chart and its first admin.
BEFORE_ANY_CONTEXT = {"auth.insert_user", "ledger.create_chart"}


def test_no_public_service_takes_a_connection() -> None:
    found = set()
    for module in MODULES:
        if module.__name__.startswith("backoffice.db"):
            continue
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            params = inspect.signature(fn).parameters
            if fn.__module__ == module.__name__ and not name.startswith("_") and "conn" in params:
                found.add(f"{module.__name__.split('.')[-1]}.{name}")
    assert found == BEFORE_ANY_CONTEXT


def test_every_service_function_is_in_the_table() -> None:
    assert sorted(_service_functions()) == sorted(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_user_of_organization_a_cannot_touch_organization_b(db: Database, name: str) -> None:
    _, admin_a = make_org(db)
    org_b, admin_b = make_org(db)
    make_customer(admin_b)
    intruder = Context(db, admin_a.user, org_b)  # admin of A, no role in B
    kwargs, _ = CALLS[name]
    with pytest.raises(PermissionDenied, match="no access to this organization"):
        _service_functions()[name](intruder, **kwargs)


@pytest.mark.parametrize("role", ["accountant", "sales", "viewer"])
def test_each_role_gets_exactly_its_permissions(db: Database, role: str) -> None:
    _, admin = make_org(db)
    user = make_user(admin, role)
    functions = _service_functions()
    for name, (kwargs, family) in CALLS.items():
        if role in ALLOWED[family]:
            continue  # allowed calls are exercised by the module tests
        with pytest.raises(PermissionDenied, match=f"role \\({role}\\) does not allow"):
            functions[name](user, **kwargs)
