"""The bad-input corpus: files that once ended in a Python traceback or were taken without a word (issue 14, #8 and
#10). Each runs through both doors a user has — the command line (a real process) and the service function the
Streamlit page calls with the uploaded bytes — and each must be refused the same way: exit 2 with the row (or
order, or line), the column and the reason, no traceback, and not one row written anywhere.

An entry: the command (`import` of store orders or `customer import`), the files, and the words that must appear
in what the user reads (stderr on the command line; the error or the problem list on the page). The malformed
orders files of test_order_import.MALFORMED are the corpus's older half (service path).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

from backoffice import imports as order_import
from backoffice.contacts import customers
from backoffice.core.errors import ValidationError
from backoffice.db import Database
from tests.factories import make_org

ROOT = Path(__file__).resolve().parents[1]
HEADER = "order_id,order_date,status,sku,product_name,quantity,unit_price\n"


def _line(
    order_id: str = "A1", date: str = "2026-01-05", qty: str = "1", price: str = "10", name: str = "Cup"
) -> str:
    return f"{order_id},{date},completed,CUP,{name},{qty},{price}\n"


def _salla(**changes: Any) -> bytes:
    order: dict[str, Any] = {
        "id": 1,
        "reference_id": "R1",
        "date": {"date": "2026-01-05 10:00:00"},
        "status": {"slug": "completed"},
        "currency": "SAR",
        "customer": {"first_name": "Huda", "last_name": "Ali", "email": "h@example.com"},
        "amounts": {"total": {"amount": 10}},
        "items": [
            {"sku": "CUP", "name": "Cup", "quantity": 1, "amounts": {"price_without_tax": {"amount": 10}}}
        ],
    }
    return json.dumps({"data": order | changes}, ensure_ascii=False).encode()


def _salla_raw(price: str = "10", order_id: str = '"R1"') -> bytes:
    """Salla JSON written by hand, for numbers Python's int() would refuse (a 5,000-digit integer)."""
    return (
        '{"data": {"reference_id": '
        + order_id
        + ', "date": {"date": "2026-01-05"}, "status": {"slug": "completed"}, '
        '"items": [{"sku": "CUP", "name": "Cup", "quantity": 1, "amounts": {"price_without_tax": {"amount": '
        + price
        + "}}}]}}"
    ).encode()


@dataclass
class Case:
    files: dict[str, bytes]  # name → content; the first is the file imported
    words: list[str]  # what the user must read: row (or order, or line), column, reason
    command: str = "import"  # or "customer import"
    profile: str = "generic"
    options: dict[str, str] = field(default_factory=dict)  # --mapping / --payments: a name in `files`


CORPUS: dict[str, Case] = {
    # 8. inputs that ended in a traceback
    "price of 20 digits": Case(
        {"o.csv": (HEADER + _line(price="99999999999999999999")).encode()},
        ["row 2", "unit_price", "more than the largest amount"],
    ),
    "quantity of 20 digits": Case(
        {"o.csv": (HEADER + _line(qty="99999999999999999999")).encode()},
        ["row 2", "quantity", "more than the largest quantity of a line"],
    ),
    "2000000000 × 99999999999": Case(
        {"o.csv": (HEADER + _line(qty="2000000000", price="99999999999")).encode()},
        ["row 2", "quantity", "'2000000000' is more than the largest quantity"],
    ),
    "a line over the largest line": Case(
        {"o.csv": (HEADER + _line(qty="1000000", price="99999999999")).encode()},
        ["row 2", "unit_price", "quantity × price is more than the largest line"],
    ),
    "lines priced 90000000000000000": Case(
        {"o.csv": (HEADER + _line(price="90000000000000000") * 3).encode()},
        ["row 4", "unit_price", "'90000000000000000' is more than the largest amount"],
    ),
    "an order over the largest order": Case(
        {"o.csv": (HEADER + _line(price="600000000000") + _line(price="600000000000")).encode()},
        ["row 2", "unit_price", "the lines of order A1 come to more than the largest order"],
    ),
    "every amount column over the largest": Case(
        {
            "o.csv": (
                b"order_id,order_date,status,sku,product_name,quantity,unit_price,vat_rate,shipping,line_discount,"
                b"order_discount,paid_amount\n"
                b"A1,2026-01-05,completed,CUP,Cup,1,10,9999999999999999999999999999,"
                b"9999999999999999999999999999.5,99999999999999999999,1e400,-99999999999999999999\n"
            )
        },
        [
            "row 2, vat_rate: '9999999999999999999999999999' is not a VAT rate",
            "row 2, shipping: '9999999999999999999999999999.5' is more than the largest amount",
            "row 2, line_discount: '99999999999999999999' is more than the largest amount",
            "row 2, order_discount: '1e400' is not a number",
            "row 2, paid_amount: '-99999999999999999999' is more than the largest amount",
        ],
    ),
    "salla customer is text": Case(
        {"o.json": _salla(customer="Huda")},
        ["order 1 (R1), customer", "must be a JSON object, not text"],
        profile="salla-json",
    ),
    "salla items are text": Case(
        {"o.json": _salla(items=["a cup", "a mug"])},
        ["order 1 (R1), items[1]", "must be a JSON object, not text"],
        profile="salla-json",
    ),
    "salla items is an object": Case(
        {"o.json": _salla(items={"sku": "CUP"})},
        ["order 1 (R1), items", "must be a list of objects, not an object"],
        profile="salla-json",
    ),
    "salla amounts is a list": Case(
        {"o.json": _salla(amounts=[10, 0])},
        ["order 1 (R1), amounts", "must be a JSON object, not a list"],
        profile="salla-json",
    ),
    "salla discount abc": Case(
        {"o.json": _salla(amounts={"discounts": [{"discount": "abc"}]})},
        ["order 1 (R1), amounts.discounts[0].discount", "'abc' is not a number"],
        profile="salla-json",
    ),
    "salla discount 1e999999999": Case(  # found in review: the discounts' sum overflowed
        {
            "o.json": b'{"data": {"reference_id": "R1", "amounts": {"discounts": [{"discount": 1e999999999}]}}}'
        },
        ["order 1 (R1), amounts.discounts[0].discount", "not an amount (too large"],
        profile="salla-json",
    ),
    "salla customer name is an object": Case(
        {"o.json": _salla(customer={"name": {"x": 1}, "email": ["a@example.com"]})},
        ["order 1 (R1), customer.name", "must be text or a number, not an object", "customer.email"],
        profile="salla-json",
    ),
    "salla sku is an object, name a list": Case(
        {
            "o.json": _salla(
                items=[{"sku": {"id": 1}, "name": ["Cup"], "amounts": {"price_without_tax": {"amount": 10}}}],
                payment_method={"slug": "cod"},
            )
        },
        ["items[0].sku", "items[0].name", "payment_method", "not an object"],
        profile="salla-json",
    ),
    "json nested 5000 deep": Case(
        {"o.json": b"[" * 5000 + b"]" * 5000},
        ["line 1, column 501", "nested more than 500 levels deep"],
        profile="salla-json",
    ),
    "json price of 5000 digits": Case(
        {"o.json": _salla_raw(price="9" * 5000)},
        ["row 2", "unit_price", "more than the largest amount"],
        profile="salla-json",
    ),
    "json order id of 5000 digits": Case(
        {"o.json": _salla_raw(order_id="9" * 5000)},
        ["row 2", "order_id", "longer than 100 characters"],
        profile="salla-json",
    ),
    "json in Windows-1252": Case(
        {"o.json": _salla(customer={"name": "José"}).decode().encode("cp1252")},
        ["line 1, column", "byte 0xE9 is not UTF-8"],
        profile="salla-json",
    ),
    "json in UTF-16": Case(
        {"o.json": _salla().decode().encode("utf-16")},
        ["file", "the file is UTF-16; save the JSON as UTF-8"],
        profile="salla-json",
    ),
    "customer cell over 128 KiB": Case(
        {"c.csv": ("name,emails\nHuda," + "h" * (130 * 1024) + "@example.com\n").encode()},
        ["row 2", "emails", "more than a cell may"],
        command="customer import",
    ),
    "payment terms ²": Case(
        {"c.csv": "name,emails,payment_terms_days\nHuda,h@example.com,²\n".encode()},
        ["row 2", "payment_terms_days", "whole number of days"],
        command="customer import",
    ),
    "mapping file is a list": Case(
        {"o.csv": (HEADER + _line()).encode(), "m.json": b'["order_id", "unit_price"]'},
        ["mapping", "a JSON object {generic_column: source_header}, not a list"],
        options={"mapping": "m.json"},
    ),
    "mapping to a number": Case(
        {"o.csv": (HEADER + _line()).encode(), "m.json": b'{"order_id": 5}'},
        ["mapping", "order_id: the source header must be text, not a number"],
        options={"mapping": "m.json"},
    ),
    "payments file of random bytes": Case(
        {"o.csv": (HEADER + _line()).encode(), "p.csv": random.Random(14).randbytes(4096)},
        ["payments file", "row ", "NUL character", "not a text file"],
        options={"payments": "p.csv"},
    ),
    "payments row not a number": Case(
        {"o.csv": (HEADER + _line()).encode(), "p.csv": b"order_id,payment_method,amount\nA1,mada,ten\n"},
        ["row 2", "payments file: amount", "'ten' is not a number"],
        options={"payments": "p.csv"},
    ),
    # 10. inputs taken without a word
    "dated 9999-12-31": Case(
        {"o.csv": (HEADER + _line(date="9999-12-31")).encode()},
        ["row 2", "order_date", "9999-12-31 is in the future"],
    ),
    "dated 1970-01-01": Case(
        {"o.csv": (HEADER + _line(date="1970-01-01")).encode()},
        ["row 2", "order_date", "before 2000-01-01"],
    ),
    "price 0.0000001": Case(
        {"o.csv": (HEADER + _line(price="0.0000001")).encode()},
        ["row 2", "unit_price", "'0.0000001' has more than 2 decimal places"],
    ),
    "price with 12 decimals": Case(
        {"o.csv": (HEADER + _line(price="1.000000000001")).encode()},
        ["row 2", "unit_price", "has more than 2 decimal places"],
    ),
    "order id of 10000 characters": Case(
        {"o.csv": (HEADER + _line(order_id="A" * 10_000)).encode()},
        ["row 2", "order_id", "longer than 100 characters"],
    ),
    "NUL bytes": Case(
        {"o.csv": (HEADER + _line() + _line(order_id="A2", name="C\x00p")).encode()},
        ["row 3", "product_name", "NUL character"],
    ),
}


def table_counts(path: Path) -> dict[str, int]:
    """Rows in every table of a DuckDB file: 'nothing written' compared over the whole database."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {n: int(con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}  # type: ignore[index]


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An organization made by `init`, with one customer and one earlier import: the state each case starts from."""
    folder = tmp_path_factory.mktemp("corpus")
    path = folder / "shop.duckdb"
    cli(
        "init", "--org", "Rose", "--currency", "SAR", "--vat", "15", "--country", "SA",
        "--admin-email", "owner@example.com", "--admin-password", "Owner#2026x", db=path,
    )  # fmt: skip
    (folder / "c.csv").write_text("name,emails\nMona,m@example.com\n")
    cli("customer", "import", str(folder / "c.csv"), db=path)
    (folder / "o.csv").write_text(HEADER + _line(order_id="OLD"))
    cli("import", str(folder / "o.csv"), "--store", "Web", db=path)
    return path


def cli(*args: str, db: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "backoffice.cli", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,  # this checkout's backoffice, whatever is installed
        timeout=300,
    )
    assert not check or done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_command_line_refuses_it_by_row_column_and_reason(
    name: str, shop_file: Path, tmp_path: Path
) -> None:
    case = CORPUS[name]
    db = tmp_path / "shop.duckdb"
    shutil.copyfile(shop_file, db)
    for file_name, content in case.files.items():
        (tmp_path / file_name).write_bytes(content)
    first = tmp_path / next(iter(case.files))
    before = table_counts(db)
    args = [*case.command.split(), str(first)]
    if case.command == "import":
        args += ["--store", "Web", "--profile", case.profile]
    for option, file_name in case.options.items():
        args += [f"--{option}", str(tmp_path / file_name)]
    done = cli(*args, db=db, check=False)
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr + done.stdout
    for words in case.words:
        assert words in done.stderr, (words, done.stderr[-2000:])
    assert table_counts(db) == before


def _page_upload(admin: Any, case: Case) -> str:
    """What the page does with the uploaded bytes (backoffice/web/pages/order_import.py, backoffice/web/pages/customers.py), and what it shows."""
    first, data = next(iter(case.files.items()))
    if case.command == "customer import":
        outcome = customers.import_customers(admin, first, data)
        assert not outcome.written
        return "\n".join(f"row {r}, {c}: {m}" for r, c, m in outcome.problems)
    mapping = json.loads(case.files["m.json"]) if "mapping" in case.options else None
    payments = case.files["p.csv"] if "payments" in case.options else None
    result = order_import.import_file(admin, "Web", first, data, case.profile, mapping, payments)
    assert result.rejected
    return "\n".join(f"row {r}, {c}: {m}" for r, c, m in result.problems)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_page_refuses_it_by_row_column_and_reason(name: str, duck: Database) -> None:
    from tests.test_order_import import snapshot

    _, admin = make_org(duck, country="SA")
    before = snapshot(duck)
    try:
        shown = _page_upload(admin, CORPUS[name])
    except ValidationError as exc:  # the page's error box (backoffice.web.errors.show_errors)
        shown = "\n".join(f"{e.field}: {e.message}" for e in exc.errors)
    for words in CORPUS[name].words:
        assert words in shown, (words, shown[-2000:])
    assert snapshot(duck) == before


def test_a_customer_file_with_cr_only_line_ends_imports_through_both_doors(
    shop_file: Path, tmp_path: Path
) -> None:
    """Old Mac exports end lines with CR alone: once a traceback, now read like any CSV — on the command line and
    on the page alike."""
    data = b"name,emails,payment_terms_days\rHuda,h@example.com,30\rSara,s@example.com,0\r"
    db = tmp_path / "shop.duckdb"
    shutil.copyfile(shop_file, db)
    (tmp_path / "c.csv").write_bytes(data)
    done = cli("customer", "import", str(tmp_path / "c.csv"), "--json", db=db)
    assert json.loads(done.stdout) == {"created": 2, "written": True, "problems": []}
    page = tmp_path / "page.duckdb"
    shutil.copyfile(shop_file, page)
    from backoffice.core.context import Context, User
    from backoffice.db import open_database

    database = open_database(f"duckdb:///{page}")
    try:
        outcome = customers.import_customers(Context(database, User.system(), 1), "c.csv", data)
    finally:
        database.dispose()
    assert (outcome.created, outcome.written, outcome.problems) == (2, True, [])


def test_far_dates_import_from_the_command_line_with_allow_dates(shop_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "shop.duckdb"
    shutil.copyfile(shop_file, db)
    (tmp_path / "o.csv").write_text(HEADER + _line(date="1999-12-31"))
    done = cli("import", str(tmp_path / "o.csv"), "--store", "Web", "--allow-dates", "--json", db=db)
    assert (json.loads(done.stdout)["new"], json.loads(done.stdout)["problems"]) == (1, [])
