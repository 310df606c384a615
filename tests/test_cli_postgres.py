"""The command line on PostgreSQL (issue 16, item 1): the CLI acts as the system user, whose id is NULL, and every
invoice it issued failed there (a NULL user id inside a UNION ALL of the set-based posting was typed as text)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.pgserver import PgServer

ROOT = Path(__file__).resolve().parents[1]


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKOFFICE_")}
    return subprocess.run(
        [sys.executable, "-m", "backoffice.cli", *args],
        capture_output=True,
        text=True,
        env=env | {"BACKOFFICE_DATABASE_URL": url},
        cwd=ROOT,
    )


def test_the_cli_issues_an_invoice_on_postgresql(pg_server: PgServer) -> None:
    name = f"cli{os.getpid()}"
    url = pg_server.create_database(name)
    try:
        steps = [
            ("init", "--org", "Shop", "--currency", "SAR", "--vat", "15", "--admin-email", "a@example.com",
             "--admin-password", "Sesame#2026"),
            ("product", "add", "--sku", "MUG-1", "--name", "Mug", "--price", "20", "--stock", "10"),
            ("customer", "add", "--name", "A", "--email", "a@example.com"),
            ("order", "add", "--customer", "1", "--line", "MUG-1:3", "--confirm"),
        ]  # fmt: skip
        for step in steps:
            done = _cli(url, *step)
            assert done.returncode == 0, (step, done.stderr)
        issued = _cli(url, "invoice", "issue", "--order", "1", "--json")
        assert issued.returncode == 0, issued.stderr
        invoice = json.loads(issued.stdout)
        assert (invoice["number"], invoice["total"], invoice["currency"]) == ("INV-000001", "69.00", "SAR")
        again = _cli(url, "invoice", "issue", "--order", "1")
        assert again.returncode != 0 and "already has invoice INV-000001" in again.stderr
        balance = _cli(url, "ledger", "trial-balance", "--json")
        assert balance.returncode == 0, balance.stderr
        assert json.loads(balance.stdout)["totals"]["balanced"] is True
    finally:
        pg_server.drop_database(name)
