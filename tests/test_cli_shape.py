"""The command line's shape (backoffice/cli, docs/decisions/0007): every area and command answers --help, a
usage error exits 2 before anything runs, argparse's readings are kept (a unique prefix of an option, a
negative number as a value), the choices are the domain's own constants, a run imports only its area, and
one function (common.run) turns every error into its exit code."""

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from backoffice.cli import AREAS, cli, main
from backoffice.core.errors import NotFoundError, PermissionDenied, ValidationError


def _paths(command: click.Command, path: tuple[str, ...]) -> list[str]:
    found = [" ".join(path)] if path else []
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            found += _paths(sub, (*path, name))
    return found


PATHS = _paths(cli, ())


def _param(path: str, name: str) -> click.Parameter:
    command: click.Command | None = cli
    for word in path.split():
        assert isinstance(command, click.Group)
        command = command.get_command(click.Context(command), word)
    assert command is not None
    return next(p for p in command.params if p.name == name)


@pytest.fixture
def shop(tmp_path: Path, capsys) -> str:
    path = str(tmp_path / "shop.duckdb")
    code = main(
        ["init", "--db", path, "--org", "S", "--currency", "SAR", "--vat", "15"]
        + ["--admin-email", "owner@example.com", "--admin-password", "Owner#2026"]
    )
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    return path


def test_the_top_level_lists_every_area_in_order(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.split("Commands:\n")[1].splitlines() if line.strip()]
    assert listed == list(AREAS)
    assert [p for p in PATHS if " " not in p] == list(AREAS)
    # the argparse CLI's 22 areas and their sub-commands (71), then `secret`, `backup`, `restore`, `token` (issue 17)
    assert len(PATHS) == 81  # and `customer update`


@pytest.mark.parametrize("path", PATHS)
def test_every_area_and_command_answers_help(path: str, capsys) -> None:
    for flag in ("--help", "-h"):
        assert main([*path.split(), flag]) == 0
        out, err = capsys.readouterr()
        assert out.startswith(f"Usage: backoffice {path} ") and err == ""
    if path in AREAS:
        assert AREAS[path][2] in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "Commands:"),
        (["nope"], "No such command 'nope'"),
        (["customer"], "Commands:"),
        (["customer", "add", "--nope"], "No such option"),
        (["customer", "list", "--role", "boss"], "'boss' is not one of 'customer', 'supplier', 'employee'"),
        (["customer", "show", "x"], "'x' is not a valid integer"),
        (["customer", "show"], "Missing argument 'ID'"),
        (["order", "add"], "Missing option '--line'"),
        (["user", "add", "--email", "a@example.com", "--role", "owner"], "'owner' is not one of 'admin'"),
        (["report", "sales", "--by", "year"], "'year' is not one of"),
        (["customer", "list", "--pag", "2"], "ambiguous option: --pag could match --page, --page-size"),
        (["customer", "add", "--name"], "requires an argument"),
        (
            ["customer", "add", "--name", "--json"],
            "Option '--name' requires an argument",
        ),  # no "--json" customer
        (["store", "set", "Web", "--link=yes"], "does not take a value"),
    ],
)
def test_a_usage_error_exits_2_on_stderr_and_runs_nothing(args, words, tmp_path: Path, capsys) -> None:
    db = tmp_path / "untouched.duckdb"
    code = main([*args, "--db", str(db)] if len(args) > 1 else args)
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert words in err and "Traceback" not in err
    assert not db.exists()


def test_a_unique_prefix_of_a_long_option_stands_for_it(shop: str, capsys) -> None:
    assert main(["customer", "add", "--db", shop, "--na", "Zed", "--allow-dup", "--js"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "Zed"
    assert main(["customer", "list", f"--db={shop}", "--sea=Zed", "--page-s", "5", "--json"]) == 0
    assert [c["name"] for c in json.loads(capsys.readouterr().out)] == ["Zed"]


def test_a_negative_number_is_a_value_not_an_option(shop: str, capsys) -> None:
    assert main(["credits", "add", "-5", "--db", shop]) == 2
    assert "credits: add a whole number of credits above zero" in capsys.readouterr().err
    assert main(["customer", "show", "-1", "--db", shop]) == 2
    assert "No contact #-1" in capsys.readouterr().err
    args = ["product", "add", "--db", shop, "--sku", "A", "--name", "A", "--price", "1", "--stock", "-3"]
    assert main(args) == 2
    assert "stock cannot be negative" in capsys.readouterr().err


def test_the_choices_are_the_domain_constants() -> None:
    from backoffice import documents, messaging, reports
    from backoffice.admin import orgs
    from backoffice.books import ledger
    from backoffice.contacts import customers
    from backoffice.core import context
    from backoffice.core.i18n import DOCUMENT_LANGUAGES
    from backoffice.sales import orders, payments

    cases = {
        ("init", "business_type"): ledger.BUSINESS_TYPES,
        ("init", "language"): DOCUMENT_LANGUAGES,
        ("org set", "language"): DOCUMENT_LANGUAGES,
        ("org set", "calendar"): orgs.CALENDARS,
        ("user add", "role"): context.ROLES,
        ("customer add", "role"): customers.ROLES,
        ("customer list", "sort"): customers.SORT_KEYS,
        ("customer export", "fmt"): customers.EXPORT_FORMATS,
        ("order transition", "to"): orders.TARGETS,
        ("payment method", "account"): payments.METHOD_ACCOUNTS,
        ("pdf receipt", "paper"): documents.PAPERS,
        ("pdf receipt", "language"): DOCUMENT_LANGUAGES,
        ("smtp set", "tls"): messaging.TLS_MODES,
        ("outbox", "status"): messaging.STATUSES,
        ("report vat", "fmt"): reports.FORMATS,
        ("report sales", "by"): reports.BY_OPTIONS["sales"],
    }
    for (path, name), values in cases.items():
        param = _param(path, name)
        assert isinstance(param.type, click.Choice) and list(param.type.choices) == list(values), path
    assert orders.TARGETS == ("confirmed", "fulfilled", "cancelled")
    assert [p.split()[1] for p in PATHS if p.startswith("send ")] == [
        *(k.replace("_", "-") for k in messaging.KINDS),
        "bulk",
    ]
    assert [p.split()[1] for p in PATHS if p.startswith("report ")] == list(reports.BY_OPTIONS)


def _modules_after(*args: str) -> set[str]:
    code = (
        "import sys; from backoffice.cli import main; main(sys.argv[1:]); "
        "print(' '.join(m for m in sys.modules if m.startswith(('backoffice', 'sqlalchemy'))), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return set(done.stderr.split())


def test_a_run_imports_only_its_own_area() -> None:
    top = _modules_after("--help")
    assert top == {
        "backoffice",
        "backoffice.cli",
        "backoffice.cli.common",
        "backoffice.core",
        "backoffice.core.errors",
    }
    area = _modules_after("credits", "--help")
    assert "backoffice.cli.messaging" in area and "backoffice.messaging" in area
    assert not {"backoffice.cli.customers", "backoffice.cli.reports", "backoffice.reports"} & area


@pytest.mark.parametrize(
    ("raised", "code", "words"),
    [
        (None, 0, ""),
        (ValidationError("name: required"), 2, "error: name: required"),
        (NotFoundError("No order #9"), 2, "error: No order #9"),
        (PermissionDenied("not allowed"), 1, "error: not allowed"),
        (ValueError("bad number"), 2, "error: bad number"),
        (OSError("disk full"), 1, "error: disk full"),
        (BrokenPipeError(32, "Broken pipe"), 1, "error: [Errno 32] Broken pipe"),  # not click's silent exit
        (KeyboardInterrupt(), 130, "error: interrupted"),
    ],
)
def test_common_run_is_the_one_place_for_exit_codes(raised, code, words, capsys) -> None:
    from backoffice.cli.common import Group, run

    group = Group("backoffice")

    @group.command("go")
    def go() -> None:
        if raised is not None:
            raise raised

    assert run(group, ["go"]) == code
    out, err = capsys.readouterr()
    assert out == "" and err.strip() == words and "Traceback" not in err
