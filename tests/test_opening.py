"""Opening balances for a mid-year start: one balanced entry, customers' balances included (seed 003)."""

from datetime import date

import pytest

from backoffice.books import ledger, opening
from backoffice.core.errors import ValidationError
from backoffice.db import Database
from tests.factories import make_customer, make_org

CSV = "account,debit,credit,customer\n1010,25000.00,,\n1100,1200.50,,{email}\n2000,,3000,\n"


def test_opening_balances_from_csv_balance_through_equity(db: Database) -> None:
    _, admin = make_org(db)
    customer = make_customer(admin, emails="opening@example.com")
    lines = opening.read_opening_csv("o.csv", CSV.format(email="opening@example.com").encode())
    opening.post_opening_balances(admin, date(2026, 7, 1), lines)
    tb = {r["code"]: r["debit_minor"] - r["credit_minor"] for r in ledger.trial_balance(admin).rows}
    assert tb == {"1010": 2_500_000, "1100": 120_050, "2000": -300_000, "3100": -2_320_050}
    assert ledger.receivable_balance(admin, customer) == 120_050


def test_every_bad_row_is_named_and_nothing_is_posted(db: Database) -> None:
    _, admin = make_org(db)
    lines = [
        opening.OpeningLine("9999", "1"),
        opening.OpeningLine("1100", "5"),
        opening.OpeningLine("1010", "5", "5"),
        opening.OpeningLine("1010", "x"),
        opening.OpeningLine("1100", "1", customer="nobody@example.com"),
    ]
    with pytest.raises(ValidationError) as error:
        opening.post_opening_balances(admin, date(2026, 7, 1), lines)
    assert [e.field for e in error.value.errors] == ["row 1", "row 2", "row 3", "row 4", "row 5"]
    assert ledger.trial_balance(admin).rows == []
