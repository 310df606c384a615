"""Issuing the same order from several processes at once (issue 16, item 6): one invoice, and every other process
is told the order already has it — never a raw database error. Separate OS processes on a real PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from backoffice.admin import orgs
from backoffice.core.context import Context, User
from backoffice.db import open_database
from backoffice.sales import orders
from backoffice.sales.orders import LineRequest
from tests.factories import make_product
from tests.pgserver import PgServer

ROOT = Path(__file__).resolve().parents[1]
WORKER = textwrap.dedent(
    """
    import sys, time
    from backoffice.core.context import Context, User
    from backoffice.core.errors import BackofficeError
    from backoffice.db import open_database
    from backoffice.sales import invoices

    url, org_id, order_id, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    db = open_database(url)
    ctx = Context(db, User.system(), org_id)
    time.sleep(max(0.0, start - time.time()))  # all of them at once
    try:
        print("issued", invoices.issue_invoice(ctx, order_id))
    except BackofficeError as exc:
        print("refused", exc)
    """
)


def test_issuing_one_order_from_three_processes_gives_one_invoice_and_clear_refusals(
    pg_server: PgServer,
) -> None:
    name = f"race{os.getpid()}"
    url = pg_server.create_database(name, template="backoffice_template")
    try:
        db = open_database(url)
        org_id = orgs.setup(db, "Race", "SAR", "15", actor=User.system())
        ctx = Context(db, User.system(), org_id)
        make_product(ctx, "CUP", price="10", stock=100)
        results = []
        for _ in range(3):  # three rounds, a new order each
            order_id = orders.create_order(ctx, None, [LineRequest("CUP", 1)], status="confirmed")
            start = time.time() + 2.0
            procs = [
                subprocess.Popen(
                    [sys.executable, "-c", WORKER, url, str(org_id), str(order_id), str(start)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=ROOT,
                )
                for _ in range(3)
            ]
            outs = [p.communicate(timeout=120) for p in procs]
            for (out, err), proc in zip(outs, procs, strict=True):
                assert proc.returncode == 0 and not err.strip(), err  # no traceback, no raw database error
                results.append(out.strip())
            issued = [r for r in results[-3:] if r.startswith("issued")]
            refused = [r for r in results[-3:] if r.startswith("refused")]
            assert len(issued) == 1, results[-3:]
            number = issued[0].split()[-1]
            assert len(refused) == 2 and all(f"already has invoice {number}" in r for r in refused), refused
        db.dispose()
    finally:
        pg_server.drop_database(name)
