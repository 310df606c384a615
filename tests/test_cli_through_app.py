"""`backoffice` while the app holds the DuckDB file (issue 17): the command goes to the app by itself and prints
what it prints without the app, exit code included; files are read and written in the caller's folder; a stale
note runs the command here. The app here is this test process holding the file and serving /api/v1 over real
HTTP, as the running app does; the commands are separate OS processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from backoffice.cli.remote import app_file
from backoffice.db import open_database
from tests.apiserver import free_port, serve_api

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "backoffice.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.duckdb"
    done = cli("init", "--db", str(path), "--org", "Rose", "--currency", "SAR", "--vat", "15",
               "--admin-email", "owner@example.com", "--admin-password", "Owner#2026!xyz")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert cli("product", "add", "--db", str(path), "--sku", "MUG", "--name", "Mug", "--price", "20",
               "--stock", "50").returncode == 0  # fmt: skip
    return path


@pytest.fixture
def app(shop: Path) -> Iterator[str]:
    """The app: this process holds the file and serves /api/v1; its note is beside the file."""
    db = open_database(f"duckdb:///{shop}")
    with serve_api(db, note=True) as address:
        assert app_file(shop).stat().st_mode & 0o777 == 0o600
        yield address
    db.dispose()


def test_commands_go_through_the_app_and_print_what_they_print_without_it(
    shop: Path, app: str, tmp_path: Path
) -> None:
    db = str(shop)
    added = cli("customer", "add", "--db", db, "--name", "فاطمة", "--email", "f@example.com", "--json")
    assert added.returncode == 0, added.stderr
    customer = json.loads(added.stdout)
    assert customer["name"] == "فاطمة" and customer["emails"] == ["f@example.com"]
    order = cli(
        "order",
        "add",
        "--db",
        db,
        "--customer",
        str(customer["id"]),
        "--line",
        "MUG:2",
        "--confirm",
        "--json",
    )
    assert order.returncode == 0, order.stderr
    issued = cli("invoice", "issue", "--db", db, "--order", str(json.loads(order.stdout)["id"]), "--json")
    assert issued.returncode == 0 and json.loads(issued.stdout)["number"] == "INV-000001"
    again = cli("invoice", "issue", "--db", db, "--order", str(json.loads(order.stdout)["id"]))
    assert again.returncode == 2 and "already has invoice INV-000001" in again.stderr  # the same exit code

    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "people.csv").write_text(
        "name,email\nSara,sara@example.com\nOmar,omar@example.com\n"
    )
    imported = cli("customer", "import", "people.csv", "--db", db, "--json", cwd=tmp_path / "work")
    assert imported.returncode == 0, imported.stderr  # a file named relative to the caller's folder
    backup = cli("backup", "--db", db, "--out", "nightly.backup", "--json", cwd=tmp_path / "work")
    assert backup.returncode == 0, backup.stderr
    assert Path(json.loads(backup.stdout)["file"]) == tmp_path / "work" / "nightly.backup"
    assert (tmp_path / "work" / "nightly.backup").stat().st_size == json.loads(backup.stdout)["bytes"]
    through_app = {
        name: cli(*args, "--db", db, "--json").stdout
        for name, args in {"list": ("customer", "list"), "sales": ("report", "sales")}.items()
    }
    assert len(json.loads(through_app["list"])) == 3
    assert json.loads(through_app["sales"])["totals"]["total"] == "46.00"

    app_file(shop).rename(tmp_path / "note")  # without the note the held file is out of reach: it was the app
    held = cli("customer", "list", "--db", db)
    assert held.returncode == 1 and "in use by another program" in held.stderr
    (tmp_path / "note").rename(app_file(shop))


def test_the_note_of_an_app_that_died_runs_the_command_here(shop: Path) -> None:
    db = str(shop)
    assert cli("customer", "add", "--db", db, "--name", "Sara").returncode == 0
    app_file(shop).write_text(json.dumps({"url": "http://127.0.0.1:9", "token": "x", "pid": 2**22 + 7}))
    stale = cli("customer", "list", "--db", db, "--json")  # the note of an app that died: run here
    assert stale.returncode == 0 and len(json.loads(stale.stdout)) == 1


def test_the_same_output_with_and_without_the_app(shop: Path) -> None:
    db = str(shop)
    assert cli("customer", "add", "--db", db, "--name", "Sara", "--email", "s@example.com").returncode == 0
    commands = [("customer", "list", "--json"), ("report", "sales", "--json"), ("product", "list", "--json")]
    without = [cli(*c[:2], "--db", db, *c[2:]) for c in commands]
    held = open_database(f"duckdb:///{shop}")
    with serve_api(held, note=True):
        with_app = [cli(*c[:2], "--db", db, *c[2:]) for c in commands]
    held.dispose()
    for before, after in zip(without, with_app, strict=True):
        assert (after.returncode, after.stdout, after.stderr) == (
            before.returncode,
            before.stdout,
            before.stderr,
        )
    assert not app_file(shop).exists()


def test_the_real_server_takes_the_commands_and_the_api(shop: Path, tmp_path: Path) -> None:
    """`backoffice serve` itself: /healthz answers, commands against its file go through it (it holds the file:
    without the note they would exit 1), a personal token reaches /api/v1, and the note goes when it stops."""
    port = free_port()
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "backoffice.cli", "serve", "--db", str(shop), "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:  # noqa: S310
                    if json.loads(response.read())["status"] == "ready":
                        break
            except (OSError, ValueError):
                time.sleep(0.3)
        assert app_file(shop).exists()
        added = cli("customer", "add", "--db", str(shop), "--name", "Sara", "--json")
        assert added.returncode == 0, added.stderr
        token = json.loads(
            cli("token", "create", "--db", str(shop), "--email", "owner@example.com", "--json").stdout
        )
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/customers", headers={"Authorization": f"Bearer {token['token']}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
            assert [c["name"] for c in json.loads(response.read())] == ["Sara"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not app_file(shop).exists()  # the note went with the server
    assert cli("customer", "list", "--db", str(shop), "--json").returncode == 0  # the file is free again


def test_url_and_a_personal_token_reach_a_remote_app(shop: Path, tmp_path: Path) -> None:
    """`--url URL` (or BACKOFFICE_URL) with BACKOFFICE_TOKEN: the command runs in that app as the token's user,
    in its organization, with no file of the app's machine; a wrong token is a clear refusal."""
    from backoffice.admin import orgs, tokens
    from backoffice.core.context import Context, User

    held = open_database(f"duckdb:///{shop}")
    org_id = orgs.find_org_id(held, None)
    viewer_token = tokens.create_token(Context(held, User.system(), org_id), "remote", "owner@example.com")[
        "token"
    ]
    with serve_api(held) as address:
        env = os.environ | {"PYTHONPATH": str(ROOT), "BACKOFFICE_TOKEN": viewer_token}
        run = lambda *args, **extra: subprocess.run(  # noqa: E731 - a shell elsewhere, not on this machine's file
            [sys.executable, "-m", "backoffice.cli", *args], capture_output=True, text=True, cwd=tmp_path,
            env=env | extra, check=False,
        )  # fmt: skip
        added = run("--url", address, "customer", "add", "--name", "Remote Sara", "--json")
        assert added.returncode == 0, added.stderr
        listed = run("customer", "list", "--json", BACKOFFICE_URL=address)
        assert listed.returncode == 0 and [c["name"] for c in json.loads(listed.stdout)] == ["Remote Sara"]
        refused = run("--url", address, "customer", "import", "people.csv")
        assert refused.returncode == 2 and "cannot be read or written" in refused.stderr
        wrong = run("--url", address, "customer", "list", BACKOFFICE_TOKEN="bo_wrong")
        assert wrong.returncode == 1 and "unknown, revoked or expired" in wrong.stderr
    held.dispose()
