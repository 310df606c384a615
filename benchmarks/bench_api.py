"""The app as the server (issue 17).

1. A store import through the running app against the same import by the CLI on a stopped app (goal ≤ 1.1×): the
   same generated file (BENCH_API_LINES lines, default 100,000) and the same `backoffice import` command line, run as
   a separate process both times; the second time an app (this process: the file held, /api/v1 served over HTTP on
   127.0.0.1, its note beside the file) holds the database, so the command goes through it.
   Meanwhile another user of the app saves a customer every 50 ms; the longest save is printed (goal ≤ 5 s).
2. The latency of `GET /api/v1/customers` (first page, 50 rows) with 100,000 customers (BENCH_API_CUSTOMERS),
   against the service call it runs (`customers.list_customers`) in the same process: median of 30.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from backoffice.admin import orgs, tokens
from backoffice.contacts import customers
from backoffice.core.context import Context, User
from backoffice.db import open_database
from benchmarks.bench_import import generate
from benchmarks.bench_writer import _OtherUser
from benchmarks.common import report
from tests.apiserver import serve_api

LINES = int(os.environ.get("BENCH_API_LINES", "100000"))
CUSTOMERS = int(os.environ.get("BENCH_API_CUSTOMERS", "100000"))
ROOT = Path(__file__).resolve().parents[1]


def _import(csv_path: Path, shop: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "backoffice.cli", "import", str(csv_path), "--db", str(shop), "--store", "Salla",
         "--json"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"the import failed: {done.stderr[-2000:]}")
    return seconds


def run() -> list[dict[str, object]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-api-"))
    csv_path = folder / "orders.csv"
    generate(csv_path, LINES)
    stopped, running = folder / "stopped.duckdb", folder / "running.duckdb"
    db = open_database(f"duckdb:///{stopped}")
    org_id = orgs.setup(db, "Bench", "SAR", "15", "owner@example.com", "Bench#2026!xyz", country="SA",
                        actor=User.system())  # fmt: skip
    db.dispose()
    shutil.copy(stopped, running)
    cli_seconds = _import(csv_path, stopped)
    db = open_database(f"duckdb:///{running}")
    with serve_api(db, note=True), _OtherUser(Context(db, User.system("other user"), org_id)) as other:
        app_seconds = _import(csv_path, running)  # while another user keeps saving customers in the app
    db.dispose()
    print(
        f"  {LINES:,} lines: the CLI on a stopped app {cli_seconds:.2f} s, through the running app {app_seconds:.2f} s;"
        f" meanwhile another user saved {len(other.waits)} customers, the longest save took {max(other.waits):.2f} s"
        " (goal ≤ 5 s)"
    )
    results = [report(f"import {LINES:,} lines through the app vs CLI", app_seconds, cli_seconds, goal=1.1)]

    people = folder / "people.duckdb"
    db = open_database(f"duckdb:///{people}")
    org_id = orgs.setup(db, "People", "SAR", "15", "owner@example.com", "Bench#2026!xyz", actor=User.system())
    ctx = Context(db, User.system("bench"), org_id)
    rows = ["name,email,phone,city"] + [f"Customer {i},c{i}@example.com,,Riyadh" for i in range(CUSTOMERS)]
    customers.import_customers(ctx, "people.csv", ("\n".join(rows) + "\n").encode())
    token = tokens.create_token(ctx, "bench", "owner@example.com")["token"]
    raw = []
    for _ in range(30):
        start = time.perf_counter()
        customers.list_customers(ctx)
        raw.append(time.perf_counter() - start)
    ours = []
    with serve_api(db) as address:
        for _ in range(31):
            request = urllib.request.Request(
                address + "/api/v1/customers", headers={"Authorization": f"Bearer {token}"}
            )
            start = time.perf_counter()
            with urllib.request.urlopen(request) as response:  # noqa: S310 - our own server
                response.read()
            ours.append(time.perf_counter() - start)
    db.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    results.append(
        report(
            f"GET /api/v1/customers at {CUSTOMERS:,} customers vs list_customers",
            statistics.median(ours[1:]),
            statistics.median(raw),
        )
    )
    return results
