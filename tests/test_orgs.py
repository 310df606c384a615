"""Organizations: first run, settings with validation, VAT rates by date, the chart by business type."""

from datetime import date

import pytest
import sqlalchemy as sa

from backoffice.admin import orgs
from backoffice.books import ledger, opening
from backoffice.books.opening import OpeningLine
from backoffice.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from backoffice.db import Database, audit
from backoffice.sales import invoices, orders, payments
from backoffice.sales.orders import LineRequest
from tests.factories import make_customer, make_org, make_product, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_first_run_creates_the_organization_its_chart_its_vat_and_its_admin(db: Database) -> None:
    assert orgs.needs_first_run(db)
    org_id, admin = make_org(db, "متجر الورد", currency="JOD", vat="16", country="JO")
    assert not orgs.needs_first_run(db)
    settings = orgs.get_settings(admin)
    assert (settings["name"], settings["currency"], settings["vat_percent"]) == ("متجر الورد", "JOD", "16")
    roles = {a["role"] for a in ledger.list_accounts(admin)}
    assert {"ar", "sales", "vat_payable", "cash", "customer_advances", "inventory", "cogs"} <= roles
    assert admin.role() == "admin"
    assert orgs.find_org_id(db, "متجر الورد") == org_id


def test_first_run_with_a_weak_password_writes_nothing(db: Database) -> None:
    with pytest.raises(ValidationError, match="password needs"):
        orgs.setup(db, "Shop", "SAR", "15", "a@example.com", "weak")
    assert orgs.needs_first_run(db)


def test_after_the_first_run_only_an_admin_or_the_command_line_creates_an_organization(db: Database) -> None:
    """The first-run form makes the first organization; replayed later (by anyone reaching it), it is refused and
    writes nothing. An admin of an organization may add a branch; a clerk may not; the CLI (system) may."""
    from backoffice.core.context import User

    orgs.setup(db, "First", "SAR", "15", "first@example.com", "Sesame#2026")  # the first run
    with pytest.raises(PermissionDenied, match="Only an organization's admin"):
        orgs.setup(db, "Replayed", "SAR", "15", "intruder@example.com", "Sesame#2026")
    _, admin = make_org(db)
    clerk = make_user(admin, "sales")
    with pytest.raises(PermissionDenied):
        orgs.setup(db, "By a clerk", "SAR", "15", actor=clerk.user)
    branch = orgs.setup(db, "Branch", "SAR", "15", actor=admin.user)
    assert orgs.find_org_id(db, "Branch") == branch
    assert orgs.setup(db, "By the CLI", "SAR", "15", actor=User.system())
    with pytest.raises(NotFoundError):  # nothing of the refused ones was written
        orgs.find_org_id(db, "Replayed")


@pytest.mark.parametrize(
    ("business_type", "has", "lacks"),
    [
        ("services", "Service revenue", "Raw materials"),
        ("trading", "Sales", "Raw materials"),
        ("manufacturing", "Raw materials", "Service revenue"),
    ],
)
def test_chart_templates_by_business_type(db: Database, business_type: str, has: str, lacks: str) -> None:
    _, admin = make_org(db, business_type=business_type)
    names = {a["name_en"] for a in ledger.list_accounts(admin)}
    assert has in names and lacks not in names


def test_settings_are_validated_all_at_once_and_nothing_is_saved_on_error(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    with pytest.raises(ValidationError) as error:
        orgs.update_settings(admin, tax_number="123", brand_color="red", currency="XYZ", logo=b"GIF89a")
    fields = {e.field for e in error.value.errors}
    assert fields == {"tax_number", "brand_color", "currency", "logo"}
    assert orgs.get_settings(admin)["tax_number"] is None


def test_settings_are_saved_and_audited(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    settings = orgs.update_settings(
        admin,
        tax_number="٣١٠١٢٢٣٩٣٥٠٠٠٠٣",
        brand_color="#AA3300",
        logo=PNG,
        invoice_footer="شكراً",
        language="ar-en",
        calendar="hijri",
    )
    assert settings["tax_number"] == "310122393500003"
    assert settings["brand_color"] == "#aa3300" and settings["logo_mime"] == "image/png"
    entry = audit.list_entries(admin, "organization")[0]
    assert (
        "310122393500003" in entry["after_json"] and "***" in entry["after_json"]
    )  # the logo is not copied in


def test_only_admins_change_settings(db: Database) -> None:
    _, admin = make_org(db)
    for role in ("accountant", "sales", "viewer"):
        with pytest.raises(PermissionDenied):
            orgs.update_settings(make_user(admin, role), city="Riyadh")


def test_vat_rate_in_force_on_the_documents_date(db: Database) -> None:
    _, admin = make_org(db, vat="5")
    orgs.set_tax_rate(admin, "standard", "15", date(2020, 7, 1))
    assert orgs.vat_rate_on(admin, date(2020, 6, 30)) == 500
    assert orgs.vat_rate_on(admin, date(2020, 7, 1)) == 1500
    assert orgs.vat_rate_on(admin, date(2026, 1, 1), "zero") == 0


def test_the_chart_changes_only_while_the_books_are_empty(db: Database) -> None:
    _, admin = make_org(db, business_type="trading")
    orgs.update_settings(admin, business_type="manufacturing")
    assert "Raw materials" in {a["name_en"] for a in ledger.list_accounts(admin)}
    ledger.post_manual_entry(
        admin, date(2026, 1, 1), "rent", [ledger.EntryLine("6100", 100), ledger.EntryLine("cash", 0, 100)]
    )
    with pytest.raises(ConflictError, match="cannot change once entries are posted"):
        orgs.update_settings(admin, business_type="services")


def test_two_organizations_cannot_share_a_name(db: Database) -> None:
    make_org(db, "Branch")
    with pytest.raises(ConflictError):
        make_org(db, "branch")


# Issue 19, defect 4: changing the currency renamed every stored amount (658.00 SAR became 65.800 JOD, balances were
# divided by ten). Each document keeps its own currency; the organization's is fixed once one exists.
def _order(admin) -> None:
    orders.create_order(admin, None, [LineRequest("TEA", 1)])


def _invoice(admin) -> None:
    invoices.issue_invoice(
        admin, orders.create_order(admin, None, [LineRequest("TEA", 1)], status="confirmed")
    )


def _payment(admin) -> None:
    payments.record_payment(admin, make_customer(admin), "100", "cash")


def _opening(admin) -> None:
    opening.post_opening_balances(admin, date(2026, 1, 1), [OpeningLine("1010", debit="100")])


@pytest.mark.parametrize("record", [_order, _invoice, _payment, _opening], ids=lambda f: f.__name__[1:])
def test_the_currency_is_fixed_once_a_document_or_an_entry_exists(db: Database, record) -> None:
    _, admin = make_org(db)
    make_product(admin, "TEA", price="658", price_includes_vat=True, track_stock=False)
    assert orgs.update_settings(admin, currency="JOD")["currency"] == "JOD"  # nothing issued yet: free
    assert orgs.update_settings(admin, currency="SAR")["currency_fixed"] is False
    record(admin)
    with pytest.raises(ValidationError) as refused:
        orgs.update_settings(admin, currency="JOD", city="Riyadh")
    assert [(e.field, e.message) for e in refused.value.errors] == [("currency", orgs.CURRENCY_FIXED)]
    settings = orgs.get_settings(admin)
    assert (settings["currency"], settings["city"], settings["currency_fixed"]) == ("SAR", None, True)
    assert (
        orgs.update_settings(admin, currency="sar", city="Riyadh")["city"] == "Riyadh"
    )  # the same one is fine


def test_an_invoice_keeps_its_currency_and_amount(db: Database) -> None:
    _, admin = make_org(db)
    make_product(admin, "TEA", price="658", price_includes_vat=True, track_stock=False)
    _invoice(admin)
    with pytest.raises(ValidationError, match="currency cannot change"):
        orgs.update_settings(admin, currency="JOD")
    invoice = invoices.get_invoice(admin, "INV-000001")
    assert (invoice["currency"], invoice["total_minor"]) == ("SAR", 65800)  # 658.00 SAR, not 65.800 JOD


def test_the_migration_gives_saudi_organizations_the_group_rule_unless_someone_chose(db: Database) -> None:
    """Migration 16 on organizations as an older version left them: all on the old default, 'line'."""
    from backoffice.db.versions import v0016_line_basis_and_group_rounding as v16

    _, saudi = make_org(db, country="SA")
    _, chose = make_org(db, country="SA")
    _, jordan = make_org(db, currency="JOD", vat="16", country="JO")
    orgs.update_settings(chose, rounding_rule="line")  # a person chose 'line': the audit log says so
    with db.write() as conn:
        conn.execute(sa.text("UPDATE organizations SET rounding_rule = 'line'"))
        for statement in v16.STATEMENTS[2:]:  # as the migration runner does
            conn.execute(sa.text(statement.format()))
    assert [orgs.get_settings(c)["rounding_rule"] for c in (saudi, chose, jordan)] == [
        "group",
        "line",
        "line",
    ]
    with db.read() as conn:
        said = conn.execute(
            sa.text("SELECT org_id, actor, before_json, after_json FROM audit_log WHERE action = 'migrate'")
        ).all()
    assert [tuple(r) for r in said] == [
        (saudi.org_id, "migration 16", '{"rounding_rule": "line"}', '{"rounding_rule": "group"}')
    ]


def test_an_organization_an_older_version_let_change_may_go_back_to_its_documents_currency(
    db: Database,
) -> None:
    """SAR invoices, then the currency set to JOD by a version without this check: every amount read as JOD. The
    only change open is back to SAR, the currency of every document; then it is fixed again."""
    _, admin = make_org(db)
    make_product(admin, "TEA", price="658", price_includes_vat=True, track_stock=False)
    _invoice(admin)
    with db.write() as conn:
        conn.execute(sa.text("UPDATE organizations SET currency = 'JOD'"))
    assert orgs.get_settings(admin)["currency_fixed"] is False
    with pytest.raises(ValidationError, match="currency cannot change"):
        orgs.update_settings(admin, currency="EUR")
    settings = orgs.update_settings(admin, currency="SAR")
    assert (settings["currency"], settings["currency_fixed"]) == ("SAR", True)
    with pytest.raises(ValidationError, match="currency cannot change"):
        orgs.update_settings(admin, currency="JOD")
