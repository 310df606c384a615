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
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from backoffice.cli import main
from backoffice.db import url_for
from tests.pgserver import PgServer

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
    if how == "power_cut" and where:  # DuckDB (`--db FILE`): some ten seconds of the suite for little news
        pytest.skip(
            "DuckDB: a reopened file never holds an uncommitted transaction; `error` shows the rollback"
        )
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


TWO_AT_ONCE = """
import sys, time
from backoffice import cli
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))  # both at once
sys.exit(cli.main(sys.argv[2:]))
"""


def test_two_demos_at_once_make_one_and_both_exit_0(pg_server: PgServer) -> None:
    """PostgreSQL (on DuckDB the second process finds the file held): both look, find no demo and begin; one makes
    it, the other learns it exists when it writes the organization, writes nothing and says `"created": false`."""
    name = f"demos{os.getpid()}"
    url = pg_server.create_database(name, template="backoffice_template")
    try:
        start = time.time() + 2.0
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", TWO_AT_ONCE, str(start), "demo", "--customers", "5", "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
                env=os.environ | {"PYTHONPATH": str(ROOT), "BACKOFFICE_DATABASE_URL": url},
            )
            for _ in range(2)
        ]
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            results.append(json.loads(out))
        assert sorted(r["created"] for r in results) == [False, True]
        assert results[0]["id"] == results[1]["id"]
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM organizations")).scalar_one() == 1
            assert conn.execute(sa.text("SELECT count(*) FROM contacts")).scalar_one() == 5
        engine.dispose()
    finally:
        pg_server.drop_database(name)
