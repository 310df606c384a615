"""Opening balances for a mid-year start (seed 003): account balances and each customer's balance on a date,
entered or read from CSV, posted as one balanced entry; the difference goes to opening balance equity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backoffice.books import ledger
from backoffice.core import tabular
from backoffice.core.context import Context
from backoffice.core.errors import FieldError, ValidationError
from backoffice.core.money import currency, to_minor
from backoffice.db import audit
from backoffice.db.queries import contacts as contacts_q
from backoffice.db.queries import ledger as ledger_q


@dataclass(frozen=True)
class OpeningLine:
    account: str  # an account code, e.g. 1010
    debit: str = "0"
    credit: str = "0"
    customer: str | None = None  # id or email, for receivable lines


def post_opening_balances(ctx: Context, on: date, lines: list[OpeningLine]) -> int:
    """Validate every line first (row numbers from 1), then post one entry; returns the entry id."""
    ctx.require("ledger.write")
    with ctx.write() as conn:
        org = ctx.org()
        cur = currency(org["currency"])
        accounts = {a["code"]: a for a in ledger_q.accounts(conn, ctx.org_id)}
        problems: list[FieldError] = []
        entry: list[ledger.EntryLine] = []
        for n, line in enumerate(lines, 1):
            account = accounts.get(line.account.strip())
            if account is None:
                problems.append(FieldError(f"row {n}", f"no account {line.account} in the chart"))
                continue
            try:
                debit = to_minor(line.debit or "0", cur, field=f"row {n}")
                credit = to_minor(line.credit or "0", cur, field=f"row {n}")
            except ValidationError as exc:
                problems += exc.errors
                continue
            if debit < 0 or credit < 0 or (debit > 0) == (credit > 0):
                problems.append(FieldError(f"row {n}", "give a debit or a credit above zero, not both"))
                continue
            contact_id = None
            if line.customer:
                contact_id = _find_contact(conn, ctx.org_id, line.customer)
                if contact_id is None:
                    problems.append(FieldError(f"row {n}", f"no customer {line.customer}"))
                    continue
            elif account["role"] in ("ar", "customer_advances"):
                problems.append(FieldError(f"row {n}", "a receivable balance needs its customer"))
                continue
            entry.append(ledger.EntryLine(account["code"], debit, credit, contact_id))
        if problems:
            raise ValidationError(problems)
        if not entry:
            raise ValidationError("no balances given", "lines")
        difference = sum(x.debit_minor - x.credit_minor for x in entry)
        if difference:
            entry.append(ledger.EntryLine("opening_equity", max(0, -difference), max(0, difference)))
        entry_id = ledger.post_entry(ctx, on, "Opening balances", entry, "opening")
        audit.record(conn, ctx, "post", "opening_balances", entry_id, after={"on": on, "lines": len(entry)})
    return entry_id


def _find_contact(conn, org_id: int, text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text) if contacts_q.contact(conn, org_id, int(text)) else None
    found = contacts_q.duplicates(conn, org_id, [text.lower()], None, None, None)
    return int(found[0]["contact_id"]) if found else None


def read_opening_csv(file_name: str, data: bytes) -> list[OpeningLine]:
    """CSV/XLSX with columns account, debit, credit and optionally customer (id or email)."""
    headers, body = tabular.read_table(file_name, data)
    keys = [h.strip().lower() for h in headers]
    if "account" not in keys:
        raise ValidationError("the file needs an account column (and debit, credit, customer)", "file")
    return [
        OpeningLine(
            **{
                k: v
                for k, v in zip(keys, row, strict=False)
                if k in ("account", "debit", "credit", "customer")
            }
        )
        for row in body
    ]
