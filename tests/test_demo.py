"""`backoffice demo` is all or nothing (issue 16, item 8): a demo that fails half-way leaves no organization, user or
row behind, and the next `demo` creates the whole of it. Before, the failed run left a half-filled organization and
every later `demo` printed "created": false over it and exited 0.

The failure is made in a separate process by tests/crash_demo.py (an exception, or the process ending as a power cut
would end it) at the demo's first credit note, when most of its data is written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from backoffice.cli import main
from backoffice.db import url_for

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS = 12


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )


def _counts(where: tuple[str, ...]) -> dict[str, int]:
    """Rows in every table but schema_migrations."""
    engine = sa.create_engine(url_for(where[1] if where else None))
    try:
        with engine.connect() as conn:
            tables = [t for t in sa.inspect(conn).get_table_names() if t != "schema_migrations"]
            return {t: int(conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in tables}
    finally:
        engine.dispose()


@pytest.mark.parametrize("how", ["error", "power_cut"])
def test_a_demo_that_fails_half_way_leaves_nothing_and_the_next_one_is_whole(
    cli_db, capsys, how: str
) -> None:
    where = cli_db()
    failed = _run("tests.crash_demo", how, "demo", *where, "--customers", str(CUSTOMERS), "--json")
    assert failed.returncode == (1 if how == "error" else 97), failed.stderr
    if how == "error":
        assert "half-way" in failed.stderr
    left = {table: n for table, n in _counts(where).items() if n}
    assert left == {}, f"the failed demo left rows behind: {left}"

    again = _run("backoffice.cli", "demo", *where, "--customers", str(CUSTOMERS), "--json")
    assert again.returncode == 0, again.stderr
    made = json.loads(again.stdout)
    assert (made["created"], made["customers"], made["org"]) == (True, CUSTOMERS, "Demo Store")
    counts = _counts(where)
    assert counts["organizations"] == 1 and counts["users"] == 4  # the admin and one of each other role
    assert counts["orders"] == 30 and counts["invoices"] == 24 + 2  # 24 invoices, 2 credit notes
    assert main(["ledger", "trial-balance", *where, "--json"]) == 0
    totals = json.loads(capsys.readouterr().out)["totals"]
    assert totals["balanced"] is True and totals["debit"] != "0.00"
