"""The command line is a contract: flags, JSON shapes and exit codes (docs/architecture.md)."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backoffice.cli import main

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def run(capsys, *args: str) -> tuple[int, object, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if "--json" in args and out.strip() else out), err


@pytest.fixture
def shop(cli_db, capsys) -> tuple[str, ...]:
    """An organization made by `backoffice init`: the arguments naming its database (see cli_db)."""
    where = cli_db()
    code, data, _ = run(
        capsys,
        "init",
        *where,
        "--org",
        "Rose Shop",
        "--currency",
        "SAR",
        "--vat",
        "15",
        "--admin-email",
        "owner@example.com",
        "--admin-password",
        "Owner#2026",
        "--country",
        "SA",
        "--json",
    )
    assert code == 0 and data["name"] == "Rose Shop" and isinstance(data["id"], int)
    return where


def test_init_refuses_a_weak_password_and_writes_nothing(cli_db, capsys) -> None:
    where = cli_db(empty=True)
    code, _, err = run(
        capsys,
        "init",
        *where,
        "--org",
        "X",
        "--currency",
        "SAR",
        "--vat",
        "15",
        "--admin-email",
        "a@example.com",
        "--admin-password",
        "weak",
    )
    assert code == 2 and "password" in err and "upper-case" in err
    code, _, err = run(capsys, "customer", "list", *where, "--json")
    assert code == 2 and "backoffice init" in err


def test_customer_add_and_list_with_json(shop: tuple[str, ...], capsys) -> None:
    code, data, _ = run(
        capsys,
        "customer",
        "add",
        *shop,
        "--org",
        "Rose Shop",
        "--name",
        "فاطمة الزهراء",
        "--email",
        "f@example.com",
        "--email",
        "billing@example.com",
        "--phone",
        "0551234567",
        "--tax-id",
        "300000000000003",
        "--category",
        'VIP, "gold"',
        "--category",
        "عملاء التجزئة",
        "--json",
    )
    assert code == 0
    assert data["name"] == "فاطمة الزهراء" and data["phone"] == "+966551234567"
    assert data["emails"] == ["f@example.com", "billing@example.com"]
    assert sorted(data["categories"]) == sorted(['VIP, "gold"', "عملاء التجزئة"])
    assert (data["balance"], data["currency"]) == ("0.00", "SAR")
    code, listed, _ = run(capsys, "customer", "list", *shop, "--search", "فاطمه", "--json")
    assert code == 0 and [c["id"] for c in listed] == [data["id"]]
    code, listed, _ = run(capsys, "customer", "list", *shop, "--category", "عملاء التجزئة", "--json")
    assert [c["id"] for c in listed] == [data["id"]]
    code, listed, _ = run(capsys, "customer", "list", *shop, "--search", "nobody", "--json")
    assert (code, listed) == (0, [])


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "name: the full name is required"),
        (["--name", "A", "--email", "nope"], "emails: 'nope' is not a valid email address"),
        (["--name", "A", "--phone", "12"], "phone: '12' is not a valid phone number"),
        (["--name", "A", "--tax-id", "123"], "tax_id: a Saudi VAT number has 15 digits"),
    ],
)
def test_invalid_customer_exits_2_with_the_field_and_writes_nothing(
    shop: tuple[str, ...], capsys, args, words
) -> None:
    code, _, err = run(capsys, "customer", "add", *shop, *args, "--json")
    assert code == 2 and words in err
    assert run(capsys, "customer", "list", *shop, "--json")[1] == []


def test_duplicate_is_refused_unless_allowed(shop: tuple[str, ...], capsys) -> None:
    assert run(capsys, "customer", "add", *shop, "--name", "A", "--email", "a@example.com")[0] == 0
    code, _, err = run(capsys, "customer", "add", *shop, "--name", "B", "--email", "A@example.com", "--json")
    assert code == 2 and "Possible duplicate" in err
    code, data, _ = run(
        capsys,
        "customer",
        "add",
        *shop,
        "--name",
        "B",
        "--email",
        "A@example.com",
        "--allow-duplicate",
        "--json",
    )
    assert code == 0 and data["name"] == "B"


def test_org_set_changes_the_same_settings_as_the_page(shop: tuple[str, ...], tmp_path: Path, capsys) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    code, data, _ = run(
        capsys,
        "org",
        "set",
        *shop,
        "--org",
        "Rose Shop",
        "--tax-number",
        "310122393500003",
        "--address",
        "طريق الملك فهد",
        "--language",
        "ar-en",
        "--logo",
        str(logo),
        "--brand-color",
        "#AA2233",
        "--country",
        "SA",
        "--json",
    )
    assert code == 0
    assert (data["tax_number"], data["language"], data["brand_color"], data["has_logo"]) == (
        "310122393500003",
        "ar-en",
        "#aa2233",
        True,
    )
    code, _, err = run(capsys, "org", "set", *shop, "--brand-color", "pink")
    assert code == 2 and "brand_color" in err


def test_trial_balance_json_shape(shop: tuple[str, ...], capsys) -> None:
    code, data, _ = run(capsys, "ledger", "trial-balance", *shop, "--json")
    assert code == 0 and data == {
        "rows": [],
        "totals": {"debit": "0.00", "credit": "0.00", "balanced": True, "currency": "SAR"},
    }


def test_demo_loads_once(cli_db, capsys) -> None:
    where = cli_db(empty=True)
    code, data, _ = run(capsys, "demo", *where, "--customers", "25", "--json")
    assert code == 0 and data["customers"] == 25 and data["created"] is True
    assert run(capsys, "demo", *where, "--json")[1]["created"] is False
    listed = run(capsys, "customer", "list", *where, "--page-size", "100", "--json")[1]
    assert len(listed) == 25
    scripts = "".join(c["name"] for c in listed)
    assert any("\u0600" <= ch <= "\u06ff" for ch in scripts) and any(
        ch.isascii() and ch.isalpha() for ch in scripts
    )
    assert any(ch in scripts for ch in "پچژگی")  # Persian letters too
    tb = run(capsys, "ledger", "trial-balance", *where, "--json")[1]
    assert tb["totals"]["debit"] == tb["totals"]["credit"] != "0.00"


def test_user_add_with_password_from_the_environment_and_invitation(
    shop: tuple[str, ...], capsys, monkeypatch
) -> None:
    monkeypatch.setenv("NEW_PASSWORD", "Clerk#2026x")
    code, data, _ = run(
        capsys,
        "user",
        "add",
        *shop,
        "--email",
        "clerk@example.com",
        "--role",
        "sales",
        "--password-env",
        "NEW_PASSWORD",
        "--json",
    )
    assert code == 0 and data["invitation_token"] is None
    code, data, _ = run(
        capsys, "user", "add", *shop, "--email", "late@example.com", "--role", "viewer", "--json"
    )
    assert code == 0 and len(data["invitation_token"]) > 20


def test_console_script_exit_codes_and_a_held_file(shop: tuple[str, ...]) -> None:
    exe = Path(sys.executable).with_name("backoffice")
    env = os.environ | {"PYTHONWARNINGS": "ignore"}
    ok = subprocess.run(
        [str(exe), "customer", "list", *shop, "--json"], capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0 and json.loads(ok.stdout) == []
    if not shop:  # PostgreSQL: a server, no file to hold
        return
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,sys; c=duckdb.connect({shop[1]!r}); print('ready', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        busy = subprocess.run([str(exe), "customer", "list", *shop], capture_output=True, text=True, env=env)
        assert busy.returncode == 1 and "Wait for it to finish or stop it" in busy.stderr
    finally:
        holder.communicate("")


def test_product_order_invoice_credit_note_and_trial_balance(shop: tuple[str, ...], capsys) -> None:
    code, customer, _ = run(capsys, "customer", "add", *shop, "--name", "عبدالله", "--json")
    code, product, _ = run(
        capsys,
        "product",
        "add",
        *shop,
        "--sku",
        "MUG-1",
        "--name",
        "Mug",
        "--price",
        "20",
        "--cost",
        "8",
        "--stock",
        "10",
        "--json",
    )
    assert code == 0 and (product["price"], product["stock"], product["stock_value"], product["vat"]) == (
        "20.00",
        10,
        "80.00",
        "standard",
    )
    code, order, _ = run(
        capsys,
        "order",
        "add",
        *shop,
        "--customer",
        str(customer["id"]),
        "--line",
        "MUG-1:3",
        "--line",
        "MUG-1:1:15.50",
        "--shipping",
        "10",
        "--json",
    )
    assert code == 0 and order["status"] == "draft"
    assert (order["net"], order["vat"], order["total"], order["currency"]) == (
        "85.50",
        "12.83",
        "98.33",
        "SAR",
    )
    code, _, err = run(capsys, "invoice", "issue", *shop, "--order", str(order["id"]), "--json")
    assert code == 2 and "only a confirmed or fulfilled order" in err
    assert run(capsys, "order", "transition", str(order["id"]), *shop, "--to", "confirmed", "--json")[0] == 0
    code, invoice, _ = run(capsys, "invoice", "issue", *shop, "--order", str(order["id"]), "--json")
    assert code == 0 and invoice["number"] == "INV-000001" and invoice["total"] == "98.33"
    code, _, err = run(capsys, "invoice", "issue", *shop, "--order", str(order["id"]), "--json")
    assert code == 2 and "already has invoice INV-000001" in err
    code, note, _ = run(capsys, "invoice", "credit-note", "INV-000001", *shop, "--line", "MUG-1:1", "--json")
    assert code == 0 and note["number"] == "CN-000001" and note["number"] != invoice["number"]
    code, tb, _ = run(capsys, "ledger", "trial-balance", *shop, "--json")
    assert tb["totals"]["debit"] == tb["totals"]["credit"] and tb["totals"]["balanced"] is True
    assert run(capsys, "invoice", "explain", "INV-000001", *shop, "--json")[1] == []
    code, shown, _ = run(capsys, "customer", "show", str(customer["id"]), *shop, "--json")
    assert shown["balance"] == "75.33"  # 98.33 invoiced less a 23.00 credit note


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["order", "add", "--line", "NOPE:1"], "no product with SKU NOPE"),
        (["order", "add", "--line", "MUG"], "write --line SKU:QTY"),
        (["product", "add", "--sku", "X", "--name", "X", "--price", "1", "--vat", "abc"], "vat"),
        (["order", "transition", "99", "--to", "confirmed"], "No order #99"),
        (["invoice", "credit-note", "INV-000404"], "No invoice INV-000404"),
    ],
)
def test_sales_commands_refuse_bad_input_with_exit_2(shop: tuple[str, ...], capsys, args, words) -> None:
    code, _, err = run(capsys, *args[:2], *shop, *args[2:])
    assert code == 2 and words in err


def test_opening_balances_from_the_command_line(shop: tuple[str, ...], tmp_path: Path, capsys) -> None:
    path = tmp_path / "opening.csv"
    path.write_text("account,debit,credit\n1010,1000,\n2000,,400\n")
    assert run(capsys, "ledger", "opening", str(path), *shop, "--on", "2026-07-01", "--json")[0] == 0
    tb = run(capsys, "ledger", "trial-balance", *shop, "--json")[1]
    assert tb["totals"] == {"debit": "1000.00", "credit": "1000.00", "balanced": True, "currency": "SAR"}


def test_payments_deposits_cancellation_statement_and_aging(shop: tuple[str, ...], capsys) -> None:
    run(capsys, "customer", "add", *shop, "--name", "Huda", "--json")
    run(
        capsys,
        "product",
        "add",
        *shop,
        "--sku",
        "CUP",
        "--name",
        "Cup",
        "--price",
        "100",
        "--stock",
        "9",
    )
    order = run(capsys, "order", "add", *shop, "--customer", "1", "--line", "CUP:2", "--confirm", "--json")[1]
    code, deposit, _ = run(
        capsys,
        "payment",
        "add",
        *shop,
        "--order",
        str(order["id"]),
        "--deposit",
        "--amount",
        "50",
        "--method",
        "card",
        "--json",
    )
    assert code == 0 and deposit["credit"] == "50.00"
    run(capsys, "invoice", "issue", *shop, "--order", str(order["id"]))
    code, paid, _ = run(
        capsys,
        "payment",
        "add",
        *shop,
        "--customer",
        "1",
        "--amount",
        "200",
        "--method",
        "cash",
        "--json",
    )
    assert paid["allocated"] == [{"invoice": "INV-000001", "amount": "180.00"}] and paid["credit"] == "20.00"
    code, statement, _ = run(capsys, "customer", "statement", "1", *shop, "--json")
    assert (statement["opening_balance"], statement["closing_balance"]) == ("0.00", "-20.00")
    assert [x["balance"] for x in statement["lines"]] == ["-50.00", "180.00", "-20.00"]
    second = run(capsys, "order", "add", *shop, "--customer", "1", "--line", "CUP:1", "--confirm", "--json")[
        1
    ]
    run(
        capsys,
        "payment",
        "add",
        *shop,
        "--order",
        str(second["id"]),
        "--deposit",
        "--amount",
        "30",
        "--method",
        "cash",
    )
    code, cancelled, _ = run(
        capsys, "order", "cancel", str(second["id"]), *shop, "--fee-percent", "10", "--json"
    )
    assert (cancelled["fee"], cancelled["refunded"]) == ("3.00", "27.00")
    code, aging, _ = run(capsys, "report", "aging", *shop, "--json")
    assert set(aging["totals"]) >= {
        "current",
        "days_1_30",
        "days_31_60",
        "days_61_90",
        "days_over_90",
        "total",
    }
    code, refund, _ = run(
        capsys,
        "payment",
        "refund",
        *shop,
        "--customer",
        "1",
        "--amount",
        "20",
        "--method",
        "cash",
        "--json",
    )
    assert code == 0 and refund["refunds"] == [{"method": "cash", "amount": "20.00"}]
    code, _, err = run(
        capsys, "payment", "add", *shop, "--customer", "1", "--amount", "0", "--method", "cash"
    )
    assert code == 2 and "above zero" in err


def test_import_prints_its_result_always_and_exits_2_when_rejected(
    shop: tuple[str, ...], tmp_path: Path, capsys
) -> None:
    good = tmp_path / "orders.csv"
    good.write_text(
        "order_id,order_date,status,sku,product_name,quantity,unit_price\n"
        "A1,2026-01-05,completed,CUP,Cup,2,10\nA2,2026-01-06,pending,CUP,Cup,1,10\n"
    )
    code, data, _ = run(capsys, "import", str(good), *shop, "--store", "Web", "--dry-run", "--json")
    assert code == 0 and (data["new"], data["posted"], data["dry_run"]) == (2, 1, True)
    code, data, _ = run(capsys, "import", str(good), *shop, "--store", "Web", "--no-auto-paid", "--json")
    assert code == 0 and set(data) >= {"new", "changed", "unchanged", "errors", "posted", "problems"}
    assert (data["new"], data["posted"]) == (2, 1)
    code, posted, _ = run(capsys, "post", *shop, "--store", "Web", "--order", "A2", "--json")
    assert code == 0 and posted["posted"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "order_id,order_date,status,sku,product_name,quantity,unit_price\nB1,someday,completed,CUP,Cup,x,10\n"
    )
    code, data, _ = run(capsys, "import", str(bad), *shop, "--store", "Web", "--all-or-nothing", "--json")
    assert code == 2 and data["problems"] == [
        {"row": 2, "column": "order_date", "reason": "bad date 'someday' (use YYYY-MM-DD)"},
        {"row": 2, "column": "quantity", "reason": "'x' is not a number"},
    ]
    code, store, _ = run(
        capsys, "store", "set", "Web", *shop, "--no-auto-paid", "--default-customer", "--json"
    )
    assert code == 0 and (store["auto_paid"], store["default_customer"]) == (False, True)
    code, log, _ = run(capsys, "store", "log", "Web", *shop, "--order", "A2", "--json")
    assert [r["result"] for r in log] == ["posted", "created"]


def test_deposit_settings_payment_methods_and_pick_up_from_the_command_line(
    shop: tuple[str, ...], capsys
) -> None:
    code, settings, _ = run(
        capsys,
        "org",
        "set",
        *shop,
        "--deposit-percent",
        "25",
        "--cancellation-fee-percent",
        "10",
        "--no-shipping-taxable",
        "--allow-negative-stock",
        "--json",
    )
    assert code == 0 and (settings["deposit_percent_bp"], settings["cancellation_fee_bp"]) == (2500, 1000)
    assert (settings["shipping_taxable"], settings["allow_negative_stock"]) == (False, True)
    assert run(capsys, "payment", "method", "mada", *shop, "--account", "card_clearing")[0] == 0
    run(capsys, "customer", "add", *shop, "--name", "Reem")
    run(
        capsys,
        "product",
        "add",
        *shop,
        "--sku",
        "CUP",
        "--name",
        "Cup",
        "--price",
        "100",
        "--stock",
        "5",
    )
    order = run(capsys, "order", "add", *shop, "--customer", "1", "--line", "CUP:2", "--confirm", "--json")[1]
    deposit = run(
        capsys,
        "payment",
        "add",
        *shop,
        "--order",
        str(order["id"]),
        "--deposit",
        "--amount",
        "57.50",
        "--method",
        "mada",
        "--json",
    )[1]
    assert deposit["credit"] == "57.50"
    code, picked, _ = run(
        capsys, "order", "transition", str(order["id"]), *shop, "--to", "fulfilled", "--json"
    )
    assert code == 0 and picked["status"] == "invoiced"  # picked up: invoiced at once, the deposit settles it
    assert run(capsys, "customer", "show", "1", *shop, "--json")[1]["balance"] == "172.50"


def test_import_json_into_a_closed_pipe_exits_0_quietly_once_committed(
    shop: tuple[str, ...], tmp_path: Path, capsys
) -> None:
    """`backoffice import … --json | head -c0`: the reader is gone when the result is printed; the import has
    committed by then, so the exit is 0 with nothing on stderr (no traceback, no 'Broken pipe')."""
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,order_date,status,sku,product_name,quantity,unit_price\nP1,2026-01-05,completed,CUP,Cup,2,10\n"
    )
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has already gone: every write to the pipe fails
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "backoffice.cli",
                "import",
                str(orders),
                *shop,
                "--store",
                "Web",
                "--json",
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, "")
    code, log, _ = run(capsys, "store", "log", "Web", *shop, "--order", "P1", "--json")
    assert code == 0 and [r["result"] for r in log] == ["posted"]


def test_import_lists_the_first_1000_problems_and_writes_all_to_the_errors_file(
    shop: tuple[str, ...], tmp_path: Path, capsys
) -> None:
    bad = tmp_path / "bad.csv"
    rows = "".join(f"B{i},2026-01-05,completed,CUP,Cup,x,10\n" for i in range(1500))
    bad.write_text("order_id,order_date,status,sku,product_name,quantity,unit_price\n" + rows)
    errors = tmp_path / "errors.csv"
    args = ("import", str(bad), *shop, "--store", "Web", "--errors-file", str(errors))
    code, data, _ = run(capsys, *args, "--json")
    assert code == 2 and data["rejected"] and data["problem_count"] == 1500 and len(data["problems"]) == 1000
    assert data["problems"][0] == {"row": 2, "column": "quantity", "reason": "'x' is not a number"}
    listed = list(csv.reader(io.StringIO(errors.read_text(encoding="utf-8-sig"))))
    assert listed[0] == ["row", "column", "reason"] and len(listed) == 1501
    assert listed[-1] == ["1501", "quantity", "'x' is not a number"]
    code, text, _ = run(capsys, "import", str(bad), *shop, "--store", "Web")
    assert code == 2 and "1,500 problems in all (--errors-file FILE writes them all)" in text
