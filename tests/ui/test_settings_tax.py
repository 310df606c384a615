"""Issue 19 on the pages: the VAT rounding rule on Settings, the currency fixed once documents exist (said in the
user's language), and each document shown in its own currency."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backoffice.admin import orgs
from backoffice.db import Database
from tests.factories import make_org

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "backoffice/web/pages/settings.py"


@pytest.fixture
def app_db(duck: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("BACKOFFICE_DATABASE_URL", duck.url)
    return duck


@pytest.fixture
def signed_in(app_db: Database):
    org_id, admin = make_org(app_db, "Rose Shop", country="SA")

    def start(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
        at.session_state["user_id"] = admin.user.user_id
        at.session_state["org_id"] = org_id
        at.run()
        at.switch_page(page)
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
