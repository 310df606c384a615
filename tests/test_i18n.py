"""The catalogue covers every string a screen shows, in Arabic and Persian (SPEC L1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from backoffice.admin import orgs
from backoffice.books import ledger
from backoffice.contacts import customers
from backoffice.core.context import ROLES
from backoffice.core.i18n import CATALOGUE, DOCUMENT_LANGUAGES, translate
from backoffice.db.queries.payments import DEFAULT_METHODS
from backoffice.imports import profiles
from backoffice.sales import orders
from backoffice.web.customer_form import TEXT_FIELDS
from backoffice.web.registry import PAGES
from backoffice.web.sales import LINE_COLUMNS, STEP_LABELS
from backoffice.web.signin import PASSWORD_HELP

ROOT = Path(__file__).resolve().parents[1]
SCREEN_FILES = [
    *sorted((ROOT / "backoffice/web/pages").glob("*.py")),
    *sorted((ROOT / "backoffice/web").glob("*.py")),
]


def _screen_strings() -> set[str]:
    """Literals passed to t(...), and table headers passed to frame(...) (which translates them)."""
    found: set[str] = set()
    for path in SCREEN_FILES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None)
            if name == "t" and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
            if name == "frame" and len(node.args) > 1:
                for target in ast.walk(node.args[1]):
                    if isinstance(target, ast.Dict):
                        found |= {v.value for v in target.values if isinstance(v, ast.Constant)}
    return found


def _choice_words() -> set[str]:
    """Values shown through format_func=t: roles, kinds, calendars, languages, sort keys, field names."""
    return {
        *ROLES,
        *customers.ROLES,
        *customers.FIELD_KINDS,
        *ledger.BUSINESS_TYPES,
        *orgs.CALENDARS,
        *orgs.ROUNDING_RULES,
        *DOCUMENT_LANGUAGES,
        "name",
        "created",
        "city",
        "country",
        *customers.FORM_FIELDS,
        PASSWORD_HELP,
        *(p.title for p in PAGES),
        *(p.section for p in PAGES),
        *(label for _, label, _ in TEXT_FIELDS),
        *orders.STATUSES,
        *STEP_LABELS.values(),
        *LINE_COLUMNS.values(),
        "invoice",
        "credit_note",
        *(code for code, _, _ in DEFAULT_METHODS),
        "captured",
        "authorized",
        "voided",
        *profiles.PROFILES,
        "mapping",
        "read",
        "validated",
        "priced",
        "loaded",
        "orders written",
        "posted",
        "done",
        "New",
        "Changed",
        "Unchanged",
        "With errors",
        "Posted",
        "bank",
        "card_clearing",
    }


def test_the_scan_finds_the_screens_strings() -> None:
    strings = _screen_strings()
    assert {"Customers", "Save & new", "Balance", "Sign in"} <= strings  # the scan itself works


@pytest.mark.parametrize("text", sorted(_screen_strings() | _choice_words()))
def test_every_screen_string_has_arabic_and_persian(text: str) -> None:
    assert text in CATALOGUE, f"add {text!r} to backoffice/core/i18n.py CATALOGUE"
    arabic, persian = CATALOGUE[text]
    assert arabic and persian


def test_placeholders_survive_translation() -> None:
    for english, (arabic, persian) in CATALOGUE.items():
        for name in ("{n}", "{total}", "{page}", "{pages}"):
            assert (name in english) == (name in arabic) == (name in persian), english


def test_translate_falls_back_to_english() -> None:
    assert translate("Customers", "ar") == "العملاء"
    assert translate("Customers", "fa") == "مشتریان"
    assert translate("Not in the catalogue", "fa") == "Not in the catalogue"
