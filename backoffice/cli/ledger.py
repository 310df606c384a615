"""`backoffice ledger trial-balance|opening`: the books."""

from __future__ import annotations

from typing import Any

import click

from backoffice.cli import common

ledger = common.Group("ledger")


@ledger.command("trial-balance")
@common.options()
@click.option("--from", "date_from")
@click.option("--to", "date_to")
def trial_balance(date_from: str | None, date_to: str | None) -> None:
    from backoffice.books import ledger as books
    from backoffice.core.money import to_json

    ctx = common.context()
    tb = books.trial_balance(ctx, common.day(date_from), common.day(date_to))
    cur = common.money(ctx)
    rows = [
        {
            "code": r["code"],
            "account": r["name_en"],
            "kind": r["kind"],
            "debit": to_json(r["debit_minor"], cur),
            "credit": to_json(r["credit_minor"], cur),
        }
        for r in tb.rows
    ]
    data: dict[str, Any] = {
        "rows": rows,
        "totals": {
            "debit": to_json(tb.debit_minor, cur),
            "credit": to_json(tb.credit_minor, cur),
            "balanced": tb.balanced,
            "currency": cur.code,
        },
    }
    text = "\n".join(f"{r['code']}  {r['account']:<32} {r['debit']:>14} {r['credit']:>14}" for r in rows)
    common.emit(data, text + f"\n{'Total':<38} {data['totals']['debit']:>14} {data['totals']['credit']:>14}")


@ledger.command("opening", help="post opening balances from CSV (account, debit, credit, customer)")
@common.options()
@click.argument("file")
@click.option("--on", required=True, metavar="DATE", help="the date of the balances, e.g. 2026-07-01")
def opening(file: str, on: str) -> None:
    from datetime import date

    from backoffice.books import opening as balances

    ctx = common.context()
    lines = balances.read_opening_csv(file, common.path(file).read_bytes())
    entry_id = balances.post_opening_balances(ctx, date.fromisoformat(on), lines)
    common.emit({"id": entry_id}, f"Posted opening balances as entry {entry_id}.")
