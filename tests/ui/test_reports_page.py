"""The Reports page with AppTest: every report runs, figures are live and the organization's own, a row drills
down to its documents, downloads are offered (SPEC R1–R7)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backoffice import reports
from backoffice.admin import auth
from backoffice.db import Database
from backoffice.sales import invoices, orders
from backoffice.sales.orders import LineRequest
from backoffice.web.session import database  # the page's own handle (BACKOFFICE_DATABASE_URL)
from tests.factories import make_customer, make_org, make_product, make_user
from tests.ui.sessions import session_token

ROOT = Path(__file__).resolve().parents[2]
PAGE = "backoffice/web/pages/reports.py"


@pytest.fixture
def app_db(duck: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("BACKOFFICE_DATABASE_URL", duck.url)
    return duck


def _sell(admin, customer, quantity: int) -> str:
    order_id = orders.create_order(admin, customer, [LineRequest("CUP", quantity)], status="confirmed")
    return invoices.issue_invoice(admin, order_id, issued_on=date.today())


@pytest.fixture
def shop(app_db: Database):
    org_id, admin = make_org(app_db, "Rose Shop", country="SA")
    make_product(admin, "CUP", price="100", stock=100)
    _sell(admin, make_customer(admin, name="نورة القحطاني"), 2)
    _, other = make_org(app_db, "Other Shop")
    make_product(other, "CUP", price="100", stock=100)
    _sell(other, make_customer(other, name="Hidden Customer"), 9)
    return org_id, admin


def _open(org_id: int, user_id: int, **state) -> AppTest:
    """The page itself (it works before and after its line in the page registry)."""
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=30)
    at.session_state["session_token"] = session_token(database(), user_id)
    at.session_state["org_id"] = org_id
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    return " ".join(str(m.value) for m in [*at.metric, *at.subheader, *at.caption]) + " ".join(
        df.value.to_string() for df in at.dataframe
    )


def test_every_report_and_dimension_runs(shop) -> None:
    org_id, admin = shop
    at = _open(org_id, admin.user.user_id)
    assert at.title[0].value == "Reports"
    for name in reports.REPORTS:
        at.selectbox(key="report_name").select(name).run()
        assert not at.exception, (name, at.exception)
        for by in reports.BY_OPTIONS[name]:
            at.selectbox(key=f"report_by_{name}").select(by).run()
            assert not at.exception, (name, by, at.exception)
    at.checkbox(key="report_compare").check().run()
    assert not at.exception


def test_sales_this_month_are_live_and_only_this_organization(shop) -> None:
    org_id, admin = shop
    at = _open(org_id, admin.user.user_id)
    shown = _texts(at)
    assert "200.00 SAR" in shown and "900.00" not in shown and "Hidden Customer" not in shown
    assert at.get("plotly_chart")
    _sell(admin, None, 1)
    at.run()
    assert "300.00 SAR" in _texts(at)
    at.selectbox(key="report_by_sales").select("customer").run()
    assert "نورة القحطاني" in _texts(at) and "Hidden Customer" not in _texts(at)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download XLSX"]


def test_a_selected_row_shows_its_documents(shop) -> None:
    org_id, admin = shop
    at = _open(
        org_id,
        admin.user.user_id,
        report_by_sales="product",
        report_table={"selection": {"rows": [0], "columns": [], "cells": []}},
    )
    assert any("Documents behind" in s.value for s in at.subheader), [s.value for s in at.subheader]
    assert "INV-000001" in _texts(at)


def test_viewer_reads_reports_sales_staff_are_told_no(shop) -> None:
    org_id, admin = shop
    viewer = make_user(admin, "viewer")
    assert not _open(org_id, viewer.user.user_id).error
    clerk = make_user(admin, "sales")
    at = _open(org_id, clerk.user.user_id)
    assert at.error and "does not allow" in at.error[0].value


def test_arabic_layout(shop) -> None:
    org_id, admin = shop
    auth.set_language(admin.db, admin.user, "ar")
    at = _open(org_id, admin.user.user_id)
    assert at.title[0].value == "التقارير"
    assert any("direction: rtl" in str(h.proto) for h in at.get("html"))
