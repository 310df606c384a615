"""Reports: sales, profit, VAT, aging, trial balance, P&L, balance sheet, drill-down, files and the full export
(SPEC R1–R7, A6). The identities between the reports and the ledger hold exactly, whatever the documents."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from backoffice import reports
from backoffice.books import ledger
from backoffice.catalog import products
from backoffice.cli import main
from backoffice.contacts import customers
from backoffice.core.context import Context
from backoffice.core.errors import ConflictError, PermissionDenied, ValidationError
from backoffice.db import Database
from backoffice.sales import invoices, orders, payments
from backoffice.sales.invoices import ReturnRequest
from backoffice.sales.orders import LineRequest
from tests.factories import make_customer, make_org, make_product, make_user

JAN, FEB = (date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28))
ALL = (date(2026, 1, 1), date(2026, 12, 31))


def _sell(
    ctx: Context, customer: int | None, lines: list[LineRequest], on: date, shipping: str | None = None
) -> str:
    order_id = orders.create_order(ctx, customer, lines, shipping=shipping, status="confirmed", order_on=on)
    return invoices.issue_invoice(ctx, order_id, issued_on=on)


def _stock(ctx: Context) -> dict[str, int]:
    ids = {
        "CUP": make_product(ctx, "CUP", price="100", cost="40", category="Kitchen"),
        "TEA": make_product(ctx, "TEA", price="50", cost="20", category="Drinks", vat="0"),
        "BOOK": make_product(ctx, "BOOK", price="30", cost="10", vat="exempt"),
    }
    for product_id in ids.values():
        products.receive_stock(ctx, product_id, 1000, on=date(2025, 12, 31))
    return ids


@pytest.fixture
def shop(db: Database):
    """Four documents: two January invoices (one with shipping), a February invoice to a walk-in customer,
    and a February credit note refunded to the card that paid."""
    _, admin = make_org(db, country="SA")
    ids = _stock(admin)
    noura = customers.save_customer(
        admin, {"name": "نورة", "emails": "noura@example.com"}, categories=["VIP"]
    )
    omar = customers.save_customer(
        admin, {"name": "Omar", "emails": "omar@example.com"}, categories=["VIP", "B2B"]
    )
    first = _sell(admin, noura, [LineRequest("CUP", 2)], date(2026, 1, 10), shipping="20")  # 220 + 33 VAT
    payments.record_payment(admin, noura, "253", "card", paid_on=date(2026, 1, 15))
    _sell(admin, omar, [LineRequest("TEA", 3), LineRequest("BOOK", 1)], date(2026, 1, 20))  # 180, no VAT
    payments.record_payment(admin, omar, "100", "cash", paid_on=date(2026, 1, 25))
    _sell(admin, None, [LineRequest("CUP", 1)], date(2026, 2, 5))  # 100 + 15
    note = invoices.issue_credit_note(admin, first, [ReturnRequest("CUP", 1)], issued_on=date(2026, 2, 10))
    payments.refund_credit_note(admin, note, on=date(2026, 2, 10))
    return admin, ids, {"noura": noura, "omar": omar}


def _by_key(report: reports.Report, column: str) -> dict[str, int]:
    return {r["key"]: r[column] for r in report.rows}


def test_sales_totals_and_every_partitioning_dimension_add_up(shop) -> None:
    admin, ids, people = shop
    for by in ("day", "week", "month", "product", "category", "customer", "channel"):
        found = reports.sales_report(admin, *ALL, by=by)
        assert found.totals == {
            "gross_sales": 50000,
            "returns": 10000,
            "net_sales": 40000,
            "vat": 3300,
            "total": 43300,
            "invoices": 3,
            "credit_notes": 1,
        }, by
        for key in ("gross_sales", "returns", "net_sales", "vat"):
            assert sum(r[key] for r in found.rows) == found.totals[key], (by, key)
    months = reports.sales_report(admin, *ALL, by="month")
    assert [(r["key"], r["net_sales"], r["returns"]) for r in months.rows] == [
        ("2026-01-01", 40000, 0),
        ("2026-02-01", 0, 10000),
    ]
    by_product = reports.sales_report(admin, *ALL, by="product")
    cup = next(r for r in by_product.rows if r["key"] == str(ids["CUP"]))
    assert (cup["sku"], cup["quantity"], cup["net_sales"], cup["vat"]) == ("CUP", 2, 20000, 3000)
    assert _by_key(by_product, "net_sales")["~shipping"] == 2000
    assert _by_key(reports.sales_report(admin, *ALL, by="category"), "net_sales") == {
        "Kitchen": 20000,
        "Drinks": 15000,
        "~none": 3000,
        "~shipping": 2000,
    }
    assert _by_key(reports.sales_report(admin, *ALL, by="customer"), "net_sales") == {
        str(people["omar"]): 18000,
        str(people["noura"]): 12000,
        "~walk-in": 10000,
    }


def test_documents_count_on_their_own_date(shop) -> None:
    admin, _, _ = shop
    assert reports.sales_report(admin, *JAN).totals["net_sales"] == 40000
    february = reports.sales_report(admin, *FEB).totals
    assert (february["gross_sales"], february["returns"], february["net_sales"]) == (10000, 10000, 0)
    assert reports.sales_report(admin, date(2026, 11, 1), date(2026, 11, 30)).rows == []  # created today


def test_customer_categories_overlap_but_the_totals_do_not(shop) -> None:
    admin, _, _ = shop
    found = reports.sales_report(admin, *ALL, by="customer-category")
    by_label = {r["label"]: r["net_sales"] for r in found.rows}
    assert by_label == {"VIP": 30000, "B2B": 18000, "None": 10000}
    assert found.totals["net_sales"] == 40000


def test_sales_by_channel_names_the_store_or_manual(shop) -> None:
    admin, _, _ = shop
    with admin.db.write() as conn:
        store_id = conn.exec_driver_sql(
            "INSERT INTO stores (org_id, name, profile, linked_on, created_at) "
            f"VALUES ({admin.org_id}, 'Salla', 'salla', DATE '2026-01-01', CURRENT_TIMESTAMP) RETURNING store_id"
        ).scalar_one()
        conn.exec_driver_sql(
            f"UPDATE orders SET store_id = {store_id}, source = 'import' WHERE customer_id IS NULL AND org_id = {admin.org_id}"
        )
    found = reports.sales_report(admin, *ALL, by="channel")
    assert {(r["key"], r["label"], r["net_sales"]) for r in found.rows} == {
        (str(store_id), "Salla", 10000),
        ("~manual", "manual", 30000),
    }
    docs = reports.report_documents(admin, "sales", str(store_id), *ALL, by="channel")
    assert [d["number_text"] for d in docs.rows] == ["INV-000003"]


def test_sales_by_payment_method_adds_up_to_the_documents_total(shop) -> None:
    admin, _, _ = shop
    found = reports.sales_report(admin, *ALL, by="method")
    assert _by_key(found, "amount") == {"card": 13800, "cash": 10000, "~open": 19500}
    assert sum(r["amount"] for r in found.rows) == found.totals["total"] == 43300
    open_docs = reports.report_documents(admin, "sales", "~open", *ALL, by="method")
    assert {d["number_text"] for d in open_docs.rows} >= {"INV-000002", "INV-000003"}
    card = reports.report_documents(admin, "sales", "card", *ALL, by="method")
    assert [d["number_text"] for d in card.rows] == ["INV-000001"]


def test_profit_revenue_cogs_and_margin(shop) -> None:
    admin, ids, _ = shop
    found = reports.profit_report(admin, *ALL, by="month")
    assert found.totals == {
        "revenue": 40000,
        "cogs": 15000,
        "gross_profit": 25000,
        "margin": Decimal("62.50"),
    }
    cup = next(
        r for r in reports.profit_report(admin, *ALL, by="product").rows if r["key"] == str(ids["CUP"])
    )
    assert (cup["revenue"], cup["cogs"], cup["gross_profit"], cup["margin"]) == (
        20000,
        8000,
        12000,
        Decimal("60.00"),
    )
    february = reports.profit_report(admin, *FEB, by="category")
    assert february.totals["revenue"] == 0 and february.totals["margin"] is None


def test_vat_return_in_saudi_boxes_and_per_period(shop) -> None:
    admin, _, _ = shop
    found = reports.vat_report(admin, *ALL)
    boxes = {r["box"]: (r["amount"], r["adjustment"], r["vat"]) for r in found.rows}
    assert boxes[1] == (
        32000,
        -10000,
        3300,
    )  # goods and taxable shipping at 15%; the credit note as adjustment
    assert boxes[3] == (15000, 0, 0) and boxes[5] == (3000, 0, 0)
    assert boxes[6] == (50000, -10000, 3300) and boxes[16] == (0, 0, 3300)
    assert found.totals == {
        "vat_on_invoices": 4800,
        "vat_on_credit_notes": -1500,
        "output_vat": 3300,
        "input_vat": 0,
        "net_vat": 3300,
    }
    monthly = reports.vat_report(admin, *ALL, by="month")
    assert [(r["key"], r["output_vat"]) for r in monthly.rows] == [("2026-01-01", 3300), ("2026-02-01", 0)]
    standard = reports.report_documents(admin, "vat", "standard", *ALL, by="return")
    assert sum(d["vat"] for d in standard.rows) == 3300
    assert {d["number_text"] for d in standard.rows} == {"INV-000001", "INV-000003", "CN-000001"}


def test_vat_return_elsewhere_by_rate(db: Database) -> None:
    _, admin = make_org(db, country="JO", currency="JOD", vat="16")
    _stock(admin)
    _sell(admin, None, [LineRequest("CUP", 1), LineRequest("BOOK", 1)], date(2026, 3, 1))
    found = reports.vat_report(admin)
    assert [(r["key"], r.get("rate"), r["amount"], r["vat"]) for r in found.rows] == [
        ("standard", Decimal(16), 100000, 16000),
        ("exempt", None, 30000, 0),
        ("~sales", None, 130000, 16000),
        ("~input", None, 0, 0),
        ("~none", None, 0, 16000),
    ]


def test_statements_from_the_ledger(shop) -> None:
    admin, _, _ = shop
    tb = reports.trial_balance_report(admin, *FEB)
    assert tb.totals["balanced"] and tb.totals["debit"] == tb.totals["credit"]
    pnl = reports.profit_and_loss(admin, *ALL)
    assert pnl.totals["revenue"] == reports.sales_report(admin, *ALL).totals["net_sales"] == 40000
    assert pnl.totals["cogs"] == 15000 and pnl.totals["net_profit"] == 25000
    sheet = reports.balance_sheet(admin, *FEB)
    assert sheet.totals["balanced"]
    labels = {r["key"]: r["amount"] for r in sheet.rows}
    assert labels["~earlier_profit"] == 40000 - 7000 - 8000  # January: revenue less cost of goods
    assert labels["~period_profit"] == sheet.totals["period_profit"] == 0 - 4000 + 4000
    entries = reports.report_documents(admin, "pnl", "4010", *ALL)  # sales returns
    assert [(e["document"], e["debit"]) for e in entries.rows] == [("CN-000001", 10000)]


def test_aging_is_the_receivable(shop) -> None:
    admin, _, people = shop
    found = reports.aging_report(admin, date(2026, 3, 31))
    receivable = {
        r["code"]: r["debit"] - r["credit"]
        for r in reports.trial_balance_report(admin, None, date(2026, 3, 31)).rows
    }
    assert found.totals["total"] == receivable["1100"] == 8000 + 11500
    docs = reports.report_documents(admin, "aging", str(people["omar"]), None, date(2026, 3, 31))
    assert [(d["number_text"], d["open"]) for d in docs.rows] == [("INV-000002", 8000)]


def test_drill_down_amounts_are_the_rows(shop) -> None:
    admin, ids, _ = shop
    for by in ("month", "product", "category", "customer"):
        found = reports.sales_report(admin, *ALL, by=by)
        for row in found.rows:
            docs = reports.report_documents(admin, "sales", row["key"], *ALL, by=by)
            assert sum(d["net"] for d in docs.rows) == row["net_sales"], (by, row["key"])
            assert sum(d["vat"] for d in docs.rows) == row["vat"], (by, row["key"])
    cup = reports.report_documents(admin, "profit", str(ids["CUP"]), *ALL, by="product")
    assert [(d["number_text"], d["net"]) for d in cup.rows] == [
        ("INV-000001", 20000),
        ("INV-000003", 10000),
        ("CN-000001", -10000),
    ]


def test_reports_are_live(duck: Database) -> None:
    _, admin = make_org(duck)
    _stock(admin)
    assert reports.sales_report(admin).totals["net_sales"] == 0
    _sell(admin, None, [LineRequest("CUP", 1)], date.today())
    assert reports.sales_report(admin).totals["net_sales"] == 10000
    assert reports.vat_report(admin).totals["output_vat"] == 1500


@pytest.mark.parametrize("name", reports.REPORTS)
def test_one_organization_never_sees_another(db: Database, name: str) -> None:
    _, admin_a = make_org(db)
    _, admin_b = make_org(db)
    for admin, quantity in ((admin_a, 1), (admin_b, 7)):
        _stock(admin)
        customer = make_customer(admin)
        _sell(admin, customer, [LineRequest("CUP", quantity)], date(2026, 1, 5))
    a_only = reports.run_report(admin_a, name, *ALL)
    blob = json.dumps(reports.report_json(a_only), default=str)
    assert "805.00" not in blob and "700.00" not in blob and "105.00" not in blob  # B's total, net and VAT
    for by in reports.BY_OPTIONS[name]:
        found = reports.run_report(admin_a, name, *ALL, by=by)
        if name in ("sales", "profit"):
            assert found.totals.get("net_sales", found.totals.get("revenue")) == 10000
        for row in found.rows:
            docs = reports.report_documents(admin_a, name, row["key"], *ALL, by=by)
            assert all(d.get("number_text", "INV-000001") == "INV-000001" for d in docs.rows)
            assert all(abs(d.get("net", 0)) <= 10000 for d in docs.rows)
    intruder = Context(db, admin_a.user, admin_b.org_id)
    with pytest.raises(PermissionDenied, match="no access"):
        reports.run_report(intruder, name, *ALL)
    with pytest.raises(PermissionDenied, match="no access"):
        reports.report_documents(intruder, name, "1", *ALL)


def test_sales_staff_cannot_read_reports_and_viewers_can(duck: Database) -> None:
    _, admin = make_org(duck)
    with pytest.raises(PermissionDenied, match="role \\(sales\\)"):
        reports.sales_report(make_user(admin, "sales"))
    assert reports.profit_and_loss(make_user(admin, "viewer")).rows == []
    with pytest.raises(PermissionDenied):
        reports.export_all(make_user(admin, "accountant"), "x.xlsx")


def test_bad_dimension_and_dates_are_refused(duck: Database) -> None:
    _, admin = make_org(duck)
    with pytest.raises(ValidationError, match="choose one of"):
        reports.sales_report(admin, by="colour")
    with pytest.raises(ValidationError, match="after the end"):
        reports.sales_report(admin, date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(ValidationError, match="no report"):
        reports.run_report(admin, "horoscope")


def test_comparison_with_the_previous_period(shop) -> None:
    admin, _, _ = shop
    assert reports.previous_period(*FEB) == (date(2026, 1, 4), date(2026, 1, 31))
    assert reports.trend_granularity(*FEB) == "day" and reports.trend_granularity(*ALL) == "month"
    rows = reports.compare(
        reports.sales_report(admin, *FEB), reports.sales_report(admin, *reports.previous_period(*FEB))
    )
    net = next(r for r in rows if r["key"] == "net_sales")
    assert (net["current"], net["previous"], net["change"], net["change_percent"]) == (
        0,
        40000,
        -40000,
        Decimal("-100.0"),
    )


def test_report_files_are_formula_safe_with_numbers_as_numbers(duck: Database) -> None:
    _, admin = make_org(duck)
    _stock(admin)
    evil = make_customer(admin, name='=HYPERLINK("http://x","y")')
    _sell(admin, evil, [LineRequest("CUP", 1)], date(2026, 1, 5))
    found = reports.sales_report(admin, *ALL, by="customer")
    table = list(csv.reader(io.StringIO(reports.report_csv(found).decode("utf-8-sig"))))
    assert table[1][0].startswith("'=") and table[1][3] == "100.00" and table[-1][0] == "Total"
    sheet = load_workbook(io.BytesIO(reports.report_xlsx(found))).active
    cell = sheet.cell(2, 1)  # text marked as typed (quote prefix): no apostrophe to see, never a formula
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("http://x","y")', "s", True)
    assert sheet.cell(2, 4).value == 100 and sheet.cell(2, 4).data_type == "n"
    data = reports.report_json(found)
    assert data["rows"][0]["net_sales"] == "100.00" and data["totals"]["currency"] == "SAR"


# ---------------------------------------------------------------- the full-data export (A6)


def test_export_every_table_without_secrets_or_other_organizations(db: Database, tmp_path: Path) -> None:
    _, admin = make_org(db, "Ours")
    _, other = make_org(db, "Theirs")
    _stock(admin)
    make_customer(other, name="Their customer")
    _sell(admin, make_customer(admin, name="=1+2"), [LineRequest("CUP", 1)], date(2026, 1, 5))
    result = reports.export_all(admin, tmp_path / "all.xlsx")
    book = load_workbook(tmp_path / "all.xlsx", read_only=True)
    assert {"invoices", "invoice_lines", "contacts", "users", "journal_lines", "organizations"} <= set(
        book.sheetnames
    )
    assert "auth_tokens" not in book.sheetnames and "login_attempts" not in book.sheetnames
    users = list(book["users"].iter_rows(values_only=True))
    assert "password_hash" not in users[0] and len(users) == 2  # the header and our admin only
    contacts = [r for r in book["contacts"].iter_rows(values_only=True)]
    names = [r[contacts[0].index("name")] for r in contacts[1:]]
    assert names == ["=1+2"] and result.tables["contacts"] == 1
    full = load_workbook(tmp_path / "all.xlsx")["contacts"]  # not read-only: cell styles
    named = full.cell(2, contacts[0].index("name") + 1)
    assert (named.value, named.data_type, named.quotePrefix) == ("=1+2", "s", True)
    orgs = list(book["organizations"].iter_rows(values_only=True))
    assert [r[orgs[0].index("name")] for r in orgs[1:]] == ["Ours"]
    assert "auth_tokens" in result.left_out and result.zip_path is None
    for sheet in book.worksheets:  # whatever tables other areas add: no secret column leaves
        headers = next(sheet.iter_rows(values_only=True), ())
        assert not {"password_hash", "token_hash", "smtp_password"} & set(headers), sheet.title


def test_export_sends_a_table_too_big_for_a_sheet_to_a_zip(duck: Database, tmp_path: Path) -> None:
    _, admin = make_org(duck)
    _stock(admin)
    result = reports.export_all(
        admin, tmp_path / "all.xlsx", xlsx_max_rows=3
    )  # 3 products + header: too many
    assert result.zip_path == tmp_path / "all.zip" and "products" in result.in_zip
    with zipfile.ZipFile(result.zip_path) as archive:
        text = archive.read("products.csv").decode("utf-8-sig")
    assert text.splitlines()[0].startswith("product_id,") and len(text.splitlines()) == 4
    assert "products" not in load_workbook(tmp_path / "all.xlsx", read_only=True).sheetnames
    everything = reports.export_all(admin, tmp_path / "all-csv.zip")
    assert everything.zip_path == everything.path and "invoices" in everything.in_zip


# ---------------------------------------------------------------- the command line


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_reports_json_csv_xlsx_and_export(duck: Database, tmp_path: Path, capsys) -> None:
    _, admin = make_org(duck, "Rose Shop")
    _stock(admin)
    _sell(admin, None, [LineRequest("CUP", 2)], date(2026, 1, 5), shipping="10")
    path = duck.url.split(":///", 1)[1]
    duck.dispose()
    common = ("--db", path, "--org", "Rose Shop", "--from", "2026-01-01", "--to", "2026-01-31")
    code, out, _ = _run(capsys, "report", "sales", *common, "--by", "product", "--json")
    data = json.loads(out)
    assert code == 0 and data["totals"] | {"invoices": 1} == {
        "gross_sales": "210.00",
        "returns": "0.00",
        "net_sales": "210.00",
        "vat": "31.50",
        "total": "241.50",
        "invoices": 1,
        "credit_notes": 0,
        "currency": "SAR",
    }
    assert {r["label"] for r in data["rows"]} == {
        "Shipping",
        next(r["label"] for r in data["rows"] if r["sku"]),
    }
    code, out, _ = _run(capsys, "report", "profit", *common, "--json")
    assert json.loads(out)["totals"] | {} == {
        "revenue": "210.00",
        "cogs": "80.00",
        "gross_profit": "130.00",
        "margin": "61.90",
        "currency": "SAR",
    }
    code, out, _ = _run(capsys, "report", "vat", *common, "--json")
    assert {k: json.loads(out)["totals"][k] for k in ("output_vat", "input_vat", "net_vat")} == {
        "output_vat": "31.50",
        "input_vat": "0.00",
        "net_vat": "31.50",
    }
    for name in ("trial-balance", "pnl", "balance-sheet"):
        code, out, _ = _run(capsys, "report", name, *common, "--json")
        assert code == 0 and json.loads(out)["rows"]
    code, out, _ = _run(capsys, "report", "aging", *common, "--json")
    assert code == 0 and set(json.loads(out)) == {"rows", "totals", "as_of"}
    code, _, _ = _run(capsys, "report", "sales", *common, "--format", "csv", "--out", str(tmp_path / "s.csv"))
    assert code == 0 and (tmp_path / "s.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    code, _, _ = _run(capsys, "report", "sales", *common, "--out", str(tmp_path / "s.xlsx"))
    assert code == 0 and load_workbook(tmp_path / "s.xlsx").active.cell(2, 2).value == 210
    code, out, _ = _run(capsys, "report", "sales", *common)
    assert code == 0 and "2026-01-01" in out and "241.5" in out
    code, _, err = _run(capsys, "report", "sales", *common[:4], "--from", "1 Jan")
    assert code == 2 and "YYYY-MM-DD" in err
    code, _, err = _run(capsys, "report", "sales", *common, "--format", "xlsx")
    assert code == 2 and "--out" in err
    code, out, _ = _run(
        capsys, "export", "--db", path, "--org", "Rose Shop", "--out", str(tmp_path / "x.xlsx"), "--json"
    )
    assert code == 0 and json.loads(out)["tables"]["invoices"] == 1
    code, _, err = _run(capsys, "export", "--db", path, "--out", str(tmp_path / "x.pdf"))
    assert code == 2


# ---------------------------------------------------------------- the identities, over random documents

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["invoice", "invoice_shipping", "return", "return_all", "pay", "refund", "expense"]),
        st.integers(1, 4),
        st.sampled_from(["CUP", "TEA", "BOOK"]),
        st.integers(0, 59),  # day offset from 2026-01-01
        st.sampled_from(["cash", "card", "bank_transfer"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25)
@given(STEPS, st.integers(0, 59), st.integers(0, 59))
def test_reports_agree_with_the_ledger_over_random_documents(duck: Database, steps, start, length) -> None:
    _, admin = make_org(duck)
    _stock(admin)
    customer = make_customer(admin)
    issued: list[str] = []
    for action, quantity, sku, day, method in steps:
        on = date.fromordinal(date(2026, 1, 1).toordinal() + day)
        try:
            if action.startswith("invoice"):
                shipping = "7.5" if action == "invoice_shipping" else None
                issued.append(_sell(admin, customer, [LineRequest(sku, quantity)], on, shipping))
            elif action.startswith("return") and issued:
                number = issued[quantity % len(issued)]
                returns = None if action == "return_all" else [ReturnRequest(sku, 1)]
                note = invoices.issue_credit_note(admin, number, returns, issued_on=on)
                if method == "card":
                    payments.refund_credit_note(admin, note, on=on)
            elif action == "pay":
                payments.record_payment(admin, customer, quantity * 37, method, paid_on=on)
            elif action == "refund":
                payments.refund_credit(admin, customer, quantity, method, on=on)
            elif action == "expense":
                ledger.post_manual_entry(
                    admin,
                    on,
                    "rent",
                    [ledger.EntryLine("6100", quantity * 100), ledger.EntryLine("cash", 0, quantity * 100)],
                )
        except (ConflictError, ValidationError):
            pass  # refused steps write nothing
    dfrom = date.fromordinal(date(2026, 1, 1).toordinal() + start)
    dto = date.fromordinal(dfrom.toordinal() + length)
    sales = reports.sales_report(admin, dfrom, dto)
    pnl = reports.profit_and_loss(admin, dfrom, dto)
    movement = {
        r["code"]: r["credit"] - r["debit"] for r in reports.trial_balance_report(admin, dfrom, dto).rows
    }
    assert (
        sales.totals["net_sales"]
        == pnl.totals["revenue"]
        == movement.get("4000", 0) + movement.get("4200", 0) + movement.get("4010", 0)
    )
    assert reports.vat_report(admin, dfrom, dto).totals["output_vat"] == movement.get("2100", 0)
    assert (
        reports.profit_report(admin, dfrom, dto).totals["cogs"]
        == pnl.totals["cogs"]
        == -movement.get("5000", 0)
    )
    for by in ("week", "product", "category", "customer"):
        assert (
            sum(r["net_sales"] for r in reports.sales_report(admin, dfrom, dto, by).rows)
            == sales.totals["net_sales"]
        )
    by_method = reports.sales_report(admin, dfrom, dto, "method")
    assert sum(r["amount"] for r in by_method.rows) == sales.totals["total"]
    assert reports.trial_balance_report(admin, dfrom, dto).totals["balanced"]
    sheet = reports.balance_sheet(admin, dfrom, dto)
    assert sheet.totals["balanced"] and sheet.totals["period_profit"] == pnl.totals["net_profit"]
    receivable = {
        r["code"]: r["debit"] - r["credit"] for r in reports.trial_balance_report(admin, None, dto).rows
    }
    assert reports.aging_report(admin, dto).totals["total"] == receivable.get("1100", 0)


# What tests/test_permissions.py's CALLS table needs for this module: (kwargs, family).
PERMISSION_CALLS = {
    "sales_report": ({}, "ledger"),
    "profit_report": ({}, "ledger"),
    "vat_report": ({}, "ledger"),
    "aging_report": ({}, "ledger"),
    "trial_balance_report": ({}, "ledger"),
    "profit_and_loss": ({}, "ledger"),
    "balance_sheet": ({}, "ledger"),
    "run_report": ({"name": "sales"}, "ledger"),
    "report_documents": ({"name": "sales", "key": "1"}, "ledger"),
    "export_all": ({"out": "never-written.xlsx"}, "admin"),
    "email_report": ({"name": "sales", "to": "a@b.co"}, "ledger"),
}


def test_every_service_function_checks_the_role_first(duck: Database) -> None:
    import inspect

    public = {
        name
        for name, fn in inspect.getmembers(reports, inspect.isfunction)
        if fn.__module__.startswith(f"{reports.__name__}.")  # its modules, re-exported
        and not name.startswith("_")
        and list(inspect.signature(fn).parameters)[:1] == ["ctx"]
    }
    assert public == set(PERMISSION_CALLS)
    _, admin_a = make_org(duck)
    org_b, admin_b = make_org(duck)
    intruder = Context(duck, admin_a.user, org_b)
    roles = {role: make_user(admin_b, role) for role in ("accountant", "sales", "viewer")}
    allowed = {"ledger": {"accountant", "viewer"}, "admin": set()}
    for name, (kwargs, family) in PERMISSION_CALLS.items():
        with pytest.raises(PermissionDenied, match="no access to this organization"):
            getattr(reports, name)(intruder, **kwargs)
        for role, ctx in roles.items():
            if role not in allowed[family]:
                with pytest.raises(PermissionDenied, match=f"role \\({role}\\) does not allow"):
                    getattr(reports, name)(ctx, **kwargs)
    assert not Path("never-written.xlsx").exists()
