"""The command line's part of issue 19 ("Tax a merchant can file"), on both engines: `org set --rounding line|group`
(a Saudi organization starts with group rounding) and a currency that stays once a document exists."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from backoffice.cli import main
from tests.conftest import ENGINES

_names = itertools.count()


@pytest.fixture(params=ENGINES)
def cli_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """The arguments that name a fresh database: --db FILE (DuckDB), or none with BACKOFFICE_DATABASE_URL naming a
    new PostgreSQL database."""
    monkeypatch.delenv("BACKOFFICE_DATABASE_URL", raising=False)
    if request.param == "duckdb":
        yield ["--db", str(tmp_path / "shop.duckdb")]
        return
    server = request.getfixturevalue("pg_server")
    name = f"clitax{next(_names)}"
    monkeypatch.setenv("BACKOFFICE_DATABASE_URL", server.create_database(name))
    yield []
    server.drop_database(name)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if "--json" in args and out.strip() else out), err


def _init(capsys: pytest.CaptureFixture[str], db: list[str], country: str) -> None:
    code, _, err = run(
        capsys, "init", *db, "--org", "Rose Shop", "--currency", "SAR", "--vat", "15",
        "--admin-email", "owner@example.com", "--admin-password", "Owner#2026", "--country", country,
    )  # fmt: skip
    assert code == 0, err


def test_org_set_rounding_chooses_the_rule(cli_db: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    _init(capsys, cli_db, "SA")
    assert run(capsys, "org", "show", *cli_db, "--json")[1]["rounding_rule"] == "group"  # Saudi: BR-CO-17
    code, data, _ = run(capsys, "org", "set", *cli_db, "--rounding", "line", "--json")
    assert code == 0 and data["rounding_rule"] == "line"
    code, _, err = run(capsys, "org", "set", *cli_db, "--rounding", "bankers")
    assert code == 2 and "--rounding" in err
    assert run(capsys, "org", "show", *cli_db, "--json")[1]["rounding_rule"] == "line"
    assert (
        run(
            capsys,
            "product",
            "add",
            *cli_db,
            "--sku",
            "PIN",
            "--name",
            "Pin",
            "--price",
            "0.03",
            "--stock",
            "20",
        )[0]
        == 0
    )
    lines = [arg for _ in range(10) for arg in ("--line", "PIN:1")]
    assert run(capsys, "order", "add", *cli_db, *lines, "--confirm", "--json")[1]["vat"] == "0.00"  # 10 × 0
    assert run(capsys, "org", "set", *cli_db, "--rounding", "group")[0] == 0
    vat = run(capsys, "order", "add", *cli_db, *lines, "--confirm", "--json")[1]["vat"]
    assert vat == "0.05"  # round(10 × 0.03 × 15 %) = round(0.045)
    code, invoice, _ = run(capsys, "invoice", "issue", *cli_db, "--order", "2", "--json")
    assert code == 0 and (invoice["net"], invoice["vat"], invoice["total"]) == ("0.30", "0.05", "0.35")


def test_an_organization_elsewhere_starts_with_line_rounding(
    cli_db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _init(capsys, cli_db, "AE")
    assert run(capsys, "org", "show", *cli_db, "--json")[1]["rounding_rule"] == "line"


def test_the_currency_stays_once_a_document_exists(
    cli_db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _init(capsys, cli_db, "SA")
    assert (
        run(capsys, "org", "set", *cli_db, "--currency", "JOD", "--json")[1]["currency"] == "JOD"
    )  # nothing yet
    assert run(capsys, "org", "set", *cli_db, "--currency", "SAR", "--json")[1]["currency_fixed"] is False
    steps = [
        (
            "product",
            "add",
            "--sku",
            "TEA",
            "--name",
            "Tea",
            "--price",
            "658",
            "--tax-inclusive",
            "--stock",
            "1",
        ),
        ("order", "add", "--line", "TEA:1", "--confirm"),
        ("invoice", "issue", "--order", "1"),
    ]
    for step in steps:
        assert run(capsys, *step[:2], *cli_db, *step[2:])[0] == 0, step
    code, _, err = run(capsys, "org", "set", *cli_db, "--currency", "JOD")
    assert code == 2 and "currency" in err and "cannot change once an order, invoice" in err
    shown = run(capsys, "org", "show", *cli_db, "--json")[1]
    assert (shown["currency"], shown["currency_fixed"]) == ("SAR", True)
    invoice = run(capsys, "invoice", "show", *cli_db, "INV-000001", "--json")[1]
    assert (invoice["total"], invoice["currency"]) == ("658.00", "SAR")


def test_a_document_is_shown_in_its_own_currency(
    cli_db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """An organization whose currency an older version let change after it issued documents."""
    import sqlalchemy as sa

    from backoffice.db import open_database, url_for

    _init(capsys, cli_db, "SA")
    assert run(capsys, "product", "add", *cli_db, "--sku", "TEA", "--name", "Tea", "--price", "658",
               "--tax-inclusive", "--stock", "1")[0] == 0  # fmt: skip
    assert run(capsys, "order", "add", *cli_db, "--line", "TEA:1", "--confirm")[0] == 0
    assert run(capsys, "invoice", "issue", *cli_db, "--order", "1")[0] == 0
    db = open_database(url_for(cli_db[1] if cli_db else None))
    with db.write() as conn:
        conn.execute(sa.text("UPDATE organizations SET currency = 'JOD'"))
    db.dispose()
    invoice = run(capsys, "invoice", "show", *cli_db, "INV-000001", "--json")[1]
    assert (invoice["total"], invoice["vat"], invoice["currency"]) == (
        "658.00",
        "85.83",
        "SAR",
    )  # not 65.800 JOD
    order = run(capsys, "order", "show", *cli_db, "1", "--json")[1]
    assert (order["total"], order["currency"], order["lines"][0]["unit_price"]) == ("658.00", "SAR", "658.00")
    code, out, _ = run(capsys, "invoice", "explain", *cli_db, "INV-000001")
    assert code == 0 and "every total agrees" in out


def test_order_add_takes_a_discount_per_line(cli_db: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 19, defect 6: `--line SKU:QTY[:PRICE[:DISCOUNT]]`; an empty PRICE keeps the product's."""
    _init(capsys, cli_db, "JO")
    code, _, err = run(capsys, "product", "add", *cli_db, "--sku", "MUG", "--name", "Mug", "--price", "20")
    assert code == 0, err
    code, order, err = run(
        capsys, "order", "add", *cli_db, "--line", "MUG:3::5", "--line", "MUG:1:18:2", "--json"
    )
    assert code == 0, err
    assert isinstance(order, dict)
    lines = order["lines"]
    assert [(x["unit_price"], x["discount"], x["net"]) for x in lines] == [
        ("20.00", "5.00", "55.00"),  # 3 × 20 less 5
        ("18.00", "2.00", "16.00"),
    ]
    code, _, err = run(capsys, "order", "add", *cli_db, "--line", "MUG:1:2:3:4")
    assert code == 2 and "SKU:QTY:PRICE:DISCOUNT" in err
