"""The books: balanced entries only, posted entries immutable, the trial balance always balances (SPEC I5, R6)."""

import inspect
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backoffice.books import ledger
from backoffice.core.errors import NotFoundError, ValidationError
from backoffice.db import Database
from backoffice.db.queries import ledger as ledger_queries
from tests.factories import make_customer, make_org

ACCOUNTS = ["cash", "bank", "ar", "sales", "vat_payable", "customer_advances", "6100", "opening_equity"]


def test_an_unbalanced_entry_is_refused_and_nothing_is_written(db: Database) -> None:
    _, admin = make_org(db)
    with pytest.raises(ValidationError, match="differ by 1 minor units"):
        ledger.post_manual_entry(
            admin, date(2026, 1, 1), "bad", [ledger.EntryLine("cash", 101), ledger.EntryLine("sales", 0, 100)]
        )
    with pytest.raises(ValidationError, match="at least two lines"):
        ledger.post_manual_entry(admin, date(2026, 1, 1), "bad", [ledger.EntryLine("cash", 0, 0)])
    with pytest.raises(ValidationError, match="exactly one of debit and credit"):
        ledger.post_manual_entry(
            admin, date(2026, 1, 1), "bad", [ledger.EntryLine("cash", 5, 5), ledger.EntryLine("sales", 0, 0)]
        )
    with pytest.raises(ValidationError, match="No account 9999"):
        ledger.post_manual_entry(
            admin, date(2026, 1, 1), "bad", [ledger.EntryLine("9999", 5), ledger.EntryLine("sales", 0, 5)]
        )
    assert ledger.trial_balance(admin).rows == []


def test_nothing_in_the_code_updates_or_deletes_a_posted_entry() -> None:
    source = inspect.getsource(ledger_queries) + inspect.getsource(ledger)
    assert not re.search(r"(UPDATE|DELETE FROM)\s+journal_", source, re.I)
    assert not [n for n in dir(ledger) if re.match(r"(update|delete|edit)_", n)]


@st.composite
def entries(draw: st.DrawFn) -> list[list[ledger.EntryLine]]:
    made = []
    for _ in range(draw(st.integers(1, 6))):
        debits = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=4))
        credit_split = draw(st.integers(1, 3))
        total = sum(debits)
        credits = [total // credit_split] * (credit_split - 1)
        credits.append(total - sum(credits))
        lines = [ledger.EntryLine(draw(st.sampled_from(ACCOUNTS)), d) for d in debits]
        lines += [ledger.EntryLine(draw(st.sampled_from(ACCOUNTS)), 0, c) for c in credits if c > 0]
        if len(lines) >= 2:
            made.append(lines)
    return made


@given(batch=entries())
def test_the_trial_balance_always_balances(duck: Database, batch: list[list[ledger.EntryLine]]) -> None:
    org_id, admin = make_org(duck)
    for lines in batch:
        ledger.post_manual_entry(admin, date(2026, 3, 1), "random", lines)
    tb = ledger.trial_balance(admin)
    assert tb.balanced
    assert tb.debit_minor == sum(line.debit_minor for lines in batch for line in lines)


def test_trial_balance_by_period_and_customer_balance_from_the_ledger(db: Database) -> None:
    _, admin = make_org(db)
    customer = make_customer(admin)
    ledger.post_manual_entry(
        admin,
        date(2026, 1, 1),
        "opening",
        [ledger.EntryLine("ar", 50_000, 0, customer), ledger.EntryLine("opening_equity", 0, 50_000)],
    )
    ledger.post_manual_entry(
        admin,
        date(2026, 2, 1),
        "deposit",
        [ledger.EntryLine("cash", 20_000), ledger.EntryLine("customer_advances", 0, 20_000, customer)],
    )
    assert ledger.receivable_balance(admin, customer) == 30_000  # owes 500.00 less 200.00 held
    january = ledger.trial_balance(admin, date(2026, 1, 1), date(2026, 1, 31))
    assert (january.debit_minor, january.credit_minor) == (50_000, 50_000)
    assert ledger.trial_balance(admin).debit_minor == 70_000


def test_a_manual_entry_cannot_name_another_organizations_customer(db: Database) -> None:
    """Issue 14 (2): A's books never carry a receivable for B's contact."""
    _, admin_a = make_org(db)
    _, admin_b = make_org(db)
    theirs = make_customer(admin_b)
    with pytest.raises(ValidationError, match=f"line 1: no contact #{theirs} in this organization"):
        ledger.post_manual_entry(
            admin_a,
            date(2026, 1, 1),
            "a receivable for B's customer",
            [ledger.EntryLine("ar", 50_000, 0, theirs), ledger.EntryLine("opening_equity", 0, 50_000)],
        )
    assert ledger.trial_balance(admin_a).rows == []
    assert ledger.receivable_balance(admin_b, theirs) == 0
    with pytest.raises(NotFoundError, match=f"No contact #{theirs} in this organization"):
        ledger.receivable_balance(admin_a, theirs)
