"""Reading people's files (backoffice.core.tabular and the read step of the store and customer imports): what a
spreadsheet or a store exports is read, and what cannot be read is named — through the services and the CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
import xlsxwriter
from openpyxl import Workbook

from backoffice import imports as order_import
from backoffice.contacts import customers
from backoffice.core import tabular
from backoffice.core.errors import ValidationError
from backoffice.db import Database
from tests.factories import make_org

ORDERS_HEADER = ["order_id", "order_date", "status", "sku", "product_name", "quantity", "unit_price"]
SHOPIFY_HEADER = [
    "Name", "Email", "Financial Status", "Fulfillment Status", "Currency", "Created at", "Lineitem quantity",
    "Lineitem name", "Lineitem price", "Lineitem sku", "Billing Name", "Billing Address1", "Billing City",
    "Notes", "Total",
]  # fmt: skip
SHOPIFY_ROWS = [
    {
        "Name": "#1001", "Email": "ann@example.com", "Financial Status": "paid", "Fulfillment Status": "fulfilled",
        "Currency": "SAR", "Created at": "2026-06-08 10:00:00 +0300", "Lineitem quantity": "2",
        "Lineitem name": "Cap", "Lineitem price": "50.00", "Lineitem sku": "CAP", "Billing Name": "Ann Lee",
        "Billing Address1": "12 King Fahd Road\nBuilding 4, floor 2", "Billing City": "Riyadh",
        "Notes": "Leave it at the door.\r\nCall first,\nplease.", "Total": "100.00",
    },
    {
        "Name": "#1002", "Email": "bo@example.com", "Financial Status": "pending", "Currency": "SAR",
        "Created at": "2026-06-09 08:00:00 +0300", "Lineitem quantity": "1", "Lineitem name": "Cap",
        "Lineitem price": "50.00", "Lineitem sku": "CAP", "Billing Name": "Bo", "Notes": "gift\nwrap",
    },
]  # fmt: skip
UNSAVED = "a formula with no saved value — open and save the file in Excel, or paste values"


def shopify_export() -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SHOPIFY_HEADER)
    writer.writeheader()
    writer.writerows(SHOPIFY_ROWS)
    return out.getvalue().encode()


def orders_csv(header: list[str] | None = None) -> str:
    return (
        ",".join(header or ORDERS_HEADER)
        + "\nA1,2026-01-05,completed,CUP,Cup,2,10\nA2,2026-01-06,pending,CUP,Cup,1,10\n"
    )


def zip_of(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


def xlsx_openpyxl(rows: list[list[object]]) -> bytes:
    """A workbook written by a program (openpyxl): its formulas carry no saved value."""
    book = Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_saved_formula() -> bytes:
    """A workbook as Excel saves it: the quantity is a formula with its value saved beside it."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for col, header in enumerate(ORDERS_HEADER):
        sheet.write_string(0, col, header)
    for col, value in enumerate(["A1", "2026-01-05", "completed", "CUP", "Cup"]):
        sheet.write_string(1, col, value)
    sheet.write_formula(1, 5, "=1+1", None, 2)
    sheet.write_number(1, 6, 10)
    book.close()
    return out.getvalue()


def orders_written(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one())


@pytest.fixture
def shop(duck: Database):
    _, admin = make_org(duck, country="SA")
    return admin


# ---------------------------------------------------------------- files that must be read


@pytest.mark.parametrize("as_path", [False, True], ids=["uploaded", "on disk"])
def test_a_shopify_export_with_multi_line_notes_and_addresses_imports(shop, tmp_path: Path, as_path) -> None:
    data = shopify_export()
    assert b'"Leave it at the door.\r\nCall first,\nplease."' in data  # quoted line breaks, as Shopify writes
    path = tmp_path / "orders_export.csv"
    path.write_bytes(data)
    result = order_import.import_file(
        shop, "Shopify", "orders_export.csv", path if as_path else data, profile="shopify"
    )
    assert (result.new, result.posted, result.errors, result.problems) == (2, 1, 0, [])


def test_a_multi_line_address_is_imported_as_a_customer(shop) -> None:
    data = 'name,address,city\n"Ann Lee","12 King Fahd Road\nBuilding 4, floor 2",Riyadh\nBo,,Jeddah\n'
    result = customers.import_customers(shop, "customers.csv", data.encode())
    assert (result.created, result.written, result.problems) == (2, True, [])
    ann = next(c for c in customers.list_customers(shop).rows if c["name"] == "Ann Lee")
    assert (
        customers.get_customer(shop, ann["contact_id"])["address"] == "12 King Fahd Road\nBuilding 4, floor 2"
    )


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(shop, tmp_path: Path, encoding: str) -> None:
    data = orders_csv().encode(encoding)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    path = tmp_path / "orders.csv"
    path.write_bytes(data)
    for store, source in (("Uploaded", data), ("On disk", path)):
        result = order_import.import_file(shop, store, "orders.csv", source)
        assert (result.new, result.posted, result.problems) == (2, 1, []), store
    people = "name\tcity\nنورة\tالرياض\nOlivia\tJeddah\n".encode(encoding)
    result = customers.import_customers(shop, "people.csv", people)
    assert (result.created, result.written, result.problems) == (2, True, [])
    assert {c["name"] for c in customers.list_customers(shop).rows} == {"نورة", "Olivia"}


WESTERN_PEOPLE = (
    "name,address,city\nJürgen Müller,Hauptstraße 5,München\nCafé Lumière,Rue de l'Église,Paris\n"
)
ARABIC_PEOPLE = "الاسم,المدينة\nمحمد العتيبي,الرياض\nنورة القحطاني,جدة\n"
PERSIAN_PEOPLE = "نام,شهر\nعلی رضایی,تهران\nزهرا کریمی,اصفهان\nشماره ۱۲۳۴,یزد\n"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (WESTERN_PEOPLE, "cp1252"),  # "Straße" used to come back as "Straكe" (read as Windows-1256)
        ("name,street\nAnna Schmidt,Straße 1\n", "cp1252"),
        ("sku,name,price\nK1,Kaffee – groß,3 €\n", "cp1252"),  # the dash and the euro sign are 1252's own
        ("name,city\nFrançois Müller,Zürich\nSøren Ærø,København\n", "latin_1"),
        (ARABIC_PEOPLE, "cp1256"),
        ("name\nنورة\n", "cp1256"),
        ("name\nعلي\n", "cp1256"),  # three letters: charset-normalizer ties, "Úáí" is no one's word
        ("sku;name;price\nA1;قهوة عربية;25\nA2;Coffee beans;30\n", "cp1256"),
        (PERSIAN_PEOPLE, "utf-8"),
        (PERSIAN_PEOPLE, "utf-8-sig"),
        (WESTERN_PEOPLE + ARABIC_PEOPLE, "utf-8"),
        (PERSIAN_PEOPLE, "utf-16"),  # with its BOM (little-endian here)
        (PERSIAN_PEOPLE, "utf-16-le"),  # without a BOM
        (PERSIAN_PEOPLE, "utf-16-be"),
        ("\ufeff" + PERSIAN_PEOPLE, "utf-16-be"),  # big-endian with its BOM
    ],
)
def test_each_encoding_a_spreadsheet_saves_is_read_right(text: str, encoding: str) -> None:
    data = text.encode(encoding)
    assert tabular.decode(data) == text.lstrip("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    delimiter = tabular.sniff_delimiter(lines[0])
    assert tabular.read_table("people.csv", data) == (
        lines[0].split(delimiter),
        [line.split(delimiter) for line in lines[1:]],
    )


def test_one_arabic_city_far_down_a_file_of_ascii_is_still_arabic() -> None:
    """Thousands of ASCII lines read alike in every code page: the lines that differ decide."""
    rows = "".join(f"A{i},Item {i},{i % 9}\n" for i in range(20_000))
    for word, encoding in (("الرياض", "cp1256"), ("Straße", "cp1252")):
        text = f"order_id,name,qty\n{rows}B1,{word},1\n"
        assert tabular.decode(text.encode(encoding)) == text


def test_windows_1252_is_read_right_by_both_imports(shop) -> None:
    result = customers.import_customers(shop, "people.csv", WESTERN_PEOPLE.encode("cp1252"))
    assert (result.created, result.problems) == (2, [])
    names = {c["name"] for c in customers.list_customers(shop).rows}
    assert names == {"Jürgen Müller", "Café Lumière"}
    header = ",".join([*ORDERS_HEADER, "customer_name", "customer_city"])
    orders = f"{header}\nW1,2026-01-05,completed,CUP,Cup,2,10,Jürgen Müller,Straße\n"
    result = order_import.import_file(shop, "Web", "orders.csv", orders.encode("cp1252"))
    assert (result.new, result.problems) == (1, [])
    assert "Jürgen Müller" in {c["name"] for c in customers.list_customers(shop).rows}


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(0x80, 0x100)) * 8,  # every high byte, no word in any script
        "name\nß\n".encode("cp1252"),  # one letter: "ß" in Western, "ك" in Arabic, nothing says which
    ],
)
def test_what_no_code_page_reads_for_sure_is_refused_not_guessed(data: bytes) -> None:
    with pytest.raises(ValidationError, match="cannot be read|more than one way"):
        tabular.decode(data)


def test_an_xlsx_named_csv_is_read_as_the_workbook_it_is(shop) -> None:
    book = xlsx_openpyxl([ORDERS_HEADER, ["A1", "2026-01-05", "completed", "CUP", "Cup", 2, 10]])
    result = order_import.import_file(shop, "S", "orders.csv", book)
    assert (result.new, result.problems) == (1, [])
    people = customers.import_customers(
        shop, "people.csv", xlsx_openpyxl([["name", "city"], ["Huda", "Riyadh"]])
    )
    assert (people.created, people.written) == (1, True)


def test_a_formula_with_its_saved_value_is_read_as_that_value(shop) -> None:
    result = order_import.import_file(shop, "S", "orders.xlsx", xlsx_saved_formula())
    assert (result.new, result.posted, result.problems) == (1, 1, [])
    assert order_import.sync_log(shop, "S")[0]["result"] == "posted"


# ---------------------------------------------------------------- files that must be refused, clearly


def test_a_zip_named_csv_says_it_is_a_zip_archive_and_writes_nothing(shop, duck: Database) -> None:
    archive = zip_of("orders.csv", orders_csv().encode())
    with pytest.raises(
        ValidationError, match="This file is a ZIP archive, not a CSV or an XLSX workbook"
    ) as error:
        order_import.import_file(shop, "S", "orders.csv", archive)
    assert "KeyError" not in str(error.value) and "unzip it" in str(error.value)
    result = customers.import_customers(shop, "people.csv", zip_of("people.csv", b"name\nAnn\n"))
    assert not result.written and "ZIP archive" in result.problems[0][2]
    assert orders_written(duck) == 0 and customers.list_customers(shop).total == 0


def test_a_formula_without_a_saved_value_names_its_row_and_column(shop, duck: Database) -> None:
    book = xlsx_openpyxl(
        [
            ORDERS_HEADER,
            ["A1", "2026-01-05", "completed", "CUP", "Cup", 2, 10],
            ["A2", "2026-01-06", "completed", "CUP", "Cup", "=F2*2", 10],
        ]
    )
    with pytest.raises(ValidationError) as error:
        order_import.import_file(shop, "S", "orders.xlsx", book)
    assert str(error.value) == f"row 3, column quantity: {UNSAVED}"
    people = xlsx_openpyxl([["name", "payment terms"], ["Ann", "=10+20"]])
    result = customers.import_customers(shop, "people.xlsx", people)
    assert not result.written and result.problems == [(2, "payment terms", UNSAVED)]
    assert orders_written(duck) == 0 and customers.list_customers(shop).total == 0


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (["order_id", "order_date", "status", "sku", "product_name", "quantity", "Quantity "], "'quantity' appears in 2 columns (F, G)"),
        (["order_id", "order date", "status", "sku", "product_name", "quantity", "order_date"], "'order date' appears in 2 columns (B, G)"),
    ],
    ids=["case and spaces", "underscore"],
)  # fmt: skip
def test_a_header_twice_is_refused_naming_it_and_its_columns(shop, duck: Database, header, words) -> None:
    data = orders_csv(header).encode()
    with pytest.raises(ValidationError, match=words.replace("(", r"\(").replace(")", r"\)")):
        order_import.import_file(shop, "S", "orders.csv", data)
    book = xlsx_openpyxl([header, ["A1", "2026-01-05", "completed", "CUP", "Cup", 2, 10]])
    with pytest.raises(ValidationError, match="appears in 2 columns"):
        order_import.import_file(shop, "S", "orders.xlsx", book)
    result = customers.import_customers(shop, "people.csv", b"name,city,Name\nAnn,Riyadh,Ann Lee\n")
    assert not result.written and result.problems == [
        (0, "file", "the header 'name' appears in 2 columns (A, C): rename or delete all but one")
    ]
    assert orders_written(duck) == 0 and customers.list_customers(shop).total == 0


def test_an_empty_header_cell_twice_is_not_a_duplicate(shop) -> None:
    data = orders_csv([*ORDERS_HEADER, "", ""]).replace("10\n", "10,,\n").encode()
    assert order_import.import_file(shop, "S", "orders.csv", data).new == 2


def test_an_old_xls_workbook_is_named(shop) -> None:
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    with pytest.raises(ValidationError, match=r"old Excel workbook \(\.xls\)"):
        order_import.import_file(shop, "S", "orders.csv", xls)
    assert "old Excel workbook" in customers.import_customers(shop, "people.xls", xls).problems[0][2]


def test_binary_data_with_nuls_everywhere_is_still_not_text(shop) -> None:
    with pytest.raises(ValidationError, match="not a text file"):
        order_import.import_file(shop, "S", "orders.csv", bytes(range(256)) * 40)


# ---------------------------------------------------------------- the same through the command line


def _cli(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backoffice.cli", *args, "--db", str(db_path)],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONWARNINGS": "ignore"},
    )


def test_the_command_line_reads_and_refuses_the_same_files(tmp_path: Path) -> None:
    db_path = tmp_path / "shop.duckdb"
    init = _cli(db_path, "init", "--org", "S", "--currency", "SAR", "--vat", "15", "--admin-email",
                "a@example.com", "--admin-password", "Sesame#2026", "--country", "SA")  # fmt: skip
    assert init.returncode == 0, init.stderr
    files = {
        "shopify.csv": shopify_export(),
        "utf16.csv": orders_csv().replace("A1", "U1").replace("A2", "U2").encode("utf-16-le"),
        "book.csv": xlsx_openpyxl([ORDERS_HEADER, ["X1", "2026-01-05", "completed", "CUP", "Cup", 2, 10]]),
        "zip.csv": zip_of("orders.csv", orders_csv().encode()),
        "formula.xlsx": xlsx_openpyxl(
            [ORDERS_HEADER, ["F1", "2026-01-05", "completed", "CUP", "Cup", "=1+1", 10]]
        ),
        "twice.csv": orders_csv([*ORDERS_HEADER[:-1], "quantity"]).encode(),
        "people.csv": 'name,address\n"Ann","1 Road\nFlat 2"\n'.encode("utf-16-be"),
        "people-zip.csv": zip_of("people.csv", b"name\nAnn\n"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    good = {"shopify.csv": ("shopify", 2), "utf16.csv": ("generic", 2), "book.csv": ("generic", 1)}
    for name, (profile, new) in good.items():
        done = _cli(db_path, "import", str(tmp_path / name), "--store", name, "--profile", profile, "--json")
        assert done.returncode == 0, done.stderr
        assert (json.loads(done.stdout)["new"], json.loads(done.stdout)["problems"]) == (new, []), name
    refused = {
        "zip.csv": "This file is a ZIP archive, not a CSV or an XLSX workbook",
        "formula.xlsx": f"row 2, column quantity: {UNSAVED}",
        "twice.csv": "the header 'quantity' appears in 2 columns (F, G): rename or delete all but one",
    }
    for name, words in refused.items():
        done = _cli(db_path, "import", str(tmp_path / name), "--store", "Refused", "--json")
        assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr, done.stderr
    people = _cli(db_path, "customer", "import", str(tmp_path / "people.csv"), "--json")
    assert people.returncode == 0 and json.loads(people.stdout)["created"] == 1, people.stderr
    zipped = _cli(db_path, "customer", "import", str(tmp_path / "people-zip.csv"), "--json")
    assert zipped.returncode == 2 and "ZIP archive" in zipped.stdout and "Traceback" not in zipped.stderr
    stores = json.loads(_cli(db_path, "store", "list", "--json").stdout)
    assert sorted(s["name"] for s in stores) == sorted(good)  # the refused files made no store, no order
    listed = json.loads(_cli(db_path, "customer", "list", "--json").stdout)
    assert "Ann" in {c["name"] for c in listed}


def test_a_stray_nul_in_utf8_text_is_not_taken_for_utf16(shop) -> None:
    data = orders_csv().encode()
    data = data[:9] + b"\x00" + data[9:]
    with pytest.raises(ValidationError, match="not a text file"):
        order_import.import_file(shop, "S", "orders.csv", data)
