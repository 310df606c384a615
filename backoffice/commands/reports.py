"""`backoffice report …`: reports as JSON ({"rows": […], "totals": {…}}), CSV or XLSX (SPEC R5–R7)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any


def cmd_aging(args: argparse.Namespace) -> None:
    from backoffice import payments
    from backoffice.cli import _context, _emit, _money
    from backoffice.money import to_json

    ctx = _context(args)
    cur = _money(ctx)
    found = payments.aging(ctx, date.fromisoformat(args.date_to) if args.date_to else None)
    keys = (*payments.BUCKETS, "total")
    rows = [
        {"customer_id": r["customer_id"], "customer": r["customer_name"]}
        | {k: to_json(r[k], cur) for k in keys}
        for r in found["rows"]
    ]
    data = {
        "rows": rows,
        "totals": {k: to_json(found["totals"][k], cur) for k in keys} | {"currency": cur.code},
        "as_of": found["as_of"],
    }
    text = "\n".join(f"{r['customer'] or '-':<28} " + " ".join(f"{r[k]:>12}" for k in keys) for r in rows)
    _emit(args, data, text + "\n" + f"{'Total':<28} " + " ".join(f"{data['totals'][k]:>12}" for k in keys))


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    group = sub.add_parser("report", help="reports").add_subparsers(
        dest="action", required=True, metavar="REPORT"
    )
    p = group.add_parser("aging", parents=[common], help="receivables by days past due")
    p.add_argument("--from", dest="date_from", help="ignored for aging (kept for a uniform interface)")
    p.add_argument("--to", dest="date_to", help="as of this date (default today)")
    p.set_defaults(handler=cmd_aging)
