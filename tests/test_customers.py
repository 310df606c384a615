"""Customers: validation per field, duplicates, categories, custom fields, notes, list, import, export (SPEC C1–C12)."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from backoffice.contacts import customers
from backoffice.core.errors import ConflictError, NotFoundError, ValidationError
from backoffice.db import Database, audit
from tests.factories import make_customer, make_org, make_user


def test_a_new_customer_is_saved_with_normalized_fields(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    contact_id = customers.save_customer(
        admin,
        {
            "name": "  محمد العتيبي ",
            "emails": "Mohammed@Example.com; billing@example.com",
            "phone": "٠٥٠١٢٣٤٥٦٧",
            "tax_id": "300000000000003",
            "city": "الرياض",
            "payment_terms_days": "١٤",
        },
        categories=["VIP", "جملة"],
    )
    card = customers.get_customer(admin, contact_id)
    assert card["name"] == "محمد العتيبي"
    assert card["emails"] == "mohammed@example.com, billing@example.com"
    assert card["phone"] == "+966501234567"
    assert card["payment_terms_days"] == 14
    assert card["categories"] == ["VIP", "جملة"]
    assert card["balance_minor"] == 0


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"name": ""}, "name", "required"),
        ({"name": "A", "emails": "not-an-email"}, "emails", "not a valid email"),
        ({"name": "A", "emails": "a@b.co, broken@"}, "emails", "'broken@'"),
        ({"name": "A", "phone": "12"}, "phone", "not a valid phone"),
        ({"name": "A", "tax_id": "123456789012345"}, "tax_id", "begins and ends with 3"),
        ({"name": "A", "tax_id": "31234567890123"}, "tax_id", "15 digits"),
        ({"name": "A", "country": "Saudi"}, "country", "two-letter"),
        ({"name": "A", "payment_terms_days": "-3"}, "payment_terms_days", "whole number"),
    ],
)
def test_invalid_fields_are_refused_with_a_message_on_the_field(db: Database, values, field, words) -> None:
    _, admin = make_org(db, country="SA")
    with pytest.raises(ValidationError) as error:
        customers.save_customer(admin, values)
    message = error.value.for_field(field)
    assert message is not None and words in message
    assert customers.list_customers(admin).total == 0  # nothing saved


def test_tax_id_rules_follow_the_customers_country(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    contact_id = customers.save_customer(
        admin, {"name": "Gulf LLC", "country": "AE", "tax_id": "100123456700003"}
    )
    assert customers.get_customer(admin, contact_id)["tax_id"] == "100123456700003"
    uk = customers.save_customer(
        admin, {"name": "UK Ltd", "country": "GB", "tax_id": "GB123456789", "phone": "020 7946 0958"}
    )
    assert customers.get_customer(admin, uk)["phone"] == "+442079460958"


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        ({"emails": "ali@example.com"}, {"emails": "ALI@example.com, x@example.com"}, "email"),
        ({"phone": "+966501234567"}, {"phone": "0501234567"}, "phone"),
        ({"tax_id": "300000000000003"}, {"tax_id": "٣٠٠٠٠٠٠٠٠٠٠٠٠٠٣"}, "tax ID"),
    ],
)
def test_duplicates_are_flagged_before_save(db: Database, first, second, field) -> None:
    _, admin = make_org(db, country="SA")
    existing = customers.save_customer(admin, {"name": "علي"} | first)
    found = customers.check_customer(admin, {"name": "علی"} | second)
    assert [d["contact_id"] for d in found] == [existing]
    with pytest.raises(ConflictError, match=f"same {field} as علي"):
        customers.save_customer(admin, {"name": "علی"} | second)
    assert customers.save_customer(admin, {"name": "علی"} | second, allow_duplicate=True) != existing


def test_editing_keeps_other_fields_and_is_audited(db: Database) -> None:
    _, admin = make_org(db)
    contact_id = make_customer(admin, city="جدة")
    customers.save_customer(admin, {"name": "اسم جديد"}, ["Online"], contact_id=contact_id)
    card = customers.get_customer(admin, contact_id)
    assert (card["name"], card["city"], card["categories"]) == ("اسم جديد", "جدة", ["Online"])
    history = audit.list_entries(admin, "contact", contact_id)
    assert [h["action"] for h in history] == ["update", "create"]
    assert "اسم جديد" in history[0]["after_json"] and history[0]["before_json"] is not None


def test_search_normalizes_arabic_and_persian_spelling_and_digits(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    ali = customers.save_customer(
        admin, {"name": "علي كريمي", "phone": "+966501112233", "tax_id": "311111111111113"}
    )
    make_customer(admin, name="Olivia Smith", emails="olivia@shop.example")
    for query in (
        "علی",
        "کریمی",
        "علي كريمي",
        "٠٥٠١١١٢٢٣٣",
        "501112233",
        "311111111111113",
        "alI"[0:0] + "علي",
    ):
        assert [r["contact_id"] for r in customers.list_customers(admin, search=query).rows] == [ali], query
    assert customers.list_customers(admin, search="OLIVIA@shop").total == 1
    assert customers.list_customers(admin, search="100%").total == 0  # LIKE wildcards are not the user's


def test_list_filters_sorts_and_pages(db: Database) -> None:
    _, admin = make_org(db)
    for n, name in enumerate(["Zaid", "Amal", "Mona", "Badr", "Huda"]):
        make_customer(admin, name=name, city=f"City {n}")
        if name in ("Amal", "Huda"):
            customers.save_customer(
                admin,
                {},
                ["VIP"],
                contact_id=customers.list_customers(admin, search=name).rows[0]["contact_id"],
            )
    assert [r["name"] for r in customers.list_customers(admin, category="vip").rows] == ["Amal", "Huda"]
    first = customers.list_customers(admin, sort="name", page=1, page_size=2)
    second = customers.list_customers(admin, sort="name", page=2, page_size=2)
    assert (first.total, first.pages) == (5, 3)
    assert [r["name"] for r in first.rows + second.rows] == ["Amal", "Badr", "Huda", "Mona"]
    assert (
        customers.list_customers(admin, sort="name", descending=True, page_size=1).rows[0]["name"] == "Zaid"
    )
    assert (
        customers.list_customers(admin, page=99, page_size=2).page == 3
    )  # a page past the end shows the last
    with pytest.raises(ValidationError):
        customers.list_customers(admin, sort="name; DROP TABLE contacts")


def test_suppliers_and_employees_share_the_card(db: Database) -> None:
    _, admin = make_org(db)
    make_customer(admin, name="Supplier Co", role="supplier")
    make_customer(admin, name="Customer")
    assert [r["name"] for r in customers.list_customers(admin, role="supplier").rows] == ["Supplier Co"]


def test_custom_fields_appear_on_the_card_the_list_and_the_export(db: Database) -> None:
    _, admin = make_org(db)
    customers.define_custom_field(admin, "Loyalty tier", "choice", ["Gold", "Silver"], required=True)
    customers.define_custom_field(admin, "Birthday", "date")
    customers.define_custom_field(admin, "Credit limit", "number")
    with pytest.raises(ValidationError) as error:
        customers.save_customer(
            admin,
            {"name": "A"},
            custom={"Loyalty tier": "Bronze", "Birthday": "31/02/2020", "Credit limit": "lots"},
        )
    assert {e.field for e in error.value.errors} == {"Loyalty tier", "Birthday", "Credit limit"}
    with pytest.raises(ValidationError, match="required"):
        customers.save_customer(admin, {"name": "A"})
    contact_id = customers.save_customer(
        admin,
        {"name": "A"},
        custom={"Loyalty tier": "Gold", "Birthday": "٢٠٢٠/٠٢/٢٩", "Credit limit": "١٥٠٠٫٥"},
    )
    assert customers.get_customer(admin, contact_id)["custom"] == {
        "Loyalty tier": "Gold",
        "Birthday": "2020-02-29",
        "Credit limit": "1500.5",
    }
    assert customers.list_customers(admin).rows[0]["custom"]["Loyalty tier"] == "Gold"
    exported = list(csv.DictReader(io.StringIO(customers.export_customers(admin).decode("utf-8-sig"))))
    assert exported[0]["Loyalty tier"] == "Gold" and exported[0]["Birthday"] == "2020-02-29"


def test_notes_with_attachments(db: Database) -> None:
    _, admin = make_org(db)
    contact_id = make_customer(admin)
    pdf = b"%PDF-1.4 contract"
    customers.add_note(
        admin, contact_id, "Signed the yearly contract", [("contract.pdf", "application/pdf", pdf)]
    )
    notes = customers.list_notes(admin, contact_id)
    assert notes[0]["body"] == "Signed the yearly contract"
    attachment = notes[0]["attachments"][0]
    assert (attachment["file_name"], attachment["size_bytes"]) == ("contract.pdf", len(pdf))
    assert customers.get_attachment(admin, attachment["attachment_id"]) == (
        "contract.pdf",
        "application/pdf",
        pdf,
    )
    viewer = make_user(admin, "viewer")
    assert customers.list_notes(viewer, contact_id)[0][
        "attachments"
    ]  # every user of the organization sees them
    with pytest.raises(ValidationError):
        customers.add_note(admin, contact_id, "  ")


CSV_GOOD = "الاسم,البريد الإلكتروني,الجوال,categories\nفاطمة,f@example.com,0551234567,VIP;جملة\nOlivia,o@example.com,,\n"


def test_import_customers_from_csv_with_arabic_headers(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    result = customers.import_customers(admin, "c.csv", CSV_GOOD.encode("utf-8-sig"))
    assert (result.created, result.problems, result.written) == (2, [], True)
    card = customers.list_customers(admin, search="فاطمة").rows[0]
    assert card["phone"] == "+966551234567" and card["categories"] == ["VIP", "جملة"]
    again = customers.import_customers(admin, "c.csv", CSV_GOOD.encode())  # a second run duplicates nothing
    assert again.written is False and [p[0] for p in again.problems] == [2, 3]
    assert customers.list_customers(admin).total == 2


def test_import_is_all_or_nothing_unless_asked_otherwise(db: Database) -> None:
    _, admin = make_org(db, country="SA")
    data = b"name;email;phone\nGood One;g@example.com;\n;missing@example.com;\nBad Mail;nope;\nTwin;g@example.com;\n"
    result = customers.import_customers(admin, "c.csv", data)
    assert result.written is False and customers.list_customers(admin).total == 0
    assert result.problems == [
        (3, "name", "the full name is required"),
        (4, "emails", "'nope' is not a valid email address"),
        (5, "email", "same email as row 2"),
    ]
    partial = customers.import_customers(admin, "c.csv", data, skip_invalid=True)
    assert partial.written and partial.created == 1 and len(partial.problems) == 3


def test_import_reads_windows_1256_and_xlsx(db: Database) -> None:
    _, admin = make_org(db)
    assert customers.import_customers(admin, "a.csv", "name\nنورة\n".encode("cp1256")).created == 1
    xlsx = customers.export_customers(admin, "xlsx")
    db2_rows = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    assert [c.value for c in db2_rows[2]][2] == "نورة"
    customers.save_customer(
        admin, {"name": "نورة"}, contact_id=customers.list_customers(admin).rows[0]["contact_id"]
    )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"email\nx@example.com\n", "needs a name column"),
        (b"name,colour\nA,red\n", "unknown column"),
        (b"\x00\x01PK garbage\x00" * 50, "not a text file"),
        ("name\tphone\nنورة\t\n".encode("utf-16"), ""),  # Excel's "Unicode text" is read, not refused
    ],
)
def test_import_of_a_bad_or_odd_file(db: Database, data: bytes, words: str) -> None:
    _, admin = make_org(db)
    result = customers.import_customers(admin, "x.csv", data)
    if not words:
        assert result.written and customers.list_customers(admin).rows[0]["name"] == "نورة"
        return
    assert not result.written and any(words in p[2] for p in result.problems)
    assert customers.list_customers(admin).total == 0


def test_export_neutralizes_formulas(db: Database) -> None:
    _, admin = make_org(db)
    make_customer(admin, name='=HYPERLINK("http://evil")', city="@SUM(A1)")
    text = customers.export_customers(admin).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM" in text
    sheet = load_workbook(io.BytesIO(customers.export_customers(admin, "xlsx"))).worksheets[0]
    # in XLSX the cell is text marked as typed (quote prefix), as Excel keeps '=…: no apostrophe to see
    cell = sheet.cell(2, 3)
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("http://evil")', "s", True)
    assert (sheet.cell(2, 8).value, sheet.cell(2, 8).quotePrefix) == ("@SUM(A1)", True)
    assert sheet.cell(1, 3).quotePrefix is False  # other text as it is


def test_a_contact_of_another_organization_is_not_found(db: Database) -> None:
    _, admin_a = make_org(db)
    _, admin_b = make_org(db)
    theirs = make_customer(admin_b)
    with pytest.raises(NotFoundError):
        customers.get_customer(admin_a, theirs)
    with pytest.raises(NotFoundError):
        customers.save_customer(admin_a, {"name": "hijack"}, contact_id=theirs)
    with pytest.raises(NotFoundError):
        customers.add_note(admin_a, theirs, "hi")
    customers.add_note(admin_b, theirs, "private", [("a.txt", "text/plain", b"x")])
    attachment_id = customers.list_notes(admin_b, theirs)[0]["attachments"][0]["attachment_id"]
    with pytest.raises(NotFoundError):
        customers.get_attachment(admin_a, attachment_id)
    with pytest.raises(NotFoundError):
        customers.list_notes(admin_a, theirs)
    assert json.dumps(customers.list_customers(admin_a).rows) == "[]"


def _while_rows_are_checked(monkeypatch: pytest.MonkeyPatch, action: object) -> list[object]:
    """Run `action` in another thread (another user's session) while the import checks its first row; what it
    returned (or raised) is collected. It gets 30 s: an import holding the writer while checking never lets it in."""
    import threading

    outcome: list[object] = []
    started: list[bool] = []
    real = customers._validate

    def validate(*args: object, **kwargs: object) -> object:
        if not started:
            started.append(True)

            def other_user() -> None:
                try:
                    outcome.append(action())  # type: ignore[operator]
                except Exception as exc:  # noqa: BLE001 - reported to the test
                    outcome.append(exc)

            worker = threading.Thread(target=other_user)
            worker.start()
            worker.join(timeout=30)
            assert outcome, "another user's save waited for the import's row checks"
        return real(*args, **kwargs)

    monkeypatch.setattr(customers, "_validate", validate)
    return outcome


def test_another_users_save_goes_through_while_an_import_checks_its_rows(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, admin = make_org(db, country="SA")
    customers.define_custom_field(admin, "Branch", "text")
    outcome = _while_rows_are_checked(
        monkeypatch, lambda: customers.save_customer(admin, {"name": "Walk-in"})
    )
    data = "name,email,categories,Branch\nفاطمة,f@example.com,VIP;جملة,Riyadh\nOlivia,o@example.com,VIP,\n"
    result = customers.import_customers(admin, "c.csv", data.encode())
    assert isinstance(outcome[0], int)
    assert (result.created, result.problems, result.written) == (2, [], True)
    listed = {r["name"]: r for r in customers.list_customers(admin).rows}
    assert sorted(listed) == ["Olivia", "Walk-in", "فاطمة"]
    assert listed["فاطمة"]["categories"] == ["VIP", "جملة"] and listed["فاطمة"]["custom"] == {
        "Branch": "Riyadh"
    }
    assert listed["Olivia"]["categories"] == ["VIP"] and listed["Olivia"]["emails"] == "o@example.com"
    assert customers.list_customers(admin, search="f@example.com").rows[0]["name"] == "فاطمة"
    created = [e for e in audit.list_entries(admin, "contact") if e["action"] == "create"]
    assert len(created) == 3
    olivia = next(json.loads(e["after_json"]) for e in created if "Olivia" in e["after_json"])
    assert olivia["categories"] == ["VIP"] and olivia["emails"] == "o@example.com"


def test_a_duplicate_saved_while_an_import_checks_its_rows_is_caught_when_it_writes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, admin = make_org(db, country="SA")
    _while_rows_are_checked(
        monkeypatch, lambda: customers.save_customer(admin, {"name": "Olivia", "emails": "o@example.com"})
    )
    data = b"name,email\nFatima,f@example.com\nOlivia O.,o@example.com\n"
    result = customers.import_customers(admin, "c.csv", data)
    assert result.written is False and [(p[0], p[1]) for p in result.problems] == [(3, "email")]
    assert "Possible duplicate: same email as Olivia" in result.problems[0][2]
    assert customers.list_customers(admin).total == 1
    monkeypatch.undo()
    partial = customers.import_customers(admin, "c.csv", data, skip_invalid=True)
    assert partial.written and partial.created == 1 and customers.list_customers(admin).total == 2
