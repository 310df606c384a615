"""Issuing invoices from many processes on one PostgreSQL (issue 16): the goal is ≥ 250 invoices/s from 8
processes, numbers gap-free.

A throwaway PostgreSQL (Debian's, as the tests start it). Each of BENCH_PG_PROCESSES processes (default 8) first
creates its BENCH_PG_ORDERS confirmed orders (default 150, not timed), then all of them start at one moment and
issue their orders' invoices through `invoices.issue_invoice` (numbered, posted with their stock and cost of goods,
under the organization's writer lock). The raw figure is the floor of the same work in the database alone: the
same processes each take gap-free numbers from one counter row and insert a row per number, in a transaction
each, with plain psycopg. Printed: invoices/s (ours) against the raw numbered inserts/s, and whether the numbers
came out gap-free.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from backoffice.admin import orgs
from backoffice.catalog import products
from backoffice.contacts import customers
from backoffice.core.context import Context, User
from backoffice.db import open_database

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = int(os.environ.get("BENCH_PG_PROCESSES", "8"))
ORDERS = int(os.environ.get("BENCH_PG_ORDERS", "150"))
GOAL_PER_S = 250.0

_WORKER = """
import sys, time
import psycopg
from backoffice.core.context import Context, User
from backoffice.db import open_database
from backoffice.sales import invoices, orders
from backoffice.sales.orders import LineRequest

mode, url, org_id, customer_id, count = sys.argv[1:6]
org_id, customer_id, count = int(org_id), int(customer_id), int(count)

def ready():  # tell the parent, then wait for its word: every process begins at once
    print("ready", flush=True)
    sys.stdin.readline()

if mode == "raw":
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        ready()
        for _ in range(count):
            with conn.transaction():
                n = conn.execute("UPDATE bench_counter SET n = n + 1 RETURNING n").fetchone()[0]
                conn.execute("INSERT INTO bench_numbers VALUES (%s)", (n,))
else:
    ctx = Context(open_database(url, migrate=False), User.system("bench"), org_id)
    made = [orders.create_order(ctx, customer_id, [LineRequest("MUG", 1), LineRequest("TEA", 2)], status="confirmed")
            for _ in range(count)]
    ready()
    for order_id in made:
        invoices.issue_invoice(ctx, order_id)
print(time.time())
"""


def _run_all(mode: str, url: str, org_id: int, customer_ids: list[int]) -> float:
    """Start every process, let them all begin at one moment, return the seconds until the last one finished."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, mode, url, str(org_id), str(c), str(ORDERS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for c in customer_ids
    ]
    for proc in procs:  # each has made its orders (or connected) and waits
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"a {mode} worker failed before it began")
    start = time.time()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    ends = []
    for proc in procs:
        out, _ = proc.communicate(timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"a {mode} worker failed")
        ends.append(float(out.split()[-1]))
    return max(ends) - start


def run() -> dict[str, object]:
    from tests.pgserver import PgServer, find_pg_bin  # the tests' throwaway server

    if find_pg_bin() is None:
        print("PostgreSQL is not installed: skipped")
        return {}
    with PgServer() as server:
        url = server.create_database("bench_issue")
        db = open_database(url)
        org_id = orgs.setup(db, "Bench", "SAR", "15", actor=User.system())
        ctx = Context(db, User.system("bench"), org_id)
        for sku, price in (("MUG", "20"), ("TEA", "7.5")):
            product_id = products.save_product(ctx, {"sku": sku, "name": sku, "price": price, "cost": "4"})
            products.receive_stock(ctx, product_id, PROCESSES * ORDERS * 3)
        customer_ids = [customers.save_customer(ctx, {"name": f"Buyer {i}"}) for i in range(PROCESSES)]
        with db.engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE bench_counter (n BIGINT NOT NULL)"))
            conn.execute(sa.text("INSERT INTO bench_counter VALUES (0)"))
            conn.execute(sa.text("CREATE TABLE bench_numbers (n BIGINT PRIMARY KEY)"))
        raw_s = _run_all("raw", url, org_id, customer_ids)
        ours_s = _run_all("ours", url, org_id, customer_ids)
        with db.engine.connect() as conn:
            numbers = [
                r[0] for r in conn.execute(sa.text("SELECT number FROM invoices WHERE kind = 'invoice'"))
            ]
        db.dispose()
    total = PROCESSES * ORDERS
    gap_free = sorted(numbers) == list(range(1, total + 1))
    ours_rate, raw_rate = total / ours_s, total / raw_s
    verdict = "met" if ours_rate >= GOAL_PER_S and gap_free else "MISSED"
    print(
        f"{'issue invoices, ' + str(PROCESSES) + ' processes (PostgreSQL)':<48} ours {ours_rate:8.0f}/s   "
        f"raw numbered inserts {raw_rate:8.0f}/s   ratio {raw_rate / ours_rate:6.2f}×   "
        f"gap-free {'yes' if gap_free else 'NO'}  (goal ≥ {GOAL_PER_S:.0f}/s {verdict})"
    )
    return {
        "processes": PROCESSES,
        "invoices": total,
        "invoices_per_s": round(ours_rate, 1),
        "raw_per_s": round(raw_rate, 1),
        "gap_free": gap_free,
    }
