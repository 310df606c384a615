"""Issue 19 on the pages: the VAT rounding rule on Settings, the currency fixed once documents exist (said in the
user's language), and each document shown in its own currency."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backoffice.admin import auth, orgs
from backoffice.db import Database
from tests.factories import make_org
from tests.ui.sessions import session_token

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "backoffice/web/pages/settings.py"


@pytest.fixture
def app_db(duck: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("BACKOFFICE_DATABASE_URL", duck.url)
    return duck


@pytest.fixture
def signed_in(app_db: Database):
    org_id, admin = make_org(app_db, "Rose Shop", country="SA")

    def start(page: str, language: str = "en") -> AppTest:
        at = AppTest.from_file(
            str(ROOT / page), default_timeout=30
        )  # the page alone: signed in, no navigation
        auth.set_language(app_db, admin.user, language)  # signing in takes the user's language
        at.session_state["language"] = language
        at.session_state["session_token"] = session_token(app_db, admin.user.user_id)
        at.session_state["org_id"] = org_id
        at.run()
        assert not at.exception, at.exception
        return at

    start.admin = admin  # type: ignore[attr-defined]
    return start


def _save(at: AppTest) -> None:
    next(b for b in at.button if b.label in ("Save", "حفظ")).click().run()
    assert not at.exception, at.exception


def test_settings_choose_the_vat_rounding_rule(signed_in) -> None:
    at = signed_in(SETTINGS)
    rule = at.selectbox(key="org_rounding_rule")
    assert rule.value == "group" and rule.options == [
        "line",
        "group",
    ]  # a Saudi organization starts per group
    assert "EN 16931" in rule.help
    rule.set_value("line")
    _save(at)
    assert orgs.get_settings(signed_in.admin)["rounding_rule"] == "line"
    at = signed_in(SETTINGS)
    at.selectbox(key="org_rounding_rule").set_value("group")
    _save(at)
    assert orgs.get_settings(signed_in.admin)["rounding_rule"] == "group"


def _sell_658(admin) -> str:
    from backoffice.sales import invoices, orders
    from backoffice.sales.orders import LineRequest
    from tests.factories import make_product

    make_product(admin, "TEA", price="658", price_includes_vat=True, track_stock=False)
    return invoices.issue_invoice(
        admin, orders.create_order(admin, None, [LineRequest("TEA", 1)], status="confirmed")
    )


def test_the_currency_is_fixed_once_a_document_exists_and_says_why(signed_in) -> None:
    from backoffice.core.i18n import translate

    admin = signed_in.admin
    at = signed_in(SETTINGS)
    assert not at.text_input(key="org_currency").disabled  # nothing issued yet
    assert orgs.CURRENCY_FIXED not in [c.value for c in at.caption]
    _sell_658(admin)  # meanwhile, someone sells: what the open form sends does not change the currency
    at.text_input(key="org_currency").input("JOD")
    _save(at)
    assert orgs.get_settings(admin)["currency"] == "SAR"
    assert at.text_input(key="org_currency").disabled and orgs.CURRENCY_FIXED in [c.value for c in at.caption]
    from backoffice.admin import auth

    auth.set_language(admin.db, admin.user, "ar")
    at = signed_in(SETTINGS, "ar")  # in the user's language
    currency = at.text_input(key="org_currency")
    assert currency.disabled and currency.value == "SAR"
    assert currency.help == translate(orgs.CURRENCY_FIXED, "ar") != orgs.CURRENCY_FIXED
    assert translate(orgs.CURRENCY_FIXED, "ar") in [c.value for c in at.caption]


def test_a_refusal_is_shown_in_the_users_language(app_db: Database) -> None:
    def refused() -> None:
        from backoffice.admin import orgs
        from backoffice.core.errors import ValidationError
        from backoffice.web.errors import show_errors

        with show_errors("ar"):
            raise ValidationError(orgs.CURRENCY_FIXED, "currency")

    at = AppTest.from_function(refused).run()
    assert at.error[0].value.startswith("**العملة**: لا يمكن تغيير العملة بعد وجود طلب أو فاتورة")


def test_a_document_shows_in_its_own_currency(signed_in, app_db: Database) -> None:
    """An organization whose currency an older version let change after it issued invoices: each invoice still
    shows what it was issued in (658.00 SAR), not its minor units read as the new currency (65.800 JOD)."""
    import sqlalchemy as sa

    number = _sell_658(signed_in.admin)
    with app_db.write() as conn:
        conn.execute(sa.text("UPDATE organizations SET currency = 'JOD'"))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.session_state["session_token"] = session_token(app_db, signed_in.admin.user.user_id)
    at.session_state["org_id"] = signed_in.admin.org_id
    at.session_state["invoice_number"] = number
    at.run()
    at.switch_page("backoffice/web/pages/invoices.py")
    at.run()
    assert not at.exception, at.exception
    assert "658.00 SAR" in at.dataframe[0].value["Total"].tolist()
    assert [m.value for m in at.metric] == ["572.17 SAR", "85.83 SAR", "658.00 SAR"]
    at.switch_page("backoffice/web/pages/orders.py")
    at.session_state["order_id"] = 1
    at.run()
    assert "658.00 SAR" in at.dataframe[0].value["Total"].tolist()
    assert [m.value for m in at.metric] == ["572.17 SAR", "85.83 SAR", "658.00 SAR"]
